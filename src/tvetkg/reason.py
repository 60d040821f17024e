"""OWL reasoning with HermiT (through owlready2): consistency, and the facts it entails.

The entailed facts kept are those about the graph's resources that are not
already stated: class memberships (a TrainingCourse is a CapacityBuildingActivity,
an Activity, a schema:EducationEvent...), values of super-properties (tvet:involves
from the four roles) and of inverses (tvet:involvedIn, tvet:hasPart). An
inconsistency is explained by the `qc` checks tagged `reasoning`, which name the
individuals and the axioms at fault.
"""

import contextlib
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import owlready2

from tvetkg import owl_view
from tvetkg.errors import TvetKgError
from tvetkg.namespaces import ID, INFERRED_GRAPH, TVET, shorten

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


REASONERS = ("auto", "hermit", "rules")
# Above this many statements `auto` applies the OWL 2 RL rules instead of HermiT, which needs
# minutes and gigabytes for a graph of a million statements (its whole ABox in one tableau).
HERMIT_LIMIT = 5_000  # statements; HermiT took 8.5 s on the 7.7k of the real graph of 2026-12 (6 s on a synthetic 22k, 128 s on 100k), the rules 0.8 s


@dataclass
class Inference:
    consistent: bool
    triples: list[tuple[str, str, str]] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    reasoner_message: str = ""
    reasoner: str = "HermiT"

    def to_ntriples(self) -> str:
        return "".join(f"<{s}> <{p}> <{o}> .\n" for s, p, o in sorted(self.triples))


# HermiT's run on a graph of this size is short: the JVM's quick compiler alone and one garbage
# collector thread halve the CPU it takes (6 s to 3 s on the seed graph, measured), which leaves
# the other core to the rest of the build. A JAVA_TOOL_OPTIONS the user has set is kept.
JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def infer(ontology: Path, files: list[Path]) -> Inference:
    """Run HermiT on the ontology and the graph's files as OWL 2 reads them (`owl_view`: one world, the
    accepted view; dates as xsd:dateTime), no datatype ignored."""
    os.environ.setdefault("JAVA_TOOL_OPTIONS", JVM_OPTIONS)
    stated = owl_view.ntriples(ontology, files)
    with tempfile.TemporaryDirectory(prefix="tvetkg-reason-") as tmp:
        path = Path(tmp) / "graph.nt"
        path.write_text(stated, encoding="utf-8")
        world = owlready2.World()
        world.get_ontology(path.as_uri()).load(format="ntriples")
        inferred = world.get_ontology(INFERRED_GRAPH + "#")
        java_output = io.StringIO()
        try:
            with inferred, contextlib.redirect_stdout(java_output), contextlib.redirect_stderr(java_output):
                owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as error:
            return Inference(False, explanation=explain(ontology, files), reasoner_message=_first_line(error))
        except owlready2.OwlReadyJavaError as error:
            raise TvetKgError(f"HermiT failed: {_java_exception(error)}") from None
        except (FileNotFoundError, OSError) as error:
            raise TvetKgError(f"HermiT could not run (is Java installed? `java -version`): {_first_line(error)}") from None
        asserted = set(_triples(stated))
        triples = [t for t in _entailed(world) if t not in asserted]
        world.close()
    return Inference(True, triples=triples)


def infer_graph(graph, reasoner: str = "auto") -> Inference:
    """Reason over a loaded graph with HermiT, or with the OWL 2 RL rules (`rules/`) on its store.

    `auto` takes HermiT up to HERMIT_LIMIT statements. On the shipped graph and on
    synthetic ones both entail the same facts (tests/test_reason.py).
    """
    if reasoner not in REASONERS:
        raise TvetKgError(f"unknown reasoner {reasoner!r} (use {', '.join(REASONERS)})")
    if reasoner == "auto":
        reasoner = "hermit" if graph.statement_count() <= HERMIT_LIMIT else "rules"
    if reasoner == "hermit":
        return infer(graph.ontology, graph.files)
    from tvetkg import rules

    clashes = explain_graph(graph, found_only=True)
    if clashes:
        return Inference(False, explanation=clashes, reasoner="OWL 2 RL rules",
                         reasoner_message="the disjointness and functional-property checks found clashes")
    return Inference(True, triples=rules.entailed(graph.store), reasoner="OWL 2 RL rules")


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _java_exception(error: Exception) -> str:
    """The line of a Java error that names its exception (owlready2's message opens with a blank one)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    named = [line for line in lines if "Exception" in line or "Error" in line]
    if named:
        return named[0]
    return lines[-1] if lines else type(error).__name__


def _triples(nt: str):
    for line in nt.splitlines():
        parts = line.rstrip(" .").split(" ", 2)
        if len(parts) == 3 and parts[2].startswith("<"):
            yield tuple(p.strip("<>") for p in parts)


def _entailed(world: owlready2.World):
    properties = [p for p in world.object_properties() if p.iri.startswith(TVET)]
    for entity in world.search(iri=ID + "*"):
        if not isinstance(entity, owlready2.Thing):
            continue
        for cls in entity.INDIRECT_is_a:
            if isinstance(cls, owlready2.ThingClass) and cls is not owlready2.Thing:
                yield (entity.iri, RDF_TYPE, cls.iri)
        for prop in properties:
            values = getattr(entity, "INDIRECT_" + prop.python_name, None)
            if not isinstance(values, list):  # functional properties give one value or None
                values = [values]
            for value in values:
                if isinstance(value, owlready2.Thing):
                    yield (entity.iri, prop.iri, value.iri)


def explain(ontology: Path, files: list[Path]) -> list[str]:
    """Sentences naming the individuals and axioms that make the graph inconsistent."""
    from tvetkg.store import in_memory

    return explain_graph(in_memory(ontology, files))


def explain_graph(graph, found_only: bool = False) -> list[str]:
    """The clashes the qc checks tagged `reasoning` find in a loaded graph, one sentence each."""
    from tvetkg.catalogue import catalogue
    from tvetkg.query import run_local

    lines = []
    for query in catalogue().values():
        if "reasoning" not in query.tags:
            continue
        for row in run_local(graph, query.text).rows():
            cells = ", ".join(f"{k}={shorten(v['value'])}" for k, v in row.items())
            lines.append(f"{query.summary}: {cells}")
    if not lines and not found_only:
        lines.append("No disjointness or functional-property clash was found by the qc checks; "
                     "the cause lies in another axiom (run HermiT in Protégé for a full justification).")
    return lines


def write(inference: Inference, path: Path) -> Path:
    """Write the entailed facts as N-Triples, atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=".inferred-")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(inference.to_ntriples())
    os.replace(partial, path)
    return path
