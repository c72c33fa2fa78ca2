"""The parse boundary: .rubric text -> `model.Rubric` plus diagnostics.

This is the only module that parses with Lark.  A well-formed rubric is
parsed by lalr.py on the tables shipped in grammar_tables.py, without Lark;
a rubric with syntax errors is parsed again by Lark, loaded from the same
tables (no grammar is compiled, no cache read), whose errors become E1xx
diagnostics that say in words what was expected, with single missing tokens
repaired so one run reports every syntax error.  It keeps comments for the
formatter and builds the frozen model.  How statements combine inside a
block (a field given twice, a requirement with two rules) is also judged
here, because only here are the statements still separate; numeric and
cross-reference checks live in checks.py.
"""

from __future__ import annotations

import copy
import functools
import unicodedata
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from . import lalr
from . import model as m
from .diagnostics import Diagnostic, Omitted, Span, closest, did_you_mean, line_and_column
from .records import record

if TYPE_CHECKING:
    from lark import Lark, Token
    from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

MAX_SYNTAX_ERRORS = 25
# The longest number a rubric may hold (E105), leading zeros not counted: no
# points, bound or panel reaches 10^10, the tests use amounts of 16 decimals
# and pass marks of 17, and 10 + 18 digits are the 28 that Decimal's default
# context holds, so every sum of points that checks.py compares with a
# declared total is exact.  A 5,001-digit number once checked clean and
# crashed build and inspect (Python's limit on int/str conversion).
MAX_WHOLE_DIGITS = 10
MAX_FRACTION_DIGITS = 18


@record(frozen=True)
class Comment:
    text: str
    span: Span


@record(frozen=True)
class ParseResult:
    path: str
    source: str
    rubric: m.Rubric | None
    diagnostics: tuple[Diagnostic, ...]
    comments: tuple[Comment, ...]
    # The syntax errors beyond MAX_SYNTAX_ERRORS, counted, not listed.
    omitted: tuple[Omitted, ...] = ()


# ---------------------------------------------------------------------------
# Loading the grammar
# ---------------------------------------------------------------------------


def grammar_path() -> Path:
    """grammar/rubric.lark: packaged inside rubricdsl when installed from a
    wheel, at the top of the repository in a checkout."""
    packaged = Path(__file__).resolve().parent / "grammar" / "rubric.lark"
    if packaged.is_file():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / "grammar" / "rubric.lark"
    if checkout.is_file():
        return checkout
    raise FileNotFoundError("rubric.lark: the grammar is neither packaged nor in the checkout")


@functools.lru_cache(maxsize=1)
def _lark() -> Lark:
    # Loaded once and shared: parse tables and the compiled scanner, none of
    # which a parse changes.  What a parse does change (the model builder,
    # its diagnostics, the comments) is given to each parse by _Parse, so two
    # threads parsing at once cannot see each other's.  Loaded from the
    # tables in the package: nothing is read from a cache another user could
    # write.  One lexer for all states: keywords are KEY words (see the
    # grammar), and one scanner compiles much faster than one per state.
    from lark import Lark

    from .grammar_tables_lark import lark_serialized

    return Lark._load_from_dict(*lark_serialized())


class _Parse:
    """All the state of one parse: the builder of the model (with the
    diagnostics it collects), the syntax errors, the comments the lexer met,
    and a parser wired to them.

    The model is built while parsing (LALR calls the builder for each reduced
    rule), so no parse tree is kept; every span comes from tokens.  Lark ties
    the builder and the comment callback to a parser when it is constructed,
    so each parse gets a shallow copy of the shared one with its own
    callbacks; the tables and the compiled scanner stay shared and are only
    read.  That costs about 0.5 ms (the rule callbacks), where a Lark per
    parse would cost loading the grammar each time.  The attributes replaced
    are Lark's own (lark 1.x, as pyproject pins); every parse goes through
    them, so a change in Lark fails every test at once."""

    def __init__(self, path: str, source: str = ""):
        from lark.parsers.lalr_parser import _Parser as _LalrTables

        shared = _lark()
        self.builder = _ToModel(path)
        self.syntax_errors = _SyntaxErrorCollector(path, source)
        self.lexer = _CommentKeepingLexer()
        tables = copy.copy(shared.parser.parser)
        callbacks = shared._parse_tree_builder.create_callback(_CalledInline(self.builder))
        tables.parser = _LalrTables(tables._parse_table, callbacks)
        self.frontend = copy.copy(shared.parser)
        self.frontend.lexer = self.lexer.lexer
        self.frontend.parser = tables


class _CalledInline:
    """The model builder as Lark's parse tree builder calls it: each rule's
    handler with the list of its children, spread as arguments (what lalr.py
    does, and Lark's v_args(inline=True) would).  A rule without a handler
    (an inlined `_rule`) becomes Lark's Tree, whose children are spliced."""

    def __init__(self, builder: "_ToModel"):
        self._builder = builder

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        method = getattr(self._builder, name)
        return lambda children: method(*children)


class _CommentKeepingLexer:
    """The shared lexer, with a callback that keeps this lexer's comments
    (comments are ignored by the grammar, so the parser never sees them)."""

    def __init__(self):
        self.comments: list[Token] = []
        self.lexer = copy.copy(_scanning_lexer())
        self.lexer.callback = {**self.lexer.callback, "COMMENT": self._keep}

    def _keep(self, token: Token) -> Token:
        self.comments.append(token)
        return token

    def found(self) -> tuple["Comment", ...]:
        return tuple(Comment(t.value, _token_span(t)) for t in self.comments)


