"""`rubricdsl build`: every rubric into OUT/<rubric id>/, all or nothing.

All rubrics are compiled first; nothing is written unless all of them
check clean.  Then, holding an exclusive flock on OUT itself (a second
build waits for the first and says so):

1. Recover.  A journal left by a killed build is finished (below); without
   one, leftovers of a build killed before its commit are removed: folders
   `.<id>.new-*`, temporary files of ours.
2. Prepare.  Each file is rendered a block at a time, each block compared
   with the file on disk and, from the first that differs, written as it
   comes (the part alike read back from the old file), so that no file is
   held whole but scorer.py, which the workbook's cached values use too,
   and the workbook's deflated archive (a 300x rubric's files are 160
   MB): each rubric
   folder in which anything changes is built whole beside the old one as
   `OUT/.<id>.new-XXXXXXXX/`, changed files written and flushed to disk,
   unchanged ones and every file of the user's in the folder hard-linked
   (so their times stay).  A failure here (a full disk, a file that does
   not render) removes what was prepared and leaves every old output as it
   was.
3. Commit.  The journal `OUT/.rubricdsl-journal.json` is written
   atomically: it names every swap and the new manifest.  From here on the
   build is finished, by this process or by the next build.
4. Swap.  Per folder, `<id>` is renamed to `.<id>.old-XXXXXXXX` and the new
   folder to `<id>`: a folder is always entirely one revision.  Then the
   manifest is written, the old folders are drained (our files deleted,
   anything else moved back into `<id>`) and the journal is removed.

A folder in which nothing changes is not swapped, so a rebuild that changes
nothing touches nothing.  A kill between two swaps can leave one rubric's
folder new and another's old, and `<id>` briefly missing: the journal says
so and the next `build` (or `build --check`, which reports it) finishes the
swaps.  `OUT/.rubricdsl-manifest.json` lists, with their sha256, the files
builds wrote; `build` deletes only files listed there, and only while they
still hold what was written.  A folder without a manifest is adopted: files
with the names this build writes are replaced, nothing else is touched.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Callable, Iterable, Iterator

from .backends import BuildContext, outputs
from .records import record
from .workbook_layout import WorkbookError
from .files import TEMPORARY_MARK, display_path, locked, named, new_file_mode, sync_folder, write_together
from .frontend import Compilation

MANIFEST = ".rubricdsl-manifest.json"
JOURNAL = ".rubricdsl-journal.json"
MANIFEST_FORMAT = "rubricdsl-manifest/1"
JOURNAL_FORMAT = "rubricdsl-journal/1"

# Temporary files of write_atomically as releases before the manifest named
# them: `.scorer.py.k3j_x9ab.tmp` (mkstemp's eight characters).
_OLD_TEMPORARY = re.compile(r"^\.(.+)[.-][a-z0-9_]{8}\.tmp$")
_IN_PROGRESS = re.compile(r"^\..+\.(new|old)-[a-z0-9_]{8}$")


@record
class BuildPlan:
    out_dir: Path
    # What makes each file's UTF-8 bytes, a block at a time.  Files are
    # rendered one at a time where they are compared or written, each block
    # compared or written as it comes, so that no file but scorer.py and the
    # workbook's archive (each made whole for a reason of its own) is held whole: a 300x
    # rubric's files are 160 MB, and held together they were a third of its
    # build's memory.
    files: dict[Path, Callable[[], Iterable[bytes]]] = field(default_factory=dict)
    rubric_dirs: set[Path] = field(default_factory=set)
    # The sha256 of each file rendered so far, for the manifest.
    hashes: dict[Path, str] = field(default_factory=dict)

    def blocks(self, path: Path) -> Iterator[bytes]:
        """The file's bytes a block at a time, its rendering begun; its
        hash is kept once all of them have been taken."""
        return self._hashed(path, self.files[path]())

    def _hashed(self, path: Path, blocks: Iterable[bytes]) -> Iterator[bytes]:
        digest = hashlib.sha256()
        for block in blocks:
            digest.update(block)
            yield block
        self.hashes[path] = digest.hexdigest()

    def render(self, path: Path) -> bytes:
        return b"".join(self.blocks(path))


@record(frozen=True)
class Extra:
    path: Path
    advice: str


@record(frozen=True)
class Drift:
    """How the output folder differs from what a build would write."""

    stale: list[Path]
    missing: list[Path]
    extra: list[Extra]
    interrupted: list[Extra]

    def __bool__(self) -> bool:
        return bool(self.stale or self.missing or self.extra or self.interrupted)

    @property
    def build_fixes(self) -> bool:
        """Whether running `build` repairs something listed."""
        return bool(self.stale or self.missing or self.interrupted) or any(e.advice == REMOVED_BY_BUILD for e in self.extra)


@record
class Outcome:
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    kept: list[Extra] = field(default_factory=list)


class BuildError(Exception):
    pass


REMOVED_BY_BUILD = "listed in the manifest but no longer built: `rubricdsl build` removes it"
NOT_OURS = "not written by rubricdsl build (not in its manifest): remove it by hand"
EDITED = "listed in the manifest but edited since it was built: `rubricdsl build` keeps it; remove it by hand"
LEFTOVER = "left by an interrupted build: `rubricdsl build` removes it"
# A replaced folder may hold files of the user's (_drain): build puts them back, not away.
LEFTOVER_REPLACED = ("left by an interrupted build: `rubricdsl build` puts back the files of yours it holds "
                     "(one also in the rubric's folder stays here, named, to compare by hand) and removes the rest")
UNFINISHED = "a build was interrupted while replacing folders: `rubricdsl build` finishes it"


def source_name(source: Path, out_dir: Path) -> str:
    """How the generated files name their rubric: its POSIX path relative to
    the folder that holds the output folder, the project (`rubrics/x.rubric`
    for `generated/` beside `rubrics/`), so that the same build writes the
    same bytes from any working folder.  A rubric outside that folder is
    named by its own folder and file name (`drafts/x.rubric`), never by a
    path that says where the project lies.  Linked folders are followed,
    a linked file is not: it is named where it was given."""
    project = out_dir.resolve().parent
    absolute = source.parent.resolve() / source.name
    try:
        return absolute.relative_to(project).as_posix()
    except ValueError:
        return PurePosixPath(absolute.parent.name, absolute.name).as_posix()


def _rendered(output, context: BuildContext, source: Path, readers: Counter) -> Iterator[bytes]:
    """The output's blocks; once all are taken, what no other file of the
    context still to be written reads is forgotten (`readers`: how many
    files still read each product)."""
    try:
        yield from output.blocks(context)
    except WorkbookError as error:  # a rubric the workbook cannot hold, e.g. a text over a cell's limit
        raise BuildError(f"{source}: cannot write {output.filename}: {error}") from None
    for product in output.reads:
        readers[product] -= 1
        if readers[product] == 0:
            context.forget(product, still_read=+readers)


def plan(compilations: list[tuple[Path, Compilation]], out_dir: Path) -> BuildPlan:
    """Every output of every (already checked) rubric, to be rendered when
    it is written or compared.  A source `-` (standard input) is named by
    its compilation's path."""
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
        context = BuildContext.of(compilation, compilation.path if str(source) == "-" else source_name(source, out_dir))
        files = outputs()
        readers = Counter(product for output in files for product in output.reads)
        for output in files:
            result.files[folder / output.filename] = functools.partial(_rendered, output, context, source, readers)
    return result


