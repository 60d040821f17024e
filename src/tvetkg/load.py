"""Reading the ontology and the graph's files, with errors that name the file and line."""

from pathlib import Path

import pyoxigraph as ox

from tvetkg.errors import TvetKgError
from tvetkg.namespaces import ONTOLOGY_GRAPH

RDF_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
}


def graph_files(kg_dir: Path) -> list[Path]:
    """The RDF files of a data folder, in a stable order."""
    kg_dir = Path(kg_dir)
    if not kg_dir.is_dir():
        raise TvetKgError(f"{kg_dir}: no such data folder (give --kg a folder of .ttl/.trig files)")
    files = sorted(p for p in kg_dir.rglob("*") if p.suffix in RDF_FORMATS and p.is_file())
    if not files:
        raise TvetKgError(f"{kg_dir}: no .ttl, .trig, .nt or .nq file to load")
    return files


def _format(path: Path) -> ox.RdfFormat:
    fmt = RDF_FORMATS.get(Path(path).suffix)
    if fmt is None:
        raise TvetKgError(f"{path}: unknown RDF file type {Path(path).suffix!r} (use .ttl, .trig, .nt or .nq)")
    return fmt


def read_quads(path: Path) -> list[ox.Quad]:
    """A file's statements with their named graphs, the literals as written; errors name the file and line."""
    try:
        return list(ox.parse(path=str(path), format=_format(path)))
    except SyntaxError as error:
        raise TvetKgError(f"{path}:{error.lineno}:{error.offset}: {error.msg}") from None
    except OSError as error:
        raise TvetKgError(f"{path}: {error.strerror or error}") from None


def load_file(store: ox.Store, path: Path, graph: str | None = None) -> None:
    """Load one file; Turtle and N-Triples go to `graph` (the default graph if None)."""
    path = Path(path)
    fmt = _format(path)
    to_graph = ox.NamedNode(graph) if graph and path.suffix in (".ttl", ".nt") else None
    try:
        store.bulk_load(path=str(path), format=fmt, to_graph=to_graph)
    except SyntaxError as error:
        raise TvetKgError(f"{path}:{error.lineno}:{error.offset}: {error.msg}") from None
    except OSError as error:
        raise TvetKgError(f"{path}: {error.strerror or error}") from None


def load_all(store: ox.Store, ontology: Path, files: list[Path]) -> None:
    """The ontology into its own named graph, then every data file."""
    load_file(store, ontology, ONTOLOGY_GRAPH)
    for path in files:
        load_file(store, path)


def read_all(ontology: Path, files: list[Path]) -> dict[Path, list[ox.Quad]]:
    """The ontology's statements in its named graph, then every file's, as `load_all` stores them."""
    graph = ox.NamedNode(ONTOLOGY_GRAPH)
    quads = {ontology: [ox.Quad(q.subject, q.predicate, q.object, graph) for q in read_quads(ontology)]}
    for path in files:
        quads[path] = read_quads(path)
    return quads


def subjects_by_file(files: list[Path], subjects: set[str], quads: dict | None = None) -> dict[str, list[str]]:
    """For each of `subjects` (IRIs), the files that describe it as a subject (`quads`: each file's, if read)."""
    found: dict[str, list[str]] = {s: [] for s in subjects}
    for path in files:
        for quad in (quads[path] if quads and path in quads else read_quads(path)):
            subject = quad.subject
            if isinstance(subject, ox.NamedNode) and subject.value in found:
                names = found[subject.value]
                if not names or names[-1] != str(path):
                    names.append(str(path))
    return found
