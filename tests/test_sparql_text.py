"""What `sparql_text.screen` lets through or refuses, tried against Oxigraph's own parser: a text it lets
through never makes Oxigraph connect anywhere, and every catalogue query goes through."""

import socket
import threading

import pyoxigraph as ox
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from tvetkg.catalogue import catalogue
from tvetkg.errors import QueryFailed
from tvetkg.sparql_text import MAX_DEPTH, form, position, screen, tokens


@pytest.fixture(scope="module")
def listener():
    """A local TCP listener that counts the connections it receives."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    hits = []

    def accept():
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            hits.append(connection.recv(200))
            connection.close()

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1], hits
    server.close()


# each one makes Oxigraph POST to the address given; the abuse benchmark sends the same
BYPASSES = {name: text.replace("{listener}/x", "{url}") for name, text in
            yaml.safe_load((ROOT / "benchmarks" / "attacks.yaml").read_text(encoding="utf-8"))["service"].items()}
INNOCENT = [
    "SELECT ?service WHERE { BIND (1 AS ?service) }",
    "PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT * { ?s a dcat:DataService }",
    "SELECT * { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'civil service')) } # a service to readers",
    "SELECT * { ?s <http://example.org/service> ?o }",
    "SELECT * { ?s ?p ?o FILTER(?o = <http://example.org/service>) }",
    "SELECT * { ?s ?p ?o FILTER(?o IN (<http://example.org/a>, <http://example.org/service>)) }",
]


def _store():
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal(True)))
    store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal(1)))
    return store


def _connects(text: str, hits: list) -> bool:
    """Whether Oxigraph, running `text`, connects to the listener."""
    before = len(hits)
    try:
        answer = _store().query(text, use_default_graph_as_union=True)
        if not isinstance(answer, ox.QueryBoolean):
            list(answer)
    except (SyntaxError, OSError, RuntimeError):
        pass
    for _ in range(20):
        if len(hits) > before:
            return True
        threading.Event().wait(0.005)
    return len(hits) > before


@pytest.mark.parametrize("name", BYPASSES)
def test_every_known_way_to_call_service_is_refused_with_403(listener, name):
    port, hits = listener
    text = BYPASSES[name].replace("{url}", f"http://127.0.0.1:{port}/x")
    if "?x" not in text:  # the bypass is real: Oxigraph does connect
        assert _connects(text, hits), f"{name}: Oxigraph does not read it as SERVICE"
    with pytest.raises(QueryFailed) as refused:
        screen(text)
    assert refused.value.status == 403 and "SERVICE is refused" in str(refused.value)
    assert screen(text, allow_service=True).service


@pytest.mark.parametrize("text", INNOCENT)
def test_a_variable_a_local_name_a_string_or_an_iri_named_service_is_not_service(text):
    assert not screen(text).service


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_catalogue_query_goes_through(name):
    found = screen(catalogue()[name].bind({}) if not any(p.required for p in catalogue()[name].params)
                   else catalogue()[name].text)
    assert not found.service and found.depth < MAX_DEPTH


PIECES = ["SELECT * WHERE {", "SELECT * {", "}", "{", "SERVICE", "service", "SILENT", " ", "\n", "\r", "\t",
          "<URL>", "<x>", "{ ?s ?p ?o }", "?s ?p ?o", "#", "'", '"', "'''", "FILTER(", "(", ")", "1<2", "<", ">",
          "?x", "x:", ":", "true", "1", ".", ",", ";", "PREFIX x: <URL>", "BASE <URL>", "\\", "\\u0053", "@en",
          "_:b", "OPTIONAL", "<=", "&&", "a", "x:SERVICE", "SERVICEx:", "e", "[", "]", "^^"]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), min_size=2, max_size=14))
def test_whatever_the_text_if_screen_lets_it_through_oxigraph_connects_nowhere(listener, pieces):
    port, hits = listener
    text = "".join(pieces).replace("URL", f"http://127.0.0.1:{port}/fuzz")
    try:
        screen(text)
    except QueryFailed:
        return
    assert not _connects(text, hits), f"let through, yet Oxigraph connected: {text!r}"


def test_nesting_deeper_than_the_limit_is_refused_with_the_limit_named():
    with pytest.raises(QueryFailed) as refused:
        screen("SELECT * WHERE " + "{" * 3000 + "}" * 3000)
    assert refused.value.status == 400 and f"limit is {MAX_DEPTH}" in str(refused.value)
    with pytest.raises(QueryFailed):
        screen("SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }")
    # brackets inside strings, IRIs and comments do not count
    assert screen("SELECT * { ?s ?p '((((((((' # {{{{{{{{{{\n }").depth == 1


def test_a_text_of_more_tokens_than_the_limit_is_refused():
    with pytest.raises(QueryFailed) as refused:
        screen("SELECT (" + "+".join(["1"] * 30_000) + " AS ?x) {}")
    assert refused.value.status == 400 and "50,000" in str(refused.value)
    assert screen("SELECT (" + "+".join(["1"] * 1_000) + " AS ?x) {}", max_tokens=5_000).cost < 5_000


def test_tokens_cover_the_text_and_positions_count_carriage_returns():
    text = "PREFIX ex: <http://x/> # c\rSELECT ?a { ?a ex:p\\#q 'it''s' }"
    assert "".join(t.text for t in tokens(text)) == text
    kinds = [t.kind for t in tokens(text) if t.kind not in ("ws",)]
    assert kinds[:4] == ["word", "pname", "iri", "comment"] and "ex:p\\#q" in [t.text for t in tokens(text)]
    assert position(text, text.index("SELECT")) == (2, 1)
    assert screen(text).prefixes == {"ex": "http://x/"} and [p for p, _ in screen(text).used] == ["ex"]


def test_the_query_form():
    assert form("PREFIX x: <http://x/> # SELECT\nCONSTRUCT WHERE { ?s ?p ?o }") == "CONSTRUCT"
    assert form("ask {}") == "ASK" and form("nothing here") is None


def test_the_command_line_refuses_service_and_deep_texts_unless_service_is_allowed(cli, listener):
    port, hits = listener
    code, _, err = cli("query", "--sparql", "SELECT * WHERE " + "{" * 3000 + "}" * 3000)
    assert code == 2 and "limit is 100" in err
    service = f"SELECT * WHERE {{ # note\rSERVICE <http://127.0.0.1:{port}/cli> {{ ?s ?p ?o }} }}"
    before = len(hits)
    code, _, err = cli("query", "--sparql", service)
    assert code == 2 and "SERVICE is refused" in err and len(hits) == before
    cli("query", "--sparql", service, "--allow-service")  # the user's own choice: the call is made
    for _ in range(100):
        if len(hits) > before:
            break
        threading.Event().wait(0.01)
    assert len(hits) > before
    code, out, _ = cli("query", "--sparql", "SELECT (" + "+".join(["1"] * 9_000) + " AS ?x) {}", "--format", "csv")
    assert code == 0 and out.split() == ["x", "9000"]


def test_a_syntax_error_is_one_line_in_words():
    import pyoxigraph as ox

    from tvetkg.namespaces import PREDECLARED
    from tvetkg.sparql_text import syntax_message

    def message(text):
        with pytest.raises(SyntaxError) as error:
            ox.Store().query(text, prefixes=PREDECLARED)
        return syntax_message(text, error.value, PREDECLARED)

    assert message("SELECT * WHERE { ?s ?p ?o") == \
        'line 1, column 26 (the end of the text): expected ",", ".", ";", "{", "{|", "}", "~", a name or a character'
    assert message("SELECT * WHERE { ?s ?p ?o } LIMIT x").startswith('line 1, column 35: expected "HAVING", ')
    # an undeclared prefix is named where it is used, even where the parser stopped later
    found = message("SELECT * WHERE {\n  ?s tvet:p ?o ;\n     bad:q ?v .\n  FILTER (?o > )\n}")
    assert found == "line 3, column 6: the prefix bad: is not declared (add PREFIX bad: <...>)"
    for text in ("SELECT * WHERE { ?s ?p ?o", "SELECT * { ?s a:b ?o }", "ASK { ?s ?p \"x }"):
        assert "\n" not in message(text) and "\\u{" not in message(text)


def test_the_predeclared_prefixes_a_query_uses_are_declared_on_its_first_line():
    from tvetkg.sparql_text import with_prefixes

    predeclared = {"tvet": "https://w3id.org/oic-tvet/ontology#", "foaf": "http://xmlns.com/foaf/0.1/",
                   "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
    text = "SELECT * WHERE {\n  ?s tvet:x ?o ; foaf:name ?n ; other:y ?z\n}"
    written = with_prefixes(text, predeclared)
    assert written == ("PREFIX tvet: <https://w3id.org/oic-tvet/ontology#> PREFIX foaf: <http://xmlns.com/foaf/0.1/> "
                       + text)
    assert written.count("\n") == text.count("\n")
    own = "PREFIX tvet: <http://example.org/mine#>\nSELECT * WHERE { ?s tvet:x ?o } # rdfs:label"
    assert with_prefixes(own, predeclared) == own  # its own declaration wins; a comment uses nothing
