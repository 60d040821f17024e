"""Load test of `tvetkg serve`: concurrent clients on 127.0.0.1 running the catalogue's queries.

Starts the server as the tests do (stopped by its PID), runs --clients threads for --seconds, each
sending the catalogue queries in turn (POST, SPARQL JSON results) over a kept-alive connection, and
prints throughput, latency percentiles, errors, and the resident memory of the server and its query
workers sampled every half second.

    python benchmarks/load.py                        # 50 clients, 30 s, the shipped graph
    python benchmarks/load.py --kg /tmp/synth/kg      # on a synthetic graph (tvetkg synth)
    make load
"""

import argparse
import http.client
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

from tvetkg.catalogue import catalogue

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from servers import tvetkg_server  # noqa: E402  (the tests' way to start and stop a server by its PID)


def _rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def _client(port: int, bodies: list[bytes], offset: int, stop: threading.Event, latencies: list, statuses: Counter):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json",
               "User-Agent": f"load-client-{offset}"}  # fifty clients, as the server tells clients apart
    index = offset
    while not stop.is_set():
        body = bodies[index % len(bodies)]
        index += 1
        started = time.perf_counter()
        try:
            connection.request("POST", "/sparql", body, headers)
            response = response_body = None
            response = connection.getresponse()
            response_body = response.read()
            status = response.status
            if status == 200:
                json.loads(response_body)  # a complete, well-formed answer
        except (OSError, http.client.HTTPException, ValueError) as error:
            status = type(error).__name__
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        if not stop.is_set():
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=None, help="query workers of the server [its default: the cores]")
    parser.add_argument("--kg", type=Path, default=None, help="graph folder to serve [the shipped graph]")
    args = parser.parse_args()

    queries = {name: q for name, q in catalogue().items()}
    bodies = [urllib.parse.urlencode({"query": q.bind({})}).encode() for q in queries.values()]
    options = ["--log-level", "warning"]
    options += ["--kg", str(args.kg)] if args.kg else []
    options += ["--workers", str(args.workers)] if args.workers else []
    logs = Path(tempfile.mkdtemp(prefix="tvetkg-load-"))
    with tvetkg_server(logs, *options, ready_within=600) as (base, pid):
        port = int(base.rsplit(":", 1)[1])
        figures = _measure(args, port, pid, bodies)
    _report(args, len(queries), figures, logs / "tvetkg-serve.log")


def _measure(args, port: int, pid: int, bodies: list[bytes]) -> dict:
    memory: list[tuple[float, int]] = []
    stop, sampling = threading.Event(), threading.Event()

    def sample():
        while not sampling.is_set():
            memory.append((time.monotonic(), _rss_kib(pid)))
            time.sleep(0.5)

    idle = _rss_kib(pid)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    latencies: list[float] = []
    statuses: Counter = Counter()
    clients = [threading.Thread(target=_client, args=(port, bodies, i, stop, latencies, statuses))
               for i in range(args.clients)]
    started = time.monotonic()
    for thread in clients:
        thread.start()
    time.sleep(args.seconds)
    stop.set()
    for thread in clients:
        thread.join(timeout=130)
    elapsed = time.monotonic() - started
    sampling.set()
    sampler.join()
    third = args.seconds / 3
    return {"latencies": sorted(latencies), "statuses": statuses, "elapsed": elapsed, "idle": idle,
            "first": max((m for t, m in memory if t - started < third), default=0),
            "last": max((m for t, m in memory if t - started > 2 * third), default=0),
            "peak": max((m for _, m in memory), default=0)}


def _report(args, queries: int, figures: dict, log: Path) -> None:
    ordered, elapsed = figures["latencies"], figures["elapsed"]
    errors = {k: v for k, v in figures["statuses"].items() if k != 200}
    print(f"machine     {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load        {args.clients} clients for {args.seconds:g} s, {queries} catalogue queries in turn, "
          f"graph {args.kg or 'shipped'}, server workers {args.workers or 'default (cores)'}")
    print(f"requests    {len(ordered):,} answered in {elapsed:.1f} s: {len(ordered) / elapsed:,.1f} per second")
    if ordered:
        def at(share):
            return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000
        print(f"latency     p50 {at(0.5):.1f} ms, p90 {at(0.9):.1f} ms, p99 {at(0.99):.1f} ms, "
              f"max {ordered[-1] * 1000:.1f} ms, mean {statistics.fmean(ordered) * 1000:.1f} ms")
    print(f"errors      {sum(errors.values())}" + (f" {dict(errors)}" if errors else ""))
    mib = {k: figures[k] / 1024 for k in ("idle", "first", "last", "peak")}
    print(f"memory      server + workers: {mib['idle']:.0f} MiB idle, peak {mib['first']:.0f} MiB in the first "
          f"third, {mib['last']:.0f} MiB in the last third, {mib['peak']:.0f} MiB at most")
    print(f"server log  {log}")
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
