"""Partner networks, built with networkx from the graph's involvements, measured and exported.

Three networks, all from the rows of `queries/network/involvements.rq` and
`queries/network/organisations.rq` (so they build the same from the embedded store
or an --endpoint):

- organisations: linked when involved in the same activity; weight = shared activities;
- bipartite: organisations and activities, linked by the roles played;
- countries: linked when organisations based in them shared an activity.
"""

import json
import random
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import networkx as nx

from tvetkg import collector, graphxml
from tvetkg.catalogue import catalogue
from tvetkg.errors import TvetKgError
from tvetkg.namespaces import shorten

KINDS = ("organisations", "bipartite", "countries")
FORMATS = ("graphml", "gexf", "json", "png", "svg", "html")
DATA_FORMATS = ("graphml", "gexf", "json")
ROLES = ("organiser", "partner", "contentProvider", "funder")
SEP = " | "


@dataclass(frozen=True)
class Filters:
    """What part of the graph to draw; `None` means no restriction."""

    lang: str = "en"
    area: str | None = None
    since: str | None = None
    until: str | None = None
    role: str | None = None
    type: str | None = None

    def params(self) -> dict[str, str]:
        values = {"lang": self.lang}
        if self.area:
            values["area"] = self.area if ":" in self.area else f"id:cooperation-area-{self.area}"
        if self.role:
            if self.role not in ROLES:
                raise TvetKgError(f"--role {self.role!r}: use one of {', '.join(ROLES)}")
            values["role"] = f"tvet:{self.role}"
        if self.type:
            values["type"] = self.type if ":" in self.type else f"tvet:{self.type}"
        for name in ("since", "until"):
            if getattr(self, name):
                values[name] = getattr(self, name)
        return values


def texts(filters: Filters) -> tuple[str, str]:
    """The SPARQL of the involvements and of the organisations that `fetch` runs."""
    queries = catalogue()
    return (queries["network/involvements"].bind(filters.params()),
            queries["network/organisations"].bind({"lang": filters.lang}))


def fetch(run, filters: Filters) -> tuple[list[dict], dict[str, dict]]:
    """The involvement rows and the organisations' attributes; `run(sparql)` is a local or remote query runner."""
    involvements, organisations = texts(filters)
    rows = list(run(involvements).values())
    orgs = {row["org"]: row for row in run(organisations).values()}
    return rows, orgs


def write_all(folder: Path, answers: dict[str, bytes], draw_limit: int, kinds=KINDS) -> dict[str, dict]:
    """The networks of the whole graph written to `folder`, drawn up to `draw_limit` nodes; `answers` holds
    the SPARQL JSON results of `texts(Filters())`. Returns each network's size and formats."""
    from tvetkg.query import Results

    rows, orgs = fetch(lambda sparql: Results(json=answers[sparql]), Filters())
    written = {}
    for kind in kinds:
        network = build_network(kind, rows, orgs)
        # A picture of tens of thousands of nodes says nothing and takes minutes: the data formats only
        formats = FORMATS if len(network) <= draw_limit else DATA_FORMATS
        export(network, folder, kind, formats=formats, title=f"{kind} network")
        written[kind] = {"nodes": len(network), "edges": network.number_of_edges(), "formats": list(formats)}
    return written


def _org_node(org: str, orgs: dict) -> dict:
    info = orgs.get(org, {})
    return {
        "kind": "organisation",
        "label": info.get("label", shorten(org)),
        "type": info.get("type", ""),
        "acronym": info.get("acronym", ""),
        "country": info.get("country", ""),
        "country_label": info.get("countryLabel", ""),
        "iri": org,
    }


def _activities(rows: list[dict]) -> dict[str, dict]:
    """Each activity with its title, date, type, area and {organisation: set of roles}."""
    activities: dict[str, dict] = {}
    for row in rows:
        activity = activities.setdefault(row["activity"], {
            "title": row.get("title", shorten(row["activity"])), "start": row.get("start", ""),
            "type": row.get("activityType", ""), "area": row.get("areaNotation", ""), "roles": defaultdict(set)})
        activity["roles"][row["org"]].add(row["roleName"])
    return activities


def organisation_network(rows: list[dict], orgs: dict) -> nx.Graph:
    graph = nx.Graph(kind="organisations")
    activities = _activities(rows)
    for activity in activities.values():
        for org in activity["roles"]:
            graph.add_node(shorten(org), **_org_node(org, orgs))
    for key in sorted(activities):
        activity = activities[key]
        for a, b in combinations(sorted(activity["roles"]), 2):
            u, v = shorten(a), shorten(b)
            pair = "–".join(sorted(["/".join(sorted(activity["roles"][a])), "/".join(sorted(activity["roles"][b]))]))
            if graph.has_edge(u, v):
                edge = graph.edges[u, v]
                edge["weight"] += 1
                edge["activities"] += SEP + activity["title"]
                edge["dates"] += SEP + activity["start"]
                if pair not in edge["roles"].split(SEP):
                    edge["roles"] += SEP + pair
            else:
                graph.add_edge(u, v, weight=1, activities=activity["title"], dates=activity["start"], roles=pair)
    return graph


