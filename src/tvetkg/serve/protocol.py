"""The SPARQL 1.1 Protocol, read-only: reading a query request, refusing updates, and choosing the results
format by `format=` or the `Accept` header. SERVICE and queries too deep or too long are refused by
`sparql_text.screen`.
"""

from dataclasses import dataclass
from urllib.parse import parse_qs

from tvetkg.errors import QueryFailed
from tvetkg.serve.answer import GRAPH_FORMATS, RESULTS_FORMATS, Task
from tvetkg.serve.negotiate import best

RESULTS = list(RESULTS_FORMATS)  # the first is the default
GRAPHS = list(GRAPH_FORMATS)
ALIASES = {  # format= names, and media types some clients send for SPARQL results
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None),
    "tsv": ("text/tab-separated-values", None),
    "ttl": (None, "text/turtle"),
    "turtle": (None, "text/turtle"),
    "nt": (None, "application/n-triples"),
    "ntriples": (None, "application/n-triples"),
    "jsonld": (None, "application/ld+json"),
    "rdfxml": (None, "application/rdf+xml"),
    "application/json": ("application/sparql-results+json", "application/ld+json"),
    "application/xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "text/xml": ("application/sparql-results+xml", "application/rdf+xml"),
}
_UPDATES = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


@dataclass(frozen=True)
class Request:
    sparql: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()  # the format= values, in their order (SPARQLWrapper sends two)


def read(method: str, content_type: str, params: dict[str, list[str]], body: bytes) -> Request:
    """The query of a GET or POST request (form-encoded or `application/sparql-query`)."""
    content_type = content_type.split(";")[0].strip().lower()
    if method == "POST":
        if content_type == "application/sparql-update":
            raise QueryFailed(403, READ_ONLY)
        if content_type == "application/x-www-form-urlencoded":
            params = {**params, **parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)}
        elif content_type == "application/sparql-query":
            try:
                params = {**params, "query": [body.decode("utf-8")]}
            except UnicodeDecodeError:
                raise QueryFailed(400, "the query is not UTF-8") from None
        elif body:
            raise QueryFailed(415, f"POST the query as application/sparql-query or a form "
                                   f"(application/x-www-form-urlencoded), not {content_type or 'no type'}")
    if "update" in params:
        raise QueryFailed(403, READ_ONLY)
    queries = params.get("query", [])
    if len(queries) != 1 or not queries[0].strip():
        raise QueryFailed(400, "give exactly one SPARQL query: ?query=... (GET), or POST it as "
                               "application/sparql-query or in a form field named query")
    return Request(queries[0], tuple(params.get("default-graph-uri", [])), tuple(params.get("named-graph-uri", [])),
                   tuple(f for f in params.get("format", []) if f))


READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"


def refuse_update(screened) -> None:
    """A SPARQL Update (its first keyword after the prologue is an update's, as `screen` read it) is
    refused with 403: this endpoint's store only ever parses queries, so it would be a syntax error."""
    if screened.keyword in _UPDATES:
        raise QueryFailed(403, READ_ONLY)


def _choose(form: str, accept: str | None, formats: tuple[str, ...]) -> str | None:
    """The media type for a form of query: the first format= value offered; with one format= alone,
    that one or none; with several and none offered, or none given, the Accept header's choice."""
    offers = GRAPHS if form == "graph" else RESULTS
    for fmt in formats:
        chosen = fmt if fmt in offers else ALIASES.get(fmt.lower(), (None, None))[form == "graph"]
        if chosen:
            return chosen
    if len(formats) == 1:
        return None
    ranges = accept or ""
    for alias in ("application/json", "application/xml", "text/xml"):  # clients that ask for plain JSON or XML
        ranges = ranges.replace(alias, ALIASES[alias][form == "graph"])
    return best(ranges, offers)


def task(request: Request, accept: str | None) -> Task:
    """The task for the workers, with the media type for each form of query (None: not acceptable)."""
    results, graph = (_choose(form, accept, request.formats) for form in ("results", "graph"))
    if results is None and graph is None:
        asked = " and ".join(f"format={f!r}" for f in request.formats) if request.formats else f"Accept: {accept}"
        raise QueryFailed(406, f"{asked} is not offered: use one of {', '.join(RESULTS + GRAPHS)}, or format= "
                               f"{', '.join(n for n in ALIASES if '/' not in n)}")
    return Task(request.sparql, request.default_graphs, request.named_graphs, results, graph)
