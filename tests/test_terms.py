"""`tvetkg terms`: the ontology's classes and properties with label, definition, domain and range."""

import csv
import io
import json

import pytest
import rdflib
from rdflib.namespace import OWL, RDF

from tvetkg import paths
from tvetkg.namespaces import TVET
from tvetkg.terms import vocabulary


def _declared():
    graph = rdflib.Graph().parse(str(paths.ontology_file()), format="turtle")
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return {"tvet:" + str(t)[len(TVET):] for k in kinds for t in graph.subjects(RDF.type, k) if str(t).startswith(TVET)}


@pytest.mark.parametrize("lang", ["ar", "en", "fr"])
def test_every_term_once_with_its_label_in_the_language(lang):
    found = vocabulary(paths.ontology_file(), lang)
    assert sorted(t.name for t in found) == sorted(_declared())
    assert all(t.label for t in found)
    assert all(t.definition_language in (lang, "en") and t.definition for t in found)
    item = next(t for t in found if t.name == "tvet:reportItem")
    assert (item.kind, item.domain, item.range) == ("datatype property", "tvet:SourcedThing", "xsd:positiveInteger")
    if lang == "ar":
        assert item.label == "رقم البند في التقرير"


def test_the_command_line_and_the_api_list_the_same(cli):
    import tvetkg

    code, out, _ = cli("terms", "--format", "csv", "--lang", "fr")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    api = tvetkg.open(kg=paths.kg_dir()).terms("fr")
    assert [r["name"] for r in rows] == [t.name for t in api]
    assert [r["label"] for r in rows] == [t.label for t in api]
    code, out, _ = cli("terms", "--kind", "classes", "--format", "json")
    assert code == 0 and {t["kind"] for t in json.loads(out)} == {"class"}
    code, out, _ = cli("terms", "--kind", "properties", "--format", "json")
    properties = {t["name"]: t for t in json.loads(out)}
    assert code == 0 and "tvet:reportItem" in properties and "tvet:Activity" not in properties
    code, out, _ = cli("terms", "--kind", "classes")
    assert code == 0 and "Activity" in out and out.rstrip().endswith("terms")


@pytest.mark.parametrize("args, message", [
    (["terms", "--lang", "de"], "--lang 'de': use ar, en, fr"),
    (["terms", "--kind", "individuals"], "--kind 'individuals': use classes or properties"),
    (["terms", "--format", "xml"], "--format 'xml': use table, csv or json"),
])
def test_bad_options_are_exit_2(cli, args, message):
    code, _, err = cli(*args)
    assert code == 2 and message in err