@functools.lru_cache(maxsize=1)
def _scanning_lexer():
    """The shared lexer with its scanner compiled, so that copies share the
    scanner instead of compiling their own."""
    lexer = _lark().parser.lexer
    lexer.scanner  # noqa: B018 (compiles the scanner and sets lexer.callback)
    assert "COMMENT" not in lexer.callback, "the grammar's COMMENT needs its own callback"
    return lexer


# ---------------------------------------------------------------------------
# Lark's errors in words
# ---------------------------------------------------------------------------

_TERMINAL_WORDS = {
    "RUBRIC_ID": "a rubric id",
    "KEY": "a key",
    "NUMBER": "a number",
    "STRING": "a quoted text",
    "LONG_STRING": "a quoted text",
    "COMPARE": "a comparison (<, <=, >, >=)",
    "$END": "the end of the file",
}

# A fake token that repairs a missing one; its value never reaches a model
# because a rubric with syntax errors is not built.
_REPAIR_VALUES = {"RUBRIC_ID": "missing", "KEY": "missing", "NUMBER": "0", "STRING": '""', "COMPARE": "<"}


@functools.lru_cache(maxsize=1)
def _keyword_literals() -> dict[str, str]:
    """Keyword terminal name -> the word, e.g. REQ -> req."""
    return {
        t.name: t.pattern.value
        for t in _lark().terminals
        if t.pattern.type == "str" and t.pattern.value.isalpha()
    }


@functools.lru_cache(maxsize=1)
def _states_reading_a_keyword_as_key() -> frozenset:
    """The parser states reached by shifting a keyword that is a key there:
    those that reduce by `key: KEYWORD`."""
    from lark.parsers.lalr_analysis import Reduce

    keywords = _keyword_literals()
    return frozenset(
        state
        for state, actions in _lark().parser.parser._parse_table.states.items()
        for action, rule in actions.values()
        if action is Reduce and rule.origin.name == "key" and rule.expansion[0].name in keywords
    )


def _fits(state_stack: list, terminals) -> bool:
    """Whether the parser, with `state_stack`, would take `terminals` one
    after another.  Replays the parse table on a copy of the stack of states
    only: no values, no rule run.  Lark's InteractiveParser.accepts() and a
    trial on a copied parser copy the lexer too, and a trial runs the model
    builder, which on reducing a section rebuilt every item so far: each
    syntax error cost as much as the file before it."""
    from lark.parsers.lalr_analysis import Reduce

    table = _lark().parser.parser._parse_table
    states, end_state = table.states, table.end_states["start"]
    stack = list(state_stack)
    for terminal in terminals:
        while True:
            action = states[stack[-1]].get(terminal)
            if action is None:
                return False
            kind, target = action
            if kind is not Reduce:
                stack.append(target)
                break
            if target.expansion:
                del stack[-len(target.expansion) :]
            stack.append(states[stack[-1]][target.origin.name][1])
            if terminal == "$END" and stack[-1] == end_state:
                break
    return True


def _acceptable(parser) -> set[str]:
    """The terminals an interactive parser would take next."""
    state_stack = parser.parser_state.state_stack
    return {name for name in parser.choices() if name.isupper() and _fits(state_stack, (name,))}


def _terminal_word(name: str) -> str:
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    literal = _keyword_literals().get(name)
    return f"'{literal}'" if literal else name.lower()


def _expected_words(names) -> str:
    if "KEY" in names:
        # Where a key fits, every keyword does too (as a key); say "a key".
        names = set(names) - set(_keyword_literals())
    words = sorted({_terminal_word(n) for n in names}, key=lambda w: (not w.startswith("'"), w))
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _describe_token(token: Token) -> str:
    if token.type == "$END":
        return "end of file"
    if token.type in _keyword_literals() or token.value in _keyword_literals().values():
        return f"keyword '{token.value}'"
    if token.type in ("STRING", "LONG_STRING"):
        value = token.value if len(token.value) <= 24 else token.value[:20] + '…"'
        return f"text {value}"
    if token.type == "NUMBER":
        return f"number {token.value}"
    return f"'{token.value}'"


def _token_span(token: Token) -> Span:
    if token.end_line is not None:
        return Span(token.line, token.column, token.end_line, token.end_column)
    line, column = token.line or 1, token.column or 1
    return Span(line, column, line, column + max(1, len(token.value or "")))


