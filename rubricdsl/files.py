"""Writing files so that nothing already written is lost or half-overwritten.

Every write goes to a temporary file beside its target, named
`.<target name>.rubricdsl-XXXXXXXX.tmp`, and is renamed over the target only
when it is complete and on disk.  Such a name is ours alone: a later write
to the same target, holding the folder's lock, removes any that a killed run
left behind.  An OSError raised here names the user's file, never the
temporary one.
"""

from __future__ import annotations

import errno
import fcntl
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, Union

# What a file is to hold: its text, or a function that writes its bytes to a
# stream (a batch summary is streamed, never held in memory whole).
Content = Union[str, Callable[[BinaryIO], None]]

TEMPORARY_MARK = ".rubricdsl-"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    """The mode any new file of the user's gets (mkstemp alone would make it
    private)."""
    return 0o666 & ~_umask()


def display_path(path: Path) -> str:
    """POSIX path relative to the working folder where possible, for
    messages (generated files name their rubric by `source_name`)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def same_file(first: str | Path, second: str | Path) -> bool:
    """Whether two paths are one file (by device and inode: a symbolic or a
    hard link to a file is that file); False when either does not exist."""
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def input_as_output(outputs: list[str | Path], inputs: list[str | Path]) -> tuple[str, str] | None:
    """The first (output, input) pair that names one file, or None.  `-`
    (standard input or output) is never a file here."""
    for output in outputs:
        if str(output) == "-":
            continue
        for given in inputs:
            if str(given) != "-" and same_file(output, given):
                return str(output), str(given)
    return None


def is_read_only(path: Path) -> bool:
    """Whether a file is one its owner marked read-only (no write bit), or
    one this process may not write.  Root may write anything, so the bits
    decide for root, as they do for an editor."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not mode & 0o222 or not os.access(path, os.W_OK)


def named(error: OSError, path: Path | str) -> OSError:
    """The same error, naming the user's file (as they see it: display_path)."""
    renamed = OSError(error.errno, error.strerror or str(error), str(path))
    renamed.__cause__ = error
    return renamed


def sync_folder(folder: Path) -> None:
    """Make the renames in a folder durable."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def stray_temporaries(target: Path) -> list[Path]:
    """Temporary files of `target` that a killed write left behind."""
    prefix = f".{target.name}{TEMPORARY_MARK}"
    try:
        return sorted(p for p in target.parent.iterdir() if p.name.startswith(prefix) and p.name.endswith(".tmp"))
    except OSError:
        return []


def write_temporary(target: Path, data: bytes | Callable[[BinaryIO], None], *, like: Path | None = None) -> Path:
    """A finished temporary file beside `target` holding `data` (or what
    `data(stream)` writes), flushed to disk.  Its mode and owner are those of `like` when that exists (so a
    rename never changes them), else a new file's; removed again on failure.
    """
    mode, owner = new_file_mode(), None
    if like is not None and like.exists():
        status = like.stat()
        mode, owner = status.st_mode & 0o7777, (status.st_uid, status.st_gid)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}{TEMPORARY_MARK}", suffix=".tmp", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            if callable(data):
                data(stream)
            else:
                stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if owner is not None and owner != (os.geteuid(), os.getegid()):
            try:
                os.chown(temporary, *owner)
            except PermissionError:
                raise OSError(errno.EPERM, "cannot keep its owner and group; not replaced", str(like)) from None
        os.chmod(temporary, mode)  # after chown, which may clear set-id bits
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def write_atomically(path: Path, text: str) -> None:
    """Replace a file's contents by renaming a finished temporary file over
    it, so a reader never sees half a file and a failed write leaves the old
    one.  A symbolic link keeps pointing at its target, which is what gets
    replaced; an existing file keeps its mode, owner and group (or is not
    replaced when they cannot be kept), a new one gets the mode any new file
    of the user's gets."""
    write_together([(path, text)])


def write_together(files: list[tuple[Path, Content]], *, lock: bool = True) -> None:
    """Write several files as one unit as far as renames allow: every one to
    a finished temporary file first, then all renamed in the order given.
    A failure before the renames leaves every target as it was; a kill
    between two renames leaves the earlier ones new and the later ones old,
    which callers make recognisable (the batch summary records the CSV's
    sha256).  Temporaries a killed run left beside these targets are
    removed first, under each folder's lock (`lock=False`: the caller
    holds it already; flock would make a second holder of it wait on the
    first, even in one process)."""
    targets = [(path, path.resolve(), text) for path, text in files]
    for _, target, _ in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
    folders = sorted({target.parent for _, target, _ in targets})
    with _locked_all(folders if lock else []):
        done: list[tuple[Path, Path, Path]] = []
        try:
            for path, target, text in targets:
                for stray in stray_temporaries(target):
                    stray.unlink(missing_ok=True)
                try:
                    data = text.encode("utf-8") if isinstance(text, str) else text
                    done.append((path, target, write_temporary(target, data, like=target)))
                except OSError as error:
                    raise named(error, path) from None
            for path, target, temporary in done:
                try:
                    os.replace(temporary, target)
                except OSError as error:
                    raise named(error, path) from None
            for folder in folders:
                sync_folder(folder)
        finally:
            for _, _, temporary in done:
                temporary.unlink(missing_ok=True)


@contextmanager
def _locked_all(folders: list[Path]) -> Iterator[None]:
    if not folders:
        yield
        return
    with locked(folders[0]), _locked_all(folders[1:]):
        yield


@contextmanager
def locked(folder: Path, *, shared: bool = False, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an advisory lock (flock) on a folder itself, so no lock file is
    left in it.  A second holder waits; `on_wait` is called once before it
    does, to say so."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        kind = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        try:
            fcntl.flock(handle, kind | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(handle, kind)
        yield
    finally:
        os.close(handle)
