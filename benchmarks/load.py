"""Load test of `tvetkg serve`: concurrent clients on 127.0.0.1 running the catalogue's queries.

Starts the server, runs --clients threads for --seconds, each sending the catalogue queries in turn
(POST, SPARQL JSON results) over a kept-alive connection, and prints throughput, latency percentiles,
errors, and the resident memory of the server and its query workers sampled every half second.
The server is stopped by its PID at the end.

    python benchmarks/load.py                        # 50 clients, 30 s, the shipped graph
    python benchmarks/load.py --kg /tmp/synth/kg      # on a synthetic graph (tvetkg synth)
    make load
"""

import argparse
import http.client
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from tvetkg.catalogue import catalogue


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def _start(port: int, args, log) -> subprocess.Popen:
    command = [sys.executable, "-m", "tvetkg", "serve", "--port", str(port), "--log-level", "warning"]
    if args.kg:
        command += ["--kg", str(args.kg)]
    if args.workers:
        command += ["--workers", str(args.workers)]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", timeout=2).read()
            return process
        except (OSError, urllib.error.URLError):
            if process.poll() is not None:
                raise SystemExit(f"the server did not start; see {log.name}") from None
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not answer within 600 s")


def _client(port: int, bodies: list[bytes], offset: int, stop: threading.Event, latencies: list, statuses: Counter):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}
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
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="tvetkg-load-", suffix=".log", delete=False)
    server = _start(port, args, log)
    memory: list[tuple[float, int]] = []
    stop, sampling = threading.Event(), threading.Event()

    def sample():
        while not sampling.is_set():
            memory.append((time.monotonic(), _rss_kib(server.pid)))
            time.sleep(0.5)

    try:
        idle = _rss_kib(server.pid)
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
    finally:
        os.kill(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
        log.close()

    ordered = sorted(latencies)
    errors = {k: v for k, v in statuses.items() if k != 200}
    third = args.seconds / 3
    first = max((m for t, m in memory if t - started < third), default=0)
    last = max((m for t, m in memory if t - started > 2 * third), default=0)
    print(f"machine     {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load        {args.clients} clients for {args.seconds:g} s, {len(queries)} catalogue queries in turn, "
          f"graph {args.kg or 'shipped'}, server workers {args.workers or 'default (cores)'}")
    print(f"requests    {len(ordered):,} answered in {elapsed:.1f} s: {len(ordered) / elapsed:,.1f} per second")
    if ordered:
        pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
        print(f"latency     p50 {pick(0.5):.1f} ms, p90 {pick(0.9):.1f} ms, p99 {pick(0.99):.1f} ms, "
              f"max {ordered[-1] * 1000:.1f} ms, mean {statistics.fmean(ordered) * 1000:.1f} ms")
    print(f"errors      {sum(errors.values())}" + (f" {dict(errors)}" if errors else ""))
    print(f"memory      server + workers: {idle / 1024:.0f} MiB idle, peak {first / 1024:.0f} MiB in the first "
          f"third, {last / 1024:.0f} MiB in the last third, {max(m for _, m in memory) / 1024:.0f} MiB at most")
    print(f"server log  {log.name}")
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