class _SyntaxErrorCollector:
    """The `on_error` handler: records one diagnostic per line and repairs a
    single missing token where that lets the parse go on."""

    def __init__(self, path: str, source: str):
        self.path = path
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self.last_line = 0
        self.overflow = 0

    def add(self, code: str, message: str, span: Span) -> None:
        if span.line == self.last_line:
            return
        self.last_line = span.line
        if len(self.diagnostics) >= MAX_SYNTAX_ERRORS:
            self.overflow += 1
            return
        self.diagnostics.append(Diagnostic(code, message, span, self.path))

    def __call__(self, error: UnexpectedInput) -> bool:
        from lark.exceptions import UnexpectedCharacters, UnexpectedToken

        if isinstance(error, UnexpectedToken):
            return self._on_token(error)
        if isinstance(error, UnexpectedCharacters):
            self._on_characters(error)
            return True
        return False

    def _on_token(self, error: UnexpectedToken) -> bool:
        token = error.token
        # The parser state knows exactly what fits here; Lark's own `expected`
        # can be every terminal of the lexer state.
        expected = _acceptable(error.interactive_parser)
        message = f"unexpected {_describe_token(token)}; expected {_expected_words(expected)}"
        suggestion = None
        if token.type in ("KEY", "RUBRIC_ID"):
            keywords = {_keyword_literals()[n]: n for n in expected if n in _keyword_literals()}
            match = closest(token.value, keywords)
            if match:
                suggestion = keywords[match]
                message += f"; did you mean '{match}'?"
        self.add("E101", message, _token_span(token))
        if token.type == "$END":
            return False
        if suggestion is not None:
            return self._substitute(error, suggestion)
        return self._insert_missing(error, expected)

    def _substitute(self, error: UnexpectedToken, keyword: str) -> bool:
        """Read a misspelt keyword as the keyword it resembles."""
        from lark import Token

        error.interactive_parser.feed_token(
            Token.new_borrow_pos(keyword, _keyword_literals()[keyword], error.token)
        )
        return True

    def _insert_missing(self, error: UnexpectedToken, expected: set[str]) -> bool:
        """If exactly one token inserted before the offending one makes it fit,
        insert it; otherwise drop the offending token.  Either way the parse
        goes on and later errors are found too."""
        from lark import Token

        parser = error.interactive_parser
        fits = []
        if "KEY" in expected:  # keywords fit only as keys there
            expected = expected - set(_keyword_literals())
        state_stack = parser.parser_state.state_stack
        for name in sorted(expected - {"$END"}):
            value = _REPAIR_VALUES.get(name) or _keyword_literals().get(name)
            if value is not None and _fits(state_stack, (name, error.token.type)):
                fits.append((name, value))
        if len(fits) == 1:
            name, value = fits[0]
            parser.feed_token(Token.new_borrow_pos(name, value, error.token))
            parser.feed_token(error.token)
        return True

    def _read_rest_of_line_as_text(self, error: UnexpectedCharacters) -> None:
        """Take an unclosed text to the end of its line, so the next line
        parses normally."""
        from lark import Token

        state = error.interactive_parser.lexer_thread.state
        start = state.line_ctr.char_pos
        end = self.source.find("\n", start)
        end = len(self.source) if end == -1 else end
        fake = Token("STRING", '""', start, error.line, error.column, error.line, error.column + end - start)
        if "STRING" in _acceptable(error.interactive_parser):
            error.interactive_parser.feed_token(fake)
        state.line_ctr.feed(self.source[start:end])

    def _on_characters(self, error: UnexpectedCharacters) -> None:
        span = Span(error.line, error.column, error.line, error.column + 1)
        if error.char == '"':
            self.add(
                "E102",
                'text is not closed: a quoted text ends with " on the same line; '
                'use """...""" for text over several lines',
                span,
            )
            self._read_rest_of_line_as_text(error)
            return
        expected = _acceptable(error.interactive_parser)
        shown = repr(error.char) if error.char.isprintable() else f"U+{ord(error.char):04X}"
        message = f"unexpected character {shown}"
        if expected:
            message += f"; expected {_expected_words(expected)}"
        if "NUMBER" in expected and unicodedata.decimal(error.char, None) is not None:
            self._read_digits_as_number(error, message, span)
            return
        self.add("E101", message, span)

    def _read_digits_as_number(self, error: UnexpectedCharacters, message: str, span: Span) -> None:
        """A number in digits other than 0-9 (full-width ５, Arabic-Indic ٥):
        say it in ASCII digits and read it as that number, so the line goes
        on parsing."""
        from lark import Token

        state = error.interactive_parser.lexer_thread.state
        start = end = state.line_ctr.char_pos
        digits = []
        while end < len(self.source):
            ch = self.source[end]
            if unicodedata.decimal(ch, None) is not None:
                digits.append(str(unicodedata.decimal(ch)))
            elif ch in ".．" and digits and unicodedata.decimal(self.source[end + 1 : end + 2] or "x", None) is not None:
                digits.append(".")
            else:
                break
            end += 1
        number = "".join(digits)
        width = end - start
        self.add(
            "E101",
            f"{message}; did you mean {number}? (a number is written in the digits 0-9)",
            Span(span.line, span.column, span.line, span.column + width),
        )
        error.interactive_parser.feed_token(
            Token("NUMBER", number, start, error.line, error.column, error.line, error.column + width)
        )
        state.line_ctr.feed(self.source[start:end])


# ---------------------------------------------------------------------------
# Text literals
# ---------------------------------------------------------------------------

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


class _TextError(Exception):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


def _unescape(body: str) -> str:
    # By slices between the escapes, not character by character: a list of
    # one-character strings cost 32 bytes for each byte of a long text.
    if "\\" not in body:
        return body
    out: list[str] = []
    start = 0
    while (i := body.find("\\", start)) != -1:
        out.append(body[start:i])
        nxt = body[i + 1 : i + 2]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            start = i + 2
        elif nxt in ("u", "U"):
            width = 4 if nxt == "u" else 8
            digits = body[i + 2 : i + 2 + width]
            if len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise _TextError(f"\\{nxt} takes {width} hexadecimal digits", i)
            code_point = int(digits, 16)
            if code_point > 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
                raise _TextError(f"\\{nxt}{digits} is not a Unicode character", i)
            out.append(chr(code_point))
            start = i + 2 + width
        else:
            raise _TextError(
                f"unknown escape '\\{nxt}'; the escapes are \\\" \\\\ \\n \\t \\uXXXX \\UXXXXXXXX", i
            )
    out.append(body[start:])
    return "".join(out)


