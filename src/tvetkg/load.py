"""Reading the ontology and the graph's files, with errors that name the file and line."""

import mmap
import threading
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


def load_file(store: ox.Store, path: Path, graph: str | None = None, lenient: bool = False) -> None:
    """Load one file; Turtle and N-Triples go to `graph` (the default graph if None).

    `lenient` skips the checks of IRIs and language tags, for a file that `read_quads` checks."""
    path = Path(path)
    fmt = _format(path)
    to_graph = ox.NamedNode(graph) if graph and path.suffix in (".ttl", ".nt") else None
    try:
        store.bulk_load(path=str(path), format=fmt, to_graph=to_graph, lenient=lenient)
    except SyntaxError as error:
        raise TvetKgError(f"{path}:{error.lineno}:{error.offset}: {error.msg}") from None
    except OSError as error:
        raise TvetKgError(f"{path}: {error.strerror or error}") from None


def load_all(store: ox.Store, ontology: Path, files: list[Path]) -> None:
    """The ontology into its own named graph, then every data file."""
    load_file(store, ontology, ONTOLOGY_GRAPH)
    for path in files:
        load_file(store, path)


def read_all(ontology: Path, files: list[Path], store: ox.Store | None = None) -> dict[Path, list[ox.Quad]]:
    """The ontology's statements in its named graph, then every file's, as `load_all` stores them.

    Given an empty `store`, it is filled with them. A second thread loads into it meanwhile
    the files whose text holds no blank node: Oxigraph parses them without holding the GIL, so
    on two cores the store is filled in about the time of the reading (a million statements:
    2.3 s, where one after the other took 4.9 s). It loads leniently, since the reading checks
    every file. The other files are stored from the quads read, as a parse gives a blank node
    a new name each time and the store must share them with the quads. The store is whole
    only if this returns.
    """
    if store is None:
        return _read_all(ontology, files)
    direct = [path for path in files if not _may_hold_blank_nodes(path)]
    stop, failures = threading.Event(), []

    def fill():
        try:
            for path in direct:
                if stop.is_set():
                    return
                load_file(store, path, lenient=True)
        except TvetKgError as error:
            failures.append(error)

    worker = threading.Thread(target=fill, name="tvetkg-load", daemon=True)
    worker.start()
    try:
        quads = _read_all(ontology, files)
    except BaseException:
        stop.set()
        raise
    finally:
        worker.join()
    if failures:
        raise failures[0]
    skipped = set(direct)
    store.bulk_extend([q for path, file_quads in quads.items() if path not in skipped for q in file_quads])
    return quads


def _read_all(ontology: Path, files: list[Path]) -> dict[Path, list[ox.Quad]]:
    graph = ox.NamedNode(ONTOLOGY_GRAPH)
    quads = {ontology: [ox.Quad(q.subject, q.predicate, q.object, graph) for q in read_quads(ontology)]}
    for path in files:
        quads[path] = read_quads(path)
    return quads


def _may_hold_blank_nodes(path: Path) -> bool:
    """Whether a file's text could hold a blank node: `_:`, or in Turtle and TriG `[` or `(`."""
    marks = (b"_:",) if Path(path).suffix in (".nt", ".nq") else (b"_:", b"[", b"(")
    try:
        with open(path, "rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as text:
            return any(text.find(mark) >= 0 for mark in marks)
    except (OSError, ValueError):  # unreadable or empty: read_quads reports it, or finds nothing
        return True


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