def bipartite_network(rows: list[dict], orgs: dict) -> nx.Graph:
    graph = nx.Graph(kind="bipartite")
    for key, activity in sorted(_activities(rows).items()):
        node = shorten(key)
        graph.add_node(node, kind="activity", bipartite=1, label=activity["title"], type=activity["type"],
                       start=activity["start"], area=activity["area"], acronym="", country="", country_label="", iri=key)
        for org, roles in activity["roles"].items():
            graph.add_node(shorten(org), bipartite=0, **_org_node(org, orgs))
            graph.add_edge(shorten(org), node, weight=1, roles="/".join(sorted(roles)))
    return graph


def country_network(rows: list[dict], orgs: dict) -> nx.Graph:
    graph = nx.Graph(kind="countries")
    shared: dict[tuple, list] = defaultdict(list)
    organisations: dict[str, set] = defaultdict(set)
    for key in sorted(activities := _activities(rows)):
        activity = activities[key]
        countries = set()
        for org in activity["roles"]:
            info = orgs.get(org, {})
            if info.get("country"):
                countries.add(info["country"])
                organisations[info["country"]].add(org)
                graph.add_node(info["country"], kind="country", label=info.get("countryLabel", info["country"]),
                               type="Country", acronym="", country=info["country"],
                               country_label=info.get("countryLabel", ""), iri="")
        for a, b in combinations(sorted(countries), 2):
            shared[(a, b)].append(activity)
    for node in graph.nodes:
        graph.nodes[node]["organisations"] = len(organisations[node])
    for (a, b), items in shared.items():
        graph.add_edge(a, b, weight=len(items), activities=SEP.join(i["title"] for i in items),
                       dates=SEP.join(i["start"] for i in items), roles="")
    return graph


BUILDERS = {"organisations": organisation_network, "bipartite": bipartite_network, "countries": country_network}


@collector.paused()  # the bipartite network of a million statements: built and written in 21 s with it, 14 s without
def build_network(kind: str, rows: list[dict], orgs: dict) -> nx.Graph:
    if kind not in BUILDERS:
        raise TvetKgError(f"--kind {kind!r}: use one of {', '.join(KINDS)}")
    graph = BUILDERS[kind](rows, orgs)
    if graph.number_of_nodes() == 0:
        raise TvetKgError("no organisation took part in an activity that matches the filters")
    measure(graph)
    return graph


EXACT_LIMIT = 5000  # nodes: betweenness is exact up to this size
SAMPLED_SOURCES = 100  # beyond it, estimated from this many sampled sources
DRAW_LIMIT = 5000  # nodes: `build` draws a network (png, svg, html) up to this size


def measure(graph: nx.Graph) -> None:
    """Degree, weighted degree, betweenness, PageRank, Louvain community and a layout, onto the nodes.

    Betweenness, communities and the layout are computed by igraph (C): networkx's
    betweenness took 120 s on the 2,500 organisations of a million statements, where
    igraph's exact one takes 3 s. Betweenness is networkx's definition and
    normalisation (a test holds them equal): exact up to EXACT_LIMIT nodes, beyond that
    estimated from SAMPLED_SOURCES sources (Brandes-Pich), the sample networkx would draw
    with seed 42. Everything is seeded, so a graph always gives the same figures.
    """
    import igraph

    nodes = list(graph)
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    for u, v, data in graph.edges(data=True):
        data["distance"] = 1.0 / data["weight"]
    edges = list(graph.edges(data=True))
    network = igraph.Graph(n=n, edges=[(index[u], index[v]) for u, v, _ in edges])
    weights = [data["weight"] for _, _, data in edges]
    distances = [data["distance"] for _, _, data in edges]
    sources = None if n <= EXACT_LIMIT else random.Random(42).sample(nodes, SAMPLED_SOURCES)
    raw = network.betweenness(directed=False, weights=distances or None,
                              sources=None if sources is None else [index[s] for s in sources])
    # networkx's normalisation: igraph counts each unordered pair once, networkx each ordered pair of
    # (n-1)(n-2); from k sampled sources, networkx divides by k(n-2), or by (k-1)(n-2) at a source.
    if n <= 2:
        scale = {node: 0.0 for node in nodes}
    elif sources is None:
        scale = dict.fromkeys(nodes, 2 / ((n - 1) * (n - 2)))
    else:
        k = len(sources)
        scale = dict.fromkeys(nodes, 2 / (k * (n - 2))) | dict.fromkeys(sources, 2 / ((k - 1) * (n - 2)))
    pagerank = nx.pagerank(graph, weight="weight") if edges else {node: 1 / n for node in nodes}
    igraph.set_random_number_generator(random.Random(42))  # igraph draws from a Python Random: seeded
    try:
        if edges:
            groups = [{nodes[i] for i in group} for group in network.community_multilevel(weights=weights)]
        else:
            groups = [set(nodes)]
        # Above a few hundred nodes, repulsion is counted on a grid (exact, it took seconds at 1,000 nodes)
        layout = network.layout_fruchterman_reingold(weights=weights or None, niter=500 if n <= EXACT_LIMIT else 50,
                                                     grid="grid" if n > 300 else "nogrid")
    finally:
        igraph.set_random_number_generator(random)  # igraph's default
    ordered = sorted(groups, key=lambda g: (-len(g), sorted(g)))
    community = {node: number for number, group in enumerate(ordered) for node in group}
    coordinates = _unit_square(layout.coords)
    for i, node in enumerate(nodes):
        data = graph.nodes[node]
        data["degree"] = graph.degree(node)
        data["weighted_degree"] = graph.degree(node, weight="weight")
        data["betweenness"] = round(raw[i] * scale[node], 6)
        data["pagerank"] = round(pagerank[node], 6)
        data["community"] = community[node]
        data["x"], data["y"] = coordinates[i]


