"""SHACL validation of the graph, as a report a person can act on.

Two engines give the same results: `oxigraph` (the default) runs the shapes
compiled to SPARQL on the embedded store (`shacl_sparql`); `pyshacl` is the
reference, slower by one to two orders of magnitude on a large graph.

Exit codes of `tvetkg validate`: 0 the graph conforms (warnings allowed),
1 it does not, 2 the input could not be read.
"""

import json
from dataclasses import asdict, dataclass
from itertools import chain
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, RDFS, SH

from tvetkg import paths, shacl_sparql
from tvetkg.errors import TvetKgError
from tvetkg.load import SubjectFiles, merge_into_default, read, subjects_by_file
from tvetkg.namespaces import shorten
from tvetkg.rdf import parse_as_written, parse_file, queries_parsed_once, quiet_rdflib, rdflib_term, to_rdflib_dataset
from tvetkg.store import Graph, in_memory

ENGINES = ("oxigraph", "pyshacl")

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class Result:
    severity: str
    focus: str
    label: str
    path: str
    message: str
    component: str
    shape: str
    value: str
    files: tuple[str, ...]


@dataclass
class Report:
    conforms: bool
    results: list[Result]
    graph: rdflib.Graph

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Warning"]

    def to_json(self) -> str:
        return json.dumps(
            {"conforms": self.conforms, "results": [asdict(r) for r in self.results]},
            ensure_ascii=False,
            indent=2,
        )

    def to_turtle(self) -> str:
        return self.graph.serialize(format="turtle")


def shapes_files(shapes_dir: Path | None = None) -> list[Path]:
    return sorted(Path(shapes_dir or paths.shapes_dir()).glob("*.ttl"))


def shapes_graph(files: list[Path]) -> rdflib.Graph:
    """The shapes files as one graph, their literals as written."""
    shapes = rdflib.Graph()
    for path in files:
        shapes += parse_as_written(path)
    return shapes


def conforms(severities, allow_warnings: bool = False) -> bool:
    """SHACL's verdict: no result at all; with `allow_warnings` (pySHACL's option), no sh:Violation."""
    if allow_warnings:
        return not any(str(s) == str(SH.Violation) for s in severities)
    return not any(True for _ in severities)


def validate(graph: Graph, shapes: list[Path] | None = None, engine: str = "oxigraph",
             allow_warnings: bool = False) -> Report:
    """Validate the graph's files against the shapes, the ontology mixed in (pySHACL's ont_graph)."""
    if engine != "oxigraph":  # pySHACL on rdflib; validate_quads names an unknown engine
        return validate_quads(list(graph.statements(with_ontology=False)), graph.ontology, shapes, engine,
                              graph.files, allow_warnings)
    if not graph.in_memory:  # an on-disk store is not written to: its files are checked in memory
        graph = in_memory(graph.ontology, graph.files)
    shapes_rdf = shapes_graph(shapes or shapes_files())
    noted = SubjectFiles()
    statements = chain(graph.file_statements(graph.ontology),
                       *(noted.note(path, graph.file_statements(path)) for path in graph.files))
    return _validate_oxigraph(graph.store, statements, shapes_rdf, graph.files, noted, allow_warnings)


def validate_quads(quads: list, ontology: Path | None, shapes: list[Path] | None = None, engine: str = "oxigraph",
                   files=(), allow_warnings: bool = False) -> Report:
    """Validate statements (named graphs merged) with the chosen engine; `ontology`: the file mixed in
    as pySHACL's ont_graph, or None."""
    shapes_rdf = shapes_graph(shapes or shapes_files())
    if engine == "pyshacl":
        with quiet_rdflib():
            data = to_rdflib_dataset(quads)  # the sources' named graphs, for the shapes that read them
        return validate_rdflib(data, parse_file(ontology) if ontology else None, shapes_rdf, files, allow_warnings)
    if engine != "oxigraph":
        raise TvetKgError(f"unknown validation engine {engine!r} (use {' or '.join(ENGINES)})")
    everything = [*(read(ontology, ontology) if ontology else ()), *quads]
    store = ox.Store()
    store.extend(everything)
    merge_into_default(store)
    return _validate_oxigraph(store, everything, shapes_rdf, files, allow_warnings=allow_warnings)


def _validate_oxigraph(store: ox.Store, quads, shapes: rdflib.Graph, files, noted=None,
                       allow_warnings: bool = False) -> Report:
    """`quads`: the store's statements as written, read once; `noted`: the files of their subjects, if
    noted as they are read."""
    findings = shacl_sparql.validate_store(store, quads, shapes)
    verdict = conforms((f.severity for f in findings), allow_warnings)
    with quiet_rdflib():
        report_graph = _report_graph(findings, shapes, verdict)
    results = _results(report_graph, _Labels(store), list(files), noted)
    return Report(verdict, results, report_graph)


