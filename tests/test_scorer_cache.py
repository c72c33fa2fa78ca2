"""The scorer in memory is the code of scorer.py, wherever it comes from:
rendered and compiled, or its rubric's part found compiled in the user's
cache folder and the runtime as the import system loads scorer_runtime.py.
A cache entry is trusted only from the user's own private folder and file,
and only whole; anything else is ignored and written again, never run."""

from __future__ import annotations

import json
import linecache
import marshal
import os
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from rubricdsl import scorer_cache, scoring, user_cache
from rubricdsl.backends.scorer import RUNTIME_MARKER, runtime_code, runtime_path, runtime_text
from rubricdsl.frontend import compile_file, compile_source

from .conftest import ROOT, SHIPPED_RUBRIC
from .scoring_helpers import FIXTURE, MINI, SHIPPED_SOURCE

GENERATED = ROOT / "generated" / "t-cssg-001.5-2020" / "scorer.py"


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache home of this test's own: the cache folder is its
    rubricdsl/ (made on first use)."""
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


def entries(home: Path) -> list[Path]:
    folder = home / "rubricdsl"
    return sorted(folder.glob("scorer-*")) if folder.is_dir() else []


def shipped_compilation():
    return compile_file(SHIPPED_RUBRIC)


def findings():
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def planted_code(marker: Path):
    """A rubric's part that, when run, creates the marker file."""
    return compile(f"open({str(marker)!r}, 'w').close()", "<planted>", "exec")


# ---------------------------------------------------------------------------
# The same code as scorer.py
# ---------------------------------------------------------------------------


def test_the_runtime_run_in_memory_is_the_code_of_the_text_scorer_py_inlines() -> None:
    source = runtime_path().read_text(encoding="utf-8")
    # The import system's code (from the .pyc when current) is the file's.
    assert runtime_code() == compile(source, str(runtime_path()), "exec", dont_inherit=True)
    assert Path(runtime_code().co_filename).resolve() == runtime_path()
    # scorer.py inlines that file but for its placeholder block, which is
    # the one statement that differs: an `if` that assigns only the names a
    # rubric's part has not defined.
    generated = GENERATED.read_text(encoding="utf-8")
    inlined = generated.partition(RUNTIME_MARKER + "\n")[2]
    assert inlined == runtime_text()
    head, _, tail = inlined.partition("# The rubric's part above defines its constants and tables.")
    assert source.startswith(head) and source.endswith(tail)
    block = source[len(head) : len(source) - len(tail)]
    assert block.splitlines()[1] == "if \"RUBRIC_ID\" not in globals():  # imported alone; after a rubric's part, its own values stand"
    names = {}
    exec(compile(block, "block", "exec"), names)
    placeholders = set(names) - {"__builtins__"}
    namespace = {name: object() for name in placeholders}
    kept = dict(namespace)
    exec(compile(block, "block", "exec"), namespace)
    assert {name: namespace[name] for name in placeholders} == kept, "the block changed a rubric's value"


def test_every_name_the_placeholders_stand_for_is_defined_by_the_rubrics_part(cache_home: Path) -> None:
    from rubricdsl import scorer_runtime

    scorer = scoring.load_scorer(shipped_compilation(), SHIPPED_SOURCE)
    compiled_alone = {}
    exec(compile(GENERATED.read_text(encoding="utf-8"), "scorer.py", "exec"), compiled_alone)
    for name in ("RUBRIC_ID", "SHAPES", "GROUPS", "REQUIREMENT_KEYS", "FULL_MARKS", "POLICIES"):
        assert getattr(scorer, name) == compiled_alone[name] != getattr(scorer_runtime, name)


