"""`tvetkg add`: activities and organisations from a spreadsheet, checked, then written into kg/.

Rows (CSV, XLSX with an `activities` and an `organisations` sheet, or YAML with
the same two lists; the columns are templates/columns.csv, written by `tvetkg
template`) become RDF with stable IRIs. Organisations, countries and programmes are
found by acronym, name in any language, ISO code or id; an unknown or ambiguous one
is an error naming the row and column. The new statements are validated with SHACL
together with the whole graph, and only then written, atomically (a temporary file
renamed over the target), to kg/added-<source>.trig, in the named graph of their
source. Nothing is written when any row is wrong; adding the same rows twice adds
nothing the second time.
"""

import csv
import io
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import pyoxigraph as ox

from tvetkg import dates, paths
from tvetkg.errors import TvetKgError
from tvetkg.folders import remove_orphans
from tvetkg.load import graph_files, read_quads
from tvetkg.namespaces import ID, NOTES_GRAPH, TRANSLATIONS_GRAPH, TVET, shorten

PARTIAL = ".tvetkg-partial-"  # the temporary file of a write, followed by the writer's process id
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ARABIC = re.compile("[\u0600-\u06ff]")
_TRANSLATED = {RDFS_LABEL, DCT + "title", TVET + "targetAudience", TVET + "venueCity", TVET + "position", SKOS + "altLabel"}
_OWN_WORDS = {DCT + "description", SKOS + "editorialNote"}
ACTIVITY_TYPES = ("TrainingCourse", "TrainingOfTrainers", "Workshop", "Webinar", "Meeting", "Session", "Summit", "Project")
ORGANISATION_TYPES = ("InternationalOrganisation", "Ministry", "GovernmentAgency", "GovernmentBody", "University",
                      "EducationalInstitution", "BusinessAssociation", "Network", "Organisation")


def columns() -> dict[str, list[dict]]:
    """The template's columns per sheet, from templates/columns.csv."""
    text = files("tvetkg").joinpath("templates/columns.csv").read_text(encoding="utf-8")
    sheets: dict[str, list[dict]] = {}
    for row in csv.DictReader(text.splitlines()):
        sheets.setdefault(row["sheet"], []).append(row)
    return sheets


@dataclass(frozen=True)
class Problem:
    file: str
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self):
        return f"{self.file}, {self.sheet} row {self.row}, column {self.column}: {self.message}"


class RowErrors(TvetKgError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n  ".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} problem{'s' if len(problems) > 1 else ''}; nothing was written:\n  {lines}")


# --- reading the rows -------------------------------------------------------------

def read_rows(path: Path) -> dict[str, list[tuple[int, dict]]]:
    """{sheet: [(spreadsheet row number, {column: text})]}."""
    path = Path(path)
    if not path.is_file():
        raise TvetKgError(f"{path}: no such file")
    if path.suffix == ".csv":
        reader = csv.DictReader(io.StringIO(_csv_text(path), newline=""))
        fields = set(reader.fieldnames or [])
        sheet = "organisations" if "name_en" in fields else "activities"
        return {sheet: [(n, _clean(r)) for n, r in enumerate(reader, start=2) if any((v or "").strip() for v in r.values())]}
    if path.suffix in (".xlsx", ".xlsm"):
        import zipfile

        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
            raise TvetKgError(f"{path}: not a readable .xlsx workbook ({error or type(error).__name__}); "
                              "save it again from the spreadsheet program, or start from `tvetkg template`") from None
        sheets = {}
        for sheet in book.worksheets:
            name = sheet.title.strip().lower()
            if name not in ("activities", "organisations"):
                continue
            rows = list(sheet.iter_rows(values_only=True))
            if not rows:
                continue
            header = [str(h or "").strip() for h in rows[0]]
            sheets[name] = [(n, _clean(dict(zip(header, r)))) for n, r in enumerate(rows[1:], start=2)
                            if any(v not in (None, "") for v in r)]
        return sheets
    if path.suffix in (".yaml", ".yml"):
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return {sheet: [(n, _clean(r)) for n, r in enumerate(data.get(sheet) or [], start=1)]
                for sheet in ("activities", "organisations") if data.get(sheet)}
    raise TvetKgError(f"{path}: use a .csv, .xlsx or .yaml file (see `tvetkg template`)")


