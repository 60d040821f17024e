"""The attacks of issue 23 against a running `tvetkg serve` on 127.0.0.1 (`make abuse`).

Starts a server on a copy of the graph with one hostile resource (a `javascript:` homepage), sends every
attack of `attacks.yaml` and the heavy ones below, each bounded in count and time, and prints one row per
attack: the status it got, the status it had to get, its seconds, whether a health check (`/health`
and `/id/sesric`) answered within 1 s while it ran and right after, and whether the local listener that
SERVICE and LOAD point at received anything. The flood runs `--flood-seconds` (30 by default).

    python benchmarks/abuse.py [--flood-seconds 30] [--workers 2] [--timeout 5]
"""

import argparse
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from servers import children, rss  # noqa: E402  (the tests' way to find a server's workers and their memory)
ATTACKS = yaml.safe_load((Path(__file__).with_name("attacks.yaml")).read_text(encoding="utf-8"))
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
GIGABYTE = ("SELECT ?big WHERE { ?s ?p ?o BIND(" + "REPLACE(" * 16 + '"0123456789abcdef"'
            + ', ".", "$0$0")' * 16 + " AS ?big) } LIMIT 1000")
HOSTILE = """<https://w3id.org/oic-tvet/id/source-hostile> {
<https://w3id.org/oic-tvet/id/hostile-org> a <https://w3id.org/oic-tvet/ontology#Organisation> ;
    <http://www.w3.org/2000/01/rdf-schema#label> "Hostile <script>alert(1)</script>"@en ;
    <http://xmlns.com/foaf/0.1/homepage> <javascript:alert(document.domain)> .
}
"""


def fetch(url, data=None, headers=None, timeout=60.0):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError as error:
        return 0, str(error).encode()


class Health:
    """Probes `/health` and `/id/sesric` every 0.2 s in a thread, and keeps the slowest answer seen."""

    def __init__(self, base: str):
        self.base, self.worst, self.failed = base, 0.0, False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.check()
            time.sleep(0.2)

    def check(self) -> bool:
        for path, headers in (("/health", {}), ("/id/sesric", {"Accept": "text/html"})):
            began = time.monotonic()
            status, _ = fetch(self.base + path, headers=headers, timeout=5)
            seconds = time.monotonic() - began
            self.worst = max(self.worst, seconds)
            self.failed |= status != 200
        return not self.failed and self.worst < 1.0

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


