"""SHACL shapes compiled to SPARQL and run on the embedded Oxigraph store.

pySHACL stays the reference engine; this one gives the same results (focus
node, path, value, component, shape, severity, message) in a fraction of the
time on a large graph, because each constraint becomes one SPARQL query over all
focus nodes instead of one rdflib query per node.

The shapes are read as data; every constraint component they use is compiled,
and one this module does not know is refused by name rather than skipped.

Oxigraph re-encodes typed literals (`"05"^^xsd:nonNegativeInteger` is stored
as `"5"^^xsd:integer`), which would hide exactly what `sh:datatype` checks. The
validation store therefore keeps each statement whose object is a literal with a
datatype other than xsd:string twice: as Oxigraph keeps it, for the shapes' own
SPARQL, and under a *lexical* predicate with a *lexical* datatype that records the
original datatype and whether the lexical form is valid for it (judged as pySHACL
judges it, by rdflib). The core constraints read values through both; comparisons
cast the lexical form back to its value.

The queries read the store's default graph, the merge of its graphs (`load.merge_into_default`),
with the lexical copies and focus marks beside it; `GRAPH ?source` reads the sources' graphs.

"""

import dataclasses
import itertools
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from tvetkg.comparisons import holds
from tvetkg.pre_binding import PRE_BOUND, ask_group, mentions, pre_bind, projection, unsupported
from tvetkg.errors import QueryFailed, TvetKgError
from tvetkg.sandbox import LargeStackExecutor
from tvetkg.sparql_text import screen
from tvetkg.rdf import quiet_rdflib

WELL_TYPED = "urn:x-tvetkg:lexical:"
ILL_TYPED = "urn:x-tvetkg:ill-typed:"
_XSD_STRING = str(XSD.string)
_LANG_STRING = str(RDF.langString)


# ---------------------------------------------------------------------------
# The validation store: literals keep their lexical form and datatype
# ---------------------------------------------------------------------------

_VALUE_TYPES = {
    XSD.integer: int, XSD.float: float, XSD.double: float, XSD.decimal: Decimal, XSD.boolean: bool,
    XSD.date: date, XSD.dateTime: datetime, XSD.time: time,
}


@lru_cache(maxsize=65536)
def _as_rdflib_reads(lexical: str, datatype: str) -> tuple[bool, str]:
    """Whether pySHACL would take the literal as valid for its datatype, and its lexical form once
    rdflib has read it (rdflib normalises valid literals: "082"^^xsd:integer is "82")."""
    with quiet_rdflib():
        literal = rdflib.Literal(lexical, datatype=datatype)
    if getattr(literal, "ill_typed", None) is True:
        return False, str(literal)
    expected = _VALUE_TYPES.get(rdflib.URIRef(datatype))
    return expected is None or isinstance(literal.value, expected), str(literal)


def encode(term):
    """A term as the lexical copies hold it."""
    if isinstance(term, ox.Literal) and term.language is None:
        datatype = term.datatype.value
        if datatype != _XSD_STRING:
            valid, lexical = _as_rdflib_reads(term.value, datatype)
            return ox.Literal(lexical, datatype=ox.NamedNode((WELL_TYPED if valid else ILL_TYPED) + datatype))
    return term


def decode(term):
    """A term of the validation store as it was written."""
    if isinstance(term, ox.Literal) and term.language is None:
        datatype = term.datatype.value
        for prefix in (WELL_TYPED, ILL_TYPED):
            if datatype.startswith(prefix):
                return ox.Literal(term.value, datatype=ox.NamedNode(datatype[len(prefix):]))
    return term


LEXICAL = "urn:x-tvetkg:lexical:"
FOCUS = "urn:x-tvetkg:focus:"
VALIDATION_GRAPH = "urn:x-tvetkg:validation"
SHAPES_GRAPH = "urn:x-tvetkg:shapes"  # the shapes, while a validator reads $shapesGraph
# What the checks read: the merge, and the lexical copies and focus marks of the validation graph.
_DATASET = {"default_graph": [ox.DefaultGraph(), ox.NamedNode(VALIDATION_GRAPH)]}


def lexical_predicate(predicate: str) -> str:
    """The predicate under which the store keeps a statement's typed literal as written."""
    return LEXICAL + predicate


_CHUNK = 100_000  # lexical copies loaded at a time


def add_lexical_copies(store: ox.Store, quads, graph: ox.NamedNode) -> set[str]:
    """Add each statement with a typed literal (not xsd:string) again to `graph`, under a lexical
    predicate, the literal as written; return the predicates that have such statements.

    The copies go in as N-Quads text, which is made and read four times faster than as many
    Quad objects, a chunk at a time so that the text stays small; a copy whose subject is a
    blank node goes in as a Quad, because a parser gives each blank node label a node of its own.
    """
    literal, string, named = ox.Literal, ox.NamedNode(_XSD_STRING), ox.NamedNode
    lines, blank, lexical = [], [], {}  # predicate -> its lexical predicate, as a node and as text
    encoded = lru_cache(maxsize=65536)(lambda term: str(encode(term)))  # the same dates and counts recur
    tail = f" <{graph.value}> .\n"
    for q in quads:
        obj = q.object
        if type(obj) is literal and obj.language is None and obj.datatype != string:
            predicate = lexical.get(q.predicate)
            if predicate is None:
                node = named(lexical_predicate(q.predicate.value))
                predicate = lexical[q.predicate] = (node, f" {node} ")
            subject = q.subject
            if type(subject) is named:
                lines.append(str(subject) + predicate[1] + encoded(obj) + tail)
                if len(lines) == _CHUNK:
                    store.load("".join(lines).encode(), format=ox.RdfFormat.N_QUADS, lenient=True)
                    lines.clear()
            else:
                blank.append(ox.Quad(subject, predicate[0], encode(obj), graph))
    store.load("".join(lines).encode(), format=ox.RdfFormat.N_QUADS, lenient=True)
    store.bulk_extend(blank)
    return {p.value for p in lexical}


