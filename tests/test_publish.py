"""`tvetkg publish` to a real Oxigraph server: same rows as the embedded store, and atomic for readers."""

import pytest

from servers import auth_proxy, comparable_rows as _rows, free_port, oxigraph_server
from tvetkg.catalogue import catalogue
from tvetkg.publish import PublishError, Server, publish
from tvetkg.query import run_local, run_remote

pytestmark = pytest.mark.server
QUERIES = catalogue()
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"


def _count(url):
    return int(run_remote(url, COUNT_ALL).rows()[0]["n"]["value"])


def _graphs(url):
    return [r["g"]["value"] for r in run_remote(url, GRAPHS).rows()]



@pytest.fixture(scope="module")
def published(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("publish")
    with oxigraph_server(tmp) as base:
        publish(Server.from_endpoint(base + "/query"))
        yield base + "/query"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_catalogue_query_gives_the_same_rows_after_publishing(graph, published, name):
    text = QUERIES[name].bind({})
    assert _rows(run_remote(published, text)) == _rows(run_local(graph, text))


def test_one_graph_per_source_and_no_staging_graph_left(published):
    graphs = _graphs(published)
    assert "https://w3id.org/oic-tvet/id/source-oic-vet-progress-report-2024" in graphs
    assert "https://w3id.org/oic-tvet/ontology" in graphs
    assert not [g for g in graphs if g.startswith("urn:tvetkg:staging")]


def test_republishing_replaces_the_graph(tmp_path, kg_copy, cli):
    with oxigraph_server(tmp_path) as base:
        url = base + "/query"
        assert cli("publish", "--endpoint", url)[0] == 0
        before = _count(url)
        (kg_copy / "oic-tvet-roadmap.trig").write_text(
            (kg_copy / "oic-tvet-roadmap.trig").read_text().replace(
                'tvet:sourceLocator "cooperation area 4" .',
                'tvet:sourceLocator "cooperation area 4" ; skos:altLabel "Area 4"@en .'))
        code, out, _ = cli("publish", "--endpoint", url, "--kg", kg_copy)
        assert code == 0 and "published" in out
        assert _count(url) == before + 1
        assert not [g for g in _graphs(url) if g.startswith("urn:tvetkg:staging")]


def test_publishing_into_one_graph_with_sparql_update_only(tmp_path):
    with oxigraph_server(tmp_path) as base:
        url = base + "/query"
        server = Server.from_endpoint(url, use_store=False)
        result = publish(server, graph="https://example.org/graphs/tvet")
        assert _graphs(url) == ["https://example.org/graphs/tvet"]
        assert _count(url) == result.graphs["https://example.org/graphs/tvet"]


def test_a_server_that_stops_leaves_the_previous_graph(tmp_path):
    location, port = tmp_path / "data", free_port()
    with oxigraph_server(tmp_path, location, port) as base:
        publish(Server.from_endpoint(base + "/query"))
        before = _count(base + "/query")
    with pytest.raises(PublishError, match="step 'upload'.*cannot reach the server.*unchanged") as failure:
        publish(Server.from_endpoint(f"http://127.0.0.1:{port}/query"))
    assert failure.value.step == "upload"
    with oxigraph_server(tmp_path, location, port) as base:
        assert _count(base + "/query") == before
        assert not [g for g in _graphs(base + "/query") if g.startswith("urn:tvetkg:staging")]


def test_wrong_credentials_leave_the_previous_graph(tmp_path, cli):
    with oxigraph_server(tmp_path) as base:
        with auth_proxy(tmp_path, base, "editor", "s3cret") as proxy:
            good = Server.from_endpoint(proxy + "/query", user="editor", password="s3cret")
            publish(good)
            before = _count(base + "/query")
            code, _, err = cli("publish", "--endpoint", proxy + "/query", "--user", "editor",
                               env={"TVETKG_PASSWORD": "wrong"})
            assert code == 2
            assert "step 'upload'" in err and "refused the credentials" in err and "unchanged" in err
            assert _count(base + "/query") == before


def test_a_corrupted_file_sends_nothing(tmp_path, kg_copy, cli):
    with oxigraph_server(tmp_path) as base:
        url = base + "/query"
        publish(Server.from_endpoint(url))
        before = _graphs(url), _count(url)
        (kg_copy / "oic-vet-progress-report-2024.trig").write_text("id:x { <a> <b> ", encoding="utf-8")
        code, _, err = cli("publish", "--endpoint", url, "--kg", kg_copy)
        assert code == 2 and "oic-vet-progress-report-2024.trig:1:" in err
        assert (_graphs(url), _count(url)) == before


def test_blank_nodes_survive_chunked_sparql_update(tmp_path, monkeypatch):
    """Regression: a blank node's label holds only within one request (SPARQL 1.1 Update,
    3.1.1), so OWL lists split across INSERT DATA chunks arrive broken on servers that
    follow the spec. Oxigraph keeps labels across requests, so the test records the
    requests it sends to the real server and checks each label travels in one of them."""
    import re
    from collections import defaultdict

    import rdflib
    from rdflib.compare import isomorphic

    from tvetkg import paths, publish as publishing

    monkeypatch.setattr(publishing, "CHUNK", 7)  # small enough to cut through OWL lists
    sent = []
    original = Server.update
    monkeypatch.setattr(Server, "update", lambda self, sparql: (sent.append(sparql), original(self, sparql))[1])
    with oxigraph_server(tmp_path) as base:
        url = base + "/query"
        publish(Server.from_endpoint(url, use_store=False))
        requests_per_label = defaultdict(set)
        for number, sparql in enumerate(sent):
            for label in re.findall(r"_:\w+", sparql):
                requests_per_label[label].add(number)
        assert requests_per_label and all(len(n) == 1 for n in requests_per_label.values())
        served = run_remote(url, "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/oic-tvet/ontology> { ?s ?p ?o } }")
        remote = rdflib.Graph().parse(data=served.ntriples, format="nt")
        assert isomorphic(remote, rdflib.Graph().parse(paths.ontology_file()))
