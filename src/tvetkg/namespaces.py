"""The IRIs of the project's namespaces and of the named graphs it writes."""

from functools import lru_cache

TVET = "https://w3id.org/oic-tvet/ontology#"
ID = "https://w3id.org/oic-tvet/id/"
ONTOLOGY_GRAPH = "https://w3id.org/oic-tvet/ontology"
INFERRED_GRAPH = "https://w3id.org/oic-tvet/graph/inferred"
# The project's own statements, kept apart from the sources' words (kg/project-*.trig)
TRANSLATIONS_GRAPH = ID + "source-project-translations"
NOTES_GRAPH = ID + "source-project-notes"

PREFIXES = {
    "tvet": TVET,
    "id": ID,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "sh": "http://www.w3.org/ns/shacl#",
    "schema": "https://schema.org/",
}

# Declared for every query, as Wikidata's query service declares its own; a query's PREFIX wins.
PREDECLARED = {
    **PREFIXES,
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
}


def expand(name: str) -> str:
    """`id:sesric` -> full IRI; a full IRI is returned as it is."""
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return name


@lru_cache(maxsize=1 << 16)  # a network shortens each organisation's IRI once per activity
def shorten(iri: str) -> str:
    """The full IRI -> `id:sesric` where a known prefix fits."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and "/" not in iri[len(namespace):]:
            return f"{prefix}:{iri[len(namespace):]}"
    return iri
