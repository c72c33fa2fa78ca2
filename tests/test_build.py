"""`rubricdsl build`: deterministic, atomic, incremental, and --check."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from rubricdsl.backends import outputs

from .conftest import AS_PRINTED_RUBRIC, ROOT, SHIPPED_RUBRIC, run_in

ID = "t-cssg-001.5-2020"


run = run_in


def project(tmp_path: Path) -> Path:
    """A folder laid out like the repository: rubrics/ with the standard."""
    (tmp_path / "rubrics").mkdir(parents=True)
    shutil.copy(SHIPPED_RUBRIC, tmp_path / "rubrics" / SHIPPED_RUBRIC.name)
    return tmp_path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_generated_folder_is_in_sync_with_rubrics() -> None:
    result = run(ROOT, "build", "--check")
    assert result.exit_code == 0, result.stderr


def test_build_writes_every_output_and_is_byte_identical_twice(tmp_path: Path) -> None:
    folder = project(tmp_path)
    first = run(folder, "build")
    assert first.exit_code == 0, first.stderr
    built = snapshot(folder / "generated")
    assert sorted(built) == sorted([".rubricdsl-manifest.json", *(f"t-cssg-001.5-2020/{o.filename}" for o in outputs())])
    shutil.rmtree(folder / "generated")
    assert run(folder, "build").exit_code == 0
    assert snapshot(folder / "generated") == built


def test_generated_files_name_their_source_and_hash_not_the_time(tmp_path: Path) -> None:
    folder = project(tmp_path)
    run(folder, "build")
    from rubricdsl.frontend import compile_file

    sha = compile_file(SHIPPED_RUBRIC).sha256
    for path in (folder / "generated" / "t-cssg-001.5-2020").iterdir():
        if path.suffix == ".xlsx":  # a zip: its texts are in the shared strings
            with zipfile.ZipFile(path) as workbook:
                text = workbook.read("xl/sharedStrings.xml").decode("utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        assert "rubrics/t-cssg-001.5-2020.rubric" in text, path.name
        assert sha in text, path.name


def test_an_unchanged_rebuild_rewrites_nothing(tmp_path: Path) -> None:
    folder = project(tmp_path)
    run(folder, "build")
    times = {p: p.stat().st_mtime_ns for p in (folder / "generated").rglob("*")}
    result = run(folder, "build")
    assert result.exit_code == 0
    assert result.stdout.startswith("up to date:")
    assert {p: p.stat().st_mtime_ns for p in (folder / "generated").rglob("*")} == times


def test_check_lists_stale_missing_and_extra_and_writes_nothing(tmp_path: Path) -> None:
    folder = project(tmp_path)
    run(folder, "build")
    generated = folder / "generated" / "t-cssg-001.5-2020"
    names = sorted(p.name for p in generated.iterdir())
    (generated / names[0]).write_text("edited by hand\n", encoding="utf-8")
    (generated / names[1]).unlink()
    (generated / "notes.txt").write_text("mine\n", encoding="utf-8")
    (folder / "generated" / "old-rubric").mkdir()
    (folder / "generated" / "old-rubric" / "model.json").write_text("{}\n", encoding="utf-8")
    before = snapshot(folder / "generated")
    result = run(folder, "build", "--check")
    assert result.exit_code == 1
    assert f"stale: generated/t-cssg-001.5-2020/{names[0]}" in result.stderr
    assert f"missing: generated/t-cssg-001.5-2020/{names[1]}" in result.stderr
    assert "extra: generated/t-cssg-001.5-2020/notes.txt" in result.stderr
    assert "extra: generated/old-rubric/model.json" in result.stderr
    assert snapshot(folder / "generated") == before


def test_build_repairs_and_removes_only_its_own_files(tmp_path: Path) -> None:
    folder = project(tmp_path)
    second = folder / "rubrics" / "second.rubric"
    second.write_text(SHIPPED_RUBRIC.read_text(encoding="utf-8").replace(f"rubric {ID}", "rubric second", 1), encoding="utf-8")
    assert run(folder, "build").exit_code == 0
    second.unlink()
    (folder / "generated" / "old-rubric").mkdir()
    (folder / "generated" / "old-rubric" / "model.json").write_text("{}\n", encoding="utf-8")
    (folder / "generated" / ID / "notes.txt").write_text("mine\n", encoding="utf-8")
    (folder / "generated" / "second" / "notes.txt").write_text("mine too\n", encoding="utf-8")
    result = run(folder, "build")
    assert result.exit_code == 0, result.stderr
    assert "removed generated/second/model.json" in result.stdout
    assert sorted(p.name for p in (folder / "generated" / "second").iterdir()) == ["notes.txt"]
    assert (folder / "generated" / "old-rubric" / "model.json").read_text(encoding="utf-8") == "{}\n"
    assert (folder / "generated" / ID / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    checked = run(folder, "build", "--check")
    assert checked.exit_code == 1
    assert checked.stderr == (
        "extra: generated/old-rubric/model.json: not written by rubricdsl build (not in its manifest): remove it by hand\n"
        "extra: generated/second/notes.txt: not written by rubricdsl build (not in its manifest): remove it by hand\n"
        f"extra: generated/{ID}/notes.txt: not written by rubricdsl build (not in its manifest): remove it by hand\n"
        "build --check: generated files are out of date; remove by hand the files marked so above\n"
    )


def test_a_rubric_with_errors_builds_nothing_and_keeps_old_outputs(tmp_path: Path) -> None:
    folder = project(tmp_path)
    run(folder, "build")
    before = snapshot(folder / "generated")
    shutil.copy(AS_PRINTED_RUBRIC, folder / "rubrics" / "as-printed.rubric")
    (folder / "rubrics" / SHIPPED_RUBRIC.name).write_text(
        SHIPPED_RUBRIC.read_text(encoding="utf-8").replace("pass at 300", "pass at 200"), encoding="utf-8"
    )
    result = run(folder, "build")
    assert result.exit_code == 1
    assert "error[E302]" in result.stderr
    assert "nothing was written" in result.stderr
    assert snapshot(folder / "generated") == before


def test_two_rubrics_with_one_id_are_refused(tmp_path: Path) -> None:
    folder = project(tmp_path)
    shutil.copy(SHIPPED_RUBRIC, folder / "rubrics" / "copy.rubric")
    result = run(folder, "build")
    assert result.exit_code == 2
    assert "rubric id 't-cssg-001.5-2020' is also the id of" in result.stderr
    assert not (folder / "generated").exists()


def build_in_process(cwd: Path, rubric: Path, out: Path, **environment: str) -> dict[str, bytes]:
    """`build` as a whole process (what the hash seed, the locale and the
    time zone act on), run with `environment`."""
    env = {key: value for key, value in os.environ.items() if key not in ("LANG", "LC_ALL", "TZ", "PYTHONHASHSEED")}
    env.update(environment)
    done = subprocess.run(
        [sys.executable, "-m", "rubricdsl.cli", "build", str(rubric), "-o", str(out)],
        cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8",
    )
    assert done.returncode == 0, done.stderr
    return snapshot(out)


def test_the_same_build_gives_the_same_bytes_from_any_working_folder_locale_time_zone_and_hash_seed(tmp_path: Path) -> None:
    folder = project(tmp_path / "project")
    rubric = folder / "rubrics" / SHIPPED_RUBRIC.name
    elsewhere = tmp_path / "elsewhere" / "deeper"
    elsewhere.mkdir(parents=True)
    assert run(folder, "build", "rubrics", "-o", "generated").exit_code == 0
    built = snapshot(folder / "generated")
    shutil.rmtree(folder / "generated")
    assert run(elsewhere, "build", str(rubric), "-o", str(folder / "generated")).exit_code == 0
    assert snapshot(folder / "generated") == built
    shutil.rmtree(folder / "generated")
    relative = Path(os.path.relpath(folder, elsewhere))
    assert run(elsewhere, "build", str(relative / "rubrics"), "-o", str(relative / "generated")).exit_code == 0
    assert snapshot(folder / "generated") == built
    for cwd, environment in (
        (Path("/"), {"LANG": "zh_CN.UTF-8", "TZ": "Asia/Shanghai", "PYTHONHASHSEED": "1"}),
        (elsewhere, {"LANG": "C", "LC_ALL": "C.UTF-8", "TZ": "America/St_Johns", "PYTHONHASHSEED": "4242"}),
        (folder / "rubrics", {"LC_ALL": "de_DE.UTF-8", "TZ": "UTC", "PYTHONHASHSEED": "random"}),
    ):
        shutil.rmtree(folder / "generated")
        assert build_in_process(cwd, rubric, folder / "generated", **environment) == built, (cwd, environment)


def test_generated_files_name_their_rubric_relative_to_the_folder_holding_the_output(tmp_path: Path) -> None:
    folder = project(tmp_path / "project")
    rubric = folder / "rubrics" / SHIPPED_RUBRIC.name
    assert run(folder / "rubrics", "build", SHIPPED_RUBRIC.name, "-o", "../site/out").exit_code == 0
    sheet = (folder / "site" / "out" / ID / "sheet.md").read_text(encoding="utf-8")
    assert f"from ../rubrics/{SHIPPED_RUBRIC.name}, sha256" not in sheet
    assert f"from {SHIPPED_RUBRIC.name}, sha256" not in sheet
    assert f"from rubrics/{SHIPPED_RUBRIC.name}, sha256" in sheet  # outside site/: its folder and name
    assert run(tmp_path, "build", str(rubric), "-o", "project/out").exit_code == 0
    assert f"from rubrics/{SHIPPED_RUBRIC.name}, sha256" in (folder / "out" / ID / "sheet.md").read_text(encoding="utf-8")
    (folder / "rubrics" / "drafts").mkdir()
    shutil.copy(rubric, folder / "rubrics" / "drafts" / "next.rubric")
    assert run(tmp_path, "build", "project/rubrics/drafts/next.rubric", "-o", "project/drafts-out").exit_code == 0
    assert "from rubrics/drafts/next.rubric, sha256" in (folder / "drafts-out" / ID / "sheet.md").read_text(encoding="utf-8")


def test_output_folder_option(tmp_path: Path) -> None:
    folder = project(tmp_path)
    result = run(folder, "build", str(folder / "rubrics" / SHIPPED_RUBRIC.name), "-o", "out")
    assert result.exit_code == 0
    assert (folder / "out" / "t-cssg-001.5-2020" / "model.json").exists()


def test_generated_files_are_readable_like_any_new_file(tmp_path: Path) -> None:
    folder = project(tmp_path)
    old = os.umask(0o022)
    try:
        run(folder, "build")
    finally:
        os.umask(old)
    for path in (folder / "generated" / "t-cssg-001.5-2020").iterdir():
        assert path.stat().st_mode & 0o777 == 0o644, path.name


def test_every_output_as_utf8_is_its_text_encoded() -> None:
    """A build encodes each file as it is rendered (templating.render_utf8):
    the same bytes as the whole text encoded, for a rubric of CJK texts and
    for one 10x the standard, whose files are rendered in many pieces."""
    from rubricdsl.backends import BuildContext, Output
    from rubricdsl.frontend import compile_source

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from synthetic import synthetic_rubric
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    standard = SHIPPED_RUBRIC.read_text(encoding="utf-8")
    sizes = {}
    for text in (standard, synthetic_rubric(10, standard)):
        context = BuildContext.of(compile_source(text, "r.rubric"), "rubrics/r.rubric")
        for output in outputs():
            if isinstance(output, Output):  # not the workbook's bytes, nor scorer.py's, rendered whole
                encoded = output.render(context).encode("utf-8")
                assert output.data(context) == encoded, output.filename
                sizes[output.filename] = len(encoded)
    assert sizes["findings.schema.json"] > 65536 * 4  # the 10x schema spans several pieces


def test_a_file_is_compared_with_its_planned_blocks_as_they_come(tmp_path: Path) -> None:
    """A file's blocks are compared with the file on disk as they are
    rendered; where they differ, what is to be written is every block from
    the first, the part alike read back from the file."""
    from rubricdsl.build import _differs

    data = bytes(range(256)) * 10_000  # 2.5 MB
    blocks = [data[i : i + 700_000] for i in range(0, len(data), 700_000)]
    path = tmp_path / "file"
    path.write_bytes(data)
    assert _differs(iter(blocks), path) is None
    for other in (
        [*blocks[:-1], blocks[-1][:-1] + b"x"],  # the last block differs
        [*blocks, b"x"],  # longer than the file
        blocks[:-1],  # shorter
        [blocks[0], b"y", *blocks[1:]],
    ):
        rest = _differs(iter(other), path)
        assert rest is not None and b"".join(rest) == b"".join(other)
    for missing in (tmp_path / "missing", tmp_path):  # no file; a folder
        rest = _differs(iter(blocks), missing)
        assert rest is not None and b"".join(rest) == data


def test_a_file_changed_while_it_is_compared_is_not_copied(tmp_path: Path) -> None:
    from rubricdsl.build import _differs

    path = tmp_path / "file"
    path.write_bytes(b"a" * 1000 + b"b")
    rest = _differs(iter([b"a" * 1000, b"c"]), path)
    path.write_bytes(b"z" * 1000 + b"b")  # edited between the comparison and the copy
    with pytest.raises(OSError, match="changed while the build read it"):
        b"".join(rest)


def test_the_pages_share_one_serialized_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """The form and the panel page embed the same plan JSON, serialized once
    per rubric (at 300x, 0.4 s a page)."""
    from rubricdsl import plan as scoring_plan
    from rubricdsl.backends import BuildContext
    from rubricdsl.frontend import compile_file

    calls = []
    serialize = scoring_plan.plan_json_head
    monkeypatch.setattr(scoring_plan, "plan_json_head", lambda *args: calls.append(args) or serialize(*args))
    context = BuildContext.of(compile_file(SHIPPED_RUBRIC), "rubrics/r.rubric")
    pages = {output.filename: output.data(context) for output in outputs() if output.filename in ("form.html", "panel.html")}
    assert len(pages) == 2 and len(calls) == 1
    embedded = "".join(context.page_plan_json).encode("utf-8")
    assert all(embedded in page for page in pages.values())


def test_a_build_forgets_the_export_and_the_pages_plan_once_the_files_reading_them_are_written(tmp_path: Path) -> None:
    """What only model.json and the pages read is let go before the
    workbook is made (at 300x, 110 MB of its peak), and made again, the
    same, if read again."""
    from rubricdsl import build
    from rubricdsl.frontend import compile_file

    plan = build.plan([(Path(SHIPPED_RUBRIC), compile_file(SHIPPED_RUBRIC))], tmp_path)
    context = next(iter(plan.files.values())).args[1]
    files = {path.name: path for path in plan.files}
    written = {}
    for name in ("findings.schema.json", "form.html", "model.json"):
        written[name] = plan.render(files[name])
    assert "exported" in context.__dict__ and "page_plan_json" in context.__dict__  # the panel page reads them still
    written["panel.html"] = plan.render(files["panel.html"])
    assert "exported" not in context.__dict__ and "page_plan_json" not in context.__dict__
    plan.render(files["workbook.xlsx"])
    assert "exported" not in context.__dict__
    again = build.plan([(Path(SHIPPED_RUBRIC), compile_file(SHIPPED_RUBRIC))], tmp_path)
    for name, data in written.items():  # what was forgotten is made again alike
        assert plan.render(files[name]) == data == again.render(files[name])


def test_check_says_a_replaced_folder_left_behind_gives_back_the_users_files(tmp_path: Path) -> None:
    def run_cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "rubricdsl.cli", *map(str, args)], capture_output=True, text=True, encoding="utf-8")

    out = tmp_path / "out"
    assert run_cli("build", SHIPPED_RUBRIC, "-o", str(out)).returncode == 0
    left = out / ".t-cssg-001.5-2020.old-abcdefgh"
    left.mkdir()
    (left / "notes.txt").write_text("mine", encoding="utf-8")
    checked = run_cli("build", SHIPPED_RUBRIC, "-o", str(out), "--check")
    assert checked.returncode == 1
    assert ".t-cssg-001.5-2020.old-abcdefgh: left by an interrupted build: `rubricdsl build` puts back the files of yours" in checked.stderr
    assert run_cli("build", SHIPPED_RUBRIC, "-o", str(out)).returncode == 0
    assert (out / "t-cssg-001.5-2020" / "notes.txt").read_text(encoding="utf-8") == "mine" and not left.exists()


def test_the_json_files_are_json_dumps_indented_by_two() -> None:
    """model.json and findings.schema.json hold
    json.dumps(indent=2, ensure_ascii=False) of their value and a newline."""
    from rubricdsl.backends import BuildContext, findings_schema
    from rubricdsl.frontend import compile_file

    context = BuildContext.of(compile_file(SHIPPED_RUBRIC), "rubrics/r.rubric")
    files = {output.filename: output.data(context) for output in outputs()}
    for name, value in (("model.json", context.exported), ("findings.schema.json", findings_schema.schema(context))):
        assert files[name] == (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8"), name


def test_build_imports_no_parser_generator_and_no_batch_reader(tmp_path: Path) -> None:
    """A build of a well-formed rubric runs on the shipped parse tables and
    loads its scorer (for the workbook's values) without the scoring
    commands' module and the batch's JSON reader: each costs start-up time
    that every build would pay."""
    code = (
        "import sys\n"
        "from rubricdsl.cli import main\n"
        "try:\n"
        f"    main(['build', {str(SHIPPED_RUBRIC)!r}, '-o', {str(tmp_path / 'out')!r}])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "print(sorted(name for name in ('lark', 'msgspec', 'rubricdsl.scoring') if name in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "out" / "t-cssg-001.5-2020" / "workbook.xlsx").is_file()


@pytest.mark.parametrize("failing", [False, True])
def test_a_build_runs_without_the_collector_and_turns_it_back_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: bool) -> None:
    """A build in a process that goes on (a test, a program calling the
    command) leaves the cyclic collector as it found it, whether the build
    wrote its files or failed."""
    import gc

    from rubricdsl import build as building

    seen = []
    write = building.write

    def watched(*arguments, **options):
        seen.append(gc.isenabled())
        if failing:
            raise building.BuildError("refused for the test")
        return write(*arguments, **options)

    monkeypatch.setattr(building, "write", watched)
    assert gc.isenabled()
    result = run_in(tmp_path, "build", str(SHIPPED_RUBRIC), "-o", "out")
    assert result.exit_code == (2 if failing else 0), result.output
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        run_in(tmp_path, "build", str(SHIPPED_RUBRIC), "-o", "out")
        assert not gc.isenabled()  # off before, off after
    finally:
        gc.enable()


def test_a_program_calling_the_command_line_keeps_its_collector_settings(tmp_path: Path) -> None:
    """`main` (what a program or a test calls) leaves the collector's
    thresholds and frozen objects alone; only `run`, the process's entry
    point, sets them for itself."""
    import gc

    before = gc.get_threshold()
    gc.set_threshold(701, 11, 11)  # the caller's own, unlike the command line's
    try:
        result = run_in(tmp_path, "build", str(SHIPPED_RUBRIC), "-o", "out")
        assert result.exit_code == 0, result.output
        assert gc.get_threshold() == (701, 11, 11) and gc.get_freeze_count() == 0
    finally:
        gc.set_threshold(*before)


def test_the_process_leaves_its_objects_to_the_exit_and_loses_nothing(tmp_path: Path) -> None:
    """`rubricdsl` as a process (`run`, which `python -m rubricdsl.cli`
    and the console script call) freezes what is alive once its command is
    over, so that Python's collections as it shuts down traverse none of
    it; its exit status, its last output and the functions registered with
    atexit (a coverage tool's, the benchmarks' own) are those of the
    command."""
    from importlib.metadata import entry_points

    assert [script.value for script in entry_points(group="console_scripts", name="rubricdsl")] == ["rubricdsl.cli:run"]
    code = (  # python -m rubricdsl.cli, after an atexit function of its own
        "import atexit, gc, runpy, sys\n"
        "atexit.register(lambda: print('at exit: frozen', gc.get_freeze_count() > 0, gc.get_threshold()[0], file=sys.stderr))\n"
        "sys.argv = ['rubricdsl'] + sys.argv[1:]\n"
        "runpy.run_module('rubricdsl.cli', run_name='__main__', alter_sys=True)\n"
    )
    broken = tmp_path / "broken.rubric"
    broken.write_text("rubric {\n", encoding="utf-8")
    for arguments, status in ((["build", str(SHIPPED_RUBRIC), "-o", str(tmp_path / "out")], 0), (["check", str(broken)], 1)):
        done = subprocess.run([sys.executable, "-c", code, *arguments], capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == status, done.stderr
        assert done.stderr.rstrip().splitlines()[-1] == "at exit: frozen True 100000", done.stderr
    assert "error" in done.stderr  # the check's diagnostics, written before the exit
    assert (tmp_path / "out" / "t-cssg-001.5-2020" / "workbook.xlsx").is_file()