def _csv_text(path: Path) -> str:
    """A CSV file's text: UTF-8 (with or without its mark), or UTF-16 with its mark (Excel's "Unicode
    text"); any other encoding is refused with what to do, rather than read as garbage."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise TvetKgError(f"{path}: starts as UTF-16 but byte {error.start} is not: save it as CSV UTF-8") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise TvetKgError(f"{path}: line {line} is not UTF-8 (byte {error.start}); the file is in another encoding "
                          "(Windows-1256?): save it as \"CSV UTF-8\" and add it again") from None


def _clean(row: dict) -> dict:
    cleaned = {}
    for key, value in row.items():
        if key is None:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if hasattr(value, "isoformat"):
            value = value.isoformat()[:10]
        cleaned[str(key).strip()] = unicodedata.normalize("NFC", str(value).strip()) if value is not None else ""
    return cleaned


# --- finding what the rows name ---------------------------------------------------

def _key(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().casefold()


class Index:
    """What the graph already names, by every name a person may use for it."""

    def __init__(self, graph_store: ox.Store):
        self.store = graph_store
        self.names: dict[str, dict[str, set[str]]] = {k: {} for k in ("organisation", "country", "programme", "person", "activity", "project")}
        self.kinds: dict[str, str] = {}
        queries = {
            "organisation": f"?x a ?t . ?t <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{TVET}Organisation>",
            "country": f"?x a <{TVET}Country>",
            "programme": f"?x a ?t . ?t <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{TVET}Programme>",
            "person": f"?x a <{TVET}Person>",
            "activity": f"?x a ?t . ?t <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ <{TVET}Activity>",
            "project": f"?x a <{TVET}Project>",
        }
        for kind, pattern in queries.items():
            sparql = f"""SELECT DISTINCT ?x ?name WHERE {{ {pattern}
                OPTIONAL {{ {{ ?x <{RDFS_LABEL}> ?name }} UNION {{ ?x <{SKOS}altLabel> ?name }} UNION {{ ?x <{TVET}acronym> ?name }}
                  UNION {{ ?x <{TVET}iso3166Alpha2> ?name }} UNION {{ ?x <{TVET}iso3166Alpha3> ?name }} }} }}"""
            for solution in graph_store.query(sparql, use_default_graph_as_union=True):
                iri = solution["x"].value
                self.add(kind, iri, solution["name"].value if solution["name"] else None)

    def add(self, kind: str, iri: str, name: str | None = None) -> None:
        names = self.names[kind]
        for key in filter(None, (_key(iri[len(ID):]) if iri.startswith(ID) else None, name and _key(name))):
            names.setdefault(key, set()).add(iri)

    def find(self, kind: str, text: str) -> str:
        key = _key(text)
        if key.startswith("id:"):
            key = key[3:]
        found = self.names[kind].get(key, set())
        if len(found) == 1:
            return next(iter(found))
        if not found:
            raise LookupError(f"unknown {kind} {text!r}" + (
                " (add it on the organisations sheet)" if kind == "organisation" else ""))
        raise LookupError(f"{text!r} names more than one {kind}: {', '.join(sorted(shorten(i) for i in found))}; write its id")


_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
_ITEM = re.compile(r"\bitem (\d+)")  # "item 10; lines 271-279": the numbered item of a report


def _id(where, converter, column: str, text: str) -> str | None:
    """The IRI of an `id`-like cell: a slug of lower-case letters, digits and hyphens (`id:` before it may
    be written), nothing else: no path, no scheme, no space."""
    slug = text.strip().removeprefix("id:")
    if _ID.fullmatch(slug):
        return ID + slug
    converter.problem(where, column, f"{text!r} is not an id: write lower-case letters, digits and hyphens "
                                     "(for example training-course-green-skills-2025)")
    return None


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug, length = [], 0
    for word in words:
        if length + len(word) > 60:
            break
        slug.append(word)
        length += len(word) + 1
    return "-".join(slug)


# --- turning rows into statements -------------------------------------------------

@dataclass
class Statements:
    quads: set = field(default_factory=set)
    rows: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # subject IRI -> (file, sheet, row)


def _term_types(ontology_labels: dict[str, str], text: str, allowed: tuple[str, ...]) -> str | None:
    key = _key(text)
    for local in allowed:
        if key == local.casefold() or key in ontology_labels.get(local, ()):
            return local
    return None


def _ontology_labels() -> dict[str, set[str]]:
    labels: dict[str, set[str]] = {}
    for quad in read_quads(paths.ontology_file()):
        if quad.predicate.value == RDFS_LABEL and quad.subject.value.startswith(TVET):
            labels.setdefault(quad.subject.value[len(TVET):], set()).add(_key(quad.object.value))
    return labels


class Converter:
    def __init__(self, index: Index, source: str | None):
        self.index = index
        self.source = source
        self.labels = _ontology_labels()
        self.problems: list[Problem] = []
        self.out = Statements()
        self.languages: dict[str, str | None] = {}

    def problem(self, where, column, message):
        self.problems.append(Problem(*where, column, message))

    def add(self, graph, s, p, o):
        """A statement in the source's graph; text in another language than the source's goes to the
        project's translations, and descriptions and notes (the project's own words) to its notes."""
        if isinstance(o, ox.Literal) and o.language:
            if p in _OWN_WORDS:
                graph = NOTES_GRAPH
            elif p in _TRANSLATED and self._language(graph) not in (None, o.language):
                graph = TRANSLATIONS_GRAPH
        self.out.quads.add(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, ox.NamedNode(graph)))

    def _language(self, source: str) -> str | None:
        if source not in self.languages:
            rows = self.index.store.query(f"SELECT ?l WHERE {{ <{source}> <{DCT}language> ?l }}",
                                          use_default_graph_as_union=True)
            self.languages[source] = next((r["l"].value for r in rows), None)
        return self.languages[source]

    def _source(self, where, row) -> str | None:
        text = row.get("source") or self.source
        if not text:
            self.problem(where, "source", "no source document: fill the column or give --source")
            return None
        if text.startswith(("http://", "https://")):
            try:
                return ox.NamedNode(text).value
            except ValueError:
                self.problem(where, "source", f"{text!r} is not a valid IRI")
                return None
        return _id(where, self, "source", text)

    def _text(self, where, row, column, lang, required=False):
        value = row.get(column, "")
        if not value:
            if required:
                self.problem(where, column, "empty; it is required")
            return None
        if lang == "ar" and not ARABIC.search(value):
            self.problem(where, column, f"{value!r} has no Arabic letter; the column takes the Arabic text")
        if lang in ("en", "fr") and ARABIC.search(value):
            self.problem(where, column, f"Arabic text in the {'English' if lang == 'en' else 'French'} column; put it in {column[:-3]}_ar")
        return ox.Literal(value, language=lang)

    def _number(self, where, row, column, datatype="nonNegativeInteger"):
        value = row.get(column, "").translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")).replace(",", "")
        if not value:
            return None
        if not re.fullmatch(r"\d+", value) or (datatype == "positiveInteger" and int(value) == 0):
            self.problem(where, column, f"{row[column]!r} is not a whole number{' above 0' if datatype == 'positiveInteger' else ''}")
            return None
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + datatype))

    def _find(self, where, column, kind, text):
        try:
            return self.index.find(kind, text)
        except LookupError as error:
            self.problem(where, column, str(error))
            return None

    def _list(self, row, column):
        return [part.strip() for part in re.split(r"[;؛\n]", row.get(column, "")) if part.strip()]

    def organisation(self, where, row):
        name_en = row.get("name_en", "")
        iri = _id(where, self, "id", row["id"]) if row.get("id") else ID + _slug(name_en)
        graph = self._source(where, row)
        kind = _term_types(self.labels, row.get("type", ""), ORGANISATION_TYPES)
        if not kind:
            self.problem(where, "type", f"{row.get('type', '')!r} is not an organisation type ({', '.join(ORGANISATION_TYPES)})")
        if graph is None or iri is None:
            return
        self.out.rows[iri] = where
        self.index.add("organisation", iri, row.get("acronym") or None)
        for lang in ("ar", "en", "fr"):
            label = self._text(where, row, f"name_{lang}", lang, required=True)
            if label:
                self.add(graph, iri, RDFS_LABEL, label)
                self.index.add("organisation", iri, label.value)
        if kind:
            self.add(graph, iri, RDF_TYPE, ox.NamedNode(TVET + kind))
        if row.get("acronym"):
            self.add(graph, iri, TVET + "acronym", ox.Literal(row["acronym"]))
        if row.get("country") and (country := self._find(where, "country", "country", row["country"])):
            self.add(graph, iri, TVET + "basedIn", ox.NamedNode(country))
        self._locator(where, row, graph, iri)

    def parent_links(self, where, row):
        """Parents are looked up after every organisation of the sheet is known."""
        if row.get("parent") and (graph := self._source(where, row)):
            if row.get("id") and not _ID.fullmatch(row["id"].strip().removeprefix("id:")):
                return  # named once already, by organisation()
            iri = ID + (row.get("id") or _slug(row.get("name_en", ""))).strip().removeprefix("id:")
            if parent := self._find(where, "parent", "organisation", row["parent"]):
                self.add(graph, iri, TVET + "subOrganisationOf", ox.NamedNode(parent))

    def _locator(self, where, row, graph, iri):
        self.add(graph, iri, TVET + "source", ox.NamedNode(graph))
        if row.get("locator"):
            self.add(graph, iri, TVET + "sourceLocator", ox.Literal(row["locator"]))
            for number in sorted({int(n) for n in _ITEM.findall(row["locator"]) if int(n) > 0}):
                self.add(graph, iri, TVET + "reportItem", ox.Literal(str(number), datatype=ox.NamedNode(XSD + "positiveInteger")))
        else:
            self.problem(where, "locator", "empty: say where in the source the facts stand (item, lines)")

    def activity(self, where, row):
        graph = self._source(where, row)
        kind = _term_types(self.labels, row.get("type", ""), ACTIVITY_TYPES)
        if not kind:
            self.problem(where, "type", f"{row.get('type', '')!r} is not an activity type ({', '.join(ACTIVITY_TYPES)})")
        span = self._dates(where, row)
        year = span.start[:4] if span else ""
        if row.get("id"):
            iri = _id(where, self, "id", row["id"])
            if iri is None:
                return
        else:
            iri = ID + "-".join(filter(None, (_slug(row.get("title_en", "")), year)))
        if iri in self.out.rows:
            first = self.out.rows[iri]
            self.problem(where, "id", f"duplicate activity: {shorten(iri)} is also {first[1]} row {first[2]}")
            return
        self.out.rows[iri] = where
        if graph is None:
            return
        add = lambda p, o: self.add(graph, iri, p, o)
        if kind:
            add(RDF_TYPE, ox.NamedNode(TVET + kind))
            self.index.add("activity", iri)
            if kind == "Project":
                self.index.add("project", iri)
        for lang in ("ar", "en", "fr"):
            if label := self._text(where, row, f"title_{lang}", lang, required=True):
                add(RDFS_LABEL, label)
        for lang in ("ar", "en"):
            if text := self._text(where, row, f"description_{lang}", lang):
                add(DCT + "description", text)
            if text := self._text(where, row, f"target_audience_{lang}", lang):
                add(TVET + "targetAudience", text)
        if row.get("editorial_note"):
            add(SKOS + "editorialNote", ox.Literal(row["editorial_note"], language="en"))
        if span:
            datatype = ox.NamedNode(XSD + ("gYear" if span.is_year else "date"))
            add(TVET + "startDate", ox.Literal(span.start, datatype=datatype))
            add(TVET + "endDate", ox.Literal(span.end, datatype=datatype))
        for column, prop in (("organisers", "organiser"), ("partners", "partner"),
                             ("content_providers", "contentProvider"), ("funders", "funder")):
            for name in self._list(row, column):
                if org := self._find(where, column, "organisation", name):
                    add(TVET + prop, ox.NamedNode(org))
        if row.get("area"):
            if row["area"].strip() in ("1", "2", "3", "4"):
                add(TVET + "cooperationArea", ox.NamedNode(f"{ID}cooperation-area-{row['area'].strip()}"))
            else:
                self.problem(where, "area", f"{row['area']!r}: the roadmap's areas are 1 to 4")
        if row.get("programme") and (programme := self._find(where, "programme", "programme", row["programme"])):
            add(TVET + "programme", ox.NamedNode(programme))
        if row.get("part_of") and (project := self._find(where, "part_of", "project", row["part_of"])):
            add(TVET + "partOf", ox.NamedNode(project))
        for column, prop, choices in (("modality", "modality", ("Online", "InPerson", "Hybrid")),
                                      ("status", "status", ("Held", "Planned"))):
            if row.get(column):
                value = _term_types(self.labels, row[column], choices)
                if value:
                    add(TVET + prop, ox.NamedNode(TVET + value))
                else:
                    self.problem(where, column, f"{row[column]!r}: use {' or '.join(choices)}")
        for lang in ("ar", "en", "fr"):
            if row.get(f"venue_city_{lang}"):
                add(TVET + "venueCity", ox.Literal(row[f"venue_city_{lang}"], language=lang))
        if row.get("venue_country") and (country := self._find(where, "venue_country", "country", row["venue_country"])):
            add(TVET + "venueCountry", ox.NamedNode(country))
        for name in self._list(row, "participating_countries"):
            if country := self._find(where, "participating_countries", "country", name):
                add(TVET + "participatingCountry", ox.NamedNode(country))
        for column, prop, datatype in (("participants", "participantCount", "nonNegativeInteger"),
                                       ("countries", "countryCount", "nonNegativeInteger"),
                                       ("session_number", "sessionNumber", "positiveInteger"),
                                       ("session_count", "sessionCount", "positiveInteger")):
            if (value := self._number(where, row, column, datatype)) is not None:
                add(TVET + prop, value)
        for name in self._list(row, "attendees"):
            if person := self._find(where, "attendees", "person", name):
                add(TVET + "attendee", ox.NamedNode(person))
        for name in self._list(row, "not_stated"):
            local = name.removeprefix("tvet:")
            if local in self.labels:
                add(TVET + "notStated", ox.NamedNode(TVET + local))
            else:
                self.problem(where, "not_stated", f"{name!r} is not a property of the ontology")
        self._locator(where, row, graph, iri)

    def _dates(self, where, row):
        if row.get("start_date") or row.get("end_date"):
            parsed = {}
            for column in ("start_date", "end_date"):  # each bad cell named, not only the first
                text = row.get(column) or row.get("end_date" if column == "start_date" else "start_date")
                try:
                    parsed[column] = dates.parse(text)
                except dates.DateError as error:
                    if row.get(column):
                        self.problem(where, column, str(error))
            if len(parsed) < 2:
                return None
            start, end = parsed["start_date"], parsed["end_date"]
            if end.start < start.start:
                self.problem(where, "end_date", f"{row['end_date']} is before the start {row['start_date']}")
                return None
            return dates.DateRange(start.start, end.end)
        if row.get("dates"):
            try:
                return dates.parse(row["dates"])
            except dates.DateError as error:
                self.problem(where, "dates", str(error))
                return None
        self.problem(where, "dates", "no date: fill dates, or start_date and end_date")
        return None


# --- the whole job ----------------------------------------------------------------

@dataclass
class Addition:
    added: list[ox.Quad]
    target: Path | None
    statements: Statements


def convert(sources: list[Path], graph_store: ox.Store, source: str | None = None) -> Statements:
    """The statements the files' rows make; raises RowErrors naming every wrong cell."""
    index = Index(graph_store)
    converter = Converter(index, source)
    sheets = [(Path(p).name, read_rows(p)) for p in sources]
    for name, data in sheets:
        for number, row in data.get("organisations", []):
            converter.organisation((name, "organisations", number), row)
    for name, data in sheets:
        for number, row in data.get("organisations", []):
            converter.parent_links((name, "organisations", number), row)
    for name, data in sheets:
        rows = data.get("activities", [])
        for number, row in sorted(rows, key=lambda r: _kind_order(r[1])):  # projects before their parts
            converter.activity((name, "activities", number), row)
    if converter.problems:
        raise RowErrors(sorted(converter.problems, key=lambda p: (p.file, p.sheet, p.row, p.column)))
    return converter.out


