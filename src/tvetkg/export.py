"""`tvetkg export`: the ontology, the shapes and the graph in every RDF format, described and checksummed.

`dist/` receives, for each of ontology, shapes and graph, one file per format
(Turtle, N-Triples and RDF/XML hold the merged triples; N-Quads, TriG and JSON-LD
keep the named graphs), a JSON-LD context, the ontology's HTML documentation, a
DCAT 3 and VoID description (`dataset.ttl`) with each distribution's media type,
byte size and SHA-256, `owl/tvet-kg.owl` (ontology and graph as OWL 2 DL tools read them:
`owl_view`), and `SHA256SUMS` for `sha256sum -c`. The folder is
assembled beside `dist/` and swapped in at the end.
"""

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from tvetkg import jsonld, owl_view, paths
from tvetkg.errors import TvetKgError
from tvetkg.folders import replaced_folder
from tvetkg.load import graph_files, read_quads
from tvetkg.namespaces import ID, ONTOLOGY_GRAPH, PREFIXES, TVET

SHAPES_GRAPH = "https://w3id.org/oic-tvet/shapes"
OWL_FILE = "owl/tvet-kg.owl"
DATASET = "https://w3id.org/oic-tvet/dataset"
WRITE_BUFFER = 1 << 20
VERSION = "2.1.0"  # the dataset's version: its data, not the tool (2.0.0: the pages, the seeds' translations moved to graphs of their own; 2.1.0: the report's item numbers as data)


@dataclass(frozen=True)
class Format:
    extension: str
    media_type: str
    keeps_graphs: bool
    oxigraph: ox.RdfFormat | None  # None: compact JSON-LD, written by tvetkg.jsonld


FORMATS = {
    "ttl": Format("ttl", "text/turtle", False, ox.RdfFormat.TURTLE),
    "nt": Format("nt", "application/n-triples", False, ox.RdfFormat.N_TRIPLES),
    "xml": Format("rdf", "application/rdf+xml", False, ox.RdfFormat.RDF_XML),
    "nq": Format("nq", "application/n-quads", True, ox.RdfFormat.N_QUADS),
    "trig": Format("trig", "application/trig", True, ox.RdfFormat.TRIG),
    "jsonld": Format("jsonld", "application/ld+json", True, None),
}
RDFLIB_NAMES = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "nq": "nquads", "trig": "trig", "jsonld": "json-ld"}


@dataclass
class Export:
    out_dir: Path
    files: dict[str, Path] = field(default_factory=dict)
    figures: dict = field(default_factory=dict)


def datasets(kg_dir: Path | None = None) -> dict[str, list[ox.Quad]]:
    """The three datasets as quads: the ontology, the shapes (a named graph per file), the graph."""
    ontology = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(ONTOLOGY_GRAPH))
                for q in read_quads(paths.ontology_file())]
    shapes = []
    for path in sorted(paths.shapes_dir().glob("*.shape.ttl")):
        name = ox.NamedNode(f"{SHAPES_GRAPH}/{path.name.removesuffix('.shape.ttl')}")
        shapes += [ox.Quad(q.subject, q.predicate, q.object, name) for q in read_quads(path)]
    graph = [q for path in graph_files(kg_dir or paths.kg_dir()) for q in read_quads(path)]
    return {"ontology": ontology, "shapes": shapes, "graph": graph}


def triples(statements: Callable[[], Iterable[ox.Quad]], key: Callable[[ox.Triple], int] = hash
            ) -> Iterator[ox.Triple]:
    """The merged triples of a dataset, each once (RDF merge), given `statements()`: the dataset's
    statements, afresh at each call. It never holds them all (a million triples as a set took
    500 MiB): it keeps the `key` (hash) of each triple given, 60 MiB a million, and gives a
    triple at once when its key is new. A triple whose key came before is most likely the same
    triple in another graph, but may be another triple of the same key: those are kept aside and,
    at the end, checked against the first triple of each such key, read again from the start only
    as far as the last of them; any that is not a repeat is given then, out of first-seen order.
    """
    seen, aside = set(), []
    for quad in statements():
        triple = quad.triple
        code = key(triple)
        if code in seen:
            aside.append((code, triple))
        else:
            seen.add(code)
            yield triple
    del seen
    if not aside:
        return
    given = {code: [] for code, _ in aside}
    wanted = len(given)
    for quad in statements():
        triple = quad.triple
        code = key(triple)
        if code in given and not given[code]:
            given[code].append(triple)
            wanted -= 1
            if not wanted:
                break
    for code, triple in aside:
        if triple not in given[code]:
            given[code].append(triple)
            yield triple


