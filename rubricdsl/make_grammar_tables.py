"""Writes rubricdsl/grammar_tables.py and grammar_tables_lark.py from grammar/rubric.lark.

    python -m rubricdsl.make_grammar_tables          # rewrite the tables
    python -m rubricdsl.make_grammar_tables --check  # exit 1 if they are stale

The parser ships its LALR tables in the package as Python literals, so that
no start builds them from the grammar and no cache of them (Lark's is a
pickle in the shared temporary folder, which another local user could plant)
is ever read.  They come in two forms:

- grammar_tables.py: the scanner, the parse table and the rules, compact,
  for the parser of well-formed rubrics (rubricdsl/lalr.py, which does not
  import Lark);
- grammar_tables_lark.py: Lark's own serialization (Lark.memo_serialize),
  loaded by Lark._load_from_dict when a rubric has syntax errors: Lark's
  interactive parser then finds what was expected and repairs missing
  tokens.  Apart, because it is four times the size and a clean parse
  does not need it.

Both are taken from one Lark object built here, so they cannot disagree.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

TABLES_PATH = Path(__file__).resolve().parent / "grammar_tables.py"
LARK_TABLES_PATH = TABLES_PATH.with_name("grammar_tables_lark.py")
REGENERATE = "python -m rubricdsl.make_grammar_tables"


def grammar_sha256(grammar_text: str) -> str:
    return hashlib.sha256(grammar_text.encode("utf-8")).hexdigest()


def _scanner(lark) -> dict:
    """What Lark's basic lexer does, as data: the alternations it tries in
    order, the terminals it skips, those that may hold a line break, and the
    keywords it reads out of a KEY."""
    from lark.lexer import UnlessCallback

    lexer = lark.parser.lexer
    scanner = lexer.scanner  # compiled on first use
    assert not scanner.use_bytes
    keywords: dict[str, dict[str, str]] = {}
    for terminal, callback in lexer.callback.items():
        assert isinstance(callback, UnlessCallback), f"{terminal}: a lexer callback the tables cannot say"
        words: dict[str, str] = {}
        for keyword in callback.scanner.terminals:
            assert keyword.pattern.type == "str" and not keyword.pattern.flags, keyword
            words.setdefault(str(keyword.pattern.value), str(keyword.name))
        keywords[str(terminal)] = words
    return {
        "alternations": tuple((compiled.pattern, compiled.flags) for compiled in scanner._mres),
        "ignored": tuple(sorted(lexer.ignore_types)),
        "multiline": tuple(sorted(lexer.newline_types)),
        "keywords": keywords,
    }


def _number_states_in_order(lark) -> None:
    """Renumber Lark's parse table from its start state outwards, symbols in
    name order.  Lark numbers states in the order of a set, which changes
    with the hash seed; the tables written must depend on the grammar only,
    or the staleness check would fail on every run."""
    from lark.parsers.lalr_analysis import IntParseTable, Shift

    frontend = lark.parser.parser
    table = frontend._parse_table
    order = list(table.start_states.values())
    seen = set(order)
    for state in order:  # grows while walked: breadth first
        for symbol in sorted(table.states[state]):
            action, target = table.states[state][symbol]
            if action is Shift and target not in seen:
                seen.add(target)
                order.append(target)
    assert seen == set(table.states), "every state is reached from a start state"
    number = {state: index for index, state in enumerate(order)}
    states = {
        number[state]: {
            symbol: (action, number[target] if action is Shift else target)
            for symbol, (action, target) in sorted(table.states[state].items())
        }
        for state in order
    }
    renumbered = IntParseTable(
        states,
        {start: number[state] for start, state in table.start_states.items()},
        {start: number[state] for start, state in table.end_states.items()},
    )
    frontend._parse_table = renumbered
    frontend.parser.parse_table = renumbered


def _rules_and_states(lark) -> tuple[tuple, tuple, int, int]:
    """The rules as (name, length, handler, expand_single, kept) and the
    states as {symbol: action}: a shift is the state shifted to (>= 0), a
    reduce is ~the rule's index.  `kept` is what Lark's parse tree builder
    keeps of the children, as (index, inline) pairs, or None for all."""
    from lark.parsers.lalr_analysis import Shift

    table = lark.parser.parser._parse_table
    rule_index = {rule: index for index, rule in enumerate(lark.rules)}
    rules = []
    for rule in lark.rules:
        options = rule.options
        assert options.template_source is None and not options.keep_all_tokens, rule
        kept = tuple(
            (i, not symbol.is_term and symbol.name.startswith("_"))
            for i, symbol in enumerate(rule.expansion)
            if not (symbol.is_term and symbol.filter_out)
        )
        filtered = len(kept) < len(rule.expansion) or any(inline for _, inline in kept)
        rules.append(
            (
                str(rule.origin.name),
                len(rule.expansion),
                str(rule.alias or rule.origin.name),
                bool(options.expand1 and not rule.alias),
                kept if filtered else None,
            )
        )
    assert sorted(table.states) == list(range(len(table.states))), "states are numbered 0..n-1"
    states = tuple(
        {
            str(symbol): (target if action is Shift else ~rule_index[target])
            for symbol, (action, target) in sorted(table.states[state].items())
        }
        for state in range(len(table.states))
    )
    return tuple(rules), states, table.start_states["start"], table.end_states["start"]


# The width Python's regex parser gives an unbounded pattern (`a+`) is
# MAXREPEAT on some 3.11 releases (3.11.2: 2**32 - 1) and 2**64 on others
# (3.11.7).  Lark only orders terminals by it, and every unbounded one is
# alike, so the tables write them all as the smaller one: the same bytes
# from every Python.
_UNBOUNDED_WIDTH = 2**32 - 1


def _unbounded_widths_alike(value):
    if isinstance(value, dict):
        alike = {key: _unbounded_widths_alike(entry) for key, entry in value.items()}
        if "_width" in alike:
            low, high = alike["_width"]
            alike["_width"] = [low, min(high, _UNBOUNDED_WIDTH)]
        return alike
    if isinstance(value, (list, tuple)):
        return type(value)(_unbounded_widths_alike(entry) for entry in value)
    return value


def render(grammar_text: str) -> dict[Path, str]:
    from lark import Lark
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    parser = Lark(grammar_text, parser="lalr", lexer="basic", maybe_placeholders=False)
    _number_states_in_order(parser)
    scanner = _scanner(parser)
    rules, states, start, end = _rules_and_states(parser)
    data, memo = _unbounded_widths_alike(parser.memo_serialize([TerminalDef, Rule]))

    def literal(value, indent: str = "") -> str:
        """One line for each entry of a tuple or dict, the entries as repr()."""
        inner = indent + "    "
        if isinstance(value, tuple):
            return "(\n" + "".join(f"{inner}{entry!r},\n" for entry in value) + indent + ")"
        return "{\n" + "".join(f"{inner}{key!r}: {entry!r},\n" for key, entry in value.items()) + indent + "}"

    header = [
        f'"""The parse tables of grammar/rubric.lark{{}}.  Generated by `{REGENERATE}`',
        "from the grammar by Lark; do not edit.  See make_grammar_tables.py.",
        '"""',
        "",
        "# flake8: noqa",
        f"GRAMMAR_SHA256 = {grammar_sha256(grammar_text)!r}",
    ]
    fast = "\n".join(
        [
            header[0].format(""),
            *header[1:],
            "",
            f"SCANNER = {literal(scanner)}",
            "",
            f"START_STATE = {start!r}",
            f"END_STATE = {end!r}",
            "",
            f"RULES = {literal(rules)}",
            "",
            f"STATES = {literal(states)}",
            "",
        ]
    )
    for_lark = "\n".join(
        [
            header[0].format(", as Lark.memo_serialize() gives them"),
            *header[1:],
            "",
            "",
            "def lark_serialized() -> tuple[dict, dict]:",
            '    """(data, memo) for Lark._load_from_dict."""',
            f"    return {literal(data, '    ')}, {literal(memo, '    ')}",
            "",
        ]
    )
    return {TABLES_PATH: fast, LARK_TABLES_PATH: for_lark}


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--check", action="store_true", help="write nothing; exit 1 if the tables are stale")
    args = options.parse_args(argv)
    from .parser import grammar_path

    stale = {path: text for path, text in render(grammar_path().read_text(encoding="utf-8")).items() if _read(path) != text}
    if args.check:
        for path in stale:
            print(f"{path.name} is stale against rubric.lark; run '{REGENERATE}'", file=sys.stderr)
        return 1 if stale else 0
    for path, text in stale.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


if __name__ == "__main__":
    sys.exit(main())
