"""generated/<id>/findings.schema.json: a valid draft 2020-12 schema that
accepts and refuses complete findings as the scorer does."""

from __future__ import annotations

import copy
import json

import pytest

from rubricdsl.backends import BuildContext
from rubricdsl.backends.findings_schema import render

from .conftest import ROOT
from .scoring_helpers import SHIPPED_SOURCE, fixture_findings, shipped

jsonschema = pytest.importorskip("jsonschema")

GENERATED = ROOT / "generated" / "t-cssg-001.5-2020" / "findings.schema.json"


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(render(BuildContext.of(shipped()[0], SHIPPED_SOURCE)))


def validator(schema):
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_is_a_valid_2020_12_schema_naming_its_source(schema) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SHIPPED_SOURCE in schema["$comment"] and shipped()[0].sha256 in schema["$comment"]
    assert "rubricdsl 0.1.0" in schema["$comment"]


def test_the_committed_schema_is_current(schema) -> None:
    assert json.loads(GENERATED.read_text(encoding="utf-8")) == schema


def test_accepts_a_member_file_and_refuses_a_digest_that_is_none(schema) -> None:
    from .scoring_helpers import shipped_scorer

    member = shipped_scorer().signed_findings(fixture_findings())
    assert list(validator(schema).iter_errors(member)) == []
    member["digest"] = "sha256:ABC"
    assert list(validator(schema).iter_errors(member))


def test_accepts_the_fixture_with_notes(schema) -> None:
    findings = fixture_findings()
    findings["_note"] = "x"
    findings["items"]["basics.policy"]["requirements"]["_has_policy"] = "有组织方针"
    assert list(validator(schema).iter_errors(findings)) == []


def _rule_out_databases(findings: dict) -> None:
    platform = findings["items"]["management.platform"]
    platform["groups"] = {"databases": {"status": "absent"}}
    for key in [key for key in platform["requirements"] if key.startswith("databases.")]:
        del platform["requirements"][key]
    platform["requirement_remarks"] = {"databases.city": "市级数据库缺", "platform_requirements.general": ""}


def _remarks(path: str, **remarks):
    return lambda f: f["items"][path].update(remarks)


REMARKS_ACCEPTED = {
    "item remark": _remarks("basics.policy", remark="目标文件未见\n见附件 | *1*"),
    "empty item remark": _remarks("basics.policy", remark=""),
    "requirement remarks": _remarks("basics.policy", requirement_remarks={"has_objectives": "无", "has_policy": ""}),
    "a requirement decided by a measure": _remarks("basics.training", requirement_remarks={"plan_completed": "45%"}),
    "on a not applicable item": _remarks("posts.big_data_posts", remark="本级不设", requirement_remarks={}),
    "on an absent item": _remarks("posts.grid_posts", remark="未设岗位"),
    "on a group ruled absent": _rule_out_databases,
    "a note among them": _remarks("basics.policy", requirement_remarks={"_has_policy": 1}),
}
REMARKS_REFUSED = {
    "remark not text": _remarks("basics.policy", remark=5),
    "remark null": _remarks("basics.policy", remark=None),
    "unknown requirement": _remarks("basics.policy", requirement_remarks={"has_objectivs": "无"}),
    "a part is not a requirement": _remarks("basics.organization", requirement_remarks={"chart_exists": "有"}),
    "requirement remark not text": _remarks("basics.policy", requirement_remarks={"has_policy": False}),
    "requirement remarks a list": _remarks("basics.policy", requirement_remarks=["无"]),
    "a remark as the old single key": _remarks("basics.policy", remarks="x"),
}


MUTATIONS = {
    "unknown item key": lambda f: f["items"]["basics.policy"].update(extra=1),
    "reason on an assessed item": lambda f: f["items"]["basics.policy"].update(reason="r"),
    "requirements on an N/A item": lambda f: f["items"]["basics.policy"].update(status="not_applicable", reason="r"),
    "absent with reason": lambda f: f["items"].update({"basics.policy": {"status": "absent", "reason": "r"}}),
    "blank reason": lambda f: f["items"].update({"basics.policy": {"status": "not_applicable", "reason": " "}}),
    "level false": lambda f: f["items"]["foundation.structure"]["requirements"].update(table=False),
    "level key": lambda f: f["items"]["foundation.structure"]["requirements"].update(table="unclear"),
    "part missing": lambda f: f["items"]["basics.organization"]["requirements"]["organization_chart"].pop("chart_exists"),
    "measure too high": lambda f: f["items"]["basics.training"]["measures"].update(completion=100.5),
    "measure at the top": lambda f: f["items"]["basics.training"]["measures"].update(completion=100),
    "choice unknown": lambda f: f["items"]["performance.brand"].update(choice="global"),
    "choice null": lambda f: f["items"]["performance.brand"].update(choice=None),
    "condition as text": lambda f: f["conditions"].update(self_assessed="yes"),
    "missing condition": lambda f: f["conditions"].pop("self_assessed"),
    "missing item": lambda f: f["items"].pop("basics.policy"),
    "another rubric": lambda f: f["rubric"].update(id="x"),
    "bad date": lambda f: f.update(date="2026-02-30"),
    "no evaluators": lambda f: f.update(evaluators=[]),
    "blank organization": lambda f: f.update(organization=""),
    "item note": lambda f: f["items"]["basics.policy"].update(_why="note"),
    **{f"remarks: {name}": change for name, change in (REMARKS_ACCEPTED | REMARKS_REFUSED).items()},
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_refuses_what_the_scorer_refuses(schema, name) -> None:
    scorer = shipped()[1]
    findings = copy.deepcopy(fixture_findings())
    MUTATIONS[name](findings)
    by_schema = not list(validator(schema).iter_errors(findings))
    by_scorer = not scorer.validate(findings)
    assert by_schema == by_scorer, name


def test_the_template_is_not_yet_valid(schema) -> None:
    from rubricdsl.scoring import template

    assert list(validator(schema).iter_errors(template(shipped()[0].rubric)))


@pytest.mark.parametrize("name", sorted(REMARKS_ACCEPTED))
def test_remarks_are_accepted_anywhere_an_item_or_requirement_is(schema, name) -> None:
    findings = copy.deepcopy(fixture_findings())
    REMARKS_ACCEPTED[name](findings)
    assert shipped()[1].validate(findings) == []
    assert list(validator(schema).iter_errors(findings)) == []


@pytest.mark.parametrize("name", sorted(REMARKS_REFUSED))
def test_bad_remarks_are_refused(schema, name) -> None:
    findings = copy.deepcopy(fixture_findings())
    REMARKS_REFUSED[name](findings)
    assert shipped()[1].validate(findings)
    assert list(validator(schema).iter_errors(findings))
