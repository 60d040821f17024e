"""The shapes: the real graph conforms; each broken fixture makes the right shape fire on the right node and path.

Each fixture in fixtures/shapes/ is one new resource added to the real graph,
named `<Shape>-<what-is-wrong>.ttl`; fixtures/shapes/expected.csv holds the
report each must produce (focus node, path, constraint component, severity).
"""

import csv
from collections import defaultdict

import pytest
import rdflib

from conftest import FIXTURES
from tvetkg import paths
from tvetkg.namespaces import shorten
from tvetkg.rdf import dataset, parse_file
from tvetkg.validate import shapes_files, shapes_graph, validate, validate_rdflib

SHAPES = FIXTURES / "shapes"
EXPECTED = defaultdict(set)
for row in csv.DictReader((SHAPES / "expected.csv").open(encoding="utf-8")):
    EXPECTED[row["fixture"]].add((row["focus"], row["path"], row["component"], row["severity"]))


@pytest.fixture(scope="module")
def context(kg_files):
    return dataset(kg_files), parse_file(paths.ontology_file()), shapes_graph(shapes_files())


def _dataset(quads, added: rdflib.Graph) -> rdflib.Dataset:
    """A dataset of `quads` (in their named graphs) and the fixture `added` in its default graph, as a plain
    Turtle file of another organ would come."""
    result = rdflib.Dataset(default_union=True)
    for s, p, o, g in quads:
        result.graph(g.identifier if hasattr(g, "identifier") else g).add((s, p, o))
    for triple in added:
        result.default_context.add(triple) if hasattr(result, "default_context") else result.add(triple)
    return result


def _neighbourhood(data, added, hops=2):
    """The fixture with every statement of the real graph about what it reaches in `hops` steps.

    The shapes look at most two steps from a focus node (a participating country's
    membership, a project's dates), so this gives the same results for the fixture's
    resources as validating the whole graph, in a fraction of the time.
    """
    quads = []
    frontier = set(added.subjects()) | {o for o in added.objects() if isinstance(o, rdflib.URIRef)}
    for _ in range(hops):
        reached = set()
        for node in frontier:
            for quad in data.quads((node, None, None, None)):
                quads.append(quad)
                if isinstance(quad[2], rdflib.URIRef):
                    reached.add(quad[2])
        frontier = reached
    for node in frontier:  # the edge of the neighbourhood: its types, for sh:class
        quads.extend(data.quads((node, rdflib.RDF.type, None, None)))
    return _dataset(quads, added)


def _report(context, fixture, extra=None):
    """The report's results about the fixture's resources and the resources it names."""
    data, ontology, shapes = context
    added = parse_file(SHAPES / f"{fixture}.ttl") + (extra or rdflib.Graph())
    report = validate_rdflib(_neighbourhood(data, added), ontology, shapes)
    named = {shorten(str(n)) for n in set(added.subjects()) | set(added.objects()) if isinstance(n, rdflib.URIRef)}
    report.results = [r for r in report.results if r.focus in named]
    report.conforms = not report.violations
    return report


def test_the_neighbourhood_gives_the_same_report_as_the_whole_graph(context):
    data, ontology, shapes = context
    fixture = "ActivityShape-more-countries-than-count"
    whole = validate_rdflib(_dataset(data.quads((None, None, None, None)), parse_file(SHAPES / f"{fixture}.ttl")),
                            ontology, shapes)
    assert whole.results
    assert {(r.focus, r.path, r.component) for r in whole.results} == {
        (r.focus, r.path, r.component) for r in _report(context, fixture).results}


def test_the_real_graph_conforms_with_no_warning(graph):
    report = validate(graph)
    assert report.conforms
    assert report.results == []


def test_the_valid_fixture_conforms_with_no_warning(context):
    report = _report(context, "valid-activity")
    assert report.results == []


def test_every_fixture_has_expectations():
    fixtures = {p.stem for p in SHAPES.glob("*.ttl")} - {"valid-activity"}
    assert fixtures == set(EXPECTED)


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_broken_fixture_fires_the_right_shape(context, fixture):
    report = _report(context, fixture)
    found = {(r.focus, r.path, r.component, r.severity) for r in report.results}
    assert EXPECTED[fixture] <= found
    violations = {(r.focus, r.path, r.component, r.severity) for r in report.violations}
    assert violations <= EXPECTED[fixture], "violations beyond the expected ones"
    expects_violation = any(sev == "Violation" for *_, sev in EXPECTED[fixture])
    assert report.conforms is not expects_violation
    for result in report.results:
        assert result.message, "every result says how to fix the data"


def test_messages_fill_in_their_figures(context):
    report = _report(context, "ActivityShape-more-countries-than-count")
    (result,) = [r for r in report.violations if r.path == "tvet:participatingCountry"]
    assert "2 participating countries are listed but the country count is 1" in result.message


def test_a_source_that_does_not_state_a_value_silences_the_warning(context):
    declared = rdflib.Graph().parse(data="""@prefix tvet: <https://w3id.org/oic-tvet/ontology#> .
        <https://w3id.org/oic-tvet/id/fixture-course> tvet:notStated tvet:modality .""", format="turtle")
    assert _report(context, "CapacityBuildingActivityShape-missing-modality", declared).results == []


def test_every_shape_says_what_it_checks_and_how_to_fix_it():
    from rdflib.namespace import RDF, RDFS, SH

    shapes = shapes_graph(shapes_files())
    property_shapes = set(shapes.objects(None, SH.property)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    for shape in property_shapes:
        for term in (SH.name, SH.description, SH.severity):
            assert shapes.value(shape, term) is not None, (shape, term)
        messages = list(shapes.objects(shape, SH.message)) + [
            m for c in shapes.objects(shape, SH.sparql) for m in shapes.objects(c, SH.message)]
        assert messages, shape
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        assert shapes.value(shape, RDFS.label) is not None, shape