def decode_text(token: Token) -> str:
    """The value of a STRING or LONG_STRING token.  A long text is cleaned
    like a docstring: the line break after the opening quotes, the common
    indentation of its lines (the first counts only when it is on a line of
    its own) and a last line of only spaces are dropped, so the text can be
    indented with the block it belongs to."""
    raw = token.value
    if token.type != "LONG_STRING":
        return _unescape(raw[1:-1])
    # Cut at line breaks found, never split into a list of lines: a big
    # text's lines, one object each, cost several times the text.
    body = raw[3:-3]
    last_break = body.rfind("\n")
    if last_break == -1:
        return _unescape(body)
    if not body[last_break + 1 :].strip():
        body = body[:last_break]
    import textwrap  # long texts are rare; keep start-up lean

    first_break = body.find("\n")
    if first_break == -1:
        return _unescape(body)
    if first_break == 0:
        return _unescape(textwrap.dedent(body[1:]))
    return _unescape(body[: first_break + 1] + textwrap.dedent(body[first_break + 1 :]))


# ---------------------------------------------------------------------------
# Rules -> model
# ---------------------------------------------------------------------------


class _Stmt:
    """One statement of a block before the block is assembled."""

    __slots__ = ("kind", "value", "span")

    def __init__(self, kind: str, value: object, span: Span):
        self.kind, self.value, self.span = kind, value, span


def _span_of(first: Token, last: Token | Span) -> Span:
    """From the start of a statement's keyword to the end of its last part."""
    end = last if isinstance(last, Span) else _token_span(last)
    return Span(first.line, first.column, end.end_line, end.end_column)


_COMPARISONS = {"<": (False, True), "<=": (True, True), ">": (False, False), ">=": (True, False)}


