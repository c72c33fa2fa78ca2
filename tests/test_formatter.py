"""`rubricdsl fmt`: one canonical layout that never changes meaning.

Properties over random rubrics written in random layouts (with comments
anywhere and hostile texts): the model is the same after formatting, a
second run changes nothing, and every comment is still there, in order.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from click.testing import CliRunner

from rubricdsl import formatter
from rubricdsl.cli import main
from rubricdsl.frontend import compile_source
from rubricdsl.parser import Lexeme, _keyword_literals, decode_text, lex, parse, parse_bytes

from .conftest import ROOT

EVERY_RUBRIC = sorted(
    [*ROOT.glob("rubrics/*.rubric"), *ROOT.glob("tests/fixtures/**/*.rubric"), *ROOT.glob("tests/golden/**/*.rubric")]
)


def comment_texts(source: str) -> list[str]:
    return [comment.text.rstrip() for comment in parse(source).comments]


def assert_layout_only(source: str) -> str:
    """Format `source` and check everything fmt promises; return the result."""
    before = parse(source)
    assert before.rubric is not None, before.diagnostics
    result = formatter.format_source(source)
    assert result.text is not None
    after = parse(result.text)
    assert after.rubric == before.rubric
    assert sorted(d.code for d in compile_source(result.text).diagnostics) == sorted(
        d.code for d in compile_source(source).diagnostics
    )
    assert comment_texts(result.text) == comment_texts(source)
    assert formatter.format_source(result.text).text == result.text, "formatting twice changes the text"
    for line in result.text.split("\n"):
        assert line == line.rstrip(), f"trailing white space: {line!r}"
    lines = result.text.split("\n")
    lexed = lex(result.text)
    for token in [*lexed.tokens, *lexed.comments]:
        indentation = lines[token.span.line - 1][: token.span.column - 1]
        if not indentation.strip():
            assert indentation == " " * (token.span.column - 1) and len(indentation) % 2 == 0, (
                f"line {token.span.line} is not indented by two spaces a level"
            )
    return result.text


# ---------------------------------------------------------------------------
# The layout, by example
# ---------------------------------------------------------------------------


def test_canonical_layout() -> None:
    messy = (
        "# Demo\n\n\n"
        'rubric demo title "Demo" version "1"\n'
        "full marks 010 # 9.2\n pass at 6\n"
        "# conditions\n"
        'condition ready "Ready" clause "6.1" advisory\n'
        '\tsection s "S" points 10 caption "Table 1"\n'
        '    item i "I" points 10 deduct each 2 "per missing"\n'
        '  req a "A" req b # about b\n "B"\n'
        '  item j "J" points 0 group g "G" points 0 req c "C" deduct 1 "x" part p "P"\n'
        "# the end\n"
    )
    assert assert_layout_only(messy) == (
        "# Demo\n"
        "\n"
        "rubric demo\n"
        '  title "Demo"\n'
        '  version "1"\n'
        "  full marks 10  # 9.2\n"
        "  pass at 6\n"
        "\n"
        "# conditions\n"
        'condition ready "Ready"\n'
        '  clause "6.1"\n'
        "  advisory\n"
        "\n"
        'section s "S" points 10\n'
        '  caption "Table 1"\n'
        "\n"
        '  item i "I" points 10\n'
        '    deduct each 2 "per missing"\n'
        '    req a "A"\n'
        "    # about b\n"
        '    req b "B"\n'
        "\n"
        '  item j "J" points 0\n'
        '    group g "G" points 0\n'
        '      req c "C"\n'
        '        deduct 1 "x"\n'
        '        part p "P"\n'
        "# the end\n"
    )


def test_policies_stand_in_the_header_with_their_clause() -> None:
    messy = (
        'rubric demo title "Demo" policy\n  nothing_met zero\n\tclause "8.2"  # 8.2\n'
        '  policy not_applicable # the default\n full version "1"\n'
        'condition ready "Ready" clause "6.1"\n'
        'section policy "S" points 10\n'
    )
    assert assert_layout_only(messy) == (
        "rubric demo\n"
        '  title "Demo"\n'
        '  policy nothing_met zero clause "8.2"  # 8.2\n'
        "  # the default\n"
        "  policy not_applicable full\n"
        '  version "1"\n'
        "\n"
        'condition ready "Ready"\n'
        '  clause "6.1"\n'
        "\n"
        'section policy "S" points 10\n'
    )


def test_comment_with_a_blank_line_below_stays_with_what_is_above() -> None:
    source = (
        'rubric demo\n  title "D"\n\nsection s "S" points 1\n  caption "C"\n  # about the caption\n\n'
        '  item i "I" points 1\n    req r "R"\n      deduct 1 "x"\n'
    )
    assert assert_layout_only(source) == source


def test_texts_get_one_spelling() -> None:
    source = (
        'rubric demo\n  title "\\u4e2d\\t\\"q\\" \\\\ \x01"\n'
        '  note """\n        two\n          lines "quoted" \n        """\n'
        '  note """one line"""\n'
    )
    assert assert_layout_only(source) == (
        "rubric demo\n"
        '  title "中\\t\\"q\\" \\\\ \\u0001"\n'
        '  note """\n'
        "    two\n"
        '      lines "quoted"\\u0020\n'
        '    """\n'
        '  note "one line"\n'
    )