def test_a_cached_scorer_is_the_code_of_the_generated_file(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compilation = shipped_compilation()
    generated = GENERATED.read_text(encoding="utf-8")
    rubric_part = generated.partition(RUNTIME_MARKER + "\n")[0]
    cold = scoring.load_scorer(compilation, SHIPPED_SOURCE)
    assert len(entries(cache_home)) == 1
    monkeypatch.setattr(scoring, "scorer_source", lambda *_: pytest.fail("rendered though the scorer was cached"))
    warm = scoring.load_scorer(compilation, SHIPPED_SOURCE)
    from_file = scorer_cache.scorer_module(generated, compilation.rubric.id, SHIPPED_SOURCE)
    filename = f"<rubricdsl scorer of {compilation.rubric.id} from {SHIPPED_SOURCE}>"
    expected_code = compile(rubric_part, filename, "exec", dont_inherit=True)
    kept_part, kept_code = marshal.loads(user_cache.read_entry(cache_home / "rubricdsl", entries(cache_home)[0].name))
    assert kept_part == rubric_part and kept_code == expected_code
    functions = [name for name in vars(from_file) if name.startswith("item_")]
    assert len(functions) == 44
    for scorer in (cold, warm):
        assert sorted(vars(scorer)) == sorted(vars(from_file))
        for name in functions:
            assert getattr(scorer, name).__code__ == getattr(from_file, name).__code__
        assert scorer.score.__code__ == from_file.score.__code__
        assert scorer.dumps(scorer.score(findings())) == from_file.dumps(from_file.score(findings()))


def test_a_traceback_in_a_cached_scorer_shows_its_generated_lines(cache_home: Path) -> None:
    import linecache

    compilation = compile_source(MINI, "mini.rubric")
    scoring.load_scorer(compilation, "mini.rubric")
    linecache.clearcache()
    scorer = scoring.load_scorer(compilation, "mini.rubric")  # from the cache
    function = next(value for name, value in vars(scorer).items() if name.startswith("item_"))
    code = function.__code__
    assert linecache.getline(code.co_filename, code.co_firstlineno).startswith("def item_")


# ---------------------------------------------------------------------------
# What the cache is keyed by
# ---------------------------------------------------------------------------


def test_a_changed_rubric_or_another_path_is_another_scorer(cache_home: Path) -> None:
    first = compile_source(MINI, "mini.rubric")
    changed = compile_source(MINI.replace('otherwise 1 "none: 1"', 'otherwise 2 "none: 2"'), "mini.rubric")
    assert changed.ok
    one = scoring.load_scorer(first, "mini.rubric")
    two = scoring.load_scorer(changed, "mini.rubric")
    elsewhere = scoring.load_scorer(first, "other/mini.rubric")
    assert len(entries(cache_home)) == 3
    assert len({path.read_bytes() for path in entries(cache_home)}) == 3
    assert one.SOURCE_SHA256 != two.SOURCE_SHA256 == changed.sha256
    assert elsewhere.SOURCE_PATH == "other/mini.rubric"
    # From the cache, the changed rubric's scorer is its own rendered code.
    rendered = scorer_cache.scorer_module(scoring.scorer_source(changed, "mini.rubric"), "mini-1", "mini.rubric")
    cached = scoring.load_scorer(changed, "mini.rubric")
    functions = [name for name in vars(rendered) if name.startswith("item_")]
    assert all(getattr(cached, name).__code__ == getattr(rendered, name).__code__ for name in functions)
    assert [name for name in functions if getattr(cached, name).__code__ != getattr(one, name).__code__] == ["item_2_2_b_brand"]


def test_a_model_changed_after_parsing_is_another_scorer(cache_home: Path) -> None:
    """The same text, a model changed by the caller (as the form's tests
    change the policies): the key is the model's, not the text's."""
    import dataclasses

    from rubricdsl import model as m

    parsed = compile_source(MINI, "mini.rubric")
    policies = (m.Policy("not_applicable", "excluded", "8.2"),)
    changed = dataclasses.replace(parsed, rubric=dataclasses.replace(parsed.rubric, policies=policies))
    assert changed.sha256 == parsed.sha256
    first = scoring.load_scorer(parsed, "mini.rubric")
    second = scoring.load_scorer(changed, "mini.rubric")
    assert first.EXCLUDED is False and second.EXCLUDED is True
    rendered = scorer_cache.scorer_module(scoring.scorer_source(changed, "mini.rubric"), "mini-1", "mini.rubric")
    assert second.POLICIES == rendered.POLICIES != first.POLICIES
    # Spans count too: the scorer cites the rubric's lines, which equality leaves out.
    lower_down = compile_source("# a comment line first\n" + MINI, "mini.rubric").rubric
    moved = dataclasses.replace(parsed, rubric=lower_down)
    assert moved.rubric == parsed.rubric and moved.sha256 == parsed.sha256
    assert scorer_cache.inputs_key(moved, "x") != scorer_cache.inputs_key(parsed, "x")
    import linecache

    name = scorer_cache.filename("mini-1", "mini.rubric")
    cited = scorer_cache.rubric_part(scoring.scorer_source(moved, "mini.rubric"), name)
    assert cited != scorer_cache.rubric_part(scoring.scorer_source(parsed, "mini.rubric"), name)
    scoring.load_scorer(moved, "mini.rubric")
    assert "".join(linecache.getlines(name)) == cited, "the scorer of the earlier lines was loaded"


def test_the_key_covers_every_file_of_the_package_and_the_python() -> None:
    package = ROOT / "rubricdsl"
    files = scorer_cache.package_files(package)
    assert "scorer_runtime.py" in files and "backends/templates/scorer.py.j2" in files and "plan.py" in files
    assert not [name for name in files if "__pycache__" in name]
    on_disk = sorted(
        str(path.relative_to(package)) for path in package.rglob("*") if path.is_file() and "__pycache__" not in path.parts
    )
    assert sorted(files) == on_disk
    assert sys.version.encode() in scorer_cache.python_key()


# ---------------------------------------------------------------------------
# Never trusted: damaged entries, other users' or open folders, /tmp
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["truncated", "one byte changed", "empty", "not an entry", "another entry's content"])
def test_a_damaged_entry_is_ignored_and_written_again(cache_home: Path, damage: str) -> None:
    compilation = compile_source(MINI, "mini.rubric")
    expected = scoring.load_scorer(compilation, "mini.rubric")
    (entry,) = entries(cache_home)
    whole = entry.read_bytes()
    if damage == "truncated":
        entry.write_bytes(whole[: len(whole) // 2])
    elif damage == "one byte changed":
        entry.write_bytes(whole[:-10] + bytes([whole[-10] ^ 1]) + whole[-9:])
    elif damage == "empty":
        entry.write_bytes(b"")
    elif damage == "not an entry":
        entry.write_bytes(marshal.dumps(("x", compile("1", "x", "exec"))))
    else:  # a whole entry, but of another name: its digest covers its name
        scoring.load_scorer(compile_source(MINI, "elsewhere.rubric"), "elsewhere.rubric")
        other = next(path for path in entries(cache_home) if path != entry)
        entry.write_bytes(other.read_bytes())
    assert user_cache.read_entry(entry.parent, entry.name) is None
    again = scoring.load_scorer(compilation, "mini.rubric")
    assert again.SOURCE_PATH == "mini.rubric" and again.CONTENT_HASH == expected.CONTENT_HASH
    assert entry.read_bytes() == whole, "the entry is written again, whole"
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600


def plant(folder: Path, name: str, marker: Path, mode: int = 0o600) -> Path:
    """A whole entry (its digest right) whose code creates the marker."""
    folder.mkdir(parents=True, exist_ok=True)
    content = marshal.dumps(("planted", planted_code(marker)))
    path = folder / name
    path.write_bytes(user_cache.ENTRY_FORMAT + user_cache._digest(name, content) + content)
    path.chmod(mode)
    return path


def key_name(compilation, source_path: str) -> str:
    filename = f"<rubricdsl scorer of {compilation.rubric.id} from {source_path}>"
    return scorer_cache.inputs_key(compilation, filename)


def test_a_planted_entry_runs_when_trusted_which_is_what_is_guarded(cache_home: Path, tmp_path: Path) -> None:
    """The planted entries of the tests below are real: in the user's own
    private folder, as the user's private file, one is loaded and run."""
    compilation = compile_source(MINI, "mini.rubric")
    marker = tmp_path / "marker"
    plant(cache_home / "rubricdsl", key_name(compilation, "mini.rubric"), marker)
    (cache_home / "rubricdsl").chmod(0o700)
    scoring.load_scorer(compilation, "mini.rubric")
    assert marker.exists()


@pytest.mark.parametrize("how", ["folder open to all (0777)", "folder group-writable", "file group-writable", "file a link", "folder another user's"])
def test_a_planted_entry_is_never_loaded(cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    compilation = compile_source(MINI, "mini.rubric")
    marker = tmp_path / "marker"
    folder = cache_home / "rubricdsl"
    name = key_name(compilation, "mini.rubric")
    folder.mkdir(parents=True, mode=0o700)
    if how == "folder open to all (0777)":
        plant(folder, name, marker)
        folder.chmod(0o777)
    elif how == "folder group-writable":
        plant(folder, name, marker)
        folder.chmod(0o770)
    elif how == "file group-writable":
        plant(folder, name, marker, mode=0o620)
    elif how == "file a link":
        planted = plant(tmp_path / "elsewhere", name, marker)
        (folder / name).symlink_to(planted)
    else:
        plant(folder, name, marker)
        real = os.getuid()
        monkeypatch.setattr(os, "getuid", lambda: real + 1)  # the folder and file are now another user's
    scorer = scoring.load_scorer(compilation, "mini.rubric")
    assert not marker.exists(), f"loaded a planted entry: {how}"
    assert scorer.RUBRIC_ID == "mini-1" and scorer.score  # scored all the same, from the rendered scorer
    if how in ("file group-writable", "file a link"):  # a safe folder: the entry is made again, private
        assert stat.S_ISREG(os.lstat(folder / name).st_mode) and stat.S_IMODE(os.lstat(folder / name).st_mode) == 0o600


def test_an_entry_planted_in_the_shared_temporary_folder_is_never_loaded(tmp_path: Path) -> None:
    """`score` in a real process, with the shared temporary folder holding
    entries under the very names it computes, in every folder layout the
    earlier caches used: none is loaded, and nothing is added there."""
    compilation = compile_file(SHIPPED_RUBRIC)
    shared = tmp_path / "shared-tmp"
    marker = tmp_path / "marker"
    for source_path in (str(SHIPPED_RUBRIC), SHIPPED_SOURCE):
        name = key_name(compilation, source_path)
        for folder in (shared, shared / "rubricdsl", shared / f"rubricdsl-{os.getuid()}"):
            plant(folder, name, marker)
    before = sorted(str(path.relative_to(shared)) for path in shared.rglob("*"))
    environment = {**os.environ, "TMPDIR": str(shared), "XDG_CACHE_HOME": str(tmp_path / "user-cache")}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    for _ in range(2):  # cold, then warm from the user's own folder
        done = subprocess.run(
            [sys.executable, "-m", "rubricdsl.cli", "score", str(SHIPPED_RUBRIC), str(FIXTURE), "--format", "json"],
            capture_output=True, text=True, env=environment, cwd=ROOT,
        )
        assert done.returncode == 0, done.stderr
        assert not marker.exists()
        assert json.loads(done.stdout)["total"] == 416
    assert sorted(str(path.relative_to(shared)) for path in shared.rglob("*")) == before
    assert len(entries(tmp_path / "user-cache")) == 1


# ---------------------------------------------------------------------------
# Races, a cache that cannot be written, pruning
# ---------------------------------------------------------------------------


def test_threads_racing_on_an_empty_cache_all_score_alike(cache_home: Path) -> None:
    compilation = shipped_compilation()
    results, errors = [], []

    def run() -> None:
        try:
            scorer = scoring.load_scorer(compilation, SHIPPED_SOURCE)
            results.append(scorer.dumps(scorer.score(findings())))
        except Exception as error:  # reported below, with the others
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 6 and len(set(results)) == 1
    (entry,) = entries(cache_home)
    assert user_cache.read_entry(entry.parent, entry.name) is not None
    assert not list(entry.parent.glob(".scorer-*")), "no temporary file left"


def test_processes_racing_on_an_empty_cache_all_score_alike(tmp_path: Path) -> None:
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "rubricdsl.cli", "score", str(SHIPPED_RUBRIC), str(FIXTURE), "--format", "json"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment, cwd=ROOT) for _ in range(4)]
    outputs = [run.communicate() for run in runs]
    assert [run.returncode for run in runs] == [0] * 4, [error for _, error in outputs]
    assert len({output for output, _ in outputs}) == 1
    (entry,) = entries(tmp_path / "cache")
    assert user_cache.read_entry(entry.parent, entry.name) is not None
    assert not list(entry.parent.glob(".scorer-*"))
    warm = subprocess.run(command, capture_output=True, env=environment, cwd=ROOT)
    assert warm.returncode == 0 and warm.stdout == outputs[0][0]


def test_a_cache_that_cannot_be_written_still_scores(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    compilation = compile_source(MINI, "mini.rubric")
    monkeypatch.setattr(tempfile, "mkstemp", full)
    assert scoring.load_scorer(compilation, "mini.rubric").RUBRIC_ID == "mini-1"
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    monkeypatch.setattr(os, "replace", full)
    assert scoring.load_scorer(compilation, "mini.rubric").RUBRIC_ID == "mini-1"
    assert entries(cache_home) == [] and not list((cache_home / "rubricdsl").glob(".scorer-*")), "no half entry, no temporary file"


def test_a_read_only_cache_folder_still_scores(tmp_path: Path) -> None:
    folder = tmp_path / "cache" / "rubricdsl"
    folder.mkdir(parents=True, mode=0o700)
    folder.chmod(0o500)
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "rubricdsl.cli", "score", str(SHIPPED_RUBRIC), str(FIXTURE), "--format", "json"],
            capture_output=True, text=True, env=environment, cwd=ROOT,
        )
    finally:
        folder.chmod(0o700)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] == 416
    if os.getuid() != 0:  # root writes into a read-only folder all the same
        assert entries(tmp_path / "cache") == []


