"""The on-disk store: reused while its sources are unchanged, rebuilt when one changes, untouched by a failure."""

import os

import pyoxigraph as ox
import pytest

from tvetkg.errors import TvetKgError
from tvetkg.namespaces import ONTOLOGY_GRAPH
from tvetkg.load import merge_into_default
from tvetkg.store import open_graph

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count(graph):
    return int(next(iter(graph.query(COUNT)))["n"].value)


def test_store_is_reused_then_rebuilt_when_a_source_changes(tmp_path, kg_copy):
    store_dir = tmp_path / "store"
    first = open_graph(kg_copy, store_dir)
    n = _count(first)
    del first
    data = store_dir / "oxigraph"
    stamp = data.stat().st_ino
    again = open_graph(kg_copy, store_dir)
    assert _count(again) == n and data.stat().st_ino == stamp  # reused, not rebuilt
    del again
    extra = kg_copy / "extra.ttl"
    extra.write_text("<https://w3id.org/oic-tvet/id/x> <http://www.w3.org/2000/01/rdf-schema#label> \"x\"@en .\n")
    rebuilt = open_graph(kg_copy, store_dir)
    assert _count(rebuilt) == n + 1


def test_a_broken_source_leaves_the_store_as_it_was(tmp_path, kg_copy):
    store_dir = tmp_path / "store"
    graph = open_graph(kg_copy, store_dir)
    n = _count(graph)
    del graph
    manifest = (store_dir / "manifest.json").read_text()
    (kg_copy / "broken.ttl").write_text("<a> <b> .\n")
    with pytest.raises(TvetKgError, match="broken.ttl:1:"):
        open_graph(kg_copy, store_dir)
    assert (store_dir / "manifest.json").read_text() == manifest
    assert not [p for p in os.listdir(store_dir) if p.startswith(".building")]
    os.remove(kg_copy / "broken.ttl")
    assert _count(open_graph(kg_copy, store_dir)) == n


def test_kg_points_at_another_folder(tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "one.ttl").write_text(
        "<https://w3id.org/oic-tvet/id/a> a <https://w3id.org/oic-tvet/ontology#Webinar> .\n")
    graph = open_graph(folder)
    rows = list(graph.query("SELECT ?a WHERE { ?a a <https://w3id.org/oic-tvet/ontology#Webinar> }"))
    assert [r["a"].value for r in rows] == ["https://w3id.org/oic-tvet/id/a"]


def _folder(tmp_path, files: dict) -> object:
    folder = tmp_path / "kg"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_the_in_memory_store_holds_the_quads_read_blank_nodes_included(tmp_path):
    # Files without blank nodes are loaded by Oxigraph in a second thread, the others from the
    # quads read, which the graph holds: a parse names an anonymous blank node anew each time,
    # and validation marks the store's nodes from the statements the graph gives.
    folder = _folder(tmp_path, {
        "anonymous.ttl": "@prefix t: <https://w3id.org/oic-tvet/ontology#> .\n"
                         "<https://w3id.org/oic-tvet/id/a> t:role [ t:name \"x\" ] ; t:list (1 2) .\n",
        "labelled.nq": "_:n <http://e/p> \"0042\"^^<http://www.w3.org/2001/XMLSchema#integer> <http://e/g> .\n",
        "plain.nq": "<http://e/s> <http://e/p> \"0042\"^^<http://www.w3.org/2001/XMLSchema#integer> <http://e/g> .\n",
        "plain.trig": "<http://e/g> { <http://e/s> <http://e/q> \"y\"@en . }\n",
    })
    graph = open_graph(folder)
    refilled = ox.Store()
    refilled.bulk_extend(graph.statements())
    merge_into_default(refilled)  # the default graph: the merge of every graph's statements
    assert set(graph.store) == set(refilled)

    def blank_nodes(quads):
        return {term for q in quads for term in (q.subject, q.object) if isinstance(term, ox.BlankNode)}

    data = [q for q in graph.statements() if q.graph_name != ox.NamedNode(ONTOLOGY_GRAPH)]
    assert len([q for q in data if blank_nodes([q])]) == 8  # 2 of the [ ], 5 of the list, 1 of _:n
    assert blank_nodes(graph.store) == blank_nodes(graph.statements())


@pytest.mark.parametrize("text, message", [
    ("<http://e/s> <http://e/p> <http://e/a{b}> <http://e/g> .\n", "Invalid IRI code point"),
    ("<http://e/s> <http://e/p> \"x\"@a-very-long-tag-123456789 <http://e/g> .\n", "language subtag is invalid"),
])
def test_a_file_oxigraph_loads_itself_is_still_checked(tmp_path, text, message):
    folder = _folder(tmp_path, {"fine.nq": "<http://e/s> <http://e/p> \"x\" <http://e/g> .\n", "wrong.nq": text})
    with pytest.raises(TvetKgError, match=rf"wrong\.nq:1:\d+: .*{message}"):
        open_graph(folder)


@pytest.mark.parametrize("on_disk", [False, True])
def test_a_file_is_read_again_without_checks_only_while_unchanged(tmp_path, on_disk):
    # Once read whole with every check into the store, a file is read again without Oxigraph's IRI
    # checks, which halves the time; written to since, it is checked again, and an error names it.
    folder = _folder(tmp_path, {"fine.nq": "<http://e/s> <http://e/p> \"x\"@en <http://e/g> .\n"})
    graph = open_graph(folder, store_dir=tmp_path / "store" if on_disk else None)
    path = graph.files[0]
    assert [str(q) for q in graph.file_statements(path)] == [str(q) for q in graph.store if q.graph_name == ox.NamedNode("http://e/g")]
    path.write_text("<http://e/s> <http://e/p> <http://e/a b> <http://e/g> .\n", encoding="utf-8")
    with pytest.raises(TvetKgError, match=r"fine\.nq:1:\d+: .*Invalid IRI code point"):
        list(graph.file_statements(path))


def test_the_folders_of_a_killed_rebuild_are_removed_by_the_next(tmp_path, kg_copy):
    import subprocess
    import sys

    store = tmp_path / "store"
    open_graph(kg_copy, store)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    for name in (f".building-{dead.stdout.strip()}", f".old-{dead.stdout.strip()}"):  # a SIGKILL mid-rebuild
        (store / name).mkdir()
        (store / name / "000001.sst").write_bytes(b"x" * 1000)
    (kg_copy / "sesric-unevoc-meeting-2024.trig").write_text(
        (kg_copy / "sesric-unevoc-meeting-2024.trig").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    open_graph(kg_copy, store)  # a source changed: rebuilt
    assert sorted(p.name for p in store.iterdir()) == ["manifest.json", "oxigraph"]
