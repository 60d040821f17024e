"""Moving triples into rdflib, which pySHACL, the reasoner and the exporters need.

The facts are read from the files, not from the Oxigraph store: the store keeps
derived integer types (xsd:nonNegativeInteger, xsd:positiveInteger) only as
xsd:integer, and the shapes check the declared datatype.
"""

from pathlib import Path

import pyoxigraph as ox
import rdflib

from tvetkg.load import RDF_FORMATS


def ntriples(files: list[Path]) -> str:
    """The triples of the files (named graphs merged) as one N-Triples document."""
    lines = []
    for path in files:
        for quad in ox.parse(path=str(path), format=RDF_FORMATS[Path(path).suffix]):
            lines.append(f"{quad.subject} {quad.predicate} {quad.object} .\n")
    return "".join(lines)


def union_graph(files: list[Path]) -> rdflib.Graph:
    """The files' triples, named graphs merged, as one rdflib graph."""
    graph = rdflib.Graph()
    graph.parse(data=ntriples(files), format="nt")
    return graph


def parse_file(path) -> rdflib.Graph:
    """One Turtle file as an rdflib graph."""
    return rdflib.Graph().parse(str(path), format="turtle")
