"""Reading the ontology and the graph's files, with errors that name the file and line."""

import mmap
import threading
from collections.abc import Iterable, Iterator
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
    return list(_parse(path))


def load_file(store: ox.Store, path: Path, graph: str | None = None, bulk: bool = True) -> None:
    """Load one file; Turtle and N-Triples go to `graph` (the default graph if None).

    `bulk` loads with Oxigraph's bulk loader, for an on-disk store; without it, in one transaction,
    which in memory takes less room (a million statements: 370 MiB at the peak, against 590)."""
    path = Path(path)
    fmt = _format(path)
    to_graph = ox.NamedNode(graph) if graph and path.suffix in (".ttl", ".nt") else None
    try:
        if bulk:
            store.bulk_load(path=str(path), format=fmt, to_graph=to_graph)
        else:
            store.load(path=str(path), format=fmt, to_graph=to_graph)
    except SyntaxError as error:
        raise TvetKgError(f"{path}:{error.lineno}:{error.offset}: {error.msg}") from None
    except OSError as error:
        raise TvetKgError(f"{path}: {error.strerror or error}") from None


def load_all(store: ox.Store, ontology: Path, files: list[Path]) -> None:
    """The ontology into its own named graph, then every data file."""
    load_file(store, ontology, ONTOLOGY_GRAPH)
    for path in files:
        load_file(store, path)


def merge_into_default(store: ox.Store) -> None:
    """Make the store's default graph the RDF merge of all its graphs: each statement once, whichever
    sources state it (SPARQL 1.1 section 13.1), as a query without GRAPH or FROM reads it. The named
    graphs stay as they are, for `GRAPH ?source { ... }`. A million statements: 5.5 s, +270 MiB."""
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


def fill(store: ox.Store, ontology: Path, files: list[Path]) -> dict[Path, list[ox.Quad]]:
    """Load the ontology and the files into an empty in-memory store, as `load_all` does, and return
    the statements of those that may hold a blank node, as read.

    A parse gives each blank node a new name, so a file that may hold one is read here and
    stored from its statements: the store and the statements returned share their blank
    nodes. Oxigraph loads the others straight from their files, in a second thread while
    this one reads (it does not hold the GIL). No other statement is kept in Python: a
    million of them take 510 MiB as objects, and `statements` reads them again when asked.
    The store is whole only if this returns.
    """
    direct = [path for path in files if not _may_hold_blank_nodes(path)]
    stop, failures = threading.Event(), []

    def load():
        try:
            for path in direct:
                if stop.is_set():
                    return
                load_file(store, path, bulk=False)
        except TvetKgError as error:
            failures.append(error)

    worker = threading.Thread(target=load, name="tvetkg-load", daemon=True)
    worker.start()
    try:
        held = {path: list(read(path, ontology)) for path in [ontology, *files] if path not in direct}
    except BaseException:
        stop.set()
        raise
    finally:
        worker.join()
    if failures:
        raise failures[0]
    store.extend([q for quads in held.values() for q in quads])
    return held


def read(path: Path, ontology: Path | None = None, lenient: bool = False) -> Iterator[ox.Quad]:
    """A file's statements as `load_all` stores them, read one by one: the ontology's (if `path` is
    `ontology`) in its named graph. Errors name the file and line. `lenient` skips some of Oxigraph's
    checks (IRIs' validity among them), for a file already read whole with them: a million
    statements took 0.6 s to read so, against 1.2 s."""
    quads = _parse(path, lenient)
    if path != ontology:
        return quads
    graph = ox.NamedNode(ONTOLOGY_GRAPH)
    return (ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)


def _parse(path: Path, lenient: bool = False) -> Iterator[ox.Quad]:
    try:
        # relative IRIs (`<>`) resolve against the file's own IRI, as rdflib reads them
        yield from ox.parse(path=str(path), format=_format(path), base_iri=Path(path).resolve().as_uri(), lenient=lenient)
    except SyntaxError as error:
        raise TvetKgError(f"{path}:{error.lineno}:{error.offset}: {error.msg}") from None
    except OSError as error:
        raise TvetKgError(f"{path}: {error.strerror or error}") from None


def stamp(path: Path) -> tuple[int, int] | None:
    """A file's size and modification time, which change when it is written; None if it cannot be read."""
    try:
        status = Path(path).stat()
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns


def _may_hold_blank_nodes(path: Path) -> bool:
    """Whether a file's text could hold a blank node: `_:`, or in Turtle and TriG `[` or `(`."""
    marks = (b"_:",) if Path(path).suffix in (".nt", ".nq") else (b"_:", b"[", b"(")
    try:
        with open(path, "rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as text:
            return any(text.find(mark) >= 0 for mark in marks)
    except (OSError, ValueError):  # unreadable or empty: read_quads reports it, or finds nothing
        return True


class SubjectFiles:
    """The files that describe each IRI as a subject, noted as their statements go by: validation
    notes them while it copies the typed literals, rather than reading every file once more."""

    def __init__(self):
        self._subjects: dict[str, set] = {}  # file -> the IRIs it has as subjects

    def note(self, path: Path, statements: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
        """`statements`, a file's, passed on as they are noted."""
        subjects, named = self._subjects.setdefault(str(path), set()), ox.NamedNode
        for quad in statements:
            if type(quad.subject) is named:
                subjects.add(quad.subject)
            yield quad

    def of(self, iris: set[str]) -> dict[str, list[str]]:
        """For each IRI, the files noted that describe it, in the order noted (none for a blank node's label)."""
        found = {}
        for iri in iris:
            try:
                node = ox.NamedNode(iri)
            except ValueError:
                found[iri] = []
                continue
            found[iri] = [path for path, subjects in self._subjects.items() if node in subjects]
        return found


def subjects_by_file(files: list[Path], subjects: set[str]) -> dict[str, list[str]]:
    """For each of `subjects` (IRIs), the files that describe it as a subject, read from them."""
    noted = SubjectFiles()
    for path in files:
        for _ in noted.note(path, read(path)):
            pass
    return noted.of(subjects)