def _kind_order(row: dict) -> int:
    return 0 if _key(row.get("type", "")) in ("project", "مشروع", "projet") else 1


def add(sources: list[Path], kg_dir: Path | None = None, source: str | None = None, dry_run: bool = False) -> Addition:
    from tvetkg.store import open_graph
    from tvetkg.validate import validate_quads

    kg = Path(kg_dir or paths.kg_dir())
    graph = open_graph(kg)
    statements = convert(sources, graph.store, source)
    current = [q for path in graph.files for q in read_quads(path)]  # the files' literals, not the store's
    existing = {str(q) for q in current}
    stated = {str(q.triple) for q in current}  # a translation of words some source already gives is not new
    added = sorted((q for q in statements.quads if str(q) not in existing and not (
        q.graph_name.value in (TRANSLATIONS_GRAPH, NOTES_GRAPH) and str(q.triple) in stated)), key=str)
    _refuse_conflicts(statements, added, graph.store)
    if not added:
        return Addition([], None, statements)
    report = validate_quads(current + added, graph.ontology, allow_warnings=True)  # as the build judges
    if report.violations:
        problems = []
        for result in report.violations:
            where = statements.rows.get(_expand(result.focus))
            file, sheet, number = where or ("graph", "-", 0)
            problems.append(Problem(file, sheet, number, result.path or "-", f"{result.label}: {result.message}"))
        raise RowErrors(problems)
    target = None
    if not dry_run:
        graphs = sorted({q.graph_name.value for q in added} - {TRANSLATIONS_GRAPH, NOTES_GRAPH})
        target = kg / f"added-{graphs[0].rsplit('/', 1)[-1].removeprefix('source-')}.trig" if len(graphs) == 1 else kg / "added.trig"
        _write_atomically(target, added)
    return Addition(added, target, statements)