def validate_store(store: ox.Store, quads, shapes: rdflib.Graph) -> list["Finding"]:
    """Check the shapes on a store loaded with `quads` (the ontology among them, read once, as written),
    its default graph their merge.

    The lexical copies and the marks of the focus nodes go into a graph of their own,
    removed at the end: the store is left as it was. The checks run on every core
    (Oxigraph lets go of the GIL while it evaluates a query).
    """
    graph = ox.NamedNode(VALIDATION_GRAPH)
    targets = Compiler(shapes, store)
    targets.checks()
    if targets.reads_shapes_graph:
        store.load(shapes.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
                   to_graph=ox.NamedNode(SHAPES_GRAPH))
    try:
        with LargeStackExecutor(max_workers=os.cpu_count() or 2) as pool:
            # The typed literals are copied first, then the focus nodes found on every core (some sets
            # read the copies). Both are Python loops: side by side they held each other up on the GIL,
            # 7 s each at a million statements where one after the other takes 3.5 s each.
            typed = add_lexical_copies(store, quads, graph)
            sets = list(targets.focus_sets.items())
            marks = [pool.submit(focus_nodes, store, union, mark, graph) for union, mark in sets]
            sizes = {}
            for (_, mark), marked in zip(sets, marks):
                text, blank = marked.result()
                sizes[mark] = text.count("\n") + len(blank)
                store.load(text.encode(), format=ox.RdfFormat.N_QUADS, lenient=True)
                store.bulk_extend(blank)
            # Compiled again knowing which predicates have typed literals (the others are read directly)
            # and how many focus nodes each set has.
            checks = Compiler(shapes, store, typed, sizes).checks()
            found = pool.map(lambda check: run_check(store, check), checks)
            return [finding for findings in found for finding in findings]
    finally:
        store.remove_graph(graph)
        if targets.reads_shapes_graph:
            store.remove_graph(ox.NamedNode(SHAPES_GRAPH))


def _cast(var: str) -> str:
    """A SPARQL expression: the value of a literal the store keeps under a lexical datatype."""
    return (f"IF(STRSTARTS(STR(DATATYPE({var})), \"{WELL_TYPED}\"), "
            f"STRDT(STR({var}), IRI(SUBSTR(STR(DATATYPE({var})), {len(WELL_TYPED) + 1}))), {var})")


# ---------------------------------------------------------------------------
# Compiled checks
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """One constraint of one shape, as a query whose rows are its validation results.

    The query selects ?this, and where they apply ?value, ?path and the variables
    that the message template names.
    """

    shape: rdflib.term.Node
    component: str
    severity: str
    path: rdflib.term.Node | None
    messages: tuple[str, ...]
    query: str
    sparql_based: bool = False
    judged: tuple | None = None  # (kind, bound or the variable of the compared value): see comparisons
    # A check of a shape reached by sh:node: the shape that names it, and the variable of that shape's
    # focus node (its results are that shape's results' sh:detail)
    detail_of: rdflib.term.Node | None = None
    parent: str | None = None


@dataclass(frozen=True)
class Finding:
    focus: object
    path: rdflib.term.Node | str | None
    value: object
    component: str
    shape: rdflib.term.Node
    severity: str
    messages: tuple[str, ...]
    detail_of: tuple | None = None  # (the parent's focus node, the shape that names this one by sh:node)


class _Fresh:
    def __init__(self):
        self._counter = itertools.count()

    def __call__(self, stem: str = "v") -> str:
        return f"?_{stem}{next(self._counter)}"


def _term(node) -> str:
    """A constant of the shapes graph as SPARQL, typed literals under their lexical datatype."""
    if isinstance(node, rdflib.URIRef):
        return f"<{node}>"
    if isinstance(node, rdflib.Literal):
        encoded = encode(ox.Literal(str(node), language=node.language,
                                    datatype=ox.NamedNode(node.datatype) if node.datatype else None))
        return str(encoded)
    raise TvetKgError(f"shapes: a blank node cannot be used as a constant ({node})")


