"""The ontology and graph in every OWL tool (issue 26): the OWL API's OWL 2 DL profile finds no
violation in ontology/tvet.ttl nor in dist/owl/tvet-kg.owl; HermiT (nothing ignored), Openllet
(OWL API) and Pellet (owlready2's) find the OWL file consistent, with the same class memberships
(and HermiT and Openllet the same object property values)."""

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import owlready2
import pytest

from tvetkg import owl_view, paths
from tvetkg.export import write_owl
from tvetkg.load import graph_files

OWL_API = Path(__file__).parent / "owl_api.py"


@pytest.fixture(scope="module")
def owl_file(tmp_path_factory):
    return write_owl(tmp_path_factory.mktemp("owl") / "tvet-kg.owl",
                     lambda: owl_view.from_files(paths.ontology_file(), graph_files(paths.kg_dir())))


def _owl_api(*files) -> dict:
    done = subprocess.run([sys.executable, str(OWL_API), *map(str, files)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return {Path(r["file"]).name: r for r in map(json.loads, done.stdout.splitlines())}


@pytest.fixture(scope="module")
def checked(owl_file):
    return _owl_api(paths.ontology_file(), owl_file)


def test_the_ontology_and_the_owl_file_are_owl2_dl(checked):
    assert checked["tvet.ttl"]["violations"] == []
    assert checked["tvet-kg.owl"]["violations"] == []
    assert checked["tvet-kg.owl"]["axioms"] > checked["tvet.ttl"]["axioms"] + 5000  # the graph is in it


def test_the_profile_check_can_fail(tmp_path):
    """An undeclared class and a datatype outside OWL 2's map are each named."""
    bad = tmp_path / "bad.ttl"
    bad.write_text("""@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/o> a owl:Ontology .
ex:A a owl:Class ; rdfs:subClassOf ex:Undeclared .
ex:d a owl:DatatypeProperty ; rdfs:range xsd:date .
""", encoding="utf-8")
    violations = _owl_api(bad)["bad.ttl"]["violations"]
    assert len(violations) == 2
    assert any(v.startswith("Use of undeclared class: <http://example.org/Undeclared>") for v in violations)
    assert any(v.startswith("Use of undeclared datatype: xsd:date") for v in violations)


def test_hermit_and_openllet_find_it_consistent_with_the_same_entailments(checked):
    hermit, openllet = checked["tvet-kg.owl"]["hermit"], checked["tvet-kg.owl"]["openllet"]
    assert hermit.get("consistent") is True, hermit
    assert openllet.get("consistent") is True, openllet
    assert len(hermit["types"]) > 2000 and len(hermit["values"]) > 2000
    assert hermit["types"] == openllet["types"]
    assert hermit["values"] == openllet["values"]  # the tvet: object property values, entailed ones among them
    assert any(p == "https://w3id.org/oic-tvet/ontology#involves" for _, p, _ in hermit["values"])


def test_hermit_is_not_told_to_ignore_datatypes(checked):
    """The graph's own xsd:date is refused by HermiT when nothing is ignored: the OWL file is what it reads."""
    assert "UnsupportedDatatypeException" in checked["tvet.ttl"]["hermit"].get("error", "")


def test_pellet_finds_it_consistent_with_the_memberships_hermit_finds(owl_file, checked):
    world = owlready2.World()
    world.get_ontology(owl_file.as_uri()).load()
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        owlready2.sync_reasoner_pellet(world, infer_property_values=False, debug=0)  # raises if inconsistent
    expected = checked["tvet-kg.owl"]["hermit"]["types"]
    found = sorted([iri, cls.iri] for iri in {i for i, _ in expected} for cls in world[iri].INDIRECT_is_a
                   if isinstance(cls, owlready2.ThingClass) and cls is not owlready2.Thing)
    assert found == expected


def test_a_tagged_value_is_no_clash_for_openllet(tmp_path):
    """The issue's finding: one language-tagged value of a property whose range is rdf:langString made
    Pellet and Openllet call the graph inconsistent. The OWL file gives the range as rdf:PlainLiteral."""
    text = owl_view_of("""@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/o> a owl:Ontology .
ex:position a owl:DatatypeProperty ; rdfs:range rdf:langString .
ex:start a owl:DatatypeProperty ; rdfs:range [ a rdfs:Datatype ; owl:unionOf ( xsd:date xsd:gYear ) ] .
""", """@prefix ex: <http://example.org/> .
ex:someone ex:position "Expert"@en ; ex:start "2009-11-09"^^<http://www.w3.org/2001/XMLSchema#date> .
ex:roadmap ex:start "2020"^^<http://www.w3.org/2001/XMLSchema#gYear> .
""", tmp_path)
    result = _owl_api(text)["view.owl"]
    assert result["violations"] == []
    assert result["openllet"].get("consistent") is True and result["hermit"].get("consistent") is True
    raw = tmp_path / "raw.ttl"  # the same tagged value, the range as the graph gives it
    raw.write_text((tmp_path / "ontology.ttl").read_text(encoding="utf-8").split("ex:start")[0]
                   + 'ex:someone ex:position "Expert"@en .\n', encoding="utf-8")
    assert _owl_api(raw)["raw.ttl"]["openllet"].get("consistent") is False


def owl_view_of(ontology: str, data: str, folder: Path) -> Path:
    (folder / "ontology.ttl").write_text(ontology, encoding="utf-8")
    (folder / "data.ttl").write_text(data, encoding="utf-8")
    return write_owl(folder / "view.owl", lambda: owl_view.from_files(folder / "ontology.ttl", [folder / "data.ttl"]))