@settings(max_examples=400, deadline=None)
@given(st.text(), st.integers(0, 6))
def test_rendered_texts_decode_to_their_value(value: str, depth: int) -> None:
    literal = formatter.render_text(value, "  " * depth)
    kind = "LONG_STRING" if literal.startswith('"""') else "STRING"
    assert decode_text(Lexeme(kind, literal, 1, 1, 1, 1)) == value
    if kind == "STRING":
        assert "\n" not in literal


def test_every_keyword_is_placed() -> None:
    keywords = set(_keyword_literals())
    assert formatter.STATEMENT_KEYWORDS | formatter.INNER_KEYWORDS == keywords
    assert not formatter.STATEMENT_KEYWORDS & formatter.INNER_KEYWORDS


# ---------------------------------------------------------------------------
# The files we have
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", EVERY_RUBRIC, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_rubric_file(path: Path) -> None:
    data = path.read_bytes()
    result = formatter.format_bytes(data, str(path))
    if result.text is None:
        syntax_errors = [d for d in parse_bytes(data, str(path)).diagnostics if d.code.startswith("E1")]
        assert syntax_errors and list(result.diagnostics) == syntax_errors
    else:
        assert_layout_only(data.decode("utf-8"))


@pytest.mark.parametrize(
    "path", sorted([*ROOT.glob("rubrics/*.rubric"), *ROOT.glob("tests/fixtures/**/*.rubric")]), ids=lambda p: p.name
)
def test_shipped_rubrics_are_formatted(path: Path) -> None:
    assert not formatter.format_bytes(path.read_bytes(), str(path)).changed, f"run: rubricdsl fmt {path}"


# ---------------------------------------------------------------------------
# Random rubrics in random layouts
# ---------------------------------------------------------------------------

KEYWORD_WORDS = sorted(set(_keyword_literals().values()))
keys = st.one_of(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True), st.sampled_from(KEYWORD_WORDS))
numbers = st.one_of(st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,2})?", fullmatch=True), st.sampled_from(["0", "05", "0.5", "10.50"]))
hostile_values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ['# not a comment', '"""', 'req x "y"', "a\\b", "\\u0041", "\t tab", " lead", "trail ", "\n", "x\n", "\nx",
         "多\n  行\n\n文本 ", "  \n  ", "\u3000全角", "\u2028", "😀"]
    ),
)


def escaped_char(draw, ch: str) -> str:
    table = {'"': '\\"', "\\": "\\\\", "\n": "\\n"}
    if ch in table:
        return table[ch]
    if ch == "\t" and draw(st.booleans()):
        return "\\t"
    if draw(st.integers(0, 5)) == 0:
        code = ord(ch)
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08X}"
    return ch


@st.composite
def texts(draw) -> str:
    """A text literal as an author might write it."""
    if draw(st.integers(0, 3)) == 0:
        # A long text: lines of safe characters, indented at random.
        lines = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["", " ", "    ", "\t", "        "]),
                    st.lists(st.sampled_from(["a", "中", " ", '"x', "\\n", '\\"', "\\u00e9", "#", "\\\\"]), max_size=6),
                ),
                min_size=1,
                max_size=4,
            )
        )
        body = "\n".join(indent + "".join(parts) for indent, parts in lines)
        opening = draw(st.sampled_from(["", "\n"]))
        closing = draw(st.sampled_from(["", "\n", "\n    "]))
        if body.endswith('"') and not closing:
            closing = " "
        return '"""' + opening + body + closing + '"""'
    value = draw(hostile_values)
    return '"' + "".join(escaped_char(draw, ch) for ch in value) + '"'


