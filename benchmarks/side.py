"""One side of the benchmark on one graph: `ours` (Oxigraph, the compiled shapes) or `baseline`
(rdflib + pySHACL). Prints one JSON line per task as it ends, then the peak memory.

    python benchmarks/side.py ours --kg DIR
    python benchmarks/side.py baseline --kg DIR --task-budget 60 --validate-budget 600 \
        [--ours FIGURES.json --at-least 10]

A baseline task still running after its budget is stopped (rdflib and pySHACL are
Python, so a timer signal interrupts them) and reported as not done, with the
budget as a lower bound of its time. Given tvet-kg's figures (`--ours`, one JSON
line per task as `ours` prints them), a task's budget is raised to 5% over
`--at-least` times tvet-kg's time, so that a task stopped still shows whether the
ratio reaches that factor.
"""

import argparse
import json
import signal
import sys
import tempfile
import time
from pathlib import Path


class Budget(Exception):
    pass


def _alarm(signum, frame):
    raise Budget()


def measure(name, work, budget=None):
    if budget:
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, budget)
    start = time.perf_counter()
    done, error = True, None
    try:
        work()
    except Budget:
        done = False
    except Exception as failure:  # rdflib fails on some queries: reported, not fatal
        done, error = False, f"{type(failure).__name__}: {str(failure)[:120]}"
    finally:
        if budget:
            signal.setitimer(signal.ITIMER_REAL, 0)
    seconds = time.perf_counter() - start
    print(json.dumps({"task": name, "seconds": round(seconds, 3), "done": done, "error": error}), flush=True)
    return done


def peak_memory_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def ours(kg: Path, out: Path):
    from tvetkg import export as exporting
    from tvetkg.catalogue import catalogue
    from tvetkg.network import Filters, build_network, fetch
    from tvetkg.query import run_local, serialize_local
    from tvetkg.store import open_graph
    from tvetkg.validate import validate

    state = {}
    measure("load", lambda: state.update(graph=open_graph(kg)))
    graph = state["graph"]
    measure("validate", lambda: validate(graph))
    for name, query in catalogue().items():
        measure(f"query {name}", lambda: serialize_local(graph, query.bind({}), "csv"))
    measure("network", lambda: build_network("organisations", *fetch(lambda q: run_local(graph, q), Filters())))
    # The statements as the files wrote them, read again from the files (the store re-encodes some
    # literals), as `tvetkg build` writes graph.trig; the ontology aside, as `tvetkg export` has it.
    context = exporting.json_ld_context(list(graph.file_statements(graph.ontology)))
    statements = lambda: graph.statements(with_ontology=False)
    for fmt in exporting.FORMATS.values():
        measure(f"export {fmt.extension}", lambda: exporting._write(
            statements() if fmt.keeps_graphs else exporting.triples(statements), fmt, out / f"graph.{fmt.extension}",
            context))


def baseline(kg: Path, out: Path, task_budget: float, validate_budget: float, long_budget: float,
             ours_seconds: dict, at_least: float, load_budget: float | None):
    import pyshacl
    import rdflib

    from tvetkg import export as exporting
    from tvetkg.catalogue import catalogue
    from tvetkg.load import graph_files
    from tvetkg.network import BUILDERS, Filters, fetch
    from tvetkg.namespaces import ONTOLOGY_GRAPH
    from tvetkg.rdf import quiet_rdflib
    from tvetkg.validate import shapes_files, shapes_graph

    def budget(task: str, seconds: float) -> float:
        return max(seconds, at_least * ours_seconds.get(task, 0) * 1.05)

    files = graph_files(kg)
    dataset = rdflib.Dataset(default_union=True)

    with quiet_rdflib():
        if not measure("load", lambda: fill_dataset(dataset, files), load_budget):
            return  # the other tasks would run on part of the graph

        def rows(result):
            return [row.asdict() for row in result]

        def run(sparql):
            return _SparqlRows(dataset.query(sparql))

        for name, query in catalogue().items():
            measure(f"query {name}", lambda: rows(dataset.query(query.bind({}))), budget(f"query {name}", task_budget))
        measure("network", lambda: _networkx_measures(BUILDERS["organisations"](*fetch(run, Filters()))),
                budget("network", long_budget))
        for fmt in exporting.FORMATS.values():
            name = exporting.RDFLIB_NAMES[fmt.extension]
            target = out / f"baseline.{fmt.extension}"
            if fmt.keeps_graphs:
                work = lambda: dataset.serialize(str(target), format=name)
            else:
                work = lambda: _merged(dataset).serialize(str(target), format=name)
            measure(f"export {fmt.extension}", work, budget(f"export {fmt.extension}", long_budget))
        data = _sources(dataset, without=ONTOLOGY_GRAPH)  # the shapes read each source's named graph
        ontology = dataset.graph(rdflib.URIRef(ONTOLOGY_GRAPH))
        shapes = shapes_graph(shapes_files())
        measure("validate", lambda: pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none",
                                                     allow_warnings=True, advanced=False),
                budget("validate", validate_budget))


