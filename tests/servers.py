"""Real SPARQL servers for the tests, started on 127.0.0.1 and stopped by their PID."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
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
def oxigraph_server(tmp_path: Path):
    """An Oxigraph server whose default graph is the union of its named graphs; yields its base URL."""
    port = free_port()
    log = open(tmp_path / "oxigraph.log", "wb")
    process = subprocess.Popen(
        [_oxigraph_binary(), "serve", "--location", str(tmp_path / "oxigraph-data"),
         "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"oxigraph did not start: {(tmp_path / 'oxigraph.log').read_text()}")
                time.sleep(0.1)
        yield base
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def upload_trig(base: str, path: Path) -> None:
    request = urllib.request.Request(base + "/store", data=path.read_bytes(), method="POST",
                                     headers={"Content-Type": "application/trig"})
    urllib.request.urlopen(request, timeout=60).read()
