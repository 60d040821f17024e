"""The SPARQL catalogue: `.rq` files with a `#+` header, and safe parameter binding.

A header, as in grlc and SIB's sparql-examples:

    #+ summary: Partners of an organisation, with shared activities
    #+ description: ...
    #+ tags: [partnership]
    #+ params: ?org (iri, default id:sesric) the organisation; ?since (xsd:date, optional) from this date;
    #+         ?lang (xsd:string, default en, one of ar|en|fr) the language of the labels
    #+ params@fr: ?org l'organisation; ?since à partir de cette date; ?lang la langue des libellés
    #+ returns: ?partner ?label ?activities
    #+ example: tvetkg query partners-of --param org=id:unesco-unevoc

`summary@ar`/`@fr` and `params@ar`/`@fr` are the project's translations for the ar and
fr pages; the result columns' headings in the three languages are `queries/columns.csv`.

Parameters are bound as RDF terms in a VALUES block placed at the start of the
query's WHERE group; a value is serialised as an N-Triples term, so quotes,
braces or `}` in it cannot change the query. Inside FILTER expressions the term
also stands in for the variable (`BOUND(?p)` becomes `true`): the same answers,
but a store can then evaluate `OPTIONAL { ... FILTER (LANG(?l) = ?lang) }` on its
own instead of once per row (Oxigraph took minutes on a million statements).
"""

import csv
import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from tvetkg import paths
from tvetkg.errors import TvetKgError
from tvetkg.namespaces import ID, PREFIXES, expand, shorten

XSD = "http://www.w3.org/2001/XMLSchema#"
PARAM_TYPES = ("iri", "xsd:string", "xsd:date", "xsd:gYear", "xsd:integer", "xsd:nonNegativeInteger")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool
    default: str | None
    description: str
    allowed: tuple[str, ...] = ()  # `one of a|b|c`: the only values it takes
    descriptions: dict[str, str] = field(default_factory=dict)  # `#+ params@ar:`, `#+ params@fr:`

    def description_in(self, lang: str) -> str:
        """The description in `lang` (ar, fr: the project's translations of the English one), else English."""
        return self.descriptions.get(lang) or self.description


@dataclass
class Query:
    name: str
    path: Path
    text: str
    summary: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    params: list[Param] = field(default_factory=list)
    returns: str = ""
    example: str = ""
    summaries: dict[str, str] = field(default_factory=dict)  # `#+ summary@ar:`, `#+ summary@fr:`

    def summary_in(self, lang: str) -> str:
        """The summary in `lang` (ar, fr: the project's translations of the English one), else English."""
        return self.summaries.get(lang) or self.summary

    def bind(self, values: dict[str, str]) -> str:
        """The query text with `values` (and defaults) bound; unknown or missing parameters are errors."""
        known = {p.name: p for p in self.params}
        for name in values:
            if name not in known:
                offered = ", ".join(known) or "none"
                raise TvetKgError(f"query {self.name}: unknown parameter {name!r} (parameters: {offered})")
        terms = {}
        for param in self.params:
            raw = values.get(param.name, param.default)
            if raw is None:
                if param.required:
                    raise TvetKgError(
                        f"query {self.name}: missing parameter {param.name} ({param.type}): "
                        f"add --param {param.name}=VALUE"
                    )
                continue
            if param.allowed and raw not in param.allowed:
                raise TvetKgError(f"query {self.name}: parameter {param.name}: {raw!r} is not one of "
                                  f"{', '.join(param.allowed)}")
            terms[param.name] = to_term(raw, param.type, f"query {self.name}: parameter {param.name}")
        return bind_values(self.text, terms)

    def iris(self, values: dict[str, str]) -> dict[str, str]:
        """The IRIs its IRI parameters are bound to, given or by default."""
        found = {}
        for param in self.params:
            raw = values.get(param.name, param.default)
            if param.type == "iri" and raw is not None:
                found[param.name] = to_term(raw, "iri", f"query {self.name}: parameter {param.name}").value
        return found


def check_resources(query: Query, iris: dict[str, str], ask, subjects) -> None:
    """Refuse an IRI parameter that names nothing in the graph (`ask(iri)`: whether it is the subject of
    a statement), with the closest of the graph's `subjects()` as a suggestion."""
    for name, iri in iris.items():
        if ask(iri):
            continue
        known = sorted({shorten(s) for s in subjects()})
        prefix = shorten(iri).split(":", 1)[0]
        close = difflib.get_close_matches(shorten(iri), [k for k in known if k.startswith(prefix + ":")] or known,
                                          n=3, cutoff=0.6)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise TvetKgError(f"query {query.name}: parameter {name}: {shorten(iri)} names nothing in the graph.{hint}")


