"""Pre-binding of a SPARQL-based validator's variables (SHACL 5.3), read from the query's tokens."""

import glob

import pytest
import rdflib
from rdflib.namespace import SH

from tvetkg import paths
from tvetkg.pre_binding import pre_bind, projection, unsupported

T = "@T@"  # stands for the pattern that binds $this


def test_the_outermost_group_always_gets_the_pattern():
    assert pre_bind("SELECT $this WHERE { $this a ?c }", {"this": T}).count(T) == 1


@pytest.mark.parametrize("query", [
    "SELECT $this WHERE { { FILTER (false) } UNION { FILTER ($this = <x>) } }",
    "SELECT $this WHERE { { { FILTER ($this = <x>) } FILTER bound($this) } }",
    "SELECT $this WHERE { { SELECT $this WHERE { FILTER ($this = <x>) } } }",
    "SELECT $this WHERE { { BIND (STR($this) AS ?s) } }",
])
def test_an_inner_group_reading_this_in_an_expression_gets_it_too(query):
    text = pre_bind(query, {"this": T})
    assert text.count(T) >= 2
    inner = text.index("{", text.index("{") + 1)
    assert T in text[inner:]


@pytest.mark.parametrize("query", [
    "SELECT $this WHERE { { $this <p> ?v FILTER (?v != $this) } }",  # matched by its own triple
    "SELECT $this WHERE { OPTIONAL { ?x <p> ?v FILTER (?v = $this) } }",  # sees the outer solution
    "SELECT $this WHERE { FILTER NOT EXISTS { { FILTER ($this = <x>) } } }",  # EXISTS substitutes
    "SELECT $this WHERE { { ?x <p> \"{ FILTER ($this) }\" } }",  # braces in a string are not a group
])
def test_other_groups_are_left_alone(query):
    assert pre_bind(query, {"this": T}).count(T) == 1


def test_our_own_shapes_get_the_pattern_once():
    """Putting the pattern in every group made Oxigraph's plans for our shapes take minutes at 1M."""
    graph = rdflib.Graph()
    for path in glob.glob(str(paths.shapes_dir() / "*.ttl")):
        graph.parse(path)
    texts = [str(text) for text in graph.objects(None, SH.select)]
    assert texts
    assert all(pre_bind(text, {"this": T}).count(T) == 1 for text in texts)


def test_what_pre_binding_forbids():
    assert unsupported("SELECT $this WHERE { MINUS { $this a <C> } }") == "MINUS is not allowed"
    assert "AS" in unsupported("SELECT $this WHERE { BIND (1 AS ?value) }", {"this", "value"})
    assert unsupported("SELECT $this WHERE { BIND (1 AS ?value) }") is None  # $value: ASK validators only
    assert "does not return $this" in unsupported("SELECT $this WHERE { { SELECT ?x WHERE { ?x a <C> } } }")
    # $this read in an expression of a sub-query's projection is not returned by it
    assert "does not return $this" in unsupported("SELECT $this WHERE { { SELECT (STR($this) AS ?s) WHERE { } } }")


def test_the_projection_is_read_from_the_tokens():
    assert projection("SELECT $this (<p> AS ?path) ?value WHERE { }") == ["$this", "?path", "?value"]
    assert projection("SELECT DISTINCT ?this (COUNT(?x) AS ?n) { }") == ["?this", "?n"]
    assert projection("SELECT * WHERE { }") == ["*"]
    assert projection("ASK { }") is None
