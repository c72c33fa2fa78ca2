"""`rubricdsl panel` without the command line: reading member files,
decisions and panel files, and writing the panel file (docs/panel.md).

The semantics are the scorer's (rubricdsl/scorer_runtime.py, the section
"The signed panel"), so that the generated scorer.py checks a panel file
exactly as this does; this module only reads the files and names them.
"""

from __future__ import annotations

import types

from .scoring import InputError, read_findings


def read_documents(scorer: types.ModuleType, paths: list[str], *, stdin_name: str = "<stdin>") -> list[tuple[str, object]]:
    """Each file's JSON value, named; InputError listing every file that
    cannot be read or is no JSON, so that nothing is reported half."""
    documents, problems = [], []
    for path in paths:
        try:
            documents.append((stdin_name if path == "-" else path, read_findings(scorer, path, stdin_name=stdin_name)))
        except InputError as error:
            problems += error.messages
    if problems:
        raise InputError(problems)
    return documents


def prefixed(name: str, problems: list[str]) -> list[str]:
    return [f"{name}: {problem}" for problem in problems]


def combined(
    scorer: types.ModuleType,
    member_paths: list[str],
    *,
    decisions_path: str | None,
    decided_by: str | None,
    incomplete: bool,
    method: str | None,
    disagreement,
    stdin_name: str = "<stdin>",
) -> dict:
    """The panel file of the member files and the decisions file; InputError
    listing every problem of all of them (nothing is combined half)."""
    if len(set(member_paths)) != len(member_paths):
        twice = sorted({path for path in member_paths if member_paths.count(path) > 1})
        raise InputError([f"{path}: given twice; each member is counted once (5.2)" for path in twice])
    documents = read_documents(scorer, member_paths, stdin_name=stdin_name)
    try:
        members = scorer.panel_members(documents, incomplete=incomplete)
    except scorer.PanelFileError as error:
        raise InputError(error.problems) from None
    decisions, by, remarks = {}, "", ""
    if decisions_path is not None:
        (name, document), = read_documents(scorer, [decisions_path], stdin_name=stdin_name)
        try:
            decisions, by, remarks = scorer.read_decisions(document, members, name)
        except scorer.PanelFileError as error:
            raise InputError(error.problems) from None
    try:
        return scorer.combine_panel(
            members, method, disagreement, decisions, decided_by if decided_by is not None else by, remarks
        )
    except scorer.PanelFileError as error:
        hint = [] if decisions_path else ["give the panel's decisions with --decisions (docs/panel.md)"]
        raise InputError(error.problems + hint) from None


def verified(
    scorer: types.ModuleType, panel_path: str, member_paths: list[str], *, stdin_name: str = "<stdin>"
) -> tuple[list[str], str | None]:
    """(every problem of the panel file against the member files, each
    naming its file, [] when it verifies; a note when it verifies but
    combined by other rules than the rubric's, or by fewer members than it
    asks for).  InputError when a file cannot be read."""
    (name, panel), *members = read_documents(scorer, [panel_path, *member_paths], stdin_name=stdin_name)
    own = tuple(f"{member}:" for member, _ in members) + ("missing:",)
    problems = [problem if problem.startswith(own) else f"{name}: {problem}" for problem in scorer.verify_panel_file(panel, members)]
    if problems:
        return problems, None
    notes = [note for note in (scorer.panel_rules_warning(panel), scorer.panel_size_warning(panel)) if note]
    return problems, "; ".join(notes) or None
