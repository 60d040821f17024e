"""The fast validator (shapes compiled to SPARQL on Oxigraph) against pySHACL, the reference.

Both engines must give the same results: the same focus node, path, value,
constraint component, shape, severity and message, as many times each. The graphs:
the shipped graph, the shipped graph with every broken fixture, and synthetic
graphs with a planted defect of every kind (`tvetkg synth --defects`); the large
one (100k statements) is run by `make scale`.
"""

import csv
from collections import Counter
from pathlib import Path

import pytest

from conftest import FIXTURES
from tvetkg import paths
from tvetkg.load import graph_files, read_quads
from tvetkg.synth import ACTIVITY_DEFECTS, ORGANISATION_DEFECTS, synthesise
from tvetkg.validate import validate_quads


def _results(report) -> Counter:
    return Counter((r.severity, r.focus, r.path, r.value, r.component, r.shape, r.message, r.files)
                   for r in report.results)


def _differential(quads, files=()):
    fast = validate_quads(quads, paths.ontology_file(), engine="oxigraph", files=files)
    reference = validate_quads(quads, paths.ontology_file(), engine="pyshacl", files=files)
    assert fast.conforms == reference.conforms
    only_fast = _results(fast) - _results(reference)
    only_reference = _results(reference) - _results(fast)
    assert not only_fast and not only_reference, (only_fast, only_reference)
    return fast


def _quads(folder: Path):
    files = graph_files(folder)
    return [q for path in files for q in read_quads(path)], files


def _planted_are_reported(folder: Path, report):
    found = {(r.focus, r.component) for r in report.results}
    planted = list(csv.DictReader((folder / "planted-defects.csv").open(encoding="utf-8")))
    assert planted
    missed = [p for p in planted if (p["focus"], p["component"]) not in found]
    assert not missed
    return planted


def test_the_shipped_graph_gives_the_same_report(kg_files):
    quads = [q for path in kg_files for q in read_quads(path)]
    report = _differential(quads, kg_files)
    assert report.conforms and not report.results


def test_every_broken_fixture_gives_the_same_report(kg_files):
    fixtures = sorted((FIXTURES / "shapes").glob("*.ttl"))
    quads = [q for path in [*kg_files, *fixtures] for q in read_quads(path)]
    report = _differential(quads, [*kg_files, *fixtures])
    components = {r.component for r in report.results}
    # (the fixtures share one focus node, so together they have every label: the synthetic graph checks those)
    assert {"sh:LessThanOrEqualsConstraintComponent", "sh:SPARQLConstraintComponent",
            "sh:NodeConstraintComponent", "sh:HasValueConstraintComponent"} <= components


@pytest.fixture(scope="module")
def small_synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth") / "kg"
    synthesise(folder, activities=300, seed=11, defects=0.35)
    return folder


def test_a_synthetic_graph_with_every_kind_of_defect_gives_the_same_report(small_synthetic):
    quads, files = _quads(small_synthetic)
    report = _differential(quads, files)
    planted = _planted_are_reported(small_synthetic, report)
    kinds = {p["defect"] for p in planted}
    assert kinds == {d.name for d in ACTIVITY_DEFECTS + ORGANISATION_DEFECTS}, "a kind of defect was never planted"


def test_a_planted_defect_is_reported_by_the_shape_it_targets(small_synthetic):
    quads, files = _quads(small_synthetic)
    report = validate_quads(quads, paths.ontology_file(), files=files)
    by_focus = {}
    for r in report.results:
        by_focus.setdefault(r.focus, set()).add((r.shape, r.component))
    for row in csv.DictReader((small_synthetic / "planted-defects.csv").open(encoding="utf-8")):
        if row["shape"] != "tvetsh:OrganisationShape":  # its property shapes are blank nodes
            assert (row["shape"].replace("tvetsh:", "https://w3id.org/oic-tvet/shapes#"), row["component"]) \
                in by_focus[row["focus"]], row


@pytest.mark.scale
def test_a_graph_of_100k_statements_with_planted_defects_gives_the_same_report(tmp_path):
    folder = tmp_path / "kg"
    synthesise(folder, activities=5200, seed=8, defects=0.02)
    quads, files = _quads(folder)
    assert len(quads) >= 100_000
    report = _differential(quads, files)
    _planted_are_reported(folder, report)


