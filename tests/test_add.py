"""`tvetkg add`: a spreadsheet of the seed's activities gives the curated graph; bad rows are refused whole."""

import csv
import hashlib
import os
import shutil

import pyoxigraph as ox
import pytest

from conftest import DATA
from tvetkg import paths
from tvetkg.add import RowErrors, add, columns, convert
from tvetkg.store import open_graph
from tvetkg.validate import validate

REPORT = "https://w3id.org/oic-tvet/id/source-oic-vet-progress-report-2024"
SHEET = DATA / "progress-report-2024-activities.csv"
COLUMNS = [c["column"] for c in columns()["activities"]]


PROJECT = ("https://w3id.org/oic-tvet/id/source-project-translations", "https://w3id.org/oic-tvet/id/source-project-notes")


def _curated(subjects):
    """The report's statements about `subjects`, with the project's translations and notes of them; the
    English or French label that a page of SESRIC's now gives in the page's words is left out of both
    sides, as the project's translation gave way to it."""
    quads = [q for name in ("oic-vet-progress-report-2024.trig", "project-translations.trig", "project-notes.trig")
             for q in ox.parse(path=str(paths.kg_dir() / name), format=ox.RdfFormat.TRIG)]
    return {str(q) for q in quads if q.subject.value in subjects and q.graph_name.value in (REPORT, *PROJECT)
            and not q.predicate.value.endswith("#acceptedSource")}  # a choice between sources, not a row's fact


def _page_worded(graph) -> set:
    """(subject, property, language) of the text that a web page gives in its own words."""
    rows = graph.store.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o . ?g <https://schema.org/url> ?url } "
                             "FILTER (LANG(?o) != '') }")
    return {(r["s"].value, r["p"].value, r["o"].language) for r in rows}


