"""Where the data lives: the ontology, shapes, queries and graph shipped with the package.

A wheel carries them under `tvetkg/_data/`; a source checkout reads them from the
repository's own folders, so editing `kg/` or `queries/` takes effect at once.
"""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_root() -> Path:
    shipped = _PACKAGE / "_data"
    return shipped if shipped.is_dir() else _PACKAGE.parents[1]


def ontology_file() -> Path:
    return data_root() / "ontology" / "tvet.ttl"


def shapes_dir() -> Path:
    return data_root() / "shapes"


def queries_dir() -> Path:
    return data_root() / "queries"


def kg_dir() -> Path:
    return data_root() / "kg"


def rules_dir() -> Path:
    return data_root() / "rules"
