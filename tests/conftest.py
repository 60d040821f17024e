"""Shared fixtures: the shipped graph loaded once, and an in-process command-line runner."""

import os
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tvetkg import paths
from tvetkg.load import graph_files
from tvetkg.store import open_graph

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ARTEFACTS = Path(os.environ.get("TVETKG_ARTEFACTS", ROOT / "build" / "test-artefacts"))


@pytest.fixture()
def listener():
    """A socket listening on 127.0.0.1: `accept()` after the test's request raises socket.timeout
    if nothing tried to reach it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(1.0)
    yield sock
    sock.close()


@pytest.fixture(scope="session")
def graph():
    return open_graph()


@pytest.fixture(scope="session")
def kg_files():
    return graph_files(paths.kg_dir())


@pytest.fixture()
def cli():
    """Run `tvetkg ARGS...` in-process; returns (exit code, stdout, stderr)."""
    from tvetkg.cli import app

    runner = CliRunner(env={"COLUMNS": "200", "TERM": "dumb", "NO_COLOR": "1"})

    def run(*args, **kwargs):
        result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False, **kwargs)
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture()
def kg_copy(tmp_path):
    """A writable copy of the shipped graph's folder."""
    import shutil

    target = tmp_path / "kg"
    shutil.copytree(paths.kg_dir(), target)
    return target


ACTIVITIES = ("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* "
              "<https://w3id.org/oic-tvet/ontology#Activity> }")


def activity_count(graph) -> str:
    """How many activities the graph has, counted by a query of the tests' own."""
    from tvetkg.query import run_local

    return run_local(graph, ACTIVITIES).rows()[0]["n"]["value"]


@pytest.fixture(scope="session")
def facts(kg_files):
    """Each activity's type, start date, modality and counts, worked out in Python from the files' statements
    (the accepted source's value where sources disagree, `accepted.view`), not by SPARQL: the figures the
    catalogue's coverage queries must give."""
    from tvetkg import accepted
    from tvetkg.load import read_quads

    terms = read_quads(paths.ontology_file())
    tvet = "https://w3id.org/oic-tvet/ontology#"
    sub = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
    parents = {}
    for q in terms:
        if q.predicate.value == sub:
            parents.setdefault(q.subject.value, set()).add(q.object.value)

    def is_activity(cls, seen=()):
        return any(p == tvet + "Activity" or (p not in seen and is_activity(p, (*seen, cls))) for p in parents.get(cls, ()))

    quads = [q for path in graph_files(paths.kg_dir()) for q in read_quads(path)]
    found = {}
    for q in accepted.view(quads, accepted.functional(terms)):
        s, p, o = q.subject.value, q.predicate.value, q.object
        if p == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" and is_activity(o.value):
            found.setdefault(s, {}).setdefault("types", set()).add(o.value)
    for q in accepted.view(quads, accepted.functional(terms)):
        s, p, o = q.subject.value, q.predicate.value, q.object
        if s in found and p.startswith(tvet):
            found[s].setdefault(p[len(tvet):], set()).add(o.value)
    return found
