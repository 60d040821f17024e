"""HTTP content negotiation: which of the media types a server offers an `Accept` header prefers."""


def _ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        quality = 1.0
        for field in fields[1:]:
            name, _, value = field.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((fields[0].lower(), quality))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    """The quality the most specific matching range gives `offer` (RFC 9110, 12.5.1)."""
    kind = offer.split("/")[0] + "/*"
    for wanted in (offer, kind, "*/*"):
        for media, quality in ranges:
            if media == wanted:
                return quality
    return 0.0


def best(accept: str | None, offers: list[str]) -> str | None:
    """The offer `accept` prefers; ties go to the earlier offer; no header means the first offer.

    >>> best("text/csv;q=0.5, application/sparql-results+json", ["text/csv", "application/sparql-results+json"])
    'application/sparql-results+json'
    """
    if not accept or not accept.strip():
        return offers[0]
    ranges = _ranges(accept)
    scored = [(_quality(offer, ranges), -index, offer) for index, offer in enumerate(offers)]
    quality, _, offer = max(scored)
    return offer if quality > 0 else None


def best_language(accept_language: str | None, offers: list[str]) -> str | None:
    """The offered language an `Accept-Language` header prefers, matching primary subtags (ar-SA is ar)."""
    if not accept_language:
        return None
    ranges = _ranges(accept_language)
    scored = []
    for index, offer in enumerate(offers):
        quality = max((q for tag, q in ranges if tag.split("-")[0] in (offer, "*")), default=0.0)
        scored.append((quality, -index, offer))
    quality, _, offer = max(scored)
    return offer if quality > 0 else None