def _expand(short: str) -> str:
    return ID + short[3:] if short.startswith("id:") else short


def _refuse_conflicts(statements: Statements, added: list[ox.Quad], store: ox.Store) -> None:
    """An activity already in the graph must not be given other facts by a spreadsheet, nor a new one
    the title and start date of another. Two queries in all, whatever the number of rows."""
    problems = []
    new_subjects = sorted({q.subject.value for q in added} & set(statements.rows))
    if not new_subjects:
        return
    values = " ".join(f"<{iri}>" for iri in new_subjects)
    known = {s["x"].value for s in store.query(f"SELECT DISTINCT ?x WHERE {{ VALUES ?x {{ {values} }} ?x a ?t }}",
                                               use_default_graph_as_union=True)}
    for iri in sorted(known):
        file, sheet, number = statements.rows[iri]
        problems.append(Problem(file, sheet, number, "id", f"duplicate: {shorten(iri)} is already in the graph with other facts; edit its file in kg/ instead"))
    titles, starts = {}, {}
    for quad in statements.quads:
        if quad.predicate.value == RDFS_LABEL and quad.object.language == "en":
            titles.setdefault(quad.subject.value, quad.object)
        elif quad.predicate.value == TVET + "startDate":
            starts.setdefault(quad.subject.value, quad.object.value)
    pairs = [(iri, titles[iri], starts[iri]) for iri in new_subjects
             if statements.rows[iri][1] == "activities" and iri in titles and iri in starts and iri not in known]
    if pairs:
        rows = " ".join(f"(<{iri}> {title} {ox.Literal(start)})" for iri, title, start in pairs)
        same = store.query(f"""SELECT ?new ?a WHERE {{ VALUES (?new ?title ?start) {{ {rows} }}
            ?a <{RDFS_LABEL}> ?title ; <{TVET}startDate> ?d FILTER (STR(?d) = ?start && ?a != ?new) }}""",
                           use_default_graph_as_union=True)
        for solution in same:
            file, sheet, number = statements.rows[solution["new"].value]
            problems.append(Problem(file, sheet, number, "title_en",
                                    f"duplicate activity: {shorten(solution['a'].value)} has the same title and date"))
    if problems:
        raise RowErrors(sorted(problems, key=lambda p: (p.file, p.sheet, p.row, p.column)))


def _write_atomically(target: Path, added: list[ox.Quad]) -> None:
    """Merge into the target file, written to a temporary file first and renamed over it."""
    quads = list(added)
    if target.exists():
        quads = read_quads(target) + quads
    remove_orphans(target.parent, PARTIAL)  # left by an `add` that was killed
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f"{PARTIAL}{os.getpid()}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(b"# Added by `tvetkg add`; each statement in the named graph of its source.\n")
            handle.write(ox.serialize(quads, format=ox.RdfFormat.TRIG,
                                      prefixes={"tvet": TVET, "id": ID, "xsd": XSD, "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise


def diff(old: list[Path], new: list[Path]) -> tuple[list[str], list[str]]:
    """Statements (N-Quads) only in `new`, and only in `old`."""
    def quads(sources):
        found = set()
        for source in sources:
            for path in (graph_files(source) if Path(source).is_dir() else [Path(source)]):
                found |= {str(q) for q in read_quads(path)}
        return found

    before, after = quads(old), quads(new)
    return sorted(after - before), sorted(before - after)
