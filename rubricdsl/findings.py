"""The findings file as a rubric shapes it (docs/findings.md).

Which keys an item's findings hold and what each answer is: the scorer
backend, the findings JSON Schema and `rubricdsl template` all read the shape
from here, so the three cannot disagree about what a findings file looks like.
"""

from __future__ import annotations

from functools import cached_property

from . import model as m
from .records import record

FINDINGS_FORMAT = "rubricdsl-findings/1"
RESULT_FORMAT = "rubricdsl-result/1"
PANEL_FORMAT = "rubricdsl-panel/1"
STATUSES = ("assessed", "not_applicable", "absent")
NOTE_PREFIX = "_"


@record(frozen=True)
class Answer:
    """One requirement as the findings see it."""

    key: str  # its key in the item's "requirements": "general" or "group.general"
    path: str  # "management.platform.platform_requirements.general"
    requirement: m.Requirement
    group: m.Group | None

    @cached_property  # asked for by the plan, the schema and the template
    def kind(self) -> str:
        """`met` (true/false), `levels` (true or a level key), `parts` (an
        object of part keys), or `measured` (decided by a measure)."""
        requirement = self.requirement
        if requirement.measure is not None:
            return "measured"
        if requirement.parts:
            return "parts"
        if isinstance(requirement.rule, m.LevelDeduction):
            return "levels"
        return "met"


@record(frozen=True)
class ItemShape:
    section: m.Section
    item: m.Item
    path: str  # "basics.policy"
    answers: tuple[Answer, ...]  # every requirement, in file order

    @cached_property
    def listed(self) -> tuple[Answer, ...]:
        """The answers written under "requirements" (not those a measure decides)."""
        return tuple(a for a in self.answers if a.kind != "measured")

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys an assessed item's object holds besides "status"."""
        keys = []
        if self.listed:
            keys.append("requirements")
        if self.item.measures:
            keys.append("measures")
        if self.item.choices:
            keys.append("choice")
        return tuple(keys)


def item_shapes(rubric: m.Rubric) -> list[ItemShape]:
    shapes = []
    for section in rubric.sections:
        for item in section.items:
            path = f"{section.key}.{item.key}"
            answers = [Answer(r.key, f"{path}.{r.key}", r, None) for r in item.requirements]
            for group in item.groups:
                answers += [
                    Answer(f"{group.key}.{r.key}", f"{path}.{group.key}.{r.key}", r, group)
                    for r in group.requirements
                ]
            shapes.append(ItemShape(section, item, path, tuple(answers)))
    return shapes

