"""The parse boundary: texts, keys, layout freedom, spans, comments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rubricdsl import model as m
from rubricdsl.parser import grammar_path, parse

HEAD = 'rubric demo\n  title "Demo"\n  version "1"\n  full marks 10\n  pass at 6\n'


def requirement_text(literal: str) -> str:
    result = parse(HEAD + f'section s "S" points 10\n  item i "I" points 10\n    req r {literal}\n      deduct 10 "x"\n')
    assert result.diagnostics == ()
    return result.rubric.sections[0].items[0].requirements[0].text


@pytest.mark.parametrize(
    "literal, value",
    [
        (r'"plain 文本"', "plain 文本"),
        (r'"quote \" backslash \\ tab \t newline \n"', 'quote " backslash \\ tab \t newline \n'),
        (r'"\u4e2d \U00020000"', "中 \U00020000"),
        ('"𠀀 non-BMP written directly"', "𠀀 non-BMP written directly"),
        ('"""one\n       two\n         three\n    """', "one\ntwo\n  three"),
        ('"""he said "yes" and \\"""quoted\\""" twice"""', 'he said "yes" and """quoted""" twice'),
        ('"""\n    indented\n      more\n    """', "indented\n  more"),
    ],
)
def test_text_literals(literal: str, value: str) -> None:
    assert requirement_text(literal) == value


def test_keywords_can_be_keys() -> None:
    source = HEAD + 'section section "S" points 10\n  item points "I" points 10\n    req req "R"\n      deduct 10 "x"\n'
    result = parse(source)
    assert result.diagnostics == ()
    section = result.rubric.sections[0]
    assert (section.key, section.items[0].key, section.items[0].requirements[0].key) == ("section", "points", "req")


def test_layout_carries_no_meaning() -> None:
    spread = parse(HEAD + 'section s "S" points 10\n\n  item i "I" points 10\n    req r "R"\n      deduct 10 "x"\n')
    packed = parse(HEAD + 'section s "S" points 10 item i "I" points 10 req r "R" deduct 10 "x"')
    assert spread.rubric == packed.rubric
    assert spread.rubric.sections[0].items[0].span.line == 8
    assert packed.rubric.sections[0].items[0].span.line == 6


def test_decimal_points_are_exact() -> None:
    result = parse(HEAD + 'section s "S" points 10\n  item i "I" points 10\n    deduct each 0.5 "每缺一项扣0.5分"\n    req r "R"\n')
    item = result.rubric.sections[0].items[0]
    assert item.requirements[0].rule == m.EachMissingDeduction(Decimal("0.5"), "每缺一项扣0.5分")


def test_comments_are_kept_with_positions() -> None:
    source = "# top\n" + HEAD + 'section s "S" points 10  # trailing\n  item i "I" points 10\n    req r "# not a comment"\n      deduct 10 "x"\n'
    result = parse(source)
    assert [(c.text, c.span.line, c.span.column) for c in result.comments] == [
        ("# top", 1, 1),
        ("# trailing", 7, 26),
    ]


def test_rules_and_inheritance() -> None:
    source = HEAD + (
        'section s "S" points 10\n'
        '  item i "I" points 10\n'
        '    measure rate "率" percent\n'
        '    req fixed "F"\n      deduct 1 "f"\n'
        '    req threshold "T"\n      deduct 2 "t" when rate < 80\n'
        '    req levels "L"\n      deduct "l"\n      level a 3 "A"\n      level b 1 "B"\n'
        '    req bands "B"\n      deduct "b"\n      band low 2 when 50 <= rate < 100\n'
        '    req parts "P"\n      deduct each 1 "p"\n      part x "X"\n      part y "Y"\n'
    )
    result = parse(source)
    assert result.diagnostics == ()
    rules = {r.key: r for r in result.rubric.sections[0].items[0].requirements}
    assert rules["threshold"].rule.threshold == m.Interval("rate", None, False, Decimal(80), False)
    assert rules["bands"].rule.bands[0].interval.contains(Decimal(50))
    assert not rules["bands"].rule.bands[0].interval.contains(Decimal(100))
    assert [r.max_deduction for r in rules.values()] == [1, 2, 3, 2, 2]
    assert rules["parts"].measure is None and rules["threshold"].measure == "rate"


def test_grammar_is_one_file_found_from_the_package() -> None:
    assert grammar_path().name == "rubric.lark"
    assert "start: rubric" in grammar_path().read_text(encoding="utf-8")


def test_every_grammar_rule_has_a_model_handler() -> None:
    """The model is built during the parse; a rule without a handler would
    silently become a bare parse tree node."""
    from rubricdsl.parser import _ToModel, _lark

    unhandled = set()
    for rule in _lark().rules:
        name = rule.alias or rule.origin.name
        inlined = rule.options.expand1 and len(rule.expansion) == 1 and not rule.alias
        if not inlined and not name.startswith("_") and not hasattr(_ToModel, name):
            unhandled.add(name)
    assert unhandled == set()


def test_policies_and_their_defaults() -> None:
    source = HEAD + '  policy nothing_met zero clause "8.2"\nsection s "S" points 10\n  item i "I" points 10\n    req r "R"\n      deduct 10 "x"\n'
    rubric = parse(source).rubric
    assert rubric.policies == (m.Policy("nothing_met", "zero", "8.2"),)
    assert (rubric.policy("nothing_met"), rubric.policy_clause("nothing_met")) == ("zero", "8.2")
    assert (rubric.policy("not_applicable"), rubric.policy_clause("not_applicable")) == ("full", None)
    undeclared = parse(source.replace('  policy nothing_met zero clause "8.2"\n', "")).rubric
    assert {name: undeclared.policy(name) for name in m.POLICIES} == {name: values[0] for name, values in m.POLICIES.items()}
    with pytest.raises(KeyError):
        rubric.policy("nothing_mets")
