"""HermiT (owlready2) on the ontology and the graph: consistency, entailed facts, explained inconsistency."""

import shutil

import pytest

from tvetkg import paths
from tvetkg.namespaces import ID, TVET
from tvetkg.reason import RDF_TYPE, infer

from conftest import FIXTURES


@pytest.fixture(scope="module")
def inference(kg_files):
    return infer(paths.ontology_file(), kg_files)


def test_ontology_and_graph_are_consistent(inference):
    assert inference.consistent
    assert inference.explanation == []


def test_roles_entail_involves(inference):
    involves = {o for s, p, o in inference.triples if s == ID + "tot-cybersecurity-2024" and p == TVET + "involves"}
    assert involves == {ID + "iut", ID + "sesric"}


def test_inverses_are_entailed(inference):
    assert (ID + "iut", TVET + "involvedIn", ID + "tot-cybersecurity-2024") in inference.triples
    assert (ID + "project-empowering-youth-tvet-2024", TVET + "hasPart",
            ID + "workshop-tvet-strategies-youth-employment-2024") in inference.triples


def test_class_memberships_are_entailed_and_nothing_stated_is_repeated(inference):
    triples = set(inference.triples)
    course = ID + "training-course-green-skills-2024"
    assert (course, RDF_TYPE, TVET + "CapacityBuildingActivity") in triples
    assert (course, RDF_TYPE, "https://schema.org/EducationEvent") in triples
    assert (course, RDF_TYPE, TVET + "TrainingCourse") not in triples  # stated, so not "inferred"


def test_an_inconsistency_is_explained(tmp_path, kg_files):
    kg = tmp_path / "kg"
    shutil.copytree(paths.kg_dir(), kg)
    shutil.copy(FIXTURES / "reasoning" / "organisation-that-is-a-country.ttl", kg)
    result = infer(paths.ontology_file(), sorted(kg.glob("*.t*")))
    assert not result.consistent
    assert any("id:iut" in line and "tvet:Country" in line and "tvet:Organisation" in line
               for line in result.explanation), result.explanation
