"""The batch's fast reader (msgspec, with the scorer's own number reader)
summarises every record exactly as the scorer's own reader (json with
exact Decimals) does, or steps aside."""

from __future__ import annotations

import functools
import json
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rubricdsl.plan import compared_numbers, lower
from rubricdsl.scoring import FastReader

from .scoring_helpers import MINI, compiled, fixture_findings, mini_scorer, shipped


def own_reading(scorer, data: bytes, partial: bool = False):
    """What the scorer's own reader makes of a record: its summary, or its
    problems."""
    try:
        return scorer.summarize(scorer.parse_findings(data, ""), partial=partial)
    except scorer.FindingsError as error:
        return error.errors


def batch_reading(scorer, reader, data: bytes, partial: bool = False):
    try:
        return bound(scorer, reader, partial).summary(data)
    except scorer.FindingsError as error:
        return error.errors


@functools.lru_cache(maxsize=None)
def bound(scorer, reader: FastReader, partial: bool):
    """The reader bound to its scorer (its summarizer compiled once)."""
    return reader.bind(scorer, partial, False)


def with_number(findings: dict, path: str, measure: str, written: str) -> bytes:
    """The findings as JSON text with one measured value written as given."""
    findings["items"][path]["measures"][measure] = "@NUMBER@"
    text = json.dumps(findings, ensure_ascii=False)
    return text.replace('"@NUMBER@"', written).encode("utf-8")


def test_bounds_are_every_number_a_measure_is_compared_with() -> None:
    rubric = compiled(MINI).rubric
    measured = {item.key: item for item in lower(rubric).items if item.measures}
    assert compared_numbers(measured["measured"]) == {Decimal(n) for n in ("0", "100", "50", "30", "80")}
    assert compared_numbers(measured["tiers"]) == {Decimal(n) for n in ("0", "100", "90", "80", "60")}


@pytest.mark.parametrize(
    "written, points",
    [
        ("92.5", 20),
        ("90", 20),
        ("90.0", 20),
        ("9e1", 20),
        # Rounds to the double 90.0, but is below 90: from_80, as exact.
        ("89.99999999999999999", 15),
        ("89.9999999999999", 15),
        ("80.000000000000000001", 15),
        ("79.999999999999999999", 10),
    ],
)
def test_a_value_next_to_a_tier_bound_scores_as_written(written: str, points: int) -> None:
    compilation, scorer = shipped()
    reader = FastReader.of(compilation.rubric)
    data = with_number(fixture_findings(), "performance.service_quality", "satisfaction", written)
    summary = batch_reading(scorer, reader, data)
    assert summary == own_reading(scorer, data)
    brand_and_benefit = own_reading(scorer, with_number(fixture_findings(), "performance.service_quality",
                                                        "satisfaction", "0"))["sections"]["performance"]
    assert summary["sections"]["performance"] == brand_and_benefit + points


@pytest.mark.parametrize(
    "written",
    ["100.00000000000000001", "1e400", "-0.0000000000000000001", "123456789012345678901234", "NaN", "1.5e-400"],
)
def test_out_of_range_and_odd_numbers_give_the_scorers_own_answer(written: str) -> None:
    compilation, scorer = shipped()
    reader = FastReader.of(compilation.rubric)
    data = with_number(fixture_findings(), "basics.training", "completion", written)
    assert batch_reading(scorer, reader, data) == own_reading(scorer, data)


@pytest.mark.parametrize(
    "record",
    [
        b"{not json",
        b"[1]",
        b"\xef\xbb\xbf" + json.dumps(fixture_findings()).encode(),  # a byte order mark
        json.dumps(fixture_findings()).encode("utf-16"),
        b'{"a": "\\ud800"}',
        json.dumps({**fixture_findings(), "conditions": {"self_assessed": 1}}).encode(),
    ],
)
def test_bad_records_are_worded_by_the_scorers_own_reader(record: bytes) -> None:
    compilation, scorer = shipped()
    assert batch_reading(scorer, FastReader.of(compilation.rubric), record) == own_reading(scorer, record)


