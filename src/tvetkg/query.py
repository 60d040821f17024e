"""Running SPARQL on the embedded store or a remote SPARQL 1.1 endpoint, with one result type for both.

Results travel as SPARQL JSON results, the format every endpoint offers, and are
re-serialised with Oxigraph to CSV, TSV, JSON or XML, so a catalogue query gives
the same output whichever store answered it.
"""

import json
import urllib.error
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from tvetkg.errors import TvetKgError

RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}


@dataclass
class Results:
    """SELECT or ASK results (`json`), or CONSTRUCT/DESCRIBE triples (`ntriples`)."""

    json: bytes | None = None
    ntriples: str | None = None

    @property
    def is_graph(self) -> bool:
        return self.ntriples is not None

    def variables(self) -> list[str]:
        return json.loads(self.json).get("head", {}).get("vars", [])

    def rows(self) -> list[dict]:
        """Each solution as {variable: {"type", "value", ...}} (SPARQL JSON terms)."""
        data = json.loads(self.json)
        if "boolean" in data:
            return [{"boolean": {"type": "literal", "value": str(data["boolean"]).lower()}}]
        return data["results"]["bindings"]

    def values(self) -> Iterator[dict[str, str]]:
        """Each SELECT solution as {variable: the value of its term}, read one at a time: a large
        result takes a third of the room it takes as `rows`."""
        solutions = ox.parse_query_results(self.json, format=ox.QueryResultsFormat.JSON)
        names = [variable.value for variable in solutions.variables]
        for solution in solutions:
            yield {name: term.value for name, term in zip(names, solution) if term is not None}

    def serialize(self, fmt: str) -> bytes:
        if self.is_graph:
            return self.ntriples.encode()
        if fmt == "json":
            return self.json
        solutions = ox.parse_query_results(self.json, format=ox.QueryResultsFormat.JSON)
        return solutions.serialize(format=RESULT_FORMATS[fmt])


def _syntax_error(error: SyntaxError) -> TvetKgError:
    return TvetKgError(f"SPARQL syntax error: {error.msg}")


def _answer(graph, sparql: str):
    try:
        return graph.query(sparql)
    except SyntaxError as error:
        raise _syntax_error(error) from None
    except OSError as error:
        raise TvetKgError(f"query failed: {error}") from None


def run_local(graph, sparql: str) -> Results:
    answer = _answer(graph, sparql)
    if isinstance(answer, ox.QueryTriples):
        return Results(ntriples=answer.serialize(format=ox.RdfFormat.N_TRIPLES).decode())
    return Results(json=answer.serialize(format=ox.QueryResultsFormat.JSON))


def serialize_local(graph, sparql: str, fmt: str) -> bytes:
    """The answer written straight in `fmt` (CONSTRUCT/DESCRIBE: N-Triples), without going through
    SPARQL JSON and `Results`: a second less for 100,000 rows as CSV."""
    answer = _answer(graph, sparql)
    if isinstance(answer, ox.QueryTriples):
        return answer.serialize(format=ox.RdfFormat.N_TRIPLES)
    return answer.serialize(format=RESULT_FORMATS[fmt])


def count_csv_rows(body: bytes) -> int:
    """The solutions in SPARQL CSV results, header aside. A quoted value may hold line breaks and doubled
    quotes, so a line ends a record only after an even number of quotes; the csv module would refuse a
    value over 128 KiB (a GROUP_CONCAT at a million statements)."""
    lines = body.split(b"\n")
    records, quoted = 0, False
    for line in lines[:-1]:
        if line.count(b'"') % 2:
            quoted = not quoted
        if not quoted:
            records += 1
    if lines[-1].strip():  # a last record without its line end
        records += 1
    return max(0, records - 1)


def run_remote(endpoint: str, sparql: str, timeout: float = 60, credentials: tuple | None = None) -> Results:
    from SPARQLWrapper import JSON, N3, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    try:
        parsed = ox.Store().query(sparql)  # a syntax check before anything leaves
    except SyntaxError as error:
        raise _syntax_error(error) from None
    is_graph = isinstance(parsed, ox.QueryTriples)
    client = SPARQLWrapper(endpoint)
    client.setQuery(sparql)
    # SPARQLWrapper guesses the query form from the text, comments included; Oxigraph's parse knows it.
    client.queryType = "CONSTRUCT" if is_graph else "ASK" if isinstance(parsed, ox.QueryBoolean) else "SELECT"
    client.setMethod("POST")
    client.setTimeout(int(timeout))
    if credentials:
        client.setCredentials(*credentials)
    if is_graph:
        client.setReturnFormat(N3)
        client.addCustomHttpHeader("Accept", "application/n-triples")
    else:
        client.setReturnFormat(JSON)
        client.addCustomHttpHeader("Accept", "application/sparql-results+json")
    try:
        response = client.query().response.read()
    except SPARQLWrapperException as error:
        raise TvetKgError(f"{endpoint}: the endpoint refused the query: {str(error).strip()}") from None
    except urllib.error.HTTPError as error:
        raise TvetKgError(f"{endpoint}: HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise TvetKgError(f"{endpoint}: cannot reach the SPARQL endpoint ({reason})") from None
    if is_graph:
        triples = ox.parse(response, format=ox.RdfFormat.N_TRIPLES)
        return Results(ntriples="".join(f"{t} .\n" for t in triples))
    return Results(json=response)
