"""The embedded Oxigraph store: in memory by default, or on disk with `--store DIR`.

Each source's statements are in its named graph; the default graph is their RDF merge,
each statement once (`load.merge_into_default`), which is what a query without GRAPH
or FROM reads, and FROM and FROM NAMED choose graphs as SPARQL 1.1 has them.

An on-disk store records the files it was built from (path, size, modification
time) and rebuilds itself, into a fresh folder swapped in at the end, when any
of them changes; a failed rebuild leaves the previous store as it was.
"""

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from tvetkg import paths
from tvetkg.errors import TvetKgError
from tvetkg.folders import remove_orphans
from tvetkg.load import fill, graph_files, load_all, merge_into_default, read, stamp
from tvetkg.namespaces import INFERRED_GRAPH, PREDECLARED

_MANIFEST = "manifest.json"
_DATA = "oxigraph"


@dataclass
class Graph:
    """The loaded graph: the Oxigraph store and the files it came from."""

    store: ox.Store
    ontology: Path
    files: list[Path]
    inferred: bool = False
    shapes: list[Path] = field(default_factory=list)
    # In memory: the statements of the files that may hold a blank node, as read (the store shares their
    # blank nodes); None for an on-disk store.
    held: dict | None = None
    # Each file's `stamp` when it was last read whole, with every check, into the store: unchanged
    # since, it is read again without them (twice as fast).
    checked: dict = field(default_factory=dict)

    @property
    def in_memory(self) -> bool:
        return self.held is not None

    def file_statements(self, path: Path) -> Iterator[ox.Quad]:
        """A file's statements (the ontology's in its named graph) as it wrote them: the store
        re-encodes some literals. Read again from the file, unless held."""
        if self.held is not None and path in self.held:
            return iter(self.held[path])
        checked = self.checked.get(path)
        return read(path, self.ontology, lenient=checked is not None and checked == stamp(path))

    def statements(self, with_ontology: bool = True) -> Iterator[ox.Quad]:
        """The statements of the ontology (unless left out) and of every file, as they wrote them, one by one."""
        for path in [self.ontology, *self.files] if with_ontology else self.files:
            yield from self.file_statements(path)

    def query(self, sparql: str):
        """Oxigraph's answer, the prefixes of `namespaces.PREDECLARED` declared (the query's own win)."""
        return self.store.query(sparql, prefixes=PREDECLARED)

    def statement_count(self) -> int:
        """The statements of the graph (ontology and, if added, entailed facts included), each once."""
        return int(next(iter(self.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)


def _fingerprint(stamps: dict[Path, tuple[int, int] | None], inferred: bool) -> dict:
    entries = []
    for path, found in stamps.items():
        if found is None:
            raise TvetKgError(f"{path}: cannot be read")
        entries.append({"path": str(path.resolve()), "size": found[0], "mtime_ns": found[1]})
    return {"files": entries, "inferred": inferred, "format": 2}  # 2: the default graph is the merge


def _fill_on_disk(store: ox.Store, ontology: Path, files: list[Path], inferred: bool) -> None:
    load_all(store, ontology, files)
    if inferred:
        _add_inferred(store, ontology, files)
    merge_into_default(store)


def _add_inferred(store: ox.Store, ontology: Path, files: list[Path]) -> None:
    from tvetkg.reason import infer

    result = infer(ontology, files)
    if not result.consistent:
        raise TvetKgError("the graph is inconsistent; run `tvetkg reason` for the explanation")
    store.load(result.to_ntriples().encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(INFERRED_GRAPH))


def open_graph(kg_dir: Path | None = None, store_dir: Path | None = None, inferred: bool = False) -> Graph:
    """Load the graph of `kg_dir` (the shipped graph by default) into Oxigraph."""
    ontology = paths.ontology_file()
    files = graph_files(kg_dir or paths.kg_dir())
    if store_dir is None:
        return in_memory(ontology, files, inferred)
    stamps = _stamps(ontology, files)
    store = _open_on_disk(Path(store_dir), ontology, files, inferred, stamps)
    return Graph(store, ontology, files, inferred, checked=stamps)


def in_memory(ontology: Path, files: list[Path], inferred: bool = False) -> Graph:
    """The ontology and the files in an in-memory store."""
    stamps = _stamps(ontology, files)
    store = ox.Store()
    held = fill(store, ontology, files)
    if inferred:
        _add_inferred(store, ontology, files)
    merge_into_default(store)
    return Graph(store, ontology, files, inferred, held=held, checked=stamps)


def _stamps(ontology: Path, files: list[Path]) -> dict[Path, tuple[int, int] | None]:
    """Each file's `stamp`, taken before the files are read, so that a write meanwhile shows."""
    return {path: stamp(path) for path in [ontology, *files]}


def _open_on_disk(store_dir: Path, ontology: Path, files: list[Path], inferred: bool,
                  stamps: dict[Path, tuple[int, int] | None]) -> ox.Store:
    wanted = _fingerprint(stamps, inferred)
    manifest = store_dir / _MANIFEST
    if manifest.is_file() and (store_dir / _DATA).is_dir():
        try:
            if json.loads(manifest.read_text()) == wanted:
                return ox.Store(str(store_dir / _DATA))
        except (ValueError, OSError):
            pass  # an unreadable manifest means a rebuild
    store_dir.mkdir(parents=True, exist_ok=True)
    for prefix in (".building-", ".old-"):  # left by a rebuild that was killed
        remove_orphans(store_dir, prefix)
    fresh = store_dir / f".building-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        store = ox.Store(str(fresh))
        _fill_on_disk(store, ontology, files, inferred)
        store.flush()
        del store
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    old = store_dir / f".old-{os.getpid()}"
    if (store_dir / _DATA).exists():
        (store_dir / _DATA).rename(old)
    fresh.rename(store_dir / _DATA)
    partial = manifest.with_suffix(".tmp")
    partial.write_text(json.dumps(wanted, indent=1))
    os.replace(partial, manifest)
    shutil.rmtree(old, ignore_errors=True)
    return ox.Store(str(store_dir / _DATA))


def open_read_only(kg_dir: Path | None, store_dir: Path, inferred: bool = False) -> Graph:
    """The on-disk store of `store_dir`, read-only, so that many processes can query it at once.

    Bring it up to date first with `open_graph(kg_dir, store_dir)` in one process."""
    data = Path(store_dir) / _DATA
    if not data.is_dir():
        raise TvetKgError(f"{store_dir}: no store here; open it once with --store to build it")
    ontology = paths.ontology_file()
    return Graph(ox.Store.read_only(str(data)), ontology, graph_files(kg_dir or paths.kg_dir()), inferred)
