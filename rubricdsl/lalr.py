"""The parser of well-formed rubrics: Lark's basic lexer and LALR parser,
run on the tables shipped in grammar_tables.py, without importing Lark.

Importing Lark and building its parser cost more than checking the
standard's rubric; this module does only what a clean parse needs.  It
follows Lark step for step (the same alternations tried in the same order,
the same keywords read out of a KEY, the same shifts and reductions, the
same children kept for each rule), so it builds the same model.  At the
first token that does not fit it gives up (`Rejected`): parser.py then
parses again with Lark, whose interactive parser says what was expected and
repairs, so every syntax diagnostic comes from one place.
"""

from __future__ import annotations

import functools
import re

from . import grammar_tables


class Rejected(Exception):
    """The text does not follow the grammar (or a character fits no token)."""


class Token:
    """A token as Lark's Token carries it, for the model builder: its
    terminal, its text and where it starts and ends (1-based)."""

    __slots__ = ("type", "value", "line", "column", "end_line", "end_column")

    def __init__(self, type: str, value: str, line: int, column: int, end_line: int, end_column: int):
        self.type, self.value = type, value
        self.line, self.column, self.end_line, self.end_column = line, column, end_line, end_column

    def update(self, type: str | None = None, value: str | None = None) -> "Token":
        """A copy of another type or value, at the same place (as Lark's Token.update)."""
        return Token(
            type or self.type, self.value if value is None else value, self.line, self.column, self.end_line, self.end_column
        )

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r})"


class _Inlined:
    """What a rule without a handler (an inlined `_rule`, a repetition)
    gives its parent: children to splice in, as Lark's Tree does."""

    __slots__ = ("name", "children")

    def __init__(self, name: str, children: list):
        self.name, self.children = name, children


# The grammar's WHITESPACE (grammar/rubric.lark), which no other token
# starts with: read in front of every token by the same match, so the
# scanner is called once per token, not twice (a test holds this to the
# grammar).
GAP = "[ \t\f\r\n\ufeff]*"


@functools.lru_cache(maxsize=1)
def _scanner() -> tuple:
    """One compiled pattern of every alternation and the lexer's sets;
    compiled once and only read after.  Lark tries its alternations one
    after another at a position, the first that matches wins: their
    alternation in that order matches the same, in one call.  Whitespace
    before a token is matched with it (GAP, group 1); only whitespace at
    the end is a WHITESPACE token of its own."""
    tables = grammar_tables.SCANNER
    flags = {flags for _, flags in tables["alternations"]}
    assert len(flags) == 1, "the alternations are compiled with the same flags"
    alternations = "|".join(f"(?:{pattern})" for pattern, _ in tables["alternations"])
    pattern = re.compile(f"({GAP})(?:{alternations})", flags.pop())
    return (
        pattern,
        frozenset(tables["ignored"]),
        frozenset(tables["multiline"]),
        tables["keywords"],
    )


def _reducers(builder) -> list:
    """For each rule: (nonterminal, length, handler, expand single child,
    children kept), the handler a bound method of `builder` or None."""
    reducers = []
    for name, length, handler, expand_single, kept in grammar_tables.RULES:
        method = None if handler.startswith("_") else getattr(builder, handler, None)
        reducers.append((name, length, method, expand_single, kept))
    return reducers


def parse(source: str, builder, on_comment) -> object:
    """The value of the start rule, built by `builder`'s methods (each
    called with the rule's kept children), `on_comment` called with each
    comment token.  Raises Rejected where Lark would raise a syntax error.

    One loop lexes a token and then reduces and shifts it (no call per
    token: at 300x the standard, 400,000 tokens)."""
    pattern, ignored, multiline, keywords = _scanner()
    # Each match starts where the last ended (a gap is a character that
    # fits no token).
    next_match = pattern.scanner(source).match
    states = grammar_tables.STATES
    reducers = _reducers(builder)
    state_stack = [grammar_tables.START_STATE]
    value_stack: list = []
    end_state = grammar_tables.END_STATE

    position, line, line_start, length = 0, 1, 0, len(source)
    last = None
    while True:
        if position < length:
            found = next_match()
            if found is None:
                raise Rejected(position)
            kind = found.lastgroup
            start = found.end(1)
            if start != position:  # the whitespace before the token
                breaks = source.count("\n", position, start)
                if breaks:
                    line += breaks
                    line_start = source.rindex("\n", position, start) + 1
                position = start
            text = found.group(found.lastindex)
            start_line, start_column = line, position - line_start + 1
            if kind in multiline:
                breaks = text.count("\n")
                if breaks:
                    line += breaks
                    line_start = position + text.rindex("\n") + 1
            position += len(text)
            if kind in ignored:
                if kind == "COMMENT":
                    on_comment(Token(kind, text, start_line, start_column, line, position - line_start + 1))
                continue
            if kind in keywords:
                kind = keywords[kind].get(text, kind)
            token = last = Token(kind, text, start_line, start_column, line, position - line_start + 1)
        elif last is None:
            token = Token("$END", "", 1, 1, None, None)
            kind = "$END"
        else:
            token = Token("$END", "", last.line, last.column, last.end_line, last.end_column)
            kind = "$END"
        # Every reduction the token allows, then its shift.
        while True:
            action = states[state_stack[-1]].get(kind)
            if action is None:
                raise Rejected(token)
            if action >= 0:
                state_stack.append(action)
                value_stack.append(token)
                break
            name, size, method, expand_single, kept = reducers[~action]
            if size:
                children = value_stack[-size:]
                del state_stack[-size:]
                del value_stack[-size:]
            else:
                children = []
            if kept is not None:
                filtered: list = []
                for index, inline in kept:
                    if inline:
                        filtered.extend(children[index].children)
                    else:
                        filtered.append(children[index])
                children = filtered
            if expand_single and len(children) == 1:
                value = children[0]
            elif method is not None:
                value = method(*children)
            else:
                value = _Inlined(name, children)
            goto = states[state_stack[-1]][name]
            state_stack.append(goto)
            value_stack.append(value)
            if kind == "$END" and goto == end_state:
                return value_stack[-1]
        if kind == "$END":
            raise Rejected(token)
