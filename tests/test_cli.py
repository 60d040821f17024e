"""The command line, in-process: every command works, documents itself, and fails clearly on bad input."""

import csv
import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import FIXTURES

from tvetkg.cli import app

COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(cli, command):
    code, out, _ = cli(command, "--help")
    assert code == 0
    assert "Usage:" in out and len(out) > 200


def test_python_dash_m_runs_the_cli():
    done = subprocess.run([sys.executable, "-m", "tvetkg", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("tvetkg ")


def test_validate_conforms(cli):
    code, out, _ = cli("validate")
    assert code == 0
    assert "conforms: 0 violations, 0 warnings" in out


def test_validate_reports_a_string_where_an_organisation_belongs(cli, kg_copy):
    """A literal focus node (the string "SESRIC" as the object of tvet:organiser, a target of the organisation
    shape) is a violation of the activity, in the report with its file, not a crash."""
    (kg_copy / "new.ttl").write_bytes((FIXTURES / "shapes" / "ActivityShape-organiser-a-string.ttl").read_bytes())
    for engine in ("oxigraph", "pyshacl"):
        code, out, err = cli("validate", "--kg", kg_copy, "--format", "json", "--engine", engine)
        assert code == 1 and "Traceback" not in err, err
        found = {(r["focus"], r["component"], r["value"], tuple(Path(f).name for f in r["files"]))
                 for r in json.loads(out)["results"]}
        assert found == {("id:fixture-course", "sh:ClassConstraintComponent", "SESRIC", ("new.ttl",)),
                         ("SESRIC", "sh:ClassConstraintComponent", "SESRIC", ()),
                         ("SESRIC", "sh:MinCountConstraintComponent", "", ())}, engine


def test_validate_a_broken_file_names_node_path_and_file(cli, tmp_path, kg_copy):
    (kg_copy / "new.ttl").write_bytes((FIXTURES / "shapes" / "ActivityShape-end-before-start.ttl").read_bytes())
    code, out, _ = cli("validate", "--kg", kg_copy)
    assert code == 1
    assert "Fixture training course" in out and "tvet:startDate" in out  # long paths fold inside the table
    code, out, _ = cli("validate", "--kg", kg_copy, "--format", "json")
    report = json.loads(out)
    assert report["conforms"] is False
    assert report["results"][0]["files"][0].endswith("new.ttl")
    code, out, _ = cli("validate", "--kg", kg_copy, "--format", "turtle")
    assert code == 1 and "sh:ValidationReport" in out


def test_broken_turtle_names_file_and_line(cli, kg_copy):
    (kg_copy / "broken.ttl").write_text('@prefix ex: <http://ex/> .\nex:a ex:b "unterminated .\n', encoding="utf-8")
    for command in ("validate", "stats", "build"):
        code, out, err = cli(command, "--kg", kg_copy)
        assert code == 2, command
        assert "broken.ttl:2:" in err
        assert "Traceback" not in out + err


def test_query_formats(cli):
    code, out, _ = cli("query", "coverage-by-area", "--format", "csv")
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert [r["participants"] for r in table] == ["169", "50", "80", "153"]
    code, out, _ = cli("query", "coverage-by-area", "--format", "tsv")
    assert code == 0 and out.splitlines()[0].startswith("?notation\t")
    code, out, _ = cli("query", "coverage-by-area", "--format", "json")
    assert len(json.loads(out)["results"]["bindings"]) == 4
    code, out, _ = cli("query", "coverage-by-area", "--format", "xml")
    assert ET.fromstring(out).tag.endswith("sparql")
    code, out, _ = cli("query", "area-with-fewest-activities")
    assert code == 0 and "Occupational Standards" in out and "1 row" in out


def test_query_with_params_and_sparql_text(cli):
    code, out, _ = cli("query", "partners-of", "--param", "org=iut", "--format", "csv")
    assert code == 0 and "https://w3id.org/oic-tvet/id/sesric" in out
    code, out, _ = cli("query", "--sparql", "SELECT ?l WHERE { ?o <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(LANG(?l) = ?lang) }",
                       "--param", "o=id:iut", "--param", "lang=fr", "--format", "csv")
    assert code == 0 and out.splitlines() == ["l", "Université islamique de technologie"]


def test_query_with_inferred_facts(cli, facts):
    sparql = "SELECT DISTINCT ?a WHERE { ?a <https://w3id.org/oic-tvet/ontology#involves> <https://w3id.org/oic-tvet/id/iut> } ORDER BY ?a"
    code, out, _ = cli("query", "--sparql", sparql, "--format", "csv")
    assert code == 0 and out.splitlines() == ["a"]  # tvet:involves is only entailed, from the five roles
    code, out, _ = cli("query", "--sparql", sparql, "--format", "csv", "--inferred")
    iut = "https://w3id.org/oic-tvet/id/iut"
    involving = {a for a, fact in facts.items()
                 if any(iut in fact.get(role, ()) for role in ("organiser", "partner", "contentProvider", "funder", "participant"))}
    assert code == 0 and set(out.splitlines()[1:]) == involving and len(involving) >= 5


@pytest.mark.parametrize("args, message", [
    (["query", "partner-of"], "unknown query 'partner-of'. Did you mean: partners-of"),
    (["query", "--sparql", "SELECT * WHERE { ?s ?p }"], "SPARQL syntax error: line 1, column 25 (the end of the text): expected"),
    (["query", "--sparql", "SELECT * WHERE {\n  ?s foo:p ?o\n}"], "line 2, column 6: the prefix foo: is not declared"),
    (["query", "timeline", "--param", "from=2024-13-01"], "parameter from: '2024-13-01' is not a valid xsd:date"),
    (["query", "partners-of", "--param", "org"], "write --param name=value"),
    (["query", "partners-of", "--param", "nope=1"], "unknown parameter 'nope'"),
    (["query", "partners-of", "--param", "org=unesco-unevo"],
     "parameter org: id:unesco-unevo names nothing in the graph. Did you mean: id:unesco-unevoc"),
    (["query", "network/involvements", "--param", "role=tvet:partnr"], "Did you mean: tvet:partner"),
    (["query", "coverage-by-type", "--param", "lang=de"], "parameter lang: 'de' is not one of ar, en, fr"),
    (["queries", "--tag", "nope"], "--tag 'nope': no query has it (tags: countries, coverage, "),
    (["query", "missing.rq"], "missing.rq: no such query file"),
    (["query"], "give a query NAME or .rq FILE, or --sparql TEXT"),
    (["query", "partners-of", "--format", "yaml"], "--format 'yaml'"),
    (["query", "partners-of", "--endpoint", "http://127.0.0.1:9/sparql"], "cannot reach the SPARQL endpoint"),
    (["validate", "nowhere.ttl"], "nowhere.ttl: no such file or folder"),
    (["stats", "--kg", "/nonexistent"], "/nonexistent: no such data folder"),
])
def test_bad_input_is_a_clear_message_and_exit_2(cli, args, message):
    code, out, err = cli(*args)
    assert code == 2
    assert message in err
    assert "Traceback" not in out + err


def test_queries_lists_the_catalogue(cli):
    code, out, _ = cli("queries")
    assert code == 0 and "partners-of" in out and "org:iri=id:sesric" in out
    code, out, _ = cli("queries", "--format", "json", "--tag", "coverage")
    listed = json.loads(out)
    assert {q["name"] for q in listed} >= {"coverage-by-area", "area-with-fewest-activities"}
    assert all("coverage" in q["tags"] for q in listed)


def test_reason_writes_the_entailed_facts(cli, tmp_path):
    code, out, _ = cli("reason", "--output", tmp_path / "inferred.nt")
    assert code == 0 and "consistent" in out
    lines = (tmp_path / "inferred.nt").read_text().splitlines()
    assert len(lines) > 500 and all(line.endswith(" .") for line in lines)


def test_reason_explains_an_inconsistency(cli, kg_copy, tmp_path):
    (kg_copy / "wrong.ttl").write_bytes((FIXTURES / "reasoning" / "organisation-that-is-a-country.ttl").read_bytes())
    code, out, _ = cli("reason", "--kg", kg_copy, "--output", tmp_path / "x.nt")
    assert code == 1 and "inconsistent" in out and "id:iut" in out
    assert not (tmp_path / "x.nt").exists()


def test_stats(cli):
    code, out, _ = cli("stats")
    assert code == 0
    assert "tvet:Activity" in out and "24" in out and "tvet:Country" in out and "59" in out


def test_build_writes_everything(cli, tmp_path):
    out_dir = tmp_path / "build"
    code, out, _ = cli("build", "--out", out_dir)
    assert code == 0, out
    for name in ("graph.trig", "validation.ttl", "validation.json", "inferred.nt", "summary.md", "summary.json",
                 "queries/coverage-by-area.csv", "queries/qc/dangling-reference-violation.csv",
                 "network/organisations.graphml", "network/bipartite.gexf", "network/countries.html",
                 "network/organisations.png"):
        assert (out_dir / name).is_file(), name
    summary = json.loads((out_dir / "summary.json").read_text())
    assert summary["conforms"] and summary["consistent"] and summary["failed_checks"] == {}
    assert summary["queries"]["coverage-by-area"] == 4


def test_build_draws_only_the_networks_small_enough_to_read(cli, tmp_path, monkeypatch):
    from tvetkg import network

    monkeypatch.setattr(network, "DRAW_LIMIT", 100)
    out_dir = tmp_path / "build"
    assert cli("build", "--out", out_dir)[0] == 0
    networks = json.loads((out_dir / "summary.json").read_text())["networks"]
    assert {kind for kind, n in networks.items() if n["nodes"] > 100} == {"bipartite"}
    for kind, described in networks.items():
        drawn = described["nodes"] <= 100
        assert described["formats"] == list(network.FORMATS if drawn else network.DATA_FORMATS)
        for fmt in network.FORMATS:
            assert (out_dir / "network" / f"{kind}.{fmt}").is_file() == (drawn or fmt in network.DATA_FORMATS)
    assert "| bipartite |" in (out_dir / "summary.md").read_text()


def test_networks_built_in_processes_equal_those_built_in_a_thread(cli, tmp_path, monkeypatch):
    """A large graph's networks are built in two processes: byte for byte the files a thread writes for a
    small one."""
    from tvetkg import build, network

    assert cli("build", "--out", tmp_path / "thread")[0] == 0
    monkeypatch.setattr(build, "NETWORK_PROCESSES_ABOVE", 0)
    assert cli("build", "--out", tmp_path / "processes")[0] == 0
    for kind in ("organisations", "bipartite", "countries"):
        for fmt in network.FORMATS:
            name = f"{kind}.{fmt}"
            assert (tmp_path / "processes" / "network" / name).read_bytes() == \
                (tmp_path / "thread" / "network" / name).read_bytes(), name
    summaries = [json.loads((tmp_path / run / "summary.json").read_text())["networks"] for run in ("thread", "processes")]
    assert summaries[0] == summaries[1] and list(summaries[1]) == ["organisations", "bipartite", "countries"]


def test_build_of_a_non_conforming_graph_exits_1_and_keeps_the_report(cli, tmp_path, kg_copy):
    (kg_copy / "new.ttl").write_bytes((FIXTURES / "shapes" / "ActivityShape-missing-source.ttl").read_bytes())
    code, out, _ = cli("build", "--kg", kg_copy, "--out", tmp_path / "build")
    assert code == 1 and "does NOT conform" in out
    report = json.loads((tmp_path / "build" / "validation.json").read_text())
    assert any(r["path"] == "tvet:source" for r in report["results"])


def test_a_failed_build_leaves_the_previous_build(cli, tmp_path, kg_copy):
    out_dir = tmp_path / "build"
    assert cli("build", "--kg", kg_copy, "--out", out_dir)[0] == 0
    before = (out_dir / "summary.json").read_text()
    (kg_copy / "broken.trig").write_text("<a> <b> ", encoding="utf-8")
    assert cli("build", "--kg", kg_copy, "--out", out_dir)[0] == 2
    assert (out_dir / "summary.json").read_text() == before
    assert not (tmp_path / "build.partial").exists()


def test_synth_and_validate_engines_from_the_command_line(cli, tmp_path):
    code, out, _ = cli("synth", "--out", tmp_path / "s", "--activities", 40, "--seed", 3, "--defects", 0.5)
    assert code == 0 and "activities  40" in out
    assert (tmp_path / "s" / "planted-defects.csv").read_text().count("\n") > 10
    code, out, _ = cli("validate", "--kg", tmp_path / "s", "--format", "json")
    assert code == 1 and '"conforms": false' in out
    code, _, err = cli("validate", "--engine", "jena")
    assert code == 2 and "--engine 'jena'" in err
    code, _, err = cli("synth", "--out", tmp_path / "t", "--defects", 2)
    assert code == 2 and "--defects" in err and not (tmp_path / "t").exists()
    code, _, err = cli("build", "--reasoner", "pellet", "--out", tmp_path / "b")
    assert code == 2 and "--reasoner 'pellet'" in err and not (tmp_path / "b").exists()


def test_user_text_and_data_are_printed_as_text_not_markup(cli):
    code, _, err = cli("query", "x[/foo]y")
    assert code == 2 and "unknown query 'x[/foo]y'" in err
    code, out, _ = cli("query", "--sparql", 'SELECT ("a :smile: [b]x[/b] [/foo]" AS ?x) WHERE {}')
    assert code == 0 and "a :smile: [b]x[/b] [/foo]" in out


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_an_answer_ends_with_a_line_end(cli, fmt):
    code, out, _ = cli("query", "--sparql", "ASK { id:sesric ?p ?o }" if fmt in ("json", "xml") else
                       "SELECT ?p WHERE { id:sesric ?p ?o } LIMIT 1", "--format", fmt)
    assert code == 0 and out.endswith("\n") and not out.endswith("\n\n")


def test_diff_of_a_missing_path_says_so(cli, tmp_path):
    code, _, err = cli("diff", tmp_path / "nope", tmp_path)
    assert code == 2 and "nope: no such file or folder" in err


@pytest.mark.parametrize("command, shown", [("add", "kg/added-<source>.trig"), ("build", "queries/<name>.csv")])
def test_help_texts_keep_their_placeholders(cli, command, shown):
    code, out, _ = cli(command, "--help")
    assert code == 0 and shown in out
