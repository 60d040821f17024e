"""`tvetkg build`: load, validate, reason, run the catalogue, and write `build/`.

The output is assembled in a sibling folder and swapped in at the end, so an
input error leaves the previous build as it was. The build is written even when
the graph does not conform (its report is the point); the exit code says so.
"""

import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from tvetkg import network, reason
from tvetkg.catalogue import catalogue
from tvetkg.export import write_rdf
from tvetkg.folders import replaced_folder
from tvetkg.namespaces import ID, TVET
from tvetkg.query import count_csv_rows, run_local, serialize_local
from tvetkg.sandbox import LargeStackExecutor
from tvetkg.store import open_graph
from tvetkg.validate import validate


# Above this many statements the networks are built in two processes (below, in a thread: processes would
# cost more in start-up and imports than they save)
NETWORK_PROCESSES_ABOVE = 50_000


@dataclass
class BuildSummary:
    conforms: bool = False
    consistent: bool = False
    violations: int = 0
    warnings: int = 0
    inferred: int = 0
    reasoner: str = ""
    statements: int = 0
    queries: dict[str, int] = field(default_factory=dict)
    failed_checks: dict[str, int] = field(default_factory=dict)
    networks: dict[str, dict] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.conforms and self.consistent and not self.failed_checks


def build(out_dir: Path, kg_dir: Path | None = None, store_dir: Path | None = None, progress=None,
          reasoner: str = "auto") -> BuildSummary:
    """Run the whole job; `progress(step)` is called before each step."""
    step = progress or (lambda name: None)
    summary = BuildSummary()
    clock = time.perf_counter()

    def lap(name):
        nonlocal clock
        now = time.perf_counter()
        summary.seconds[name] = round(now - clock, 3)
        clock = now

    with replaced_folder(out_dir) as staging:
        step("load")
        graph = open_graph(kg_dir, store_dir)
        _write_merged(staging / "graph.trig", graph)
        summary.statements = graph.statement_count()
        lap("load")

        # HermiT runs in a Java process: it reasons on one core while the rest of the build uses the other
        # (the rules, for a large graph, query the store, which lets go of the GIL). The networks, Python,
        # are built beside validation and the catalogue, from two queries answered before validation adds
        # its lexical copies to the store; on a large graph in processes of their own (a thread would hold
        # the GIL against validation), the bipartite network beside the two others.
        texts = {name: query.bind({}) for name, query in catalogue().items()}
        if summary.statements > NETWORK_PROCESSES_ABOVE:
            drawing = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
            groups = [("bipartite",), ("organisations", "countries")]
        else:
            drawing, groups = ThreadPoolExecutor(max_workers=1), [network.KINDS]
        with ThreadPoolExecutor(max_workers=1) as pool, drawing, \
                LargeStackExecutor(max_workers=os.cpu_count() or 2) as queries:
            reasoning = pool.submit(reason.infer_graph, graph, reasoner)
            answers = {text: queries.submit(run_local, graph, text) for text in network.texts(network.Filters())}
            answered = {text: answer.result().json for text, answer in answers.items()}  # SPARQL JSON, by text
            networks = [drawing.submit(network.write_all, staging / "network", answered, network.DRAW_LIMIT, kinds)
                        for kinds in groups]
            lap("network queries")

            step("validate")
            report = validate(graph, allow_warnings=True)  # a warning does not fail the build
            summary.conforms = report.conforms
            summary.violations, summary.warnings = len(report.violations), len(report.warnings)
            (staging / "validation.ttl").write_text(report.to_turtle(), encoding="utf-8")
            (staging / "validation.json").write_text(report.to_json(), encoding="utf-8")
            lap("validate")

            step("queries")
            # Straight to CSV, but for the networks' two, already answered as SPARQL JSON
            tables = {text: queries.submit(serialize_local, graph, text, "csv") for text in texts.values()
                      if text not in answers}
            for name, text in texts.items():
                table = tables[text].result() if text in tables else answers[text].result().serialize("csv")
                target = staging / "queries" / f"{name}.csv"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(table)
                rows = count_csv_rows(table)
                summary.queries[name] = rows
                if name.startswith("qc/") and name.endswith("-violation") and rows:
                    summary.failed_checks[name] = rows
            lap("queries")

            step("networks")
            written = {kind: n for group in networks for kind, n in group.result().items()}
            summary.networks = {kind: written[kind] for kind in network.KINDS}
            lap("networks (waiting)")

            step("reason")
            inference = reasoning.result()
        summary.reasoner = inference.reasoner
        summary.consistent = inference.consistent
        summary.inferred = len(inference.triples)
        reason.write(inference, staging / "inferred.nt")
        if not inference.consistent:
            (staging / "inconsistency.txt").write_text(
                "\n".join([inference.reasoner_message, *inference.explanation]) + "\n", encoding="utf-8"
            )
        lap("reason (waiting)")

        step("summary")
        _write_summary(staging, summary)
    return summary


def _write_merged(path: Path, graph) -> None:
    """The ontology and every file, each quad in its own named graph, as TriG (the files' literals kept)."""
    write_rdf(graph.statements(), path, ox.RdfFormat.TRIG, {"tvet": TVET, "id": ID})


def _write_summary(folder: Path, summary: BuildSummary) -> None:
    data = {
        "conforms": summary.conforms,
        "consistent": summary.consistent,
        "violations": summary.violations,
        "warnings": summary.warnings,
        "statements": summary.statements,
        "inferred": summary.inferred,
        "reasoner": summary.reasoner,
        "queries": summary.queries,
        "failed_checks": summary.failed_checks,
        "networks": summary.networks,
        "seconds": summary.seconds,
    }
    (folder / "summary.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    lines = [
        "# tvet-kg build summary",
        "",
        f"- statements loaded: {summary.statements}",
        f"- SHACL: {'conforms' if summary.conforms else 'does NOT conform'} "
        f"({summary.violations} violations, {summary.warnings} warnings)",
        f"- OWL ({summary.reasoner}): {'consistent' if summary.consistent else 'INCONSISTENT'}, {summary.inferred} entailed facts",
        f"- qc checks failing: {', '.join(summary.failed_checks) or 'none'}",
        "",
        "| query | rows |",
        "|---|---:|",
        *[f"| {name} | {rows} |" for name, rows in summary.queries.items()],
        "",
        "| network | nodes | edges | written as |",
        "|---|---:|---:|---|",
        *[f"| {kind} | {n['nodes']} | {n['edges']} | {', '.join(n['formats'])} |" for kind, n in summary.networks.items()],
        "",
        "| step | seconds |",
        "|---|---:|",
        *[f"| {name} | {seconds} |" for name, seconds in summary.seconds.items()],
    ]
    (folder / "summary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
