"""Nothing a user gave is lost: an output that is an input is refused, and
fmt neither forces a read-only file nor changes a file's owner or mode.
Every case through the command a user would type (CliRunner)."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from rubricdsl.cli import EXIT_USAGE

from .conftest import ROOT, SHIPPED_RUBRIC, run_in

run = run_in
from .scoring_helpers import FIXTURE

MESSY = 'rubric demo\n title "Demo"\n'



@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(SHIPPED_RUBRIC, tmp_path / "r.rubric")
    shutil.copy(FIXTURE, tmp_path / "f.json")
    (tmp_path / "c.jsonl").write_bytes(FIXTURE.read_bytes().replace(b"\n", b" ") + b"\n")
    return tmp_path


def unchanged(folder: Path, *names: str) -> None:
    originals = {"r.rubric": SHIPPED_RUBRIC.read_bytes(), "f.json": FIXTURE.read_bytes()}
    for name in names:
        assert (folder / name).read_bytes() == originals[name], name


@pytest.mark.parametrize(
    "args, output, given",
    [
        (["template", "r.rubric", "-o", "r.rubric"], "r.rubric", "r.rubric"),
        (["score", "r.rubric", "f.json", "-o", "f.json"], "f.json", "f.json"),
        (["score", "r.rubric", "f.json", "-o", "r.rubric"], "r.rubric", "r.rubric"),
        (["score", "r.rubric", "--batch", "c.jsonl", "-o", "c.jsonl"], "c.jsonl", "c.jsonl"),
        (["score", "r.rubric", "--batch", "c.jsonl", "-o", "s.csv", "--summary", "r.rubric"], "r.rubric", "r.rubric"),
        (["score", "r.rubric", "--batch", "c.jsonl", "-o", "./sub/../c.jsonl"], "./sub/../c.jsonl", "c.jsonl"),
    ],
)
def test_an_output_that_is_an_input_is_refused(folder: Path, args, output, given) -> None:
    (folder / "sub").mkdir()
    before = (folder / "c.jsonl").read_bytes()
    result = run(folder, *args)
    assert result.exit_code == EXIT_USAGE
    same = "" if output == given else f" ({given})"
    assert f"{output}: is an input of this command{same}; give another output path" in result.stderr
    unchanged(folder, "r.rubric", "f.json")
    assert (folder / "c.jsonl").read_bytes() == before


def test_an_input_is_known_by_its_identity_not_its_name(folder: Path) -> None:
    (folder / "link.json").symlink_to(folder / "f.json")
    os.link(folder / "r.rubric", folder / "hard.rubric")
    for args, output, given in [
        (["score", "r.rubric", "f.json", "-o", "link.json"], "link.json", "f.json"),
        (["template", "r.rubric", "-o", "hard.rubric"], "hard.rubric", "r.rubric"),
    ]:
        result = run(folder, *args)
        assert result.exit_code == EXIT_USAGE
        assert f"{output}: is an input of this command ({given})" in result.stderr
    unchanged(folder, "r.rubric", "f.json")


def test_a_batch_folder_output_that_is_one_of_its_findings_is_refused(folder: Path) -> None:
    (folder / "batch").mkdir()
    shutil.copy(FIXTURE, folder / "batch" / "a.json")
    result = run(folder, "score", "r.rubric", "--batch", "batch", "-o", "out.csv", "--summary", "batch/a.json")
    assert result.exit_code == EXIT_USAGE
    assert "batch/a.json: is an input of this command" in result.stderr
    assert (folder / "batch" / "a.json").read_bytes() == FIXTURE.read_bytes()
    assert not (folder / "out.csv").exists()


def test_write_errors_name_the_users_file_not_the_temporary_one(folder: Path, monkeypatch) -> None:
    def full(source, target):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(source))

    monkeypatch.setattr(os, "replace", full)
    result = run(folder, "template", "r.rubric", "-o", "blank.json")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == "Error: cannot write blank.json: No space left on device\n"
    assert sorted(p.name for p in folder.iterdir()) == ["c.jsonl", "f.json", "r.rubric"]


# ---- fmt --------------------------------------------------------------------------


def test_fmt_leaves_a_read_only_file_alone_and_says_so(tmp_path: Path) -> None:
    locked, messy = tmp_path / "locked.rubric", tmp_path / "messy.rubric"
    for path in (locked, messy):
        path.write_text(MESSY, encoding="utf-8")
    locked.chmod(0o444)
    result = run(tmp_path, "fmt", "locked.rubric", "messy.rubric")
    assert result.exit_code == EXIT_USAGE
    assert "locked.rubric: read-only, not formatted (make it writable to format it)" in result.stderr
    assert locked.read_text(encoding="utf-8") == MESSY and locked.stat().st_mode & 0o777 == 0o444
    assert messy.read_text(encoding="utf-8") != MESSY, "the writable file is still formatted"


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_fmt_keeps_the_owner_group_and_mode_of_a_file_it_rewrites(tmp_path: Path) -> None:
    path = tmp_path / "theirs.rubric"
    path.write_text(MESSY, encoding="utf-8")
    os.chown(path, 4321, 8765)
    path.chmod(0o664)
    result = run(tmp_path, "fmt", "theirs.rubric")
    assert result.exit_code == 0, result.stderr
    status = path.stat()
    assert (status.st_uid, status.st_gid, status.st_mode & 0o7777) == (4321, 8765, 0o664)
    assert path.read_text(encoding="utf-8") != MESSY


# ---- a batch's two outputs --------------------------------------------------------


def test_a_batch_summary_never_replaces_the_evaluators_findings(folder: Path) -> None:
    """`-o findings.csv` once wrote its summary over findings.json."""
    shutil.copy(FIXTURE, folder / "findings.json")
    result = run(folder, "score", "r.rubric", "--batch", "c.jsonl", "-o", "findings.csv")
    assert result.exit_code == 0, result.stderr
    assert (folder / "findings.json").read_bytes() == FIXTURE.read_bytes()
    assert (folder / "findings.summary.json").exists()


def test_an_implicit_summary_replaces_only_an_earlier_summary(folder: Path) -> None:
    assert run(folder, "score", "r.rubric", "--batch", "c.jsonl", "-o", "s.csv").exit_code == 0
    again = run(folder, "score", "r.rubric", "--batch", "c.jsonl", "-o", "s.csv")
    assert again.exit_code == 0, "an earlier summary is replaced"
    (folder / "s.summary.json").write_text('{"mine": true}\n', encoding="utf-8")
    before = (folder / "s.csv").read_bytes()
    refused = run(folder, "score", "r.rubric", "--batch", "c.jsonl", "-o", "s.csv")
    assert refused.exit_code == EXIT_USAGE
    assert "s.summary.json: exists and is not a batch summary (rubricdsl-batch/1); not replaced" in refused.stderr
    assert (folder / "s.summary.json").read_text(encoding="utf-8") == '{"mine": true}\n'
    assert (folder / "s.csv").read_bytes() == before, "neither file of the pair was written"


def test_the_summary_seals_its_csv(folder: Path) -> None:
    import hashlib
    import json

    assert run(folder, "score", "r.rubric", "--batch", "c.jsonl", "-o", "s.csv").exit_code == 0
    summary = json.loads((folder / "s.summary.json").read_bytes())
    assert summary["csv_sha256"] == hashlib.sha256((folder / "s.csv").read_bytes()).hexdigest()
    assert len(summary["run"]) == 32
    assert sorted(p.name for p in folder.iterdir()) == ["c.jsonl", "f.json", "r.rubric", "s.csv", "s.summary.json"]


def test_the_summary_and_the_csv_cannot_be_one_file(folder: Path) -> None:
    result = run(folder, "score", "r.rubric", "--batch", "c.jsonl", "-o", "s.csv", "--summary", "./s.csv")
    assert result.exit_code == EXIT_USAGE
    assert "s.csv: is also the CSV (-o); give the summary another path" in result.stderr
    assert not (folder / "s.csv").exists()


def test_a_failed_batch_write_leaves_both_old_files(folder: Path, monkeypatch) -> None:
    assert run(folder, "score", "r.rubric", "--batch", "c.jsonl", "-o", "s.csv").exit_code == 0
    before = {name: (folder / name).read_bytes() for name in ("s.csv", "s.summary.json")}
    (folder / "c.jsonl").write_bytes((folder / "c.jsonl").read_bytes() * 2)
    from rubricdsl import files

    real = files.write_temporary

    def second_is_full(target, data, like=None):
        if target.name == "s.summary.json":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/somewhere/.s.summary.json.rubricdsl-x.tmp")
        return real(target, data, like=like)

    monkeypatch.setattr(files, "write_temporary", second_is_full)
    result = run(folder, "score", "r.rubric", "--batch", "c.jsonl", "-o", "s.csv")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == "Error: cannot write s.summary.json: No space left on device\n"
    assert {name: (folder / name).read_bytes() for name in before} == before
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
