"""tvet-kg: the knowledge graph of TVET cooperation among OIC member states.

    import tvetkg
    kg = tvetkg.open()
    kg.query("coverage-by-area").to_pandas()

(`tvetkg.api` has the rest.)
"""

__version__ = "1.11.0"

from tvetkg.api import KnowledgeGraph, Rows, open  # noqa: E402,F401  (open: the graph, not a file)
