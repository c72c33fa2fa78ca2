"""The README: every example of its language reference parses, and every
shell command in it runs as written."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from rubricdsl.frontend import compile_source

from .conftest import ROOT
from .scoring_helpers import shipped_scorer

HEAD = 'rubric demo\n  title "D"\n  version "1"\n  full marks 10\n  pass at 6\n'


def language_examples() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The language") : readme.index("## The command line")]
    return re.findall(r"^```\n(.*?)^```", section, flags=re.S | re.M)


def as_rubric(example: str) -> str:
    """An example as a whole rubric: fragments get a header and a section."""
    first = example.lstrip().split(None, 1)[0]
    if first in ("rubric", "#"):
        return example
    if first in ("section", "condition", "policy"):
        return HEAD + example
    return HEAD + 'section s "S" points 10\n' + example


def test_every_language_example_parses() -> None:
    examples = language_examples()
    assert len(examples) >= 8
    for example in examples:
        compilation = compile_source(as_rubric(example), "README.md")
        syntax = [d for d in compilation.diagnostics if d.code.startswith("E1")]
        assert syntax == [], f"{syntax}\n{example}"
        assert compilation.rubric is not None


# ---- the README's shell commands, run as written ----------------------------------

# Every command of the README's ```sh blocks is here: run in a copy of the
# repository with its expected exit code, or not run, saying why.  A new
# command in the README fails the test until it is listed.
NOT_RUN = {
    "python3 -m venv": "installs the package",
    ".venv/bin/python -m pytest": "the test suite itself",
    "UPDATE_GOLDEN=1": "the test suite itself",
    ". .venv/bin/activate": "shell set-up; the commands below run with the venv's interpreter",
    "apt-get install": "installs system packages",
    "(cd tests/js && npm ci)": "installs Node packages",
}
EXPECTED_EXIT = {
    "rubricdsl check": 0,
    "rubricdsl inspect": 0,
    "rubricdsl fmt": 0,
    "rubricdsl build --check": 0,
    "rubricdsl template": 0,
    "rubricdsl score": 0,
    "rubricdsl panel": 0,
    "python generated/": 0,
    "rubricdsl diff": 1,  # the revisions differ
}


def shell_commands() -> list[str]:
    """Every command line of the README's ```sh blocks, its comment cut off."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", readme, flags=re.S | re.M):
        for line in block.splitlines():
            command = re.sub(r"(^|\s+)#.*", "", line).strip()
            if command:
                commands.append(command)
    return commands


def expected_exit(command: str) -> int | None:
    """The exit code a command must give, or None when it is not run."""
    if any(command.startswith(prefix) for prefix in NOT_RUN):
        return None
    matches = [prefix for prefix in EXPECTED_EXIT if command.startswith(prefix)]
    assert matches, f"README command not known to tests/test_readme.py (is it safe to run?): {command}"
    return EXPECTED_EXIT[max(matches, key=len)]


def users_files(folder: Path) -> None:
    """The files the README's examples presuppose a user has: five
    evaluators' findings, a batch, two revisions of the rubric."""
    fixture = json.loads((folder / "tests/fixtures/findings/t-cssg-001.5-2020.json").read_text(encoding="utf-8"))
    for index, name in enumerate("abcde"):
        member = dict(fixture, evaluators=[f"评估员{index + 1}"], remarks=f"成员 {index + 1}")
        (folder / f"{name}.json").write_text(json.dumps(member, ensure_ascii=False), encoding="utf-8")
    (folder / "city.jsonl").write_text(json.dumps(fixture, ensure_ascii=False) + "\n", encoding="utf-8")
    # A panel's files: one evaluator's complete findings under this revision, and the member files the
    # form exports, one per member.
    scorer = shipped_scorer()
    own = dict(fixture, rubric=dict(fixture["rubric"], content_hash=scorer.CONTENT_HASH))
    (folder / "mine.json").write_text(json.dumps(own, ensure_ascii=False), encoding="utf-8")
    for index in range(1, 6):
        member = scorer.signed_findings(dict(own, evaluators=[f"成员{index}"]))
        (folder / f"member{index}.json").write_text(json.dumps(member, ensure_ascii=False), encoding="utf-8")
    rubric = (folder / "rubrics/t-cssg-001.5-2020.rubric").read_text(encoding="utf-8")
    (folder / "new.rubric").write_text(rubric, encoding="utf-8")
    older = rubric.replace('version "2020-draft"', 'version "2019-draft"', 1).replace("deduct 2 ", "deduct 1 ", 1)
    assert older != rubric
    (folder / "old.rubric").write_text(older, encoding="utf-8")


def as_process(command: str) -> tuple[list[str], str | None]:
    """The command's argv, run by this interpreter (the venv's), and the file
    its standard input comes from, if any."""
    words = shlex.split(command)
    stdin = None
    if "<" in words:
        at = words.index("<")
        stdin, words = words[at + 1], words[:at] + words[at + 2 :]
    assert not {"|", ">", "&&", ";"} & set(words), f"a README command the test cannot run: {command}"
    if words[0] == "rubricdsl":
        return [sys.executable, "-m", "rubricdsl.cli", *words[1:]], stdin
    if words[0] == "python":
        return [sys.executable, *words[1:]], stdin
    raise AssertionError(f"not a rubricdsl or python command: {command}")


def test_every_readme_shell_command_runs_as_written(tmp_path: Path) -> None:
    folder = tmp_path / "repository"
    shutil.copytree(
        ROOT, folder, ignore=shutil.ignore_patterns(".git", ".venv", "node_modules", ".hypothesis", ".pytest_cache", "__pycache__")
    )
    users_files(folder)
    commands = shell_commands()
    ran = []
    for command in commands:
        expected = expected_exit(command)
        if expected is None:
            continue
        argv, stdin = as_process(command)
        with open(folder / stdin, "rb") if stdin else open(os.devnull, "rb") as source:
            done = subprocess.run(argv, cwd=folder, stdin=source, capture_output=True, text=True, encoding="utf-8")
        assert done.returncode == expected, f"{command}\nexit {done.returncode}\n{done.stderr}"
        ran.append(command)
        if command.startswith("rubricdsl template") and command.endswith("-o findings.json"):
            blank = json.loads((folder / "findings.json").read_text(encoding="utf-8"))
            assert blank["format"] == "rubricdsl-findings/1" and blank["organization"] == ""
            # What the evaluator does next: fill it in.
            shutil.copy(folder / "tests/fixtures/findings/t-cssg-001.5-2020.json", folder / "findings.json")
    for subcommand in ("check", "inspect", "template", "score", "fmt --check", "build --check", "diff", "panel", "panel verify"):
        assert any(command.startswith(f"rubricdsl {subcommand}") for command in ran), subcommand
    assert any(command.startswith("python generated/") for command in ran)
    assert (folder / "summary.csv").exists() and (folder / "summary.summary.json").exists()
    assert "评估组一致意见表" in (folder / "consensus.html").read_text(encoding="utf-8")
