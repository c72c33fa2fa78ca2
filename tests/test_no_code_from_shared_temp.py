"""Nothing is loaded from the shared temporary folder, where another local
user can write: neither Lark's grammar cache (a pickle, unpickled before any
check, under a name anyone can compute) nor Jinja's compiled templates."""

from __future__ import annotations

import getpass
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import jinja2
import pytest

from rubricdsl.parser import grammar_path

from .conftest import SHIPPED_RUBRIC


class _WritesMarker:
    """A pickle that, when loaded, creates the marker file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def old_lark_cache_name(monkeypatch: pytest.MonkeyPatch, folder: Path) -> str:
    """The name under which rubricdsl used to keep Lark's cache: Lark with
    cache=True and the options the parser was built with, writing into
    `folder` as its temporary folder."""
    from lark import Lark

    made = folder / "made"
    made.mkdir()
    with monkeypatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(made))
        Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", lexer="basic", maybe_placeholders=False, cache=True)
    (cache,) = made.iterdir()
    assert cache.name.startswith(f".lark_cache_{getpass.getuser()}_"), cache.name
    return cache.name


def plant_jinja_cache(shared: Path, marker: Path) -> int:
    """Jinja's default bytecode cache (FileSystemBytecodeCache() with no
    folder) for every template, each a code object that creates the marker."""
    folder = shared / f"_jinja2-cache-{os.getuid()}"
    folder.mkdir(mode=0o700)
    cache = jinja2.FileSystemBytecodeCache(str(folder))
    loader = jinja2.PackageLoader("rubricdsl.backends", "templates")
    environment = jinja2.Environment(loader=loader)
    planted = compile(f"open({str(marker)!r}, 'w').close()", "<planted>", "exec")
    names = loader.list_templates()
    for name in names:
        source, filename, _ = loader.get_source(environment, name)
        bucket = cache.get_bucket(environment, name, filename, source)
        bucket.code = planted
        cache.set_bucket(bucket)
    assert len(list(folder.iterdir())) == len(names)
    return len(names)


def test_a_cache_planted_in_the_shared_temporary_folder_is_never_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    marker = tmp_path / "marker"
    with open(shared / old_lark_cache_name(monkeypatch, tmp_path), "wb") as planted:
        planted.write(b"any hash\n")
        pickle.dump(_WritesMarker(marker), planted)
    plant_jinja_cache(shared, marker)
    # The planted files work: loaded as Lark and Jinja would, they create the marker.
    with open(next(shared.glob(".lark_cache_*")), "rb") as planted:
        planted.readline()
        pickle.load(planted)
    assert marker.exists()
    marker.unlink()
    jinja = jinja2.Environment(
        loader=jinja2.PackageLoader("rubricdsl.backends", "templates"),
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(next(shared.glob("_jinja2-cache-*")))),
    )
    with pytest.raises(Exception):  # the planted code defines no template
        jinja.get_template("scorer.py.j2")
    assert marker.exists()
    marker.unlink()

    broken = tmp_path / "broken.rubric"
    broken.write_text("rubric broken\n  titel \"x\"\n", encoding="utf-8")  # parsed by Lark
    # The user's own cache folder is elsewhere, empty: every template is compiled.
    environment = {**os.environ, "TMPDIR": str(shared), "XDG_CACHE_HOME": str(tmp_path / "user-cache")}
    commands = [
        ["check", str(SHIPPED_RUBRIC)],
        ["check", str(broken)],
        ["fmt", "--check", str(SHIPPED_RUBRIC)],
        ["build", str(SHIPPED_RUBRIC), "-o", str(tmp_path / "out")],
    ]
    for command in commands:
        ran = subprocess.run(
            [sys.executable, "-m", "rubricdsl.cli", *command], capture_output=True, text=True, env=environment, cwd=tmp_path
        )
        assert ran.returncode in (0, 1), ran.stderr
        assert not marker.exists(), f"rubricdsl {' '.join(command)} loaded a file planted in the temporary folder"
    assert (tmp_path / "out").is_dir()
    assert sorted(os.listdir(shared)) == sorted(
        [next(shared.glob(".lark_cache_*")).name, f"_jinja2-cache-{os.getuid()}"]
    ), "nothing new in the shared temporary folder either"


def test_the_user_cache_folder_is_private_and_refused_when_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rubricdsl.backends.templating import user_cache_folder

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = user_cache_folder()
    assert folder == tmp_path / "cache" / "rubricdsl"
    assert folder.stat().st_mode & 0o777 == 0o700
    folder.chmod(0o777)  # open to others: whatever is in it may be planted
    assert user_cache_folder() is None
    folder.rmdir()
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    folder.symlink_to(tmp_path / "elsewhere")
    assert user_cache_folder() is None
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert user_cache_folder() == tmp_path / "home" / ".cache" / "rubricdsl"


def test_a_template_cache_that_cannot_be_written_costs_time_not_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache folder on a full disk or a read-only file system: Jinja's
    write of a compiled template fails, and the template renders all the same."""
    import errno

    from rubricdsl.backends import templating

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cache = templating._bytecode_cache()

    def read_only(*arguments, **options):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", read_only)
    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    environment = jinja2.Environment(loader=jinja2.PackageLoader("rubricdsl.backends", "templates"), bytecode_cache=cache)
    assert environment.get_template("workbook/package.rels.j2").render()
    assert not list((tmp_path / "cache" / "rubricdsl").glob("template-*"))