def test_the_oldest_entries_beyond_the_kept_number_are_removed(cache_home: Path) -> None:
    folder = cache_home / "rubricdsl"
    folder.mkdir(parents=True, mode=0o700)
    names = [f"scorer-{number:04d}" for number in range(user_cache.KEPT_ENTRIES + 5)]
    for age, name in enumerate(names):
        assert user_cache.write_entry(folder, name, b"x")
        os.utime(folder / name, (1_000_000 + age, 1_000_000 + age))
    (folder / "jinja2-other.cache").write_bytes(b"not ours to prune")
    assert user_cache.write_entry(folder, "scorer-newest", b"y")
    kept = sorted(path.name for path in folder.glob("scorer-*"))
    assert kept == sorted(names[6:] + ["scorer-newest"])
    assert (folder / "jinja2-other.cache").exists()


def test_a_warm_score_imports_no_jinja(tmp_path: Path) -> None:
    """`score --format json` with the scorer cached renders nothing."""
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    probe = (
        "import runpy, sys, atexit\n"
        "atexit.register(lambda: sys.stderr.write('jinja2 imported\\n' if 'jinja2' in sys.modules else 'no jinja2\\n'))\n"
        "sys.argv = ['rubricdsl', *sys.argv[1:]]\n"
        "runpy.run_module('rubricdsl.cli', run_name='__main__')\n"
    )
    command = [sys.executable, "-c", probe, "score", str(SHIPPED_RUBRIC), str(FIXTURE), "--format", "json"]
    cold = subprocess.run(command, capture_output=True, text=True, env=environment, cwd=ROOT)
    warm = subprocess.run(command, capture_output=True, text=True, env=environment, cwd=ROOT)
    assert cold.returncode == warm.returncode == 0, cold.stderr + warm.stderr
    assert cold.stderr.endswith("jinja2 imported\n") and warm.stderr.endswith("no jinja2\n")
    assert cold.stdout == warm.stdout


