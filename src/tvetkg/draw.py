"""Drawing a network as PNG or SVG with matplotlib: colour by type or community, size by PageRank.

Arabic labels are shaped and laid out right to left by matplotlib itself, through
the libraqm it bundles since 3.11 (shaping them beforehand would reverse them
twice), in the DejaVu Sans it ships, which has the Arabic letters.
"""

import textwrap
from pathlib import Path

import networkx as nx

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173"]


def groups(graph: nx.Graph, colour_by: str) -> dict:
    """The group of each node: its type, or its community."""
    if colour_by == "community":
        return {n: f"community {d['community'] + 1}" for n, d in graph.nodes(data=True)}
    return {n: d.get("type") or d.get("kind", "") for n, d in graph.nodes(data=True)}


def colours(graph: nx.Graph, colour_by: str) -> dict[str, str]:
    """A hex colour per node, the same group always the same colour."""
    node_group = groups(graph, colour_by)
    names = sorted(set(node_group.values()))
    return {n: PALETTE[names.index(g) % len(PALETTE)] for n, g in node_group.items()}


def node_text(data: dict, width: int = 22) -> str:
    text = data.get("acronym") or data["label"]
    if len(text) > 60:
        text = text[:57] + "…"
    return "\n".join(textwrap.wrap(text, width)) or text


def draw(graph: nx.Graph, paths: list[Path], colour_by: str = "type", title: str = "", max_labels: int = 40) -> list[Path]:
    """Draw the network once and save the picture in each file's format (.png, .svg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    plt.rcParams["font.family"] = "DejaVu Sans"
    plt.rcParams["svg.hashsalt"] = "tvet-kg"  # stable SVG ids
    position = {n: (d["x"], d["y"]) for n, d in graph.nodes(data=True)}
    palette = colours(graph, colour_by)
    top = max(d["pagerank"] for _, d in graph.nodes(data=True))
    sizes = [150 + 2400 * d["pagerank"] / top for _, d in graph.nodes(data=True)]
    fig, ax = plt.subplots(figsize=(13, 10), dpi=120)
    weights = [d["weight"] for *_, d in graph.edges(data=True)]
    heaviest = max(weights, default=1)
    nx.draw_networkx_edges(graph, position, ax=ax, width=[0.8 + 3.2 * w / heaviest for w in weights],
                           edge_color="#9aa5b1", alpha=0.7)
    nx.draw_networkx_nodes(graph, position, ax=ax, node_size=sizes,
                           node_color=[palette[n] for n in graph.nodes], edgecolors="white", linewidths=1.2)
    size_of = dict(zip(graph.nodes, sizes))
    labelled = [n for n, _ in sorted(graph.nodes(data=True), key=lambda i: -i[1]["pagerank"])[:max_labels]]
    for rank, node in enumerate(labelled):  # the higher the PageRank, the higher the label lies: SESRIC's on top
        x, y = position[node]
        lift = size_of[node] ** 0.5 / 2 + 3  # marker size is an area in points²
        ax.annotate(node_text(graph.nodes[node]), (x, y), xytext=(0, lift), textcoords="offset points",
                    ha="center", va="bottom", fontsize=8.5, color="#1b2631", zorder=4 + len(labelled) - rank,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75})
    node_group = groups(graph, colour_by)
    legend = sorted({(g, palette[n]) for n, g in node_group.items()})
    ax.legend(handles=[Line2D([0], [0], marker="o", linestyle="", markersize=9, markerfacecolor=c,
                              markeredgecolor="white", label=g) for g, c in legend],
              loc="lower left", fontsize=8.5, frameon=False, title=colour_by, title_fontsize=9)
    ax.set_title(title, fontsize=13)
    ax.margins(0.12)
    ax.axis("off")
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.95)  # fixed: tight_layout measured every label again
    for path in paths:
        fig.savefig(path, format=Path(path).suffix[1:], metadata={"Date": None} if str(path).endswith(".svg") else None)
    plt.close(fig)
    return [Path(p) for p in paths]
