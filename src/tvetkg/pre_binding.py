"""Pre-binding (SHACL 5.3.1) of a SPARQL-based validator's variables, read from the query's tokens.

The fast engine runs a validator once for all focus nodes: the pattern that binds $this to them
opens the query's WHERE group, so that it is joined with everything the query matches. SPARQL
evaluates an inner group, a UNION branch or a sub-query on its own before that join, so a FILTER
or BIND there that reads $this would see it unbound; SHACL says it sees the focus node. Such a
group gets the binding pattern too. A group that matches $this in a triple pattern of its own
is left alone (its FILTERs see the value it matched, and the outer join keeps the focus node's),
and so are OPTIONAL and EXISTS groups, whose FILTERs see the outer solution already: putting the
pattern everywhere made Oxigraph's plans for our own shapes take minutes at a million statements.
"""

from dataclasses import dataclass, field

from tvetkg.sparql_text import tokens


PRE_BOUND = frozenset({"this", "currentShape", "shapesGraph"})


def unsupported(text: str, pre_bound: frozenset[str] | set[str] = PRE_BOUND) -> str | None:
    """What pre-binding forbids in a validator's query: MINUS, VALUES, a sub-query that does not
    return $this (SELECT * is refused too: which variables it returns needs the query's algebra),
    `AS` of a pre-bound variable ($value of an ASK validator, a component's parameters among them);
    None if nothing."""
    significant = _significant(text)
    selects = 0
    for index, token in enumerate(significant):
        word = _word(token)
        if word in ("MINUS", "VALUES"):
            return f"{word} is not allowed"
        if word == "AS" and index + 1 < len(significant) and significant[index + 1].text[1:] in pre_bound:
            return f"{significant[index + 1].text} is bound by AS"
        if word == "SELECT":
            selects += 1
            if selects == 1:
                continue
            projected = _projected(significant, index)
            if projected == ["*"]:
                return "a sub-query with SELECT * (name $this in its projection)"
            if not any(name[1:] == "this" for name in projected):
                return "a sub-query that does not return $this"
    return None


def projection(text: str) -> list[str] | None:
    """The variables the outermost SELECT returns (`?v` of `(expression AS ?v)` too), or None if the
    text has no SELECT, or `*` for SELECT *."""
    significant = _significant(text)
    start = next((i for i, t in enumerate(significant) if _word(t) == "SELECT"), None)
    return None if start is None else _projected(significant, start)


def _projected(significant: list, start: int) -> list[str]:
    """The variables returned by the SELECT at `significant[start]`: `?v`, and `?v` of `(expression AS
    ?v)` (a variable inside the expression is not returned), or `["*"]`."""
    names, depth = [], 0
    for index, token in enumerate(significant[start + 1:], start + 1):
        if depth == 0 and (_word(token) == "WHERE" or token.text == "{"):
            break
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif token.text == "*" and depth == 0:
            return ["*"]
        elif token.kind == "var" and (depth == 0 or _word(significant[index - 1]) == "AS"):
            names.append(token.text)
    return names


def ask_group(text: str) -> str | None:
    """The group graph pattern of an ASK query, `{ ... }` (braces in strings are not its ends), or None."""
    significant = _significant(text)
    opening = next((t for t in significant if t.text == "{"), None)
    closing = next((t for t in reversed(significant) if t.text == "}"), None)
    if opening is None or closing is None or closing.start < opening.start:
        return None
    return text[opening.start:closing.start + 1]


def mentions(text: str) -> set[str]:
    """The names of the variables a query mentions."""
    return {t.text[1:] for t in tokens(text) if t.kind == "var"}


@dataclass
class _Group:
    opens: int  # the offset just after its `{`
    kind: str  # "where" (a query's or sub-query's), "group", "optional" or "exists"
    outermost: bool
    parentheses: int = 0
    in_expressions: set = field(default_factory=set)
    in_patterns: set = field(default_factory=set)


def pre_bind(text: str, patterns: dict[str, str]) -> str:
    """`text` with the pattern binding each pre-bound variable (name -> pattern) put where SHACL's
    pre-binding needs it: at the opening of the outermost WHERE group always, and at the opening of
    every inner group, UNION branch or sub-query WHERE group whose FILTER or BIND expressions read
    the variable while none of its own triple patterns matches it."""
    significant = _significant(text)
    stack: list[_Group] = []
    inserts: list[tuple[int, str]] = []
    in_projection = False
    previous = None
    for token in significant:
        word = _word(token)
        if word == "SELECT":
            in_projection = True
        elif token.text == "{":
            if in_projection or _word(previous) == "WHERE":
                kind = "where"
            elif _word(previous) == "OPTIONAL":
                kind = "optional"
            elif _word(previous) == "EXISTS":
                kind = "exists"
            else:
                kind = "group"
            in_projection = False
            stack.append(_Group(token.start + 1, kind, outermost=not stack))
        elif token.text == "}" and stack:
            group = stack.pop()
            if group.outermost:
                needed = set(patterns)
            elif group.kind in ("where", "group") and not any(g.kind == "exists" for g in stack):
                needed = (group.in_expressions - group.in_patterns) & set(patterns)
            else:
                needed = set()
            if needed:
                inserts.append((group.opens, " ".join(patterns[name] for name in sorted(needed))))
        elif token.text == "(" and stack:
            stack[-1].parentheses += 1
        elif token.text == ")" and stack:
            stack[-1].parentheses -= 1
        elif token.kind == "var" and stack and not in_projection:
            group = stack[-1]
            (group.in_expressions if group.parentheses else group.in_patterns).add(token.text[1:])
        previous = token
    for offset, pattern in sorted(inserts, reverse=True):
        text = f"{text[:offset]} {pattern} {text[offset:]}"
    return text


def _significant(text: str):
    return [t for t in tokens(text) if t.kind not in ("ws", "comment")]


def _word(token) -> str:
    return token.text.upper() if token is not None and token.kind == "word" else ""
