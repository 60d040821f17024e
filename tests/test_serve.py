"""`tvetkg serve` against the running server on 127.0.0.1: the SPARQL 1.1 Protocol, linked data, the pages."""

import hashlib
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest

from conftest import activity_count
from servers import comparable_rows, tvetkg_server
from tvetkg.catalogue import catalogue
from tvetkg.load import read_quads
from tvetkg.query import Results, run_local
from tvetkg import paths

pytestmark = pytest.mark.server
QUERIES = catalogue()
ID = "https://w3id.org/oic-tvet/id/"
SELECT = "SELECT ?s ?label WHERE { ?s a <https://w3id.org/oic-tvet/ontology#Webinar> ; " \
         "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?s ?label"
CONSTRUCT = f"CONSTRUCT {{ <{ID}tot-cybersecurity-2024> ?p ?o }} WHERE {{ <{ID}tot-cybersecurity-2024> ?p ?o }}"
# Every statement against every statement, three times over: minutes on the seed graph.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MAX_ROWS = 500


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    with tvetkg_server(tmp, "--workers", "2", "--timeout", "3", "--max-rows", str(MAX_ROWS)) as (url, _):
        yield url


def fetch(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    """(status, headers, body) of a request, whatever its status."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def get(base: str, query: str, accept: str | None = None, **params):
    url = f"{base}/sparql?" + urllib.parse.urlencode({"query": query, **params})
    return fetch(url, headers={"Accept": accept} if accept else {})


def post_form(base: str, query: str, accept: str | None = None):
    return fetch(base + "/sparql", urllib.parse.urlencode({"query": query}).encode(),
                 {"Content-Type": "application/x-www-form-urlencoded", **({"Accept": accept} if accept else {})})


def post_direct(base: str, query: str, accept: str | None = None):
    return fetch(base + "/sparql", query.encode(),
                 {"Content-Type": "application/sparql-query", **({"Accept": accept} if accept else {})})


# The protocol --------------------------------------------------------------------------------------


@pytest.mark.parametrize("send", [get, post_form, post_direct], ids=["GET", "POST form", "POST query"])
def test_every_method_gives_the_same_rows_as_the_store(base, graph, send):
    status, headers, body = send(base, SELECT)
    assert status == 200
    assert headers["Content-Type"].startswith("application/sparql-results+json")
    expected = run_local(graph, SELECT)
    assert comparable_rows(Results(json=body)) == comparable_rows(expected)
    assert len(expected.rows()) >= 3


@pytest.mark.parametrize("media_type, name", [
    ("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"), ("text/tab-separated-values", "tsv"),
])
def test_every_results_format_by_accept_and_by_format(base, graph, media_type, name):
    expected = run_local(graph, SELECT)
    for status, headers, body in (get(base, SELECT, accept=media_type), get(base, SELECT, format=name)):
        assert status == 200
        assert headers["Content-Type"].split(";")[0] == media_type
        if name == "json":
            assert comparable_rows(Results(json=body)) == comparable_rows(expected)
        else:  # byte for byte what `tvetkg query --format NAME` prints
            assert body == expected.serialize(name)


def test_accept_quality_values_choose_the_format(base):
    status, headers, _ = get(base, SELECT, accept="text/csv;q=0.4, application/sparql-results+xml;q=0.9, */*;q=0.1")
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+xml")
    status, headers, _ = get(base, SELECT, accept="application/json")
    assert headers["Content-Type"].startswith("application/sparql-results+json")
    status, _, body = get(base, SELECT, accept="image/png")
    assert status == 406 and b"text/csv" in body
    status, _, body = get(base, SELECT, accept="text/turtle")  # a format for the other form of query
    assert status == 406 and b"SELECT and ASK" in body
    status, _, body = get(base, CONSTRUCT, format="csv")
    assert status == 406 and b"CONSTRUCT and DESCRIBE" in body


@pytest.mark.parametrize("media_type, rdf_format", [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD), ("application/rdf+xml", ox.RdfFormat.RDF_XML),
])
@pytest.mark.parametrize("query", [CONSTRUCT, f"DESCRIBE <{ID}tot-cybersecurity-2024>"], ids=["CONSTRUCT", "DESCRIBE"])
def test_graph_results_in_every_rdf_format(base, graph, media_type, rdf_format, query):
    status, headers, body = get(base, query, accept=media_type)
    assert status == 200 and headers["Content-Type"].split(";")[0] == media_type
    served = set(ox.parse(body, format=rdf_format))
    expected = set(ox.parse(run_local(graph, query).ntriples.encode(), format=ox.RdfFormat.N_TRIPLES))
    assert served == expected and len(expected) > 10


def test_ask(base):
    status, _, body = get(base, f"ASK {{ <{ID}sesric> ?p ?o }}")
    assert status == 200 and json.loads(body)["boolean"] is True
    assert json.loads(get(base, f"ASK {{ <{ID}nobody> ?p ?o }}")[2])["boolean"] is False


def test_default_and_named_graph_parameters(base, graph):
    source = ID + "source-sesric-unevoc-meeting-2024"
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    status, _, body = get(base, query, **{"default-graph-uri": source})
    expected = run_local(graph, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{source}> {{ ?s ?p ?o }} }}").rows()
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == expected[0]["n"]["value"]
    status, _, body = get(base, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": source})
    assert [b["g"]["value"] for b in json.loads(body)["results"]["bindings"]] == [source]


def test_a_syntax_error_is_400_with_its_place(base):
    status, _, body = get(base, "SELECT * WHERE { ?s ?p }")
    assert status == 400 and b"SPARQL syntax error: line 1, column 25 (the end of the text): expected" in body
    status, _, body = get(base, "SELECT * WHERE { ?s foo:p ?o }")
    assert status == 400 and b"line 1, column 21: the prefix foo: is not declared" in body


def test_the_prefixes_are_predeclared_and_a_querys_own_wins(base, graph):
    declared = "PREFIX tvet: <https://w3id.org/oic-tvet/ontology#>\n"
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?a tvet:modality tvet:Online ; rdfs:label ?l }"
    status, _, body = get(base, text, accept="application/sparql-results+json")
    expected = run_local(graph, declared + text.replace("rdfs:label", "<http://www.w3.org/2000/01/rdf-schema#label>"))
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"] == expected.rows()[0]["n"]
    assert int(expected.rows()[0]["n"]["value"]) > 0
    status, _, body = get(base, "PREFIX tvet: <http://example.org/elsewhere#>\n" + text,
                          accept="application/sparql-results+json")
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == "0"


@pytest.mark.parametrize("request_kind", ["update parameter", "update body", "update as query"])
def test_updates_are_refused_with_403_and_change_nothing(base, request_kind):
    update = f"INSERT DATA {{ <{ID}intruder> <http://www.w3.org/2000/01/rdf-schema#label> \"x\" }}"
    if request_kind == "update parameter":
        status, _, body = fetch(base + "/sparql", urllib.parse.urlencode({"update": update}).encode(),
                                {"Content-Type": "application/x-www-form-urlencoded"})
    elif request_kind == "update body":
        status, _, body = fetch(base + "/sparql", update.encode(), {"Content-Type": "application/sparql-update"})
    else:
        status, _, body = post_form(base, "PREFIX x: <http://x/>\n" + update)
    assert status == 403 and b"read-only" in body
    assert json.loads(get(base, f"ASK {{ <{ID}intruder> ?p ?o }}")[2])["boolean"] is False


def test_service_is_refused_and_no_request_leaves(base):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(1.5)
    port = listener.getsockname()[1]
    try:
        for query in (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
                      f"SELECT * WHERE {{ ?x ?y ?z . service silent <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"):
            status, _, body = get(base, query)
            assert status == 403 and b"SERVICE is refused" in body
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        listener.close()
    # a variable or a prefix named "service" is not a SERVICE call
    assert get(base, "SELECT ?service WHERE { BIND (1 AS ?service) }")[0] == 200


def test_a_query_past_the_timeout_is_stopped_with_503_and_the_server_goes_on(base):
    started = time.monotonic()
    status, _, body = get(base, SLOW)
    assert status == 503 and b"3 s" in body
    assert time.monotonic() - started < 30
    for _ in range(3):  # the workers are replaced: later queries are answered
        assert get(base, SELECT)[0] == 200


def test_the_row_cap_answers_413_and_limit_gets_under_it(base):
    status, _, body = get(base, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 413 and f"{MAX_ROWS}".encode() in body and b"LIMIT" in body
    status, headers, _ = get(base, f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_ROWS}")
    assert status == 200 and headers["X-Result-Rows"] == str(MAX_ROWS)
    assert get(base, "CONSTRUCT WHERE { ?s ?p ?o }", accept="text/turtle")[0] == 413


def test_a_request_without_a_query_or_in_an_unknown_type(base):
    assert fetch(base + "/sparql", headers={"Accept": "application/sparql-results+json"})[0] == 400
    assert fetch(base + "/sparql", b"<x/>", {"Content-Type": "application/xml"})[0] == 415


def test_cors(base):
    status, headers, _ = fetch(base + "/sparql", method="OPTIONS", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = fetch(f"{base}/sparql?query=ASK%7B%7D", headers={"Origin": "https://example.org"})
    assert headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_catalogue_query_gives_the_command_lines_rows(base, cli, name):
    code, out, err = cli("query", name, "--format", "json")
    assert code == 0, err
    status, _, body = post_form(base, QUERIES[name].bind({}))
    assert status == 200
    assert comparable_rows(Results(json=body)) == comparable_rows(Results(json=out.encode()))


def test_catalogue_queries_bound_by_the_server(base):
    status, _, body = fetch(f"{base}/catalogue/partners-of.rq?org=id:isdb&lang=fr")
    assert status == 200 and body.decode() == QUERIES["partners-of"].bind({"org": "id:isdb", "lang": "fr"})
    status, _, body = fetch(f"{base}/catalogue/partners-of.rq?since=2024")
    assert status == 400 and b"unknown parameter 'since'" in body
    assert fetch(f"{base}/catalogue/no-such-query.rq")[0] == 404


# Linked data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("media_type, rdf_format", [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES), ("application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_every_iri_dereferences_to_its_description(base, graph, media_type, rdf_format):
    status, headers, body = fetch(base + "/id/tot-cybersecurity-2024", headers={"Accept": media_type})
    assert status == 200 and headers["Content-Type"].split(";")[0] == media_type
    served = {q.triple for q in ox.parse(body, format=rdf_format)}
    iri = f"<{ID}tot-cybersecurity-2024>"
    expected = run_local(graph, f"CONSTRUCT {{ {iri} ?p ?o . ?s ?q {iri} }} "
                                f"WHERE {{ {{ {iri} ?p ?o }} UNION {{ ?s ?q {iri} }} }}")
    assert served == {q.triple for q in ox.parse(expected.ntriples.encode(), format=ox.RdfFormat.N_TRIPLES)}
    assert ox.Triple(ox.NamedNode(ID + "tot-cybersecurity-2024"), ox.NamedNode("https://w3id.org/oic-tvet/ontology#startDate"),
                     ox.Literal("2024-10-18", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))) in served


def test_a_browser_gets_html_and_an_unknown_iri_is_404(base):
    status, headers, body = fetch(base + "/id/sesric", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "Statistical, Economic and Social Research" in body.decode()
    for accept in ("text/html", "text/turtle"):
        assert fetch(base + "/id/no-such-thing", headers={"Accept": accept})[0] == 404


def test_the_ontology_shapes_and_dataset_are_served(base):
    status, _, body = fetch(base + "/ontology", headers={"Accept": "text/turtle"})
    served = [q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)]
    written = [q.triple for q in read_quads(paths.ontology_file())]

    def named(triples):  # blank nodes get new labels when re-read
        return {t for t in triples if not any(isinstance(x, ox.BlankNode) for x in (t.subject, t.object))}
    assert status == 200 and len(served) == len(written) and named(served) == named(written)
    status, headers, body = fetch(base + "/ontology", headers={"Accept": "text/html"})
    assert status == 200 and b'id="Workshop"' in body
    status, _, body = fetch(base + "/shapes", headers={"Accept": "application/n-triples"})
    assert status == 200 and b"http://www.w3.org/ns/shacl#NodeShape" in body
    for name in ("core", "recommended"):  # the named graphs of the shapes dump
        status, _, body = fetch(f"{base}/shapes/{name}", headers={"Accept": "application/ld+json"})
        served = list(ox.parse(body, format=ox.RdfFormat.JSON_LD))
        assert status == 200 and len(served) == len(read_quads(paths.shapes_dir() / f"{name}.shape.ttl")) > 40
    assert fetch(base + "/shapes/nothing")[0] == 404
    for path in ("/.well-known/void", "/dataset"):
        status, _, body = fetch(base + path, headers={"Accept": "text/turtle"})
        void = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
        endpoints = [t.object.value for t in void if t.predicate.value == "http://rdfs.org/ns/void#sparqlEndpoint"]
        assert status == 200 and endpoints == [base + "/sparql"]
    status, headers, body = fetch(base + "/.well-known/void", headers={"Accept": "application/ld+json"})
    assert status == 200 and headers["Content-Type"] == "application/ld+json" and json.loads(body)


def test_dumps_are_linked_from_home_and_match_their_checksums(base):
    home = fetch(base + "/")[2].decode()
    for link in ('href="/ontology"', 'href="/shapes"', 'href="/.well-known/void"', 'href="/sparql"',
                 'href="/dist/graph.nq"', 'href="/dist/graph.jsonld"'):
        assert link in home
    sums = dict(reversed(line.split("  ")) for line in fetch(base + "/dist/SHA256SUMS")[2].decode().splitlines())
    for name in ("graph.nq", "ontology.ttl", "shapes.trig"):
        status, _, body = fetch(f"{base}/dist/{name}")
        assert status == 200 and hashlib.sha256(body).hexdigest() == sums[name]
    assert fetch(base + "/dist/..%2Fetc")[0] == 404


# Pages (the browser tests drive them; these check what the server sends) -----------------------------


def test_home_counts_agree_with_the_graph(base, graph, kg_files):
    home = fetch(base + "/")[2].decode()
    assert f'<li data-count="activities"><strong>{activity_count(graph)}</strong>' in home
    triples = {str(q.triple) for path in kg_files for q in read_quads(path)}  # void:triples: the merged data
    assert f'<li data-count="statements"><strong>{len(triples):,}</strong>' in home
    for area in range(1, 5):
        assert f'href="/id/cooperation-area-{area}"' in home


def test_language_from_the_parameter_then_the_cookie_then_accept_language(base):
    status, headers, body = fetch(base + "/id/sesric?lang=ar")
    assert '<html lang="ar" dir="rtl">' in body.decode() and "lang=ar" in headers["Set-Cookie"]
    assert '<html lang="fr" dir="ltr">' in fetch(base + "/", headers={"Cookie": "lang=fr"})[2].decode()
    for header, lang in (("ar-SA, ar;q=0.9, en;q=0.5", "ar"), ("de-DE, fr;q=0.7, en;q=0.3", "fr"), ("de", "en")):
        assert f'<html lang="{lang}"' in fetch(base + "/", headers={"Accept-Language": header})[2].decode()


def test_an_activity_page_lists_its_facts_sources_and_co_deliverers(base):
    page = fetch(base + "/id/tot-cybersecurity-2024?lang=en")[2].decode()
    assert "Training of trainers on cybersecurity" in page
    assert "2024-10-18" in page
    assert 'href="/id/source-oic-vet-progress-report-2024"' in page
    assert 'data-query="co-delivery"' in page and 'href="/id/iut"' in page


def test_search(base):
    page = fetch(base + "/search?q=" + urllib.parse.quote("unevoc"))[2].decode()
    assert 'href="/id/unesco-unevoc"' in page


def test_accept_negotiation_rules():
    from tvetkg.serve.negotiate import best

    offers = ["application/sparql-results+json", "text/csv"]
    assert best(None, offers) == offers[0]
    assert best("*/*", offers) == offers[0]
    assert best("text/*", offers) == "text/csv"
    assert best("text/csv;q=0.2, */*;q=0.1", offers) == "text/csv"
    assert best("text/csv;q=0, */*", offers) == offers[0]  # the specific range wins over */*
    assert best("image/png", offers) is None


def test_serve_refuses_bad_settings_and_a_broken_graph(cli, kg_copy):
    code, _, err = cli("serve", "--timeout", "0")
    assert code == 2 and "--timeout" in err
    code, _, err = cli("serve", "--log-level", "loud")
    assert code == 2 and "--log-level" in err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code, _, err = cli("serve", "--port", taken.getsockname()[1])
    assert code == 2 and "cannot listen on 127.0.0.1:" in err
    broken = kg_copy / "oic-tvet-roadmap.trig"
    lines = broken.read_text(encoding="utf-8").splitlines()
    broken.write_text("\n".join(lines + ["id:x a ."]) + "\n", encoding="utf-8")
    code, _, err = cli("serve", "--kg", kg_copy, "--port", "1")
    assert code == 2 and f"oic-tvet-roadmap.trig:{len(lines) + 1}:" in err


def test_serve_on_an_on_disk_store(tmp_path, graph):
    """The store is brought up to date once; the workers open it read-only, side by side."""
    store = tmp_path / "store"
    with tvetkg_server(tmp_path, "--store", str(store), "--workers", "2") as (url, _):
        status, _, body = get(url, SELECT)
        assert status == 200 and comparable_rows(Results(json=body)) == comparable_rows(run_local(graph, SELECT))
        assert fetch(url + "/id/sesric", headers={"Accept": "text/html"})[0] == 200
    assert (store / "manifest.json").is_file()


@pytest.mark.parametrize("formats, accept, media_type", [
    (["json", "application/sparql-results+json"], None, "application/sparql-results+json"),  # as SPARQLWrapper sends
    (["bogus", "csv"], None, "text/csv"),  # the first one offered
    (["bogus", "nonsense"], "application/sparql-results+xml", "application/sparql-results+xml"),  # then Accept
])
def test_several_format_values_fall_back_in_order(base, formats, accept, media_type):
    url = f"{base}/sparql?" + urllib.parse.urlencode([("query", SELECT), *(("format", f) for f in formats)])
    status, headers, _ = fetch(url, headers={"Accept": accept} if accept else {})
    assert status == 200 and headers["Content-Type"].startswith(media_type)


def test_one_unknown_format_value_is_406(base):
    status, _, body = get(base, SELECT, format="nonsense")
    assert status == 406 and b"format='nonsense' is not offered" in body


@pytest.mark.parametrize("lang, label", [("en", "report item"), ("ar", "رقم البند في التقرير"), ("fr", "point du rapport")])
def test_the_query_page_shows_the_vocabulary_and_the_prefixes(base, lang, label):
    import html

    from tvetkg import paths
    from tvetkg.namespaces import PREDECLARED
    from tvetkg.terms import vocabulary

    status, _, body = fetch(f"{base}/query?lang={lang}")
    page = html.unescape(body.decode())
    assert status == 200
    for prefix, namespace in PREDECLARED.items():
        assert f"PREFIX {prefix}: <{namespace}>" in page
    row = page[page.index('id="term-reportItem"'):].split("</tr>", 1)[0]
    assert label in row and "tvet:SourcedThing" in row and "xsd:positiveInteger" in row
    assert page.count('<tr id="term-') == len(vocabulary(paths.ontology_file(), lang))


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_the_pages_give_the_catalogues_summaries_in_their_language(base, lang):
    import html

    from tvetkg.catalogue import catalogue

    timeline = catalogue()["timeline"]
    for path in ("/", "/query"):
        status, _, body = fetch(f"{base}{path}?lang={lang}")
        assert status == 200 and timeline.summary_in(lang) in html.unescape(body.decode()), path
    assert timeline.summary_in(lang) != timeline.summary or lang == "en"


def test_a_resource_pages_tables_have_headings_in_its_language(base):
    import html

    from tvetkg.catalogue import column_headings

    status, _, body = fetch(base + "/id/sesric?lang=ar")
    page = html.unescape(body.decode())
    arabic = column_headings("ar")
    assert status == 200
    assert f'<th title="?partner">{arabic["partner"]}</th>' in page
    assert f'<th title="?shared">{arabic["shared"]}</th>' in page and arabic["shared"] != "shared"