@st.composite
def bounds(draw) -> list[str]:
    compare = st.sampled_from(["<", "<=", ">", ">="])
    if draw(st.booleans()):
        return ["when", draw(keys), draw(compare), draw(numbers)]
    return ["when", draw(numbers), draw(st.sampled_from(["<", "<="])), draw(keys), draw(st.sampled_from(["<", "<="])), draw(numbers)]


@st.composite
def note_or_erratum(draw) -> list[str]:
    if draw(st.booleans()):
        return ["note", draw(texts())]
    printed = draw(st.one_of(numbers, texts()))
    return ["erratum", draw(st.sampled_from(["points", "title", "text", "deduct", "heading", "caption"])), "was", printed, draw(texts())]


@st.composite
def requirement(draw) -> list[list[str]]:
    statements = [["req", draw(keys), draw(texts())]]
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["fixed", "threshold", "each", "choice", "level", "band", "part", "note"]))
        if kind == "fixed":
            statements.append(["deduct", draw(numbers), draw(texts())])
        elif kind == "threshold":
            statements.append(["deduct", draw(numbers), draw(texts()), *draw(bounds())])
        elif kind == "each":
            statements.append(["deduct", "each", draw(numbers), draw(texts())])
        elif kind == "choice":
            statements.append(["deduct", draw(texts())])
        elif kind == "level":
            statements.append(["level", draw(keys), draw(numbers), draw(texts())])
        elif kind == "band":
            statements.append(["band", draw(keys), draw(numbers), *draw(bounds())])
        elif kind == "part":
            statements.append(["part", draw(keys), draw(texts())])
        else:
            statements.append(draw(note_or_erratum()))
    return statements


@st.composite
def item(draw) -> list[list[str]]:
    statements = [["item", draw(keys), draw(texts()), "points", draw(numbers)]]
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["measure", "scale", "each", "note"]))
        if kind == "measure":
            statements.append(["measure", draw(keys), draw(texts()), "percent"])
        elif kind == "scale":
            unit = ["unit", draw(texts())] if draw(st.booleans()) else []
            statements.append(["measure", draw(keys), draw(texts()), "from", draw(numbers), "to", draw(numbers), *unit])
        elif kind == "each":
            statements.append(["deduct", "each", draw(numbers), draw(texts())])
        else:
            statements.append(draw(note_or_erratum()))
    body = draw(st.sampled_from(["requirements", "groups", "awards"]))
    if body == "requirements":
        for _ in range(draw(st.integers(0, 3))):
            statements += draw(requirement())
    elif body == "groups":
        for _ in range(draw(st.integers(1, 2))):
            heading = [draw(texts())] if draw(st.booleans()) else []
            statements.append(["group", draw(keys), *heading, "points", draw(numbers)])
            if draw(st.booleans()):
                statements.append(["deduct", "each", draw(numbers), draw(texts())])
            for _ in range(draw(st.integers(0, 2))):
                statements += draw(requirement())
    else:
        for _ in range(draw(st.integers(1, 3))):
            kind = draw(st.sampled_from(["tier", "choice", "otherwise"]))
            if kind == "tier":
                statements.append(["tier", draw(keys), draw(numbers), draw(texts()), *draw(bounds())])
            elif kind == "choice":
                statements.append(["choice", draw(keys), draw(numbers), draw(texts())])
            else:
                label = [draw(texts())] if draw(st.booleans()) else []
                statements.append(["otherwise", draw(numbers), *label])
    return statements


