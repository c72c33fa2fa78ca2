"""Highlighting: the Pygments lexer and the TextMate grammar agree with the
parser on every file we have, and know every keyword of the grammar."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pygments.lexers import find_lexer_class_for_filename, get_lexer_by_name
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, String

from rubricdsl.highlight import KEYWORDS, RubricLexer
from rubricdsl.parser import lex

from .conftest import ROOT

GRAMMAR = ROOT / "grammar" / "rubric.lark"
TEXTMATE = ROOT / "editors" / "rubric.tmLanguage.json"
FILES = sorted([*ROOT.glob("rubrics/*.rubric"), *ROOT.glob("tests/fixtures/**/*.rubric")])
IDS = [str(path.relative_to(ROOT)) for path in FILES]


def grammar_keywords() -> set[str]:
    """The words of the keyword terminals: `REQ: "req"` (or a regex
    `REQ.3: /req(?![A-Za-z0-9_])/`)."""
    text = GRAMMAR.read_text(encoding="utf-8")
    found = set()
    for match in re.finditer(r'^([A-Z][A-Z_]*)(?:\.\d+)?\s*:\s*(?:"([a-z]+)"|/([a-z]+)\(\?!)', text, re.M):
        found.add(match.group(2) or match.group(3))
    assert len(found) > 30, "the grammar's keyword terminals were not found"
    return found


def offsets(source: str):
    starts = [0]
    for line in source.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    return lambda line, column: starts[line - 1] + column - 1


def parser_tokens(source: str):
    """(offset, category) of every token and comment, as the parser reads them."""
    lexed = lex(source)
    assert lexed is not None
    at = offsets(source)
    for token in lexed.tokens:
        if token.type in ("STRING", "LONG_STRING"):
            category = "text"
        elif token.type == "NUMBER":
            category = "number"
        elif token.type == "COMPARE":
            category = "operator"
        elif token.type in ("KEY", "RUBRIC_ID"):
            category = "key"
        else:
            category = "keyword"
        yield at(token.line, token.column), category, token.value
    for comment in lexed.comments:
        yield at(comment.span.line, comment.span.column), "comment", comment.text


# ---------------------------------------------------------------------------
# Pygments
# ---------------------------------------------------------------------------


def test_lexer_knows_every_keyword_of_the_grammar() -> None:
    assert KEYWORDS == grammar_keywords()


PYGMENTS_CATEGORIES = {"keyword": Keyword, "key": Name, "text": String, "number": Number, "operator": Operator, "comment": Comment}


@pytest.mark.parametrize("path", [*FILES, None], ids=[*IDS, "tricky"])
def test_pygments_reads_every_file_as_the_parser_does(path: Path | None) -> None:
    source = path.read_text(encoding="utf-8") if path else TRICKY
    tokens = list(RubricLexer().get_tokens_unprocessed(source))
    assert not [t for t in tokens if t[1] in Error], "Error tokens"
    kind_at = {index: kind for index, kind, _ in tokens}
    for offset, category, value in parser_tokens(source):
        assert kind_at.get(offset) in PYGMENTS_CATEGORIES[category], f"{value!r} at {offset} is {kind_at.get(offset)}"


@pytest.mark.parametrize(
    "source, expected",
    [
        ('item status "x" points 5', [("item", Keyword.Declaration), ("status", Name.Variable), ("points", Keyword.Reserved)]),
        ("when 50 <= completion < 100", [("when", Keyword.Reserved), ("50", Number), ("completion", Name.Variable), ("100", Number)]),
        ("when satisfaction >= 90", [("satisfaction", Name.Variable)]),
        ('erratum points was 50 "typo"', [("erratum", Keyword), ("points", Name.Attribute), ("was", Keyword.Reserved)]),
        ('"a\\"b\\u4e2d\\n"', [('\\"', String.Escape), ("\\u4e2d", String.Escape), ("\\n", String.Escape)]),
        ('"""two\n  "lines" \\t"""', [('"""', String.Double), ('"', String.Double), ("\\t", String.Escape)]),
        ('"bad \\q"', [("\\q", Error)]),
        ("rubric t-cssg-001.5-2020", [("rubric", Keyword.Declaration), ("t-cssg-001.5-2020", Name.Namespace)]),
        (
            'policy not_applicable full clause "8.2"',
            [("policy", Keyword), ("not_applicable", Name.Attribute), ("full", Name.Constant), ("clause", Keyword)],
        ),
    ],
)
def test_pygments_tokens(source: str, expected: list) -> None:
    tokens = [(value, kind) for _, kind, value in RubricLexer().get_tokens_unprocessed(source)]
    for pair in expected:
        assert pair in tokens, tokens


def test_installed_as_a_pygments_plugin() -> None:
    assert get_lexer_by_name("rubric").__class__.__name__ == "RubricLexer"
    assert find_lexer_class_for_filename("t.rubric").__name__ == "RubricLexer"


