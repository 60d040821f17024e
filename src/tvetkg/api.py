"""The Python API, for notebooks first; the command line is one of its consumers.

    import tvetkg
    kg = tvetkg.open()                                   # the shipped graph, in memory
    rows = kg.query("partners-of", org="unesco-unevoc")  # a catalogue query, its parameters checked
    rows.to_pandas()                                     # a DataFrame (pip install 'tvetkg[notebook]')
    kg.query("SELECT ?a WHERE { ?a tvet:modality tvet:Online }")  # SPARQL, prefixes predeclared
    kg.network("organisations", since="2020-01-01")     # a networkx graph
    kg.validate().conforms

`open(endpoint=URL)` reads a SPARQL 1.1 server instead of the embedded store.
"""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from tvetkg.errors import TvetKgError

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {XSD + t for t in ("integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
                               "negativeInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt",
                               "unsignedShort", "unsignedByte", "gYear")}
_CONVERT = {
    XSD + "decimal": Decimal,
    XSD + "double": float,
    XSD + "float": float,
    XSD + "boolean": lambda text: text in ("true", "1"),
    XSD + "date": dt.date.fromisoformat,
    XSD + "dateTime": dt.datetime.fromisoformat,
}


def python_value(term: dict | None):
    """A SPARQL JSON term as a Python value: an IRI or text as str, numbers as int, Decimal or float,
    xsd:date as datetime.date (xsd:gYear as its year, an int), xsd:boolean as bool, unbound as None.
    A literal that is not valid for its datatype stays its text."""
    if term is None:
        return None
    if term["type"] == "bnode":
        return "_:" + term["value"]
    text, datatype = term["value"], term.get("datatype")
    try:
        if datatype in _INTEGERS:
            return int(text)
        if datatype in _CONVERT:
            return _CONVERT[datatype](text)
    except (ValueError, ArithmeticError):
        pass
    return text


class Rows:
    """A query's answer: its solutions iterate as dicts of Python values (an unbound variable is None);
    an ASK answer is its boolean (`bool(rows)`); CONSTRUCT and DESCRIBE give `ntriples`."""

    def __init__(self, results):
        self.results = results
        # The SPARQL JSON read once: variables, boolean, length and solutions all come from it.
        answer = {} if results.is_graph else json.loads(results.json)
        self.variables: list[str] = answer.get("head", {}).get("vars", [])
        self.boolean: bool | None = answer.get("boolean")
        self._bindings: list[dict] = answer.get("results", {}).get("bindings", [])

    @property
    def ntriples(self) -> str | None:
        return self.results.ntriples

    def __iter__(self):
        if self.results.is_graph:
            raise TvetKgError("a CONSTRUCT or DESCRIBE answer is triples: read .ntriples")
        if self.boolean is not None:
            raise TvetKgError("an ASK answer is a boolean: read .boolean or bool(rows)")
        variables = self.variables
        for row in self._bindings:
            yield {name: python_value(row.get(name)) for name in variables}

    def __len__(self) -> int:
        return len(self._bindings)

    def __bool__(self) -> bool:
        return self.boolean if self.boolean is not None else len(self) > 0

    def to_pandas(self):
        """The solutions as a pandas DataFrame, one column per variable (pandas: `pip install 'tvetkg[notebook]'`)."""
        try:
            import pandas
        except ImportError:
            raise TvetKgError("to_pandas needs pandas: pip install 'tvetkg[notebook]'") from None
        return pandas.DataFrame(list(self), columns=self.variables)

    def __repr__(self) -> str:
        if self.results.is_graph:
            return f"<Rows: {self.ntriples.count(chr(10))} triples>"
        if self.boolean is not None:
            return f"<Rows: {self.boolean}>"
        return f"<Rows: {len(self)} solutions of {', '.join(self.variables)}>"


def prepare(name_or_sparql: str, params: dict[str, str], run, text: bool | None = None) -> str:
    """The text to run: a catalogue query (by name or .rq file) with its parameters bound and checked
    against the graph (`run`: SPARQL text -> results), or SPARQL text (`text`; by default, what is
    neither a query's name nor a file) with the parameters bound by VALUES as terms."""
    from tvetkg.catalogue import bind_values, check_resources, find, guess_term

    params = {k: str(v) for k, v in params.items()}
    if text is None:  # a query's name is a file's stem: no space or brace in it
        name = name_or_sparql.strip()
        text = not name.endswith(".rq") and any(c in name for c in " \t\n{")
    if text:
        return bind_values(name_or_sparql, {k: guess_term(v) for k, v in params.items()})
    query = find(name_or_sparql)  # an unknown name: the closest ones
    bound = query.bind(params)
    check_resources(query, query.iris(params), *resource_checks(run))
    return bound