class _Labels:
    """The labels of the validation store, for the report (lexical literals decoded)."""

    def __init__(self, store: ox.Store):
        self.store = store

    def objects(self, node, prop):
        if not isinstance(node, rdflib.URIRef):
            return []
        rows = self.store.query(f"SELECT DISTINCT ?o WHERE {{ <{node}> <{prop}> ?o }}", use_default_graph_as_union=True)
        return [rdflib.Literal(r["o"].value, lang=r["o"].language) for r in rows
                if isinstance(r["o"], ox.Literal) and r["o"].language]


def _report_graph(findings: list, shapes: rdflib.Graph, verdict: bool) -> rdflib.Graph:
    """A SHACL validation report, as pySHACL writes one."""
    graph = rdflib.Graph()
    graph.bind("sh", SH)
    report = rdflib.BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, rdflib.Literal(verdict)))
    # A result of a shape reached by sh:node is the sh:detail of its parent's result (the parent's focus,
    # this one's focus as its value, sh:NodeConstraintComponent, the shape that names this one).
    nodes = [rdflib.BNode() for _ in findings]
    parents = {(f.focus, f.value, f.shape): node for f, node in zip(findings, nodes)
               if f.component == str(SH.NodeConstraintComponent)}
    for finding, node in zip(findings, nodes):
        parent = None
        if finding.detail_of is not None:
            parent = parents.get((finding.detail_of[0], finding.focus, finding.detail_of[1]))
        if parent is not None:
            graph.add((parent, SH.detail, node))
        else:
            graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, rdflib_term(finding.focus)))
        graph.add((node, SH.resultSeverity, rdflib.URIRef(finding.severity)))
        graph.add((node, SH.sourceConstraintComponent, rdflib.URIRef(finding.component)))
        graph.add((node, SH.sourceShape, finding.shape))
        if finding.path is not None:
            path = rdflib_term(finding.path)
            graph.add((node, SH.resultPath, path))
            if isinstance(path, rdflib.BNode):
                graph += shapes.cbd(path)
        if finding.value is not None:
            graph.add((node, SH.value, rdflib_term(finding.value)))
        for message in finding.messages:
            graph.add((node, SH.resultMessage, rdflib.Literal(message)))
    return graph


def validate_rdflib(data: rdflib.Graph, ontology: rdflib.Graph | None, shapes: rdflib.Graph, files=(),
                    allow_warnings: bool = False) -> Report:
    """The reference: pySHACL on rdflib graphs."""
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError

    with quiet_rdflib(), queries_parsed_once():
        try:
            conforms, report_graph, _ = pyshacl.validate(
                data, shacl_graph=shapes, ont_graph=ontology, inference="none", allow_warnings=allow_warnings,
                advanced=False)
        except (NotImplementedError, ReportableRuntimeError) as error:  # what it does not support ($shapesGraph)
            raise TvetKgError(f"shapes refused by pySHACL: {error} (the default engine runs them)") from None
        except Exception as error:  # its own failures (a prefix of sh:prefixes through owl:imports): not a traceback
            raise TvetKgError(f"pySHACL failed on these shapes: {type(error).__name__}: {error}") from None
    if not isinstance(report_graph, rdflib.Graph):  # pySHACL refused the shapes (its ValidationFailure)
        raise TvetKgError(f"shapes refused by pySHACL: {report_graph}")
    results = _results(report_graph, data, list(files))
    return Report(bool(conforms), results, report_graph)


def _text(term) -> str:
    if term is None:
        return ""
    if isinstance(term, rdflib.URIRef):
        return shorten(str(term))
    if isinstance(term, rdflib.BNode):
        return "[]"
    return str(term)


def _label(data: rdflib.Graph, node) -> str:
    labels = {l.language: str(l) for l in data.objects(node, RDFS.label) if isinstance(l, rdflib.Literal)}
    return labels.get("en") or labels.get("fr") or labels.get("ar") or next(iter(labels.values()), _text(node))


def _results(report: rdflib.Graph, data: rdflib.Graph, files: list, noted: SubjectFiles | None = None) -> list[Result]:
    nodes = list(report.subjects(rdflib.RDF.type, SH.ValidationResult))
    focus_iris = {str(report.value(n, SH.focusNode)) for n in nodes}
    where = {}
    if nodes and files:
        where = noted.of(focus_iris) if noted else subjects_by_file(files, focus_iris)
    results = []
    for node in nodes:
        focus = report.value(node, SH.focusNode)
        severity = str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[-1]
        results.append(
            Result(
                severity=severity,
                focus=_text(focus),
                label=_label(data, focus),
                path=_text(report.value(node, SH.resultPath)),
                message=str(report.value(node, SH.resultMessage) or ""),
                component=_text(report.value(node, SH.sourceConstraintComponent)),
                shape=_text(report.value(node, SH.sourceShape)),
                value=_text(report.value(node, SH.value)),
                files=tuple(where.get(str(focus), ())),
            )
        )
    results.sort(key=lambda r: (SEVERITY_ORDER.get(r.severity, 3), r.focus, r.path, r.message))
    return results
