"""`rubricdsl build`: every rubric into generated/<rubric id>/, atomically.

All rubrics are compiled and every file rendered in memory first; nothing is
written unless all of that succeeded.  Each file is then written to a
temporary file beside it and renamed over the old one, and a file whose
content is unchanged is not touched (its time stays).  `--check` writes
nothing and lists what is stale, missing or extra.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .backends import BuildContext, outputs
from .files import write_atomically
from .frontend import Compilation


@dataclass
class BuildPlan:
    out_dir: Path
    files: dict[Path, str] = field(default_factory=dict)
    rubric_dirs: set[Path] = field(default_factory=set)


@dataclass(frozen=True)
class Drift:
    """How the generated folder differs from what a build would write."""

    stale: list[Path]
    missing: list[Path]
    extra: list[Path]

    def __bool__(self) -> bool:
        return bool(self.stale or self.missing or self.extra)


class BuildError(Exception):
    pass


def display_path(path: Path) -> str:
    """POSIX path relative to the working folder where possible, so that the
    same checkout builds the same bytes wherever it lies."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def plan(compilations: list[tuple[Path, Compilation]], out_dir: Path) -> BuildPlan:
    """Render every output of every (already checked) rubric in memory."""
    result = BuildPlan(out_dir)
    seen: dict[str, Path] = {}
    for source, compilation in compilations:
        rubric = compilation.rubric
        assert rubric is not None and compilation.ok
        if rubric.id in seen:
            raise BuildError(f"{source}: rubric id '{rubric.id}' is also the id of {seen[rubric.id]}")
        seen[rubric.id] = source
        folder = out_dir / rubric.id
        result.rubric_dirs.add(folder)
        context = BuildContext.of(compilation, display_path(source))
        for output in outputs():
            result.files[folder / output.filename] = output.render(context)
    return result


def _known_filenames() -> set[str]:
    return {output.filename for output in outputs()}


def drift(build: BuildPlan, *, whole_folder: bool) -> Drift:
    """Compare the plan with the disk.  With `whole_folder`, folders of
    generated/ that no rubric builds count as extra too."""
    stale, missing, extra = [], [], []
    for path, content in sorted(build.files.items()):
        if not path.exists():
            missing.append(path)
        elif path.read_bytes() != content.encode("utf-8"):
            stale.append(path)
    folders = set(build.rubric_dirs)
    if whole_folder and build.out_dir.is_dir():
        folders |= {p for p in build.out_dir.iterdir() if p.is_dir()}
    for folder in sorted(folders):
        if folder.is_dir():
            extra += sorted(p for p in folder.iterdir() if p not in build.files)
    return Drift(stale, missing, extra)


def write(build: BuildPlan, *, whole_folder: bool) -> tuple[list[Path], list[Path]]:
    """Write what changed; remove generated files no rubric makes any more.
    Returns (written, removed)."""
    written, removed = [], []
    for path, content in sorted(build.files.items()):
        if path.exists() and path.read_bytes() == content.encode("utf-8"):
            continue
        write_atomically(path, content)
        written.append(path)
    known = _known_filenames()
    for path in drift(build, whole_folder=whole_folder).extra:
        # Only files this tool would have made are removed; anything else is
        # someone's and stays (and --check keeps reporting it).
        if path.is_file() and path.name in known:
            path.unlink()
            removed.append(path)
    for folder in sorted({p.parent for p in removed}):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return written, removed