def test_a_record_with_one_for_true_is_refused() -> None:
    """orjson reads 1 as an int, as json does: no truthy value passes for true."""
    compilation, scorer = shipped()
    findings = fixture_findings()
    findings["items"]["basics.policy"]["requirements"]["has_policy"] = 1
    data = json.dumps(findings).encode()
    assert batch_reading(scorer, FastReader.of(compilation.rubric), data) == [
        "items.basics.policy.requirements.has_policy: expected true or false, got 1"
    ]


# Decimal texts as a person or a tool writes them: digits, a point, an
# exponent, sometimes far more digits than a double holds.
decimal_texts = st.builds(
    lambda sign, whole, fraction, exponent: f"{sign}{whole}{'.' + fraction if fraction else ''}{exponent}",
    st.sampled_from(["", "-"]),
    st.from_regex(re.compile(r"(0|[1-9][0-9]{0,20})"), fullmatch=True),
    st.from_regex(re.compile(r"[0-9]{0,25}"), fullmatch=True),
    st.sampled_from(["", "e1", "e-1", "E+2", "e-5", "e0"]),
)


@settings(max_examples=400, deadline=None)
@given(decimal_texts)
def test_the_batch_reads_every_number_as_the_scorer_does(text: str) -> None:
    """The batch's exactness rests on its decoder giving each number the
    scorer's own reading: the same int, the same Decimal (digits, exponent
    and sign as written), never a float."""
    scorer = mini_scorer()
    decode = bound(scorer, FastReader.of(compiled(MINI).rubric), False).decode
    data = ('{"m": [%s]}' % text).encode()
    read, own = decode(data)["m"][0], scorer._DECODER.decode(data.decode())["m"][0]
    assert type(read) is type(own)
    if type(own) is scorer._Unreadable:  # beyond MAX_DIGITS: refused, as the scorer refuses it
        assert (read.text, read.problem) == (own.text, own.problem)
    else:
        assert read == own and str(read) == str(own)


@settings(max_examples=300, deadline=None)
@given(
    completion=st.one_of(decimal_texts, st.sampled_from(["30", "50", "49.99999999999999999", "100", "30.0"])),
    satisfaction=st.one_of(decimal_texts, st.sampled_from(["60", "80.0", "89.999999999999999", "90"])),
    partial=st.booleans(),
)
def test_the_fast_reader_agrees_with_the_scorers_own(completion: str, satisfaction: str, partial: bool) -> None:
    scorer = mini_scorer()
    reader = FastReader.of(compiled(MINI).rubric)
    from .scoring_helpers import complete_findings

    findings = complete_findings(compiled(MINI).rubric)
    findings["items"]["b.tiers"]["measures"]["satisfaction"] = "@SATISFACTION@"
    data = with_number(findings, "a.measured", "completion", completion)
    data = data.replace(b'"@SATISFACTION@"', satisfaction.encode())
    assert batch_reading(scorer, reader, data, partial) == own_reading(scorer, data, partial)