class _ToModel:
    """Builds model nodes as the parser reduces each rule, collecting
    diagnostics on the way; each handler takes the rule's children as
    arguments.  Every grammar rule has a handler here (a test checks it), so
    a grammar change cannot be silently ignored.  Tokens are lalr.Token or
    Lark's Token: the handlers read only their type, value and place."""

    def __init__(self, path: str):
        self.path = path
        self.diagnostics: list[Diagnostic] = []

    def report(self, code: str, message: str, span: Span) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, self.path))

    # ---- leaves ---------------------------------------------------------

    def key(self, token: Token) -> Token:
        return token if token.type == "KEY" else token.update(type="KEY")

    def rubric_id(self, token: Token) -> Token:
        return token

    def number(self, token: Token) -> tuple[Decimal, Span]:
        span = _token_span(token)
        whole, _, fraction = token.value.partition(".")
        whole = whole.lstrip("0")
        if len(whole) > MAX_WHOLE_DIGITS or len(fraction) > MAX_FRACTION_DIGITS:
            digits = len(whole) + len(fraction)
            shown = token.value if len(token.value) <= 24 else f"{token.value[:20]}… ({digits} digits)"
            self.report(
                "E105",
                f"number {shown} is too long: a number has at most {MAX_WHOLE_DIGITS} digits before the "
                f"point and {MAX_FRACTION_DIGITS} after it",
                span,
            )
            return Decimal(0), span
        return Decimal(token.value), span

    def text(self, token: Token) -> tuple[str, Span]:
        span = _token_span(token)
        try:
            return decode_text(token), span
        except _TextError as error:
            before = token.value[: error.offset + (3 if token.type == "LONG_STRING" else 1)]
            line = span.line + before.count("\n")
            column = (len(before) - before.rfind("\n")) if "\n" in before else span.column + len(before)
            self.report("E103", str(error), Span(line, column, line, column + 2))
            return "", span

    # ---- header ---------------------------------------------------------

    def _field(self, kind, keyword: Token, value):
        value, span = value
        return _Stmt(kind, value, Span(keyword.line, keyword.column, span.end_line, span.end_column))

    def title(self, kw, value):
        return self._field("title", kw, value)

    def version(self, kw, value):
        return self._field("version", kw, value)

    def status(self, kw, value):
        return self._field("status", kw, value)

    def language(self, kw, value):
        return self._field("language", kw, value)

    def caption(self, kw, value):
        return self._field("caption", kw, value)

    def clause(self, kw, value):
        return self._field("clause", kw, value)

    def note(self, kw, value):
        text, span = value
        return _Stmt("note", m.Note(text, _span_of(kw, span)), _span_of(kw, span))

    def standard(self, kw, *values):
        return _Stmt("standard", tuple(v for v, _ in values), _span_of(kw, values[-1][1]))

    def full_marks(self, kw, _marks, value):
        return _Stmt("full_marks", value, _span_of(kw, value[1]))

    def pass_mark(self, kw, _at, value):
        return _Stmt("pass_mark", value, _span_of(kw, value[1]))

    def panel(self, kw, low, _to, high, *clauses):
        end = clauses[-1][2] if clauses else high[1]
        span = _span_of(kw, end)
        given = {kind: (value, value_span) for kind, value, value_span in clauses}
        method, method_span = given.get("combine", (m.DEFAULT_PANEL_METHOD, span))
        disagreement = given.get("disagreement", (m.DEFAULT_DISAGREEMENT, span))[0]
        return _Stmt("panel", m.Panel(int(low[0]), int(high[0]), method, disagreement, span, method_span), span)

    def panel_combine(self, _kw, method: Token):
        return "combine", method.value, _token_span(method)

    def panel_disagreement(self, _kw, value):
        return "disagreement", value[0], value[1]

    def grade(self, kw, key, label, _at, threshold):
        span = _span_of(kw, threshold[1])
        return _Stmt("grade", m.Grade(key.value, label[0], threshold[0], span), span)

    def policy(self, kw, name: Token, value: Token, clause: _Stmt | None = None):
        span = _span_of(kw, clause.span if clause is not None else value)
        policy = m.Policy(
            name.value,
            value.value,
            clause.value if clause is not None else None,
            span,
            name_span=_token_span(name),
            value_span=_token_span(value),
        )
        return _Stmt("policy", policy, span)

    def _policies(self, stmts) -> tuple[m.Policy, ...]:
        """The policies in the order written; a second one of a name is E203
        (the first counts).  Names and values are judged by checks.py."""
        first: dict[str, m.Policy] = {}
        for stmt in stmts:
            if stmt.kind != "policy":
                continue
            policy = stmt.value
            if policy.name in first:
                self.report(
                    "E203",
                    f"'policy {policy.name}' is given twice; the first is on line {first[policy.name].span.line}",
                    policy.span,
                )
                continue
            first[policy.name] = policy
        return tuple(first.values())

    def advisory(self, kw):
        return _Stmt("advisory", True, _token_span(kw))

    def erratum(self, kw, field: Token, _was, printed, reason):
        value, value_span = printed
        span = _span_of(kw, reason[1])
        erratum = m.Erratum(field.value, value, reason[0], span)
        return _Stmt("erratum", (erratum, _token_span(field), value_span), span)

    def header(self, kw, rubric_id, *stmts):
        return _token_span(kw), _span_of(kw, rubric_id), rubric_id.value, stmts

    # ---- conditions -----------------------------------------------------

    def condition(self, kw, key, text, *stmts):
        span = _span_of(kw, text[1])
        fields = self._single_fields(stmts, ("clause", "advisory"))
        return m.Condition(
            key=key.value,
            text=text[0],
            clause=fields.get("clause"),
            advisory=bool(fields.get("advisory")),
            notes=_notes(stmts),
            span=span,
        )

    # ---- rules ----------------------------------------------------------

    def condition_range(self, _when, bound):
        return bound

    def one_sided(self, key: Token, compare: Token, value):
        number, number_span = value
        low_inclusive, upper = _COMPARISONS[compare.value]
        span = Span(key.line, key.column, number_span.end_line, number_span.end_column)
        if upper:  # completion < 30
            return m.Interval(key.value, None, False, number, compare.value == "<=", span)
        return m.Interval(key.value, number, low_inclusive, None, False, span)

    def two_sided(self, low, low_compare: Token, key: Token, high_compare: Token, high):
        span = Span(low[1].line, low[1].column, high[1].end_line, high[1].end_column)
        if low_compare.value.startswith(">") or high_compare.value.startswith(">"):
            self.report(
                "E407",
                f"write a range from low to high with < or <=, as in '50 <= {key.value} < 100'",
                span,
            )
        return m.Interval(
            key.value, low[0], low_compare.value == "<=", high[0], high_compare.value == "<=", span
        )

    def deduct_fixed(self, kw, amount, text, threshold=None):
        last = threshold.span if threshold is not None else text[1]
        span = _span_of(kw, last)
        return _Stmt("rule", m.FixedDeduction(amount[0], text[0], threshold, span), span)

    def deduct_each(self, kw, _each, amount, text):
        span = _span_of(kw, text[1])
        return _Stmt("each", m.EachMissingDeduction(amount[0], text[0], span), span)

    def deduct_choice(self, kw, text):
        span = _span_of(kw, text[1])
        return _Stmt("rule_text", text[0], span)

    def level(self, kw, key, amount, label):
        span = _span_of(kw, label[1])
        return _Stmt("level", m.Level(key.value, amount[0], label[0], span), span)

    def band(self, kw, key, amount, interval):
        span = _span_of(kw, interval.span)
        return _Stmt("band", m.Band(key.value, amount[0], interval, span), span)

    def part(self, kw, key, label):
        span = _span_of(kw, label[1])
        return _Stmt("part", m.Part(key.value, label[0], span), span)

    def percent_scale(self, _kw):
        return Decimal(0), Decimal(100), "%"

    def number_scale(self, _from, low, _to, high, unit=None):
        return low[0], high[0], unit or ""

    def unit(self, _kw, text):
        return text[0]

    def measure(self, kw, key, label, scale):
        low, high, unit = scale
        span = _span_of(kw, label[1])
        if low >= high:
            self.report("E407", f"measure '{key.value}' runs from {low} to {high}: the range is empty", span)
        return _Stmt("measure", m.Measure(key.value, label[0], low, high, unit, span), span)

    # ---- awards ---------------------------------------------------------

    def tier(self, kw, key, points, text, interval):
        span = _span_of(kw, interval.span)
        return _Stmt("tier", m.Tier(key.value, points[0], text[0], interval, span), span)

    def choice(self, kw, key, points, text):
        span = _span_of(kw, text[1])
        return _Stmt("choice", m.Choice(key.value, points[0], text[0], span), span)

    def otherwise(self, kw, points, label=None):
        last = label[1] if label else points[1]
        span = _span_of(kw, last)
        return _Stmt("otherwise", m.Otherwise(points[0], label[0] if label else None, span), span)

    # ---- blocks ---------------------------------------------------------

    def _single_fields(self, stmts, kinds) -> dict:
        """The value of each single-valued statement; a second one is E203."""
        seen: dict[str, _Stmt] = {}
        for stmt in stmts:
            if stmt.kind not in kinds:
                continue
            if stmt.kind in seen:
                first = seen[stmt.kind].span
                self.report(
                    "E203",
                    f"'{stmt.kind.replace('_', ' ')}' is given twice; the first is on line {first.line}",
                    stmt.span,
                )
                continue
            seen[stmt.kind] = stmt
        return {kind: stmt.value for kind, stmt in seen.items()}

    def _errata(self, stmts, allowed: dict[str, type]) -> tuple[m.Erratum, ...]:
        """Errata of a block; the field must exist here and its printed value
        must be of the field's kind."""
        errata = []
        for stmt in stmts:
            if stmt.kind != "erratum":
                continue
            erratum, field_span, value_span = stmt.value
            if erratum.field not in allowed:
                names = ", ".join(f"'{name}'" for name in allowed)
                self.report(
                    "E205",
                    f"an erratum here can correct {names}, not '{erratum.field}'"
                    + did_you_mean(erratum.field, allowed),
                    field_span,
                )
                continue
            kind = allowed[erratum.field]
            if not isinstance(erratum.printed, kind):
                wanted = "a number" if kind is Decimal else "a quoted text"
                self.report("E207", f"the printed value of '{erratum.field}' must be {wanted}", value_span)
                continue
            errata.append(erratum)
        return tuple(errata)

    def _require(self, fields: dict, kind: str, block_span: Span, what: str, example: str):
        if kind not in fields:
            self.report("E204", f"{what} needs '{example}'", block_span)
        return fields.get(kind)

    def rubric(self, header, *blocks):
        keyword_span, head_span, rubric_id, stmts = header
        fields = self._single_fields(
            stmts, ("title", "version", "status", "language", "full_marks", "pass_mark", "panel")
        )
        standards = tuple(code for stmt in stmts if stmt.kind == "standard" for code in stmt.value)
        title = self._require(fields, "title", head_span, "a rubric", 'title "..."')
        version = self._require(fields, "version", head_span, "a rubric", 'version "..."')
        full_marks = self._require(fields, "full_marks", head_span, "a rubric", "full marks N")
        pass_mark = self._require(fields, "pass_mark", head_span, "a rubric", "pass at N")
        panel = fields.get("panel")
        return m.Rubric(
            id=rubric_id,
            title=title or "",
            standards=standards,
            version=version or "",
            status=fields.get("status"),
            full_marks=full_marks[0] if full_marks else Decimal(0),
            pass_mark=pass_mark[0] if pass_mark else Decimal(0),
            panel=panel,
            grades=tuple(stmt.value for stmt in stmts if stmt.kind == "grade"),
            conditions=tuple(b for b in blocks if isinstance(b, m.Condition)),
            sections=tuple(
                _renumber(b, number)
                for number, b in enumerate((b for b in blocks if isinstance(b, m.Section)), 1)
            ),
            language=fields.get("language", "zh"),
            policies=self._policies(stmts),
            notes=_notes(stmts),
            errata=self._errata(stmts, {"full": Decimal, "pass": Decimal, "title": str}),
            span=head_span,
            full_marks_span=full_marks[1] if full_marks else head_span,
            pass_mark_span=pass_mark[1] if pass_mark else head_span,
        )

    def start(self, rubric):
        return rubric

    def section(self, kw, key, title, _points, points, *rest):
        stmts = [s for s in rest if isinstance(s, _Stmt)]
        items = tuple(
            _renumber(item, number) for number, item in enumerate((r for r in rest if isinstance(r, m.Item)), 1)
        )
        fields = self._single_fields(stmts, ("caption",))
        return m.Section(
            key=key.value,
            number=0,
            title=title[0],
            points=points[0],
            caption=fields.get("caption"),
            items=items,
            notes=_notes(stmts),
            errata=self._errata(stmts, {"points": Decimal, "title": str, "numeral": str, "caption": str}),
            span=_span_of(kw, points[1]),
            points_span=points[1],
        )

    def requirements(self, *requirements):
        return ("requirements", requirements)

    def groups(self, *groups):
        return ("groups", groups)

    def awards(self, *stmts):
        return ("awards", stmts)

    def item(self, kw, key, title, _points, points, *rest):
        body_kind, body = rest[-1]
        stmts = rest[:-1]
        span = _span_of(kw, points[1])
        each = self._each(stmts)
        measures = tuple(s.value for s in stmts if s.kind == "measure")
        requirements: tuple = ()
        groups: tuple = ()
        tiers: tuple = ()
        choices: tuple = ()
        otherwise = None
        if body_kind == "requirements":
            requirements = tuple(self._resolve(r, each) for r in body)
        elif body_kind == "groups":
            groups = body
            if each is not None:
                self.report(
                    "E406",
                    "an item with groups deducts per group: put 'deduct each' in each group",
                    each.span,
                )
        else:
            tiers = tuple(s.value for s in body if s.kind == "tier")
            choices = tuple(s.value for s in body if s.kind == "choice")
            otherwise_stmts = [s for s in body if s.kind == "otherwise"]
            if tiers and choices:
                self.report(
                    "E408",
                    "an award item gives points either by tiers of a measure or by a choice, not both",
                    choices[0].span,
                )
            for extra in otherwise_stmts[1:]:
                self.report(
                    "E203",
                    f"'otherwise' is given twice; the first is on line {otherwise_stmts[0].span.line}",
                    extra.span,
                )
            otherwise = otherwise_stmts[0].value if otherwise_stmts else None
            if each is not None:
                self.report("E406", "an award item has no deductions; remove 'deduct each'", each.span)
        return m.Item(
            key=key.value,
            number=0,
            title=title[0],
            points=points[0],
            measures=measures,
            each=each,
            requirements=requirements,
            groups=groups,
            tiers=tiers,
            choices=choices,
            otherwise=otherwise,
            notes=_notes(stmts),
            errata=self._errata(stmts, {"points": Decimal, "title": str}),
            span=span,
            points_span=points[1],
        )

    def group(self, kw, key, *rest):
        if isinstance(rest[0], tuple):  # the optional heading
            heading, rest = rest[0][0], rest[1:]
        else:
            heading = None
        _points_kw, points, *rest = rest
        stmts = [s for s in rest if isinstance(s, _Stmt)]
        each = self._each(stmts)
        return m.Group(
            key=key.value,
            heading=heading,
            points=points[0],
            each=each,
            requirements=tuple(self._resolve(r, each) for r in rest if isinstance(r, _RawRequirement)),
            notes=_notes(stmts),
            errata=self._errata(stmts, {"points": Decimal, "heading": str}),
            span=_span_of(kw, points[1]),
            points_span=points[1],
        )

    def _each(self, stmts) -> m.EachMissingDeduction | None:
        eaches = [s for s in stmts if s.kind == "each"]
        for extra in eaches[1:]:
            self.report(
                "E203", f"'deduct each' is given twice; the first is on line {eaches[0].span.line}", extra.span
            )
        return eaches[0].value if eaches else None

    def requirement(self, kw, key, text, *stmts):
        return _RawRequirement(key.value, text[0], stmts, _span_of(kw, text[1]))

    def _resolve(self, raw: "_RawRequirement", inherited: m.EachMissingDeduction | None) -> m.Requirement:
        """Settle which rule scores a requirement: its own, or the per-missing
        rule of its item or group."""
        stmts = raw.stmts
        # One pass over the statements (a requirement has one or two).
        of_kind: dict[str, list[_Stmt]] = {}
        for stmt in stmts:
            of_kind.setdefault(stmt.kind, []).append(stmt)
        fixed = of_kind.get("rule", ())
        each = of_kind.get("each", ())
        texts = of_kind.get("rule_text", ())
        levels = tuple(s.value for s in of_kind.get("level", ()))
        bands = tuple(s.value for s in of_kind.get("band", ()))
        parts = tuple(s.value for s in of_kind.get("part", ()))

        own: list[tuple[str, object, Span]] = []
        own += [("fixed", s.value, s.span) for s in fixed]
        own += [("each", s.value, s.span) for s in each]
        if levels or bands or texts:
            text = texts[0].value if texts else None
            span = texts[0].span if texts else (levels or bands)[0].span
            for extra in texts[1:]:
                self.report("E203", "the printed deduction text is given twice", extra.span)
            if levels and bands:
                self.report(
                    "E406", "a requirement deducts either by levels or by bands of a measure, not both", bands[0].span
                )
            if text is None:
                self.report(
                    "E204",
                    f"levels and bands need the printed deduction text first: deduct \"...\" "
                    f"(requirement '{raw.key}')",
                    span,
                )
                text = ""
            if not levels and not bands:
                self.report(
                    "E204",
                    "a printed deduction text without an amount needs 'level' or 'band' lines after it, "
                    "or write 'deduct N \"...\"'",
                    span,
                )
            elif levels:
                own.append(("levels", m.LevelDeduction(text, levels, span), span))
            else:
                own.append(("bands", m.BandDeduction(text, bands, span), span))

        rule: m.Rule | None = None
        rule_inherited = False
        if len(own) > 1:
            self.report(
                "E406",
                f"requirement '{raw.key}' has more than one deduction rule; keep one",
                own[1][2],
            )
        if own:
            rule = own[0][1]
            if inherited is not None:
                self.report(
                    "E406",
                    f"requirement '{raw.key}' has its own deduction, but its item or group already "
                    f"deducts {inherited.amount} for each missing entry (line {inherited.span.line})",
                    own[0][2],
                )
        elif inherited is not None:
            rule, rule_inherited = inherited, True
        else:
            self.report(
                "E405",
                f"requirement '{raw.key}' has no deduction rule: add 'deduct N \"...\"' "
                "or 'deduct each N \"...\"' to its item",
                raw.span,
            )
        if parts and rule is not None and not isinstance(rule, m.EachMissingDeduction):
            self.report(
                "E409",
                f"parts of requirement '{raw.key}' are counted by 'deduct each N \"...\"', "
                "on the requirement or its item",
                parts[0].span,
            )
        return m.Requirement(
            key=raw.key,
            text=raw.text,
            rule=rule,
            rule_inherited=rule_inherited,
            parts=parts,
            notes=tuple(s.value for s in of_kind.get("note", ())),
            errata=self._errata(stmts, {"text": str, "deduct": Decimal}) if "erratum" in of_kind else (),
            span=raw.span,
        )