def _networkx_measures(graph):
    """The measures of tvetkg.network.measure, by networkx alone (the same exact/sampled rule)."""
    import networkx as nx

    from tvetkg.network import EXACT_LIMIT, SAMPLED_SOURCES

    for _, _, data in graph.edges(data=True):
        data["distance"] = 1.0 / data["weight"]
    sample = None if len(graph) <= EXACT_LIMIT else SAMPLED_SOURCES
    nx.betweenness_centrality(graph, k=sample, weight="distance", normalized=True, seed=42)
    nx.pagerank(graph, weight="weight")
    nx.community.louvain_communities(graph, weight="weight", seed=42)
    nx.spring_layout(graph, weight="weight", seed=42, iterations=50)


def _sources(dataset, without: str):
    """The dataset's named graphs but `without`, as a dataset whose default graph is their union."""
    import rdflib

    kept = rdflib.Dataset(default_union=True)
    for graph in dataset.graphs():
        if str(graph.identifier) != without:
            kept.graph(graph.identifier).__iadd__(graph)
    return kept


def fill_dataset(dataset, files):
    """The ontology, in its named graph, and the graph's files parsed by rdflib into `dataset`."""
    import rdflib

    from tvetkg import paths
    from tvetkg.namespaces import ONTOLOGY_GRAPH

    dataset.graph(rdflib.URIRef(ONTOLOGY_GRAPH)).parse(str(paths.ontology_file()), format="turtle")
    for path in files:
        dataset.parse(str(path), format={".trig": "trig", ".nq": "nquads", ".ttl": "turtle", ".nt": "nt"}[path.suffix])


class _SparqlRows:
    """rdflib's solutions in the shape network.fetch reads: `values()` as tvetkg.query.Results gives them."""

    def __init__(self, result):
        self._result = result

    def values(self):
        for row in self._result:
            yield {name: str(term) for name, term in row.asdict().items()}


def _merged(dataset, without=None):
    import rdflib

    graph = rdflib.Graph()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if without is None or str(getattr(g, "identifier", g)) != without:
            graph.add((s, p, o))
    return graph


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("side", choices=["ours", "baseline"])
    parser.add_argument("--kg", type=Path, required=True)
    parser.add_argument("--task-budget", type=float, default=60)
    parser.add_argument("--validate-budget", type=float, default=600)
    parser.add_argument("--long-budget", type=float, help="for the network and each export (default: --task-budget)")
    parser.add_argument("--ours", type=Path, help="tvet-kg's figures, as `ours` prints them")
    parser.add_argument("--at-least", type=float, default=10, help="the ratio a budget leaves room to show")
    parser.add_argument("--load-budget", type=float, help="seconds rdflib may take to load (default: no limit); "
                                                          "a load stopped leaves the other tasks not run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tvetkg-bench-") as tmp:
        if args.side == "ours":
            ours(args.kg, Path(tmp))
        else:
            ours_seconds = {}
            if args.ours:
                rows = (json.loads(line) for line in args.ours.read_text(encoding="utf-8").splitlines())
                ours_seconds = {row["task"]: row["seconds"] for row in rows if "seconds" in row}
            baseline(args.kg, Path(tmp), args.task_budget, args.validate_budget, args.long_budget or args.task_budget,
                     ours_seconds, args.at_least, args.load_budget)
    print(json.dumps({"task": "peak memory (MiB)", "value": round(peak_memory_mib(), 1)}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
