"""OWL 2 RL rules on the embedded store: the facts HermiT entails, for a graph too large for HermiT.

The rules (`rules/*.rq`, SPARQL CONSTRUCT) run over the union of the store's graphs
and are repeated until they add nothing; what they add lives in a graph of its own,
removed at the end. Consistency is checked by the qc checks tagged `reasoning`
(disjoint classes, functional properties), which also explain a clash.
"""

import pyoxigraph as ox

from tvetkg import paths
from tvetkg.namespaces import ID, TVET

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL = "http://www.w3.org/2002/07/owl#"
WORK_GRAPH = "urn:x-tvetkg:rules"


def rules() -> dict[str, str]:
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(paths.rules_dir().glob("*.rq"))}


def entailed(store: ox.Store) -> list[tuple[str, str, str]]:
    """The facts the rules entail about the graph's resources (id: IRIs) that the store does not state:
    their named classes, and the values of the ontology's object properties."""
    graph = ox.NamedNode(WORK_GRAPH)
    found: set[ox.Triple] = set()
    try:
        while True:
            new = set()
            for text in rules().values():
                for triple in store.query(text, use_default_graph_as_union=True):
                    if triple not in found:
                        new.add(triple)
            if not new:
                break
            found |= new
            store.bulk_extend([ox.Quad(t.subject, t.predicate, t.object, graph) for t in new])
    finally:
        store.remove_graph(graph)
    properties = {row["p"].value for row in store.query(
        f"SELECT DISTINCT ?p WHERE {{ ?p a <{OWL}ObjectProperty> FILTER STRSTARTS(STR(?p), \"{TVET}\") }}",
        use_default_graph_as_union=True)}
    facts = []
    for t in found:
        if not (isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(ID)):
            continue
        if not isinstance(t.object, ox.NamedNode):
            continue
        predicate = t.predicate.value
        if predicate == RDF_TYPE:
            if t.object.value in (OWL + "Thing", OWL + "NamedIndividual"):
                continue
        elif predicate not in properties:
            continue
        if next(store.quads_for_pattern(t.subject, t.predicate, t.object), None) is None:
            facts.append((t.subject.value, predicate, t.object.value))
    return sorted(facts)
