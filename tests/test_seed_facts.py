"""The graph holds the seed documents' facts exactly: one row of data/seed-activities.csv per activity."""

import csv

import pytest

from conftest import DATA
from tvetkg.namespaces import ID, TVET

ROWS = list(csv.DictReader((DATA / "seed-activities.csv").open(encoding="utf-8")))


SEEDS = f"<{ID}source-oic-vet-progress-report-2024> <{ID}source-sesric-unevoc-meeting-2024> <{ID}source-reference-data>"


def _values(graph, subject, prop):
    """What the seed documents (and the reference data) state; the web pages' graphs are checked by
    test_harvest.py."""
    query = f"SELECT DISTINCT ?v WHERE {{ VALUES ?g {{ {SEEDS} }} GRAPH ?g {{ <{ID}{subject}> <{TVET}{prop}> ?v }} }}"
    return {s["v"].value for s in graph.store.query(query)}


def _ids(cell):
    return {ID + x for x in cell.split("|") if x}


def test_every_activity_of_the_seed_documents_is_in_the_table(graph):
    query = f"""SELECT DISTINCT ?a WHERE {{ VALUES ?g {{ {SEEDS} }} GRAPH ?g {{ ?a a ?t }}
        ?t <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ <{TVET}Activity> }}"""
    in_graph = {s["a"].value for s in graph.query(query)}
    assert in_graph == {ID + row["activity"] for row in ROWS}


@pytest.mark.parametrize("row", ROWS, ids=[r["activity"] for r in ROWS])
def test_activity_facts(graph, row):
    a = row["activity"]
    types = {s["t"].value for s in graph.store.query(
        f"SELECT ?t WHERE {{ VALUES ?g {{ {SEEDS} }} GRAPH ?g {{ <{ID}{a}> a ?t }} }}")}
    assert types == {TVET + row["type"]}
    assert _values(graph, a, "startDate") == {row["start"]}
    assert _values(graph, a, "endDate") == ({row["end"]} if row["end"] else set())
    assert _values(graph, a, "participantCount") == ({row["participants"]} if row["participants"] else set())
    assert _values(graph, a, "countryCount") == ({row["countries"]} if row["countries"] else set())
    areas = {ID + f"cooperation-area-{row['area']}"} if row["area"] else set()
    assert _values(graph, a, "cooperationArea") == areas
    assert _values(graph, a, "organiser") == _ids(row["organisers"])
    assert _values(graph, a, "partner") == _ids(row["partners"])
    assert _values(graph, a, "contentProvider") == _ids(row["content_providers"])
    assert _values(graph, a, "funder") == _ids(row["funders"])
    assert _values(graph, a, "modality") == ({TVET + row["modality"]} if row["modality"] else set())
    assert _values(graph, a, "status") == ({TVET + row["status"]} if row["status"] else set())
    assert row["locator"] in _values(graph, a, "sourceLocator")


def test_sub_activities_of_item_10_are_part_of_its_project(graph):
    parts = {s["a"].value for s in graph.query(
        f"SELECT ?a WHERE {{ ?a <{TVET}partOf> <{ID}project-empowering-youth-tvet-2024> }}")}
    assert parts == _ids("training-course-tvet-policies-strategies-2024|workshop-tvet-strategies-youth-employment-2024")
    assert _values(graph, "project-empowering-youth-tvet-2024", "programme") == _ids("comcec-project-funding")


def test_organisations_have_their_parents_and_countries(graph):
    expected_parents = {
        "sesric": "oic", "unesco-unevoc": "unesco", "malaysia-moe-tvet-division": "malaysia-ministry-education",
        "indonesia-vocational-education-alignment-directorate": "indonesia-ministry-education-culture-research-technology",
        "turkiye-digital-transformation-office": "turkiye-presidency", "unevoc-network": "unesco-unevoc",
    }
    for org, parent in expected_parents.items():
        assert _values(graph, org, "subOrganisationOf") == _ids(parent), org
    expected_seats = {"sesric": "tur", "iut": "bgd", "kobia": "aze", "jordan-vocational-training-corporation": "jor",
                      "morocco-ministry-economic-inclusion": "mar", "pens": "idn"}
    for org, iso3 in expected_seats.items():
        assert _values(graph, org, "basedIn") == {ID + f"country-{iso3}"}, org