class _RawRequirement:
    """A requirement before its rule is settled against its item or group."""

    __slots__ = ("key", "text", "stmts", "span")

    def __init__(self, key: str, text: str, stmts: tuple, span: Span):
        self.key, self.text, self.stmts, self.span = key, text, stmts, span



def _notes(stmts) -> tuple[m.Note, ...]:
    return tuple(s.value for s in stmts if s.kind == "note")


def _renumber(node, number: int):
    # Numbers follow the order in the file: nothing for an editor to keep in step.
    return replace(node, number=number)


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def parse(source: str, path: str = "<string>") -> ParseResult:
    """Parse rubric text.  Never raises for bad input: problems come back as
    diagnostics, and `rubric` is None when the text has syntax errors."""
    looks_like_json = _looks_like_json(source, path)
    if looks_like_json is not None:
        return ParseResult(path, source, None, (looks_like_json,), ())
    builder = _ToModel(path)
    comments: list[lalr.Token] = []
    try:
        rubric = lalr.parse(source, builder, comments.append)
    except lalr.Rejected:
        return _parse_with_recovery(source, path)
    return _built(path, source, rubric, builder, tuple(Comment(t.value, _token_span(t)) for t in comments))


def _parse_with_recovery(source: str, path: str) -> ParseResult:
    """Parse with Lark, which says what each syntax error expected and
    repairs it to go on."""
    from lark.exceptions import UnexpectedInput

    state = _Parse(path, source)
    collector = state.syntax_errors
    rubric = None
    try:
        rubric = state.frontend.parse(source, on_error=collector)
    except UnexpectedInput as error:
        # Recovery gave up (typically at the end of the file); it was reported.
        if not collector.diagnostics:
            collector(error)
    except Exception:
        # Tokens made up to repair a syntax error may not build a model; the
        # syntax error is what the user sees.  Without one, this is our bug.
        if not collector.diagnostics:
            raise
    diagnostics = tuple(collector.diagnostics)
    omitted = ()
    if collector.overflow:
        omitted = (Omitted("E101", collector.overflow, "syntax errors", diagnostics[-1].span, path),)
    found = state.lexer.found()
    if diagnostics or not isinstance(rubric, m.Rubric):
        return ParseResult(path, source, None, diagnostics, found, omitted)
    return _built(path, source, rubric, state.builder, found)


