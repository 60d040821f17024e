"""Benchmarks: tvet-kg (Oxigraph, shapes compiled to SPARQL) beside rdflib + pySHACL, on synthetic
graphs of 10k to 5M statements, measured in the same run. Prints each figure as it comes and,
with --write, the table of benchmarks/RESULTS.md.

    python benchmarks/run.py                       # every size
    python benchmarks/run.py --sizes 10k,100k      # some
    make benchmark                                 # every size, writes benchmarks/RESULTS.md

Each side runs in its own process (benchmarks/side.py), so each peak memory is its own.
Ratios are baseline / ours: above 1, tvet-kg is faster or smaller. A baseline task
stopped at its budget gives a lower bound (">").
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
TRIPLES_PER_ACTIVITY = 19.7  # measured on `tvetkg synth` output
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "5M": 5_000_000}


def tvetkg(*args) -> list[str]:
    return [sys.executable, "-m", "tvetkg", *map(str, args)]


def side(name: str, kg: Path, budgets: dict, *options: str) -> dict:
    command = [sys.executable, str(HERE / "side.py"), name, "--kg", str(kg),
               *(f"--{key}-budget={seconds}" for key, seconds in budgets.items()), *options]
    figures = {}
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        for line in process.stdout:
            row = json.loads(line)
            figures[row["task"]] = row
            note = f" ({row['error']})" if row.get("error") else "" if row.get("done", True) else " (stopped at its budget)"
            print(f"  {name:8} {row['task']:55} {row.get('seconds', row.get('value'))}{note}", flush=True)
    return figures


def _tree_rss_kib(pid: int) -> int:
    """The resident memory of a process and of all its descendants together (KiB)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue  # it ended meanwhile
    return total


def timed(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak memory (MiB) and exit code of a command. The peak is that of the command and
    its child processes together (`tvetkg build` draws the networks in two, HermiT runs in Java), sampled
    every 50 ms."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss_kib(process.pid))
        time.sleep(0.05)
    return time.perf_counter() - start, peak / 1024, process.returncode


def measure_size(label: str, statements: int, work: Path, budgets: dict, at_least: float) -> dict:
    kg = work / f"kg-{label}"
    activities = max(1, round((statements - 1400) / TRIPLES_PER_ACTIVITY))
    subprocess.run(tvetkg("synth", "--out", kg, "--activities", activities, "--seed", 1, "--defects", 0.01),
                   check=True, stdout=subprocess.DEVNULL)
    lines = sum(1 for _ in (kg / "synthetic.nq").open()) + 1400
    print(f"== {label}: {lines} statements ({activities} activities)", flush=True)
    result = {"statements": lines, "ours": side("ours", kg, budgets)}
    ours = work / f"ours-{label}.json"
    ours.write_text("".join(json.dumps(row) + "\n" for row in result["ours"].values()), encoding="utf-8")
    result["baseline"] = side("baseline", kg, budgets, f"--ours={ours}", f"--at-least={at_least}")
    seconds, memory, code = timed(tvetkg("build", "--kg", kg, "--out", work / f"build-{label}"))
    result["build"] = {"seconds": round(seconds, 2), "memory": round(memory), "exit": code}
    print(f"  tvetkg build: {seconds:.1f} s, {memory:.0f} MiB, exit {code}", flush=True)
    store = work / f"store-{label}"
    timed(tvetkg("query", "area-with-fewest-activities", "--kg", kg, "--store", store))  # builds the store
    seconds, memory, _ = timed(tvetkg("query", "area-with-fewest-activities", "--kg", kg, "--store", store))
    result["cold query"] = {"seconds": round(seconds, 2), "memory": round(memory)}
    print(f"  tvetkg query --store (cold process, warm store): {seconds:.2f} s", flush=True)
    return result


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("pyoxigraph", "rdflib", "pyshacl", "networkx", "python-igraph"))
    return (f"{cpu}, {os.cpu_count()} cores, {memory} GiB; {platform.platform()}; "
            f"Python {platform.python_version()}; {versions}")


def _cell(figure: dict | None) -> tuple[str, float | None]:
    if not figure:
        return "not run", None
    if figure.get("error"):
        return f"fails ({figure['error'].split(':')[0]})", None
    seconds = figure["seconds"]
    return (f"{seconds:.3f}" if figure.get("done", True) else f"> {seconds:.0f}"), seconds


