"""Query workers: processes that each hold the graph and answer SPARQL, so that a query running past the
timeout, or abandoned by its client, is stopped by killing its process.

A worker gives up IP sockets before it loads the graph (`sandbox.deny_network`), runs its queries on a
large stack (`sandbox.run`) and, when asked, under a memory limit. A pool keeps `size` workers answering
and `spare` more loaded and waiting, so that a killed worker's place is taken at once while its
replacement loads. Before a worker is given a query it is checked to be alive and not stopped; while it
answers, it is watched. Every failure is a QueryFailed with its cause, and is logged.
"""

import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tvetkg import sandbox
from tvetkg.errors import QueryFailed, TvetKgError
from tvetkg.serve.answer import Answer, Caps, Task, answer

_START_TIMEOUT = 600  # seconds for a worker to load the graph (a large graph takes minutes)
_WATCH = 0.1  # seconds between two looks at a worker that is answering
log = logging.getLogger("tvetkg.serve")


@dataclass(frozen=True)
class Source:
    """Where a worker finds the graph: `kg_dir` loaded in memory, or the on-disk store of `store_dir`."""

    kg_dir: Path | None = None
    store_dir: Path | None = None
    inferred: bool = False


@dataclass(frozen=True)
class Settings:
    caps: Caps = Caps()
    memory: int | None = None  # bytes a worker may grow by past its loaded size


def _open(source: Source):
    from tvetkg.store import open_graph, open_read_only

    if source.store_dir is not None:
        return open_read_only(source.kg_dir, source.store_dir, source.inferred)
    return open_graph(source.kg_dir, None, source.inferred)


def _main(conn, source: Source, settings: Settings) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers itself
    refused = sandbox.deny_network()
    try:
        graph = _open(source)
    except TvetKgError as error:  # reported to the server, which names it
        conn.send(("failed", str(error)))
        return
    except Exception as error:
        conn.send(("failed", f"{error} ({type(error).__name__})"))
        return
    conn.send(("ready", os.getpid(), refused))
    sandbox.run(_answer_tasks, conn, graph, settings)


def _answer_tasks(conn, graph, settings: Settings) -> None:
    if settings.memory:
        sandbox.limit_memory(settings.memory)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", answer(graph, task, settings.caps)))
        except QueryFailed as error:
            conn.send(("error", error.status, str(error)))
        except MemoryError:
            conn.send(("error", 500, "the query needed more memory than this server gives a query"))
        except Exception as error:  # anything else is the server's failure, named
            conn.send(("error", 500, f"the query failed: {error} ({type(error).__name__})"))