def test_a_compiled_template_is_kept_as_an_entry_checked_whole_and_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first render compiles the template and keeps its code as a
    `template-` entry of the user's cache folder (no pickle in it); the next
    environment reads that code instead of compiling; an entry that is not
    whole is compiled again and written over."""
    from rubricdsl.backends import templating
    from rubricdsl.user_cache import ENTRY_FORMAT

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "cache" / "rubricdsl"

    def environment() -> jinja2.Environment:
        return jinja2.Environment(loader=jinja2.PackageLoader("rubricdsl.backends", "templates"), bytecode_cache=templating._bytecode_cache())

    expected = environment().get_template("workbook/package.rels.j2").render()
    (entry,) = folder.glob("template-*")
    assert entry.read_bytes().startswith(ENTRY_FORMAT)  # marshalled code after its digest, not Jinja's pickled checksum

    compiled = []
    original = jinja2.Environment.compile

    def counted(self, *arguments, **options):
        compiled.append(arguments)
        return original(self, *arguments, **options)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    assert environment().get_template("workbook/package.rels.j2").render() == expected
    assert compiled == []

    entry.write_bytes(entry.read_bytes()[:-5])  # cut short: its digest no longer matches
    assert environment().get_template("workbook/package.rels.j2").render() == expected
    assert len(compiled) == 1
    assert environment().get_template("workbook/package.rels.j2").render() == expected
    assert len(compiled) == 1  # the entry written again is whole


def test_a_template_compiled_under_other_settings_is_not_read_for_these(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An environment that reads templates otherwise (here, without
    trim_blocks) keeps its code in an entry of its own: the same template's
    code compiled under other settings is never loaded."""
    from rubricdsl.backends import templating

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "lines.j2").write_text("{% for line in lines %}\n{{ line }}\n{% endfor %}\n", encoding="utf-8")

    def rendered(**options) -> str:
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(tmp_path / "templates")), bytecode_cache=templating._bytecode_cache(), **options
        )
        return environment.get_template("lines.j2").render(lines=["a", "b"])

    trimmed, untrimmed = rendered(trim_blocks=True), rendered(trim_blocks=False)
    assert trimmed != untrimmed  # the settings do change the text
    assert rendered(trim_blocks=False) == untrimmed and rendered(trim_blocks=True) == trimmed
    assert len(list((tmp_path / "cache" / "rubricdsl").glob("template-*"))) == 2


def test_a_template_compiled_to_escape_or_not_keeps_an_entry_of_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether a template escapes is decided as it compiles: the same text
    compiled with autoescape off is never read for an environment that
    escapes, nor when a filter comes to take the context."""
    from rubricdsl.backends import templating

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "shown.html").write_text("{{ value }}|{{ value | shout }}", encoding="utf-8")

    def rendered(autoescape: bool, shout) -> str:
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(tmp_path / "templates")), bytecode_cache=templating._bytecode_cache(), autoescape=autoescape
        )
        environment.filters["shout"] = shout
        return environment.get_template("shown.html").render(value="<b>")

    def plain(text):
        return str(text).upper()

    @jinja2.pass_context
    def with_context(context, text):
        return str(text).upper()

    assert rendered(False, plain) == "<b>|<B>"
    assert rendered(True, plain) == "&lt;b&gt;|&lt;B&gt;"
    assert rendered(True, with_context) == "&lt;b&gt;|&lt;B&gt;"
    assert rendered(False, plain) == "<b>|<B>"
    assert len(list((tmp_path / "cache" / "rubricdsl").glob("template-*"))) == 3
