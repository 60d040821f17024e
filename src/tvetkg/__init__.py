"""tvet-kg: the knowledge graph of TVET cooperation among OIC member states."""

__version__ = "1.9.0"
