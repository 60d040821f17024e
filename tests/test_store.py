"""The on-disk store: reused while its sources are unchanged, rebuilt when one changes, untouched by a failure."""

import os

import pytest

from tvetkg.errors import TvetKgError
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
