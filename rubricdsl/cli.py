"""The `rubricdsl` command line.

Diagnostics go to stderr, results to stdout.  Exit codes: 0 success, 1 the
input has errors (or, for --check modes, something differs), 2 usage or I/O
problems.  Commands that need the backends import them when they run, so
`check` starts as fast as Lark and click allow.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .diagnostics import Severity, render, summary_line
from .frontend import Compilation, compile_file

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

DEFAULT_RUBRICS = Path("rubrics")


class UserError(click.ClickException):
    """A problem the user can fix (a missing file, bad findings); exit 2."""

    exit_code = EXIT_USAGE


def rubric_paths(paths: tuple[str, ...]) -> list[Path]:
    """The given paths, or every rubrics/*.rubric; a folder means its rubrics."""
    if not paths:
        found = sorted(DEFAULT_RUBRICS.glob("*.rubric"))
        if not found:
            raise UserError(f"no rubrics given and none found in {DEFAULT_RUBRICS}/")
        return found
    result: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            inside = sorted(path.glob("*.rubric"))
            if not inside:
                raise UserError(f"{path}: folder holds no .rubric files")
            result.extend(inside)
        else:
            result.append(path)
    return result


def load(path: Path) -> Compilation:
    try:
        return compile_file(path)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a rubric") from None
    except OSError as error:
        raise UserError(f"{path}: cannot read: {error.strerror}") from None


def report(compilation: Compilation, *, show_info: bool = False) -> None:
    """Print a compilation's diagnostics to stderr with source and carets."""
    shown = [d for d in compilation.diagnostics if show_info or d.severity is not Severity.INFO]
    for diagnostic in shown:
        click.echo(render(diagnostic, compilation.source), err=True)
    if shown:
        click.echo(f"{compilation.path}: {summary_line(shown)}", err=True)


def load_valid(path: Path) -> Compilation:
    """Load a rubric that must be free of errors; report and exit 1 if not."""
    compilation = load(path)
    if not compilation.ok:
        report(compilation)
        raise SystemExit(EXIT_FAILED)
    return compilation


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rubricdsl")
def main() -> None:
    """rubricdsl: compile evaluation rubrics into scorers, sheets and forms."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: diagnostics with carets on stderr; json: a JSON list on stdout.",
)
@click.option("--info", "show_info", is_flag=True, help="Also show information notes (I codes).")
def check(paths: tuple[str, ...], output_format: str, show_info: bool) -> None:
    """Check rubrics (default: every rubrics/*.rubric) and report every problem.

    Exit 0 when there are no errors (warnings allowed), 1 when there are.
    """
    compilations = [load(path) for path in rubric_paths(paths)]
    failed = any(not c.ok for c in compilations)
    if output_format == "json":
        listed = [
            d.to_json()
            for c in compilations
            for d in c.diagnostics
            if show_info or d.severity is not Severity.INFO
        ]
        click.echo(json.dumps(listed, ensure_ascii=False, indent=2))
    else:
        for compilation in compilations:
            report(compilation, show_info=show_info)
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


@main.command()
@click.argument("rubric", type=click.Path(path_type=Path))
def inspect(rubric: Path) -> None:
    """Print the compiled model of RUBRIC as JSON (shape: see the README)."""
    from .export import to_json

    compilation = load_valid(rubric)
    data = to_json(compilation.rubric, path=str(rubric), sha256=compilation.sha256)
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("generated"),
    show_default=True,
    help="Folder that receives one folder per rubric id.",
)
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 if any generated file is stale, missing or extra.")
def build(paths: tuple[str, ...], out_dir: Path, check_only: bool) -> None:
    """Build every rubric (default: rubrics/*.rubric) into OUT_DIR/<rubric id>/.

    Nothing is written unless every rubric checks clean and every file
    renders; unchanged files are left untouched.
    """
    from . import build as builder

    sources = rubric_paths(paths)
    compilations = [(source, load(source)) for source in sources]
    broken = [c for _, c in compilations if not c.ok]
    for compilation in broken:
        report(compilation)
    if broken:
        click.echo(f"build: {len(broken)} rubric(s) have errors; nothing was written", err=True)
        sys.exit(EXIT_FAILED)
    try:
        plan = builder.plan(compilations, out_dir)
    except builder.BuildError as error:
        raise UserError(str(error)) from None
    whole_folder = not paths
    if check_only:
        drift = builder.drift(plan, whole_folder=whole_folder)
        for label, found in (("stale", drift.stale), ("missing", drift.missing), ("extra", drift.extra)):
            for path in found:
                click.echo(f"{label}: {builder.display_path(path)}", err=True)
        if drift:
            click.echo("build --check: generated files are out of date; run 'rubricdsl build'", err=True)
            sys.exit(EXIT_FAILED)
        return
    try:
        written, removed = builder.write(plan, whole_folder=whole_folder)
    except OSError as error:
        raise UserError(f"cannot write {error.filename}: {error.strerror}") from None
    for path in written:
        click.echo(f"wrote {builder.display_path(path)}")
    for path in removed:
        click.echo(f"removed {builder.display_path(path)}")
    if not written and not removed:
        click.echo(f"up to date: {len(plan.files)} files in {builder.display_path(out_dir)}/")


if __name__ == "__main__":  # pragma: no cover
    main()
