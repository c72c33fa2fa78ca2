"""The canonical layout of .rubric text: what `rubricdsl fmt` writes.

The formatter reprints the tokens the parser read, statement by statement, so
every statement, comment, note and erratum stays where it was and nothing the
model would drop (a field given twice) is lost.  Only layout changes:

- one statement per line, indented two spaces for each level: the header's
  fields under `rubric`, a condition's under `condition`, items under their
  section, groups and requirements under their item, requirements under
  their group, rules, levels, bands and parts under their requirement;
- tokens separated by one space;
- one blank line before each condition, section and item (above the comments
  that lead into it); a blank line next to a comment is kept, at most one;
  no other blank lines;
- a comment on a line of its own is indented like the statement after it; a
  comment at the end of a statement stays there, two spaces after it; a
  comment inside a statement moves to the line above it;
- texts: "..." with escapes for \\, " and invisible characters; a text with a
  line break inside it is written as an indented \"\"\"...\"\"\" block;
- numbers without leading zeros (007 is 7; 5.0 stays 5.0).

A text that does not parse is not formatted (its syntax errors come back
instead).  Every result is checked before it is returned: its tokens, once
decoded, and its comments must be those of the input, else FormatError.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .diagnostics import Diagnostic, Omitted
from .parser import Comment, Lexed, Lexeme, decode_text, lex, parse, parse_bytes, relex
from .records import record

INDENT = "  "

# Terminals that begin a statement; the other keywords continue one.
STATEMENT_KEYWORDS = frozenset(
    {
        "RUBRIC", "TITLE", "STANDARD", "VERSION", "STATUS", "LANGUAGE", "FULL", "PASS", "PANEL",
        "GRADE", "POLICY", "CONDITION", "CLAUSE", "ADVISORY", "SECTION", "CAPTION", "ITEM", "GROUP", "REQ",
        "DEDUCT", "LEVEL", "BAND", "PART", "MEASURE", "TIER", "CHOICE", "OTHERWISE", "NOTE",
        "ERRATUM",
    }
)
INNER_KEYWORDS = frozenset({"MARKS", "AT", "TO", "COMBINE", "DISAGREEMENT", "POINTS", "EACH", "PERCENT", "FROM", "UNIT", "WHEN", "WAS"})
# A statement keyword that continues a statement of another kind: a policy
# cites its clause in the same statement (`policy nothing_met zero clause "8.2"`),
# where a condition's `clause` is a statement of its own.
_CONTINUES = {"CLAUSE": "POLICY"}

# Blocks and the level their opening statement stands at.  `req` stands one
# level deeper inside a group; every other statement is one level below the
# innermost open block.
_TOP_BLOCKS = frozenset({"RUBRIC", "CONDITION", "SECTION"})
_BLANK_LINE_BEFORE = frozenset({"CONDITION", "SECTION", "ITEM"})


class FormatError(Exception):
    """The formatted text would not mean what the input meant: a bug in the
    formatter, never the user's fault.  Nothing is written."""


@record(frozen=True)
class Formatted:
    path: str
    source: str
    # The canonical text; None when the input has syntax errors.
    text: str | None
    # Why `text` is None: the syntax errors (E1xx) of the input, and those
    # counted but not listed.
    diagnostics: tuple[Diagnostic, ...] = ()
    omitted: tuple[Omitted, ...] = ()

    @property
    def changed(self) -> bool:
        return self.text is not None and self.text != self.source


def format_source(source: str, path: str = "<string>") -> Formatted:
    lexed = lex(source)
    if lexed is None:
        return _not_formatted(source, path, parse(source, path))
    text = _layout(lexed)
    if text != source:
        _verify(lexed, text, path)
    return Formatted(path, source, text)


def format_bytes(data: bytes, path: str) -> Formatted:
    """Format file contents; bytes that are not UTF-8 give diagnostic E104."""
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError:
        return _not_formatted("", path, parse_bytes(data, path))
    return format_source(source, path)


def _not_formatted(source: str, path: str, parsed) -> Formatted:
    syntax = tuple(d for d in parsed.diagnostics if d.code.startswith("E1"))
    if not syntax:
        raise FormatError(f"{path}: the parser reads this text but the formatter cannot; the file was left as it was")
    return Formatted(path, source, None, syntax, parsed.omitted)


# ---------------------------------------------------------------------------
# Statements and their comments
# ---------------------------------------------------------------------------