def _built(path: str, source: str, rubric: m.Rubric, builder: _ToModel, found: tuple) -> ParseResult:
    """The result of a parse without syntax errors."""
    built = tuple(builder.diagnostics)
    if any(d.code == "E105" for d in built):
        # A number too long to hold was read as 0; checks on it would only mislead.
        return ParseResult(path, source, None, built, found)
    return ParseResult(path, source, rubric, built, found)


def _looks_like_json(source: str, path: str) -> Diagnostic | None:
    """E106 when the text opens as JSON does ({ or [ after a byte order mark
    and white space), which no rubric does: a findings file given where the
    rubric goes (`score findings.json rubric`) would otherwise give a syntax
    error for every line of it, and no hint."""
    body = source.lstrip("\ufeff \t\r\n\f")
    if not body or body[0] not in "{[":
        return None
    line, column = line_and_column(source, len(source) - len(body))
    return Diagnostic(
        "E106",
        "this looks like a JSON file (findings?), not a rubric, which starts with 'rubric ID'; "
        "usage: rubricdsl score RUBRIC FINDINGS..., the rubric first",
        Span(line, column, line, column + 1),
        path,
    )


def parse_bytes(data: bytes, path: str) -> ParseResult:
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start].decode("utf-8", errors="replace")
        line, column = line_and_column(before, len(before))
        diagnostic = Diagnostic(
            "E104",
            f"byte 0x{data[error.start]:02X} at offset {error.start} is not UTF-8; save the file as UTF-8",
            Span(line, column, line, column + 1),
            path,
        )
        return ParseResult(path, "", None, (diagnostic,), ())
    return parse(source, path)


