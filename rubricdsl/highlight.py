"""Syntax highlighting of .rubric files with Pygments.

Registered as the Pygments lexer `rubric` (pyproject.toml), so after
installing rubricdsl `pygmentize -l rubric FILE` and anything built on
Pygments (Sphinx, MkDocs, Jupyter) highlight rubrics.  The editors' grammar
is editors/rubric.tmLanguage.json; a test holds both to the keywords of
grammar/rubric.lark.

A word after a keyword that names something (`item status`) is a key even
when it is spelt like a keyword, as the parser reads it.  This module does
not import the compiler: Pygments loads it on its own.
"""

from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, include, words
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, String, Whitespace

# Keywords followed by the key of what they declare.
DECLARING = ("rubric", "condition", "section", "item", "group", "req", "level", "band", "part", "measure", "tier", "choice", "grade")
# Keywords that begin the other statements, and the words inside statements.
STATEMENT = ("title", "standard", "version", "status", "language", "full", "pass", "panel", "policy", "clause", "advisory", "caption", "deduct", "otherwise", "note", "erratum")
INNER = ("marks", "at", "to", "combine", "disagreement", "points", "each", "percent", "from", "unit", "when", "was")
KEYWORDS = frozenset(DECLARING + STATEMENT + INNER)

_KEY = r"[A-Za-z_][A-Za-z0-9_]*"
_RUBRIC_ID = r"[A-Za-z][A-Za-z0-9._-]*"
_SPACE = r"(\s+)"


class RubricLexer(RegexLexer):
    """Lexer for rubricdsl's evaluation rubrics."""

    name = "Rubric"
    aliases = ["rubric"]
    filenames = ["*.rubric"]
    mimetypes = ["text/x-rubric"]

    tokens = {
        "root": [
            (r"\s+", Whitespace),
            (r"#.*?$", Comment.Single),
            (r'"""', String.Double, "long-text"),
            (r'"', String.Double, "text"),
            (r"(rubric)" + _SPACE + f"({_RUBRIC_ID})", bygroups(Keyword.Declaration, Whitespace, Name.Namespace)),
            (
                r"\b(" + "|".join(DECLARING[1:]) + r")\b" + _SPACE + f"({_KEY})",
                bygroups(Keyword.Declaration, Whitespace, Name.Variable),
            ),
            (r"\b(erratum)" + _SPACE + f"({_KEY})", bygroups(Keyword, Whitespace, Name.Attribute)),
            # `policy nothing_met zero`: a name and a value, both keys (`full` too).
            (
                r"\b(policy)" + _SPACE + f"({_KEY})" + _SPACE + f"({_KEY})",
                bygroups(Keyword, Whitespace, Name.Attribute, Whitespace, Name.Constant),
            ),
            # The measure a bound compares: `when satisfaction >= 90`, `50 <= completion < 100`.
            (r"\b(when)" + _SPACE + f"({_KEY})" + r"(?=\s*[<>])", bygroups(Keyword, Whitespace, Name.Variable)),
            (r"(<=|>=|<|>)(\s*)" + f"({_KEY})", bygroups(Operator, Whitespace, Name.Variable)),
            (words(DECLARING + STATEMENT, prefix=r"\b", suffix=r"\b"), Keyword),
            (words(INNER, prefix=r"\b", suffix=r"\b"), Keyword.Reserved),
            (r"[0-9]+(\.[0-9]+)?", Number),
            (r"<=|>=|<|>", Operator),
            (_KEY, Name),
        ],
        "escapes": [
            (r'\\(["\\nt]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})', String.Escape),
            (r"\\.", Error),
        ],
        "text": [
            include("escapes"),
            (r'[^"\\\n]+', String.Double),
            (r'"', String.Double, "#pop"),
            (r"\n", Error, "#pop"),  # a text ends on its line
        ],
        "long-text": [
            include("escapes"),
            (r'"""', String.Double, "#pop"),
            (r'[^"\\]+', String.Double),
            (r'"', String.Double),
        ],
    }
