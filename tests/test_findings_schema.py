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


def test_accepts_the_fixture_with_notes(schema) -> None:
    findings = fixture_findings()
    findings["_note"] = "x"
    findings["items"]["basics.policy"]["requirements"]["_has_policy"] = "有组织方针"
    assert list(validator(schema).iter_errors(findings)) == []


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
