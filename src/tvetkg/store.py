"""The embedded Oxigraph store: in memory by default, or on disk with `--store DIR`.

An on-disk store records the files it was built from (path, size, modification
time) and rebuilds itself, into a fresh folder swapped in at the end, when any
of them changes; a failed rebuild leaves the previous store as it was.
"""

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from tvetkg import paths
from tvetkg.errors import TvetKgError
from tvetkg.load import graph_files, load_all, read_all
from tvetkg.namespaces import INFERRED_GRAPH

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
    # Each file's statements as it wrote them (the store re-encodes some literals); in memory only.
    file_quads: dict | None = None

    @property
    def quads(self) -> list | None:
        """The statements of the ontology and of every file, as they were loaded."""
        if self.file_quads is None:
            return None
        return [q for quads in self.file_quads.values() for q in quads]

    def query(self, sparql: str):
        return self.store.query(sparql, use_default_graph_as_union=True)


def _fingerprint(sources: list[Path], inferred: bool) -> dict:
    entries = []
    for path in sources:
        stat = path.stat()
        entries.append({"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns})
    return {"files": entries, "inferred": inferred, "format": 1}


def _fill(store: ox.Store, ontology: Path, files: list[Path], inferred: bool) -> None:
    load_all(store, ontology, files)
    if inferred:
        _add_inferred(store, ontology, files)


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
    return Graph(_open_on_disk(Path(store_dir), ontology, files, inferred), ontology, files, inferred)


def in_memory(ontology: Path, files: list[Path], inferred: bool = False) -> Graph:
    """The ontology and the files in an in-memory store, each file's statements kept as written."""
    store = ox.Store()
    file_quads = read_all(ontology, files, store)
    if inferred:
        _add_inferred(store, ontology, files)
    return Graph(store, ontology, files, inferred, file_quads=file_quads)


def _open_on_disk(store_dir: Path, ontology: Path, files: list[Path], inferred: bool) -> ox.Store:
    wanted = _fingerprint([ontology, *files], inferred)
    manifest = store_dir / _MANIFEST
    if manifest.is_file() and (store_dir / _DATA).is_dir():
        try:
            if json.loads(manifest.read_text()) == wanted:
                return ox.Store(str(store_dir / _DATA))
        except (ValueError, OSError):
            pass  # an unreadable manifest means a rebuild
    store_dir.mkdir(parents=True, exist_ok=True)
    fresh = store_dir / f".building-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        store = ox.Store(str(fresh))
        _fill(store, ontology, files, inferred)
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
