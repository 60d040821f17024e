"""The facts of SESRIC's web pages (kg/pages/): each row of data/harvested-activities.csv is what one page
states of one activity, checked in that page's own named graph; every disagreement between pages is
listed by the `conflicts` query with the accepted source; no event is recorded twice; the project's
translations stay apart from the pages' words."""

import csv
from collections import defaultdict

import pytest

from conftest import DATA, ROOT
from tvetkg.catalogue import catalogue
from tvetkg.namespaces import ID, NOTES_GRAPH, TRANSLATIONS_GRAPH, TVET
from tvetkg.query import run_local

ROWS = list(csv.DictReader((DATA / "harvested-activities.csv").open(encoding="utf-8")))
CONFLICTS = list(csv.DictReader((DATA / "harvested-conflicts.csv").open(encoding="utf-8")))
SEED_SOURCES = {ID + "source-oic-vet-progress-report-2024", ID + "source-sesric-unevoc-meeting-2024"}
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


def _in_graph(graph, source, subject, prop):
    query = f"SELECT DISTINCT ?v WHERE {{ GRAPH <{ID}{source}> {{ <{ID}{subject}> <{TVET}{prop}> ?v }} }}"
    return {s["v"].value for s in graph.store.query(query)}


def _ids(cell, prefix=""):
    return {ID + prefix + x for x in cell.split("|") if x}


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['activity']}@{r['source'].removeprefix('source-')}" for r in ROWS])
def test_what_each_page_states_is_in_its_graph(graph, row):
    a, src = row["activity"], row["source"]
    types = {s["t"].value for s in graph.store.query(
        f"SELECT ?t WHERE {{ GRAPH <{ID}{src}> {{ <{ID}{a}> a ?t }} }}")}
    assert types == {TVET + row["type"]}
    assert _in_graph(graph, src, a, "startDate") == ({row["start"]} if row["start"] else set())
    assert _in_graph(graph, src, a, "endDate") == ({row["end"]} if row["end"] else set())
    assert _in_graph(graph, src, a, "participantCount") == ({row["participants"]} if row["participants"] else set())
    assert _in_graph(graph, src, a, "countryCount") == ({row["countries"]} if row["countries"] else set())
    for column, prop in (("organisers", "organiser"), ("partners", "partner"), ("content_providers", "contentProvider"),
                         ("funders", "funder")):
        assert _in_graph(graph, src, a, prop) == _ids(row[column]), column
    assert _in_graph(graph, src, a, "participatingCountry") == _ids(row["participating_countries"], "country-")
    assert _in_graph(graph, src, a, "modality") == ({TVET + row["modality"]} if row["modality"] else set())
    assert _in_graph(graph, src, a, "status") == ({TVET + row["status"]} if row["status"] else set())
    assert _in_graph(graph, src, a, "venueCountry") == ({ID + "country-" + row["venue_country"]} if row["venue_country"] else set())
    assert _in_graph(graph, src, a, "source") == {ID + src}
    assert row["locator"] in _in_graph(graph, src, a, "sourceLocator")


def test_every_page_source_is_a_document_with_its_address_and_the_day_it_was_read(graph):
    rows = run_local(graph, f"""SELECT ?doc (COUNT(?url) AS ?urls) (SAMPLE(?read) AS ?day) (SAMPLE(?title) AS ?t)
        WHERE {{ GRAPH ?doc {{ ?doc a <{TVET}SourceDocument> ; <https://schema.org/url> ?url .
                 OPTIONAL {{ ?doc <{TVET}retrievedOn> ?read }} OPTIONAL {{ ?doc <http://purl.org/dc/terms/title> ?title }} }} }}
        GROUP BY ?doc""").rows()
    assert len(rows) == len({r["source"] for r in ROWS}) == len(list((ROOT / "kg" / "pages").glob("*.trig")))
    for row in rows:
        assert row["urls"]["value"] == "1" and row["day"]["value"] == "2026-12-01" and row.get("t"), row["doc"]["value"]


def test_sources_csv_lists_every_page_used_and_why_the_others_are_not(graph):
    listed = list(csv.DictReader((ROOT / "kg" / "sources.csv").open(encoding="utf-8")))
    used = {r["url"]: r["graph"] for r in listed if r["used"] == "yes"}
    urls = {s["u"].value: s["doc"].value for s in graph.store.query(
        "SELECT ?doc ?u WHERE { GRAPH ?doc { ?doc <https://schema.org/url> ?u } }")}
    assert {u: "id:" + d.removeprefix(ID) for u, d in urls.items()} == used
    assert all(r["why_not"] for r in listed if r["used"] == "no")
    assert len({r["url"] for r in listed}) == len(listed)