def _sparql_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class Compiler:
    """Turns the shapes graph into checks."""

    def __init__(self, shapes: rdflib.Graph, data: ox.Store, typed_predicates: set[str] | None = None,
                 focus_sizes: dict[str, int] | None = None):
        """`typed_predicates`: the predicates that have a lexical copy (all, if not known yet);
        `focus_sizes`: the number of nodes in each marked focus set, if known."""
        self.sg = shapes
        self.data = data
        self.typed = typed_predicates
        self.focus_sizes = focus_sizes or {}
        self._marks: dict[str, str] = {}  # the targets pattern of a marked set -> its mark
        self._statements: dict[str, int] = {}
        self._nesting: list = []  # the shapes sh:node has led into, outermost first
        self.fresh = _Fresh()
        self._subclasses: dict[str, list[str]] = {}
        self.focus_sets: dict[str, str] = {}
        self.reads_shapes_graph = False  # a validator reads $shapesGraph: the shapes go into the store

    # -- shapes graph helpers -------------------------------------------------

    def _list(self, node) -> list:
        return list(Collection(self.sg, node))

    def _one(self, node, prop):
        return self.sg.value(node, prop)

    def subclasses(self, cls) -> list[str]:
        """The class and its subclasses in the data (with the ontology), as SHACL instances need them."""
        key = str(cls)
        if key not in self._subclasses:
            rows = self.data.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* <{cls}> }}",
                                   **_DATASET)
            found = {row["c"].value for row in rows if isinstance(row["c"], ox.NamedNode)}
            found.add(key)
            self._subclasses[key] = sorted(found)
        return self._subclasses[key]

    def instance_of(self, var: str, cls, kind: str | None = None) -> str:
        classes = " ".join(f"<{c}>" for c in self.subclasses(cls))
        kind = kind or self.fresh("class")
        return f"VALUES {kind} {{ {classes} }} {var} <{RDF.type}> {kind} ."

    def path(self, node) -> str:
        if isinstance(node, rdflib.URIRef):
            return f"<{node}>"
        if (node, RDF.first, None) in self.sg:
            return "(" + "/".join(self.path(p) for p in self._list(node)) + ")"
        for prop, template in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                               (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
            inner = self._one(node, prop)
            if inner is not None:
                return "(" + template.format(self.path(inner)) + ")"
        alternatives = self._one(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(p) for p in self._list(alternatives)) + ")"
        raise TvetKgError(f"shapes: unsupported property path {node}")

    def values_of(self, focus: str, path_node, var: str) -> str:
        """A pattern binding `var` to each value node of `focus`, typed literals as written."""
        if path_node is None:
            return f"BIND ({focus} AS {var})"
        path = self.path(path_node)
        if not isinstance(path_node, rdflib.URIRef):
            return f"{focus} {path} {var} ."
        if self.typed is not None and str(path_node) not in self.typed:  # no typed literal to read as written
            return f"{focus} {path} {var} ."
        return (f"{{ {focus} {path} {var} FILTER ({_as_stored(var)}) }} "
                f"UNION {{ {focus} <{lexical_predicate(str(path_node))}> {var} }}")

    # -- targets ------------------------------------------------------------------

    def targets(self, shape) -> str | None:
        parts = []
        for cls in sorted(self.sg.objects(shape, SH.targetClass)):
            parts.append(self.instance_of("?this", cls, f"?_class{len(parts)}"))
        for node in self.sg.objects(shape, SH.targetNode):
            parts.append(f"VALUES ?this {{ {_term(node)} }}")
        for prop in sorted(self.sg.objects(shape, SH.targetSubjectsOf)):
            parts.append(f"?this <{prop}> [] .")
        for prop in sorted(self.sg.objects(shape, SH.targetObjectsOf)):  # typed literals as written
            parts.append(self.values_of("[]", prop, "?this"))
        if (shape, RDF.type, RDFS.Class) in self.sg:
            parts.append(self.instance_of("?this", shape, f"?_class{len(parts)}"))
        if not parts:
            return None
        union = " UNION ".join("{ " + p + " }" for p in parts)
        # Each set of focus nodes is computed once and marked in the store (focus_nodes).
        if union not in self.focus_sets:
            self.focus_sets[union] = f"{FOCUS}{len(self.focus_sets)}"
        mark = self.focus_sets[union]
        pattern = f"<{FOCUS}> <{mark}> ?this ."  # the node as object: a literal can be a focus node too
        self._marks[pattern] = mark
        return pattern

    def statements_of(self, predicate: str) -> int:
        if predicate not in self._statements:
            rows = self.data.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{predicate}> ?o }}")  # the merge
            self._statements[predicate] = int(next(iter(rows))["n"].value)
        return self._statements[predicate]

    def read_whole(self, targets: str, path_node) -> bool:
        """Whether the values of a property are better read for all subjects at once and matched to
        the focus nodes, than looked up node by node: Oxigraph looks up each focus node's values
        in its index (some 8 us each), where one pass over the property and a hash join cost some
        2 us a statement (a million statements: a check of 50,000 activities 0.8 s -> 0.25 s)."""
        size = self.focus_sizes.get(self._marks.get(targets, ""))
        return (size is not None and isinstance(path_node, rdflib.URIRef)
                and 4 * size >= self.statements_of(str(path_node)))


    # -- shapes -------------------------------------------------------------------

    def checks(self) -> list[Check]:
        shapes = set(self.sg.subjects(RDF.type, SH.NodeShape)) | set(self.sg.subjects(RDF.type, SH.PropertyShape))
        for prop in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            shapes |= set(self.sg.subjects(prop, None))
        out = []
        for shape in sorted(shapes, key=str):
            if self._one(shape, SH.deactivated) == rdflib.Literal(True):
                continue
            targets = self.targets(shape)
            if targets is not None:
                out.extend(self.shape_checks(shape, targets))
        return out

    def shape_checks(self, shape, targets: str, parents: tuple[str, ...] = ()) -> list[Check]:
        """The checks of a shape with targets, and of the property shapes it names.

        `parents` are the focus variables of the shapes this one is nested in by
        sh:node: pySHACL reports the nested results once per parent result, as sh:detail.
        """
        out = list(self.constraint_checks(shape, targets, parents))
        for prop_shape in self.sg.objects(shape, SH.property):
            if self._one(prop_shape, SH.deactivated) == rdflib.Literal(True):
                continue
            out.extend(self.constraint_checks(prop_shape, targets, parents))
        return out

    def details(self, shape, targets: str, parents: tuple[str, ...]) -> list[Check]:
        """The checks of each shape named by sh:node, on the value nodes of `shape`."""
        out = []
        path_node = self._one(shape, SH.path)
        for nested in self.sg.objects(shape, SH.node):
            parent, nested_targets = self._value_nodes(path_node, targets, parents)
            with self._inside(nested):
                for check in self.shape_checks(nested, nested_targets, (*parents, parent)):
                    if check.parent is None:  # a check of this shape's own sh:node (deeper ones are set)
                        check = dataclasses.replace(check, detail_of=shape, parent=parent)
                    out.append(check)
        return out

    def properties_of_property(self, shape, targets: str, parents: tuple[str, ...]) -> list[Check]:
        """The checks of each property shape that a property shape names by sh:property, on its value
        nodes: results of their own (not sh:detail), one for each focus node the value was reached from."""
        out = []
        for nested in self.sg.objects(shape, SH.property):
            if self._one(nested, SH.deactivated) == rdflib.Literal(True):
                continue
            parent, nested_targets = self._value_nodes(self._one(shape, SH.path), targets, parents)
            with self._inside(nested):
                out.extend(self.constraint_checks(nested, nested_targets, (*parents, parent)))
        return out

    def _value_nodes(self, path_node, targets: str, parents: tuple[str, ...]) -> tuple[str, str]:
        """A targets pattern binding ?this to the value nodes of the focus nodes of `targets`, which it
        keeps in a fresh variable (returned) beside those of the shapes it is nested in."""
        parent = self.fresh("parent")
        outer = re.sub(r"\?this\b", parent, targets)
        step = f"{parent} {self.path(path_node)} ?this ." if path_node is not None else f"BIND ({parent} AS ?this)"
        return parent, f"{{ SELECT DISTINCT {' '.join(parents)} {parent} ?this WHERE {{ {outer} {step} }} }}"

    def constraint_checks(self, shape, targets: str, parents: tuple[str, ...] = ()) -> list[Check]:
        path_node = self._one(shape, SH.path)
        severity = str(self._one(shape, SH.severity) or SH.Violation)
        messages = tuple(str(m) for m in self.sg.objects(shape, SH.message))
        values = self.values_of("?this", path_node, "?value")
        if self.read_whole(targets, path_node):
            values = f"{{ SELECT ?this ?value WHERE {{ {values} }} }}"
        checks = []

        def add(component: str, body: str, select: str, modifiers: str = "", header: str = "",
                extra_messages=(), sparql_based=False, judged=None):
            group = " ".join((*parents, "?this"))
            query = (f"{header}\nSELECT DISTINCT {' '.join(parents)} {select} WHERE {{ {targets} {body} }} "
                     + modifiers.replace("GROUP BY ?this", f"GROUP BY {group}"))
            checks.append(Check(shape, component, severity, path_node,
                                tuple(extra_messages) + messages, query, sparql_based, judged))

        for component, pattern, select, modifiers, *judged in self.value_constraints(shape, path_node, values):
            add(component, pattern, select, modifiers, judged=tuple(judged) or None)
        for constraint in self.sg.objects(shape, SH.sparql):
            if self._one(constraint, SH.deactivated) == rdflib.Literal(True):
                continue
            select, body, header = self.select_validator(constraint, path_node, {}, targets, shape)
            extra = tuple(str(m) for m in self.sg.objects(constraint, SH.message))
            add(str(SH.SPARQLConstraintComponent), body, select, "", header, extra, sparql_based=True)
        for component, validator, bindings in self.custom_components(shape):
            compile_validator = self.select_validator if self._one(validator, SH.select) is not None else self.ask_validator
            select, body, header = compile_validator(validator, path_node, bindings, targets, shape)
            extra = tuple(str(m) for m in self.sg.objects(validator, SH.message))
            add(component, body, select, "", header, extra, sparql_based=True)
        nested = self.properties_of_property(shape, targets, parents) if path_node is not None else []
        return checks + nested + self.details(shape, targets, parents)

    # -- core constraint components -------------------------------------------

    def value_constraints(self, shape, path_node, values: str):
        """(component, pattern, projection) for each core constraint of the shape; ?this is bound."""
        property_shape = path_node is not None
        path = self.path(path_node) if property_shape else None
        known = _IGNORED_IN_NESTED | {
            SH.property, SH.sparql, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
            SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint,
            SH.flags, SH.declare, SH.prefixes, SH.defaultValue, SH.ignoredProperties,
            SH.select, SH.ask}  # a validator's query: read through the sh:sparql or component that names it
        component_params = self._component_parameters()
        for prop, obj in sorted(self.sg.predicate_objects(shape), key=lambda po: (str(po[0]), str(po[1]))):
            if prop in known or prop in component_params or not str(prop).startswith(str(SH)):
                continue
            name = str(prop)[len(str(SH)):]
            component = f"{SH}{name[0].upper()}{name[1:]}ConstraintComponent"
            if prop == SH.minCount:
                if not property_shape:
                    raise TvetKgError(f"shapes: sh:minCount on node shape {shape}")
                var = self.fresh()
                if int(obj) == 1:  # the common case, without grouping
                    yield component, f"FILTER NOT EXISTS {{ {self.values_of('?this', path_node, var)} }}", "?this", ""
                else:
                    yield component, f"OPTIONAL {{ {self.values_of('?this', path_node, var)} }}", "?this", \
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT {var}) < {int(obj)})"
            elif prop == SH.maxCount:
                var, other = self.fresh(), self.fresh()
                if int(obj) == 1:  # two different values, without grouping
                    yield component, (f"{self.values_of('?this', path_node, var)} {self.values_of('?this', path_node, other)} "
                                      f"FILTER (!sameTerm({var}, {other}))"), "?this", ""
                else:
                    yield component, self.values_of("?this", path_node, var), "?this", \
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT {var}) > {int(obj)})"
            elif prop == SH.hasValue:
                if property_shape:
                    yield component, (f"FILTER NOT EXISTS {{ {self.values_of('?this', path_node, var := self.fresh())} "
                                      f"FILTER (sameTerm({var}, {_term(obj)})) }}"), "?this", ""
                else:
                    yield component, f"FILTER (!sameTerm(?this, {_term(obj)}))", "?this", ""  # no sh:value
            elif prop == SH.uniqueLang:
                # the term true ("1"^^xsd:boolean is not, the suite says); grouped: pairing every value with
                # every other took twice as long
                if obj == rdflib.Literal(True):
                    yield component, (f"?this {path} ?value . FILTER (isLiteral(?value) && LANG(?value) != \"\") "
                                      f"BIND (LCASE(LANG(?value)) AS ?lang)"), "?this ?lang", \
                        "GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?value) > 1)"
            elif prop == SH.qualifiedValueShape:
                yield from self.qualified(shape, obj)
            elif prop in (SH.lessThan, SH.lessThanOrEquals):
                other = self.fresh()
                op = "<" if prop == SH.lessThan else "<="
                yield component, (f"{values} {self.values_of('?this', obj, other)} "
                                  f"FILTER (!COALESCE({_cast('?value')} {op} {_cast(other)}, false))"), \
                    f"?this ?value {other}", "", name, other[1:]  # one result per pair, as pySHACL
            elif prop == SH.equals:  # each value of one that the other lacks, both ways
                other, mine = self.fresh(), self.fresh()
                # (two checks, each joined with the focus nodes; a node shape's one value node is the focus)
                lacking = (f"FILTER NOT EXISTS {{ {self.values_of('?this', path_node, mine)} FILTER (sameTerm({mine}, ?value)) }}"
                           if path_node is not None else "FILTER (!sameTerm(?this, ?value))")
                yield component, (f"{values} FILTER NOT EXISTS {{ {self.values_of('?this', obj, other)} "
                                  f"FILTER (sameTerm({other}, ?value)) }}"), "?this ?value", ""
                yield component, f"{self.values_of('?this', obj, '?value')} {lacking}", "?this ?value", ""
            elif prop == SH.closed:
                if obj.toPython() is True:
                    yield self.closed(shape, component)
            elif prop == SH.disjoint:  # each value the other property has too
                other = self.fresh()
                yield component, (f"{values} {self.values_of('?this', obj, other)} FILTER (sameTerm(?value, {other}))"),\
                    "?this ?value", ""
            else:
                condition = self.value_condition(prop, obj, "?value", shape)
                if prop in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
                    yield component, f"{values} FILTER ({condition})", "?this ?value", "", name, obj
                else:
                    yield component, f"{values} FILTER ({condition})", "?this ?value", ""

    def value_condition(self, prop, obj, var: str, shape) -> str:
        """A SPARQL expression true when the value node in `var` violates the constraint."""
        if prop == SH["class"]:
            classes = ", ".join(f"<{c}>" for c in self.subclasses(obj))
            kind = self.fresh("class")
            return f"NOT EXISTS {{ {var} <{RDF.type}> {kind} FILTER ({kind} IN ({classes})) }}"
        if prop == SH.datatype:
            if str(obj) == _LANG_STRING:
                return f"!(isLiteral({var}) && LANG({var}) != \"\")"
            if str(obj) == _XSD_STRING:
                return f"!(isLiteral({var}) && LANG({var}) = \"\" && DATATYPE({var}) = <{_XSD_STRING}>)"
            return f"!(isLiteral({var}) && DATATYPE({var}) = <{WELL_TYPED}{obj}>)"
        if prop == SH.nodeKind:
            tests = {
                SH.IRI: f"isIRI({var})", SH.BlankNode: f"isBlank({var})", SH.Literal: f"isLiteral({var})",
                SH.BlankNodeOrIRI: f"(isBlank({var}) || isIRI({var}))",
                SH.BlankNodeOrLiteral: f"(isBlank({var}) || isLiteral({var}))",
                SH.IRIOrLiteral: f"(isIRI({var}) || isLiteral({var}))",
            }
            return f"!{tests[obj]}"
        if prop == SH["in"]:
            members = self._list(obj)
            same = " || ".join(f"sameTerm({var}, {_term(m)})" for m in members) or "false"
            return f"!({same})"
        if prop in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
            op = {SH.minInclusive: "<=", SH.maxInclusive: ">=", SH.minExclusive: "<", SH.maxExclusive: ">"}[prop]
            return f"!COALESCE({_cast(_term(obj))} {op} {_cast(var)}, false)"
        if prop in (SH.minLength, SH.maxLength):
            op = ">=" if prop == SH.minLength else "<="
            return f"(isBlank({var}) || !(STRLEN(STR({var})) {op} {int(obj)}))"
        if prop == SH.pattern:
            flags = self._one(shape, SH.flags)
            args = _sparql_string(str(obj)) + (f", {_sparql_string(str(flags))}" if flags else "")
            return f"(isBlank({var}) || !REGEX(STR({var}), {args}))"
        if prop == SH.languageIn:
            tags = self._list(obj)
            matches = " || ".join(f"langMatches(LANG({var}), {_sparql_string(str(t))})" for t in tags) or "false"
            return f"!(isLiteral({var}) && ({matches}))"
        if prop == SH.node:
            return f"EXISTS {{ {self.violated(obj, var)} }}"
        if prop == SH["not"]:
            return f"NOT EXISTS {{ {self.violated(obj, var)} }}"
        if prop == SH["or"]:
            members = self._list(obj)
            return " && ".join(f"EXISTS {{ {self.violated(m, var)} }}" for m in members) or "true"
        if prop == SH["and"]:
            members = self._list(obj)
            return " || ".join(f"EXISTS {{ {self.violated(m, var)} }}" for m in members) or "false"
        if prop == SH.xone:
            members = self._list(obj)
            conforming = " + ".join(f"IF(EXISTS {{ {self.violated(m, var)} }}, 0, 1)" for m in members) or "0"
            return f"({conforming}) != 1"
        raise TvetKgError(f"shapes: {prop} in {shape} is not a constraint this validator knows")

    def violated(self, shape, focus: str) -> str:
        """A group pattern with a solution when `focus` does not conform to `shape`."""
        with self._inside(shape):
            return self._violated(shape, focus)

    @contextmanager
    def _inside(self, shape):
        """While a nested shape is compiled; a shape reached from itself is refused (SHACL leaves
        recursive shapes undefined)."""
        if shape in self._nesting:
            cycle = " -> ".join(_shape_name(s) for s in [*self._nesting[self._nesting.index(shape):], shape])
            raise TvetKgError(f"shapes: {_shape_name(shape)} is reached from itself ({cycle}): SHACL leaves "
                              "recursive shapes undefined, so they are refused")
        self._nesting.append(shape)
        try:
            yield
        finally:
            self._nesting.pop()

    def _violated(self, shape, focus: str) -> str:
        alternatives = []
        path_node = self._one(shape, SH.path)
        if path_node is not None:
            value = self.fresh()
            for prop, obj in self.sg.predicate_objects(shape):
                if prop == SH.minCount:  # fewer than n distinct values: n of them do not exist
                    alternatives.append(f"FILTER NOT EXISTS {{ {self.distinct_values(focus, path_node, int(obj), shape)} }}")
                elif prop == SH.maxCount:  # more than n: n + 1 distinct values exist
                    alternatives.append(self.distinct_values(focus, path_node, int(obj) + 1, shape))
                elif prop == SH.hasValue:
                    other = self.fresh()
                    alternatives.append(f"FILTER NOT EXISTS {{ {self.values_of(focus, path_node, other)} "
                                        f"FILTER (sameTerm({other}, {_term(obj)})) }}")
                elif prop in _IGNORED_IN_NESTED or not str(prop).startswith(str(SH)):
                    continue
                else:
                    condition = self.value_condition(prop, obj, value, shape)
                    alternatives.append(f"{self.values_of(focus, path_node, value)} FILTER ({condition})")
        else:
            for prop, obj in self.sg.predicate_objects(shape):
                if prop == SH.property:
                    alternatives.append(self.violated(obj, focus))
                elif prop in _IGNORED_IN_NESTED or not str(prop).startswith(str(SH)):
                    continue
                elif prop == SH.hasValue:
                    alternatives.append(f"FILTER (!sameTerm({focus}, {_term(obj)}))")
                elif prop == SH.closed:
                    if obj == rdflib.Literal(True):
                        predicate = self.fresh()
                        alternatives.append(f"{focus} {predicate} [] FILTER (!STRSTARTS(STR({predicate}), \"{LEXICAL}\")"
                                            f"{self._not_allowed(shape, predicate, ' && ')})")
                else:
                    alternatives.append(f"FILTER ({self.value_condition(prop, obj, focus, shape)})")
        if not alternatives:
            return "FILTER (false)"
        return " UNION ".join("{ " + a + " }" for a in alternatives)

    def distinct_values(self, focus: str, path_node, n: int, shape) -> str:
        """A pattern with a solution when `focus` has at least `n` distinct values (no grouping: a
        nested shape is a condition on a variable that a sub-select would not see)."""
        if n > 5:
            raise TvetKgError(f"shapes: a nested sh:minCount or sh:maxCount above 5 is not compiled ({shape})")
        names = [self.fresh() for _ in range(n)]
        patterns = " ".join(self.values_of(focus, path_node, v) for v in names)
        different = " && ".join(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2))
        return f"{patterns} FILTER ({different})" if different else patterns

    def closed(self, shape, component: str):
        """Each statement of a value node whose predicate is not the path of one of the shape's
        property shapes nor ignored (sh:ignoredProperties); a typed literal as written."""
        if self._one(shape, SH.path) is not None:
            raise TvetKgError(f"shapes: sh:closed on property shape {_shape_name(shape)} is not compiled")
        outside = self._not_allowed(shape, "?path")
        outside = f"FILTER ({outside})" if outside else ""
        return component, (
            f"{{ ?this ?path ?value FILTER (!STRSTARTS(STR(?path), \"{LEXICAL}\") && ({_as_stored('?value')})) }} UNION "
            f"{{ ?this ?copy ?value FILTER (STRSTARTS(STR(?copy), \"{LEXICAL}\")) "
            f"BIND (IRI(SUBSTR(STR(?copy), {len(LEXICAL) + 1})) AS ?path) }} {outside}"), "?this ?path ?value", ""

    def _not_allowed(self, shape, predicate: str, before: str = "") -> str:
        """`<predicate> NOT IN (...)` of what a closed shape allows, the paths of its property shapes and
        its sh:ignoredProperties, after `before`; empty if it allows nothing."""
        allowed = {str(self._one(p, SH.path)) for p in self.sg.objects(shape, SH.property)
                   if isinstance(self._one(p, SH.path), rdflib.URIRef)}
        ignored = self._one(shape, SH.ignoredProperties)
        allowed |= {str(p) for p in self._list(ignored)} if ignored is not None else set()
        return f"{before}{predicate} NOT IN ({', '.join(f'<{p}>' for p in sorted(allowed))})" if allowed else ""

    def qualified(self, shape, value_shape):
        counts = []
        for prop, op in ((SH.qualifiedMinCount, "<"), (SH.qualifiedMaxCount, ">")):
            bound = self._one(shape, prop)
            if bound is not None:
                counts.append((prop, op, int(bound)))
        siblings = []
        if self._one(shape, SH.qualifiedValueShapesDisjoint) == rdflib.Literal(True):
            # A value counts only if it conforms to none of the qualified value shapes of the other
            # property shapes of the shapes that name this one (SHACL 4.7.3).
            siblings = sorted({sibling for parent in self.sg.subjects(SH.property, shape)
                               for other in self.sg.objects(parent, SH.property)
                               for sibling in self.sg.objects(other, SH.qualifiedValueShape)} - {value_shape}, key=str)
        for prop, op, bound in counts:
            name = str(prop)[len(str(SH)):]
            component = f"{SH}{name[0].upper()}{name[1:]}ConstraintComponent"
            var = self.fresh()
            values = self.values_of("?this", self._one(shape, SH.path), var)
            conforming = f"{values} FILTER NOT EXISTS {{ {self.violated(value_shape, var)} }}" + "".join(
                f" FILTER EXISTS {{ {self.violated(sibling, var)} }}" for sibling in siblings)
            if (op, bound) == ("<", 1):  # at least one conforming value: the common case, without grouping
                yield component, f"FILTER NOT EXISTS {{ {conforming} }}", "?this", ""
            else:
                yield component, f"OPTIONAL {{ {conforming} }}", "?this", \
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT {var}) {op} {bound})"

    # -- SPARQL-based constraints -------------------------------------------------

    def prefixes(self, node) -> str:
        """The PREFIX lines of a validator's sh:prefixes: the sh:declare of each node it names and of
        the ontologies those import (owl:imports, read in the shapes graph only, never fetched)."""
        lines, seen = set(), set()
        todo = list(self.sg.objects(node, SH.prefixes))
        while todo:
            ontology = todo.pop()
            if ontology in seen:
                continue
            seen.add(ontology)
            for decl in self.sg.objects(ontology, SH.declare):
                lines.add(f"PREFIX {self._one(decl, SH.prefix)}: <{self._one(decl, SH.namespace)}>")
            todo.extend(self.sg.objects(ontology, OWL.imports))
        return "\n".join(sorted(lines))

    def select_validator(self, node, path_node, bindings: dict, targets: str, shape) -> tuple[str, str, str]:
        """The projection and body of a sh:select, pre-bound, to join with the targets.

        pySHACL pre-binds $this to each focus node in turn; here the focus nodes' pattern binds
        $this to all of them at once, where SHACL 5.3.1 needs it (see pre_binding); $currentShape
        and $shapesGraph are bound by a VALUES pattern the same way.
        """
        text = self._validator_text(node, SH.select, shape, bindings)
        text = self._substituted(pre_bind(text, self._pre_bound(text, targets, shape)), path_node, bindings)
        header = self.prefixes(node)
        select = _projection(text)
        # The targets are joined with the validator's query as a sub-select; PREFIX lines go first.
        return select, f"{{ {text} }}", header

    def _validator_text(self, node, prop, shape, parameters=()) -> str:
        """A validator's query (sh:select or sh:ask), refused if it does not parse or pre-binding forbids it."""
        text = str(self._one(node, prop))
        pre_bound = PRE_BOUND | set(parameters) | ({"value"} if prop == SH.ask else set())
        try:
            screen(text)
        except QueryFailed as error:
            refused = str(error)
        else:
            forbidden = unsupported(text, pre_bound)
            refused = forbidden and f"{forbidden} (SHACL 5.3.1: a query that pre-binds $this)"
        if refused:
            raise TvetKgError(f"shapes: the {prop.n3(self.sg.namespace_manager)} of {_shape_name(shape)} "
                              f"is refused: {refused}")
        return text

    def _substituted(self, text: str, path_node, bindings: dict) -> str:
        """A validator's query with $PATH and the component's parameters written in as constants."""
        if path_node is not None:
            text = re.sub(r"\$PATH\b", self.path(path_node), text)
        for name, value in bindings.items():
            text = re.sub(rf"[$?]{re.escape(name)}\b", _term(value), text)
        return text

    def _pre_bound(self, text: str, targets: str, shape) -> dict[str, str]:
        """The patterns binding the pre-bound variables the query reads: the focus nodes for $this,
        the shape for $currentShape, the graph the shapes are loaded into for $shapesGraph."""
        bound = {"this": targets}
        used = mentions(text)
        if "currentShape" in used:
            if not isinstance(shape, rdflib.URIRef):
                raise TvetKgError(f"shapes: $currentShape of a blank-node shape is refused (give the shape an IRI): "
                                  f"{text.strip()[:80]}")
            bound["currentShape"] = f"VALUES ?currentShape {{ <{shape}> }}"
        if "shapesGraph" in used:
            self.reads_shapes_graph = True
            bound["shapesGraph"] = f"VALUES ?shapesGraph {{ <{SHAPES_GRAPH}> }}"
        return bound

    def ask_validator(self, node, path_node, bindings: dict, targets: str, shape) -> tuple[str, str, str]:
        """The projection and body of a sh:ask validator: each value node for which it answers false.

        The ASK's group goes inside FILTER NOT EXISTS, which sees $this and $value of the outer
        solution in all its groups (SPARQL 1.1's substitution, as Oxigraph evaluates it).
        """
        text = self._validator_text(node, SH.ask, shape, bindings)
        group = ask_group(text)
        if group is None:
            raise TvetKgError(f"shapes: no group in the ASK query {text.strip()[:80]}")
        bound = self._pre_bound(group, targets, shape)
        del bound["this"]
        group = self._substituted(group, path_node, bindings)
        body = f"{self.values_of('?this', path_node, '?value')} {' '.join(bound.values())} FILTER NOT EXISTS {group}"
        return "?this ?value", body, self.prefixes(node)

    def _instances(self, cls) -> set:
        """The nodes of the shapes graph typed with `cls` or a subclass of it there."""
        classes = set(self.sg.transitive_subjects(RDFS.subClassOf, cls))
        return {node for c in classes for node in self.sg.subjects(RDF.type, c)}

    def custom_components(self, shape):
        """(component IRI, validator node, parameter bindings) for each SPARQL-based component the shape uses:
        the shape has a value for each of its mandatory parameters (sh:optional ones may be missing,
        their variables then unbound)."""
        for component in sorted(self._instances(SH.ConstraintComponent), key=str):
            params = list(self.sg.objects(component, SH.parameter))
            bindings = {}
            for param in params:
                path = self._one(param, SH.path)
                value = self._one(shape, path)
                if value is not None:
                    bindings[str(path).rsplit("#", 1)[-1].rsplit("/", 1)[-1]] = value
                elif self._one(param, SH.optional) != rdflib.Literal(True):
                    break
            else:
                if not bindings:
                    continue
                property_shape = self._one(shape, SH.path) is not None
                validator = self._one(component, SH.propertyValidator if property_shape else SH.nodeValidator)
                validator = validator or self._one(component, SH.validator)
                if validator is None or (self._one(validator, SH.select) is None and self._one(validator, SH.ask) is None):
                    raise TvetKgError(f"shapes: {component} has no SELECT or ASK validator for {_shape_name(shape)}")
                yield str(component), validator, bindings

    def _component_parameters(self) -> set:
        return {self._one(p, SH.path) for c in self._instances(SH.ConstraintComponent)
                for p in self.sg.objects(c, SH.parameter)}