def _state(pid: int) -> str:
    """The process state letter of /proc/PID/stat (R, S, D, T stopped, t traced, Z zombie), or '?'."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "?"


class _Worker:
    def __init__(self, context, source: Source, settings: Settings):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_main, args=(child, source, settings), daemon=True,
                                       name="tvetkg-query-worker")
        self.process.start()
        child.close()

    def wait_ready(self) -> None:
        if not self.conn.poll(_START_TIMEOUT):
            self.kill()
            raise TvetKgError(f"a query worker did not load the graph in {_START_TIMEOUT} s")
        try:
            message = self.conn.recv()
        except EOFError:
            message = ("failed", f"the worker process ended ({self.ended()})")
        if message[0] != "ready":
            self.kill()
            raise TvetKgError(f"a query worker could not load the graph: {message[1]}")
        if message[2]:
            log.warning("query worker %s runs without the network filter: %s", message[1], message[2])

    def trouble(self) -> str | None:
        """Why this worker cannot answer (ended, stopped), or None."""
        if not self.process.is_alive():
            return f"its process ended ({self.ended()})"
        state = _state(self.process.pid)
        if state in ("T", "t"):
            return "its process is stopped"
        if state in ("Z", "X"):
            return "its process ended"
        return None

    def ended(self) -> str:
        code = self.process.exitcode
        if code is None:
            return "still running"
        if code < 0:
            name = signal.Signals(-code).name
            hint = " (out of memory?)" if name in ("SIGKILL", "SIGABRT", "SIGSEGV") else ""
            return f"killed by {name}{hint}"
        return f"exit code {code}"

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=10)
        self.conn.close()


class Pool:
    """`size` worker processes answering and `spare` waiting; `run` takes an idle worker (waiting at
    most `wait` seconds for one) and answers within `timeout` seconds."""

    def __init__(self, source: Source, size: int = 2, timeout: float = 30.0, settings: Settings = Settings(),
                 spare: int = 1, name: str = "query"):
        self.source, self.size, self.timeout, self.settings = source, size, timeout, settings
        self.spare, self.name = spare, name
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._spares: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False

    @property
    def max_rows(self) -> int:
        return self.settings.caps.rows

    def start(self) -> "Pool":
        workers = [self._spawn() for _ in range(self.size + self.spare)]
        try:
            for worker in workers:
                worker.wait_ready()
        except TvetKgError:
            self.close()
            raise
        for worker in workers[:self.size]:
            self._idle.put(worker)
        self._spares.extend(workers[self.size:])
        return self

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, self.source, self.settings)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker, why: str) -> None:
        """Kill `worker`; a spare takes its place at once, and a fresh worker loads in the background."""
        log.warning("%s worker %s replaced: %s", self.name, worker.process.pid, why)
        with self._lock:
            self._all.discard(worker)
            promoted = self._spares.pop() if self._spares else None
        worker.kill()
        if self._closed:
            return
        if promoted is not None:
            self._idle.put(promoted)

        def restart():
            fresh = self._spawn()
            try:
                fresh.wait_ready()
            except TvetKgError as error:
                log.error("%s worker could not start: %s", self.name, error)
                with self._lock:
                    self._all.discard(fresh)
                return
            if promoted is not None:
                with self._lock:
                    self._spares.append(fresh)
            else:
                self._idle.put(fresh)

        threading.Thread(target=restart, daemon=True, name="tvetkg-worker-restart").start()

    def _take(self, wait: float) -> _Worker:
        deadline = time.monotonic() + wait
        while True:
            try:
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise QueryFailed(503, f"no {self.name} worker was free within {wait:g} s: "
                                       "the server is busy, try again shortly") from None
            why = worker.trouble()
            if why is None:
                return worker
            self._replace(worker, f"found unable to answer before a query: {why}")

    def run(self, task: Task, abandoned: threading.Event | None = None, wait: float | None = None) -> Answer:
        """The answer to `task`. `abandoned`, once set, stops the query (its worker is killed)."""
        if self._closed:
            raise QueryFailed(503, "the server is stopping")
        worker = self._take(self.timeout if wait is None else wait)
        try:
            worker.conn.send(task)
            deadline = time.monotonic() + self.timeout
            while not worker.conn.poll(_WATCH):
                why = worker.trouble()
                if why is not None:
                    self._replace(worker, f"while answering: {why}")
                    worker = None
                    raise QueryFailed(500, f"the query's worker failed ({why}); a new one is starting")
                if abandoned is not None and abandoned.is_set():
                    self._replace(worker, "its client went away")
                    worker = None
                    raise QueryFailed(499, "the client went away; the query was stopped")
                if time.monotonic() > deadline:
                    self._replace(worker, f"a query ran past the {self.timeout:g} s timeout")
                    worker = None
                    raise QueryFailed(503, f"the query ran for more than {self.timeout:g} s, this server's "
                                           "timeout, and was stopped: narrow it or add LIMIT")
            message = worker.conn.recv()
        except (EOFError, OSError):
            why = worker.trouble() or "its pipe broke"
            self._replace(worker, f"while answering: {why}")
            worker = None
            raise QueryFailed(500, f"the query's worker failed ({why}); a new one is starting") from None
        finally:
            if worker is not None:
                self._idle.put(worker)
        if message[0] == "error":
            if message[1] >= 500:
                log.error("%s query failed: %s", self.name, message[2])
            raise QueryFailed(message[1], message[2])
        return message[1]

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._all]

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
