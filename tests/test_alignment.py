"""The ontology's alignment is true: every term of another vocabulary that it names (as the object
of owl:equivalentClass, rdfs:subClassOf, rdfs:subPropertyOf, skos:exactMatch, or anywhere else)
is a term that vocabulary defines, read from the extracts of their term lists in
tests/data/vocabularies (see its README)."""

from pathlib import Path

import pytest
import rdflib
from rdflib import namespace
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from tvetkg import paths

VOCABULARIES = Path(__file__).parent / "data" / "vocabularies"
TVET = "https://w3id.org/oic-tvet/"
# The vocabularies the extracts stand for, by namespace; RDF, RDFS, OWL and XSD are the languages
# themselves, read from rdflib's closed namespaces.
EXTRACTS = {
    "https://schema.org/": "schema.ttl", "http://www.w3.org/ns/org#": "org.ttl",
    "http://www.w3.org/ns/prov#": "prov.ttl", "http://purl.org/dc/terms/": "dcterms.ttl",
    "http://xmlns.com/foaf/0.1/": "foaf.ttl", "http://www.w3.org/2004/02/skos/core#": "skos.ttl",
    "http://purl.org/vocab/vann/": "vann.ttl",
}
LANGUAGES = {str(ns): ns for ns in (RDF, RDFS, OWL, namespace.XSD)}
ALIGNMENTS = (OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf, RDFS.subPropertyOf,
              SKOS.exactMatch, SKOS.closeMatch)
# Not terms: the ontology's licence and the codelist it cites as a document
DOCUMENTS = {"https://creativecommons.org/licenses/by/4.0/",
             "https://iatistandard.org/en/iati-standard/203/codelists/organisationrole/"}


@pytest.fixture(scope="module")
def ontology():
    return rdflib.Graph().parse(paths.ontology_file())


@pytest.fixture(scope="module")
def defined():
    terms = set()
    for file in EXTRACTS.values():
        terms |= {s for s in rdflib.Graph().parse(VOCABULARIES / file).subjects() if isinstance(s, rdflib.URIRef)}
    return terms


def _namespace(term: str) -> str | None:
    return next((ns for ns in [*EXTRACTS, *LANGUAGES] if term.startswith(ns)), None)


def _external(ontology):
    for triple in ontology:
        for term in triple:
            if isinstance(term, rdflib.URIRef) and not str(term).startswith(TVET) and str(term) not in DOCUMENTS:
                yield term


def test_every_alignment_names_a_term_its_vocabulary_defines(ontology, defined):
    aligned = {(s, p, o) for p in ALIGNMENTS for s, o in ontology.subject_objects(p)
               if isinstance(o, rdflib.URIRef) and not str(o).startswith(TVET)}
    assert len(aligned) >= 40  # the alignments of the ontology 1.2.0: a test that reads none proves nothing
    undefined = sorted(f"{s.n3(ontology.namespace_manager)} {p.n3(ontology.namespace_manager)} "
                       f"{o.n3(ontology.namespace_manager)}" for s, p, o in aligned
                       if o not in defined and _namespace(str(o)) not in LANGUAGES)
    assert undefined == []


def test_every_external_term_is_one_of_a_known_vocabulary(ontology, defined):
    unknown = sorted({str(t) for t in _external(ontology) if _namespace(str(t)) is None})
    assert unknown == []
    undefined = sorted({t.n3(ontology.namespace_manager) for t in _external(ontology)
                        if _namespace(str(t)) in EXTRACTS and t not in defined})
    assert undefined == []
    # RDF, RDFS, OWL and XSD terms that those languages define (rdflib's closed namespaces)
    for term in _external(ontology):
        language = LANGUAGES.get(_namespace(str(term)))
        if language is not None:
            assert term in language, term


def test_a_misspelt_term_is_caught(defined):
    """The check can fail: schema.org's organizer is spelt with a z."""
    assert rdflib.URIRef("https://schema.org/organizer") in defined
    assert rdflib.URIRef("https://schema.org/organiser") not in defined
