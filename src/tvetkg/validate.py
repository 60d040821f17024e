"""SHACL validation of the graph with pySHACL, as a report a person can act on.

Exit codes of `tvetkg validate`: 0 the graph conforms (warnings allowed),
1 it does not, 2 the input could not be read.
"""

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import pyshacl
import rdflib
from rdflib.namespace import RDFS, SH

from tvetkg import paths
from tvetkg.load import subjects_by_file
from tvetkg.namespaces import shorten
from tvetkg.rdf import parse_file, union_graph
from tvetkg.store import Graph

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
    shapes = rdflib.Graph()
    for path in files:
        shapes += parse_file(path)
    return shapes


def validate(graph: Graph, shapes: list[Path] | None = None) -> Report:
    """Validate the graph's facts against the shapes, with the ontology as pySHACL's ont_graph."""
    data = union_graph(graph.files)
    return validate_rdflib(data, parse_file(graph.ontology), shapes_graph(shapes or shapes_files()), graph.files)


def validate_rdflib(data: rdflib.Graph, ontology: rdflib.Graph, shapes: rdflib.Graph, files=()) -> Report:
    conforms, report_graph, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        allow_warnings=True,
        advanced=False,
    )
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


def _results(report: rdflib.Graph, data: rdflib.Graph, files: list) -> list[Result]:
    nodes = list(report.subjects(rdflib.RDF.type, SH.ValidationResult))
    focus_iris = {str(report.value(n, SH.focusNode)) for n in nodes}
    where = subjects_by_file(files, focus_iris) if nodes and files else {}
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