def test_pygmentize_command() -> None:
    # Pygments' command line from this interpreter, not whichever `pygmentize`
    # is on PATH: that one may belong to another Python without the plugin.
    result = subprocess.run(
        [sys.executable, "-m", "pygments", "-l", "rubric", "-f", "raw", str(FILES[0])],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Token.Keyword.Declaration\t'rubric'" in result.stdout


# ---------------------------------------------------------------------------
# TextMate
# ---------------------------------------------------------------------------


def textmate() -> dict:
    return json.loads(TEXTMATE.read_text(encoding="utf-8"))


def every_pattern(node):
    if isinstance(node, dict):
        if any(key in node for key in ("match", "begin")):
            yield node
        for value in node.values():
            yield from every_pattern(value)
    elif isinstance(node, list):
        for value in node:
            yield from every_pattern(value)


def test_textmate_regexes_compile() -> None:
    grammar = textmate()
    assert grammar["scopeName"] == "source.rubric" and grammar["fileTypes"] == ["rubric"]
    patterns = list(every_pattern(grammar))
    assert patterns
    for pattern in patterns:
        for key in ("match", "begin", "end"):
            if key in pattern:
                re.compile(pattern[key])


def test_textmate_knows_every_keyword_of_the_grammar() -> None:
    words = set()
    for pattern in every_pattern(textmate()):
        scopes = [pattern.get("name", "")] + [c["name"] for c in pattern.get("captures", {}).values()]
        if any(s.startswith("keyword.") and not s.startswith("keyword.operator") for s in scopes):
            for group in re.findall(r"\(([a-z|]+)\)", pattern["match"]):
                words |= set(group.split("|"))
    assert words == grammar_keywords()


class MiniTextMate:
    """Enough of a TextMate engine for this grammar: line by line, at each
    place the pattern that matches first (then the earliest in the list)
    wins; begin/end regions with inner patterns; includes."""

    def __init__(self, grammar: dict):
        self.repository = grammar["repository"]
        self.top = self.resolve(grammar["patterns"])

    def resolve(self, patterns: list) -> list:
        out = []
        for pattern in patterns:
            if "include" in pattern:
                out += self.resolve([self.repository[pattern["include"][1:]]])
            elif "patterns" in pattern and "begin" not in pattern:
                out += self.resolve(pattern["patterns"])
            else:
                out.append(pattern)
        return out

    @staticmethod
    def earliest(patterns, line, position):
        best = None
        for pattern in patterns:
            regex = pattern.get("match") or pattern.get("begin")
            found = re.compile(regex).search(line, position)
            if found and (best is None or found.start() < best[1].start()):
                best = (pattern, found)
        return best

    def scopes(self, source: str) -> dict[int, str]:
        """offset -> scope of the token starting there."""
        result: dict[int, str] = {}
        base = 0
        inside = None
        for line in source.split("\n"):
            line += "\n"
            position = 0
            while position < len(line):
                if inside is not None:
                    end = re.compile(inside["end"]).search(line, position)
                    inner = self.earliest(self.resolve(inside.get("patterns", [])), line, position)
                    if inner is not None and (end is None or inner[1].start() < end.start()):
                        result[base + inner[1].start()] = inner[0]["name"]
                        position = inner[1].end()
                    elif end is not None:
                        position, inside = end.end(), None
                    else:
                        position = len(line)
                    continue
                best = self.earliest(self.top, line, position)
                if best is None:
                    break
                pattern, found = best
                if "begin" in pattern:
                    result[base + found.start()] = pattern["name"]
                    inside = pattern
                    position = found.end()
                    continue
                if "name" in pattern:
                    result[base + found.start()] = pattern["name"]
                for group, capture in pattern.get("captures", {}).items():
                    result[base + found.start(int(group))] = capture["name"]
                position = max(found.end(), position + 1)
            base += len(line)
        return result


TEXTMATE_SCOPES = {
    "keyword": ("keyword.declaration", "keyword.other", "keyword.control"),
    "key": ("entity.name", "variable.other"),
    "text": ("string.quoted",),
    "number": ("constant.numeric",),
    "operator": ("keyword.operator",),
    "comment": ("comment.line",),
}


TRICKY = (
    'rubric demo\n  title "a \\"quoted\\" # not a comment"  # a comment\n'
    '  note """\n    two "lines" \\t\n    """\n'
    'section section "S" points 5\n  item status "I" points 5\n    measure m "M" from 0 to 10\n'
    '    req req "R"\n      deduct 1 "x" when 2 <= m < 5\n'
    '  item policy "P" points 1\n    req r "R"\n      deduct 1 "x"\n'
)


@pytest.mark.parametrize("path", [*FILES, None], ids=[*IDS, "tricky"])
def test_textmate_reads_every_file_as_the_parser_does(path: Path | None) -> None:
    source = path.read_text(encoding="utf-8") if path else TRICKY
    scope_at = MiniTextMate(textmate()).scopes(source)
    assert not [s for s in scope_at.values() if s.startswith("invalid")]
    for offset, category, value in parser_tokens(source):
        scope = scope_at.get(offset, "")
        assert scope.startswith(TEXTMATE_SCOPES[category]), f"{value!r} at {offset} is {scope!r}"
