"""Results written straight from the store equal those through SPARQL JSON, and their rows are counted right."""

import pyoxigraph as ox
import pytest

from tvetkg.catalogue import catalogue
from tvetkg.errors import TvetKgError
from tvetkg.query import RESULT_FORMATS, count_csv_rows, run_local, serialize_local
from tvetkg.store import Graph


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_catalogue_query_as_csv_equals_its_json_converted(graph, name):
    text = catalogue()[name].bind({})
    results = run_local(graph, text)
    table = serialize_local(graph, text, "csv")
    assert table == results.serialize("csv")
    assert count_csv_rows(table) == len(results.rows())


ODD = [
    "plain",
    "a, comma",
    'a "quoted" word',
    "two\nlines",
    "windows\r\nline end",
    '"\n"',
    "",
    "x" * 200_000,  # over the csv module's field limit
    'ends with a quote"',
    "\n\n\n",
]


@pytest.fixture()
def odd_graph(tmp_path):
    store = ox.Store()
    subject = ox.NamedNode("https://example.org/s")
    for number, text in enumerate(ODD):
        store.add(ox.Quad(ox.NamedNode(f"https://example.org/s{number}"), ox.NamedNode("https://example.org/p"),
                          ox.Literal(text)))
    store.add(ox.Quad(subject, ox.NamedNode("https://example.org/q"), ox.Literal("y")))
    return Graph(store=store, ontology=tmp_path / "none.ttl", files=[])


@pytest.mark.parametrize("fmt", sorted(RESULT_FORMATS))
def test_odd_values_give_the_same_results_either_way(odd_graph, fmt):
    text = "SELECT ?s ?o ?missing WHERE { ?s <https://example.org/p> ?o } ORDER BY ?s"
    assert serialize_local(odd_graph, text, fmt) == run_local(odd_graph, text).serialize(fmt)


@pytest.mark.parametrize("count", range(len(ODD) + 1))
def test_rows_with_line_breaks_quotes_and_long_values_are_counted(odd_graph, count):
    text = f"SELECT ?o ?s WHERE {{ ?s <https://example.org/p> ?o }} ORDER BY ?s LIMIT {count}"
    table = serialize_local(odd_graph, text, "csv")
    assert count_csv_rows(table) == count == len(run_local(odd_graph, text).rows())


def test_a_last_row_without_its_line_end_is_counted():
    assert count_csv_rows(b'a,b\r\n1,"x\r\ny"') == 1
    assert count_csv_rows(b"a,b\r\n") == 0
    assert count_csv_rows(b"") == 0


def test_a_construct_is_written_as_n_triples(odd_graph):
    text = "CONSTRUCT { ?s <https://example.org/r> ?o } WHERE { ?s <https://example.org/q> ?o }"
    assert serialize_local(odd_graph, text, "csv") == \
        b"<https://example.org/s> <https://example.org/r> \"y\" .\n"


def test_a_syntax_error_is_named(odd_graph):
    with pytest.raises(TvetKgError, match="SPARQL syntax error"):
        serialize_local(odd_graph, "SELECT WHERE {", "csv")