# Values that SPARQL cannot compare with a bound or with each other, where pySHACL falls back
# on rdflib's order of literals: (start date, end date, participant count, country count).
_ODD_VALUES = [
    ('"2025-03-10"^^xsd:date', '"2025-03-09"^^xsd:date', '"forty"^^xsd:nonNegativeInteger', '"058"^^xsd:nonNegativeInteger'),
    ('"2025-02-30"^^xsd:date', '"2025-03-11"^^xsd:date', '"-5"^^xsd:nonNegativeInteger', '"4.5"^^xsd:nonNegativeInteger'),
    ('"2025-03-10"^^xsd:date', '"2025-13-01"^^xsd:date', '"-5"^^xsd:integer', '"12"^^xsd:decimal'),
    ('"2025-03-10T09:00:00"^^xsd:dateTime', '"2025-03-11"^^xsd:date', '"40"', '"+12"^^xsd:nonNegativeInteger'),
    ('"2025"^^xsd:gYear', '"2025-03-11"^^xsd:date', '"40"^^xsd:double', '"1e2"^^xsd:double'),
    ('"2024-05-01"^^xsd:date', '"2024"^^xsd:gYear', '"40"^^xsd:nonNegativeInteger', '"12"^^xsd:nonNegativeInteger'),
    ('"2025-05-01"^^xsd:date', '"2024"^^xsd:gYear', '"40"^^xsd:nonNegativeInteger', '"12"^^xsd:nonNegativeInteger'),
]


def test_values_that_sparql_cannot_compare_give_the_same_report(kg_files, tmp_path):
    """Ill-typed and mixed-type values, on IRIs and on blank nodes (whose lexical copies and focus
    marks go into the store as nodes, not as text)."""
    valid = (FIXTURES / "shapes" / "valid-activity.ttl").read_text(encoding="utf-8")
    head, body = valid.split("id:fixture-course\n")
    activities = []
    for i, (start, end, participants, countries) in enumerate(_ODD_VALUES):
        odd = (body.replace('"2025-03-10"^^xsd:date', start).replace('"2025-03-11"^^xsd:date', end)
               .replace('"40"^^xsd:nonNegativeInteger', participants)
               .replace('"12"^^xsd:nonNegativeInteger', countries))
        assert all(v in odd for v in (start, end, participants, countries))
        activities.append(f"id:odd-course-{i}\n{odd}")
        activities.append("[\n" + odd.rstrip().rstrip(".") + " ] .\n")
    path = tmp_path / "odd-values.ttl"
    path.write_text(head + "\n".join(activities), encoding="utf-8")
    quads = [q for p in [*kg_files, path] for q in read_quads(p)]
    report = _differential(quads, [*kg_files, path])
    on_blank = {r.component for r in report.results if r.focus == "[]"}  # how the report shows a blank node
    assert {"sh:SPARQLConstraintComponent", "sh:DatatypeConstraintComponent",
            "sh:MaxInclusiveConstraintComponent", "sh:MinInclusiveConstraintComponent"} <= on_blank
    # dates out of order: a date after its end year is, a date within it is not, a value of another type is
    # the datatype shape's (rdflib alone would call 2025-03-10T09:00 after 2025-03-11)
    in_order = {r.focus for r in report.results if r.shape.endswith("DatesInOrderShape")}
    assert in_order == {"[]", "id:odd-course-0", "id:odd-course-6"}


def test_values_read_whole_or_node_by_node_give_the_same_report(small_synthetic, monkeypatch):
    """The compiler reads a property's values in one pass where the focus set is large for it
    (Compiler.read_whole): either way, the same results."""
    import rdflib

    from tvetkg import shacl_sparql

    quads, files = _quads(small_synthetic)
    reports, queries = [], []
    compile_checks = shacl_sparql.Compiler.checks

    def noted_checks(self):
        found = compile_checks(self)
        queries.append(sorted(c.query for c in found))
        return found

    monkeypatch.setattr(shacl_sparql.Compiler, "checks", noted_checks)
    for whole in (False, True):
        monkeypatch.setattr(shacl_sparql.Compiler, "read_whole",
                            lambda self, targets, path, whole=whole: whole and isinstance(path, rdflib.URIRef))
        reports.append(validate_quads(quads, paths.ontology_file(), files=files))
    assert queries[1] != queries[3], "the two ways were compiled the same"
    assert reports[0].results and _results(reports[0]) == _results(reports[1])
