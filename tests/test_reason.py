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


# --- the OWL 2 RL rules, for graphs too large for HermiT ---------------------------

def test_the_rules_entail_what_hermit_entails_on_the_shipped_graph(inference, graph):
    from tvetkg import rules

    assert set(rules.entailed(graph.store)) == set(inference.triples)
    assert len(graph.store) == len(list(graph.store))  # the rules' working graph is gone


def test_the_rules_entail_what_hermit_entails_on_a_synthetic_graph(tmp_path):
    from tvetkg.reason import infer_graph
    from tvetkg.store import open_graph
    from tvetkg.synth import synthesise

    synthesise(tmp_path / "kg", activities=150, seed=5)
    graph = open_graph(tmp_path / "kg")
    hermit, rules = infer_graph(graph, "hermit"), infer_graph(graph, "rules")
    assert hermit.consistent and rules.consistent
    assert set(rules.triples) == set(hermit.triples)
    assert len(rules.triples) > 2000  # the synthetic activities' classes, roles and inverses


def test_the_rules_find_the_clash_hermit_finds(tmp_path):
    from tvetkg.reason import infer_graph
    from tvetkg.store import open_graph

    kg = tmp_path / "kg"
    shutil.copytree(paths.kg_dir(), kg)
    shutil.copy(FIXTURES / "reasoning" / "organisation-that-is-a-country.ttl", kg)
    result = infer_graph(open_graph(kg), "rules")
    assert not result.consistent and result.reasoner == "OWL 2 RL rules"
    assert any("id:iut" in line and "tvet:Country" in line for line in result.explanation), result.explanation


def test_auto_takes_hermit_for_a_small_graph_and_refuses_an_unknown_reasoner(graph, tmp_path):
    import shutil

    from tvetkg import paths
    from tvetkg.errors import TvetKgError
    from tvetkg.reason import HERMIT_LIMIT, infer_graph
    from tvetkg.store import open_graph

    assert len(graph.store) > HERMIT_LIMIT and infer_graph(graph, "auto").reasoner == "OWL 2 RL rules"
    for name in ("oic-tvet-roadmap.trig", "reference-countries.trig"):
        shutil.copy(paths.kg_dir() / name, tmp_path / name)
    small = open_graph(tmp_path)
    assert len(small.store) <= HERMIT_LIMIT and infer_graph(small, "auto").reasoner == "HermiT"
    with pytest.raises(TvetKgError, match="unknown reasoner"):
        infer_graph(graph, "pellet")


def test_a_date_hermit_cannot_read_is_named_not_a_java_error(kg_copy):
    """HermiT reads the OWL view, where a date becomes a dateTime: an impossible date is named before
    Java sees it (it was reported as 'is Java installed?')."""
    from tvetkg.errors import TvetKgError
    from tvetkg.load import graph_files

    (kg_copy / "bad-date.ttl").write_text(
        "@prefix tvet: <https://w3id.org/oic-tvet/ontology#> .\n"
        '<https://w3id.org/oic-tvet/id/bad-course> tvet:startDate "2024-13-45"^^<http://www.w3.org/2001/XMLSchema#date> .\n',
        encoding="utf-8")
    with pytest.raises(TvetKgError, match=r"bad-course> <https://w3id.org/oic-tvet/ontology#startDate>: "
                                          r"\"2024-13-45\".* is not a valid date"):
        infer(paths.ontology_file(), graph_files(kg_copy))