@record
class _Statement:
    tokens: list[Lexeme]
    depth: int = 0
    leading: tuple[Comment, ...] = ()
    inner: tuple[Comment, ...] = ()
    trailing: Comment | None = None

    @property
    def kind(self) -> str:
        return self.tokens[0].type

    @property
    def first_line(self) -> int:
        return self.tokens[0].line

    @property
    def last_line(self) -> int:
        return self.tokens[-1].end_line


def _statements(tokens: tuple[Lexeme, ...]) -> list[_Statement]:
    statements: list[_Statement] = []
    for token in tokens:
        continues = statements and statements[-1].kind == _CONTINUES.get(token.type)
        if (token.type in STATEMENT_KEYWORDS and not continues) or not statements:
            statements.append(_Statement([token]))
        else:
            statements[-1].tokens.append(token)
    block_depth, in_group = 0, False
    for statement in statements:
        kind = statement.kind
        if kind in _TOP_BLOCKS:
            statement.depth, block_depth, in_group = 0, 0, False
        elif kind == "ITEM":
            statement.depth, block_depth, in_group = 1, 1, False
        elif kind == "GROUP":
            statement.depth, block_depth, in_group = 2, 2, True
        elif kind == "REQ":
            statement.depth = block_depth = 3 if in_group else 2
        else:
            statement.depth = block_depth + 1
    return statements


def _position(token: Lexeme) -> tuple[int, int]:
    return token.line, token.column


def _attach_comments(statements: list[_Statement], comments: tuple[Comment, ...]) -> list[Comment]:
    """Give each comment to the statement it leads into, sits inside or ends;
    return the comments after the last statement."""
    leading: dict[int, list[Comment]] = {}
    inner: dict[int, list[Comment]] = {}
    tail: list[Comment] = []
    current = -1
    for comment in comments:
        where = (comment.span.line, comment.span.column)
        while current + 1 < len(statements) and _position(statements[current + 1].tokens[0]) < where:
            current += 1
        if current < 0:
            leading.setdefault(0, []).append(comment)
            continue
        statement = statements[current]
        if where < _position(statement.tokens[-1]):
            inner.setdefault(current, []).append(comment)
        elif comment.span.line == statement.last_line:
            statement.trailing = comment
        elif current + 1 < len(statements):
            leading.setdefault(current + 1, []).append(comment)
        else:
            tail.append(comment)
    for index, statement in enumerate(statements):
        statement.leading = tuple(leading.get(index, ()))
        statement.inner = tuple(inner.get(index, ()))
    return tail


# ---------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------


@record(frozen=True)
class _Element:
    """One thing on the output: a statement or a comment of its own line,
    with the source lines it came from (to keep blank lines by comments)."""

    text: str
    first_line: int
    last_line: int
    is_comment: bool


def _layout(lexed: Lexed) -> str:
    statements = _statements(lexed.tokens)
    tail = _attach_comments(statements, lexed.comments)
    out: list[str] = []
    previous: _Element | None = None

    def emit(run: list[_Element], blank_line_before: bool) -> None:
        """Write a statement's run of elements.  A blank line in the source
        next to a comment is kept; a block that must stand apart gets one
        above its comments, unless one is already kept among them (a comment
        with a blank line below it belongs to what is above)."""
        nonlocal previous
        blanks = []
        for element in run:
            before = previous if not blanks else run[len(blanks) - 1]
            blanks.append(
                before is not None
                and (before.is_comment or element.is_comment)
                and element.first_line - before.last_line > 1
            )
        if blank_line_before and previous is not None and not any(blanks):
            blanks[0] = True
        for blank, element in zip(blanks, run):
            if blank:
                out.append("")
            out.append(element.text)
        previous = run[-1]

    for statement in statements:
        indent = INDENT * statement.depth
        run = [_Element(indent + _comment_text(c), c.span.line, c.span.line, True) for c in statement.leading]
        # A comment from inside the statement now stands just above it.
        run += [
            _Element(indent + _comment_text(c), statement.first_line, statement.first_line, True)
            for c in statement.inner
        ]
        text = indent + _render_tokens(statement.tokens, statement.depth)
        if statement.trailing is not None:
            text += "  " + _comment_text(statement.trailing)
        run.append(_Element(text, statement.first_line, statement.last_line, False))
        emit(run, statement.kind in _BLANK_LINE_BEFORE)
    if tail:
        emit([_Element(_comment_text(c), c.span.line, c.span.line, True) for c in tail], False)
    return "\n".join(out) + "\n"


