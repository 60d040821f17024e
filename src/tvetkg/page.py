"""The interactive network page: one self-contained HTML file, no CDN, no request, works offline.

The template (templates/network.html) draws an SVG from the layout computed by
networkx, with zoom, pan, search, colour by type or community, and a panel of each
node's figures and shared activities. The data is inlined as JSON.
"""

import html
import json
from importlib.resources import files
from pathlib import Path

import networkx as nx

from tvetkg.draw import colours, groups

WORDS = {
    "en": {"colour": "Colour by", "type": "type", "community": "community", "search": "Search an organisation",
           "hint": "Click a node to see its figures and partners; scroll to zoom, drag to move."},
    "fr": {"colour": "Couleur par", "type": "type", "community": "communauté", "search": "Chercher une organisation",
           "hint": "Cliquez sur un nœud pour voir ses chiffres et ses partenaires ; molette pour zoomer, glisser pour déplacer."},
    "ar": {"colour": "التلوين حسب", "type": "النوع", "community": "المجموعة", "search": "البحث عن منظمة",
           "hint": "انقر على عقدة لعرض أرقامها وشركائها؛ استعمل العجلة للتكبير والسحب للتحريك."},
}
FIELDS = [("type", "type"), ("acronym", "acronym"), ("country_label", "country"), ("degree", "degree"),
          ("weighted_degree", "weighted degree"), ("betweenness", "betweenness"), ("pagerank", "PageRank"),
          ("community", "community"), ("start", "date"), ("area", "cooperation area")]
_NODE_KEYS = ("label", "type", "acronym", "country", "country_label", "kind", "degree", "weighted_degree",
              "betweenness", "pagerank", "community", "start", "area", "x", "y")


def data(graph: nx.Graph, title: str) -> dict:
    """The page's data: nodes with their colours per mode, links, field names. IRIs are left out."""
    by = {mode: (colours(graph, mode), groups(graph, mode)) for mode in ("type", "community")}
    nodes = []
    for node, attrs in graph.nodes(data=True):
        item = {"id": node, **{k: attrs[k] for k in _NODE_KEYS if k in attrs}}
        item["community"] = attrs["community"] + 1
        item["colour"] = {mode: by[mode][0][node] for mode in by}
        item["group"] = {mode: by[mode][1][node] for mode in by}
        nodes.append(item)
    links = [{"source": u, "target": v, "weight": d["weight"], "activities": d.get("activities", ""),
              "roles": d.get("roles", "")} for u, v, d in graph.edges(data=True)]
    return {"title": title, "nodes": nodes, "links": links, "fields": FIELDS}


def write(graph: nx.Graph, path: Path, colour_by: str = "type", lang: str = "en", title: str = "") -> Path:
    Path(path).write_text(render(graph, colour_by, lang, title), encoding="utf-8")
    return Path(path)


def render(graph: nx.Graph, colour_by: str = "type", lang: str = "en", title: str = "") -> str:
    """The page as HTML text."""
    words = WORDS.get(lang, WORDS["en"])
    payload = json.dumps(data(graph, title), ensure_ascii=False).replace("</", "<\\/")
    text = files("tvetkg").joinpath("templates/network.html").read_text(encoding="utf-8")
    for key, value in {
        "__LANG__": lang, "__DIR__": "rtl" if lang == "ar" else "ltr", "__TITLE__": html.escape(title),
        "__COLOUR__": words["colour"], "__TYPE__": words["type"], "__COMMUNITY__": words["community"],
        "__SEARCH__": words["search"], "__HINT__": words["hint"],
    }.items():
        text = text.replace(key, value)
    if colour_by == "community":
        text = text.replace('<option value="community">', '<option value="community" selected>')
    return text.replace("__DATA__", payload)
