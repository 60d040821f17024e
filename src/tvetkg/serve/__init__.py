"""`tvetkg serve`: a read-only SPARQL 1.1 endpoint, the graph's IRIs as linked-data pages, and an explorer.

Served by uvicorn. Queries run in worker processes that each hold the graph (see `workers`), so a query
past the timeout is stopped without stopping the server.
"""

from pathlib import Path


def serve(host: str = "127.0.0.1", port: int = 8000, kg_dir: Path | None = None, store_dir: Path | None = None,
          workers: int | None = None, timeout: float = 30.0, max_rows: int = 100_000, inferred: bool = False,
          log_level: str = "info") -> None:
    import uvicorn

    from tvetkg.serve.app import Site, cpu_count, create_app
    from tvetkg.serve.workers import Source
    from tvetkg.store import open_graph

    if store_dir is not None:  # brought up to date once, here; the workers open it read-only
        graph = open_graph(kg_dir, store_dir, inferred)
        del graph
    site = Site(Source(kg_dir, store_dir, inferred), workers or cpu_count(), timeout, max_rows,
                f"http://{host}:{port}/sparql")
    site.start()  # a graph that does not load stops here, with the workers' message
    try:
        uvicorn.run(create_app(site), host=host, port=port, log_level=log_level, timeout_graceful_shutdown=5)
    finally:
        site.close()
