"""`tvetkg chart`: the catalogue's coverage by year drawn, every year and area in the picture, bad input named."""

import re

import pytest

from tvetkg.catalogue import catalogue
from tvetkg.query import run_local


def _texts(svg: str) -> list[str]:
    """The words matplotlib wrote into an SVG, from the comments it puts before each text's glyphs."""
    return re.findall(r"<!-- (.*?) -->", svg)


def test_every_year_and_area_of_the_query_is_drawn(cli, graph, tmp_path):
    code, out, _ = cli("chart", "coverage-by-year", "--out", str(tmp_path), "--format", "png,svg")
    assert code == 0 and "coverage-by-year.svg" in out
    assert (tmp_path / "coverage-by-year.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    texts = _texts((tmp_path / "coverage-by-year.svg").read_text(encoding="utf-8"))
    rows = list(run_local(graph, catalogue()["coverage-by-year"].bind({})).values())
    assert {r["year"] for r in rows} <= set(texts) and "2009" in texts and "2024" in texts
    for area in {f'{r["notation"]}. {r["area"]}' for r in rows if r.get("notation")}:
        assert area.replace("&", "&amp;") in texts
    assert any(t.startswith("no cooperation area") for t in texts)


def test_the_same_rows_give_the_same_svg(cli, tmp_path):
    for run in ("a", "b"):
        assert cli("chart", "coverage-by-year", "--out", str(tmp_path / run), "--format", "svg")[0] == 0
    assert (tmp_path / "a" / "coverage-by-year.svg").read_bytes() == (tmp_path / "b" / "coverage-by-year.svg").read_bytes()


def test_arabic_labels(cli, tmp_path):
    assert cli("chart", "coverage-by-year", "--out", str(tmp_path), "--format", "svg", "--lang", "ar")[0] == 0
    texts = _texts((tmp_path / "coverage-by-year.svg").read_text(encoding="utf-8"))
    assert any("الأنشطة" in t for t in texts) and any("التشريعي" in t or "الإطار" in t for t in texts)


@pytest.mark.parametrize("args, said", [
    (["coverage-by-month"], "no chart 'coverage-by-month'"),
    (["coverage-by-year", "--format", "gif"], "--format 'gif'"),
    (["coverage-by-year", "--lang", "de"], "--lang 'de'"),
    (["coverage-by-year", "--endpoint", "file:///etc/passwd"], "file:///etc/passwd"),
])
def test_bad_input_is_named_and_nothing_is_written(cli, tmp_path, args, said):
    code, _, err = cli("chart", *args, "--out", str(tmp_path / "charts"))
    assert code == 2 and said in err
    assert not (tmp_path / "charts").exists()