class Listener:
    """A local TCP listener that counts the connections it receives (SERVICE and LOAD point here)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.hits = 0
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
                self.hits += 1
                conn.close()
            except OSError:
                pass


def sparql(base, query, post=None, param="query", agent="abuse", timeout=60.0, accept=None):
    headers = {"User-Agent": agent, **({"Accept": accept} if accept else {})}
    if post:
        return fetch(base + "/sparql", query.encode(), {**headers, "Content-Type": post}, timeout)
    return fetch(f"{base}/sparql?" + urllib.parse.urlencode({param: query}), headers=headers, timeout=timeout)


def body_of(base: str, declared: int, sent: bytes) -> int:
    """Status of a POST that declares `declared` bytes and sends `sent`."""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     + f"Content-Length: {declared}\r\n\r\n".encode() + sent)
        line = conn.recv(100).split(b"\r\n", 1)[0]
    return int(line.split()[1]) if line.startswith(b"HTTP/") else 0


def flood(base: str, seconds: float, clients: int = 50) -> tuple[int, dict]:
    """`clients` threads sending the slow query for `seconds`, half under one User-Agent and half under
    one each; then every connection is dropped mid-query. Returns how many answers, by status."""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    stop, statuses, connections = threading.Event(), {}, []
    body = urllib.parse.urlencode({"query": SLOW})

    def client(number):
        agent = "flood" if number % 2 else f"flood-{number}"
        while not stop.is_set():
            connection = http.client.HTTPConnection(host, int(port), timeout=30)
            connections.append(connection)
            try:
                connection.request("GET", f"/sparql?{body}", headers={"User-Agent": agent})
                status = connection.getresponse().status
                statuses[status] = statuses.get(status, 0) + 1
            except OSError:
                pass
            finally:
                connection.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for connection in list(connections):
        try:
            if connection.sock:
                connection.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    for thread in threads:
        thread.join(timeout=30)
    return sum(statuses.values()), statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flood-seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=5)
    parser.add_argument("--max-bytes", default="16M")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="tvetkg-abuse-"))
    kg = tmp / "kg"
    shutil.copytree(ROOT / "kg", kg)
    (kg / "zz-hostile.trig").write_text(HOSTILE, encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    log = open(tmp / "serve.log", "wb")
    server = subprocess.Popen([str(Path(sys.executable).with_name("tvetkg")), "serve", "--port", str(port), "--kg", str(kg),
                               "--workers", str(args.workers), "--timeout", str(args.timeout), "--max-bytes",
                               args.max_bytes, "--log-level", "warning"], stdout=log, stderr=subprocess.STDOUT)
    rows = []
    try:
        for _ in range(300):
            if fetch(base + "/health", timeout=1)[0] == 200:
                break
            time.sleep(0.2)
        else:
            sys.exit("the server did not start: " + (tmp / "serve.log").read_text(errors="replace"))
        listener = Listener()

        def attack(name, expected, send, note=""):
            with Health(base) as health:
                began = time.monotonic()
                status = send()
                seconds = time.monotonic() - began
            after = Health(base).check()
            rows.append((name, status, expected, seconds, health.check() and health.worst < 1.0, after, note))
            print(f"  {name}: {status}", file=sys.stderr, flush=True)

        for case in ATTACKS["update"]:
            query = case["query"].replace("{listener}", listener.url)
            attack(f"update: {case['name']}", case["status"],
                   lambda: sparql(base, query, case.get("post"), case.get("param", "query"))[0])
        for name, text in ATTACKS["service"].items():
            query = text.replace("{listener}", listener.url)
            attack(f"SERVICE: {name}", 403, lambda: sparql(base, query)[0])
            attack(f"SERVICE: {name} (POST)", 403, lambda: sparql(base, query, "application/sparql-query")[0])
        for case in ATTACKS["paths"]:
            attack(f"path: {case['path']}", case["status"],
                   lambda: fetch(base + case["path"], headers={"Accept": "text/html"})[0])
        pids = sorted(children(server.pid))
        for name, query in (("3,000 nested { }", "SELECT * WHERE " + "{" * 3000 + "}" * 3000),
                            ("10,000 nested ( )", "SELECT * { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }"),
                            ("a chain of 30,000 +", "SELECT (" + "+".join(["1"] * 30_000) + " AS ?x) {}")):
            attack(f"crash: {name}", 400, lambda: sparql(base, query, "application/sparql-query")[0])
        attack("crash: a chain of 9,000 + (under the limits)", 200,
               lambda: sparql(base, "SELECT (" + "+".join(["1"] * 9_000) + " AS ?x) {}", "application/sparql-query")[0])
        rows[-1] = (*rows[-1][:6], "workers unchanged" if sorted(children(server.pid)) == pids else "WORKERS RESTARTED")
        attack("unknown extension function", 400, lambda: sparql(base, "SELECT (<http://x/f>(1) AS ?x) {}")[0])
        attack("Accept with 2,000 ranges", 406, lambda: sparql(base, "ASK {}", accept=",".join(["x/y"] * 2000))[0])
        peak = [0]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], rss(server.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        attack("a 1 GiB answer (1,000 rows of 1 MiB)", 413, lambda: sparql(base, GIGABYTE)[0])
        done.set()
        sampler.join()
        rows[-1] = (*rows[-1][:6], f"server and workers at most {peak[0] >> 20} MiB")
        attack("a 100 MB body declared", 413, lambda: body_of(base, 100_000_000, b"SELECT"))
        attack("javascript: IRI on its page", "text",
               lambda: "text" if b'href="javascript:' not in fetch(base + "/id/hostile-org",
                                                                   headers={"Accept": "text/html"})[1] else "LINK")
        attack("script in a label", "escaped",
               lambda: "escaped" if b"<script>alert(1)" not in fetch(base + "/id/hostile-org",
                                                                    headers={"Accept": "text/html"})[1] else "RAW")
        attack("a query past the timeout", 503, lambda: sparql(base, SLOW, agent="one-slow")[0])
        counts = {}
        attack(f"flood: 50 clients of slow queries for {args.flood_seconds:g} s", "bounded",
               lambda: "bounded" if {429, 503} & set(counts.setdefault("s", flood(base, args.flood_seconds)[1]))
               else "UNBOUNDED")
        rows[-1] = (*rows[-1][:6], "answers: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts["s"].items())))
        began = time.monotonic()
        after = sparql(base, "ASK {}", agent="after-the-flood")[0]
        rows.append(("a simple query right after the flood", after, 200, time.monotonic() - began, True, True, ""))
        rows.append(("connections the local listener received", listener.hits, 0, 0.0, True, True, ""))
    finally:
        os.kill(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"tvetkg serve --workers {args.workers} --timeout {args.timeout:g} --max-bytes {args.max_bytes}, "
          f"on {os.uname().machine} with {os.cpu_count()} cores; health = /health and /id/sesric each within 1 s\n")
    print("| attack | status | expected | seconds | health during | health after | note |")
    print("|---|---:|---:|---:|:---:|:---:|---|")
    bad = 0
    for name, status, expected, seconds, during, after, note in rows:
        ok = status == expected and during and after
        bad += not ok
        print(f"| {name} | {status} | {expected} | {seconds:.2f} | {'yes' if during else 'NO'} | "
              f"{'yes' if after else 'NO'} | {note}{'' if ok else ' **FAILED**'} |")
    print(f"\n{len(rows)} attacks, {bad} failed")


if __name__ == "__main__":
    main()