def resource_checks(run):
    """For `catalogue.check_resources`: whether an IRI is the subject of a statement, and the subjects."""
    import pyoxigraph as ox

    def ask(iri):
        return bool(run(f"SELECT ?p WHERE {{ {ox.NamedNode(iri)} ?p ?o }} LIMIT 1").rows())

    def subjects():
        return [r["s"]["value"] for r in run("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER (isIRI(?s)) }").rows()]

    return ask, subjects


class KnowledgeGraph:
    """The graph, in an embedded store (the shipped graph, or the folder `kg`; on disk in `store`)
    or on a SPARQL 1.1 `endpoint`."""

    def __init__(self, kg: Path | str | None = None, store: Path | str | None = None, endpoint: str | None = None,
                 inferred: bool = False, timeout: float = 60, credentials: tuple[str, str] | None = None):
        from tvetkg.query import check_endpoint
        from tvetkg.store import open_graph

        self.endpoint, self.timeout, self.credentials = endpoint, timeout, credentials
        if endpoint:
            check_endpoint(endpoint)
            self.graph = None
        else:
            self.graph = open_graph(Path(kg) if kg else None, Path(store) if store else None, inferred=inferred)

    def run(self, sparql: str, allow_service: bool = False):
        """SPARQL text as it is, on the store or the endpoint: `query.Results`."""
        from tvetkg.query import run_local, run_remote

        if self.endpoint:
            return run_remote(self.endpoint, sparql, self.timeout, self.credentials)
        return run_local(self.graph, sparql, allow_service)

    def query(self, name_or_sparql: str, **params) -> Rows:
        """A catalogue query by name (`tvetkg.catalogue.catalogue()` lists them) or a .rq file, with its
        parameters as keywords; or SPARQL text, keywords bound as terms (`org="id:iut"`)."""
        return Rows(self.run(prepare(name_or_sparql, params, self.run)))

    def network(self, kind: str = "organisations", lang: str = "en", area: str | None = None,
                since: str | None = None, until: str | None = None, role: str | None = None,
                type: str | None = None):  # noqa: A002 (the filter's name on the command line)
        """The partner network as a networkx graph: organisations, bipartite or countries."""
        return self.networks([kind], lang, area, since, until, role, type)[kind]

    def networks(self, kinds, lang: str = "en", area: str | None = None, since: str | None = None,
                 until: str | None = None, role: str | None = None, type: str | None = None) -> dict:  # noqa: A002
        """Several networks from one reading of the graph: {kind: networkx graph}."""
        from tvetkg.network import KINDS, Filters, build_network, fetch

        for kind in kinds:
            if kind not in KINDS:
                raise TvetKgError(f"network kind {kind!r}: use {', '.join(KINDS)}")
        if lang not in ("ar", "en", "fr"):
            raise TvetKgError(f"lang {lang!r}: use ar, en or fr")
        rows, orgs = fetch(self.run, Filters(lang, area, since, until, role, type))
        return {kind: build_network(kind, rows, orgs) for kind in kinds}

    def terms(self, lang: str = "en") -> list:
        """The ontology's classes and properties with label, definition, domain and range (`terms.Term`)."""
        from tvetkg import paths
        from tvetkg.terms import vocabulary

        return vocabulary(paths.ontology_file(), lang)

    def validate(self, engine: str = "oxigraph", allow_warnings: bool = False):
        """The SHACL report of the embedded graph (`validate.Report`: conforms, results, to_json());
        `allow_warnings`: conforms with warnings, as the build judges."""
        from tvetkg.validate import validate

        if self.graph is None:
            raise TvetKgError("validation reads the graph's files: open it from a folder, not an endpoint")
        return validate(self.graph, engine=engine, allow_warnings=allow_warnings)


def open(kg=None, store=None, endpoint=None, inferred: bool = False, **options) -> KnowledgeGraph:  # noqa: A001
    """The knowledge graph: `open()` the shipped one, `open(kg="my-kg")` a folder of graph files,
    `open(store="cache")` kept on disk, `open(endpoint="http://host/sparql")` a server."""
    return KnowledgeGraph(kg, store, endpoint, inferred, **options)