_HEADER = re.compile(r"^#\+\s*(\w+(?:@[a-z]{2})?)\s*:\s*(.*)$")
_PARAM = re.compile(r"^\?(\w+)\s*\(([^)]*)\)\s*(.*)$")


def parse_query_file(path: Path) -> Query:
    text = Path(path).read_text(encoding="utf-8")
    query = Query(name=Path(path).stem, path=Path(path), text=text)
    translated = {}  # language -> the `#+ params@lang:` line
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        if key == "tags":
            query.tags = [t.strip() for t in value.strip("[]").split(",") if t.strip()]
        elif key == "params":
            query.params = [_parse_param(p.strip(), path) for p in value.split(";") if p.strip()]
        elif key in ("summary", "description", "returns", "example"):
            setattr(query, key, value)
        elif key.startswith("summary@"):
            query.summaries[key.split("@", 1)[1]] = value
        elif key.startswith("params@"):
            translated[key.split("@", 1)[1]] = value
    known = {p.name: p for p in query.params}
    for lang, value in translated.items():
        for part in filter(None, (p.strip() for p in value.split(";"))):
            name, _, description = part.partition(" ")
            if not name.startswith("?") or name[1:] not in known or not description.strip():
                raise TvetKgError(f"{path}: #+ params@{lang}: {part!r} is not `?name description` of one of its "
                                  f"parameters ({', '.join('?' + n for n in known) or 'none'})")
            known[name[1:]].descriptions[lang] = description.strip()
    return query


def _parse_param(text: str, path: Path) -> Param:
    match = _PARAM.match(text)
    if not match:
        raise TvetKgError(f"{path}: bad parameter declaration {text!r} (write ?name (type, required|optional|default VALUE) description)")
    name, spec, description = match.groups()
    parts = [p.strip() for p in spec.split(",")]
    ptype = parts[0]
    if ptype not in PARAM_TYPES:
        raise TvetKgError(f"{path}: parameter {name} has unknown type {ptype!r} (one of {', '.join(PARAM_TYPES)})")
    required, default, allowed = True, None, ()
    for part in parts[1:]:
        if part == "optional":
            required = False
        elif part.startswith("default "):
            required, default = False, part[len("default "):].strip()
        elif part.startswith("one of "):
            allowed = tuple(v.strip() for v in part[len("one of "):].split("|"))
    if default is not None and allowed and default not in allowed:
        raise TvetKgError(f"{path}: parameter {name}: its default {default!r} is not one of {', '.join(allowed)}")
    return Param(name, ptype, required, default, description.strip(), allowed)


def catalogue(queries_dir: Path | None = None) -> dict[str, Query]:
    """Every catalogue query by name; the checks of `qc/` are named `qc/<name>`."""
    root = Path(queries_dir or paths.queries_dir())
    found = {}
    for path in sorted(root.rglob("*.rq")):
        query = parse_query_file(path)
        query.name = path.relative_to(root).with_suffix("").as_posix()
        found[query.name] = query
    return found


@lru_cache(maxsize=8)
def column_headings(lang: str, queries_dir: Path | None = None) -> dict[str, str]:
    """The heading of each result column of the catalogue (`queries/columns.csv`) in `lang`,
    English for another language; a column not in the file keeps its variable's name."""
    path = Path(queries_dir or paths.queries_dir()) / "columns.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    column = lang if rows and lang in rows[0] and lang != "column" else "en"
    return {row["column"]: row[column] or row["en"] for row in rows}


def find(name_or_file: str) -> Query:
    """A catalogue query by name, or any `.rq` file by path."""
    path = Path(name_or_file)
    if name_or_file.endswith(".rq"):
        if not path.is_file():
            raise TvetKgError(f"{name_or_file}: no such query file")
        return parse_query_file(path)
    queries = catalogue()
    if name_or_file not in queries:
        close = difflib.get_close_matches(name_or_file, queries, n=3, cutoff=0.6) or [
            n for n in queries if name_or_file.lower() in n.lower()
        ]
        hint = f" Did you mean: {', '.join(close[:5])}?" if close else " Run `tvetkg queries` for the list."
        raise TvetKgError(f"unknown query {name_or_file!r}.{hint}")
    return queries[name_or_file]


