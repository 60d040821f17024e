"""What a resource's page shows: its facts with their sources, what points to it, and catalogue queries about it.

Every figure comes from SPARQL (`serve/sparql/*.rq` and the catalogue), run by the query workers; this
module only picks labels in the reader's language and groups the rows.
"""

from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from urllib.parse import urlsplit

import pyoxigraph as ox

from tvetkg.catalogue import bind_values, catalogue, column_headings
from tvetkg.namespaces import PREFIXES, TVET, shorten

BASE = "https://w3id.org/oic-tvet/"
RDF_TYPE = PREFIXES["rdf"] + "type"
HIDDEN = {TVET + "source", TVET + "sourceLocator"}  # shown in the list of sources instead
FALLBACK = ("en", "fr", "ar", "")
# Catalogue queries shown on the page of each kind of resource, with the parameter the resource binds.
EXTRAS = {
    TVET + "Activity": [("co-delivery", "activity")],
    TVET + "Organisation": [("partners-of", "org"), ("activities-involving", "org"), ("roles-over-time", "org")],
}


@lru_cache(maxsize=None)
def sparql(name: str) -> str:
    """A query of the pages (serve/sparql/NAME.rq)."""
    return files("tvetkg.serve").joinpath(f"sparql/{name}.rq").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def queries() -> dict:
    """The catalogue, read once: a running server answers with the queries it started with."""
    return catalogue()


def local_path(iri: str) -> str | None:
    """The server's path for an IRI of the project's namespace, None for any other IRI."""
    if not iri.startswith(BASE):
        return None
    rest = iri[len(BASE):]
    if rest.startswith("ontology#"):
        return "/ontology#" + rest[len("ontology#"):]
    return "/" + rest


def href(iri: str) -> str | None:
    """Where a link to `iri` goes: its page here, the IRI itself if it is http(s), else nowhere (an IRI
    such as `javascript:...` in the data is shown as text, never as a link)."""
    local = local_path(iri)
    if local is not None:
        return local
    try:
        scheme = urlsplit(iri).scheme.lower()
    except ValueError:
        return None
    return iri if scheme in ("http", "https") else None


@dataclass
class Labels:
    """Labels by IRI and language; `of` picks the reader's language, then en, fr, ar, then the IRI's end."""

    lang: str
    found: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(self, rows: list[dict]) -> None:
        for row in rows:
            label = row["label"]
            self.found.setdefault(row["iri"]["value"], {}).setdefault(label.get("xml:lang", ""), label["value"])

    def of(self, iri: str) -> str:
        texts = self.found.get(iri, {})
        for lang in (self.lang, *FALLBACK):
            if lang in texts:
                return texts[lang]
        short = shorten(iri)
        return short if short != iri else iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@dataclass
class Cell:
    text: str
    href: str | None = None
    lang: str = ""
    title: str = ""


def cell(term: dict, labels: Labels | None = None, label: str | None = None) -> Cell:
    """A SPARQL JSON term as a table cell: IRIs as links (with their label), literals as text."""
    if term["type"] == "uri":
        iri = term["value"]
        text = label or (labels.of(iri) if labels else shorten(iri))
        return Cell(text, href(iri), title=shorten(iri))
    if term["type"] == "bnode":
        return Cell("[ ]")
    return Cell(term["value"], lang=term.get("xml:lang", ""))


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    query: str = ""
    headings: list[str] = field(default_factory=list)  # the columns' headings in the page's language