def test_a_build_scorer_compiles_an_item_function_only_when_it_is_called() -> None:
    """The build's scorer (the workbook's values of blank findings) runs no
    item's function, so it compiles none; one called is compiled then, the
    very code of the generated file, its lines numbered as there."""
    from rubricdsl.workbook_layout import blank_findings

    from .scoring_helpers import complete_findings, fixture_findings

    compilation = shipped_compilation()
    generated = GENERATED.read_text(encoding="utf-8")
    eager = scorer_cache.scorer_module(generated, compilation.rubric.id, SHIPPED_SOURCE)
    name = scorer_cache.filename(compilation.rubric.id, SHIPPED_SOURCE)
    eager_lines = linecache.cache[name]
    stale = linecache.cache[name] = (6, None, ["stale\n"], name)  # another scorer's of the same name, run before
    lazy = scorer_cache.scorer_module_for_blank_findings(generated.encode("utf-8"), compilation.rubric.id, SHIPPED_SOURCE)
    functions = [name for name in vars(eager) if name.startswith("item_")]
    assert len(functions) == 44 and sorted(vars(lazy)) == sorted(vars(eager))
    from rubricdsl.plan import lower

    blank = blank_findings(lower(compilation.rubric))
    assert lazy.score(blank, partial=True) == eager.score(blank, partial=True)
    assert all(getattr(lazy, name).__code__ != getattr(eager, name).__code__ for name in functions)  # stand-ins yet
    assert linecache.cache[name] == stale  # its lines are given to linecache when an item's function is first compiled
    for findings in (complete_findings(compilation.rubric), fixture_findings()):
        assert lazy.score(findings) == eager.score(findings)
    assert linecache.cache[name] == eager_lines
    for function in functions:
        assert getattr(lazy, function).__code__ == getattr(eager, function).__code__
    with pytest.raises(lazy._Invalid) as raised:
        lazy.ITEMS[0][4]({"status": "assessed"})
    last = raised.tb
    while last.tb_next is not None:
        last = last.tb_next
    assert last.tb_lineno == generated.splitlines().index("        raise _Invalid") + 1  # the first item's first check


