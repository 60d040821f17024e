"""`tvetkg publish`: load the graph into a SPARQL 1.1 server, so that readers see the old graph or the new one.

Steps, each named in the error if it fails:
  1. read    parse the ontology and the graph locally (a broken file stops here);
  2. upload  put each graph into a fresh staging graph (Graph Store HTTP Protocol,
             or SPARQL Update INSERT DATA where the server offers only that);
  3. verify  count each staging graph's triples on the server;
  4. swap    one SPARQL Update request of `MOVE` operations replaces the published
             graphs with the staging ones (one transaction on Oxigraph, Virtuoso, Fuseki).
A failure before the swap drops the staging graphs and leaves the published ones as they were.

By default the named graphs are published as they are (the ontology's, and one per
source document); `--graph IRI` publishes everything merged into that one graph.
"""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from tvetkg.errors import TvetKgError
from tvetkg.export import datasets, triples

DEFAULT_GRAPH = "https://w3id.org/oic-tvet/graph/default"
CHUNK = 20_000


class PublishError(TvetKgError):
    def __init__(self, step: str, reason: str, cleaned: bool):
        after = "the published graphs are unchanged" if step != "swap" else "check the server's graphs"
        note = "" if cleaned else " (some staging graphs may remain: DROP GRAPH <urn:tvetkg:staging:…>)"
        super().__init__(f"publish failed at step '{step}': {reason}; {after}{note}")
        self.step = step


@dataclass
class Server:
    query_url: str
    update_url: str
    store_url: str | None
    user: str | None = None
    password: str | None = None
    timeout: float = 120

    @classmethod
    def from_endpoint(cls, endpoint: str, update: str | None = None, store: str | None = None,
                      user=None, password=None, use_store: bool = True) -> "Server":
        """Oxigraph's layout by default: …/query, …/update and …/store beside each other."""
        from tvetkg.query import check_endpoint

        base = endpoint[: -len("/query")] if endpoint.endswith("/query") else None
        update = update or (base + "/update" if base else endpoint)
        store = store or (base + "/store" if base else None)
        for url in (endpoint, update, store):
            if url is not None:
                check_endpoint(url)
        return cls(endpoint, update, store if use_store else None, user, password)

    def _request(self, url, data: bytes, content_type: str, method="POST", accept=None) -> bytes:
        headers = {"Content-Type": content_type}
        if accept:
            headers["Accept"] = accept
        if self.user:
            token = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace").strip()[:300]
            if error.code in (401, 403):
                raise ConnectionError(f"{url}: HTTP {error.code}, the server refused the credentials") from None
            raise ConnectionError(f"{url}: HTTP {error.code} {error.reason} {detail}".strip()) from None
        except (urllib.error.URLError, OSError) as error:
            raise ConnectionError(f"{url}: cannot reach the server ({getattr(error, 'reason', error)})") from None

    def update(self, sparql: str) -> None:
        self._request(self.update_url, sparql.encode(), "application/sparql-update")

    def count(self, graph: str) -> int:
        sparql = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        body = urllib.parse.urlencode({"query": sparql}).encode()
        answer = json.loads(self._request(self.query_url, body, "application/x-www-form-urlencoded",
                                          accept="application/sparql-results+json"))
        bindings = answer["results"]["bindings"]
        return int(bindings[0]["n"]["value"]) if bindings else 0

    def put_graph(self, graph: str, lines: list[str]) -> None:
        if self.store_url:
            url = f"{self.store_url}?graph={urllib.parse.quote(graph, safe='')}"
            self._request(url, "".join(lines).encode(), "application/n-triples", method="PUT")
            return
        # A blank node's label holds only within one request: the triples that touch
        # blank nodes (OWL lists, restrictions) go together, in an INSERT template,
        # which every server accepts with blank nodes (Virtuoso refuses them in INSERT DATA).
        plain = [line for line in lines if "_:" not in line]
        with_blank_nodes = [line for line in lines if "_:" in line]
        self.update(f"DROP SILENT GRAPH <{graph}>")
        for start in range(0, len(plain), CHUNK):
            self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{''.join(plain[start:start + CHUNK])}}} }}")
        if with_blank_nodes:
            self.update(f"INSERT {{ GRAPH <{graph}> {{\n{''.join(with_blank_nodes)}}} }} WHERE {{}}")


@dataclass
class Published:
    graphs: dict[str, int] = field(default_factory=dict)


def plan(kg_dir: Path | None, graph: str | None) -> dict[str, list[str]]:
    """Target graph -> its N-Triples lines, each triple once."""
    data = datasets(kg_dir)
    quads = data["ontology"] + data["graph"]
    if graph:
        return {graph: [f"{t} .\n" for t in triples(lambda: quads)]}
    grouped: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else DEFAULT_GRAPH
        grouped.setdefault(name, []).append(quad)
    return {name: [f"{t} .\n" for t in triples(lambda qs=qs: qs)] for name, qs in grouped.items()}


def publish(server: Server, kg_dir: Path | None = None, graph: str | None = None, progress=None) -> Published:
    step = "read"
    say = progress or (lambda message: None)
    targets = plan(kg_dir, graph)  # a TvetKgError here names the broken file; nothing was sent
    run = uuid.uuid4().hex[:12]
    staging = {target: f"urn:tvetkg:staging:{run}:{n}" for n, target in enumerate(sorted(targets))}
    touched = []  # staging graphs the server may hold
    try:
        step = "upload"
        for target, lines in sorted(targets.items()):
            say(f"upload {len(lines)} triples for <{target}>")
            touched.append(staging[target])
            server.put_graph(staging[target], lines)
        step = "verify"
        for target, lines in sorted(targets.items()):
            found = server.count(staging[target])
            if found != len(lines):
                raise ConnectionError(f"<{target}>: the server holds {found} triples, {len(lines)} were sent")
        step = "swap"
        say(f"swap {len(targets)} graphs in one update")
        server.update(" ;\n".join(f"MOVE GRAPH <{staging[t]}> TO GRAPH <{t}>" for t in sorted(targets)))
    except ConnectionError as error:
        cleaned = True
        if step != "swap" and touched:
            try:
                server.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in touched))
            except ConnectionError:
                cleaned = len(touched) == 1  # the one graph whose upload failed was never created
        raise PublishError(step, str(error), cleaned) from None
    return Published({t: len(lines) for t, lines in targets.items()})
