"""The JSON-LD dumps: any JSON-LD processor reads back exactly the quads written, odd values included."""

import json

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from tvetkg import jsonld, paths
from tvetkg.export import json_ld_context
from tvetkg.load import graph_files, read_quads
from tvetkg.synth import synthesise

ODD = """
@prefix tvet: <https://w3id.org/oic-tvet/ontology#> .
@prefix id: <https://w3id.org/oic-tvet/id/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
id:odd tvet:organiser "SESRIC" ;                         # a literal under a term that takes IRIs
    tvet:organiser [ rdfs:label "a blank organiser"@en ] ;
    tvet:startDate "2024-13-45"^^xsd:date ;               # ill-typed, kept as written
    tvet:participantCount "0042"^^xsd:nonNegativeInteger ;
    a "not a class" , tvet:Workshop ;
    <http://example.org/other#p> <http://example.org/o> , "x"^^<http://example.org/dt> .
"""


@pytest.fixture(scope="module")
def quads(tmp_path_factory):
    folder = tmp_path_factory.mktemp("jsonld") / "kg"
    synthesise(folder, activities=200, seed=3, defects=0.3)
    (folder / "odd.ttl").write_text(ODD, encoding="utf-8")
    files = [paths.ontology_file(), *graph_files(folder)]
    return [q for path in files for q in read_quads(path)]


def _dataset(data: str, fmt: str) -> rdflib.Dataset:
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format=fmt)
    return dataset


def test_rdflib_reads_back_every_quad(quads, tmp_path):
    path = tmp_path / "graph.jsonld"
    context = json_ld_context(read_quads(paths.ontology_file()))
    jsonld.write(quads, path, context["@context"])
    expected = _dataset("".join(f"{q} .\n" for q in quads), "nquads")
    found = _dataset(path.read_text(encoding="utf-8"), "json-ld")
    graphs = {str(g.identifier): g for g in expected.graphs() if len(g)}
    assert {str(g.identifier) for g in found.graphs() if len(g)} == set(graphs)
    for name, graph in graphs.items():
        assert isomorphic(found.graph(rdflib.URIRef(name)), graph), name


def test_oxigraph_reads_back_every_quad(quads, tmp_path):
    path = tmp_path / "graph.jsonld"
    jsonld.write(quads, path, json_ld_context(read_quads(paths.ontology_file()))["@context"])
    found = list(ox.parse(path=str(path), format=ox.RdfFormat.JSON_LD))
    ground = lambda qs: {q for q in qs if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object))}
    assert len(set(found)) == len(set(quads))
    assert ground(found) == ground(quads)
    assert any(q.object == ox.Literal("0042", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#nonNegativeInteger"))
               for q in found)


def test_terms_are_used_where_they_fit(quads, tmp_path):
    jsonld.write(quads, tmp_path / "graph.jsonld", json_ld_context(read_quads(paths.ontology_file()))["@context"])
    document = json.loads((tmp_path / "graph.jsonld").read_text(encoding="utf-8"))
    nodes = [n for g in document["@graph"] for n in g.get("@graph", [g])]
    odd = next(n for n in nodes if n["@id"] == "id:odd")
    assert "_:" in odd["organiser"][0] and odd["https://w3id.org/oic-tvet/ontology#organiser"] == [{"@value": "SESRIC"}]
    assert odd["@type"] == ["tvet:Workshop"]
    labels = [value for n in nodes if n["@id"] == "id:sesric" for value in n.get("label", [])]
    assert {value["@language"] for value in labels} == {"ar", "en", "fr"}
    organised = next(n for n in nodes if "organiser" in n and n["@id"] != "id:odd")
    assert all(isinstance(value, str) and value.startswith("id:") for value in organised["organiser"])
