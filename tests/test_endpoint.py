"""`tvetkg query --endpoint`: the same rows from a real SPARQL 1.1 server as from the embedded store."""

import pytest

from servers import comparable_rows as _rows, oxigraph_server, upload_trig
from tvetkg.build import _write_merged
from tvetkg.catalogue import catalogue
from tvetkg.errors import TvetKgError
from tvetkg.query import run_local, run_remote

pytestmark = pytest.mark.server
QUERIES = catalogue()


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory, graph):
    tmp = tmp_path_factory.mktemp("oxigraph")
    _write_merged(tmp / "graph.trig", graph)
    with oxigraph_server(tmp) as base:
        upload_trig(base, tmp / "graph.trig")
        yield base + "/query"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_catalogue_query_gives_the_same_rows_remotely(graph, endpoint, name):
    text = QUERIES[name].bind({})
    assert _rows(run_remote(endpoint, text)) == _rows(run_local(graph, text))


def test_cli_against_the_endpoint(cli, endpoint):
    code, out, _ = cli("query", "coverage-by-area", "--endpoint", endpoint, "--format", "csv")
    assert code == 0
    assert out.splitlines()[1].startswith("1,")


def test_construct_remotely(graph, endpoint):
    text = "CONSTRUCT { ?a ?p ?o } WHERE { VALUES ?a { <https://w3id.org/oic-tvet/id/tot-cybersecurity-2024> } ?a ?p ?o }"
    remote = set(run_remote(endpoint, text).ntriples.splitlines())
    local = set(run_local(graph, text).ntriples.splitlines())
    assert remote == local and len(local) > 10


def test_the_predeclared_prefixes_reach_a_server_that_does_not_know_them(graph, endpoint):
    text = "SELECT DISTINCT ?a WHERE { ?a tvet:modality tvet:Online ; rdfs:label ?l FILTER (LANG(?l) = 'en') } ORDER BY ?a"
    remote = _rows(run_remote(endpoint, text))
    assert remote == _rows(run_local(graph, text)) and len(remote) > 5
    with pytest.raises(TvetKgError, match="the prefix nope: is not declared"):
        run_remote(endpoint, "SELECT * WHERE { ?a nope:x ?b }")


def test_a_parameter_naming_nothing_on_the_endpoint_is_refused(cli, endpoint):
    code, _, err = cli("query", "partners-of", "--param", "org=unesco-unevo", "--endpoint", endpoint)
    assert code == 2 and "id:unesco-unevo names nothing in the graph. Did you mean: id:unesco-unevoc" in err


def test_an_endpoint_error_is_reported(endpoint):
    with pytest.raises(TvetKgError, match="SPARQL syntax error"):
        run_remote(endpoint, "SELECT * WHERE { ?s ?p }")
    with pytest.raises(TvetKgError, match="HTTP 404|refused the query"):
        run_remote(endpoint.replace("/query", "/nowhere"), "SELECT * WHERE { ?s ?p ?o } LIMIT 1")


def test_the_network_from_the_endpoint_equals_the_local_one(graph, endpoint):
    from tvetkg.network import Filters, build_network, fetch

    local = build_network("organisations", *fetch(lambda q: run_local(graph, q), Filters()))
    remote = build_network("organisations", *fetch(lambda q: run_remote(endpoint, q), Filters()))
    assert {(u, v, d["weight"]) for u, v, d in local.edges(data=True)} == \
        {(u, v, d["weight"]) for u, v, d in remote.edges(data=True)}


def test_chart_from_the_endpoint_is_the_chart_of_the_embedded_store(cli, endpoint, tmp_path):
    assert cli("chart", "coverage-by-year", "--format", "svg", "--out", str(tmp_path / "local"))[0] == 0
    assert cli("chart", "coverage-by-year", "--format", "svg", "--out", str(tmp_path / "remote"), "--endpoint", endpoint)[0] == 0
    local = (tmp_path / "local" / "coverage-by-year.svg").read_bytes()
    assert (tmp_path / "remote" / "coverage-by-year.svg").read_bytes() == local
