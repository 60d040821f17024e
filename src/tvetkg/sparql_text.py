"""What a SPARQL text holds before any store sees it: its tokens, how deeply it nests, whether it can call
SERVICE, and which prefixes it declares and uses.

The tokens follow the lexical rules of SPARQL 1.1 (section 19.8): comments end at a line feed or a
carriage return, strings and IRIs may hold escapes, local names may hold `\\#` and `%23`. Oxigraph's
parser is a PEG grammar that matches keywords without a word boundary (`trueSERVICE <x> {}` is read as
`true SERVICE <x> {}`) and reads `<` as an IRI or as less-than by the place it stands in, so no lexer
agrees with it on every text. The SERVICE check therefore errs on one side only:

- any keyword-like token (a bare word, the prefix of a prefixed name, a language tag, a blank node
  label) that contains "service" in any case counts as SERVICE;
- an IRI that may instead be a less-than (it follows an operand inside parentheses), or a token this
  lexer cannot read, makes the rest of the text count as code: "service" anywhere in it counts.

`screen` refuses what the endpoint, the command line and validation must not run. The query workers of
`tvetkg serve` also run where no IP socket can be opened (`sandbox`), so even a text that escaped this
check could not reach another host.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from tvetkg.errors import QueryFailed

MAX_DEPTH = 100  # brackets ( [ { inside one another
MAX_TOKENS = 50_000  # with queries run on a 256 MiB stack (`stack.run`), far below what overflows it


class Token(NamedTuple):
    kind: str  # ws comment iri pname bnode var langtag string number word punct error
    text: str
    start: int


_PN_CHARS_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
                  "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"\\[tbnrf\\\"']"
_PN_PREFIX = rf"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (rf"(?:[{_PN_CHARS_U}:0-9]|{_PLX})"
             rf"(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?")
_VARNAME = rf"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*"

_RULES = [
    ("ws", r"[ \t\r\n]+"),
    ("comment", r"#[^\r\n]*"),
    ("iri", rf"<(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*>"),
    ("string", rf"'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*'''"),
    ("string", rf'"""(?:(?:"|"")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*"""'),
    ("string", rf"'(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*'"),
    ("string", rf'"(?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*"'),
    ("var", rf"[?$]{_VARNAME}"),
    ("bnode", rf"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"),
    ("langtag", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),
    ("number", r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+"),
    ("pname", rf"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"),
    ("word", r"[A-Za-z_][A-Za-z0-9_]*"),
    ("punct", r"\^\^|&&|\|\||!=|<=|>=|[{}()\[\].,;|/^!=<>+\-*?]"),
    ("error", r"[\s\S]"),  # a character no rule reads: a token of its own, and lexing goes on
]
_LEXER = re.compile("|".join(f"(?P<{kind}{i}>{rule})" for i, (kind, rule) in enumerate(_RULES)))
_KINDS = {f"{kind}{i}": kind for i, (kind, _) in enumerate(_RULES)}
_OPERAND_EXPECTED = {"(", ",", "^^", "=", "!=", "<", ">", "<=", ">=", "&&", "||", "!", "+", "-", "*", "/"}
_OPENERS, _CLOSERS = "([{", ")]}"


def tokens(text: str) -> list[Token]:
    """Every token of `text`, whitespace and comments included; a character no rule reads is an
    `error` token of its own, and lexing goes on after it."""
    kinds = _KINDS
    return [Token(kinds[m.lastgroup], m.group(), m.start()) for m in _LEXER.finditer(text)]


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of `offset` (a carriage return alone also ends a line)."""
    before = text[:offset].replace("\r\n", "\n").replace("\r", "\n")
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


@dataclass
class Screened:
    """What `screen` found in a text it let through."""

    service: bool = False
    depth: int = 0
    cost: int = 0
    prefixes: dict[str, str] = field(default_factory=dict)  # declared in the text, prefix -> IRI
    used: list[tuple[str, int]] = field(default_factory=list)  # prefixes used, with the offset of each use
    keyword: str = ""  # the first keyword after the prologue (SELECT, ASK, ..., or INSERT for an update)


def screen(text: str, allow_service: bool = False, max_depth: int = MAX_DEPTH,
           max_tokens: int = MAX_TOKENS) -> Screened:
    """Refuse (`QueryFailed`) a text that may call SERVICE (403, unless `allow_service`), that nests
    brackets deeper than `max_depth` (400) or is longer than `max_tokens` tokens (400)."""
    found = _screened(text)
    if found.service and not allow_service:
        raise QueryFailed(403, "SERVICE is refused: no request leaves this machine to answer a query "
                                "(the word 'service' in a keyword, a prefix or a language tag counts too)")
    if found.depth > max_depth:
        raise QueryFailed(400, f"the query nests brackets {found.depth} deep; the limit is {max_depth}")
    if found.cost > max_tokens:
        raise QueryFailed(400, f"the query has {found.cost:,} tokens; the limit is {max_tokens:,}")
    return found


_CACHED = 16_384  # texts up to this length are remembered: a public endpoint sees the same ones often


def _screened(text: str) -> Screened:
    """`_read`'s judgement, remembered for texts up to _CACHED characters."""
    return _read(text) if len(text) <= _CACHED else _read.__wrapped__(text)


@lru_cache(maxsize=1024)
def _read(text: str) -> Screened:
    """What `screen` judges, read once per text (the result is shared: do not change it)."""
    found = Screened()
    stack: list[str] = []
    previous: Token | None = None
    raw_from: int | None = None  # past here the lexer may disagree with the store: read as raw text
    raw_depth = raw_cost = 0
    declaring = False
    items = tokens(text)
    for index, token in enumerate(items):
        if token.kind in ("ws", "comment"):
            continue
        if raw_from is None and (token.kind == "error" or (
                token.kind == "iri" and stack and stack[-1] == "(" and previous is not None
                and previous.text not in _OPERAND_EXPECTED)):  # `?a<?b)...>` may be a comparison
            raw_from, raw_depth, raw_cost = token.start, len(stack), found.cost
        if raw_from is None:
            found.service |= _names_service(token)
        if token.kind == "punct" and token.text in _OPENERS:
            stack.append(token.text)
            found.depth = max(found.depth, len(stack))
        elif token.kind == "punct" and token.text in _CLOSERS and stack:
            stack.pop()
        if token.kind == "word" and token.text.upper() == "PREFIX":
            declaring = True
        elif token.kind == "pname":
            prefix = token.text.split(":", 1)[0]
            if declaring:
                following = _next_significant(items, index)
                if following is not None and following.kind == "iri":
                    found.prefixes[prefix] = following.text[1:-1]
            else:
                found.used.append((prefix, token.start))
            declaring = False
        elif token.kind != "iri":
            declaring = False
        if not found.keyword and token.kind == "word" and token.text.upper() not in ("PREFIX", "BASE"):
            found.keyword = token.text.upper()
        found.cost += 1
        previous = token
    if raw_from is not None:  # bounds that hold however the store reads the rest: a token a character
        rest = text[raw_from:]
        found.service |= "service" in rest.lower()
        found.cost = max(found.cost, raw_cost + len(rest))
        found.depth = max(found.depth, raw_depth + sum(rest.count(c) for c in _OPENERS))
    return found


_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query form, the first of those keywords in the text."""
    for token in tokens(text):
        if token.kind == "word" and token.text.upper() in _FORMS:
            return token.text.upper()
    return None


def _names_service(token: Token) -> bool:
    if token.kind in ("word", "langtag", "bnode"):
        return "service" in token.text.lower()
    if token.kind == "pname":
        return "service" in token.text.split(":", 1)[0].lower()
    return False


def _next_significant(items: list[Token], index: int) -> Token | None:
    for token in items[index + 1:]:
        if token.kind not in ("ws", "comment"):
            return token
    return None


def with_prefixes(text: str, predeclared: dict[str, str]) -> str:
    """`text` with a declaration of each predeclared prefix it uses without declaring it, for a
    server that does not know them; on the first line, so that the lines keep their numbers."""
    found = _screened(text)
    missing = dict.fromkeys(p for p, _ in found.used if p in predeclared and p not in found.prefixes)
    return "".join(f"PREFIX {p}: <{predeclared[p]}> " for p in missing) + text


_EXPECTED_ITEM = re.compile(r'"(?:[^"\\]|\\.)*"|\[(?:\'(?:[^\'\\]|\\.)*\'|[^\]\'])*\]|[^,\s][^,]*')
_ERROR_AT = re.compile(r"error at (\d+):(\d+): (.*)", re.S)


def syntax_message(text: str, error: SyntaxError, predeclared: dict[str, str]) -> str:
    """Oxigraph's syntax error as one line: the line and column, and what was expected in words.
    A prefix neither declared nor predeclared is named as such, wherever the parser stopped."""
    found = _screened(text)
    for prefix, offset in found.used:
        if prefix not in found.prefixes and prefix not in predeclared:
            line, column = position(text, offset)
            return f"line {line}, column {column}: the prefix {prefix}: is not declared (add PREFIX {prefix}: <...>)"
    message = " ".join(str(error.msg).split())
    where = _ERROR_AT.match(message)
    if where is None:
        return message
    line, column, rest = int(where[1]), int(where[2]), where[3]
    at_end = (line, column) >= position(text, len(text.rstrip()))
    place = f"line {line}, column {column}" + (" (the end of the text)" if at_end else "")
    if not rest.startswith("expected "):
        return f"{place}: {rest}"
    words = []
    for item in _EXPECTED_ITEM.findall(rest[len("expected "):].removeprefix("one of ")):
        item = item.strip()
        if item == "Prefix not found":
            continue
        if item.startswith("["):  # a class of characters: a name's, or any other
            item = "a name" if any(c.isalpha() for c in item.replace("'\\u", "")) else "a character"
        elif not item.startswith('"'):
            item = f'"{item}"'  # a keyword, quoted as the punctuation is
        if item not in words:
            words.append(item)
    if not words:
        return f"{place}: not a SPARQL query here"
    expected = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    return f"{place}: expected {expected}"
