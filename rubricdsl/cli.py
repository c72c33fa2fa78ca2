"""The `rubricdsl` command line.

Diagnostics go to stderr, results to stdout.  Exit codes: 0 success, 1 the
input has errors (or, for --check modes, something differs), 2 usage or I/O
problems.  Commands that need the backends import them when they run, so
`check` starts as fast as Lark and click allow.
"""

from __future__ import annotations

import functools
import gc
import sys
from pathlib import Path

import click

from . import __version__
from .diagnostics import Severity, render_all, summary_line
from .frontend import Compilation, compile_bytes
from .terminal import printable

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

DEFAULT_RUBRICS = Path("rubrics")


class UserError(click.ClickException):
    """A problem the user can fix (a missing file, bad findings); exit 2.
    Its message may quote a file's text (a key, a name), so it is shown
    through `printable`."""

    exit_code = EXIT_USAGE

    def format_message(self) -> str:
        return printable(self.message)


# ---------------------------------------------------------------------------
# Options and arguments more than one command takes
# ---------------------------------------------------------------------------

STDIN = "-"
_STDIN_NAME = "rubricdsl.stdin_name"


def reads_files(*params: str):
    """A command that reads the files named by its parameters `params`, `-`
    meaning standard input: adds --stdin-filename (the name standard input
    goes by in messages and in what is generated from it, as in black and
    ruff), and refuses `-` given twice (standard input can be read once) or
    --stdin-filename with no `-` (exit 2)."""

    def decorate(command):
        @functools.wraps(command)
        def run(stdin_filename: str | None, **kwargs):
            ctx = click.get_current_context()
            named = [str(value) for param in params for value in _values(kwargs[param])]
            if named.count(STDIN) > 1:
                raise click.UsageError("- (standard input) is given twice; it can be read once", ctx)
            if stdin_filename is not None and STDIN not in named:
                raise click.UsageError("--stdin-filename names standard input, but no input is -", ctx)
            ctx.meta[_STDIN_NAME] = stdin_filename or "<stdin>"
            return command(**kwargs)

        return click.option(
            "--stdin-filename",
            metavar="NAME",
            help="The name of standard input (-) in messages and in what is generated from it.",
        )(run)

    return decorate


def _values(value) -> tuple:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def stdin_name() -> str:
    """What standard input is called in this command (--stdin-filename)."""
    return click.get_current_context().meta.get(_STDIN_NAME, "<stdin>")


def shown(path) -> str:
    """A path as messages and outputs name it: standard input by its name."""
    return stdin_name() if str(path) == STDIN else str(path)