_IGNORED_IN_NESTED = {SH.severity, SH.message, SH.name, SH.description, SH.path, SH.deactivated, SH.order,
                      SH.group, SH.ignoredProperties, RDF.type, RDFS.label, RDFS.comment,
                      # a shape reached by sh:node, sh:not, ... is checked on the nodes it is given (its
                      # own targets are checked apart, at the top level)
                      SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}


def _as_stored(var: str) -> str:
    """A value the store keeps as written (no lexical copy): not a typed literal, or an xsd:string."""
    return f"!isLiteral({var}) || LANG({var}) != \"\" || DATATYPE({var}) = <{_XSD_STRING}>"


def _shape_name(node) -> str:
    """A shape as a message names it: its IRI, or `[]` for a blank node (its label differs every run)."""
    return f"<{node}>" if isinstance(node, rdflib.URIRef) else "[]"


def _projection(select: str) -> str:
    """The variables a validator's SELECT returns, as the projection of the query joining it with its targets."""
    names = projection(select)
    if not names:
        raise TvetKgError(f"shapes: cannot read the projection of {select.strip()[:80]}")
    return " ".join(names)


# ---------------------------------------------------------------------------
# Running the checks
# ---------------------------------------------------------------------------

def focus_nodes(store: ox.Store, union: str, mark: str, graph: ox.NamedNode) -> tuple[str, list[ox.Quad]]:
    """The statements that mark a set's focus nodes, where the checks find them: as N-Quads
    text, and as Quads for the blank nodes (see add_lexical_copies). A focus node is the object of
    its mark, so that a literal (`sh:targetNode "x"`, an object of `sh:targetObjectsOf`) is one too."""
    rows = store.query(f"SELECT DISTINCT ?this WHERE {{ {union} }}", **_DATASET)
    head = f"<{FOCUS}> <{mark}> "
    tail = f" <{graph.value}> .\n"
    blank_node, lines, blank = ox.BlankNode, [], []
    for row in rows:
        node = row[0]
        if type(node) is blank_node:
            blank.append(ox.Quad(ox.NamedNode(FOCUS), ox.NamedNode(mark), node, graph))
        else:
            lines.append(head + str(node) + tail)
    return "".join(lines), blank


