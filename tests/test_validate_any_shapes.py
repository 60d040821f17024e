"""`tvetkg validate --shapes`: any data against any shapes, with both engines, nothing shipped mixed in
unless asked, SHACL's verdict (warnings count unless --allow-warnings), and no request leaving the machine."""

import json
import socket

import pytest
import rdflib

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
ENGINES = ["oxigraph", "pyshacl"]

DATA = """@prefix ex: <http://example.org/> .
ex:rex a ex:Dog ; ex:name "Rex" .
ex:tom a ex:Dog .
"""
SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:NamedShape a sh:NodeShape ; sh:targetClass ex:Dog ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:severity {severity} ] .
"""
ANIMALS = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:AnimalShape a sh:NodeShape ; sh:targetNode ex:rex ; sh:class ex:Animal .
"""
ONTOLOGY = """@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Dog rdfs:subClassOf ex:Animal .
"""


@pytest.fixture()
def files(tmp_path):
    def write(name, text):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write


@pytest.mark.parametrize("engine", ENGINES)
def test_any_data_against_any_shapes(cli, files, engine):
    data = files("data.ttl", DATA)
    shapes = files("shapes.ttl", SHAPES.replace("{severity}", "sh:Violation"))
    code, out, err = cli("validate", "--shapes", shapes, data, "--format", "json", "--engine", engine)
    report = json.loads(out)
    assert code == 1 and report["conforms"] is False, err
    assert [(r["focus"], r["path"], r["component"]) for r in report["results"]] == \
        [("http://example.org/tom", "http://example.org/name", "sh:MinCountConstraintComponent")]
    code, out, _ = cli("validate", "--shapes", shapes, data, "--format", "turtle", "--engine", engine)
    graph = rdflib.Graph().parse(data=out, format="turtle")
    report_node = graph.value(predicate=rdflib.RDF.type, object=SH.ValidationReport)
    assert code == 1 and graph.value(report_node, SH.conforms).toPython() is False
    result = graph.value(report_node, SH.result)
    assert graph.value(result, SH.focusNode) == rdflib.URIRef("http://example.org/tom")
    assert graph.value(result, SH.sourceShape) is not None and graph.value(result, SH.resultSeverity) == SH.Violation


@pytest.mark.parametrize("engine", ENGINES)
def test_a_warning_fails_unless_warnings_are_allowed(cli, files, engine):
    data = files("data.ttl", DATA)
    shapes = files("shapes.ttl", SHAPES.replace("{severity}", "sh:Warning"))
    code, out, _ = cli("validate", "--shapes", shapes, data, "--format", "json", "--engine", engine)
    assert code == 1 and json.loads(out)["conforms"] is False  # SHACL: any result makes it false
    code, out, _ = cli("validate", "--shapes", shapes, data, "--format", "json", "--engine", engine,
                       "--allow-warnings")
    assert code == 0 and json.loads(out)["conforms"] is True and len(json.loads(out)["results"]) == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_the_ontology_is_mixed_in_only_when_given(cli, files, engine):
    data, shapes = files("data.ttl", DATA), files("animals.ttl", ANIMALS)
    code, out, _ = cli("validate", "--shapes", shapes, data, "--format", "json", "--engine", engine)
    assert code == 1 and [r["component"] for r in json.loads(out)["results"]] == ["sh:ClassConstraintComponent"]
    code, out, _ = cli("validate", "--shapes", shapes, "--ontology", files("ontology.ttl", ONTOLOGY), data,
                       "--format", "json", "--engine", engine)
    assert code == 0 and json.loads(out)["results"] == []


@pytest.mark.parametrize("engine", ENGINES)
def test_service_in_a_shape_is_refused_and_nothing_is_fetched(cli, files, listener, engine):
    """A shapes file from someone else cannot make the validator call a host: exit 2 naming the shape,
    and the listener the shape points at is never reached."""
    shapes = files("service.ttl", f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:CallingShape a sh:NodeShape ; sh:targetNode ex:rex ;
  sh:sparql [ sh:select "SELECT $this WHERE {{ SERVICE <http://127.0.0.1:{listener.getsockname()[1]}/sparql> {{ ?s ?p ?o }} }}" ] .
""")
    code, out, err = cli("validate", "--shapes", shapes, files("data.ttl", DATA), "--engine", engine)
    assert code == 2 and "SERVICE" in err and "Traceback" not in err, err
    assert engine == "pyshacl" or "<http://example.org/CallingShape>" in err
    with pytest.raises(socket.timeout):
        listener.accept()


def test_bad_shapes_or_data_are_exit_2_naming_the_file(cli, files):
    data = files("data.ttl", DATA)
    code, _, err = cli("validate", "--shapes", files("broken.ttl", "@prefix ex: <http://example.org/> .\nex:a ex:b ."), data)
    assert code == 2 and "broken.ttl" in err
    code, _, err = cli("validate", "--shapes", "no-such-shapes.ttl", data)
    assert code == 2 and "no-such-shapes.ttl: no such file" in err


def test_a_recursive_shape_is_refused_by_name(cli, files):
    """SHACL leaves recursive shapes undefined: exit 2 naming the shape and the way back to it."""
    shapes = files("recursive.ttl", """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:A a sh:NodeShape ; sh:targetClass ex:Dog ; sh:node ex:B .
ex:B a sh:NodeShape ; sh:property [ sh:path ex:friend ; sh:node ex:C ] .
ex:C a sh:NodeShape ; sh:property [ sh:path ex:friend ; sh:node ex:B ] .
""")
    code, _, err = cli("validate", "--shapes", shapes, files("data.ttl", DATA))
    assert code == 2 and "Traceback" not in err
    assert "<http://example.org/B> is reached from itself (<http://example.org/B> -> [] -> <http://example.org/C>" in err


def test_current_shape_and_shapes_graph_are_pre_bound(cli, files):
    """$currentShape is the shape, $shapesGraph the shapes (loaded for the validation only, then removed)."""
    shapes = files("shapes.ttl", """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:DogShape a sh:NodeShape ; sh:targetClass ex:Dog ; ex:required ex:name ;
  sh:sparql [ sh:select \"\"\"SELECT $this WHERE {
      GRAPH $shapesGraph { $currentShape <http://example.org/required> ?p }
      FILTER NOT EXISTS { $this ?p ?any } }\"\"\" ] .
""")
    code, out, _ = cli("validate", "--shapes", shapes, files("data.ttl", DATA), "--format", "json")
    assert code == 1
    assert [r["focus"] for r in json.loads(out)["results"]] == ["http://example.org/tom"]


def test_current_shape_of_a_blank_node_shape_is_refused(cli, files):
    shapes = files("shapes.ttl", """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
[] a sh:NodeShape ; sh:targetClass ex:Dog ;
  sh:sparql [ sh:select "SELECT $this WHERE { FILTER (isBlank($currentShape)) }" ] .
""")
    code, _, err = cli("validate", "--shapes", shapes, files("data.ttl", DATA))
    assert code == 2 and "$currentShape of a blank-node shape" in err
