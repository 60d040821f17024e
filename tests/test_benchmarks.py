"""The benchmark's two sides run every task to its end on the shipped graph, and the baseline's network
reads the same involvements from rdflib as tvet-kg reads from Oxigraph."""

import importlib.util
import json
import subprocess
import sys

import pytest
import rdflib

from conftest import ROOT
from tvetkg import paths
from tvetkg.load import graph_files
from tvetkg.network import Filters, fetch
from tvetkg.query import run_local
from tvetkg.rdf import quiet_rdflib

SIDE = ROOT / "benchmarks" / "side.py"


def _side_module():
    spec = importlib.util.spec_from_file_location("benchmark_side", SIDE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tasks(side: str) -> dict[str, dict]:
    done = subprocess.run([sys.executable, str(SIDE), side, "--kg", str(paths.kg_dir()), "--task-budget", "120"],
                          capture_output=True, text=True, timeout=600, check=True)
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    return {row["task"]: row for row in rows if "seconds" in row}


@pytest.fixture(scope="module")
def sides():
    return _tasks("ours"), _tasks("baseline")


def test_each_side_runs_every_task_without_failing(sides):
    ours, baseline = sides
    assert set(ours) == set(baseline)
    assert {"load", "validate", "network", "export nq", "query partners-of"} <= set(ours)
    failed = {side: {task: row["error"] for task, row in tasks.items() if not row["done"]}
              for side, tasks in (("ours", ours), ("baseline", baseline))}
    assert failed == {"ours": {}, "baseline": {}}


def _comparable(rows, orgs):
    return sorted(tuple(sorted(row.items())) for row in rows), {key: dict(row) for key, row in orgs.items()}


def test_the_baseline_network_reads_the_rows_tvetkg_reads(graph):
    side = _side_module()
    dataset = rdflib.Dataset(default_union=True)
    with quiet_rdflib():
        side.fill_dataset(dataset, graph_files(paths.kg_dir()))
        baseline = fetch(lambda sparql: side._SparqlRows(dataset.query(sparql)), Filters())
    ours = fetch(lambda sparql: run_local(graph, sparql), Filters())
    assert baseline[0]
    assert _comparable(*baseline) == _comparable(*ours)
