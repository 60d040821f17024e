"""What the handlers of `tvetkg serve` share: the settings, the two pools of workers (one for visitors'
SPARQL, one for the site's own pages, so that pages answer whatever the query load), admission control,
and the dumps written at start."""

import concurrent.futures
import json
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import anyio

from tvetkg.errors import QueryFailed, TvetKgError
from tvetkg.serve.admission import Admission, Refused, Rules
from tvetkg.serve.answer import Caps, Task
from tvetkg.serve.workers import Pool, Settings, Source
from tvetkg.sparql_text import MAX_DEPTH, MAX_TOKENS


@dataclass(frozen=True)
class Limits:
    """Everything an operator bounds (the `tvetkg serve` options of the same names)."""

    workers: int = 2
    timeout: float = 30.0
    max_rows: int = 100_000
    max_bytes: int = 64 << 20
    max_body: int = 1 << 20
    queue: int = 64
    client_queries: int = 2
    client_seconds: float = 60.0
    worker_memory: int | None = 2 << 30
    spare: int = 1
    page_workers: int = 1
    max_depth: int = MAX_DEPTH
    max_tokens: int = MAX_TOKENS
    body_seconds: float = 30.0  # to send a request body

    def check(self) -> None:
        for name in ("workers", "timeout", "max_rows", "max_bytes", "max_body", "client_queries",
                     "client_seconds", "page_workers", "max_depth", "max_tokens"):
            if getattr(self, name) <= 0:
                raise TvetKgError(f"--{name.replace('_', '-')} must be positive")
        if self.queue < 0 or self.spare < 0:
            raise TvetKgError("--queue and --spare must be 0 or more")


@dataclass(eq=False)  # one site, hashed by identity (the network page's cache)
class Site:
    source: Source
    limits: Limits
    endpoint_url: str
    pool: Pool = field(init=False)
    pages: Pool = field(init=False)

    def __post_init__(self):
        limits = self.limits
        settings = Settings(Caps(limits.max_rows, limits.max_bytes), limits.worker_memory)
        self.pool = Pool(self.source, limits.workers, limits.timeout, settings, limits.spare, "query")
        # the site's own queries (a resource's page, the home page): a larger cap, as a much-cited organisation's
        # page reads thousands of statements, whatever rows a visitor may ask of /sparql
        pages = Settings(Caps(max(limits.max_rows, 100_000), max(limits.max_bytes, 64 << 20)), limits.worker_memory)
        self.pages = Pool(self.source, limits.page_workers, limits.timeout, pages, 0, "page")
        # Twice as many queries admitted as there are workers: the second of each pair already waits on a
        # thread when a worker frees, so no worker idles while the event loop hands the slot on (that
        # hand-over halved the throughput of 50 clients, side by side: 220 against 480 answers a second).
        slots = 2 * limits.workers
        self.admission = Admission(Rules(slots, limits.queue, limits.client_queries, limits.client_seconds),
                                   wait=limits.timeout)
        # the threads that talk to query workers, apart from those that serve pages and files
        self.executor = concurrent.futures.ThreadPoolExecutor(slots, thread_name_prefix="tvetkg-query")
        self._page_limiter: anyio.CapacityLimiter | None = None
        self._dist_dir = Path(tempfile.mkdtemp(prefix="tvetkg-serve-")) / "dist"
        self._dist_ready = threading.Event()
        self._dist_error: str | None = None

    def start(self) -> None:
        threading.Thread(target=self._export, daemon=True, name="tvetkg-export").start()
        self.pool.start()
        try:
            self.pages.start()
        except TvetKgError:
            self.pool.close()
            raise

    def close(self) -> None:
        self.pool.close()
        self.pages.close()
        self.executor.shutdown(wait=False, cancel_futures=True)
        shutil.rmtree(self._dist_dir.parent, ignore_errors=True)

    def _export(self) -> None:
        from tvetkg.export import export

        try:
            export(self._dist_dir, kg_dir=self.source.kg_dir, endpoint=self.endpoint_url)
        except (TvetKgError, OSError) as error:
            self._dist_error = str(error)
        finally:
            self._dist_ready.set()

    def dist(self) -> Path:
        """The folder of dumps (as `tvetkg export` writes it), waiting for it if need be."""
        if not self._dist_ready.wait(timeout=600) or self._dist_error:
            raise QueryFailed(503, f"the dumps are not available: {self._dist_error or 'still being written'}")
        return self._dist_dir

    async def in_pages(self, function, *args):
        """`function(*args)` on one of the few threads that build pages: their queries go to the page
        workers; past a queue as long as `limits.queue`, the page is refused (503)."""
        if self._page_limiter is None:
            self._page_limiter = anyio.CapacityLimiter(2 * self.limits.page_workers)
        if self._page_limiter.statistics().tasks_waiting >= max(1, self.limits.queue):
            raise Refused(503, "the server is busy building pages; try again shortly", 2)
        return await anyio.to_thread.run_sync(function, *args, limiter=self._page_limiter)

    def results(self, sparql: str) -> tuple[list[str], list[dict]]:
        """A SELECT query's variables and solutions (SPARQL JSON terms), answered by a page worker."""
        data = json.loads(self.pages.run(Task(sparql)).body)
        return data["head"]["vars"], data["results"]["bindings"]

    def rows(self, sparql: str) -> list[dict]:
        return self.results(sparql)[1]