def without_collection(command):
    """The command run without the cyclic garbage collector, which is
    turned back on after it as it was: everything a build makes lives until
    its file is written and holds no cycle worth collecting (at 300x its
    young collections cost 0.44 s, 4%, and saved 7 MiB of the 367 at the
    peak; at 100x they collected 11 objects)."""

    @functools.wraps(command)
    def uncollected(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return command(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return uncollected


@functools.cache
def shared_path(**kind) -> click.Path:
    """One click.Path of each kind, shared by every option that takes it:
    each one made asks gettext for its name, which looks for translation
    files on disk (a build's 30 calls took 3.0 ms, its 9 now 2.0, of which
    the first call's import of locale is 1)."""
    return click.Path(**kind)


def input_argument(name: str, **kwargs):
    """A file argument; `-` is standard input."""
    return click.argument(name, type=shared_path(path_type=str, allow_dash=True), **kwargs)


def format_option(choices: list[str], help: str):
    """--format, its first choice the default."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help=help,
    )


def output_option(help: str):
    """-o/--output, a file; `-` (the default) is standard output."""
    return click.option(
        "-o",
        "--output",
        default=STDIN,
        show_default=True,
        type=shared_path(path_type=str, dir_okay=False, allow_dash=True),
        help=help,
    )


def check_option(help: str):
    return click.option("--check", "check_only", is_flag=True, help=help)


def given(name: str) -> bool:
    """Whether the user gave parameter `name` (not left it at its default)."""
    from click.core import ParameterSource

    source = click.get_current_context().get_parameter_source(name)
    return source not in (None, ParameterSource.DEFAULT)


def not_applicable(option: str, why: str):
    """A usage error: an option that does nothing in the mode chosen."""
    return click.UsageError(f"{option} does not apply {why}", click.get_current_context())


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


def read_bytes(path: Path | str) -> bytes:
    """A file's bytes; `-` reads standard input."""
    if str(path) == STDIN:
        return sys.stdin.buffer.read()
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a rubric") from None
    except OSError as error:
        raise UserError(f"{path}: cannot read: {error.strerror}") from None


def load(path: Path | str) -> Compilation:
    return compile_bytes(read_bytes(path), shown(path))


def report(compilation: Compilation, *, show_info: bool = False) -> None:
    """Print a compilation's diagnostics to stderr with source and carets."""
    shown = [d for d in compilation.diagnostics if show_info or d.severity is not Severity.INFO]
    omitted = [o for o in compilation.omitted if show_info or o.severity is not Severity.INFO]
    for text in render_all(shown, compilation.source):
        click.echo(text, err=True)
    for summary in omitted:
        click.echo(summary.render(), err=True)
    if shown:
        click.echo(printable(f"{compilation.path}: {summary_line(shown, omitted)}"), err=True)


def refuse_input_as_output(outputs: list, inputs: list) -> None:
    """Exit 2 when an output path is one of the command's inputs (the same
    file by device and inode, whatever the names): writing it would destroy
    the input."""
    from .files import input_as_output

    clash = input_as_output(outputs, inputs)
    if clash is not None:
        output, given = clash
        same = "" if output == given else f" ({given})"
        raise UserError(f"{output}: is an input of this command{same}; give another output path")


def load_valid(path: Path | str) -> Compilation:
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
@input_argument("paths", nargs=-1)
@format_option(["text", "json"], "text: diagnostics with carets on stderr; json: a JSON list on stdout.")
@click.option("--info", "show_info", is_flag=True, help="Also show information notes (I codes).")
@reads_files("paths")
def check(paths: tuple[str, ...], output_format: str, show_info: bool) -> None:
    """Check rubrics (default: every rubrics/*.rubric) and report every problem.

    `-` reads a rubric from standard input.  Exit 0 when there are no errors (warnings allowed), 1 when there are.
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
        import json  # not needed by a check in text

        click.echo(json.dumps(listed, ensure_ascii=False, indent=2))
        # stdout holds diagnostics only; what was counted but not listed is
        # said beside it, as in text.
        for compilation in compilations:
            for summary in compilation.omitted:
                if show_info or summary.severity is not Severity.INFO:
                    click.echo(summary.render(), err=True)
    else:
        for compilation in compilations:
            report(compilation, show_info=show_info)
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


@main.command()
@input_argument("rubric")
@reads_files("rubric")
def inspect(rubric: str) -> None:
    """Print the compiled model of RUBRIC (- for stdin) as JSON (shape: see the README)."""
    from .export import indented_json, to_json

    compilation = load_valid(rubric)
    data = to_json(compilation.rubric, path=shown(rubric), sha256=compilation.sha256)
    click.echo(indented_json(data))


@main.command()
@input_argument("paths", nargs=-1)
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=shared_path(path_type=Path, file_okay=False),
    default=Path("generated"),
    show_default=True,
    help="Folder that receives one folder per rubric id.",
)
@check_option("Write nothing; exit 1 if any generated file is stale, missing or extra.")
@reads_files("paths")
@without_collection
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
    refuse_input_as_output(list(plan.files), sources)
    if check_only:
        try:
            drift = builder.drift(plan, whole_folder=whole_folder)
        except builder.BuildError as error:
            raise UserError(str(error)) from None
        for label, found in (("stale", drift.stale), ("missing", drift.missing)):
            for path in found:
                click.echo(f"{label}: {builder.display_path(path)}", err=True)
        for label, found in (("extra", drift.extra), ("interrupted", drift.interrupted)):
            for extra in found:
                click.echo(f"{label}: {builder.display_path(extra.path)}: {extra.advice}", err=True)
        if drift:
            advice = "run 'rubricdsl build'" if drift.build_fixes else "remove by hand the files marked so above"
            click.echo(f"build --check: generated files are out of date; {advice}", err=True)
            sys.exit(EXIT_FAILED)
        return
    try:
        outcome = builder.write(
            plan,
            whole_folder=whole_folder,
            on_wait=lambda: click.echo(f"build: waiting for another build of {builder.display_path(out_dir)}/ to finish", err=True),
        )
    except builder.BuildError as error:
        raise UserError(str(error)) from None
    except OSError as error:
        raise UserError(f"cannot write {error.filename}: {error.strerror}; the previous outputs are as they were") from None
    for path in outcome.written:
        click.echo(f"wrote {builder.display_path(path)}")
    for path in outcome.removed:
        click.echo(f"removed {builder.display_path(path)}")
    for kept in outcome.kept:
        click.echo(f"kept {builder.display_path(kept.path)}: {kept.advice}", err=True)
    if not outcome.written and not outcome.removed:
        click.echo(f"up to date: {len(plan.files)} files in {builder.display_path(out_dir)}/")


@main.command()
@input_argument("paths", nargs=-1)
@check_option("Write nothing; list the files fmt would change, exit 1 if any.")
@reads_files("paths")
def fmt(paths: tuple[str, ...], check_only: bool) -> None:
    """Rewrite rubrics (default: every rubrics/*.rubric) in the one canonical layout.

    Only layout changes: every statement, comment, note and erratum stays
    where it was.  `-` reads standard input and writes standard output.  A
    file with syntax errors is left as it is and its errors are shown
    (exit 1).  Files are replaced atomically, and only when they change,
    keeping their mode, owner and group.  A read-only file is reported and
    left as it is, as an editor does, and the exit code is 2.
    """
    from . import formatter
    from .files import is_read_only, write_atomically

    read_only: list[str] = []
    from_stdin = STDIN in paths
    if from_stdin and len(paths) > 1:
        raise UserError("'-' (standard input) cannot be given with other paths")
    if from_stdin:
        inputs = [(stdin_name(), read_bytes(STDIN))]
    else:
        inputs = [(str(path), read_bytes(path)) for path in rubric_paths(paths)]
    try:
        results = [formatter.format_bytes(data, name) for name, data in inputs]
    except formatter.FormatError as error:
        raise UserError(f"internal error, please report: {error}") from None
    broken = [r for r in results if r.text is None]
    for result in broken:
        for text in render_all(result.diagnostics, result.source):
            click.echo(text, err=True)
        for summary in result.omitted:
            click.echo(summary.render(), err=True)
        click.echo(f"{result.path}: not formatted: {summary_line(result.diagnostics, result.omitted)}", err=True)
    changed = [r for r in results if r.changed]
    if check_only:
        for result in changed:
            click.echo(result.path)
        if changed:
            click.echo(f"fmt --check: {len(changed)} of {len(results)} files would change; run 'rubricdsl fmt'", err=True)
    elif from_stdin:
        if not broken:
            sys.stdout.buffer.write(results[0].text.encode("utf-8"))
    else:
        for result in changed:
            if is_read_only(Path(result.path)):
                read_only.append(result.path)
                click.echo(f"{result.path}: read-only, not formatted (make it writable to format it)", err=True)
                continue
            try:
                write_atomically(Path(result.path), result.text)
            except OSError as error:
                raise UserError(f"{result.path}: cannot write: {error.strerror}") from None
            click.echo(f"formatted {result.path}")
        unchanged = len(results) - len(changed) - len(broken)
        if unchanged:
            click.echo(f"unchanged: {unchanged} file{'s' if unchanged != 1 else ''}")
    if read_only:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_FAILED if broken or (check_only and changed) else EXIT_OK)


def _revision(path: str, rescoring: bool):
    """A rubric to compare: it must build; its other errors are allowed (a
    printed revision may not add up), keys used twice are not.  Findings
    are rescored only under a revision without errors: its scorer is
    generated from a checked rubric, as for `rubricdsl score`."""
    from .revdiff import Revision

    compilation = load(path)
    path = shown(path)
    duplicates = [d for d in compilation.diagnostics if d.code == "E201"]
    if compilation.rubric is None or duplicates:
        report(compilation)
        raise UserError(printable(f"{path}: cannot be compared" + ("; its keys must be unique" if duplicates else "")))
    errors = compilation.errors
    if errors and rescoring:
        report(compilation)
        raise UserError(
            printable(
                f"{path}: findings cannot be rescored under a revision with errors "
                f"({len(errors)} error{'s' if len(errors) != 1 else ''}); "
                f"fix them first (rubricdsl check {path}), or compare without --findings"
            )
        )
    if errors:
        click.echo(printable(f"note: {path} has {summary_line(errors)}; compared as written (rubricdsl check {path})"), err=True)
    return Revision(str(path), compilation.rubric, len(errors)), compilation


@main.command()
@input_argument("old")
@input_argument("new")
@input_argument("findings_paths", metavar="[FILE]...", nargs=-1)
@format_option(["text", "markdown", "json"], "text: for a terminal (coloured there); markdown: for a revision's 编制说明; json.")
@click.option("--findings", "with_findings", is_flag=True, help="The FILEs after it are findings to rescore under both revisions.")
@reads_files("old", "new", "findings_paths")
def diff(old: str, new: str, findings_paths: tuple[str, ...], output_format: str, with_findings: bool) -> None:
    """Compare two revisions OLD and NEW of a rubric by their keys.

    Lists sections, items, groups, requirements, parts, levels, bands,
    tiers, choices, conditions and grades added, removed or changed, and the
    points by section.  With --findings FILE..., rescores those findings
    under both revisions.  Exit 0 when the revisions mean the same, 1 when
    they differ, 2 on an error.
    """
    try:
        _diff(old, new, findings_paths, output_format, with_findings)
    except click.ClickException:
        raise
    except Exception as error:
        # Exit 1 means "they differ", so a failure here must never look like
        # one; it is a bug, reported as such.
        raise UserError(printable(f"internal error, please report: {_where(error)}")) from None


def _where(error: Exception) -> str:
    """An exception and the line that raised it."""
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


def _diff(old: str, new: str, findings_paths: tuple[str, ...], output_format: str, with_findings: bool) -> None:
    from . import revdiff

    if findings_paths and not with_findings:
        raise UserError(f"unexpected argument '{findings_paths[0]}'; findings files follow --findings")
    if with_findings and not findings_paths:
        raise UserError("--findings needs at least one findings file")
    (old_revision, old_compilation), (new_revision, new_compilation) = (
        _revision(old, with_findings),
        _revision(new, with_findings),
    )
    result = revdiff.diff(old_revision, new_revision)
    for warning in result.warnings():
        click.echo(printable(f"warning: {warning}"), err=True)
    if with_findings:
        from . import scoring

        old_scorer = scoring.load_scorer(old_compilation, shown(old))
        new_scorer = scoring.load_scorer(new_compilation, shown(new))
        loaded, problems = [], []
        for path in findings_paths:
            try:
                findings = scoring.read_findings(old_scorer, path, stdin_name=stdin_name())
                revdiff.check_findings(findings, shown(path), {"OLD": old_scorer, "NEW": new_scorer})
                loaded.append((shown(path), findings))
            except scoring.InputError as error:
                problems += error.messages
            except revdiff.FindingsMismatch as error:
                problems += error.messages
        if problems:
            raise UserError(printable("findings that cannot be rescored:\n" + scoring.listed(problems)))
        try:
            result = revdiff.rescore(result, loaded, old_scorer, new_scorer)
        except revdiff.FindingsMismatch as error:
            raise UserError(printable("findings that cannot be rescored:\n" + scoring.listed(error.messages))) from None
    if output_format == "json":
        click.echo(revdiff.render_json(result))
    elif output_format == "markdown":
        click.echo(revdiff.render_markdown(result), nl=False)
    else:
        click.echo(revdiff.render_text(result, _diff_style))
    sys.exit(EXIT_OK if result.equal else EXIT_FAILED)


_DIFF_COLOURS = {"added": "green", "removed": "red", "changed": "yellow"}


def _diff_style(text: str, role: str) -> str:
    """The diff's colours; click.echo drops them when not on a terminal."""
    action, _, heading = role.partition(" ")
    return click.style(text, fg=_DIFF_COLOURS[action], bold=True if heading else None)


def _points_option(ctx, param, value):
    from decimal import Decimal, InvalidOperation

    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise click.BadParameter(f"'{value}' is not a number") from None
    if not number.is_finite() or number < 0:
        raise click.BadParameter(f"'{value}' is not a number of points (0 or more)")
    return number


@main.command()
@input_argument("rubric")
@input_argument("findings", nargs=-1)
@format_option(
    ["text", "json", "markdown", "html", "xlsx"],
    "The completed scoring sheet as text, Markdown or HTML; json: the result (docs/findings.md); "
    "xlsx: the scoring workbook filled with the findings (one findings file; needs -o FILE).",
)
@click.option("--partial", is_flag=True, help="An unfinished file: missing items (or status null) count 0 as not assessed.")
@click.option(
    "--rescore",
    is_flag=True,
    help="Score findings made under another content of this rubric id and version (docs/findings.md).",
)
@click.option(
    "--combine",
    "method",
    type=click.Choice(["median", "mean", "trimmed-mean"]),
    help="A panel (several FINDINGS): how each item's scores make one (default: the rubric's `panel ... combine`, else median).",
)
@click.option(
    "--disagreement",
    "threshold",
    metavar="POINTS",
    callback=_points_option,
    help="A panel: list the items whose scores spread by more than this many points (default: the rubric's, else 2).",
)
@click.option(
    "--batch",
    type=shared_path(path_type=str, allow_dash=True),
    help="Score many organisations: a folder of *.json findings or a JSON Lines file (- for stdin); write a summary.",
)
@click.option(
    "--summary",
    "summary_path",
    type=shared_path(path_type=Path, dir_okay=False),
    help="With --batch: the JSON summary (default: X.summary.json beside X.csv, none when the CSV goes to stdout).",
)
@click.option(
    "--jobs",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="With --batch: worker processes (0: one per CPU).",
)
@output_option("Where the sheet goes (with --batch: the CSV summary); - is stdout.")
@reads_files("rubric", "findings", "batch")
def score(rubric, findings, output_format, partial, rescore, method, threshold, batch, summary_path, jobs, output) -> None:
    """Score FINDINGS (JSON files, - for stdin) by RUBRIC and print the sheet.

    One file is one evaluator's result; several make a panel (clause 5.2):
    each is scored, then combined item by item.  --batch scores many
    organisations into a summary.  Findings that do not fit the rubric are
    all listed, each with its key path and problem, and nothing is printed
    (exit 2).  See docs/scoring.md.
    """
    from . import scorer_cache, scoring
    from .files import display_path

    if batch is not None and findings:
        raise UserError("give findings files or --batch, not both")
    if batch is None and not findings:
        raise UserError("give a findings file (several for a panel), or --batch")
    refuse_options_that_do_not_apply(batch is not None, len(findings))
    inputs = [rubric, *findings] if batch is None else [rubric, batch, *scoring.batch_files(Path(batch))]
    refuse_input_as_output([output, *([summary_path] if summary_path else [])], inputs)
    compilation = load_valid(rubric)
    source_path = stdin_name() if rubric == STDIN else display_path(Path(rubric))
    if batch is not None:  # its workers run the scorer from its source
        source_text = scoring.scorer_source(compilation, source_path)
        scorer = scorer_cache.scorer_module(source_text, compilation.rubric.id, source_path)
        _score_batch(scorer, source_text, compilation, batch, partial, rescore, output, summary_path, jobs)
        return
    scorer = scoring.load_scorer(compilation, source_path)
    try:
        results = scoring.score_files(
            scorer, list(findings), partial=partial, rescore=rescore, stdin_name=stdin_name(), rubric=compilation.rubric
        )
        result = (
            results[0]
            if len(results) == 1
            else scorer.combine(results, method or scorer.PANEL_METHOD, scorer.PANEL_DISAGREEMENT if threshold is None else threshold)
        )
    except scoring.PanelProblems as error:
        raise UserError(f"not a panel of distinct evaluators (clause 5.2):\n{scoring.listed(error.messages)}") from None
    except scoring.WorkbookDisagrees as error:
        raise UserError(
            "the workbook's own formulas disagree with the scorer; nothing is scored (a rubricdsl bug: please report it"
            f" with the workbook):\n{scoring.listed(error.messages)}"
        ) from None
    except scoring.InputError as error:
        raise UserError(f"the findings do not fit {source_path}:\n{scoring.listed(error.messages)}") from None
    except scorer.PanelError as error:
        raise UserError(f"cannot combine the findings: {error}") from None
    for member in results:
        for warning in member.get("warnings", ()):
            click.echo(printable(f"warning: {warning['message']}"), err=True)
    size = result.get("panel_size")
    if size is not None and not size["ok"]:
        low, high = size["expected"]
        click.echo(f"warning: a panel has {low} to {high} evaluators (clause 5.2); these findings name {size['evaluators']}", err=True)
    if output_format == "xlsx":
        _write_filled_workbook(compilation, scorer, source_path, findings, result, output, partial)
        return
    if output_format == "json":
        text = scorer.dumps(result) + "\n"
    else:
        from . import report as sheet  # and Jinja: the sheet is a template

        text = sheet.render(result, compilation.rubric, output_format, source_path)
    try:
        scoring.write_text(output, text)
    except OSError as error:
        raise UserError(f"cannot write {output}: {error.strerror}") from None


def _write_filled_workbook(compilation, scorer, rubric_path, paths, result: dict, output: str, partial: bool) -> None:
    """`score --format xlsx`: the rubric's workbook, its inputs filled from
    one findings file (or workbook) and its formulas caching the scorer's
    values for them."""
    from . import scoring
    from .backends.workbook import workbook_bytes
    from .plan import lower
    from .workbook_layout import layout

    if len(paths) != 1 or paths[0] == STDIN:
        raise UserError("--format xlsx writes one evaluator's workbook: give one findings file (not -)")
    if output == STDIN:
        raise UserError("--format xlsx writes a binary workbook: give -o FILE.xlsx")
    rubric = compilation.rubric
    if scoring.is_workbook(paths[0]):
        findings, _ = scoring.score_workbook(scorer, paths[0], rubric, partial=partial)
    else:
        findings = scoring.read_findings(scorer, paths[0], stdin_name=stdin_name())
        if isinstance(findings, dict) and findings.get("format") == scorer.PANEL_FILE_FORMAT:
            # Its cells would be blank beside the agreed total: a workbook holds one evaluator's answers.
            raise UserError(
                f"{paths[0]}: a panel file has no workbook: its consensus sheet is --format html, markdown or text"
                " (docs/panel.md); a member's workbook is made from their member file"
            )
    data = _workbook_or_refuse(
        lambda: workbook_bytes(layout(rubric, lower(rubric), compilation.sha256, rubric_path), findings, result)
    )
    try:
        from .files import write_together

        write_together([(Path(output), lambda stream: stream.write(data))])
    except OSError as error:
        raise UserError(f"cannot write {output}: {error.strerror}") from None


_PANEL_OPTIONS = (("method", "--combine"), ("threshold", "--disagreement"))
_BATCH_OPTIONS = (("summary_path", "--summary"), ("jobs", "--jobs"))


def refuse_options_that_do_not_apply(batch: bool, files: int) -> None:
    """`score`'s options each serve one mode (a sheet, a panel, a batch);
    one given for another mode would be ignored, so it is a usage error."""
    if batch:
        if given("output_format"):
            raise not_applicable("--format", "to --batch: a batch writes a CSV summary and its JSON summary")
        for name, option in _PANEL_OPTIONS:
            if given(name):
                raise not_applicable(option, "to --batch: it combines a panel, and a batch scores each findings file alone")
        return
    for name, option in _BATCH_OPTIONS:
        if given(name):
            raise not_applicable(option, "without --batch: it serves only a batch")
    if files == 1:
        for name, option in _PANEL_OPTIONS:
            if given(name):
                raise not_applicable(option, "to one findings file: it serves a panel (several findings files)")


def _progress_bar(results, count: int):
    with click.progressbar(results, length=count, label="scoring", file=sys.stderr) as bar:
        yield from bar


def _score_batch(scorer, source_text, compilation, batch: str, partial, rescore, output: str, summary_path, jobs: int) -> None:
    from . import scoring

    if batch == STDIN:
        with scoring.standard_input_file() as copy:
            _score_batch_file(scorer, source_text, compilation, copy, stdin_name(), partial, rescore, output, summary_path, jobs)
    else:
        _score_batch_file(scorer, source_text, compilation, Path(batch), batch, partial, rescore, output, summary_path, jobs)


def _score_batch_file(
    scorer, source_text, compilation, batch: Path, name: str, partial, rescore, output: str, summary_path, jobs: int
) -> None:
    import os
    import uuid

    from . import scoring

    if summary_path is None and output != "-":
        summary_path = Path(output).with_suffix(".summary.json")
        if summary_path.exists() and not scoring.is_batch_summary(summary_path):
            raise UserError(
                f"{summary_path}: exists and is not a batch summary ({scoring.BATCH_FORMAT}); "
                "not replaced: give --summary PATH, or move it"
            )
    if summary_path is not None and output != "-" and Path(output).resolve() == summary_path.resolve():
        raise UserError(f"{summary_path}: is also the CSV (-o); give the summary another path")
    skipped = scoring.batch_others(batch)
    if skipped:
        shown = ", ".join(skipped[:5]) + (", …" if len(skipped) > 5 else "")
        click.echo(printable(f"warning: {batch}: not findings (*.json), so not scored: {shown}"), err=True)
    try:
        rows = scoring.run_batch(
            scorer,
            source_text,
            batch,
            partial=partial,
            rescore=rescore,
            progress=_progress_bar if sys.stderr.isatty() else None,
            jobs=jobs or os.cpu_count() or 1,
            reader=scoring.FastReader.of(compilation.rubric),
        )
        tally = scoring.write_batch(
            rows, compilation.rubric, scorer, source=name, csv_path=output, summary_path=summary_path, run_id=uuid.uuid4().hex
        )
    except scoring.InputError as error:
        raise UserError(scoring.listed(error.messages).strip()) from None
    except OSError as error:
        raise UserError(f"cannot write {error.filename}: {error.strerror}") from None
    click.echo(f"batch: {tally.scored} of {tally.count} findings scored", err=True)
    if tally.rejected:
        click.echo(f"batch: {tally.rejected} rejected (rows with an error in the summary):", err=True)
        click.echo(printable(scoring.listed(tally.first_errors, tally.rejected)), err=True)
        sys.exit(EXIT_USAGE)


class _PanelGroup(click.Group):
    """`rubricdsl panel RUBRIC MEMBER...` is `rubricdsl panel combine RUBRIC MEMBER...`."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["combine", *args]
        return super().parse_args(ctx, args)


@main.group(cls=_PanelGroup)
def panel() -> None:
    """The panel of clause 5.2, signed (docs/panel.md): `panel RUBRIC
    MEMBER... -o panel.json` combines member files into a panel file,
    `panel verify` checks one against the member files, `panel sign` makes
    a member file of findings."""


def _scorer_of(rubric: str):
    from . import scoring
    from .files import display_path

    compilation = load_valid(rubric)
    source_path = stdin_name() if rubric == STDIN else display_path(Path(rubric))
    return scoring.load_scorer(compilation, source_path), source_path


@panel.command("combine")
@input_argument("rubric")
@input_argument("members", nargs=-1, required=True)
@click.option("--decisions", "decisions_path", type=shared_path(path_type=str, allow_dash=True),
              help="The panel's decisions (rubricdsl-panel-decisions/1): the items agreed otherwise than by the consensus, with reasons.")
@click.option("--decided-by", metavar="NAME", help="Who decides (the panel's lead); default: the decisions file's decided_by.")
@click.option("--incomplete", is_flag=True, help="Combine fewer members than the rubric's panel has (a trial; 5.2 needs them all).")
@click.option("--combine", "method", type=click.Choice(["median", "mean", "trimmed-mean"]),
              help="How each item's scores make the consensus (default: the rubric's `panel ... combine`, else median).")
@click.option("--disagreement", "threshold", metavar="POINTS", callback=_points_option,
              help="The spread above which an item needs a reason (default: the rubric's, else 2).")
@output_option("Where the panel file goes; - is stdout.")
@reads_files("rubric", "members", "decisions_path")
def panel_combine(rubric, members, decisions_path, decided_by, incomplete, method, threshold, output) -> None:
    """Combine the MEMBERS' member files into one panel file: per item the
    consensus by the rubric's method, the decisions applied, every item in
    the reconciliation log.  Items that need a reason and have none are
    listed and nothing is written (exit 2)."""
    from . import panel as panels
    from . import scoring

    refuse_input_as_output([output], [rubric, *members, *([decisions_path] if decisions_path else [])])
    scorer, source_path = _scorer_of(rubric)
    try:
        combined = panels.combined(
            scorer, list(members), decisions_path=decisions_path, decided_by=decided_by, incomplete=incomplete,
            method=method, disagreement=threshold, stdin_name=stdin_name(),
        )
    except scoring.InputError as error:
        raise UserError(f"no panel file made:\n{scoring.listed(error.messages)}") from None
    try:
        scoring.write_text(output, scorer.dumps(combined) + "\n")
    except OSError as error:
        raise UserError(f"cannot write {output}: {error.strerror}") from None
    if output != STDIN:
        click.echo(printable(f"{output}: the panel file of {len(combined['members'])} members, "
                             f"{combined['method']} (disagreement {combined['disagreement']}), decided by "
                             f"{combined['decided_by'] or '(nobody named)'}"), err=True)


@panel.command("verify")
@input_argument("rubric")
@input_argument("panel_path", metavar="PANEL")
@input_argument("members", nargs=-1)
@reads_files("rubric", "panel_path", "members")
def panel_verify(rubric, panel_path, members) -> None:
    """Check the PANEL file against the MEMBERS' member files: every
    digest, that the agreed findings and the log follow from the members and
    the decisions logged, a reason wherever one is required, and which
    members' files are missing.  Exit 0 when it verifies, 1 with every
    problem when not."""
    from . import panel as panels
    from . import scoring

    scorer, _ = _scorer_of(rubric)
    try:
        problems, note = panels.verified(scorer, panel_path, list(members), stdin_name=stdin_name())
    except scoring.InputError as error:
        raise UserError(scoring.listed(error.messages).strip()) from None
    name = shown(panel_path)
    if problems:
        click.echo(printable(f"{name}: 未通过 / not verified:\n{scoring.listed(problems)}"), err=True)
        raise SystemExit(EXIT_FAILED)
    if note:
        click.echo(printable(f"{name}: note: {note}"), err=True)
    click.echo(printable(f"{name}: 通过 / verified" + (f" against {len(members)} member files" if members else " in itself (no member files given)")))


@panel.command("sign")
@input_argument("rubric")
@input_argument("findings")
@output_option("Where the member file goes; - is stdout.")
@reads_files("rubric", "findings")
def panel_sign(rubric, findings, output) -> None:
    """Make a member file of one evaluator's complete FINDINGS: the findings
    with the digest of their content, as the form exports it."""
    from . import panel as panels
    from . import scoring

    refuse_input_as_output([output], [rubric, findings])
    scorer, _ = _scorer_of(rubric)
    try:
        (name, document), = panels.read_documents(scorer, [findings], stdin_name=stdin_name())
        signed = scorer.member_file(document)
    except scoring.InputError as error:
        raise UserError(scoring.listed(error.messages).strip()) from None
    except scorer.FindingsError as error:
        raise UserError(scoring.listed(panels.prefixed(name, error.errors)).strip()) from None
    except scorer.PanelFileError as error:
        raise UserError(scoring.listed([problem.replace("findings:", f"{name}:", 1) for problem in error.problems]).strip()) from None
    try:
        scoring.write_text(output, scorer.dumps(signed) + "\n")
    except OSError as error:
        raise UserError(f"cannot write {output}: {error.strerror}") from None


@main.command()
@input_argument("rubric")
@format_option(["json", "xlsx"], "json: blank findings; xlsx: the blank scoring workbook (docs/workbook.md; needs -o FILE).")
@output_option("Where the blank findings go; - is stdout.")
@reads_files("rubric")
def template(rubric: str, output_format: str, output: str) -> None:
    """Write a blank findings file for RUBRIC: every key, null where an
    answer goes, and beside each key a note ("_key") with its text, which
    the scorer ignores.  --format xlsx writes the blank scoring workbook."""
    from . import scoring

    refuse_input_as_output([output], [rubric])
    if output_format == "xlsx" and output == STDIN:
        raise UserError("--format xlsx writes a binary workbook: give -o FILE.xlsx")
    compilation = load_valid(rubric)
    try:
        if output_format == "xlsx":
            from .backends import BuildContext, workbook
            from .files import write_together

            from .build import display_path

            source_path = stdin_name() if rubric == STDIN else display_path(Path(rubric))
            data = _workbook_or_refuse(lambda: workbook.render(BuildContext.of(compilation, source_path)))
            _refuse_to_replace_work(output, data)
            write_together([(Path(output), lambda stream: stream.write(data))])
        else:
            text = scoring.template_text(compilation.rubric)
            _refuse_to_replace_work(output, text.encode("utf-8"))
            scoring.write_text(output, text)
    except OSError as error:
        raise UserError(f"cannot write {output}: {error.strerror}") from None


def _refuse_to_replace_work(output: str, blank: bytes) -> None:
    """A template is a file to fill in: replacing a file of that name that
    is not this very blank could lose an evaluator's work."""
    if output == STDIN:
        return
    try:
        existing = Path(output).read_bytes()
    except FileNotFoundError:
        return
    except OSError as error:
        raise UserError(f"cannot write {output}: {error.strerror}") from None
    if existing != blank:
        raise UserError(
            f"{output} exists and is not this blank template (it may hold filled-in work): nothing written;"
            " give another -o, or remove the file first"
        )


def _workbook_or_refuse(make):
    from .workbook_layout import WorkbookError

    try:
        return make()
    except WorkbookError as error:
        raise UserError(f"cannot write a workbook for this rubric: {error}") from None


def run() -> None:
    """`rubricdsl` as a process of its own (its console script, `python -m
    rubricdsl.cli`): the command line, with the garbage collector set for a
    command that keeps what it makes until it ends, in a process that ends
    with it.  Settings of the process, not of `main`: a program that calls
    `main` keeps its own."""
    # What a command builds (a rubric's tree, model, plan, the files it
    # renders) lives until it ends, so the collector's default, a young
    # collection every 700 allocations and a full one every 70,000 or so,
    # rescans the same live objects again and again: 22-33% of a 300x
    # build.  Collecting young objects every 100,000 allocations keeps
    # cyclic garbage bounded and makes full collections rare.
    gc.set_threshold(100_000, 50, 100)
    try:
        main()
    finally:
        # The command is over and the process ends.  As Python shuts down it
        # collects garbage, traversing every object still alive (every
        # module's, what the command kept) for cycles that no one will
        # reuse: frozen, they are left to the exit (12% of a build of the
        # standard).  Nothing is lost: the command's files are closed, and
        # atexit's functions still run (rubricdsl has no __del__ to skip).
        gc.freeze()


if __name__ == "__main__":
    run()
