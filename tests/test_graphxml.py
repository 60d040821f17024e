"""The streamed GraphML and GEXF writers read back as the same graphs as networkx's own writers."""

import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from tvetkg import graphxml
from tvetkg.network import KINDS, Filters, _viz, build_network, fetch
from tvetkg.query import run_local


@pytest.fixture(scope="module")
def networks(graph):
    rows, orgs = fetch(lambda sparql: run_local(graph, sparql), Filters())
    return {kind: build_network(kind, rows, orgs) for kind in KINDS}


def _odd_graph() -> nx.Graph:
    """Values an XML writer must escape or type: markup, quotes, line breaks, Arabic, booleans, infinities."""
    graph = nx.Graph(kind="odd", name='a "named" graph')
    graph.add_node("id:a&b", label='<b>"quoted"</b> & \'single\'', count=3, share=0.5, flag=True, note="line\nbreak\ttab")
    graph.add_node("id:ب", label="الهيئة العامة للتعليم التقني", count=4, share=float("inf"), flag=False, note="")
    graph.add_node("id:c", count=1, share=2.0, flag=True, note="]]> <!-- -->", start="2019-05-01")
    graph.add_edge("id:a&b", "id:ب", weight=2, roles="organiser–partner", dates="2024 | 2025")
    graph.add_edge("id:ب", "id:c", weight=1, roles="<none>", dates="")
    return graph


def _same(ours: nx.Graph, theirs: nx.Graph) -> None:
    assert ours.graph == theirs.graph
    assert dict(ours.nodes(data=True)) == dict(theirs.nodes(data=True))
    assert {frozenset((u, v)): d for u, v, d in ours.edges(data=True)} == \
        {frozenset((u, v)): d for u, v, d in theirs.edges(data=True)}


def _cases(networks):
    return {**networks, "odd": _odd_graph()}


@pytest.mark.parametrize("kind", [*KINDS, "odd"])
def test_graphml_reads_back_as_networkx_writes_it(networks, kind, tmp_path):
    graph = _cases(networks)[kind]
    graphxml.write_graphml(graph, tmp_path / "ours.graphml")
    nx.write_graphml(graph, tmp_path / "theirs.graphml")
    ET.parse(tmp_path / "ours.graphml")  # well-formed
    ours, theirs = nx.read_graphml(tmp_path / "ours.graphml"), nx.read_graphml(tmp_path / "theirs.graphml")
    _same(ours, theirs)
    assert ours.number_of_nodes() == graph.number_of_nodes() and ours.number_of_edges() == graph.number_of_edges()


@pytest.mark.parametrize("kind", [*KINDS, "odd"])
def test_gexf_reads_back_as_networkx_writes_it(networks, kind, tmp_path):
    graph = _cases(networks)[kind]
    viz = _viz(graph, "type") if kind != "odd" else {}
    graphxml.write_gexf(graph, tmp_path / "ours.gexf", viz)
    copy = graph.copy()
    for node, look in viz.items():
        copy.nodes[node]["viz"] = look
    nx.write_gexf(copy, tmp_path / "theirs.gexf")
    ET.parse(tmp_path / "ours.gexf")
    ours, theirs = nx.read_gexf(tmp_path / "ours.gexf"), nx.read_gexf(tmp_path / "theirs.gexf")
    _same(ours, theirs)
    if viz:
        node = next(iter(viz))
        assert ours.nodes[node]["viz"]["position"]["x"] == pytest.approx(viz[node]["position"]["x"])


def test_mixed_integer_and_float_values_are_declared_double(tmp_path):
    graph = nx.Graph()
    graph.add_node("a", score=1)
    graph.add_node("b", score=0.5)
    graphxml.write_graphml(graph, tmp_path / "g.graphml")
    graphxml.write_gexf(graph, tmp_path / "g.gexf")
    for read in (nx.read_graphml(tmp_path / "g.graphml"), nx.read_gexf(tmp_path / "g.gexf")):
        assert read.nodes["a"]["score"] == 1.0 and read.nodes["b"]["score"] == 0.5


def test_a_value_xml_cannot_type_is_refused_by_name(tmp_path):
    graph = nx.Graph()
    graph.add_node("a", members={"x"})
    with pytest.raises(TypeError, match="'members'"):
        graphxml.write_graphml(graph, tmp_path / "g.graphml")