def export(out_dir: Path, formats: list[str] | None = None, kg_dir: Path | None = None,
           endpoint: str | None = None, base_url: str = "https://w3id.org/oic-tvet/dist/") -> Export:
    formats = formats or list(FORMATS)
    for name in formats:
        if name not in FORMATS:
            raise TvetKgError(f"--format {name!r}: use {', '.join(FORMATS)} (or leave it out for all)")
    data = datasets(kg_dir)
    out_dir = Path(out_dir)
    result = Export(out_dir)
    with replaced_folder(out_dir) as staging:
        context = json_ld_context(data["ontology"])
        (staging / "context.jsonld").write_text(json.dumps(context, indent=1), encoding="utf-8")
        result.files["context.jsonld"] = staging / "context.jsonld"
        for name, quads in data.items():
            merged = None
            for fmt in map(FORMATS.get, formats):
                if not fmt.keeps_graphs and merged is None:
                    merged = list(triples(lambda: quads))
                path = staging / f"{name}.{fmt.extension}"
                _write(quads if fmt.keeps_graphs else merged, fmt, path, context)
                result.files[path.name] = path
        from tvetkg.docs import write_ontology_page

        page = write_ontology_page(paths.ontology_file(), staging / "ontology.html")
        result.files[page.name] = page
        # For OWL tools (Protégé, the OWL API, reasoners): ontology and graph in OWL 2 DL (owl_view)
        result.files[OWL_FILE] = write_owl(staging / OWL_FILE, lambda: owl_view.statements(data["ontology"], data["graph"]))
        result.figures = void_figures(data["graph"])
        description = describe(result.figures, result.files, endpoint, base_url, data["graph"])
        (staging / "dataset.ttl").write_text(description.serialize(format="turtle"), encoding="utf-8")
        result.files["dataset.ttl"] = staging / "dataset.ttl"
        sums = "".join(f"{sha256(p)}  {name}\n" for name, p in sorted(result.files.items(), key=lambda f: f[1]))
        (staging / "SHA256SUMS").write_text(sums, encoding="utf-8")
    result.files = {name: out_dir / name for name in result.files}
    return result


def _write(statements: list, fmt: Format, path: Path, context: dict) -> None:
    """Quads for a format that keeps graphs, the merged triples (`triples`) for one that does not."""
    if fmt.oxigraph is None:
        jsonld.write(statements, path, context["@context"])
        return
    prefixes = {k: v for k, v in PREFIXES.items() if k != "sh"}
    write_rdf(statements, path, fmt.oxigraph, prefixes if fmt.oxigraph != ox.RdfFormat.N_TRIPLES else None)


def write_rdf(statements, path: Path, rdf_format: ox.RdfFormat, prefixes: dict | None = None) -> None:
    """Oxigraph writes through a Python file with a 1 MiB buffer: given the path, it took twice as
    long (N-Quads of a million statements: 0.83 s against 0.42 s)."""
    with path.open("wb", buffering=WRITE_BUFFER) as handle:
        ox.serialize(statements, output=handle, format=rdf_format, prefixes=prefixes)


def write_owl(path: Path, statements: Callable[[], Iterable[ox.Quad]]) -> Path:
    """The OWL view's statements (`statements()`, afresh at each call), merged, as RDF/XML: the format every
    OWL tool reads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_rdf(triples(statements), path, ox.RdfFormat.RDF_XML, {k: v for k, v in PREFIXES.items() if k != "sh"})
    return path


def json_ld_context(ontology: list[ox.Quad]) -> dict:
    """Prefixes, and a term per ontology property: object properties take IRIs."""
    kinds = {q.subject.value: q.object.value for q in ontology
             if q.predicate.value == str(rdflib.RDF.type) and isinstance(q.subject, ox.NamedNode)}
    context = {prefix: namespace for prefix, namespace in PREFIXES.items() if prefix != "sh"}
    for iri, kind in sorted(kinds.items()):
        if not iri.startswith(TVET):
            continue
        local = iri[len(TVET):]
        if kind == str(rdflib.OWL.ObjectProperty):
            context[local] = {"@id": f"tvet:{local}", "@type": "@id"}
        elif kind in (str(rdflib.OWL.DatatypeProperty), str(rdflib.OWL.AnnotationProperty)):
            context[local] = {"@id": f"tvet:{local}"}
    context["label"] = {"@id": "rdfs:label"}
    return {"@context": context}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def void_figures(quads: list[ox.Quad]) -> dict:
    """VoID's figures of the graph, computed on its merged triples."""
    merged = list(triples(lambda: quads))
    rdf_type = str(rdflib.RDF.type)
    classes = Counter()
    typed = set()
    for t in merged:
        if t.predicate.value == rdf_type:
            classes[t.object.value] += 1
            typed.add(t.subject)
    per_graph = Counter(q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode))
    return {
        "triples": len(merged),
        "entities": len({t.subject for t in merged if isinstance(t.subject, ox.NamedNode)
                         and t.subject.value.startswith(ID)}),
        "distinct_subjects": len({t.subject for t in merged}),
        "distinct_objects": len({t.object for t in merged}),
        "properties": dict(sorted(Counter(t.predicate.value for t in merged).items())),
        "classes": dict(sorted(classes.items())),
        "graphs": dict(sorted(per_graph.items())),
    }