# ---------------------------------------------------------------------------
# Tokens, for the formatter
# ---------------------------------------------------------------------------


class Lexeme(NamedTuple):
    """A token as the parser read it: `type` is its terminal (REQ, KEY,
    STRING, LONG_STRING, NUMBER, ...) and `value` its text as written, so
    decode_text() takes a text lexeme as it takes a Token.  A tuple, not a
    dataclass: a big rubric has a hundred thousand of them."""

    type: str
    value: str
    line: int
    column: int
    end_line: int
    end_column: int

    @property
    def span(self) -> Span:
        return Span(self.line, self.column, self.end_line, self.end_column)


@record(frozen=True)
class Lexed:
    tokens: tuple[Lexeme, ...]
    comments: tuple[Comment, ...]


def lex(source: str) -> Lexed | None:
    """Every token and comment of `source` in order, as the parser reads them
    (a key spelt like a keyword is a KEY).  None when the text does not follow
    the grammar or holds a text that cannot be decoded; parse() says why.
    The formatter reprints these tokens, so it loses no statement, not even
    one the model drops (a field given twice)."""
    from lark.exceptions import UnexpectedInput

    state = _Parse("<lex>", source)
    try:
        interactive = state.frontend.parse_interactive(source)
        keywords = _keyword_literals()
        read_as_key = _states_reading_a_keyword_as_key()
        tokens = []
        for token in interactive.lexer_thread.lex(interactive.parser_state):
            interactive.feed_token(token)
            kind = token.type
            # Where the parser expects a key, a keyword is read as one: the
            # state it was shifted into is `key: KEYWORD .`.  (The tokens the
            # state before allows would not tell: LALR's merged lookaheads let
            # a key follow a key anywhere once `policy key key` exists.)
            if kind in keywords and interactive.parser_state.position in read_as_key:
                kind = "KEY"
            tokens.append(Lexeme(kind, token.value, token.line, token.column, token.end_line, token.end_column))
        interactive.feed_eof()
    except UnexpectedInput:
        return None
    if any(d.code.startswith("E1") for d in state.builder.diagnostics):
        return None
    return Lexed(tuple(tokens), state.lexer.found())


def relex(source: str) -> Lexed | None:
    """The tokens and comments of `source` as the lexer alone reads them: a
    few times faster than lex(), but a key spelt like a keyword keeps the
    keyword's type and the grammar is not checked.  For telling whether two
    texts hold the same tokens; None where no token fits."""
    from lark.exceptions import UnexpectedInput
    from lark.lexer import LexerThread

    if _lark().options.lexer != "basic":
        return lex(source)  # a contextual lexer's tokens depend on the parse
    lexer = _CommentKeepingLexer()
    try:
        tokens = tuple(
            Lexeme(t.type, t.value, t.line, t.column, t.end_line, t.end_column)
            for t in LexerThread.from_text(lexer.lexer, source).lex(None)
        )
    except UnexpectedInput:
        return None
    return Lexed(tokens, lexer.found())