def test_item_functions_are_cut_where_a_regular_expression_cuts_them() -> None:
    """_item_functions finds each `def item_...(found):` at a line's start
    and ends it before the next line that starts with anything but a blank,
    as the regular expressions it replaced did: between functions, tables
    and comments; in them, blank and indented lines; a `def item_` inside a
    line or another signature is no function."""
    import re

    def by_regular_expression(source: bytes, end: int) -> list:
        cut = []
        for found in re.finditer(rb"^def (item_\w+)\(found\):$", source[:end], re.M):
            following = re.compile(rb"^[^\s]", re.M).search(source, found.end(), end)
            cut.append((found.group(1).decode("ascii"), found.start(), following.start() if following else end))
        return cut

    crafted = (
        b"def item_first(found):\n    x = 1\n\n    \n\treturn x\n"
        b"TABLE = {'def item_no(found):': 1}\n"
        b"def item_second(found):\n    return 'def item_inner(found):'\n"
        b"# a comment\n"
        b"def item_other(found, more):\n    pass\n"
        b" def item_indented(found):\n"
        b"def item_third(found):\n    return 3\n"
        b"def item_last(found):\n    return 4"
    )
    assert [name for name, _, _ in scorer_cache._item_functions(crafted, len(crafted))] == ["item_first", "item_second", "item_third", "item_last"]
    generated = GENERATED.read_bytes()
    end = scorer_cache.rubric_part_end(generated, "scorer.py")
    for source, stop in ((crafted, len(crafted)), (crafted, len(crafted) - 10), (generated, end)):
        assert list(scorer_cache._item_functions(source, stop)) == by_regular_expression(source, stop)
    assert len(by_regular_expression(generated, end)) > 30


