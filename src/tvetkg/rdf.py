"""Moving triples into rdflib, which pySHACL, the reasoner and the exporters need.

The facts are read from the files, not from the Oxigraph store: the store keeps
derived integer types (xsd:nonNegativeInteger, xsd:positiveInteger) only as
xsd:integer, and the shapes check the declared datatype.
"""

import logging
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import rdflib

from tvetkg.errors import TvetKgError
from tvetkg.load import read_quads


def as_ntriples(quads) -> str:
    """Statements, their named graphs dropped, as one N-Triples document."""
    return "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in quads)


def rdflib_term(term, normalize: bool | None = None):
    """An Oxigraph term as rdflib's (rdflib's own and None pass through); `normalize=False` keeps a
    literal's lexical form as written ("1"^^xsd:boolean stays "1", where rdflib makes it "true")."""
    if term is None or isinstance(term, rdflib.term.Node):
        return term
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=term.datatype.value, normalize=normalize)


def to_rdflib_dataset(quads) -> rdflib.Dataset:
    """Statements as an rdflib dataset, each in its named graph, the default graph read as their union
    (what SPARQL-based shapes with GRAPH patterns need)."""
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(data="".join(f"{q} .\n" for q in quads), format="nquads")
    return dataset


def dataset(files: list[Path]) -> rdflib.Dataset:
    """The files' statements, each in its named graph, as one rdflib dataset (its default graph their union)."""
    return to_rdflib_dataset(q for path in files for q in read_quads(path))


def parse_file(path) -> rdflib.Graph:
    """One Turtle file as an rdflib graph; a file that does not parse is a TvetKgError naming its line
    (Oxigraph's parser says where, rdflib's often does not)."""
    try:
        return rdflib.Graph().parse(str(path), format="turtle")
    except Exception as error:  # rdflib raises its own classes, or OSError, or ValueError
        if not Path(path).is_file():
            raise TvetKgError(f"{path}: no such file") from None
        read_quads(Path(path))  # raises with the file, line and column
        raise TvetKgError(f"{path}: {error}") from None


def parse_as_written(path) -> rdflib.Graph:
    """One Turtle file as an rdflib graph, its literals as written (a shapes graph: SHACL compares
    the terms, and `sh:uniqueLang "1"^^xsd:boolean` is not `true`); errors name the file and line."""
    graph, string = rdflib.Graph(), ox.NamedNode(str(rdflib.XSD.string))
    for q in read_quads(Path(path)):
        obj = q.object
        if isinstance(obj, ox.Literal) and obj.datatype == string:  # a simple literal, as rdflib's parser gives it
            obj = rdflib.Literal(obj.value)
        graph.add((rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(obj, normalize=False)))
    return graph


@contextmanager
def quiet_rdflib():
    """rdflib logs a traceback for every ill-typed literal it reads; the shapes report those already."""
    log = logging.getLogger("rdflib.term")
    quiet, log.disabled = log.disabled, True
    try:
        yield
    finally:
        log.disabled = quiet


@contextmanager
def queries_parsed_once():
    """rdflib parses a query text each time it is run, and pySHACL runs a SPARQL-based shape's text
    once per focus node: 40-60 ms of parsing for each of our larger shapes, more than their evaluation.
    Within this block a text is parsed and translated once (rdflib's own prepared queries, the form
    it documents for running one query with other initial bindings); its evaluation is untouched."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.processor import SPARQLProcessor

    prepared = {}
    query = SPARQLProcessor.query

    def query_prepared(self, text, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        if isinstance(text, str):
            key = (text, base, tuple(sorted((initNs or {}).items())))
            if key not in prepared:
                prepared[key] = translateQuery(parseQuery(text), base, initNs)
            text = prepared[key]
        return query(self, text, initBindings, initNs, base, DEBUG)

    SPARQLProcessor.query = query_prepared
    try:
        yield
    finally:
        SPARQLProcessor.query = query
