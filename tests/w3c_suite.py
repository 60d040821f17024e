"""The W3C SHACL test suite (tests/data/w3c-shacl, core and SPARQL-based constraints) run with
both engines of `tvetkg validate`.

A test passes when the engine's report equals the expected one by focus node, result path,
value, source constraint component and severity (as many times each), and conforms; a test
that expects a failure (`mf:result sht:Failure`) passes when the shapes are refused. Otherwise
the engine refused the shapes by name (a TvetKgError), answered wrongly, or crashed.

    python tests/w3c_suite.py        # prints the table (Markdown)
"""

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import rdflib

SUITE = Path(__file__).resolve().parent / "data" / "w3c-shacl"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = rdflib.Namespace("http://www.w3.org/ns/shacl-test#")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
ENGINES = ("oxigraph", "pyshacl")
OUTCOMES = ("pass", "refused", "wrong", "crash")


@dataclass
class Case:
    name: str  # core/node/class-001
    part: str  # core or sparql
    data: Path
    shapes: Path
    graph: rdflib.Graph  # the test file, with its expected report
    result: rdflib.term.Node  # the expected report, or mf:Failure


def _file(iri) -> Path:
    return Path(unquote(urlsplit(str(iri)).path))


def cases(root: Path = SUITE) -> list[Case]:
    """Every sht:Validate test reached from the top manifest, in its order."""
    found, manifests = [], [root / "manifest.ttl"]
    while manifests:
        path = manifests.pop(0)
        graph = rdflib.Graph().parse(path, format="turtle")
        manifest = rdflib.URIRef(path.resolve().as_uri())
        manifests.extend(_file(i) for i in graph.objects(manifest, MF.include))
        for entries in graph.objects(manifest, MF.entries):
            for entry in rdflib.collection.Collection(graph, entries):
                if (entry, rdflib.RDF.type, SHT.Validate) not in graph:
                    continue
                action = graph.value(entry, MF.action)
                name = path.parent.relative_to(root).as_posix() + "/" + str(entry).rsplit("/", 1)[-1]
                found.append(Case(name, name.split("/", 1)[0], _file(graph.value(action, SHT.dataGraph)),
                                  _file(graph.value(action, SHT.shapesGraph)), graph, graph.value(entry, MF.result)))
    return found


def _path_key(graph: rdflib.Graph, node) -> str:
    """A property path as text, whether an IRI or a structure of blank nodes."""
    if node is None:
        return ""
    if isinstance(node, rdflib.URIRef):
        return f"<{node}>"
    if (node, rdflib.RDF.first, None) in graph:
        return "(" + " / ".join(_path_key(graph, p) for p in rdflib.collection.Collection(graph, node)) + ")"
    for prop in (SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath, SH.alternativePath):
        inner = graph.value(node, prop)
        if inner is not None:
            return f"{prop.split('#')[1]}({_path_key(graph, inner)})"
    return "[]"


def _term_key(term) -> str:
    if term is None:
        return ""
    if isinstance(term, rdflib.BNode):
        return "[]"
    if isinstance(term, rdflib.Literal) and term.datatype == rdflib.XSD.string:  # RDF 1.1: one term
        return rdflib.Literal(str(term)).n3()
    return term.n3()


def report_key(graph: rdflib.Graph, report) -> tuple[bool, Counter]:
    """A report's verdict and its results, by focus node, path, value, component and severity."""
    results = Counter()
    for result in graph.objects(report, SH.result):
        results[(_term_key(graph.value(result, SH.focusNode)), _path_key(graph, graph.value(result, SH.resultPath)),
                 _term_key(graph.value(result, SH.value)), str(graph.value(result, SH.sourceConstraintComponent)),
                 str(graph.value(result, SH.resultSeverity)))] += 1
    verdict = graph.value(report, SH.conforms)
    return (verdict.toPython() if verdict is not None else None), results


def run(case: Case, engine: str) -> tuple[str, str]:
    """(outcome, what the engine said) of one test with one engine."""
    from tvetkg.errors import TvetKgError
    from tvetkg.load import read_quads
    from tvetkg.validate import validate_quads

    try:
        report = validate_quads(read_quads(case.data), None, [case.shapes], engine)
    except TvetKgError as error:
        return ("pass" if case.result == SHT.Failure else "refused"), str(error)
    except Exception as error:  # what the table calls a crash
        return "crash", f"{type(error).__name__}: {error}"
    if case.result == SHT.Failure:
        return "wrong", "ran shapes that must be refused"
    got = report_key(report.graph, report.graph.value(predicate=rdflib.RDF.type, object=SH.ValidationReport))
    expected = report_key(case.graph, case.result)
    if got == expected:
        return "pass", ""
    missing, extra = expected[1] - got[1], got[1] - expected[1]
    return "wrong", f"conforms {got[0]} (expected {expected[0]}); missing {dict(missing)}; extra {dict(extra)}"


def run_all(root: Path = SUITE) -> dict:
    """{(case name, engine): (outcome, detail)} for every test and both engines."""
    import logging
    import warnings

    from tvetkg.rdf import quiet_rdflib

    logging.getLogger("pyshacl").setLevel(logging.ERROR)
    with quiet_rdflib(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rdflib's and pySHACL's remarks on the suite's odd literals and shapes
        return {(case.name, engine): run(case, engine) for case in cases(root) for engine in ENGINES}


def table(outcomes: dict) -> str:
    """Per part of the suite and engine: how many tests passed, were refused, answered wrongly, crashed."""
    parts = sorted({name.split("/", 1)[0] for name, _ in outcomes})
    lines = ["| part | engine | tests | " + " | ".join(OUTCOMES) + " |", "|---|---|---:|" + "---:|" * len(OUTCOMES)]
    for part in parts:
        for engine in ENGINES:
            counts = Counter(o for (name, e), (o, _) in outcomes.items() if e == engine and name.startswith(part + "/"))
            lines.append(f"| {part} | {engine} | {sum(counts.values())} | "
                         + " | ".join(str(counts[o]) for o in OUTCOMES) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    results = run_all()
    print(table(results))
    for (name, engine), (outcome, detail) in sorted(results.items()):
        if engine == "oxigraph" and outcome != "pass":
            print(f"- {name}: {outcome}: {detail[:160]}")