def table(results: dict) -> list[str]:
    lines = []
    for label, result in results.items():
        ours, base = result["ours"], result["baseline"]
        lines += [f"### {label} ({result['statements']:,} statements)", "",
                  "| task | tvet-kg (s) | rdflib + pySHACL (s) | ratio |", "|---|---:|---:|---:|"]
        for task in ours:
            if task.startswith("peak"):
                continue
            mine, mine_s = _cell(ours[task])
            theirs, theirs_s = _cell(base.get(task))
            if mine_s and theirs_s:
                lower = ">" if not base[task].get("done", True) else ""
                ratio = f"{lower}{theirs_s / max(mine_s, 1e-3):.1f}x"
            else:
                ratio = "-"
            lines.append(f"| {task} | {mine} | {theirs} | {ratio} |")
        mem_ours = ours.get("peak memory (MiB)", {}).get("value")
        mem_base = base.get("peak memory (MiB)", {}).get("value")
        if mem_ours and mem_base:
            # The baseline's peak is only a lower bound when a task of it was stopped or failed on the way.
            cut = ">" if any(not f.get("done", True) for t, f in base.items() if not t.startswith("peak")) else ""
            lines.append(f"| peak memory (MiB) | {mem_ours:.0f} | {cut}{mem_base:.0f} | {cut}{mem_base / mem_ours:.1f}x |")
        build = result["build"]
        lines += ["", f"`tvetkg build` (validate, reason as --reasoner auto picks, every query, networks, written out): "
                      f"{build['seconds']} s, peak {build['memory']} MiB for it and its child processes together, "
                      f"exit {build['exit']} "
                      f"(1: the planted defects do not conform; negative: stopped by a signal). `tvetkg query` of a catalogue query from a cold "
                      f"process with `--store`: {result['cold query']['seconds']} s.", ""]
    return lines


def write(path: Path, results: dict, budgets: str) -> None:
    text = [
        "# Benchmarks", "",
        "Regenerate with `make benchmark` (every size, default budgets: hours). This table: "
        f"`python benchmarks/run.py {' '.join(sys.argv[1:])}`.", "",
        f"Machine: {machine()}.", "",
        "Graphs: `tvetkg synth --seed 1 --defects 0.01` with the real graph's files. Each side runs in its own "
        "process, one after the other, in the same run: tvet-kg (pyoxigraph store, shapes compiled to SPARQL, "
        "exports by Oxigraph, JSON-LD by tvetkg.jsonld, network measures by igraph) and the baseline (rdflib "
        "Dataset with a union default graph, pySHACL on the merged triples, rdflib's SPARQL and serialisers, "
        "networkx's measures with the same exact/sampled betweenness rule). The network task builds the "
        "organisations network from the catalogue's rows and measures it. A query is timed until its whole "
        "answer is out: written as CSV for tvet-kg (as `tvetkg query --format csv` and `tvetkg build` write it), "
        "every row as a dict of rdflib terms for the baseline. Load is parsing the files "
        "into the store; validate starts from the loaded store (the baseline's merged graph is built outside "
        "its timing). Ratio = baseline / tvet-kg. "
        f"{budgets} A task stopped at its budget is shown as \"> budget\" and its ratio as a lower bound.", "",
        *table(results),
    ]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma-separated: " + ", ".join(SIZES))
    parser.add_argument("--task-budget", type=float, default=60, help="seconds a baseline query or export may take")
    parser.add_argument("--validate-budget", type=float, default=900, help="seconds pySHACL may take")
    parser.add_argument("--long-budget", type=float, help="seconds the baseline network or an export may take "
                                                          "(default: --task-budget)")
    parser.add_argument("--at-least", type=float, default=10,
                        help="give each baseline task at least 5%% over this many times tvet-kg's time for it")
    parser.add_argument("--load-budget", type=float, help="seconds rdflib may take to load a graph (default: no "
                                                          "limit); past it the baseline's other tasks are not run")
    parser.add_argument("--write", type=Path, help="write the results table to this Markdown file")
    parser.add_argument("--work", type=Path, help="folder for the graphs (a temporary one by default)")
    args = parser.parse_args()
    labels = [s.strip() for s in args.sizes.split(",")]
    unknown = [s for s in labels if s not in SIZES]
    if unknown:
        parser.error(f"unknown size {unknown[0]!r}: use {', '.join(SIZES)}")
    long_budget = args.long_budget or args.task_budget
    budgets = {"task": args.task_budget, "long": long_budget, "validate": args.validate_budget}
    if args.load_budget:
        budgets["load"] = args.load_budget
    described = (f"Budgets: {args.task_budget:.0f} s per baseline query, {long_budget:.0f} s for the baseline network "
                 f"and each export, {args.validate_budget:.0f} s for pySHACL, each raised where needed to "
                 f"{args.at_least * 1.05:g} times tvet-kg's time for the task, so that a task stopped still shows "
                 f"whether its ratio reaches {args.at_least:g}x."
                 + (f" rdflib may take {args.load_budget:.0f} s to load a graph; past it, the baseline's other "
                    f"tasks are not run." if args.load_budget else ""))
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tvetkg-bench-", dir=args.work) as tmp:
        results = {}
        for label in labels:
            results[label] = measure_size(label, SIZES[label], Path(tmp), budgets, args.at_least)
            if args.write:  # after each size, so a long run leaves what it has measured
                write(args.write, results, described)


if __name__ == "__main__":
    main()