@st.composite
def rubric_statements(draw) -> list[list[str]]:
    statements = [["rubric", draw(st.from_regex(r"[A-Za-z][A-Za-z0-9._-]{0,12}", fullmatch=True))]]
    header = [
        lambda: ["title", draw(texts())],
        lambda: ["standard", *draw(st.lists(texts(), min_size=1, max_size=3))],
        lambda: ["version", draw(texts())],
        lambda: ["status", draw(texts())],
        lambda: ["language", draw(texts())],
        lambda: ["full", "marks", draw(numbers)],
        lambda: ["pass", "at", draw(numbers)],
        lambda: ["panel", draw(numbers), "to", draw(numbers)],
        lambda: ["grade", draw(keys), draw(texts()), "at", draw(numbers)],
        lambda: ["policy", draw(keys), draw(keys), *draw(st.sampled_from([[], ["clause", draw(texts())]]))],
        lambda: draw(note_or_erratum()),
    ]
    for index in draw(st.lists(st.integers(0, len(header) - 1), max_size=8)):
        statements.append(header[index]())
    for _ in range(draw(st.integers(0, 2))):
        statements.append(["condition", draw(keys), draw(texts())])
        for extra in draw(st.lists(st.sampled_from(["clause", "advisory", "note"]), max_size=3)):
            statements.append({"clause": ["clause", draw(texts())], "advisory": ["advisory"], "note": ["note", draw(texts())]}[extra])
    for _ in range(draw(st.integers(0, 3))):
        statements.append(["section", draw(keys), draw(texts()), "points", draw(numbers)])
        for extra in draw(st.lists(st.sampled_from(["caption", "note"]), max_size=2)):
            statements.append([extra, draw(texts())])
        for _ in range(draw(st.integers(0, 3))):
            statements += draw(item())
    return statements


comment_bodies = st.text(st.characters(blacklist_characters="\n"), max_size=20)


@st.composite
def layouts(draw, statements: list[list[str]], comments: bool = True) -> str:
    """Write the statements with random white space, and (with `comments`)
    comments anywhere a comment can go and CRLF line ends now and then."""
    out: list[str] = ["\ufeff"] if draw(st.booleans()) else []
    for statement in statements:
        for position, token in enumerate(statement):
            if position == 0:
                gap = draw(st.sampled_from(["\n", "\n\n", "\n\n\n", " ", "\n    ", "\n\t", "\n  \n  "]))
            else:
                gap = draw(st.sampled_from([" ", "  ", "\t", "\n", "\n      "]))
            if comments and draw(st.integers(0, 6)) == 0:
                gap = draw(st.sampled_from([" ", ""])) + "#" + draw(comment_bodies) + "\n" + draw(st.sampled_from(["", "\n", "  "]))
            out.append(gap)
            out.append(token)
    if comments and draw(st.booleans()):
        out.append("\n# " + draw(comment_bodies))
    out.append(draw(st.sampled_from(["", "\n", "\n\n"])))
    source = "".join(out)
    if comments and draw(st.integers(0, 4)) == 0:
        source = source.replace("\n", "\r\n")
    return source


@st.composite
def rubric_sources(draw) -> str:
    return draw(layouts(draw(rubric_statements())))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rubric_sources())
def test_random_rubrics_keep_their_meaning(source: str) -> None:
    assert_layout_only(source)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_layout_carries_no_meaning(data: st.DataObject) -> None:
    """Two layouts of the same statements, without comments, format alike."""
    statements = data.draw(rubric_statements())
    first = formatter.format_source(data.draw(layouts(statements, comments=False))).text
    second = formatter.format_source(data.draw(layouts(statements, comments=False))).text
    assert first == second


# ---------------------------------------------------------------------------
# The guard against a formatter bug
# ---------------------------------------------------------------------------


def test_a_change_of_meaning_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(formatter, "render_text", lambda value, indent: '"changed"')
    with pytest.raises(formatter.FormatError, match="would change the statements"):
        formatter.format_source('rubric demo title "D\\u0065mo"')


def test_syntax_errors_are_returned_not_formatted() -> None:
    result = formatter.format_source('rubric demo\n  titel "Demo"\n', "demo.rubric")
    assert result.text is None and not result.changed
    assert [d.code for d in result.diagnostics] == ["E101"]


def test_an_unknown_escape_is_not_formatted() -> None:
    result = formatter.format_source('rubric demo\n  title "\\q"\n')
    assert result.text is None
    assert [d.code for d in result.diagnostics] == ["E103"]


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------

MESSY = 'rubric demo title "Demo" version "1" full marks 10 pass at 6\nsection s "S" points 10 item i "I" points 10\nreq r "R" deduct 10 "x"\n'
TIDY = formatter.format_source(MESSY).text


def fmt(*args: str, stdin: bytes | None = None, cwd: Path = ROOT):
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, ["fmt", *args], input=stdin, catch_exceptions=False)
    finally:
        os.chdir(old)