EXAMPLES = ("sesric", "tot-cybersecurity-2024", "cooperation-area-2", "country-tur")


def describe(figures: dict, files: dict[str, Path], endpoint: str | None, base_url: str,
             quads: list[ox.Quad]) -> rdflib.Graph:
    """The DCAT 3 and VoID description: the static text of metadata/dataset.ttl plus the figures."""
    DCAT, VOID, SPDX = (rdflib.Namespace(n) for n in (
        "http://www.w3.org/ns/dcat#", "http://rdfs.org/ns/void#", "http://spdx.org/rdf/terms#"))
    DCT, XSD = rdflib.DCTERMS, rdflib.XSD
    g = rdflib.Graph()
    g.parse(paths.data_root() / "metadata" / "dataset.ttl", format="turtle")
    for prefix, namespace in (("dcat", DCAT), ("void", VOID), ("spdx", SPDX), ("dcterms", DCT), ("tvet", TVET)):
        g.bind(prefix, namespace)
    ds = rdflib.URIRef(DATASET)
    g.add((ds, DCAT.version, rdflib.Literal(VERSION)))
    g.add((ds, rdflib.OWL.versionInfo, rdflib.Literal(VERSION)))
    count = lambda n: rdflib.Literal(n, datatype=XSD.nonNegativeInteger)
    g.add((ds, VOID.triples, count(figures["triples"])))
    g.add((ds, VOID.entities, count(figures["entities"])))
    g.add((ds, VOID.distinctSubjects, count(figures["distinct_subjects"])))
    g.add((ds, VOID.distinctObjects, count(figures["distinct_objects"])))
    g.add((ds, VOID.classes, count(len(figures["classes"]))))
    g.add((ds, VOID.properties, count(len(figures["properties"]))))
    for cls, n in figures["classes"].items():
        part = rdflib.URIRef(f"{DATASET}/class/{cls.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], rdflib.URIRef(cls)))
        g.add((part, VOID.entities, count(n)))
    for prop, n in figures["properties"].items():
        local = prop.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        prefix = next((p for p, ns in PREFIXES.items() if prop.startswith(ns)), "x")
        part = rdflib.URIRef(f"{DATASET}/property/{prefix}-{local}")
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, rdflib.URIRef(prop)))
        g.add((part, VOID.triples, count(n)))
    for graph_name, n in figures["graphs"].items():
        subset = rdflib.URIRef(f"{DATASET}/graph/{graph_name.rsplit('/', 1)[-1]}")
        g.add((ds, VOID.subset, subset))
        g.add((subset, rdflib.RDF.type, VOID.Dataset))
        g.add((subset, DCT.source, rdflib.URIRef(graph_name)))
        g.add((subset, VOID.triples, count(n)))
    for local in EXAMPLES:
        g.add((ds, VOID.exampleResource, rdflib.URIRef(ID + local)))
    if endpoint:
        g.add((ds, VOID.sparqlEndpoint, rdflib.URIRef(endpoint)))
        service = rdflib.URIRef(f"{DATASET}/sparql")
        g.add((service, rdflib.RDF.type, DCAT.DataService))
        g.add((service, DCAT.endpointURL, rdflib.URIRef(endpoint)))
        g.add((service, DCAT.servesDataset, ds))
        g.add((ds, DCAT.accessService, service))
    for name, path in sorted(files.items()):
        url = rdflib.URIRef(base_url + name)
        dist = rdflib.URIRef(f"{DATASET}/distribution/{name}")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, rdflib.RDF.type, DCAT.Distribution))
        g.add((dist, DCT.title, rdflib.Literal(name)))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.mediaType, rdflib.URIRef("https://www.iana.org/assignments/media-types/" + media_type(name))))
        g.add((dist, DCAT.byteSize, count(path.stat().st_size)))
        checksum = rdflib.BNode()
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, rdflib.Literal(sha256(path), datatype=XSD.hexBinary)))
        if name.startswith("graph."):
            g.add((ds, VOID.dataDump, url))
    return g


def media_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1]
    for fmt in FORMATS.values():
        if fmt.extension == extension:
            return fmt.media_type
    if name == "SHA256SUMS":
        return "text/plain"
    return {"html": "text/html", "jsonld": "application/ld+json", "owl": "application/rdf+xml"}.get(
        extension, "application/octet-stream")
