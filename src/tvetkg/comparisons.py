"""How pySHACL judges the comparisons of sh:minInclusive and its kin, and of sh:lessThan(OrEquals).

The compiled checks compare in SPARQL, which settles every pair of well-typed
values of one kind. Where SPARQL cannot compare (an ill-typed literal such as
"forty"^^xsd:nonNegativeInteger, a date against a number), pySHACL, the
reference, does not simply report a violation: it falls back on rdflib's total
order of literals, which for instance puts any xsd:nonNegativeInteger above any
xsd:integer. The checks therefore hand every row they would report to `holds`,
which repeats pySHACL's rule on the terms as written.
"""

import rdflib
from pyshacl.rdfutil.compare import compare_literal

from tvetkg.rdf import quiet_rdflib, rdflib_term

_RANGE = {
    "minExclusive": lambda cmp: cmp > 0, "minInclusive": lambda cmp: cmp >= 0,
    "maxExclusive": lambda cmp: cmp < 0, "maxInclusive": lambda cmp: cmp <= 0,
}


def holds(kind: str, value, other) -> bool:
    """Whether pySHACL takes `value` to satisfy the constraint `kind` against `other`.

    kind: a range parameter (other: its bound), or lessThan / lessThanOrEquals (other: the
    value of the compared property). Terms are Oxigraph's or rdflib's, literals as written.
    """
    with quiet_rdflib():  # rdflib logs each ill-typed literal it reads, with a traceback that would hold the query
        value, other = rdflib_term(value), rdflib_term(other)
        if kind in _RANGE:
            return _in_range(kind, value, other)
        return _in_order(kind == "lessThan", value, other)


def _in_range(kind: str, value, bound: rdflib.Literal) -> bool:
    # pySHACL's value_range_constraints: a string is compared with a string only.
    if not isinstance(value, rdflib.Literal) or isinstance(value.value, str) != isinstance(bound.value, str):
        return False
    try:
        return _RANGE[kind](compare_literal(value, bound))
    except (TypeError, NotImplementedError):
        return False


def _as_compared(term):
    """A term as pySHACL's property-pair constraints compare it, and whether it counts as a string."""
    if isinstance(term, rdflib.URIRef):
        return str(term), True
    if isinstance(term, rdflib.Literal) and isinstance(term.value, str):
        return term.value, True
    return term, False


def _in_order(strict: bool, value, other) -> bool:
    # pySHACL's property_pair_constraints (it stops on a blank node; a result is reported here).
    if isinstance(value, rdflib.BNode) or isinstance(other, rdflib.BNode):
        return False
    (a, a_string), (b, b_string) = _as_compared(value), _as_compared(other)
    if a_string != b_string:
        return False
    try:
        return bool(a < b) if strict else bool(a <= b)
    except TypeError:
        return False