def test_forty_activities_of_2009_2024_beyond_the_seeds_fifteen_with_their_countries_named(graph):
    rows = run_local(graph, f"""SELECT ?a (MIN(STR(?start)) AS ?first) (COUNT(DISTINCT ?c) AS ?countries) WHERE {{
        GRAPH ?g {{ ?a a ?t ; <{TVET}source> ?g }} ?t <{RDFS}subClassOf>+ <{TVET}Activity> .
        OPTIONAL {{ ?a <{TVET}startDate> ?start }} OPTIONAL {{ ?a <{TVET}participatingCountry> ?c }}
        FILTER NOT EXISTS {{ GRAPH ?seed {{ ?a a ?t2 }} FILTER (?seed IN (<{'>, <'.join(SEED_SOURCES)}>)) }}
    }} GROUP BY ?a""").rows()
    dated = [r for r in rows if "2009" <= r.get("first", {}).get("value", "0")[:4] <= "2024"]
    assert len(dated) >= 40, len(dated)
    assert sum(1 for r in dated if int(r["countries"]["value"]) > 0) >= 15


def test_every_disagreement_is_listed_by_conflicts_with_the_accepted_source(graph):
    found = defaultdict(set)
    accepted = {}
    for row in run_local(graph, catalogue()["conflicts"].bind({})).rows():
        key = (row["activity"]["value"].removeprefix(ID), "tvet:" + row["property"]["value"].removeprefix(TVET))
        found[key] |= {row["source1"]["value"], row["source2"]["value"]}
        accepted[key] = row["accepted"]["value"]
    expected = {(c["activity"], c["property"]): c for c in CONFLICTS}
    assert set(found) == set(expected)
    for key, conflict in expected.items():
        sources = {ID + s.strip() for part in conflict["values"].split(" | ")
                   for s in part.split(" (", 1)[1].rstrip(")").split(",")}
        assert found[key] == sources, key
        first = conflict["values"].split(" (", 1)[1].split(",")[0].split(")")[0].strip()
        assert accepted[key] == ID + first, key  # the rule of kg/README.md, first in the table


def test_no_event_is_recorded_twice(graph):
    rows = run_local(graph, f"""SELECT ?id (COUNT(DISTINCT ?a) AS ?activities) WHERE {{
        ?a <{TVET}sesricEventId> ?id . ?a a ?t . ?t <{RDFS}subClassOf>+ <{TVET}Activity> }} GROUP BY ?id""").rows()
    assert rows and all(r["activities"]["value"] == "1" for r in rows), [r for r in rows if r["activities"]["value"] != "1"]
    twins = run_local(graph, f"""SELECT ?a ?b WHERE {{ ?a <{TVET}startDate> ?d ; <{RDFS}label> ?l .
        ?b <{TVET}startDate> ?d ; <{RDFS}label> ?l . FILTER (STR(?a) < STR(?b)) }}""").rows()
    assert twins == []


def test_report_items_that_have_a_page_carry_both_sources(graph):
    rows = run_local(graph, f"""SELECT DISTINCT ?a ?page WHERE {{
        GRAPH <{ID}source-oic-vet-progress-report-2024> {{ ?a <{TVET}source> ?report }}
        GRAPH ?page {{ ?a <{TVET}source> ?page . ?page <https://schema.org/url> ?url }} }}""").rows()
    items = {r["a"]["value"].removeprefix(ID) for r in rows}
    assert {"training-workshop-formal-non-formal-tvet-2023", "training-course-green-skills-2024",
            "webinar-public-private-cooperation-2024", "webinar-vocational-education-business-industry-2024",
            "training-course-tvet-policies-strategies-2024", "workshop-tvet-strategies-youth-employment-2024"} <= items


def test_the_projects_translations_are_apart_from_the_pages_words(graph):
    """A page's graph holds text in its own language only; a translation of the project's is in its own
    graph, only for a language no page of the resource gives."""
    wrong = run_local(graph, """SELECT ?g ?s ?o WHERE { GRAPH ?g { ?g <https://schema.org/url> ?u . ?s ?p ?o
        FILTER (isLiteral(?o) && LANG(?o) != "")
        FILTER NOT EXISTS { ?g <http://purl.org/dc/terms/language> ?lang FILTER (LANG(?o) = ?lang) } } }""").rows()
    assert wrong == []
    both = run_local(graph, f"""SELECT ?s ?o WHERE {{ GRAPH <{TRANSLATIONS_GRAPH}> {{ ?s <{RDFS}label> ?o }}
        GRAPH ?page {{ ?s <{RDFS}label> ?mine . ?page <https://schema.org/url> ?u }} FILTER (LANG(?o) = LANG(?mine)) }}""").rows()
    assert both == []
    for graph_iri in (TRANSLATIONS_GRAPH, NOTES_GRAPH):
        assert run_local(graph, f"ASK {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}").rows()[0]["boolean"]["value"] == "true"
