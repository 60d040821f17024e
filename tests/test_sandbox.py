"""The query workers' sandbox, in real processes: no IP socket after `deny_network`, whatever the query;
queries that overflow an ordinary stack run on the large one; memory past the limit fails."""

import multiprocessing
import platform
import socket
import subprocess
import sys
import textwrap

import pytest

from tvetkg import sandbox

pytestmark = pytest.mark.skipif(platform.system() != "Linux" or platform.machine() not in ("x86_64", "aarch64"),
                                reason="the seccomp filter is written for Linux on x86-64 and AArch64")


def _denied_child(port: int, conn) -> None:
    results = {"deny": sandbox.deny_network()}
    import pyoxigraph as ox

    try:
        list(ox.Store().query(f"SELECT * {{ SERVICE <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }} }}"))
        results["service"] = "answered"
    except OSError as error:
        results["service"] = type(error).__name__
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.socket(family).close()
            results[family.name] = "made"
        except OSError as error:
            results[family.name] = error.errno
    a, b = socket.socketpair()
    a.send(b"ok")
    results["unix"] = b.recv(2).decode()
    results["thread"] = sandbox.run(lambda: _try_socket())
    conn.send(results)


def _try_socket():
    try:
        socket.socket().close()
        return "made"
    except OSError as error:
        return error.errno


def test_after_deny_network_no_ip_socket_and_no_service_call_reach_a_listener():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(1.0)
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_denied_child, args=(listener.getsockname()[1], child))
    process.start()
    results = parent.recv()
    process.join(timeout=30)
    with pytest.raises(socket.timeout):
        listener.accept()
    listener.close()
    assert results["deny"] is None
    assert results["service"] == "PermissionError"
    assert results["AF_INET"] == results["AF_INET6"] == results["thread"] == 13  # EACCES
    assert results["unix"] == "ok"  # the pipes and Unix sockets a worker talks through still work


def test_a_query_that_overflows_an_ordinary_stack_runs_on_the_large_one():
    text = "SELECT (" + "+".join(["1"] * 9_000) + " AS ?x) {}"
    script = textwrap.dedent(f"""
        import pyoxigraph as ox, sys
        from tvetkg import sandbox
        text = {text!r}
        if sys.argv[1] == "large":
            print(sandbox.run(lambda: [s["x"].value for s in ox.Store().query(text)])[0])
        else:
            print([s["x"].value for s in ox.Store().query(text)][0])
        """)
    ordinary = subprocess.run([sys.executable, "-c", script, "ordinary"], capture_output=True, text=True, timeout=120)
    assert ordinary.returncode == -11  # Oxigraph overflows the main thread's 8 MiB and takes the process down
    large = subprocess.run([sys.executable, "-c", script, "large"], capture_output=True, text=True, timeout=120)
    assert large.returncode == 0 and large.stdout.strip() == "9000"


def test_memory_past_the_limit_fails_the_allocation():
    script = textwrap.dedent("""
        from tvetkg import sandbox
        sandbox.limit_memory(64 << 20)
        try:
            block = bytearray(256 << 20)
            print("allocated")
        except MemoryError:
            print("refused")
        print(len(bytearray(16 << 20)))
        """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["refused", str(16 << 20)]


def test_run_hands_back_the_value_and_the_exception():
    assert sandbox.run(lambda a, b: a + b, 2, 3) == 5
    with pytest.raises(KeyError):
        sandbox.run(lambda: {}["missing"])
