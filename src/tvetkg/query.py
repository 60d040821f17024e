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

from tvetkg import sandbox
from tvetkg.errors import TvetKgError
from tvetkg.namespaces import PREDECLARED
from tvetkg.sparql_text import form, screen, syntax_message, with_prefixes

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


def _syntax_error(sparql: str, error: SyntaxError) -> TvetKgError:
    return TvetKgError(f"SPARQL syntax error: {syntax_message(sparql, error, PREDECLARED)}")


def _answer(graph, sparql: str, allow_service: bool):
    """Oxigraph's answer; SERVICE (unless allowed) and texts too deep or too long are refused first.
    Call it on a large stack (`sandbox.run`): its solutions are computed as they are read."""
    screen(sparql, allow_service=allow_service)
    try:
        return graph.query(sparql)
    except SyntaxError as error:
        raise _syntax_error(sparql, error) from None
    except (OSError, RuntimeError) as error:
        raise TvetKgError(f"query failed: {error}") from None


def run_local(graph, sparql: str, allow_service: bool = False) -> Results:
    def answered() -> Results:
        answer = _answer(graph, sparql, allow_service)
        try:
            if isinstance(answer, ox.QueryTriples):
                return Results(ntriples=answer.serialize(format=ox.RdfFormat.N_TRIPLES).decode())
            return Results(json=answer.serialize(format=ox.QueryResultsFormat.JSON))
        except (OSError, RuntimeError) as error:
            raise TvetKgError(f"query failed: {error}") from None

    return sandbox.run(answered)


def serialize_local(graph, sparql: str, fmt: str, allow_service: bool = False) -> bytes:
    """The answer written straight in `fmt` (CONSTRUCT/DESCRIBE: N-Triples), without going through
    SPARQL JSON and `Results`: a second less for 100,000 rows as CSV."""
    def answered() -> bytes:
        answer = _answer(graph, sparql, allow_service)
        try:
            if isinstance(answer, ox.QueryTriples):
                return answer.serialize(format=ox.RdfFormat.N_TRIPLES)
            return answer.serialize(format=RESULT_FORMATS[fmt])
        except (OSError, RuntimeError) as error:
            raise TvetKgError(f"query failed: {error}") from None

    return sandbox.run(answered)


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


def _parses(sparql: str) -> None:
    try:
        ox.Store().query(sparql, prefixes=PREDECLARED)  # an empty store: nothing to read, no SERVICE to call
    except SyntaxError as error:
        raise _syntax_error(sparql, error) from None
    except (OSError, RuntimeError):
        pass  # it parsed; what it does is the endpoint's to say


def check_endpoint(url: str) -> None:
    """Only http(s) URLs are endpoints: urllib would read `file:///etc/passwd` as well."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise TvetKgError(f"{url}: not an http(s) URL of a SPARQL endpoint (for example http://host:7878/query)")


def run_remote(endpoint: str, sparql: str, timeout: float = 60, credentials: tuple | None = None) -> Results:
    from SPARQLWrapper import JSON, N3, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    check_endpoint(endpoint)
    if not screen(sparql, allow_service=True).service:  # a syntax check before anything leaves; with
        sandbox.run(_parses, sparql)                    # SERVICE, the endpoint is left to check it
    query_form = form(sparql) or "SELECT"
    is_graph = query_form in ("CONSTRUCT", "DESCRIBE")
    client = SPARQLWrapper(endpoint)
    client.setQuery(with_prefixes(sparql, PREDECLARED))  # the server may not know ours
    # SPARQLWrapper guesses the query form from the text, comments included; the tokens know it.
    client.queryType = "CONSTRUCT" if is_graph else query_form
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
