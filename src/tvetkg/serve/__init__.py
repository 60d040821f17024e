"""`tvetkg serve`: a read-only SPARQL 1.1 endpoint, the graph's IRIs as linked-data pages, and an explorer.

Served by uvicorn. Queries run in worker processes that each hold the graph (see `workers`), so a query
past the timeout is stopped without stopping the server.
"""

import socket
from pathlib import Path

from tvetkg import sizes
from tvetkg.errors import TvetKgError


def _check_free(host: str, port: int) -> None:
    """Refuse a taken address before the graph is loaded, rather than after."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise TvetKgError(f"cannot listen on {host}:{port}: {error.strerror} (is another server there? "
                              "choose another --port)") from None


def serve(host: str = "127.0.0.1", port: int = 8000, kg_dir: Path | None = None, store_dir: Path | None = None,
          limits=None, inferred: bool = False, log_level: str = "info", connections: int = 1000) -> None:
    """Serve until interrupted. `limits` is a `site.Limits` (its defaults, with as many query workers as
    cores, when None); past `connections` open connections, uvicorn answers 503."""
    import uvicorn

    from tvetkg.serve.app import cpu_count, create_app
    from tvetkg.serve.site import Limits, Site
    from tvetkg.serve.workers import Source
    from tvetkg.store import open_graph

    limits = limits or Limits(workers=cpu_count())
    limits.check()
    _check_free(host, port)
    if store_dir is not None:  # brought up to date once, here; the workers open it read-only
        graph = open_graph(kg_dir, store_dir, inferred)
        del graph
    site = Site(Source(kg_dir, store_dir, inferred), limits, f"http://{host}:{port}/sparql")
    site.start()  # a graph that does not load stops here, with the workers' message
    count = f"{limits.workers} query worker{'s' if limits.workers != 1 else ''}"
    extra = f" + {limits.spare} spare" if limits.spare else ""
    print(f"serving http://{host}:{port}/ ({count}{extra}, {limits.page_workers} for pages; timeout "
          f"{limits.timeout:g} s, at most {limits.max_rows:,} rows and {sizes.describe(limits.max_bytes)} an answer, "
          f"{limits.queue} waiting); Ctrl+C stops", flush=True)
    try:
        uvicorn.run(create_app(site), host=host, port=port, log_level=log_level, timeout_graceful_shutdown=5,
                    limit_concurrency=connections, timeout_keep_alive=5)
    finally:
        site.close()

