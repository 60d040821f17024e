"""Real SPARQL servers for the tests, started on 127.0.0.1 and stopped by their PID."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(found).exists():
        raise RuntimeError("the oxigraph server is not installed: pip install '.[test]'")
    return found


@contextmanager
def _process(command: list[str], log_path: Path, ready_url: str, expect_status: int = 200, ready_within: float = 30):
    """Start a server process, wait until `ready_url` answers, and stop it by its PID."""
    log = open(log_path, "ab")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + ready_within
        while True:
            try:
                urllib.request.urlopen(ready_url, timeout=1).read()
                break
            except urllib.error.HTTPError as error:
                if error.code == expect_status:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not start: {log_path.read_text(errors='replace')}")
            time.sleep(0.1)
        yield process.pid
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


@contextmanager
def oxigraph_server(tmp_path: Path, location: Path | None = None, port: int | None = None):
    """An Oxigraph server whose default graph is the union of its named graphs; yields its base URL."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    command = [_oxigraph_binary(), "serve", "--location", str(location or tmp_path / "oxigraph-data"),
               "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    with _process(command, tmp_path / "oxigraph.log", base + "/query?query=ASK%7B%7D"):
        yield base


@contextmanager
def tvetkg_server(tmp_path: Path, *options: str, ready_within: float = 30):
    """`tvetkg serve` on a free port of 127.0.0.1 with `options`; yields (base URL, PID)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "tvetkg", "serve", "--port", str(port), "--host", "127.0.0.1", *options]
    with _process(command, tmp_path / "tvetkg-serve.log", base + "/sparql?query=ASK%7B%7D",
                  ready_within=ready_within) as pid:
        yield base, pid


@contextmanager
def auth_proxy(tmp_path: Path, upstream: str, user: str, password: str):
    """The authenticating reverse proxy of authproxy.py in front of `upstream`; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, str(Path(__file__).with_name("authproxy.py")), str(port), upstream, user, password]
    with _process(command, tmp_path / "proxy.log", base + "/query", expect_status=401):
        yield base


def comparable_rows(results) -> list:
    """SPARQL results as a sorted list of rows of (variable, type, value, datatype, language).

    GROUP_CONCAT's order is open in SPARQL, so a concatenated value's parts are sorted."""
    def value(term):
        return " | ".join(sorted(term["value"].split(" | ")))

    return sorted(tuple(sorted((k, v["type"], value(v), v.get("datatype", ""), v.get("xml:lang", ""))
                               for k, v in row.items())) for row in results.rows())


def upload_trig(base: str, path: Path) -> None:
    request = urllib.request.Request(base + "/store", data=path.read_bytes(), method="POST",
                                     headers={"Content-Type": "application/trig"})
    urllib.request.urlopen(request, timeout=60).read()


@contextmanager
def virtuoso_server(tmp_path: Path):
    """OpenLink Virtuoso (Debian's virtuoso-opensource) with a fresh database in tmp_path.

    Its anonymous SPARQL user is granted SPARQL_UPDATE, as a test server may be;
    yields the SPARQL endpoint URL.
    """
    binary = shutil.which("virtuoso-t")
    if binary is None:
        raise RuntimeError("Virtuoso is not installed: apt-get install virtuoso-opensource")
    template = Path("/etc/virtuoso-opensource-7/virtuoso.ini").read_text()
    isql_port, http_port = free_port(), free_port()
    db = tmp_path / "virtuoso-db"
    db.mkdir()
    ini = re.sub(r"/var/lib/virtuoso-opensource-7/db/", f"{db}/", template)
    ini = re.sub(r"(?m)^(ServerPort\s*=\s*)1111", rf"\g<1>{isql_port}", ini)
    ini = re.sub(r"(?m)^(ServerPort\s*=\s*)8890", rf"\g<1>{http_port}", ini)
    (tmp_path / "virtuoso.ini").write_text(ini)
    endpoint = f"http://127.0.0.1:{http_port}/sparql"
    command = [binary, "+foreground", "+configfile", str(tmp_path / "virtuoso.ini")]
    with _process(command, tmp_path / "virtuoso.log", endpoint + "?query=ASK%7B%7D"):
        subprocess.run([shutil.which("isql-vt") or "isql-vt", str(isql_port), "dba", "dba",
                        'exec=GRANT SPARQL_UPDATE TO "SPARQL";'], check=True, capture_output=True, timeout=60)
        yield endpoint


def children(pid: int) -> list[int]:
    """The PIDs of the processes whose parent is `pid` (a server's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def rss(pid: int) -> int:
    """Resident memory of `pid` and its children, in bytes."""
    total = 0
    for each in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def cpu_ticks(pid: int) -> int:
    """User and system clock ticks `pid` has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])
