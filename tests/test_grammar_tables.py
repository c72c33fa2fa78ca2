"""The parse tables shipped in the package: made from the grammar as it is,
and the parser that runs on them without Lark reads every rubric as Lark does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rubricdsl import lalr, make_grammar_tables, parser
from rubricdsl.parser import grammar_path

from .conftest import AS_PRINTED_RUBRIC, ROOT, SHIPPED_RUBRIC, TESTS, load_benchmark


def test_the_shipped_tables_are_made_from_the_grammar_as_it_is() -> None:
    wanted = make_grammar_tables.render(grammar_path().read_text(encoding="utf-8"))
    assert set(wanted) == {make_grammar_tables.TABLES_PATH, make_grammar_tables.LARK_TABLES_PATH}
    for path, text in wanted.items():
        assert path.read_text(encoding="utf-8") == text, (
            f"rubricdsl/{path.name} is stale against grammar/rubric.lark; run '{make_grammar_tables.REGENERATE}'"
        )
    assert make_grammar_tables.main(["--check"]) == 0


def test_check_fails_and_says_how_to_regenerate_when_the_grammar_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    edited = tmp_path / "rubric.lark"
    text = grammar_path().read_text(encoding="utf-8")
    edited.write_text(text.replace('UNIT: "unit"', 'UNIT: "units"'), encoding="utf-8")
    assert edited.read_text(encoding="utf-8") != text
    monkeypatch.setattr(parser, "grammar_path", lambda: edited)
    assert make_grammar_tables.main(["--check"]) == 1
    assert "run 'python -m rubricdsl.make_grammar_tables'" in capsys.readouterr().err


def test_the_tables_do_not_depend_on_the_hash_seed() -> None:
    """Lark numbers its states in a set's order; the tables must not."""
    code = (
        "from rubricdsl.make_grammar_tables import render; from rubricdsl.parser import grammar_path; "
        "import hashlib; print(hashlib.sha256(repr(render(grammar_path().read_text(encoding='utf-8'))).encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed}
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


def rubric_texts() -> dict[str, str]:
    """Every rubric of the repository that is UTF-8 text (E104's is not)."""
    paths = [*sorted(ROOT.glob("rubrics/*.rubric")), *sorted(TESTS.glob("fixtures/**/*.rubric"))]
    paths += sorted(TESTS.glob("golden/diagnostics/*.rubric"))
    texts = {}
    for path in paths:
        try:
            texts[str(path.relative_to(ROOT))] = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
    texts["synthetic x3"] = load_benchmark("synthetic").synthetic_rubric(3)
    return texts


def test_the_parser_without_lark_reads_every_rubric_as_lark_does() -> None:
    texts = rubric_texts()
    assert str(SHIPPED_RUBRIC.relative_to(ROOT)) in texts and str(AS_PRINTED_RUBRIC.relative_to(ROOT)) in texts
    rejected = 0
    for name, source in texts.items():
        by_lark = parser._parse_with_recovery(source, name)
        syntax_errors = [d for d in by_lark.diagnostics if d.code in ("E101", "E102")]
        try:
            lalr.parse(source, parser._ToModel(name), lambda token: None)
        except lalr.Rejected:
            rejected += 1
            assert syntax_errors, f"{name}: rejected without Lark, yet Lark finds no syntax error"
            continue
        assert not syntax_errors, f"{name}: Lark finds {syntax_errors[0]}, the parser without it none"
        assert parser.parse(source, name) == by_lark, name
    # The golden diagnostics include syntax errors: the comparison saw both sides.
    assert 0 < rejected < len(texts)


def test_check_imports_neither_lark_nor_jinja() -> None:
    """Lark is loaded for a rubric with syntax errors only, Jinja for the
    commands that render."""
    code = (
        "import sys\n"
        "from rubricdsl.cli import main\n"
        "try:\n"
        f"    main(['check', {str(SHIPPED_RUBRIC)!r}])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "print(sorted(name for name in ('lark', 'jinja2') if name in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_unbounded_widths_are_written_alike_whatever_the_python() -> None:
    """Python 3.11.2 gives `a+` the width 2**32 - 1, Python 3.11.7 2**64:
    the shipped tables must not depend on which made them."""
    widths = make_grammar_tables._unbounded_widths_alike
    memo = {0: {"pattern": {"_width": [1, 2**64]}}, 1: {"pattern": {"_width": [2, 4294967295]}}, 2: {"_width": [3, 7]}}
    assert widths(({"start": 0}, memo)) == (
        {"start": 0},
        {0: {"pattern": {"_width": [1, 4294967295]}}, 1: {"pattern": {"_width": [2, 4294967295]}}, 2: {"_width": [3, 7]}},
    )


def test_tokens_start_and_end_where_larks_lexer_puts_them() -> None:
    """The parser without Lark reads the whitespace before a token in the
    same match (lalr.GAP): every token it hands the model builder and every
    comment is the one Lark's lexer makes, at the same line and column."""
    lark = parser._lark()
    compared = 0
    for name, source in rubric_texts().items():
        try:
            by_lark = [
                (t.type, t.value, t.line, t.column, t.end_line, t.end_column) for t in lark.lex(source, dont_ignore=True)
            ]
        except Exception:  # a rubric whose characters Lark's lexer rejects: a syntax error, compared above
            continue
        seen: list[tuple] = []

        class Recording(parser._ToModel):
            def __getattribute__(self, attribute):
                method = super().__getattribute__(attribute)
                if not callable(method) or attribute.startswith("_"):
                    return method

                def recorded(*children):
                    seen.extend(
                        (c.value, c.line, c.column, c.end_line, c.end_column) for c in children if isinstance(c, lalr.Token)
                    )
                    return method(*children)

                return recorded

        comments: list[lalr.Token] = []
        try:
            lalr.parse(source, Recording(name), comments.append)
        except lalr.Rejected:
            continue
        # By place and text: the builder hands some tokens on retyped (a
        # keyword used as a key).
        wanted = {token[1:] for token in by_lark}
        assert seen and [token for token in seen if token not in wanted] == [], name
        assert [(c.type, c.value, c.line, c.column, c.end_line, c.end_column) for c in comments] == [
            token for token in by_lark if token[0] == "COMMENT"
        ], name
        compared += 1
    assert compared >= 3


def test_the_gap_before_a_token_is_the_grammars_whitespace() -> None:
    """lalr.GAP reads exactly the characters of the grammar's WHITESPACE."""
    import re

    grammar = grammar_path().read_text(encoding="utf-8")
    whitespace = re.search(r"^WHITESPACE: /(.+)/$", grammar, re.M).group(1)
    gap = re.compile(lalr.GAP)
    terminal = re.compile(whitespace.encode("ascii").decode("unicode_escape"))
    for code in range(0x110000):
        char = chr(code)
        assert bool(terminal.fullmatch(char)) == (gap.fullmatch(char) is not None and char != ""), hex(code)
