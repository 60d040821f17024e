"""The vocabulary at hand: the ontology's classes and properties with their labels, definitions,
domain and range in one language, for `tvetkg terms` and `KnowledgeGraph.terms`."""

from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from tvetkg.errors import TvetKgError
from tvetkg.namespaces import PREDECLARED, TVET

KINDS = {"class": OWL.Class, "object property": OWL.ObjectProperty, "datatype property": OWL.DatatypeProperty,
         "annotation property": OWL.AnnotationProperty}
LANGUAGES = ("ar", "en", "fr")


@dataclass(frozen=True)
class Term:
    name: str  # tvet:Workshop
    kind: str  # one of KINDS
    label: str
    definition: str
    definition_language: str  # the language the definition is in: `lang`, or en where the ontology has none in it
    domain: str
    range: str
    parents: str  # the super-classes or super-properties


def _prefixed(iri: str) -> str:
    for prefix, namespace in PREDECLARED.items():
        if iri.startswith(namespace) and "/" not in iri[len(namespace):]:
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


def expression(term, graph: rdflib.Graph, name=_prefixed) -> str:
    """A named term as `name(iri)` gives it, or a union or enumeration of them as a readable class
    expression: "(tvet:Activity or tvet:Programme)"; any other blank node is "[ ]"."""
    if isinstance(term, rdflib.BNode):
        members = graph.value(term, OWL.unionOf) or graph.value(term, OWL.oneOf)
        if members is None:
            return "[ ]"
        joiner = " or " if graph.value(term, OWL.unionOf) is not None else ", "
        return "(" + joiner.join(expression(m, graph, name) for m in rdflib.collection.Collection(graph, members)) + ")"
    return name(str(term))


def vocabulary(ontology: Path, lang: str = "en") -> list[Term]:
    """Every class and property of the tvet: namespace, in the order of KINDS then by name; the label and
    definition in `lang` (in English where the ontology gives none in it)."""
    if lang not in LANGUAGES:
        raise TvetKgError(f"--lang {lang!r}: use {', '.join(LANGUAGES)}")
    graph = rdflib.Graph().parse(str(ontology), format="turtle")

    def text(term, prop) -> tuple[str, str]:
        values = {v.language: str(v) for v in graph.objects(term, prop) if isinstance(v, rdflib.Literal)}
        return (values[lang], lang) if lang in values else (values.get("en", ""), "en" if "en" in values else "")

    def names(term, prop) -> str:
        return ", ".join(sorted(expression(v, graph) for v in graph.objects(term, prop)))

    found = []
    for kind, cls in KINDS.items():
        for term in sorted(t for t in graph.subjects(RDF.type, cls) if str(t).startswith(TVET)):
            parents = RDFS.subClassOf if kind == "class" else RDFS.subPropertyOf
            definition, language = text(term, SKOS.definition)
            found.append(Term(_prefixed(str(term)), kind, text(term, RDFS.label)[0], definition, language,
                              names(term, RDFS.domain), names(term, RDFS.range), names(term, parents)))
    return found
