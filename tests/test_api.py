"""The Python API for notebooks: `tvetkg.open`, `query` as dicts of Python values and DataFrames,
`network` as networkx, `validate`; the command line gives the same answers through it."""

import datetime as dt
from decimal import Decimal

import networkx as nx
import pytest

import tvetkg
from tvetkg.api import python_value
from tvetkg.catalogue import catalogue
from tvetkg.errors import TvetKgError
from tvetkg.query import run_local

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def kg():
    return tvetkg.open()


def test_a_catalogue_query_iterates_as_dicts_of_python_values(kg, graph):
    rows = list(kg.query("partners-of", org="unesco-unevoc"))
    raw = run_local(graph, catalogue()["partners-of"].bind({"org": "unesco-unevoc"})).rows()
    assert len(rows) == len(raw) >= 5
    assert [r["partner"] for r in rows] == [r["partner"]["value"] for r in raw]
    assert all(isinstance(r["shared"], int) for r in rows)
    assert rows[0]["shared"] == int(raw[0]["shared"]["value"])


def test_dates_counts_and_unbound_values_become_python_values(kg):
    rows = list(kg.query("timeline", **{"from": "2009-01-01", "to": "2024-12-31"}))
    assert len(rows) >= 60
    starts = {type(r["start"]) for r in rows}
    assert dt.date in starts and int in starts  # a full date, and a year alone (xsd:gYear)
    assert any(r["status"] is None for r in rows)  # unbound
    by_area = {r["notation"]: r for r in kg.query("coverage-by-area")}
    assert by_area["1"]["participants"] == 169 and isinstance(by_area["1"]["activities"], int)


def test_to_pandas_gives_one_column_per_variable(kg):
    frame = kg.query("coverage-by-type").to_pandas()
    rows = list(kg.query("coverage-by-type"))
    assert list(frame.columns) == kg.query("coverage-by-type").variables
    assert len(frame) == len(rows) and frame["activities"].sum() == sum(r["activities"] for r in rows)
    # a sum nobody gives is missing, not 0
    visits = frame[frame["type"].str.endswith("#Visit")]
    assert visits["participants"].isna().all()


def test_sparql_text_with_predeclared_prefixes_and_bound_terms(kg):
    rows = list(kg.query("SELECT ?label WHERE { ?org rdfs:label ?label FILTER (LANG(?label) = 'en') }", org="id:sesric"))
    assert rows == [{"label": "Statistical, Economic and Social Research and Training Centre for Islamic Countries"}]
    assert kg.query("ASK { id:sesric a/rdfs:subClassOf* tvet:Organisation }").boolean is True
    assert not kg.query("ASK { id:sesric a tvet:Country }")
    triples = kg.query("CONSTRUCT { id:sesric ?p ?o } WHERE { id:sesric ?p ?o }").ntriples
    assert triples.count("\n") >= 5


@pytest.mark.parametrize("call, message", [
    (lambda kg: kg.query("partner-of"), "unknown query 'partner-of'. Did you mean: partners-of"),
    (lambda kg: kg.query("partners-of", org="unesco-unevo"), "Did you mean: id:unesco-unevoc"),
    (lambda kg: kg.query("coverage-by-type", lang="de"), "is not one of ar, en, fr"),
    (lambda kg: kg.query("SELECT * WHERE { ?s nope:p ?o }"), "the prefix nope: is not declared"),
    (lambda kg: kg.network("friends"), "network kind 'friends'"),
    (lambda kg: list(kg.query("ASK { ?s ?p ?o }")), "an ASK answer is a boolean"),
])
def test_bad_input_is_a_clear_error(kg, call, message):
    with pytest.raises(TvetKgError, match=message):
        call(kg)


def test_the_network_is_the_command_lines(kg, graph, cli, tmp_path):
    from tvetkg.network import Filters, build_network, fetch

    network = kg.network("organisations", since="2020-01-01")
    assert isinstance(network, nx.Graph) and network.number_of_nodes() > 20
    expected = build_network("organisations", *fetch(lambda q: run_local(graph, q), Filters(since="2020-01-01")))
    assert set(network.nodes) == set(expected.nodes) and set(network.edges) == set(expected.edges)
    code, out, _ = cli("network", "--kind", "organisations", "--since", "2020-01-01", "--format", "graphml",
                       "--out", tmp_path)
    assert code == 0 and set(nx.read_graphml(tmp_path / "organisations.graphml").nodes) == set(network.nodes)


def test_validate_gives_the_report(kg):
    report = kg.validate()
    assert report.conforms and report.results == []


def test_a_folder_of_ones_own(tmp_path):
    (tmp_path / "mine.ttl").write_text(
        '<https://w3id.org/oic-tvet/id/x> a <https://w3id.org/oic-tvet/ontology#Workshop> .\n', encoding="utf-8")
    mine = tvetkg.open(kg=tmp_path)
    assert list(mine.query("SELECT ?a WHERE { ?a a tvet:Workshop }")) == [{"a": "https://w3id.org/oic-tvet/id/x"}]
    assert not mine.validate().conforms  # a workshop without labels, dates or source


@pytest.mark.parametrize("term, value", [
    ({"type": "literal", "value": "12", "datatype": XSD + "nonNegativeInteger"}, 12),
    ({"type": "literal", "value": "2024", "datatype": XSD + "gYear"}, 2024),
    ({"type": "literal", "value": "2024-05-29", "datatype": XSD + "date"}, dt.date(2024, 5, 29)),
    ({"type": "literal", "value": "1.50", "datatype": XSD + "decimal"}, Decimal("1.50")),
    ({"type": "literal", "value": "true", "datatype": XSD + "boolean"}, True),
    ({"type": "literal", "value": "forty", "datatype": XSD + "integer"}, "forty"),  # ill-typed: its text
    ({"type": "literal", "value": "2025-02-30", "datatype": XSD + "date"}, "2025-02-30"),
    ({"type": "literal", "value": "أنقرة", "xml:lang": "ar"}, "أنقرة"),
    ({"type": "uri", "value": "https://w3id.org/oic-tvet/id/sesric"}, "https://w3id.org/oic-tvet/id/sesric"),
    (None, None),
])
def test_python_values(term, value):
    assert python_value(term) == value and type(python_value(term)) is type(value)