def test_fmt_check_passes_on_the_repository() -> None:
    result = fmt("--check")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_fmt_rewrites_only_what_changes(tmp_path: Path) -> None:
    messy, tidy = tmp_path / "messy.rubric", tmp_path / "tidy.rubric"
    messy.write_text(MESSY, encoding="utf-8")
    tidy.write_text(TIDY, encoding="utf-8")
    messy.chmod(0o640)
    os.utime(tidy, (1_000_000_000, 1_000_000_000))
    result = fmt(str(messy), str(tidy))
    assert result.exit_code == 0
    assert result.stdout == f"formatted {messy}\nunchanged: 1 file\n"
    assert messy.read_text(encoding="utf-8") == TIDY
    assert messy.stat().st_mode & 0o777 == 0o640
    assert tidy.stat().st_mtime == 1_000_000_000, "an unchanged file was written"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["messy.rubric", "tidy.rubric"], "a temporary file was left"


def test_fmt_writes_through_a_symbolic_link(tmp_path: Path) -> None:
    target = tmp_path / "target.rubric"
    target.write_text(MESSY, encoding="utf-8")
    link = tmp_path / "link.rubric"
    link.symlink_to(target)
    assert fmt(str(link)).exit_code == 0
    assert link.is_symlink() and target.read_text(encoding="utf-8") == TIDY


def test_fmt_check_lists_and_writes_nothing(tmp_path: Path) -> None:
    messy = tmp_path / "messy.rubric"
    messy.write_text(MESSY, encoding="utf-8")
    result = fmt("--check", str(tmp_path))
    assert result.exit_code == 1
    assert result.stdout == f"{messy}\n"
    assert "1 of 1 files would change" in result.stderr
    assert messy.read_text(encoding="utf-8") == MESSY


def test_fmt_leaves_a_file_with_syntax_errors_and_formats_the_others(tmp_path: Path) -> None:
    broken, messy = tmp_path / "broken.rubric", tmp_path / "messy.rubric"
    broken.write_bytes(b'rubric demo\n  titel "Demo"\n')
    messy.write_text(MESSY, encoding="utf-8")
    result = fmt(str(broken), str(messy))
    assert result.exit_code == 1
    assert f"{broken}:2:3: error[E101]: unexpected 'titel'" in result.stderr
    assert "   2 |   titel \"Demo\"\n         ^^^^^" in result.stderr
    assert f"{broken}: not formatted: 1 error, 0 warnings" in result.stderr
    assert broken.read_bytes() == b'rubric demo\n  titel "Demo"\n'
    assert messy.read_text(encoding="utf-8") == TIDY


def test_fmt_of_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    latin = tmp_path / "latin.rubric"
    latin.write_bytes('rubric demo title "Caf\xe9"\n'.encode("latin-1"))
    result = fmt(str(latin))
    assert result.exit_code == 1
    assert "error[E104]: byte 0xE9" in result.stderr


def test_fmt_standard_input_to_standard_output() -> None:
    result = fmt("-", stdin=MESSY.encode("utf-8"))
    assert (result.exit_code, result.stdout) == (0, TIDY)
    checked = fmt("--check", "-", stdin=MESSY.encode("utf-8"))
    assert (checked.exit_code, checked.stdout) == (1, "<stdin>\n")
    assert fmt("--check", "-", stdin=TIDY.encode("utf-8")).exit_code == 0
    broken = fmt("-", stdin=b"rubric demo titel")
    assert broken.exit_code == 1 and broken.stdout == "" and "<stdin>:1:13: error[E101]" in broken.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.rubric"], "missing.rubric: no such file"),
        (["-", "rubrics"], "'-' (standard input) cannot be given with other paths"),
    ],
)
def test_fmt_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = fmt(*args)
    assert result.exit_code == 2 and message in result.stderr


def test_fmt_refuses_to_write_a_change_of_meaning(tmp_path: Path, monkeypatch) -> None:
    source = 'rubric demo title "D\\u0065mo"\n'
    path = tmp_path / "demo.rubric"
    path.write_text(source, encoding="utf-8")
    monkeypatch.setattr(formatter, "render_text", lambda value, indent: '"changed"')
    result = fmt(str(path))
    assert result.exit_code == 2
    assert "internal error, please report" in result.stderr and "left as it was" in result.stderr
    assert path.read_text(encoding="utf-8") == source
