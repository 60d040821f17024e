"""The SPARQL 1.1 Protocol, read-only: reading a query request, refusing updates and SERVICE, and choosing
the results format by `format=` or the `Accept` header.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs

import pyoxigraph as ox

from tvetkg.catalogue import mask
from tvetkg.serve.negotiate import best
from tvetkg.serve.workers import GRAPH_FORMATS, RESULTS_FORMATS, QueryFailed, Task

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
_UPDATE = re.compile(r"^\s*(?:(?:PREFIX\s+[\w.-]*:|BASE)\s*)*"  # on the masked text: IRIs are blank
                     r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_SERVICE = re.compile(r"(?<![\w?$:])SERVICE(?![\w:-])", re.IGNORECASE)


@dataclass(frozen=True)
class Request:
    sparql: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    format: str | None = None


def read(method: str, content_type: str, params: dict[str, list[str]], body: bytes) -> Request:
    """The query of a GET or POST request (form-encoded or `application/sparql-query`)."""
    content_type = content_type.split(";")[0].strip().lower()
    if method == "POST":
        if content_type == "application/sparql-update":
            raise QueryFailed(403, "this endpoint is read-only: SPARQL Update is refused")
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
        raise QueryFailed(403, "this endpoint is read-only: SPARQL Update is refused")
    queries = params.get("query", [])
    if len(queries) != 1 or not queries[0].strip():
        raise QueryFailed(400, "give exactly one SPARQL query: ?query=... (GET), or POST it as "
                               "application/sparql-query or in a form field named query")
    return Request(queries[0], tuple(params.get("default-graph-uri", [])), tuple(params.get("named-graph-uri", [])),
                   (params.get("format") or [None])[0])


def check(sparql: str) -> str:
    """The query's form (`results` or `graph`); updates, SERVICE and syntax errors raise QueryFailed."""
    if _SERVICE.search(mask(sparql)):
        raise QueryFailed(403, "SERVICE is refused: this endpoint sends no request to other servers")
    try:
        parsed = ox.Store().query(sparql)  # parsed, not evaluated: the store is empty and nothing is read
    except SyntaxError as error:
        if _UPDATE.match(mask(sparql)):
            raise QueryFailed(403, "this endpoint is read-only: SPARQL Update is refused") from None
        raise QueryFailed(400, f"SPARQL syntax error: {error.msg}") from None
    return "graph" if isinstance(parsed, ox.QueryTriples) else "results"


def negotiate(form: str, accept: str | None, fmt: str | None) -> str:
    """The media type to answer in: `format=` (a name or a media type) first, then `Accept`."""
    offers = GRAPHS if form == "graph" else RESULTS
    if fmt:
        chosen = fmt if fmt in offers else ALIASES.get(fmt.lower(), (None, None))[form == "graph"]
        if chosen is None:
            names = [n for n, pair in ALIASES.items() if pair[form == "graph"] and "/" not in n]
            raise QueryFailed(406, f"format={fmt!r} is not offered for this query: use {', '.join(names)} "
                                   f"or one of {', '.join(offers)}")
        return chosen
    ranges = accept or ""
    for alias in ("application/json", "application/xml", "text/xml"):  # clients that ask for plain JSON or XML
        ranges = ranges.replace(alias, ALIASES[alias][form == "graph"])
    chosen = best(ranges, offers)
    if chosen is None:
        raise QueryFailed(406, f"none of the types in Accept ({accept}) is offered: use one of {', '.join(offers)}")
    return chosen


def task(request: Request, form: str, media_type: str) -> Task:
    key = "graph_format" if form == "graph" else "results_format"
    return Task(request.sparql, request.default_graphs, request.named_graphs, **{key: media_type})
