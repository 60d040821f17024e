"""`tvetkg export`: every format round-trips, the DCAT/VoID figures are the real ones, checksums verify."""

import hashlib
import json
import re
import subprocess
from collections import Counter

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from tvetkg.export import FORMATS, RDFLIB_NAMES, datasets, export, triples

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    return export(tmp_path_factory.mktemp("export") / "dist")


@pytest.fixture(scope="module")
def sources():
    """Each dataset as rdflib: the merged graph, and the named graphs."""
    result = {}
    for name, quads in datasets().items():
        dataset = rdflib.Dataset()
        dataset.parse(data="".join(f"{q} .\n" for q in quads), format="nquads")
        merged = rdflib.Graph()
        for s, p, o, _ in dataset.quads():
            merged.add((s, p, o))
        graphs = {str(g.identifier): g for g in dataset.graphs() if len(g)}
        result[name] = (merged, graphs)
    return result


CASES = [(name, fmt) for name in ("ontology", "shapes", "graph") for fmt in FORMATS]


@pytest.mark.parametrize("name, fmt", CASES, ids=[f"{n}.{f}" for n, f in CASES])
def test_every_format_round_trips(dist, sources, name, fmt):
    path = dist.files[f"{name}.{FORMATS[fmt].extension}"]
    merged, graphs = sources[name]
    if FORMATS[fmt].keeps_graphs:
        parsed = rdflib.Dataset()
        parsed.parse(path, format=RDFLIB_NAMES[path.suffix[1:]])
        found = {str(g.identifier): g for g in parsed.graphs() if len(g)}
        assert set(found) == set(graphs)
        for graph_name, graph in graphs.items():
            assert isomorphic(found[graph_name], graph), graph_name
    else:
        parsed = rdflib.Graph().parse(path, format=RDFLIB_NAMES[path.suffix[1:]])
        assert len(parsed) == len(merged)
        assert isomorphic(parsed, merged)


def test_derived_integer_types_survive(dist):
    text = dist.files["graph.nt"].read_text(encoding="utf-8")
    assert '"82"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>' in text


def _written(dist) -> set[str]:
    """The files of the export, by their path in it."""
    return {p.relative_to(dist.out_dir).as_posix() for p in dist.out_dir.rglob("*") if p.is_file()}


def test_checksums_verify(dist):
    done = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=dist.out_dir, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    listed = {line.split("  ", 1)[1] for line in (dist.out_dir / "SHA256SUMS").read_text().splitlines()}
    assert listed == _written(dist) - {"SHA256SUMS"}


def test_the_description_gives_the_real_figures(dist, sources):
    description = rdflib.Graph().parse(dist.files["dataset.ttl"])
    ds = rdflib.URIRef("https://w3id.org/oic-tvet/dataset")
    merged, graphs = sources["graph"]
    value = lambda s, p: int(description.value(s, p))
    assert value(ds, VOID.triples) == len(merged)
    assert value(ds, VOID.distinctSubjects) == len(set(merged.subjects()))
    assert value(ds, VOID.distinctObjects) == len(set(merged.objects()))
    assert value(ds, VOID.properties) == len(set(merged.predicates()))
    classes = Counter(o for o in merged.objects(None, rdflib.RDF.type))
    assert value(ds, VOID.classes) == len(classes)
    for part in description.objects(ds, VOID.classPartition):
        assert value(part, VOID.entities) == classes[description.value(part, VOID["class"])]
    properties = Counter(merged.predicates())
    for part in description.objects(ds, VOID.propertyPartition):
        assert value(part, VOID.triples) == properties[description.value(part, VOID.property)]
    for subset in description.objects(ds, VOID.subset):
        assert value(subset, VOID.triples) == len(graphs[str(description.value(subset, rdflib.DCTERMS.source))])
    webinar = rdflib.URIRef("https://w3id.org/oic-tvet/ontology#Webinar")
    assert classes[webinar] == len(set(merged.subjects(rdflib.RDF.type, webinar))) >= 5


def test_the_description_lists_every_distribution(dist):
    description = rdflib.Graph().parse(dist.files["dataset.ttl"])
    ds = rdflib.URIRef("https://w3id.org/oic-tvet/dataset")
    listed = {}
    for distribution in description.objects(ds, DCAT.distribution):
        name = str(description.value(distribution, rdflib.DCTERMS.title))
        checksum = description.value(distribution, SPDX.checksum)
        listed[name] = (int(description.value(distribution, DCAT.byteSize)),
                        str(description.value(checksum, SPDX.checksumValue)),
                        str(description.value(distribution, DCAT.mediaType)))
    assert set(listed) == _written(dist) - {"SHA256SUMS", "dataset.ttl"}
    for name, (size, digest, media) in listed.items():
        data = (dist.out_dir / name).read_bytes()
        assert size == len(data) and digest == hashlib.sha256(data).hexdigest()
    assert listed["graph.trig"][2].endswith("application/trig")
    assert listed["owl/tvet-kg.owl"][2].endswith("application/rdf+xml")
    for lang in ("ar", "en", "fr"):
        assert any(t.language == lang for t in description.objects(ds, rdflib.DCTERMS.title))
        assert any(t.language == lang for t in description.objects(ds, rdflib.DCTERMS.description))
    assert str(description.value(ds, DCAT.version)) == "2.1.0"
    assert description.value(ds, rdflib.DCTERMS.license) is not None
    assert len(list(description.objects(ds, VOID.exampleResource))) >= 3


