"""Member files (docs/panel.md): the RFC 8785 canonical JSON and the digest
over it, as the scorer runtime computes them, against RFC 8785's own
vectors and its reference JavaScript in Node.js; `rubricdsl score` accepting
a member file and refusing one changed after its export."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from rubricdsl.cli import EXIT_USAGE, main

from .browser import node_path
from .conftest import ROOT
from .scoring_helpers import fixture_findings, shipped_scorer

RUBRIC = "rubrics/t-cssg-001.5-2020.rubric"

# RFC 8785's canonicalization in JavaScript (its appendix): JSON.stringify
# writes strings and numbers, and sort() orders keys by UTF-16 code units.
REFERENCE_JS = r"""
const canonical = (value) => {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
  return "{" + Object.keys(value).sort().map((key) => JSON.stringify(key) + ":" + canonical(value[key])).join(",") + "}";
};
const texts = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(texts.map((text) => canonical(JSON.parse(text)))));
"""


@pytest.fixture(autouse=True)
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize(
    "number, text",
    [
        # RFC 8785 appendix B (IEEE 754 doubles and their ECMAScript texts)
        ("0", "0"),
        ("-0.0", "0"),
        ("5e-324", "5e-324"),
        ("1.7976931348623157e308", "1.7976931348623157e+308"),
        ("9007199254740992", "9007199254740992"),
        ("295147905179352830000", "295147905179352830000"),
        ("1e21", "1e+21"),
        ("1e20", "100000000000000000000"),
        ("0.000001", "0.000001"),
        ("1e-7", "1e-7"),
        ("4.50", "4.5"),
        ("45.0", "45"),
        ("-1.5E-10", "-1.5e-10"),
        ("333333333.3333333", "333333333.3333333"),
    ],
)
def test_numbers_as_ecmascript_writes_them(number, text) -> None:
    scorer = shipped_scorer()
    assert scorer.canonical_json(scorer.parse_findings(number)) == text


@pytest.mark.parametrize("number", ["9007199254740993", "333333333.33333329", "0.10000000000000000001", "-89.999999999999999999"])
def test_a_number_read_exactly_that_no_double_holds_has_no_canonical_text(number) -> None:
    """Such a number is another number to the form (a double) than to the
    scorer (exact): the form refuses it on import, and no digest covers it."""
    scorer = shipped_scorer()
    with pytest.raises(scorer.InexactNumber):
        scorer.canonical_json(scorer.parse_findings(number))


def test_keys_sorted_by_utf16_code_units_and_minimal_escapes() -> None:
    scorer = shipped_scorer()
    value = {"\ufb33": 1, "\U0001f600": 2, "\u20ac": 3, "b": ["\u2028\"\\\n\x01\x7f"], "a": None, "": True}
    assert scorer.canonical_json(value) == '{"":true,"a":null,"b":["\u2028\\"\\\\\\n\\u0001\x7f"],"\u20ac":3,"\U0001f600":2,"\ufb33":1}'


_number_text = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.builds(lambda whole, fraction, exponent: f"{whole}.{fraction}e{exponent}",
              st.integers(-999, 999), st.integers(0, 10**12), st.integers(-320, 300)),
)
_key = st.text(st.characters(exclude_categories=("Cs",)), max_size=6)
_json_text = st.recursive(
    st.one_of(_number_text, _key.map(lambda text: json.dumps(text, ensure_ascii=False)), st.sampled_from(["true", "false", "null"])),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda items: "[" + ",".join(items) + "]"),
        st.dictionaries(_key, inner, max_size=4).map(
            lambda members: "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + v for k, v in members.items()) + "}"),
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_json_text, min_size=20, max_size=20))
def test_canonical_json_is_rfc8785s_reference_javascript(texts) -> None:
    """The same bytes as RFC 8785's JavaScript on the same JSON texts: the
    form computes its digests in JavaScript, the scorer in Python."""
    scorer = shipped_scorer()
    done = subprocess.run([node_path(), "-e", REFERENCE_JS], input=json.dumps(texts), capture_output=True,
                          text=True, encoding="utf-8", check=True, timeout=60)
    theirs = json.loads(done.stdout)
    for text, reference in zip(texts, theirs):
        try:
            ours = scorer.canonical_json(scorer.parse_findings(text))
        except scorer.InexactNumber:
            continue  # a number no double holds as written: no digest is taken (the test below)
        assert ours == reference, text


def member(path: Path, name: str = "张三", **changes) -> dict:
    findings = fixture_findings()
    findings["evaluators"] = [name]
    findings["rubric"]["content_hash"] = shipped_scorer().CONTENT_HASH
    findings.update(changes)
    signed = shipped_scorer().signed_findings(findings)
    path.write_text(json.dumps(signed, ensure_ascii=False, indent=1), encoding="utf-8")
    return signed


def test_a_member_file_scores_like_findings(tmp_path) -> None:
    signed = member(tmp_path / "m.json", _note="a note counts too")
    assert signed["digest"].startswith("sha256:") and len(signed["digest"]) == 71
    assert signed["digest"] == shipped_scorer().content_digest(signed)
    done = run("score", RUBRIC, str(tmp_path / "m.json"), "--format", "json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["total"] == 416


@pytest.mark.parametrize("edit", [
    lambda text: text.replace('"organization": "', '"organization": "X', 1),
    lambda text: text.replace('"_note": "a note counts too"', '"_note": "a note counts, too"'),
    lambda text: text.replace('"has_policy": true', '"has_policy": false', 1),
])
def test_a_member_file_changed_after_export_is_refused(tmp_path, edit) -> None:
    member(tmp_path / "m.json", _note="a note counts too")
    path = tmp_path / "m.json"
    changed = edit(path.read_text(encoding="utf-8"))
    assert changed != path.read_text(encoding="utf-8")
    path.write_text(changed, encoding="utf-8")
    done = run("score", RUBRIC, str(path))
    assert done.exit_code == EXIT_USAGE and done.stdout == ""
    assert f"{path}: digest: 摘要不符 / digest does not match: the file was changed after export" in done.stderr


def test_reformatting_a_member_file_keeps_its_digest(tmp_path) -> None:
    signed = member(tmp_path / "m.json")
    (tmp_path / "m.json").write_text(json.dumps(dict(reversed(list(signed.items()))), ensure_ascii=True), encoding="utf-8")
    assert run("score", RUBRIC, str(tmp_path / "m.json")).exit_code == 0


@pytest.mark.parametrize("digest", ["sha256:ABC", 17, "md5:" + "0" * 64])
def test_a_digest_that_is_not_one_is_named(tmp_path, digest) -> None:
    signed = member(tmp_path / "m.json")
    signed["digest"] = digest
    (tmp_path / "m.json").write_text(json.dumps(signed), encoding="utf-8")
    done = run("score", RUBRIC, str(tmp_path / "m.json"))
    assert done.exit_code == EXIT_USAGE
    assert 'digest: expected "sha256:" and 64 lowercase hex digits' in done.stderr


def test_numbers_no_double_holds_cannot_be_digested(tmp_path) -> None:
    member(tmp_path / "m.json")
    text = (tmp_path / "m.json").read_text(encoding="utf-8").replace("{", '{"_huge": 1e400, ', 1)
    (tmp_path / "m.json").write_text(text, encoding="utf-8")
    done = run("score", RUBRIC, str(tmp_path / "m.json"))
    assert done.exit_code == EXIT_USAGE and "no digest is taken" in done.stderr


def test_the_template_carries_no_digest() -> None:
    done = run("template", RUBRIC)
    # A template is a blank, never a member's work.
    assert done.exit_code == 0 and "digest" not in json.loads(done.stdout)


def test_a_number_no_double_holds_exactly_is_never_signed_nor_accepted(tmp_path) -> None:
    """89.999999999999999999 is read by the scorer as written (under 90, the
    next band down) but by the form as the double 90: a digest over the
    double would stand for both, so such a number breaks every digest."""
    signed = member(tmp_path / "m.json")
    path = tmp_path / "m.json"
    text = path.read_text(encoding="utf-8")
    assert '"satisfaction": 92.5' in text
    path.write_text(text.replace('"satisfaction": 92.5', '"satisfaction": 92.500000000000000001'), encoding="utf-8")
    done = run("score", RUBRIC, str(path))
    assert done.exit_code == EXIT_USAGE and done.stdout == ""
    assert "92.500000000000000001, which the form reads as 92.5 (no double holds it exactly)" in done.stderr
    # Nor is such a file signed; a number written longer but the same double is.
    unsigned = {key: value for key, value in signed.items() if key != "digest"}
    (tmp_path / "u.json").write_text(json.dumps(unsigned, ensure_ascii=False).replace('"satisfaction": 92.5', '"satisfaction": 92.500000000000000001'), encoding="utf-8")
    done = run("panel", "sign", RUBRIC, str(tmp_path / "u.json"), "-o", str(tmp_path / "s.json"))
    assert done.exit_code == EXIT_USAGE and not (tmp_path / "s.json").exists()
    assert "no double holds it exactly" in done.stderr
    (tmp_path / "u.json").write_text(json.dumps(unsigned, ensure_ascii=False).replace('"satisfaction": 92.5', '"satisfaction": 92.50'), encoding="utf-8")
    assert run("panel", "sign", RUBRIC, str(tmp_path / "u.json"), "-o", str(tmp_path / "s.json")).exit_code == 0
    assert json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["digest"] == signed["digest"]


def test_a_batch_checks_member_files_digests_as_one_file_is_checked(tmp_path) -> None:
    signed = member(tmp_path / "m.json")
    changed = dict(signed, organization="另一单位")
    lines = [json.dumps(signed, ensure_ascii=False), json.dumps(changed, ensure_ascii=False)]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run("score", RUBRIC, "--batch", str(tmp_path / "in.jsonl"))
    rows = done.stdout.splitlines()
    assert rows[1].startswith("line 1,某市网格化服务管理中心,2026-11-27,416,"), done.output
    assert rows[2].endswith("line 2: digest: 摘要不符 / digest does not match: the file was changed after export"), done.output