def table(title: str, variables: list[str], bindings: list[dict], query: str = "",
          headings: dict[str, str] | None = None) -> Table:
    """Rows as cells; a label or title column right after an IRI column becomes that IRI's link text.
    `headings`: a heading for a column's variable (else its name)."""
    shown, merged = [], {}
    for index, name in enumerate(variables):
        following = variables[index + 1] if index + 1 < len(variables) else ""
        if following and any(w in following.lower() for w in ("label", "title", "name")) and following not in merged:
            if all(b.get(name, {}).get("type") in ("uri", None) for b in bindings):
                merged[following] = name
        if name not in merged:
            shown.append(name)
    label_of = {iri_var: text_var for text_var, iri_var in merged.items()}
    rows = []
    for b in bindings:
        row = []
        for name in shown:
            if name not in b:
                row.append(Cell(""))
                continue
            text = b.get(label_of.get(name, ""), {}).get("value")
            row.append(cell(b[name], label=text))
        rows.append(row)
    return Table(title, shown, rows, query, [(headings or {}).get(name, name) for name in shown])


@dataclass
class Fact:
    property: Cell
    values: list[tuple[Cell, list[int]]]  # each value with the numbers of its sources


@dataclass
class Page:
    iri: str
    title: str
    types: list[Cell]
    facts: list[Fact]
    sources: list[tuple[Cell, list[str]]]  # each source document with its locators
    incoming: list[tuple[Cell, list[Cell]]]  # each property with the resources that point by it
    kinds: list[str]
    extras: list[Table]


def describe(run, iri: str, lang: str) -> Page | None:
    """The page of `iri`, or None when the graph says nothing of it; `run(sparql)` returns SPARQL JSON rows."""
    bound = {"resource": ox.NamedNode(iri)}
    facts = run(bind_values(sparql("facts"), bound))
    incoming = run(bind_values(sparql("incoming"), bound))
    if not facts and not incoming:
        return None
    labels = Labels(lang)
    labels.add(run(bind_values(sparql("labels"), bound)))
    kinds = [r["kind"]["value"] for r in run(bind_values(sparql("kinds"), bound))]

    graphs, locators = [], {}
    grouped: dict[str, dict[tuple, list[int]]] = {}
    types = []
    for row in facts:
        graph, prop, value = row["graph"]["value"], row["property"]["value"], row["value"]
        if graph not in graphs:
            graphs.append(graph)
        number = graphs.index(graph) + 1
        if prop == TVET + "sourceLocator":
            locators.setdefault(graph, []).append(value["value"])
        if prop in HIDDEN:
            continue
        if prop == RDF_TYPE:
            if value["value"] not in [t.href for t in types]:
                types.append(cell(value, labels))
            continue
        key = tuple(sorted(value.items()))
        sources = grouped.setdefault(prop, {}).setdefault(key, [])
        if number not in sources:
            sources.append(number)
    fact_list = []
    for prop in sorted(grouped, key=lambda p: (p != PREFIXES["rdfs"] + "label", labels.of(p).lower())):
        values = [(cell(dict(key), labels), sorted(numbers)) for key, numbers in grouped[prop].items()]
        values.sort(key=lambda v: (v[0].lang != lang, v[0].lang, v[0].text))
        fact_list.append(Fact(cell({"type": "uri", "value": prop}, labels), values))
    by_property: dict[str, list[Cell]] = {}
    for row in incoming:
        by_property.setdefault(row["property"]["value"], []).append(cell(row["subject"], labels))
    pointed = [(cell({"type": "uri", "value": p}, labels), sorted(cells, key=lambda c: c.text))
               for p, cells in sorted(by_property.items(), key=lambda item: labels.of(item[0]).lower())]
    return Page(iri, labels.of(iri), sorted(types, key=lambda c: c.text), fact_list,
                [(cell({"type": "uri", "value": g}, labels), locators.get(g, [])) for g in graphs],
                pointed, kinds, [])


def extras(run_results, page: Page, lang: str) -> list[Table]:
    """The catalogue queries that concern the page's kind of resource, bound to it."""
    tables = []
    for kind in page.kinds:
        for name, param in EXTRAS.get(kind, []):
            query = queries()[name]
            values = {param: page.iri}
            if any(p.name == "lang" for p in query.params):
                values["lang"] = lang
            variables, bindings = run_results(query.bind(values))
            if bindings:
                tables.append(table(query.summary_in(lang), variables, bindings, name, column_headings(lang)))
    return tables