def test_the_endpoint_is_described_when_given(tmp_path):
    result = export(tmp_path / "dist", ["ttl"], endpoint="http://127.0.0.1:8000/sparql")
    description = rdflib.Graph().parse(result.files["dataset.ttl"])
    ds = rdflib.URIRef("https://w3id.org/oic-tvet/dataset")
    assert str(description.value(ds, VOID.sparqlEndpoint)) == "http://127.0.0.1:8000/sparql"


def test_the_json_ld_context_maps_the_ontology(dist):
    context = json.loads(dist.files["context.jsonld"].read_text())["@context"]
    assert context["organiser"] == {"@id": "tvet:organiser", "@type": "@id"}
    assert context["tvet"] == "https://w3id.org/oic-tvet/ontology#"
    graph = json.loads(dist.files["graph.jsonld"].read_text())
    assert graph["@context"]["organiser"] == context["organiser"]


def test_the_ontology_page_documents_every_term_offline(dist):
    page = dist.files["ontology.html"].read_text(encoding="utf-8")
    ontology = rdflib.Graph().parse(dist.files["ontology.ttl"])
    tvet = "https://w3id.org/oic-tvet/ontology#"
    for kind in (rdflib.OWL.Class, rdflib.OWL.ObjectProperty, rdflib.OWL.DatatypeProperty):
        for term in ontology.subjects(rdflib.RDF.type, kind):
            if str(term).startswith(tvet):
                assert f'id="{str(term)[len(tvet):]}"' in page, term
    assert "ورشة عمل" in page and "Atelier" in page
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)


def test_the_ontology_page_is_english_first(dist):
    """Title, headings and anchors in English (pyLODE took the first label, here Arabic or French, and
    gave tvet:Organisation an empty anchor); the ar and fr labels beside, each marked."""
    page = dist.files["ontology.html"].read_text(encoding="utf-8")
    assert "<title>OIC TVET Cooperation Ontology</title>" in page
    anchors = re.findall(r'id="([^"]*)"', page)
    assert len(anchors) == len(set(anchors)) and all(anchors)
    ontology = rdflib.Graph().parse(dist.files["ontology.ttl"])
    tvet = "https://w3id.org/oic-tvet/ontology#"
    terms = {str(t)[len(tvet):] for t in ontology.subjects(rdflib.RDF.type, None) if str(t).startswith(tvet)}
    assert terms <= set(anchors)
    term = page[page.index('id="Organisation"'):]
    term = term[:term.index("</div>")]
    assert "<h3>Organisation <code>tvet:Organisation</code></h3>" in term
    labels = re.findall(r'<span lang="(\w+)"', term[term.index("label"):term.index("definition")])
    assert labels == ["en", "ar", "fr"]
    assert "tvet:GovernmentBody" in term and "in range of" in term  # its sub-classes and the properties naming it


def test_export_of_a_broken_file_writes_nothing(tmp_path, kg_copy):
    from tvetkg.errors import TvetKgError

    (kg_copy / "broken.ttl").write_text("<a> <b> .\n")
    with pytest.raises(TvetKgError, match="broken.ttl:1:"):
        export(tmp_path / "dist", kg_dir=kg_copy)
    assert not (tmp_path / "dist").exists() and not (tmp_path / "dist.partial").exists()


def _quads(text: str) -> list:
    return list(ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS))


MERGED = _quads("""<http://e/a> <http://e/p> "1" <http://e/g1> .
<http://e/b> <http://e/p> "2" <http://e/g1> .
<http://e/a> <http://e/p> "1" <http://e/g2> .
<http://e/c> <http://e/p> "3" <http://e/g2> .
<http://e/b> <http://e/p> "2" .
<http://e/a> <http://e/p> "1" <http://e/g1> .
<http://e/d> <http://e/p> "1" <http://e/g3> .
""")


@pytest.mark.parametrize("key", [hash, lambda triple: 0, lambda triple: len(str(triple)) % 2], ids=["hash", "one-key", "two-keys"])
def test_merged_triples_are_each_given_once(key):
    # Triples whose keys collide but differ (every key the same, or two) are given all the same.
    given = list(triples(lambda: iter(MERGED), key=key))
    distinct = list(dict.fromkeys(q.triple for q in MERGED))
    assert len(given) == len(distinct) == 4
    assert set(given) == set(distinct)
    if key is hash:
        assert given == distinct  # in first-seen order