@settings(max_examples=400, deadline=None)
@given(
    edits=st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1, exclude_max=True),
            st.integers(min_value=0, max_value=3),
            st.sampled_from([b'"', b"\\", b",", b":", b"{", b"}", b"[", b"]", b"1", b".", b"e", b"-", b" ",
                             b"\x00", b"\xff", b"\xe4\xb8", b"true", b"null", b"NaN", b"\\u0000", b"\\ud800"]),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_mangled_records_read_the_same_both_ways(edits) -> None:
    """Bytes deleted, replaced or inserted anywhere in a record: whatever
    orjson accepts or rejects, the batch says what the scorer alone says."""
    compilation, scorer = shipped()
    reader = FastReader.of(compilation.rubric)
    data = json.dumps(fixture_findings(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    for where, how, text in edits:
        at = int(where * len(data))
        if how == 0:
            data = data[:at] + data[at + 1:]
        elif how == 1:
            data = data[:at] + text + data[at + 1:]
        else:
            data = data[:at] + text + data[at:]
    assert batch_reading(scorer, reader, data) == own_reading(scorer, data)


@pytest.mark.parametrize(
    "remarks, refused",
    [
        ({"remark": "现场查看", "requirement_remarks": {"has_objectives": "未见", "has_policy": ""}}, False),
        ({"requirement_remarks": {"_note": 1, "has_objectives": "未见"}}, False),
        ({"remark": "\ud800"}, True),
        ({"requirement_remarks": {"has_objectivs": "未见"}}, True),
        ({"requirement_remarks": {"has_objectives": 3}}, True),
    ],
)
def test_the_batch_reads_remarks_as_the_scorer_does(remarks: dict, refused: bool) -> None:
    compilation, scorer = shipped()
    reader = FastReader.of(compilation.rubric)
    findings = fixture_findings()
    findings["items"]["basics.policy"].update(remarks)
    data = json.dumps(findings, ensure_ascii=False).encode("utf-8", "surrogatepass")
    data = data.replace("\ud800".encode("utf-8", "surrogatepass"), b"\\ud800")
    reading = batch_reading(scorer, reader, data)
    assert reading == own_reading(scorer, data)
    if refused:
        assert isinstance(reading, list) and reading
    else:
        assert reading == own_reading(scorer, json.dumps(fixture_findings()).encode())


def test_an_integer_the_scorer_refuses_is_found_wherever_json_can_hold_one() -> None:
    """msgspec reads integers of any length the scorer refuses (more than
    40 digits); a note may hold one, and the batch then asks the scorer."""
    from rubricdsl.scoring import _may_hold_a_long_integer

    for text in (b'{"_n":' + b"1" * 41 + b"}", b'{"_n":[-' + b"9" * 45 + b"]}", b'{"_n":\n ' + b"1" * 40 + b"}"):
        assert _may_hold_a_long_integer(text), text
    assert not _may_hold_a_long_integer(b'{"_n":' + b"1" * 39 + b',"m":77.36}')
    compilation, scorer = shipped()
    findings = fixture_findings()
    findings["items"]["basics.policy"]["_note"] = 10**45
    data = json.dumps(findings).encode()
    reading = batch_reading(scorer, FastReader.of(compilation.rubric), data)
    assert reading == own_reading(scorer, data) and isinstance(reading, list)


@pytest.mark.parametrize(
    "text",
    [b'{"a":1,}', b'{"a":1}\x00', b"\x0c{}", b'{"a":\x0c1}', b"[1,]", b"{'a':1}", b'{"a":01}', b'{"a":1.}', b'{"a":.5}',
     b'{"a":+1}', b'{"a":0x10}', b'{"a":Infinity}', b'{"a":NaN}', b'{"a":1e}', b'"\\u00e9"', b'{"\\ud800":1}',
     b'{"a":1}\r', b'\t{"a" :\r\n1}\n', b'{"a":-}', b'{"a":1E+}', b'{"a":"\x7f"}', b'{"a":"\x1f"}', b"\xc0\x80",
     b'"\xed\xa0\x80"', b'"\xf4\x90\x80\x80"', b'{"a":1}{}', b"", b" ", b"nul", b"[1e5000]", b'{"a":-0.0e-0}',
     b'"\\/"', b'"\\a"', b'"\\u12"', b'{"a":1 2}', b'{"a":1,"a":2}', b"[" + b"1" * 60 + b"]", b"[-" + b"9" * 5000 + b"]"],
)
def test_what_the_batchs_decoder_reads_the_scorers_decoder_reads_alike(text: bytes) -> None:
    """The batch's decoder may refuse more than the scorer's (the scorer's
    own reader then words it); what it reads, it reads as the scorer's
    does, but for integers of more than 40 digits, which the scorer
    refuses and the batch finds in the text (see the test above)."""
    scorer = mini_scorer()
    decode = bound(scorer, FastReader.of(compiled(MINI).rubric), False).decode
    try:
        read = decode(text)
    except Exception:
        return
    own = scorer._DECODER.decode(text.decode("utf-8"))
    assert repr(read) == repr(own) or scorer._unreadable(own)


def read_by_the_structs(reader, data: bytes) -> bool:
    """Whether the record was read into the rubric's Structs and summed
    there, not handed to the scorer's own checks."""
    try:
        reader.summarizer(reader.read(data), False)
    except Exception:
        return False
    return True


FIXTURE_TEXT = json.dumps(fixture_findings(), ensure_ascii=False)
POLICY = '"basics.policy": {"status": "assessed", '
COMPLETION = '"completion": 45'
assert POLICY in FIXTURE_TEXT and COMPLETION in FIXTURE_TEXT


@pytest.mark.parametrize(
    "text, read_typed",
    [
        # A key given twice keeps its last value, in msgspec's Structs as in the scorer's reader
        # (which check the type of each: a first of the wrong type is left to the scorer).
        (FIXTURE_TEXT.replace('"organization": ', '"organization": " ", "organization": ', 1), True),
        (FIXTURE_TEXT.replace('"organization": ', '"organization": 1, "organization": ', 1), False),
        (FIXTURE_TEXT.replace('"date": ', '"organization": 1, "date": ', 1), False),
        (FIXTURE_TEXT.replace(POLICY, '"basics.policy": {"status": "absent", "status": "assessed", '), True),
        (FIXTURE_TEXT.replace(POLICY, '"basics.policy": {"status": "assessed", "status": "absent", '), False),
        (FIXTURE_TEXT.replace(COMPLETION, '"completion": 101, "completion": 45'), True),
        (FIXTURE_TEXT.replace(COMPLETION, '"completion": 45, "completion": 101'), False),
        # Keys written with escapes are the keys they spell: a note is a note.
        (FIXTURE_TEXT.replace('"status": "assessed"', '"st\\u0061tus": "assessed"', 1), True),
        (FIXTURE_TEXT.replace(POLICY, POLICY + '"\\u005fnote": [1, {"a": null}], '), False),
        (FIXTURE_TEXT.replace(POLICY, POLICY + '"_note": ' + "[" * 40 + "]" * 40 + ", "), False),
        (FIXTURE_TEXT.replace(POLICY, POLICY + '"_note": ' + "9" * 45 + ", "), False),
        (FIXTURE_TEXT.replace(POLICY, POLICY + '"_note": "\\ud800", '), False),
        (FIXTURE_TEXT.replace(POLICY, POLICY + '"_note": NaN, '), False),
        # Numbers: as the scorer reads them, never a float; refused as it refuses them.
        (FIXTURE_TEXT.replace(COMPLETION, '"completion": 4.5e1'), True),
        (FIXTURE_TEXT.replace(COMPLETION, '"completion": 45.000000000000000000000000000000000000001'), False),
        (FIXTURE_TEXT.replace(COMPLETION, '"completion": 0.0000000000000000000000000000000000000000045e41'), False),
        (FIXTURE_TEXT.replace(COMPLETION, '"completion": ' + "4" + "0" * 44), False),
        (FIXTURE_TEXT.replace(COMPLETION, '"completion": ' + "4" * 5000), False),
        (FIXTURE_TEXT.replace(COMPLETION, '"completion": NaN'), False),
        (FIXTURE_TEXT.replace(COMPLETION, '"completion": "45"'), False),
        (FIXTURE_TEXT.replace(COMPLETION, '"completion": [45]'), False),
        (FIXTURE_TEXT.replace(COMPLETION, '"completion": ' + "[" * 3000 + "]" * 3000), False),
        (FIXTURE_TEXT.replace(COMPLETION, '"completion": true'), False),
        # Texts: a lone surrogate or bytes that are not UTF-8 are refused with the scorer's words.
        (FIXTURE_TEXT.replace("某市", "\\ud800某市"), False),
        (FIXTURE_TEXT.replace("某市", "\\udc00\\ud800"), False),
        (FIXTURE_TEXT.replace("某市", "\\ud83d\\ude00"), True),
        (FIXTURE_TEXT.replace('"has_policy": true', '"has_policy": 1'), False),
        (FIXTURE_TEXT.replace('"version": "2020-draft"', '"version": "2020-draft", "content_hash": null'), False),
        (FIXTURE_TEXT.replace(POLICY, POLICY + '"remark": null, '), False),
        (FIXTURE_TEXT.replace(POLICY, POLICY + '"requirement_remarks": {"has_policy": "x", "has_policy": 3}, '), False),
        (FIXTURE_TEXT.replace(POLICY, POLICY + '"requirement_remarks": {"has_policy": 3, "has_policy": "x"}, '), False),
        (FIXTURE_TEXT.replace(POLICY, POLICY + '"requirement_remarks": {"has_policy": "", "has_policy": "x"}, '), True),
        ("\ufeff" + FIXTURE_TEXT, False),
        (FIXTURE_TEXT + " \r", True),
    ],
)
def test_the_rubrics_structs_read_a_record_as_the_scorer_does_or_hand_it_over(text: str, read_typed: bool) -> None:
    """Keys given twice or escaped, notes holding what the scorer refuses,
    numbers beyond its digits, lone surrogates, deep nesting: the batch's
    Structs read the record as the scorer's reader does, or refuse it and
    the scorer's own reader and checks give the row or the problems."""
    compilation, scorer = shipped()
    reader = bound(scorer, FastReader.of(compilation.rubric), False)
    data = text.encode("utf-8", "surrogatepass")
    assert batch_reading(scorer, FastReader.of(compilation.rubric), data) == own_reading(scorer, data)
    assert read_by_the_structs(reader, data) is read_typed


def noted_findings() -> dict:
    """The fixture's findings with notes where a filled-in blank template
    has them: at the top, beside each item, status and answer."""
    findings = fixture_findings()
    findings = {"_findings": "Findings for the standard", **findings}
    for path, found in findings["items"].items():
        found["_status"] = '"assessed"; "not_applicable"; "absent"'
        for key in list(found.get("requirements", {})):
            found["requirements"]["_" + key] = "a note"
    findings["items"] = {**{"_" + path: "1.1 " + path for path in findings["items"]}, **findings["items"]}
    return findings


@pytest.mark.parametrize(
    "edit, problems",
    [
        (lambda findings: None, False),
        (lambda findings: findings["items"]["basics.policy"]["requirements"].update(has_policy=1), True),
        (lambda findings: findings["items"]["basics.policy"].update(_note="@DEEP@"), True),
        (lambda findings: findings["items"]["basics.policy"].update(_note=10**45), True),
        (lambda findings: findings["items"]["basics.policy"]["requirements"].pop("has_policy"), True),
        (lambda findings: findings["items"]["basics.policy"].update(remark="现场查看"), False),
    ],
)
def test_a_record_with_notes_is_read_as_the_scorer_reads_it(edit, problems: bool) -> None:
    """A filled-in blank template holds notes, which no Struct names: the
    scorer's checks read it without them, and a problem beside the notes
    (or in one: nested too deep, a number too long) is still the scorer's."""
    compilation, scorer = shipped()
    findings = noted_findings()
    edit(findings)
    data = json.dumps(findings, ensure_ascii=False).replace('"@DEEP@"', "[" * 40 + "]" * 40).encode("utf-8")
    reading = batch_reading(scorer, FastReader.of(compilation.rubric), data)
    assert reading == own_reading(scorer, data)
    assert isinstance(reading, list) is problems
    if not problems:
        assert reading == own_reading(scorer, json.dumps(fixture_findings()).encode())