def guess_term(value: str):
    """A parameter value for SPARQL text, which declares no types: an IRI if it looks like one
    (http(s), or a prefix of `namespaces.PREFIXES`), else a string."""
    if value.startswith(("http://", "https://")) or value.split(":", 1)[0] in PREFIXES:
        return to_term(value, "iri", "--param")
    return ox.Literal(value)


def to_term(raw: str, ptype: str, where: str):
    """A parameter value as an RDF term of its declared type, or a clear error."""
    try:
        if ptype == "iri":
            iri = expand(raw) if ":" in raw else ID + raw
            return ox.NamedNode(iri)
        if ptype == "xsd:date":
            dt.date.fromisoformat(raw)
        elif ptype == "xsd:gYear":
            if not re.fullmatch(r"-?\d{4,}", raw):
                raise ValueError
        elif ptype in ("xsd:integer", "xsd:nonNegativeInteger"):
            number = int(raw)
            if ptype == "xsd:nonNegativeInteger" and number < 0:
                raise ValueError
            raw = str(number)
        if ptype == "xsd:string":
            return ox.Literal(raw)
        return ox.Literal(raw, datatype=ox.NamedNode(XSD + ptype.split(":", 1)[1]))
    except ValueError:
        examples = {"iri": "id:sesric", "xsd:date": "2024-05-29", "xsd:gYear": "2024",
                    "xsd:integer": "12", "xsd:nonNegativeInteger": "12"}
        raise TvetKgError(f"{where}: {raw!r} is not a valid {ptype} (for example {examples[ptype]})") from None


# Strings, IRIs and comments are masked before looking for the WHERE group.
_MASK = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)


def mask(text: str) -> str:
    """The query text with its strings, IRIs and comments blanked out (same length), to look for keywords."""
    return _MASK.sub(lambda m: " " * len(m.group(0)), text)


def bind_values(text: str, terms: dict, in_filters: bool = True) -> str:
    """Insert `VALUES (?a ?b) { (t1 t2) }` at the start of the query's WHERE group, and the terms in FILTERs."""
    if not terms:
        return text
    masked = mask(text)
    match = re.search(r"\bWHERE\s*\{", masked, re.IGNORECASE) or re.search(
        r"\b(SELECT|ASK)\b[^{]*\{", masked, re.IGNORECASE
    )
    if not match:
        raise TvetKgError("cannot bind parameters: the query has no WHERE group")
    names = " ".join(f"?{n}" for n in terms)
    row = " ".join(str(t) for t in terms.values())
    at = match.end()
    if in_filters:
        text = _in_filters(text, masked, terms)
    return f"{text[:at]}\n  VALUES ({names}) {{ ({row}) }}\n{text[at:]}"


def _closing(masked: str, at: int) -> int:
    """The index after the bracket that closes the one at `at` (`(` or `{`)."""
    pairs = {"(": ")", "{": "}"}
    opening, depth = masked[at], 0
    for index in range(at, len(masked)):
        if masked[index] == opening:
            depth += 1
        elif masked[index] == pairs[opening]:
            depth -= 1
            if depth == 0:
                return index + 1
    raise TvetKgError("cannot bind parameters: a FILTER's brackets do not close")


def _filter_spans(masked: str) -> list[tuple[int, int]]:
    """Where each FILTER's expression starts and ends: `( ... )`, `EXISTS { ... }` or a call `f( ... )`."""
    spans = []
    for found in re.finditer(r"(?<![\w?$:])FILTER\b", masked, re.IGNORECASE):
        at = found.end()
        while at < len(masked) and masked[at] not in "({":
            at += 1
        if at < len(masked):
            spans.append((found.end(), _closing(masked, at)))
    return spans


def _in_filters(text: str, masked: str, terms: dict) -> str:
    """`text` with each bound variable replaced by its term inside FILTER expressions."""
    names = "|".join(re.escape(n) for n in terms)
    pattern = re.compile(rf"BOUND\s*\(\s*[?$]({names})\s*\)|[?$]({names})(?!\w)", re.IGNORECASE)

    def replace(match):
        return "true" if match.group(1) else str(terms[match.group(2)])

    for start, end in reversed(_filter_spans(masked)):
        text = text[:start] + pattern.sub(replace, text[start:end]) + text[end:]
    return text
