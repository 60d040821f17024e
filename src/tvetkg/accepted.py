"""The accepted view of the graph: where the sources of a resource disagree on a functional property, the
value of the source the resource accepts (`tvet:acceptedSource`, chosen by the rule of kg/README.md), the
other values left out. The named graphs keep every value; the reasoner, which reads one world, and the
catalogue's figures read this view (the queries by the same filter in SPARQL)."""

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from tvetkg.namespaces import TVET

OWL_FUNCTIONAL = "http://www.w3.org/2002/07/owl#FunctionalProperty"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def functional(ontology: Iterable[ox.Quad]) -> set[str]:
    return {q.subject.value for q in ontology if q.predicate.value == RDF_TYPE and q.object.value == OWL_FUNCTIONAL}


def view(quads: list[ox.Quad], properties: set[str]) -> Iterator[ox.Quad]:
    """`quads` without the values of `properties` that a resource's accepted source overrides: stated in
    another graph than it, where it states another value."""
    accepted: dict[ox.Term, set] = {}
    for q in quads:
        if q.predicate.value == TVET + "acceptedSource":
            accepted.setdefault(q.subject, set()).add(q.object)
    stated: dict[tuple, set] = {}
    for q in quads:
        if q.subject in accepted and q.predicate.value in properties and q.graph_name in accepted[q.subject]:
            stated.setdefault((q.subject, q.predicate), set()).add(q.object)
    for q in quads:
        values = stated.get((q.subject, q.predicate))
        if values is not None and q.object not in values:
            continue
        yield q