# ---------------------------------------------------------------------------
# The workbook's blank result, kept as data


def same_values(first, second) -> bool:
    """Equal and of the same types all the way down (1, 1.0 and True are
    equal, but a cell caches each otherwise)."""
    if type(first) is not type(second):
        return False
    if isinstance(first, dict):
        return list(first) == list(second) and all(same_values(first[key], second[key]) for key in first)
    if isinstance(first, (list, tuple)):
        return len(first) == len(second) and all(same_values(a, b) for a, b in zip(first, second))
    return first == second


def blank_inputs(source_text: str | None = None):
    from rubricdsl.plan import lower
    from rubricdsl.workbook_layout import blank_findings

    compilation = shipped_compilation()
    source = (source_text or GENERATED.read_text(encoding="utf-8")).encode("utf-8")
    return source, compilation.rubric.id, blank_findings(lower(compilation.rubric))


def test_a_blank_result_is_kept_and_read_back_the_same_without_running_a_scorer(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, rubric_id, blank = blank_inputs()
    scored = scorer_cache.blank_result(source, rubric_id, SHIPPED_SOURCE, blank)
    (kept,) = (cache_home / "rubricdsl").glob("result-*")
    made = scorer_cache.scorer_module_for_blank_findings(source, rubric_id, SHIPPED_SOURCE).score(blank, partial=True)
    assert same_values(scored, made)

    def no_scorer(*arguments):
        raise AssertionError("a scorer was run for a kept result")

    with monkeypatch.context() as patch:
        patch.setattr(scorer_cache, "scorer_module_for_blank_findings", no_scorer)
        assert same_values(scorer_cache.blank_result(source, rubric_id, SHIPPED_SOURCE, blank), made)
        # Anything else is another key: another scorer's text, other findings, another name.
        for changed in [
            (source.replace(b"# ", b"#  ", 1), rubric_id, SHIPPED_SOURCE, blank),
            (source, rubric_id, SHIPPED_SOURCE, {**blank, "organization": "x"}),
            (source, rubric_id, "elsewhere/t.rubric", blank),
        ]:
            with pytest.raises(AssertionError, match="a scorer was run"):
                scorer_cache.blank_result(*changed)
        # The code that scores in memory but is not the scorer's text: scorer_runtime.py
        # whole (its placeholder block is not inlined) is part of the key.
        from rubricdsl.backends import scorer as scorer_backend

        changed_runtime = cache_home / "scorer_runtime.py"
        changed_runtime.write_bytes(scorer_backend.runtime_path().read_bytes() + b"\n# changed\n")
        patch.setattr(scorer_backend, "runtime_path", lambda: changed_runtime)
        scorer_cache._scoring_code_digest.cache_clear()  # read once a process: as in another process
        try:
            with pytest.raises(AssertionError, match="a scorer was run"):
                scorer_cache.blank_result(source, rubric_id, SHIPPED_SOURCE, blank)
        finally:
            scorer_cache._scoring_code_digest.cache_clear()
    # A whole entry of another revision's result (its rubric says so) is scored again.
    user_cache.write_entry(cache_home / "rubricdsl", kept.name, marshal.dumps({**made, "rubric": {**made["rubric"], "version": "other"}}))
    assert same_values(scorer_cache.blank_result(source, rubric_id, SHIPPED_SOURCE, blank), made)
    # An entry that is whole but not a marshalled result is scored again (and kept anew).
    user_cache.write_entry(cache_home / "rubricdsl", kept.name, b"not marshal")
    assert same_values(scorer_cache.blank_result(source, rubric_id, SHIPPED_SOURCE, blank), made)
    assert marshal.loads(user_cache.read_entry(cache_home / "rubricdsl", kept.name)) == made


def test_a_blank_result_holding_a_decimal_is_not_kept(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from decimal import Decimal

    source, rubric_id, blank = blank_inputs()

    class Scorer:
        @staticmethod
        def score(findings, partial):
            return {"total": Decimal("2.5")}

    monkeypatch.setattr(scorer_cache, "scorer_module_for_blank_findings", lambda *arguments: Scorer)
    assert scorer_cache.blank_result(source, rubric_id, SHIPPED_SOURCE, blank) == {"total": Decimal("2.5")}
    assert not list((cache_home / "rubricdsl").glob("result-*"))


def test_a_build_workbook_is_the_same_bytes_from_a_kept_blank_result(cache_home: Path) -> None:
    from rubricdsl.backends import BuildContext, workbook

    context = lambda: BuildContext.of(shipped_compilation(), SHIPPED_SOURCE)  # noqa: E731
    first = workbook.render(context())
    assert list((cache_home / "rubricdsl").glob("result-*"))
    assert workbook.render(context()) == first == (ROOT / "generated" / "t-cssg-001.5-2020" / "workbook.xlsx").read_bytes()


def test_a_second_build_from_the_kept_results_writes_the_same_files(tmp_path: Path) -> None:
    """Through the command line: `rubricdsl build` with an empty cache
    folder keeps the blank result and the records' code; a second build,
    reading them, writes the same files, and so does a third once they are
    deleted."""
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    folder = tmp_path / "cache" / "rubricdsl"
    outputs = []
    for run_number in range(3):
        if run_number == 2:
            for kept in [*folder.glob("result-*"), *folder.glob("records-*")]:
                kept.unlink()
        out = tmp_path / f"out{run_number}"
        ran = subprocess.run([sys.executable, "-m", "rubricdsl.cli", "build", str(SHIPPED_RUBRIC), "-o", str(out)],
                             capture_output=True, text=True, env=environment, cwd=tmp_path)
        assert ran.returncode == 0, ran.stderr
        assert list(folder.glob("result-*")) and list(folder.glob("records-*"))
        outputs.append({path.relative_to(out): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()})
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(outputs[0]) == 8