def _message(template: str, row: ox.QuerySolution, names: list[str]) -> str:
    for name in names:
        term = row[name]
        if term is not None:
            text = decode(term).value
            template = re.sub(r"\{[?$]" + re.escape(name) + r"\}", lambda _: text, template)
    return template


def run_check(store: ox.Store, check: Check) -> list[Finding]:
    """The validation results of one check, as pySHACL reports them."""
    try:
        solutions = store.query(check.query, **_DATASET)
    except SyntaxError as error:
        raise TvetKgError(f"shapes: the query compiled from {check.shape} does not parse: {error}") from None
    names = [v.value for v in solutions.variables]
    property_shape = check.path is not None
    findings = []
    for row in solutions:
        focus = decode(row["this"])
        value = row["value"] if "value" in names else None
        if check.judged is not None and _holds(check.judged, value, row):
            continue
        if value is None and not (check.sparql_based and property_shape) and check.component not in _NO_VALUE:
            value = focus if not property_shape or check.sparql_based else None
        path = row["path"] if "path" in names and row["path"] is not None else check.path
        messages = check.messages
        if check.sparql_based:
            messages = tuple(_message(m, row, names) for m in messages)
        detail_of = (decode(row[check.parent[1:]]), check.detail_of) if check.parent else None
        findings.append(Finding(focus, path, decode(value) if value is not None else None,
                                check.component, check.shape, check.severity, messages, detail_of))
    return findings


def _holds(judged: tuple, value, row: ox.QuerySolution) -> bool:
    """Whether pySHACL takes the value of a row that SPARQL found out of range or order to be in it after all."""
    kind, other = judged
    if not isinstance(other, rdflib.term.Node):  # the name of the variable of the compared property's value
        other = decode(row[other])
    return holds(kind, decode(value), other)


# Components whose results carry no sh:value.
_NO_VALUE = {str(SH[c]) for c in (
    "MinCountConstraintComponent", "MaxCountConstraintComponent", "HasValueConstraintComponent",
    "UniqueLangConstraintComponent", "QualifiedMinCountConstraintComponent",
    "QualifiedMaxCountConstraintComponent")}


def run(store: ox.Store, checks: list[Check]) -> list[Finding]:
    findings = []
    for check in checks:
        findings.extend(run_check(store, check))
    return findings
