"""Partner networks: edges and weights equal the seed's facts, rankings, and every export reads back."""

import csv
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from itertools import combinations

import networkx as nx
import pytest

from conftest import DATA
from tvetkg.network import FORMATS, Filters, build_network, export, fetch, ranking
from tvetkg.query import run_local


@pytest.fixture(scope="module")
def involvements(graph):
    return fetch(lambda sparql: run_local(graph, sparql), Filters())


@pytest.fixture(scope="module")
def organisations(involvements):
    return build_network("organisations", *involvements)


ROLES = ("organiser", "partner", "contentProvider", "funder", "participant")


def _expected_weights(facts, only_area=None, roles=ROLES):
    """Pairs of organisations per activity, worked out from the files' statements (the `facts` fixture)."""
    weights = Counter()
    for fact in facts.values():
        if only_area and f"https://w3id.org/oic-tvet/id/cooperation-area-{only_area}" not in fact.get("cooperationArea", ()):
            continue
        orgs = {"id:" + o.rsplit("/", 1)[1] for role in roles for o in fact.get(role, ())}
        for pair in combinations(sorted(orgs), 2):
            weights[pair] += 1
    return weights


def test_organisation_edges_and_weights_equal_the_facts(organisations, facts):
    found = Counter({tuple(sorted((u, v))): d["weight"] for u, v, d in organisations.edges(data=True)})
    assert found == _expected_weights(facts)
    assert organisations.edges["id:sesric", "id:iut"]["weight"] >= 2
    assert organisations.edges["id:sesric", "id:unesco-unevoc"]["weight"] >= 3


def test_edges_carry_roles_titles_and_dates(organisations, facts):
    edge = organisations.edges["id:sesric", "id:iut"]
    both = [f for f in facts.values() if {"https://w3id.org/oic-tvet/id/sesric", "https://w3id.org/oic-tvet/id/iut"}
            <= {o for role in ROLES for o in f.get(role, ())}]
    assert set(edge["dates"].split(" | ")) == {d for f in both for d in f.get("startDate", ())}
    assert {"2024-10-18", "2024-10-22"} <= set(edge["dates"].split(" | "))
    assert "Training of trainers on cybersecurity" in edge["activities"]
    assert "organiser" in edge["roles"] and "partner" in edge["roles"]


def test_sesric_is_the_most_central(organisations):
    (first, data), *_ = ranking(organisations)
    assert first == "id:sesric"
    for measure in ("degree", "weighted_degree", "betweenness", "pagerank"):
        assert data[measure] == max(d[measure] for _, d in organisations.nodes(data=True)), measure


def test_nodes_carry_their_attributes(organisations):
    iut = organisations.nodes["id:iut"]
    assert (iut["label"], iut["type"], iut["country"], iut["acronym"]) == (
        "Islamic University of Technology", "University", "BGD", "IUT")
    assert {d["community"] for _, d in organisations.nodes(data=True)} >= {0, 1}


def test_filters(graph, facts):
    run = lambda sparql: run_local(graph, sparql)
    area3 = build_network("organisations", *fetch(run, Filters(area="3")))
    assert Counter({tuple(sorted((u, v))): d["weight"] for u, v, d in area3.edges(data=True)}) == _expected_weights(facts, "3")
    partners = build_network("organisations", *fetch(run, Filters(role="partner")))
    expected = _expected_weights(facts, roles=("partner",))
    assert {tuple(sorted(e)) for e in partners.edges} == set(expected)
    assert ("id:iut", "id:turkiye-ministry-national-education") in expected
    webinars = build_network("organisations", *fetch(run, Filters(type="Webinar", since="2024-07-01")))
    assert "id:unesco-unevoc" in webinars and "id:malaysia-ministry-education" not in webinars


def test_bipartite_and_country_networks(involvements):
    bipartite = build_network("bipartite", *involvements)
    assert bipartite.nodes["id:tot-cybersecurity-2024"]["bipartite"] == 1
    assert bipartite.edges["id:iut", "id:tot-cybersecurity-2024"]["roles"] == "contentProvider/partner"
    assert nx.is_bipartite(bipartite)
    countries = build_network("countries", *involvements)
    assert countries.edges["TUR", "BGD"]["weight"] >= 2
    assert ranking(countries)[0][0] == "TUR"
    assert countries.nodes["TUR"]["label"] == "Türkiye"


def _same(a, b) -> bool:
    """Equal as text, or as numbers (GEXF stores every edge weight as a float)."""
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)


def _same_graph(original, read):
    assert set(original.nodes) == set(read.nodes)
    assert {tuple(sorted(e)) for e in original.edges} == {tuple(sorted(e)) for e in read.edges}
    for node, data in original.nodes(data=True):
        for key, value in data.items():
            assert _same(read.nodes[node][key], value), (node, key)
    for u, v, data in original.edges(data=True):
        for key, value in data.items():
            assert _same(read.edges[u, v][key], value), (u, v, key)