def _unit_square(coords: list) -> list[tuple[float, float]]:
    """Positions centred on 0 and scaled into [-1, 1], as networkx lays them out."""
    if not coords:
        return []
    centre = [sum(c[axis] for c in coords) / len(coords) for axis in (0, 1)]
    spread = max(max(abs(c[0] - centre[0]), abs(c[1] - centre[1])) for c in coords) or 1.0
    return [(round((c[0] - centre[0]) / spread, 4), round((c[1] - centre[1]) / spread, 4)) for c in coords]


def ranking(graph: nx.Graph) -> list[tuple[str, dict]]:
    """Nodes by PageRank, then weighted degree, then betweenness, then label."""
    return sorted(graph.nodes(data=True),
                  key=lambda item: (-item[1]["pagerank"], -item[1]["weighted_degree"], -item[1]["betweenness"],
                                    item[1]["label"]))


@collector.paused()
def export(graph: nx.Graph, out_dir: Path, name: str, formats=FORMATS, colour_by: str = "type",
           lang: str = "en", title: str = "") -> list[Path]:
    """Write the network in each format; returns the files written."""
    from tvetkg import draw, page

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    pictures = [out_dir / f"{name}.{fmt}" for fmt in formats if fmt in ("png", "svg")]
    if pictures:  # laid out and drawn once for both formats
        draw.draw(graph, pictures, colour_by=colour_by, title=title)
    for fmt in formats:
        path = out_dir / f"{name}.{fmt}"
        if fmt == "graphml":
            graphxml.write_graphml(graph, path)
        elif fmt == "gexf":
            graphxml.write_gexf(graph, path, _viz(graph, colour_by))
        elif fmt == "json":
            _write_json(graph, path)
        elif fmt in ("png", "svg"):
            pass  # drawn above
        elif fmt == "html":
            page.write(graph, path, colour_by=colour_by, lang=lang, title=title)
        else:
            raise TvetKgError(f"--format {fmt!r}: use {', '.join(FORMATS)} or all")
        written.append(path)
    return written


def _viz(graph: nx.Graph, colour_by: str) -> dict[str, dict]:
    """Gephi's viz attributes of each node: colour, size and position."""
    from tvetkg.draw import colours

    palette = colours(graph, colour_by)
    top = max(d["pagerank"] for _, d in graph.nodes(data=True))
    viz = {}
    for node, data in graph.nodes(data=True):
        r, g, b = (int(palette[node][i:i + 2], 16) for i in (1, 3, 5))
        viz[node] = {"color": {"r": r, "g": g, "b": b, "a": 1.0},
                     "size": round(5 + 25 * data["pagerank"] / top, 2),
                     "position": {"x": data["x"] * 500, "y": data["y"] * 500, "z": 0.0}}
    return viz


def _write_json(graph: nx.Graph, path: Path) -> None:
    """networkx's node-link data, a node or link per line (json's C encoder: an indent would use the Python one)."""
    data = nx.node_link_data(graph, edges="links")
    head = {k: v for k, v in data.items() if k not in ("nodes", "links")}
    with open(path, "w", encoding="utf-8") as out:
        out.write(json.dumps(head, ensure_ascii=False)[:-1])
        for name in ("nodes", "links"):
            items = ",\n  ".join(json.dumps(item, ensure_ascii=False) for item in data[name])
            out.write(f', "{name}": [\n  {items}\n]')
        out.write("}\n")