def test_people_of_the_news_item(graph):
    assert _values(graph, "nenden-octavarulia-shanty", "affiliation") == _ids("sesric")
    assert _values(graph, "oliviere-pieume", "affiliation") == _ids("unesco-unevoc")
    assert _values(graph, "sesric-unevoc-meeting-2024", "attendee") == _ids("nenden-octavarulia-shanty|oliviere-pieume")


def test_programmes_and_roadmap(graph):
    acronyms = {s["a"].value for s in graph.query(f"SELECT ?a WHERE {{ ?p a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{TVET}Programme> ; <{TVET}acronym> ?a }}")}
    assert acronyms == {"OIC-VET", "SD-CaB", "DRM-CaB", "PA-CaB", "Environment-CaB", "OSH-CaB", "OIC-OSHNET"}
    assert _values(graph, "oic-vet", "launchedAt") == _ids("comcec-economic-summit-2009")
    assert _values(graph, "oic-vet", "startDate") == {"2009-11-09"}
    notations = {s["n"].value: s["l"].value for s in graph.query(
        "SELECT ?n ?l WHERE { ?a <http://www.w3.org/2004/02/skos/core#inScheme> <https://w3id.org/oic-tvet/id/oic-tvet-roadmap-2020-2025> ; "
        "<http://www.w3.org/2004/02/skos/core#notation> ?n ; <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER (LANG(?l) = 'en') }")}
    assert notations == {
        "1": "Legislative Framework, Governance and Promotion",
        "2": "TVET Teacher Education",
        "3": "Occupational Standards and Qualification & Quality Assurance System",
        "4": "Certification and Modular Training Programs",
    }


def test_the_57_member_states(graph):
    rows = list(graph.query(
        f"SELECT ?c ?a2 ?a3 WHERE {{ ?c <{TVET}memberOf> <{ID}oic> ; <{TVET}iso3166Alpha2> ?a2 ; <{TVET}iso3166Alpha3> ?a3 }}"))
    assert len(rows) == 57
    assert {r["a2"].value for r in rows} >= {"TR", "MA", "JO", "MY", "ID", "AZ", "BD", "SA", "PS", "UG", "GY", "SR"}
    assert not {r["a2"].value for r in rows} & {"DE", "FR"}


def test_the_reports_numbered_items_are_one_triple_pattern(graph):
    """`?a tvet:reportItem ?n` gives each resource the item numbers its locator in the report names."""
    import re

    report = f"<{ID}source-oic-vet-progress-report-2024>"
    located = {}
    for s in graph.store.query(f"SELECT ?a ?l WHERE {{ GRAPH {report} {{ ?a <{TVET}sourceLocator> ?l }} }}"):
        for number in re.findall(r"\bitem (\d+)", s["l"].value):
            located.setdefault(s["a"].value, set()).add(number)
    items = {}
    for s in graph.query(f"SELECT ?a ?n WHERE {{ ?a tvet:reportItem ?n }}"):
        items.setdefault(s["a"].value, set()).add(s["n"].value)
    assert items == located
    assert {n for found in items.values() for n in found} == {str(n) for n in range(1, 13)}
    sub_activities = [a for a, found in items.items() if found == {"10"}]
    assert len(sub_activities) >= 3  # item 10 reports three activities
    from tvetkg import paths
    from tvetkg.load import read_quads

    written = [q for q in read_quads(paths.kg_dir() / "oic-vet-progress-report-2024.trig")
               if q.predicate.value == f"{TVET}reportItem"]
    assert written and all(q.object.datatype.value.endswith("#positiveInteger") for q in written)
