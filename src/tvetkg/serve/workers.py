"""Query workers: processes that each hold the graph and answer SPARQL, so that a query running past the
timeout is stopped by killing its process, and a result past the row cap is refused before it is serialised.

The server keeps a fixed number of workers (memory stays bounded whatever the load); a request waits
for an idle one. A killed worker is replaced in the background.
"""

import json
import multiprocessing
import os
import queue
import signal
import threading
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from tvetkg.errors import TvetKgError
from tvetkg.namespaces import PREFIXES

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_START_TIMEOUT = 600  # seconds for a worker to load the graph (a large graph takes minutes)


class QueryFailed(TvetKgError):
    """A query the workers could not answer; `status` is the HTTP status that says why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Source:
    """Where a worker finds the graph: `kg_dir` loaded in memory, or the on-disk store of `store_dir`."""

    kg_dir: Path | None = None
    store_dir: Path | None = None
    inferred: bool = False


@dataclass(frozen=True)
class Task:
    sparql: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    results_format: str | None = "application/sparql-results+json"  # for SELECT and ASK; None: not acceptable
    graph_format: str | None = "application/n-triples"  # for CONSTRUCT and DESCRIBE; None: not acceptable


@dataclass(frozen=True)
class Answer:
    """The serialised results, their media type, and how many solutions or triples they hold."""

    body: bytes
    media_type: str
    rows: int


RESULTS_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def _open(source: Source):
    from tvetkg.store import open_graph, open_read_only

    if source.store_dir is not None:
        return open_read_only(source.kg_dir, source.store_dir, source.inferred)
    return open_graph(source.kg_dir, None, source.inferred)


def json_term(term) -> dict:
    """An RDF term as a SPARQL 1.1 JSON results term (RDF-star triples included)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        item = {"type": "literal", "value": term.value}
        if term.language:
            item["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            item["datatype"] = term.datatype.value
        return item
    return {"type": "triple", "value": {"subject": json_term(term.subject), "predicate": json_term(term.predicate),
                                        "object": json_term(term.object)}}


def answer(graph, task: Task, max_rows: int) -> Answer:
    """Run `task` on `graph`; more than `max_rows` solutions or triples raise QueryFailed (413)."""
    options = {"use_default_graph_as_union": not task.default_graphs}
    if task.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in task.default_graphs]
    if task.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in task.named_graphs]
    try:
        result = graph.store.query(task.sparql, **options)
        if isinstance(result, ox.QueryTriples):
            _acceptable(task.graph_format, GRAPH_FORMATS, "CONSTRUCT and DESCRIBE")
            triples = _capped(result, max_rows, "triples")
            rdf_format = GRAPH_FORMATS[task.graph_format]
            prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
            body = ox.serialize(triples, format=rdf_format, prefixes=prefixes)
            return Answer(body, task.graph_format, len(triples))
        _acceptable(task.results_format, RESULTS_FORMATS, "SELECT and ASK")
        if isinstance(result, ox.QueryBoolean):
            data, rows = {"head": {}, "boolean": bool(result)}, 1
        else:
            names = [v.value for v in result.variables]
            bindings = [{name: json_term(term) for name, term in zip(names, solution, strict=True) if term is not None}
                        for solution in _capped(result, max_rows, "rows")]
            data, rows = {"head": {"vars": names}, "results": {"bindings": bindings}}, len(bindings)
    except SyntaxError as error:
        raise QueryFailed(400, f"SPARQL syntax error: {error.msg}") from None
    except OSError as error:
        raise QueryFailed(500, f"the query failed: {error}") from None
    body = json.dumps(data, ensure_ascii=False).encode()
    if task.results_format != "application/sparql-results+json":
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        body = parsed.serialize(format=RESULTS_FORMATS[task.results_format])
    return Answer(body, task.results_format, rows)


def _acceptable(media_type: str | None, offered: dict, forms: str) -> None:
    if media_type is None:
        raise QueryFailed(406, f"none of the types asked for is offered for {forms} results: "
                               f"use one of {', '.join(offered)}")


def _capped(items, max_rows: int, what: str) -> list:
    kept = []
    for item in items:
        if len(kept) == max_rows:
            raise QueryFailed(413, f"the result has more than {max_rows:,} {what}, this server's limit: "
                                   "add LIMIT (and OFFSET to page), or ask for fewer")
        kept.append(item)
    return kept


def _main(conn, source: Source, max_rows: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers itself
    try:
        graph = _open(source)
    except Exception as error:  # reported to the server, which names it
        conn.send(("failed", f"{type(error).__name__}: {error}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", answer(graph, task, max_rows)))
        except QueryFailed as error:
            conn.send(("error", error.status, str(error)))


class _Worker:
    def __init__(self, context, source: Source, max_rows: int):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_main, args=(child, source, max_rows), daemon=True,
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
            message = ("failed", f"the worker process ended (exit code {self.process.exitcode})")
        if message[0] != "ready":
            self.kill()
            raise TvetKgError(f"a query worker could not load the graph: {message[1]}")

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=10)
        self.conn.close()


class Pool:
    """`size` worker processes; `run` blocks until one is free, then answers within `timeout` seconds."""

    def __init__(self, source: Source, size: int = 2, timeout: float = 30.0, max_rows: int = 100_000):
        self.source, self.size, self.timeout, self.max_rows = source, size, timeout, max_rows
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False

    def start(self) -> "Pool":
        workers = [self._spawn() for _ in range(self.size)]
        try:
            for worker in workers:
                worker.wait_ready()
        except TvetKgError:
            self.close()
            raise
        for worker in workers:
            self._idle.put(worker)
        return self

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, self.source, self.max_rows)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        if self._closed:
            return

        def restart():
            fresh = self._spawn()
            try:
                fresh.wait_ready()
            except TvetKgError:
                with self._lock:
                    self._all.discard(fresh)
                return
            self._idle.put(fresh)

        threading.Thread(target=restart, daemon=True).start()

    def run(self, task: Task) -> Answer:
        if self._closed:
            raise QueryFailed(503, "the server is stopping")
        worker = self._idle.get()
        try:
            worker.conn.send(task)
            if not worker.conn.poll(self.timeout):
                self._replace(worker)
                worker = None
                raise QueryFailed(503, f"the query ran for more than {self.timeout:g} s, this server's "
                                       "timeout, and was stopped: narrow it or add LIMIT")
            message = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            worker = None
            raise QueryFailed(500, "the query's worker process ended unexpectedly (out of memory?); "
                                   "a new one is starting") from None
        finally:
            if worker is not None:
                self._idle.put(worker)
        if message[0] == "error":
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