def _comment_text(comment: Comment) -> str:
    return comment.text.rstrip()


def _render_tokens(tokens: list[Lexeme], depth: int) -> str:
    rendered = []
    for token in tokens:
        if token.type == "STRING" and _is_plain(token.value[1:-1]):
            rendered.append(token.value)
        elif token.type in ("STRING", "LONG_STRING"):
            rendered.append(render_text(decode_text(token), INDENT * (depth + 1)))
        elif token.type == "NUMBER":
            rendered.append(_LEADING_ZEROS.sub("", token.value))
        else:
            rendered.append(token.value)
    return " ".join(rendered)


_LEADING_ZEROS = re.compile(r"^0+(?=[0-9])")


# ---------------------------------------------------------------------------
# Texts
# ---------------------------------------------------------------------------

_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\t": "\\t"}
_SPACE = "\\u0020"


def _escape(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if ch.isprintable():
        return ch
    code = ord(ch)
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def _is_plain(value: str) -> bool:
    """True when a text is written as it is, between quotes, with no escapes."""
    return value.isprintable() and '"' not in value and "\\" not in value


def render_text(value: str, indent: str) -> str:
    """The canonical spelling of a text whose continuation lines (if any)
    are indented by `indent`.  parser.decode_text() gives `value` back."""
    if _is_plain(value):
        return '"' + value + '"'
    body = value.rstrip("\n")
    if "\n" not in body:
        return '"' + "".join('\\"' if ch == '"' else _escape(ch) for ch in value) + '"'
    # Line breaks at the very end would be taken for the closing line's.
    tail = "\\n" * (len(value) - len(body))
    lines = body.split("\n")
    rendered = []
    first_text = next(index for index, line in enumerate(lines) if line)
    for index, line in enumerate(lines):
        pieces = [
            '\\"' if ch == '"' and line[position + 1 : position + 3] == '""' else _escape(ch)
            for position, ch in enumerate(line)
        ]
        # Spaces that dedenting or an editor would strip are written as escapes:
        # at the start of the first line (it sets the common indentation) and
        # at the end of any line.
        if index == first_text and line.startswith(" "):
            pieces[0] = _SPACE
        if line.endswith(" "):
            pieces[-1] = _SPACE
        if index == len(lines) - 1:
            pieces.append(tail)
        rendered.append(indent + "".join(pieces) if pieces else "")
    return '"""\n' + "\n".join(rendered) + "\n" + indent + '"""'


# ---------------------------------------------------------------------------
# The check that layout is all that changed
# ---------------------------------------------------------------------------


_WORDS = STATEMENT_KEYWORDS | INNER_KEYWORDS | {"KEY"}


def _meaning(lexed: Lexed) -> tuple[list, list[str]]:
    """The tokens as the parser takes them (a word's type follows from its
    spelling) and the comments' texts."""
    tokens = []
    for token in lexed.tokens:
        if token.type in _WORDS:
            tokens.append(("word", token.value))
        elif token.type == "STRING" and "\\" not in token.value:
            tokens.append(("text", token.value[1:-1]))
        elif token.type in ("STRING", "LONG_STRING"):
            tokens.append(("text", decode_text(token)))
        elif token.type == "NUMBER":
            tokens.append(("number", str(Decimal(token.value))))
        else:
            tokens.append((token.type, token.value))
    return tokens, [_comment_text(c) for c in lexed.comments]


def _verify(before: Lexed, text: str, path: str) -> None:
    """The same tokens in the same order parse the same way, so comparing
    them (lexing only) is enough to know the model is the same."""
    after = relex(text)
    if after is None:
        raise FormatError(f"{path}: the formatted text does not parse; the file was left as it was")
    old_tokens, old_comments = _meaning(before)
    new_tokens, new_comments = _meaning(after)
    if old_comments != new_comments:
        raise FormatError(f"{path}: formatting would change the comments; the file was left as it was")
    if old_tokens != new_tokens:
        index = next(
            (i for i, (a, b) in enumerate(zip(old_tokens, new_tokens)) if a != b), min(len(old_tokens), len(new_tokens))
        )
        token = before.tokens[min(index, len(before.tokens) - 1)]
        raise FormatError(
            f"{path}:{token.line}:{token.column}: formatting would change the statements here; "
            "the file was left as it was"
        )