def _fingerprint(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_seed_spreadsheet_gives_the_curated_graph(graph):
    statements = convert([SHEET], graph.store)
    worded = _page_worded(graph)
    made = {str(q) for q in statements.quads if not (q.graph_name.value == PROJECT[0] and
                                                        (q.subject.value, q.predicate.value, q.object.language) in worded)}
    subjects = {q.subject.value for q in statements.quads}
    assert len(subjects) == 23
    assert made == _curated(subjects)


def test_the_workbook_gives_the_same_statements_as_the_csv(graph, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "activities"
    with open(SHEET, encoding="utf-8") as handle:
        for row in csv.reader(handle):
            sheet.append([int(c) if c.isdigit() and len(c) < 4 else c for c in row])
    book.save(tmp_path / "seed.xlsx")
    assert {str(q) for q in convert([tmp_path / "seed.xlsx"], graph.store).quads} == \
        {str(q) for q in convert([SHEET], graph.store).quads}


def test_adding_what_the_graph_holds_adds_nothing(kg_copy):
    before = _fingerprint(kg_copy)
    result = add([SHEET], kg_copy)
    assert result.added == [] and result.target is None
    assert _fingerprint(kg_copy) == before


NEW = {
    "type": "Webinar", "title_ar": "ندوة عبر الإنترنت حول التعلم مدى الحياة",
    "title_en": "Webinar on lifelong learning", "title_fr": "Webinaire sur l'apprentissage tout au long de la vie",
    "dates": "2025فبراير  12", "modality": "Online", "organisers": "SESRIC", "partners": "اليونسكو-يونيفوك",
    "area": "2", "programme": "OIC-VET", "participants": "٦٤", "countries": "18",
    "participating_countries": "TR; MYS; المغرب", "status": "Held", "locator": "news item of 12 February 2025",
}


def _sheet(tmp_path, *rows):
    path = tmp_path / "new.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return path


def test_a_new_activity_is_added_validated_and_added_once(tmp_path, kg_copy, cli):
    sheet = _sheet(tmp_path, NEW)
    code, out, _ = cli("add", sheet, "--kg", kg_copy, "--source", "source-sesric-unevoc-meeting-2024", "--dry-run")
    assert code == 0 and "would add" in out and "webinar-on-lifelong-learning-2025" in out
    assert not (kg_copy / "added-sesric-unevoc-meeting-2024.trig").exists()
    code, out, _ = cli("add", sheet, "--kg", kg_copy, "--source", "source-sesric-unevoc-meeting-2024")
    assert code == 0 and "added" in out
    written = kg_copy / "added-sesric-unevoc-meeting-2024.trig"
    assert written.is_file()
    graph = open_graph(kg_copy)
    assert validate(graph).conforms
    row = next(iter(graph.query(
        "SELECT ?n ?c WHERE { <https://w3id.org/oic-tvet/id/webinar-on-lifelong-learning-2025> "
        "<https://w3id.org/oic-tvet/ontology#participantCount> ?n ; <https://w3id.org/oic-tvet/ontology#partner> ?c }")))
    assert (row["n"].value, row["c"].value) == ("64", "https://w3id.org/oic-tvet/id/unesco-unevoc")
    before = _fingerprint(kg_copy)
    code, out, _ = cli("add", sheet, "--kg", kg_copy, "--source", "source-sesric-unevoc-meeting-2024")
    assert code == 0 and "nothing new" in out
    assert _fingerprint(kg_copy) == before


@pytest.mark.parametrize("change, column, message", [
    ({"participating_countries": "TR; Atlantis"}, "participating_countries", "unknown country 'Atlantis'"),
    ({"dates": "", "start_date": "2025-02-12", "end_date": "2025-02-10"}, "end_date", "is before the start"),
    ({"participants": "sixty-four"}, "participants", "is not a whole number"),
    ({"partners": "Ministry of Magic"}, "partners", "unknown organisation 'Ministry of Magic'"),
    ({"title_en": "ندوة عبر الإنترنت"}, "title_en", "Arabic text in the English column"),
    ({"participating_countries": "FR"}, "tvet:participatingCountry", "not an OIC member state"),
    ({"dates": "قريبا"}, "dates", "no year"),
])
def test_a_bad_row_is_refused_with_row_and_column_and_nothing_written(tmp_path, kg_copy, cli, change, column, message):
    before = _fingerprint(kg_copy)
    sheet = _sheet(tmp_path, NEW, {**NEW, "title_en": "Second webinar", **change})
    code, _, err = cli("add", sheet, "--kg", kg_copy, "--source", "source-sesric-unevoc-meeting-2024")
    assert code == 2
    assert f"new.csv, activities row 3, column {column}:" in err and message in err, err
    assert _fingerprint(kg_copy) == before


def test_a_duplicate_activity_is_refused(tmp_path, kg_copy):
    before = _fingerprint(kg_copy)
    with pytest.raises(RowErrors, match="row 3, column id: duplicate activity"):
        add([_sheet(tmp_path, NEW, NEW)], kg_copy, "source-sesric-unevoc-meeting-2024")
    seed_row = next(csv.DictReader(SHEET.open(encoding="utf-8")))
    with pytest.raises(RowErrors, match="row 2, column title_en: duplicate activity: id:comcec-35th-session"):
        add([_sheet(tmp_path, {**seed_row, "id": "comcec-35-again"})], kg_copy)
    assert _fingerprint(kg_copy) == before


def test_an_ambiguous_name_asks_for_the_id(tmp_path, kg_copy):
    organisations = tmp_path / "organisations.csv"
    spec = [c["column"] for c in columns()["organisations"]]
    with open(organisations, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=spec)
        writer.writeheader()
        writer.writerow({"id": "another-iut", "type": "University", "name_ar": "جامعة أخرى", "name_en": "Another university",
                         "name_fr": "Une autre université", "acronym": "IUT", "country": "BD",
                         "source": "source-sesric-unevoc-meeting-2024", "locator": "x"})
    with pytest.raises(RowErrors, match="'IUT' names more than one organisation: id:another-iut, id:iut; write its id"):
        add([organisations, _sheet(tmp_path, {**NEW, "partners": "IUT"})], kg_copy, "source-sesric-unevoc-meeting-2024")


def test_a_write_interrupted_mid_way_leaves_kg_valid(tmp_path, kg_copy, monkeypatch):
    before = _fingerprint(kg_copy)

    def crash(*args):
        raise KeyboardInterrupt("simulated crash")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        add([_sheet(tmp_path, NEW)], kg_copy, "source-sesric-unevoc-meeting-2024")
    monkeypatch.undo()
    assert _fingerprint(kg_copy) == before
    # a crash that kills the process leaves the temporary file: it is not part of the graph
    (kg_copy / ".added-x.trig.abc.tmp").write_text("<a> <b> ")
    assert validate(open_graph(kg_copy)).conforms


def test_template_and_diff(cli, tmp_path, kg_copy):
    code, out, _ = cli("template", "--out", tmp_path / "t")
    assert code == 0
    header = (tmp_path / "t" / "activities.csv").read_text(encoding="utf-8").strip().split(",")
    assert header == COLUMNS
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "t" / "tvet-activities.xlsx")
    assert {"activities", "organisations", "columns"} <= set(book.sheetnames)
    old = tmp_path / "old"
    shutil.copytree(kg_copy, old)
    add([_sheet(tmp_path, NEW)], kg_copy, "source-sesric-unevoc-meeting-2024")
    code, out, _ = cli("diff", old, kg_copy)
    assert code == 0 and "+ <https://w3id.org/oic-tvet/id/webinar-on-lifelong-learning-2025>" in out
    assert out.strip().endswith("0 removed")


def test_yaml_rows_give_the_same_statements_as_csv(graph, tmp_path):
    import yaml

    rows = list(csv.DictReader(SHEET.open(encoding="utf-8")))
    (tmp_path / "seed.yaml").write_text(yaml.safe_dump({"activities": rows}, allow_unicode=True), encoding="utf-8")
    assert {str(q) for q in convert([tmp_path / "seed.yaml"], graph.store).quads} == \
        {str(q) for q in convert([SHEET], graph.store).quads}


# Regression tests of the defects found by trying `add` as an attacker would (issue 23) --------------


@pytest.mark.parametrize("value", ["new webinar", "a>b", "../../x", "http://example.org/x", "javascript:alert(1)",
                                   "Upper-Case", "-leading-hyphen"])
def test_an_id_that_is_no_slug_is_refused_naming_the_column(tmp_path, kg_copy, cli, value):
    before = _fingerprint(kg_copy)
    code, _, err = cli("add", _sheet(tmp_path, {**NEW, "id": value}), "--kg", kg_copy,
                       "--source", "source-sesric-unevoc-meeting-2024")
    assert code == 2 and "activities row 2, column id:" in err and "is not an id" in err, err
    assert "Traceback" not in err and _fingerprint(kg_copy) == before


def test_a_source_that_is_no_id_or_web_address_is_refused(tmp_path, kg_copy, cli):
    code, _, err = cli("add", _sheet(tmp_path, {**NEW, "source": "javascript:alert(1)"}), "--kg", kg_copy)
    assert code == 2 and "column source:" in err and "is not an id" in err


def test_a_csv_in_utf16_is_read_and_one_in_windows_1256_is_refused_with_the_fix(tmp_path, kg_copy, cli):
    utf8 = _sheet(tmp_path, NEW).read_text(encoding="utf-8")
    utf16 = tmp_path / "utf16.csv"
    utf16.write_text(utf8, encoding="utf-16")
    code, out, err = cli("add", utf16, "--kg", kg_copy, "--source", "source-sesric-unevoc-meeting-2024", "--dry-run")
    assert code == 0 and "would add" in out, err
    arabic = tmp_path / "cp1256.csv"
    arabic.write_bytes(utf8.encode("cp1256", errors="replace"))
    code, _, err = cli("add", arabic, "--kg", kg_copy, "--source", "source-sesric-unevoc-meeting-2024")
    assert code == 2 and "cp1256.csv: line 2 is not UTF-8" in err and "CSV UTF-8" in err and "Traceback" not in err


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 not really a zip", b"just text"], ids=["empty", "broken", "text"])
def test_an_empty_or_broken_workbook_is_refused_with_a_message(tmp_path, kg_copy, cli, content):
    book = tmp_path / "book.xlsx"
    book.write_bytes(content)
    code, _, err = cli("add", book, "--kg", kg_copy)
    assert code == 2 and "book.xlsx: not a readable .xlsx workbook" in err and "Traceback" not in err


def test_every_bad_date_of_a_row_is_named_in_its_own_column(tmp_path, kg_copy, cli):
    sheet = _sheet(tmp_path, {**NEW, "dates": "", "start_date": "2025-13-40", "end_date": "someday"})
    code, _, err = cli("add", sheet, "--kg", kg_copy, "--source", "source-sesric-unevoc-meeting-2024")
    assert code == 2 and "column start_date:" in err and "column end_date:" in err, err
    sheet = _sheet(tmp_path, {**NEW, "dates": "", "start_date": "2025-02-12", "end_date": "someday"})
    code, _, err = cli("add", sheet, "--kg", kg_copy, "--source", "source-sesric-unevoc-meeting-2024")
    assert code == 2 and "column end_date:" in err and "column start_date:" not in err, err


def test_the_temporary_file_of_a_killed_add_is_removed_by_the_next(tmp_path, kg_copy):
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan = kg_copy / f".tvetkg-partial-{dead.stdout.strip()}-x1y2.tmp"  # what a SIGKILL mid-write leaves
    orphan.write_text("<a> <b> ")
    mine = kg_copy / f".tvetkg-partial-{os.getpid()}-live.tmp"  # a write under way in a live process stays
    mine.write_text("")
    add([_sheet(tmp_path, NEW)], kg_copy, "source-sesric-unevoc-meeting-2024")
    assert not orphan.exists() and mine.exists()