def test_exports_read_back_with_every_node_edge_and_attribute(organisations, tmp_path):
    paths = {p.suffix[1:]: p for p in export(organisations, tmp_path, "organisations")}
    assert set(paths) == set(FORMATS)
    _same_graph(organisations, nx.read_graphml(paths["graphml"]))
    _same_graph(organisations, nx.read_gexf(paths["gexf"]))
    _same_graph(organisations, nx.node_link_graph(json.loads(paths["json"].read_text()), edges="links"))
    assert ET.parse(paths["svg"]).getroot().tag.endswith("svg")


def test_the_html_page_is_self_contained(organisations, tmp_path):
    (page,) = export(organisations, tmp_path, "organisations", ["html"], lang="ar", title="شبكة الشركاء")
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"(https?:)?//[\w.-]+\.\w", text), "an external URL"
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", text)
    assert 'dir="rtl"' in text and "شبكة الشركاء" in text
    payload = re.search(r'<script id="network-data" type="application/json">(.*?)</script>', text, re.S).group(1)
    data = json.loads(payload)
    assert {n["id"] for n in data["nodes"]} == set(organisations.nodes)
    assert len(data["links"]) == organisations.number_of_edges()


def test_the_png_is_a_sensible_picture(organisations, tmp_path):
    from PIL import Image, ImageStat

    (png,) = export(organisations, tmp_path, "organisations", ["png"])
    assert png.stat().st_size > 50_000
    with Image.open(png) as image:
        assert 1000 <= image.width <= 4000 and 800 <= image.height <= 4000
        assert max(ImageStat.Stat(image.convert("L")).stddev) > 10  # not blank


def test_matplotlib_shapes_arabic():
    """Joined Arabic must not render like the same letters kept apart (zero-width non-joiners)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.ft2font
    import matplotlib.pyplot as plt
    from PIL import Image, ImageChops

    assert hasattr(matplotlib.ft2font, "__libraqm_version__")

    def render(text):
        fig = plt.figure(figsize=(3, 1), dpi=100)
        fig.text(0.5, 0.5, text, fontsize=20, ha="center", va="center")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
        return Image.open(io.BytesIO(buffer.getvalue())).convert("L")

    word = "الجامعة"
    assert ImageChops.difference(render(word), render("\u200c".join(word))).getbbox() is not None


def test_cli_network(cli, tmp_path):
    code, out, _ = cli("network", "--out", tmp_path, "--top", "3")
    assert code == 0
    assert re.search(r"1 │ SESRIC", out)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"organisations.{f}" for f in FORMATS)
    code, _, err = cli("network", "--kind", "everything")
    assert code == 2 and "--kind 'everything'" in err
    code, _, err = cli("network", "--area", "3", "--since", "2030-01-01")
    assert code == 2 and "no organisation took part" in err


def _networkx_betweenness(graph, k=None):
    return nx.betweenness_centrality(graph, k=k, weight="distance", normalized=True, seed=42)


def test_betweenness_is_networkx_exact_one(organisations, involvements):
    for network in (organisations, build_network("bipartite", *involvements)):
        expected = _networkx_betweenness(network)
        assert any(expected.values())
        for node, data in network.nodes(data=True):
            assert data["betweenness"] == pytest.approx(expected[node], abs=2e-6), node


def test_a_large_network_is_estimated_from_networkx_own_sample(tmp_path, monkeypatch):
    """Beyond EXACT_LIMIT nodes, the same sampled sources and scaling as networkx's k= estimate."""
    from tvetkg import network
    from tvetkg.store import open_graph
    from tvetkg.synth import synthesise

    synthesise(tmp_path / "kg", activities=400, seed=5)
    graph = open_graph(tmp_path / "kg")
    monkeypatch.setattr(network, "EXACT_LIMIT", 100)
    monkeypatch.setattr(network, "SAMPLED_SOURCES", 30)
    bipartite = build_network("bipartite", *fetch(lambda sparql: run_local(graph, sparql), Filters()))
    assert len(bipartite) > 100
    expected = _networkx_betweenness(bipartite, k=30)
    exact = _networkx_betweenness(bipartite)
    assert expected != pytest.approx(exact, abs=1e-6)  # a sample, not the exact figures
    for node, data in bipartite.nodes(data=True):
        assert data["betweenness"] == pytest.approx(expected[node], abs=2e-6), node


def test_measures_and_layout_are_the_same_on_every_run(involvements):
    first, second = (build_network("organisations", *involvements) for _ in range(2))
    assert dict(first.nodes(data=True)) == dict(second.nodes(data=True))
    xs = [d["x"] for _, d in first.nodes(data=True)] + [d["y"] for _, d in first.nodes(data=True)]
    assert max(abs(x) for x in xs) == 1.0 and len(set(xs)) > 4
