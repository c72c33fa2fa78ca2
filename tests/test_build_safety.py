"""`rubricdsl build` deletes only what it wrote, is all or nothing, and
waits for a concurrent build: through the command a user types."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rubricdsl import build as builder
from rubricdsl.backends import outputs
from rubricdsl.files import locked

from .conftest import ROOT, SHIPPED_RUBRIC
from .test_build import ID, project, run, snapshot


def two_rubrics(tmp_path: Path, title: str = "") -> Path:
    folder = project(tmp_path)
    text = SHIPPED_RUBRIC.read_text(encoding="utf-8")
    if title:
        text = text.replace("  title ", f"  title \"{title}\"\n  note ", 1)
    (folder / "rubrics" / SHIPPED_RUBRIC.name).write_text(text, encoding="utf-8")
    (folder / "rubrics" / "second.rubric").write_text(text.replace(f"rubric {ID}", "rubric second", 1), encoding="utf-8")
    return folder


def revise(folder: Path, title: str) -> None:
    for path in (folder / "rubrics").glob("*.rubric"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("  title ", f"  title \"{title}\"\n  note ", 1), encoding="utf-8")


def test_a_folder_without_a_manifest_loses_nothing(tmp_path: Path) -> None:
    """`build -o ~/Desktop` once deleted every model.json, sheet.md, ...
    in every folder of the Desktop."""
    folder = project(tmp_path)
    desktop = folder / "Desktop"
    for name in ("model.json", "scorer.py", "sheet.md", "form.html", "findings.schema.json"):
        (desktop / "taxes").mkdir(parents=True, exist_ok=True)
        (desktop / "taxes" / name).write_text("someone's\n", encoding="utf-8")
    (desktop / ID).mkdir()
    (desktop / ID / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = run(folder, "build", "-o", "Desktop")
    assert result.exit_code == 0, result.stderr
    assert all(p.read_text(encoding="utf-8") == "someone's\n" for p in (desktop / "taxes").iterdir())
    assert (desktop / ID / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert (desktop / ID / "model.json").exists()


def test_the_shipped_folder_is_adopted_by_writing_its_manifest_only(tmp_path: Path) -> None:
    folder = project(tmp_path)
    shutil.copytree(ROOT / "generated", folder / "generated")
    (folder / "generated" / builder.MANIFEST).unlink()
    os.utime(folder / "generated" / ID / "form.html", (1_000_000_000, 1_000_000_000))
    result = run(folder, "build")
    assert result.stdout == "wrote generated/.rubricdsl-manifest.json\n"
    assert (folder / "generated" / ID / "form.html").stat().st_mtime == 1_000_000_000
    assert (folder / "generated" / builder.MANIFEST).read_bytes() == (ROOT / "generated" / builder.MANIFEST).read_bytes()


def test_check_says_what_build_removes_and_what_it_keeps(tmp_path: Path) -> None:
    folder = two_rubrics(tmp_path)
    run(folder, "build")
    (folder / "rubrics" / "second.rubric").unlink()
    (folder / "generated" / "second" / "sheet.md").write_text("annotated by hand\n", encoding="utf-8")
    checked = run(folder, "build", "--check")
    assert checked.exit_code == 1
    assert "stale: generated/.rubricdsl-manifest.json\n" in checked.stderr
    assert f"extra: generated/second/model.json: {builder.REMOVED_BY_BUILD}\n" in checked.stderr
    assert f"extra: generated/second/sheet.md: {builder.EDITED}\n" in checked.stderr
    assert checked.stderr.endswith("run 'rubricdsl build'\n")
    result = run(folder, "build")
    assert result.exit_code == 0
    assert "removed generated/second/model.json" in result.stdout
    assert f"kept generated/second/sheet.md: {builder.EDITED}" in result.stderr
    assert sorted(p.name for p in (folder / "generated" / "second").iterdir()) == ["sheet.md"]
    again = run(folder, "build", "--check")
    assert again.stderr == (
        f"extra: generated/second/sheet.md: {builder.NOT_OURS}\n"
        "build --check: generated files are out of date; remove by hand the files marked so above\n"
    )


def test_a_failure_on_the_fifth_file_leaves_every_previous_output(tmp_path: Path, monkeypatch) -> None:
    folder = two_rubrics(tmp_path)
    run(folder, "build")
    before = snapshot(folder / "generated")
    revise(folder, "Revision 2")
    real, calls = builder._write_new, []

    def fifth_is_full(path, data):
        calls.append(Path("generated") / path.parent.name[1:].rsplit(".new-", 1)[0] / path.name)
        if len(calls) == 5:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, data)

    monkeypatch.setattr(builder, "_write_new", fifth_is_full)
    result = run(folder, "build")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: cannot write {calls[4].as_posix()}: No space left on device; the previous outputs are as they were\n"
    )
    assert snapshot(folder / "generated") == before
    assert sorted(p.name for p in (folder / "generated").iterdir()) == [builder.MANIFEST, "second", ID]


def test_every_file_is_on_disk_before_its_folder_and_one_that_cannot_be_is_named(tmp_path: Path, monkeypatch) -> None:
    """A folder's files are synced together once all are written, each
    before the folder that names them; a disk that fails to sync one (EIO,
    as a failing disk answers fsync) fails the build by the file's name,
    even when closing the files not yet synced fails too, and the previous
    outputs are as they were."""
    folder = two_rubrics(tmp_path)
    run(folder, "build")
    before = snapshot(folder / "generated")
    revise(folder, "Revision 2")
    real_write, real_fsync, real_sync_folder, events = builder._write_new, os.fsync, builder.sync_folder, []

    def write(path, blocks):
        events.append(f"write {path.parent.name.split('.new-')[0].lstrip('.')}/{path.name}")
        stream = real_write(path, blocks)
        if events[-1] == f"write {ID}/workbook.xlsx":  # not yet synced when sheet.md fails: closed failing too
            really_close = stream.close

            def close():
                really_close()
                raise OSError(errno.EIO, os.strerror(errno.EIO))

            stream.close = close
        return stream

    def fsync(handle):
        target = Path(os.readlink(f"/proc/self/fd/{handle}"))
        events.append(f"sync {target.parent.name.split('.new-')[0].lstrip('.')}/{target.name}")
        if events.count(f"sync {ID}/sheet.md") == 1:  # in the second folder built
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_fsync(handle)

    def sync_folder(path):
        events.append(f"folder {path.name.split('.new-')[0].lstrip('.')}")
        return real_sync_folder(path)

    monkeypatch.setattr(builder, "_write_new", write)
    monkeypatch.setattr(builder.os, "fsync", fsync)
    monkeypatch.setattr(builder, "sync_folder", sync_folder)
    result = run(folder, "build")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: cannot write generated/{ID}/sheet.md: Input/output error; the previous outputs are as they were\n"
    )
    names = sorted(output.filename for output in outputs())
    assert events[: 2 * len(names) + 1] == (
        [f"write second/{name}" for name in names] + [f"sync second/{name}" for name in names] + ["folder second"]
    )
    assert snapshot(folder / "generated") == before
    assert sorted(p.name for p in (folder / "generated").iterdir()) == [builder.MANIFEST, "second", ID]


def test_a_build_killed_between_two_swaps_is_finished_by_the_next(tmp_path: Path, monkeypatch) -> None:
    folder = two_rubrics(tmp_path)
    run(folder, "build")
    revise(folder, "Revision 2")
    real, renames = os.rename, []

    def killed_after_three(source, target):
        renames.append(target)
        if len(renames) == 4:
            raise KeyboardInterrupt  # as a kill: nothing after it runs (click: "Aborted!")
        return real(source, target)

    monkeypatch.setattr(os, "rename", killed_after_three)
    assert run(folder, "build").exit_code == 1
    monkeypatch.setattr(os, "rename", real)
    assert (folder / "generated" / builder.JOURNAL).exists()
    assert not (folder / "generated" / ID).exists(), "killed with one folder swapped and one out"
    checked = run(folder, "build", "--check")
    assert checked.exit_code == 1
    assert f"interrupted: generated/{builder.JOURNAL}: {builder.UNFINISHED}" in checked.stderr
    result = run(folder, "build")
    assert result.exit_code == 0, result.stderr
    assert run(folder, "build", "--check").exit_code == 0
    assert sorted(p.name for p in (folder / "generated").iterdir()) == [builder.MANIFEST, "second", ID]


def test_leftovers_of_a_killed_build_are_reported_and_removed(tmp_path: Path) -> None:
    folder = project(tmp_path)
    run(folder, "build")
    stray = folder / "generated" / ID / ".scorer.py.k3j_x9ab.tmp"  # as releases before the manifest left them
    stray.write_text("half", encoding="utf-8")
    prepared = folder / "generated" / f".{ID}.new-abcd1234"
    prepared.mkdir()
    (prepared / "model.json").write_text("{}", encoding="utf-8")
    checked = run(folder, "build", "--check")
    assert checked.exit_code == 1
    assert f"interrupted: generated/{ID}/.scorer.py.k3j_x9ab.tmp: {builder.LEFTOVER}" in checked.stderr
    assert f"interrupted: generated/.{ID}.new-abcd1234: {builder.LEFTOVER}" in checked.stderr
    assert "extra:" not in checked.stderr
    assert run(folder, "build").exit_code == 0
    assert not stray.exists() and not prepared.exists()
    assert run(folder, "build", "--check").exit_code == 0


def test_a_folder_of_the_users_inside_a_rubric_folder_survives_a_rebuild(tmp_path: Path) -> None:
    folder = project(tmp_path)
    run(folder, "build")
    mine = folder / "generated" / ID / "scans"
    mine.mkdir()
    (mine / "page1.pdf").write_bytes(b"%PDF")
    (folder / "generated" / ID / "notes.txt").write_text("mine\n", encoding="utf-8")
    revise(folder, "Revision 2")
    result = run(folder, "build")
    assert result.exit_code == 0, result.stderr
    assert (mine / "page1.pdf").read_bytes() == b"%PDF"
    assert (folder / "generated" / ID / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert sorted(p.name for p in (folder / "generated").iterdir()) == [builder.MANIFEST, ID]


def test_a_second_build_waits_for_the_first(tmp_path: Path) -> None:
    folder = project(tmp_path)
    (folder / "generated").mkdir()
    with locked(folder / "generated"):
        second = subprocess.Popen(
            [sys.executable, "-m", "rubricdsl.cli", "build"], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 30
        while second.poll() is None and time.monotonic() < deadline and not list((folder / "generated").iterdir()):
            time.sleep(0.05)
            if time.monotonic() > deadline - 25:
                break
        assert second.poll() is None, "the second build did not wait"
        assert list((folder / "generated").iterdir()) == []
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    assert err == "build: waiting for another build of generated/ to finish\n"
    assert f"wrote generated/{ID}/model.json" in out


def test_two_builds_of_two_revisions_at_once_leave_one_revision(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    projects = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        folder = project(tmp_path / name)
        revise(folder, f"Revision {name}")
        projects.append(folder)
    expected = {}
    for folder in projects:
        assert run(folder, "build", "-o", str(tmp_path / f"alone-{folder.name}")).exit_code == 0
        expected[folder.name] = snapshot(tmp_path / f"alone-{folder.name}")
    for _ in range(3):
        started = [
            subprocess.Popen([sys.executable, "-m", "rubricdsl.cli", "build", "-o", str(shared)], cwd=folder,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for folder in projects
        ]
        for process in started:
            assert process.wait(timeout=120) == 0, process.stderr.read()
        assert snapshot(shared) in expected.values(), "files of both revisions"


def test_files_are_rendered_one_at_a_time_as_they_are_written(tmp_path: Path, monkeypatch) -> None:
    """A 300x rubric's files are 160 MB: each is rendered where it is
    written (or compared) and dropped, never all held at once."""
    from rubricdsl.frontend import compile_file

    folder = two_rubrics(tmp_path)
    sources = sorted((folder / "rubrics").glob("*.rubric"))
    plan = builder.plan([(source, compile_file(source)) for source in sources], folder / "generated")
    events: list[str] = []

    def recorded(path, render):
        def render_and_record():
            events.append(f"render {path.parent.name}/{path.name}")
            return render()

        return render_and_record

    plan.files = {path: recorded(path, render) for path, render in plan.files.items()}
    real = builder._write_new

    def write_and_record(path, data):
        prepared_for = path.parent.name[1:].rsplit(".new-", 1)[0]
        events.append(f"write {prepared_for}/{path.name}")
        return real(path, data)

    monkeypatch.setattr(builder, "_write_new", write_and_record)
    assert not events  # planning renders nothing
    builder.write(plan, whole_folder=True)
    names = [
        f"{rubric_folder.name}/{name}"
        for rubric_folder in sorted(plan.rubric_dirs)
        for name in sorted(path.name for path in plan.files if path.parent == rubric_folder)
    ]
    assert len(names) == 2 * len(outputs())
    assert events == [event for name in names for event in (f"render {name}", f"write {name}")]
    # Unchanged files are rendered to be compared, and nothing is written.
    events.clear()
    builder.write(builder.plan([(source, compile_file(source)) for source in sources], folder / "generated"), whole_folder=True)
    assert not [event for event in events if event.startswith("write")]
