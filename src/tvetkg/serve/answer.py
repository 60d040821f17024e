"""A query worker's answer: the query run on the graph, its solutions or triples written in the asked
format and counted while they are written, so that neither the rows nor the bytes of an answer pass the
server's caps (413) and no answer is held whole before it is refused.

SELECT solutions are written as SPARQL JSON one solution at a time; for XML, CSV and TSV each batch of
them is handed to Oxigraph's own writer, whose output for the whole answer is the batches' output joined.
CONSTRUCT and DESCRIBE triples go straight through Oxigraph's writer into the counting buffer.
"""

import io
import json
from dataclasses import dataclass

import pyoxigraph as ox

from tvetkg import sizes
from tvetkg.errors import QueryFailed
from tvetkg.namespaces import PREDECLARED, PREFIXES
from tvetkg.sparql_text import syntax_message

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RESULTS_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
_BATCH_ROWS, _BATCH_BYTES = 1000, 1 << 20


@dataclass(frozen=True)
class Task:
    sparql: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    results_format: str | None = "application/sparql-results+json"  # for SELECT and ASK; None: not acceptable
    graph_format: str | None = "application/n-triples"  # for CONSTRUCT and DESCRIBE; None: not acceptable


@dataclass(frozen=True)
class Answer:
    """The serialised results, their media type, and how many solutions or triples they hold."""

    body: bytes
    media_type: str
    rows: int


@dataclass(frozen=True)
class Caps:
    rows: int = 100_000
    bytes: int = 64 << 20


def json_term(term) -> dict:
    """An RDF term as a SPARQL 1.1 JSON results term (RDF-star triples included)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        item = {"type": "literal", "value": term.value}
        if term.language:
            item["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            item["datatype"] = term.datatype.value
        return item
    return {"type": "triple", "value": {"subject": json_term(term.subject), "predicate": json_term(term.predicate),
                                        "object": json_term(term.object)}}


class _Capped(io.RawIOBase):
    """A growing buffer that refuses (413) to hold more than `limit` bytes."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit, self.parts, self.size = limit, [], 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise QueryFailed(413, f"the answer is larger than {sizes.describe(self.limit)}, this server's limit: "
                                   "add LIMIT (and OFFSET to page), or ask for fewer or shorter values")
        self.parts.append(bytes(data))
        return len(data)

    def value(self) -> bytes:
        return b"".join(self.parts)


def _too_many(caps: Caps, what: str) -> QueryFailed:
    return QueryFailed(413, f"the result has more than {caps.rows:,} {what}, this server's limit: "
                            "add LIMIT (and OFFSET to page), or ask for fewer")


class _SolutionsWriter:
    """SELECT solutions in one of the four results formats, written a batch at a time."""

    def __init__(self, out: _Capped, media_type: str, names: list[str]):
        self.out, self.media_type, self.names = out, media_type, names
        self.batch: list[str] = []
        self.batch_bytes = 0
        self.first = True
        self.tail = b""

    def add(self, solution) -> None:
        row = json.dumps({n: json_term(t) for n, t in zip(self.names, solution, strict=True) if t is not None},
                         ensure_ascii=False)
        self.batch.append(row)
        self.batch_bytes += len(row)
        if len(self.batch) >= _BATCH_ROWS or self.batch_bytes >= _BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self.batch and not self.first:
            return
        rows = ", ".join(self.batch)
        head = json.dumps({"vars": self.names}, ensure_ascii=False)
        if self.media_type == "application/sparql-results+json":
            if self.first:
                self.out.write(f'{{"head": {head}, "results": {{"bindings": ['.encode())
                self.tail = b"]}}"
            elif rows:
                rows = ", " + rows
            self.out.write(rows.encode())
        else:
            text = f'{{"head": {head}, "results": {{"bindings": [{rows}]}}}}'.encode()
            written = ox.parse_query_results(text, format=ox.QueryResultsFormat.JSON).serialize(
                format=RESULTS_FORMATS[self.media_type])
            self.out.write(self._part(written))
        self.first = False
        self.batch, self.batch_bytes = [], 0

    def _part(self, written: bytes) -> bytes:
        """The batch's own rows from a whole results document (its head kept on the first batch only)."""
        if self.media_type == "application/sparql-results+xml":
            start, end = written.index(b"<results>") + len(b"<results>"), written.rindex(b"</results>")
            self.tail = written[end:]
            return written[:end] if self.first else written[start:end]
        return written if self.first else written[written.index(b"\n") + 1:]  # CSV, TSV: a header line

    def close(self) -> None:
        self.flush()
        self.out.write(self.tail)


def answer(graph, task: Task, caps: Caps) -> Answer:
    """Run `task` on `graph`; more than `caps.rows` solutions or triples, or more than `caps.bytes`
    bytes, raise QueryFailed (413) as soon as they are passed."""
    options = {}  # the store's default graph is the merge; FROM and FROM NAMED are Oxigraph's own
    if task.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in task.default_graphs]
    if task.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in task.named_graphs]
    out = _Capped(caps.bytes)
    try:
        result = graph.store.query(task.sparql, prefixes=PREDECLARED, **options)
        if isinstance(result, ox.QueryTriples):
            _acceptable(task.graph_format, GRAPH_FORMATS, "CONSTRUCT and DESCRIBE")
            counted = [0]

            def triples():
                for triple in result:
                    if counted[0] == caps.rows:
                        raise _too_many(caps, "triples")
                    counted[0] += 1
                    yield triple

            rdf_format = GRAPH_FORMATS[task.graph_format]
            prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
            ox.serialize(triples(), out, format=rdf_format, prefixes=prefixes)
            return Answer(out.value(), task.graph_format, counted[0])
        _acceptable(task.results_format, RESULTS_FORMATS, "SELECT and ASK")
        if isinstance(result, ox.QueryBoolean):
            body = json.dumps({"head": {}, "boolean": bool(result)}).encode()
            if task.results_format != "application/sparql-results+json":
                body = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(
                    format=RESULTS_FORMATS[task.results_format])
            out.write(body)
            return Answer(out.value(), task.results_format, 1)
        writer = _SolutionsWriter(out, task.results_format, [v.value for v in result.variables])
        rows = 0
        for solution in result:
            if rows == caps.rows:
                raise _too_many(caps, "rows")
            writer.add(solution)
            rows += 1
        writer.close()
        return Answer(out.value(), task.results_format, rows)
    except SyntaxError as error:
        raise QueryFailed(400, f"SPARQL syntax error: {syntax_message(task.sparql, error, PREDECLARED)}") from None
    except PermissionError:  # the sandbox refused a socket: the query called a remote service
        raise QueryFailed(403, "SERVICE is refused: no request leaves this machine to answer a query") from None
    except RuntimeError as error:  # Oxigraph's evaluation errors: an unknown function, an unbound SERVICE
        raise QueryFailed(400, f"the query cannot be evaluated: {error}") from None
    except OSError as error:
        raise QueryFailed(500, f"the query failed reading the store: {error}") from None


def _acceptable(media_type: str | None, offered: dict, forms: str) -> None:
    if media_type is None:
        raise QueryFailed(406, f"none of the types asked for is offered for {forms} results: "
                               f"use one of {', '.join(offered)}")