# ---------------------------------------------------------------------------
# The manifest
# ---------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(out_dir: Path) -> dict[str, str]:
    """`{"<id>/<name>": sha256}` of the files builds wrote; {} without a
    manifest.  A damaged one is an error: nothing is deleted on its word."""
    path = out_dir / MANIFEST
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise BuildError(f"{display_path(path)}: cannot be read ({error}); move it away to build afresh") from None
    files = data.get("files") if isinstance(data, dict) and data.get("format") == MANIFEST_FORMAT else None
    if not isinstance(files, dict) or not all(_is_entry(k) and isinstance(v, str) for k, v in files.items()):
        raise BuildError(f"{display_path(path)}: not a {MANIFEST_FORMAT} manifest; move it away to build afresh")
    return files


def _is_entry(key: object) -> bool:
    """`<id>/<name>`: one folder below OUT, nothing else."""
    if not isinstance(key, str):
        return False
    parts = key.split("/")
    return len(parts) == 2 and all(p and p not in (".", "..") and not p.startswith(".") for p in parts)


def manifest_text(files: dict[str, str]) -> str:
    data = {
        "format": MANIFEST_FORMAT,
        "note": "The files `rubricdsl build` wrote here; it deletes no other file.",
        "files": dict(sorted(files.items())),
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _folders(build: BuildPlan, manifest: dict[str, str], *, whole_folder: bool) -> list[Path]:
    """The rubric folders this build owns: those it builds and, for a whole
    output folder, those its manifest lists."""
    folders = set(build.rubric_dirs)
    if whole_folder:
        folders |= {build.out_dir / key.split("/")[0] for key in manifest}
    return sorted(folders)


def _planned(build: BuildPlan, folder: Path) -> dict[str, Path]:
    return {path.name: path for path in build.files if path.parent == folder}


def _listed(manifest: dict[str, str], folder: Path) -> dict[str, str]:
    prefix = folder.name + "/"
    return {key[len(prefix) :]: sha for key, sha in manifest.items() if key.startswith(prefix)}


def _new_manifest(build: BuildPlan, manifest: dict[str, str], *, whole_folder: bool) -> dict[str, str]:
    """The manifest after this build; every file must have been rendered."""
    built = {folder.name for folder in build.rubric_dirs}
    kept = {} if whole_folder else {k: v for k, v in manifest.items() if k.split("/")[0] not in built}
    for path in build.files:
        kept[f"{path.parent.name}/{path.name}"] = build.hashes[path]
    return kept


def _differs(blocks: Iterator[bytes], path: Path) -> Iterator[bytes] | None:
    """None when the file at `path` holds exactly the bytes of `blocks`,
    compared a block at a time as they are rendered (neither the old file
    nor the new one is held whole); otherwise every block to write, from
    the first: the part found alike read back from the file (and checked to
    be what was compared), then the rest as it is rendered."""
    try:
        stream = open(path, "rb") if path.is_file() else None
    except OSError:
        stream = None
    if stream is None:
        return blocks
    alike, digest = 0, hashlib.sha256()
    with stream:
        for block in blocks:
            if stream.read(len(block)) != block:
                return _alike_then_rest(path, alike, digest.hexdigest(), [block], blocks)
            alike += len(block)
            digest.update(block)
        if not stream.read(1):
            return None
    return _alike_then_rest(path, alike, digest.hexdigest(), [], blocks)  # the file is longer


def _alike_then_rest(path: Path, alike: int, sha256: str, held: list[bytes], rest: Iterator[bytes]) -> Iterator[bytes]:
    digest = hashlib.sha256()
    if alike:
        with open(path, "rb") as stream:
            while alike:
                piece = stream.read(min(alike, 1 << 20))
                if not piece:
                    break
                alike -= len(piece)
                digest.update(piece)
                yield piece
        if alike or digest.hexdigest() != sha256:
            raise OSError(errno.EAGAIN, "changed while the build read it; build again", str(path))
    yield from held
    yield from rest


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


# ---------------------------------------------------------------------------
# --check
# ---------------------------------------------------------------------------


def _leftovers(out_dir: Path, folders: list[Path]) -> list[Path]:
    """Names a killed build leaves: its folders, its temporary files."""
    found = []
    if out_dir.is_dir():
        found += [p for p in out_dir.iterdir() if _is_ours_in_progress(p.name)]
    for folder in folders:
        if folder.is_dir():
            found += [p for p in folder.iterdir() if _is_temporary(p.name)]
    return sorted(found)


def _is_ours_in_progress(name: str) -> bool:
    """A prepared or replaced folder, or a temporary manifest or journal."""
    if _IN_PROGRESS.match(name):
        return True
    return name.startswith((f".{MANIFEST}{TEMPORARY_MARK}", f".{JOURNAL}{TEMPORARY_MARK}")) and name.endswith(".tmp")


def _is_temporary(name: str) -> bool:
    """A temporary file of an output, of this release or an earlier one."""
    match = _OLD_TEMPORARY.match(name)
    if match is None:
        return False
    stem = match.group(1).removesuffix(TEMPORARY_MARK.rstrip("-"))
    return stem in {output.filename for output in outputs()}


def drift(build: BuildPlan, *, whole_folder: bool) -> Drift:
    """Compare the plan with the disk, writing nothing.  With `whole_folder`,
    every folder of OUT counts, not only those of the rubrics built."""
    out_dir = build.out_dir
    if not out_dir.is_dir():
        return Drift([], [*sorted(build.files), out_dir / MANIFEST], [], [])
    with locked(out_dir, shared=True):
        manifest = read_manifest(out_dir)
        stale, missing, extra = [], [], []
        for path in sorted(build.files):
            content = build.render(path)
            on_disk = _read(path)
            if on_disk is None:
                missing.append(path)
            elif on_disk != content:
                stale.append(path)
        wanted = manifest_text(_new_manifest(build, manifest, whole_folder=whole_folder)).encode("utf-8")
        manifest_on_disk = _read(out_dir / MANIFEST)
        if manifest_on_disk is None:
            missing.append(out_dir / MANIFEST)
        elif manifest_on_disk != wanted:
            stale.append(out_dir / MANIFEST)
        owned = _folders(build, manifest, whole_folder=whole_folder)
        folders = set(owned)
        if whole_folder:
            folders |= {p for p in out_dir.iterdir() if p.is_dir() and not p.name.startswith(".")}
        leftovers = set(_leftovers(out_dir, owned))
        for folder in sorted(folders):
            if not folder.is_dir():
                continue
            listed = _listed(manifest, folder)
            for path in sorted(folder.iterdir()):
                if path in build.files or path in leftovers:
                    continue
                if path.name not in listed:
                    extra.append(Extra(path, NOT_OURS))
                elif _sha256(_read(path) or b"") != listed[path.name]:
                    extra.append(Extra(path, EDITED))
                else:
                    extra.append(Extra(path, REMOVED_BY_BUILD))
        interrupted = [Extra(p, LEFTOVER_REPLACED if ".old-" in p.name and p.is_dir() else LEFTOVER) for p in sorted(leftovers)]
        if (out_dir / JOURNAL).exists():
            interrupted.insert(0, Extra(out_dir / JOURNAL, UNFINISHED))
        return Drift(stale, missing, extra, interrupted)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def write(build: BuildPlan, *, whole_folder: bool, on_wait: Callable[[], None] | None = None) -> Outcome:
    """Write what changed and remove what the manifest lists and no rubric
    makes any more, all or nothing (the module's docstring).  OSError names
    the user's file; BuildError is a folder this build will not touch."""
    out_dir = build.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    with locked(out_dir, on_wait=on_wait):
        outcome = Outcome()
        _recover(out_dir, outcome)
        manifest = read_manifest(out_dir)
        for folder in _folders(build, manifest, whole_folder=whole_folder):
            _clear_temporaries(folder)
        swaps: list[dict] = []
        try:
            for folder in _folders(build, manifest, whole_folder=whole_folder):
                swap = _prepare(build, folder, _listed(manifest, folder), outcome)
                if swap is not None:
                    swaps.append(swap)
        except BaseException:
            for swap in swaps:
                shutil.rmtree(out_dir / swap["new"], ignore_errors=True)
            raise
        text = manifest_text(_new_manifest(build, manifest, whole_folder=whole_folder))
        if not swaps:
            if _read(out_dir / MANIFEST) != text.encode("utf-8"):
                write_together([(out_dir / MANIFEST, text)], lock=False)
                outcome.written.append(out_dir / MANIFEST)
            return outcome
        journal = {"format": JOURNAL_FORMAT, "manifest": text, "swaps": swaps}
        try:
            write_together([(out_dir / JOURNAL, json.dumps(journal, ensure_ascii=False, indent=1) + "\n")], lock=False)
        except BaseException:
            for swap in swaps:
                shutil.rmtree(out_dir / swap["new"], ignore_errors=True)
            raise
        if _read(out_dir / MANIFEST) != text.encode("utf-8"):
            outcome.written.append(out_dir / MANIFEST)
        _finish(out_dir, journal, outcome)
        return outcome


def _prepare(build: BuildPlan, folder: Path, listed: dict[str, str], outcome: Outcome) -> dict | None:
    """The new folder beside `folder`, or None when nothing in it changes.
    Each file of the folder is rendered here, written if it changed, and
    dropped."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise BuildError(f"{display_path(folder)}: not a folder of its own (a link or a file); rubricdsl build leaves it alone")
    planned = _planned(build, folder)
    present = {p.name: p for p in folder.iterdir()} if folder.is_dir() else {}
    gone, kept = [], []
    for name, sha in sorted(listed.items()):
        if name in planned or name not in present:
            continue
        (gone if _sha256(_read(present[name]) or b"") == sha else kept).append(name)
    outcome.kept += [Extra(folder / name, EDITED) for name in kept]
    # Made at the first change only, so a rebuild that changes nothing
    # creates nothing.
    new: Path | None = None
    changed: list[str] = []
    # The files written, each still open, synced together once all are: the
    # first sync writes every one of them out with the folder's one journal
    # commit, where a sync after each file waited for a commit each.
    unsynced: list[tuple[str, BinaryIO]] = []
    try:
        for name, path in sorted(planned.items()):
            try:
                blocks = _differs(build.blocks(path), folder / name)
                if blocks is None:
                    continue
                changed.append(name)
                if new is None:
                    new = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
                unsynced.append((name, _write_new(new / name, blocks)))
            except OSError as error:
                # Named as the user will see it, not as prepared.
                raise named(error, display_path(folder / name)) from None
        for name, stream in unsynced:
            try:
                os.fsync(stream.fileno())
                stream.close()
            except OSError as error:
                raise named(error, display_path(folder / name)) from None
        if not changed and not gone:
            return None
        if new is None:
            new = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
        for name in sorted(planned):
            if name not in changed:
                _keep(present[name], new / name)
        for name, path in sorted(present.items()):
            if name in planned or name in gone or _is_temporary(name):
                continue
            if path.is_symlink() or path.is_file():
                _keep(path, new / name)
        # Anything else (a folder of the user's) stays in the old folder and
        # is moved back when the old folder is drained.
        sync_folder(new)
    except BaseException:
        for _, stream in unsynced:
            try:
                stream.close()  # once more for those synced: nothing
            except OSError:
                pass  # the error raised says what failed; the folder goes below
        if new is not None:
            shutil.rmtree(new, ignore_errors=True)
        raise
    outcome.written += [folder / name for name in changed]
    outcome.removed += [folder / name for name in gone]
    suffix = new.name.rsplit("-", 1)[1]
    return {
        "id": folder.name,
        "new": new.name,
        "old": f".{folder.name}.old-{suffix}",
        "discard": sorted({*planned, *gone}),
        "remove_if_empty": not planned,
    }


def _write_new(path: Path, blocks: Iterable[bytes]) -> BinaryIO:
    """A new file in a prepared folder, written a block at a time as the
    blocks come: left open and flushed, for the caller to sync (put on
    disk) and close."""
    stream = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, new_file_mode()), "wb")
    try:
        for block in blocks:
            stream.write(block)
        stream.flush()
    except BaseException:
        stream.close()
        raise
    return stream


def _keep(path: Path, new: Path) -> None:
    """The same file in the prepared folder: a hard link, so its inode and
    times stay; a copy with its times where links are not allowed."""
    try:
        os.link(path, new, follow_symlinks=False)
    except OSError:
        try:
            if path.is_symlink():
                os.symlink(os.readlink(path), new)
            else:
                shutil.copy2(path, new)
        except OSError as error:
            raise named(error, display_path(path)) from None


def _finish(out_dir: Path, journal: dict, outcome: Outcome) -> None:
    """Carry out a committed journal; safe to run again after a kill."""
    for swap in journal["swaps"]:
        target, new, old = out_dir / swap["id"], out_dir / swap["new"], out_dir / swap["old"]
        if new.is_dir():
            if target.exists() or target.is_symlink():
                if old.exists():
                    raise BuildError(f"{display_path(target)}: both it and {display_path(old)} exist; move one away")
                os.rename(target, old)
            os.rename(new, target)
    sync_folder(out_dir)
    manifest = journal["manifest"]
    if _read(out_dir / MANIFEST) != manifest.encode("utf-8"):
        write_together([(out_dir / MANIFEST, manifest)], lock=False)
    for swap in journal["swaps"]:
        target = out_dir / swap["id"]
        _drain(out_dir / swap["old"], target, set(swap["discard"]), outcome)
        if swap["remove_if_empty"] and target.is_dir() and not any(target.iterdir()):
            target.rmdir()
    sync_folder(out_dir)
    (out_dir / JOURNAL).unlink(missing_ok=True)
    sync_folder(out_dir)


def _drain(old: Path, target: Path, discard: set[str], outcome: Outcome) -> None:
    """Empty a replaced folder: our files go, anything of the user's that is
    not already in `target` (as the same file) goes back there."""
    if not old.is_dir():
        return
    for entry in sorted(old.iterdir()):
        there = target / entry.name
        if entry.name in discard and not entry.is_dir():
            entry.unlink()
        elif there.exists() and os.path.samestat(entry.lstat(), there.lstat()):
            entry.unlink()
        elif not there.exists() and not there.is_symlink():
            target.mkdir(exist_ok=True)
            os.rename(entry, there)
        else:
            outcome.kept.append(Extra(entry, f"kept: {display_path(there)} exists too; compare them and remove one by hand"))
    if not any(old.iterdir()):
        old.rmdir()


def _recover(out_dir: Path, outcome: Outcome) -> None:
    """Finish a committed build, or clear what an uncommitted one left."""
    journal_path = out_dir / JOURNAL
    if journal_path.exists():
        try:
            journal = json.loads(journal_path.read_bytes())
            assert journal.get("format") == JOURNAL_FORMAT
        except (OSError, ValueError, AssertionError, AttributeError):
            raise BuildError(f"{display_path(journal_path)}: damaged; see what it lists and move it away") from None
        _finish(out_dir, journal, outcome)
    known = {output.filename for output in outputs()}
    for entry in sorted(out_dir.iterdir()):
        if not _is_ours_in_progress(entry.name):
            continue
        if entry.is_dir() and ".new-" in entry.name:
            shutil.rmtree(entry)  # never swapped in: our files and links to the user's
        elif entry.is_dir():
            rubric_id = entry.name[1:].rsplit(".old-", 1)[0]
            target = out_dir / rubric_id
            if not target.exists():
                os.rename(entry, target)
            else:
                _drain(entry, target, known, outcome)
        else:
            entry.unlink(missing_ok=True)


def _clear_temporaries(folder: Path) -> None:
    """Temporary files a killed write left in a folder this build owns."""
    if folder.is_dir() and not folder.is_symlink():
        for entry in folder.iterdir():
            if _is_temporary(entry.name) and entry.is_file():
                entry.unlink()
