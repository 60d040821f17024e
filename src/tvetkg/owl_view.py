"""The ontology and the graph as OWL 2 DL tools read them: `dist/owl/tvet-kg.owl` (`export.write_owl`),
the file a Protégé user opens, and what `tvetkg reason` gives HermiT.

SPARQL and SHACL read the graph as it is; this view differs from it in what OWL 2 cannot read:
- one world, the accepted view (`accepted.view`): where sources disagree on a functional property,
  only the accepted source's value (the graph's named graphs keep every value);
- dates: xsd:date and xsd:gYear are not in OWL 2's datatype map, and a reasoner either refuses them
  (HermiT) or ignores them, missing real clashes. A date is the dateTime of its first instant
  (`"2009-11-09"^^xsd:date` -> `"2009-11-09T00:00:00"^^xsd:dateTime`, no time zone, as the sources
  give none), a year alone its number (`"2020"^^xsd:gYear` -> `2020`); ranges likewise;
- rdf:langString ranges are rdf:PlainLiteral, the datatype of OWL 2 for language-tagged strings
  (Pellet and Openllet read a tagged value as rdf:PlainLiteral and find rdf:langString empty of it);
- the declarations of xsd:date and xsd:gYear that the ontology makes for its own readers are left out.
"""

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from tvetkg import accepted
from tvetkg.errors import TvetKgError
from tvetkg.load import read_quads
from tvetkg.rdf import as_ntriples

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_DATATYPE = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#Datatype")
RDF_TYPE = ox.NamedNode(RDF + "type")
DATATYPES = {  # what the graph uses -> what OWL 2 reads
    XSD + "date": XSD + "dateTime",
    XSD + "gYear": XSD + "integer",
    RDF + "langString": RDF + "PlainLiteral",
}
_DATE = re.compile(r"(-?\d{4,}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})?")
_YEAR = re.compile(r"(-?\d{4,})(Z|[+-]\d{2}:\d{2})?")


def statements(ontology: list[ox.Quad], graph: list[ox.Quad]) -> Iterator[ox.Quad]:
    """The view's statements, in the default graph: the ontology's, then the graph's accepted view
    (a statement of several sources comes once for each: `export.triples` merges them)."""
    for q in [*ontology, *accepted.view(graph, accepted.functional(ontology))]:
        if q.predicate == RDF_TYPE and q.object == RDFS_DATATYPE and q.subject.value in DATATYPES:
            continue
        yield ox.Quad(q.subject, q.predicate, _term(q.object, q.subject, q.predicate))


def from_files(ontology: Path, files: list[Path]) -> Iterator[ox.Quad]:
    """The view of the ontology file and the graph's files."""
    return statements(read_quads(ontology), [q for path in files for q in read_quads(path)])


def ntriples(ontology: Path, files: list[Path]) -> str:
    """The view as one N-Triples document (what owlready2 loads for HermiT)."""
    return as_ntriples(from_files(ontology, files))


def _term(term, subject, predicate):
    """A term as OWL 2 reads it: a datatype IRI renamed, a date or year literal converted."""
    if isinstance(term, ox.NamedNode):
        readable = DATATYPES.get(term.value)
        return ox.NamedNode(readable) if readable else term
    if not isinstance(term, ox.Literal) or term.datatype.value not in DATATYPES or term.language:
        return term
    datatype = term.datatype.value
    if datatype == XSD + "date":
        match = _DATE.fullmatch(term.value)
        if match is not None and _is_date(match.group(1)):
            return ox.Literal(f"{match.group(1)}T00:00:00{match.group(2) or ''}", datatype=ox.NamedNode(XSD + "dateTime"))
    else:
        match = _YEAR.fullmatch(term.value)
        if match is not None:
            return ox.Literal(str(int(match.group(1))), datatype=ox.NamedNode(XSD + "integer"))
    raise TvetKgError(f"{subject} {predicate}: {term} is not a valid {datatype.removeprefix(XSD)}; "
                      "`tvetkg validate` names its file")


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
