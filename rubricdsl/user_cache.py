"""This user's cache folder, and the entries of compiled code kept in it.

What is loaded from here runs as the user, so it is read only from a folder
that no one else can write (see `user_cache_folder`), only from a regular
file of the user's that no one else can write, and only when the file is
whole: each entry carries a SHA-256 over its name and content, so that a
truncated, corrupt or renamed file is ignored (and written again), never
run.  Deleting the folder, or any file in it, is always safe: what is
missing is made again on the next run, at the cost of that run's start-up.
Standard library only, and nothing here imports Jinja or Lark.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import marshal
import os
import stat
import sys
import time
import types
from pathlib import Path

ENTRY_FORMAT = b"rubricdsl-cache-entry/1\n"
_DIGEST_SIZE = 32
# Entries of one kind (a name prefix) that are kept: a rubric scored under
# many revisions or paths adds one each, and the oldest beyond these go.
KEPT_ENTRIES = 32
# A temporary file this old is one a killed run left behind.
_STRAY_SECONDS = 600


def user_cache_folder() -> Path | None:
    """This user's cache folder for rubricdsl ($XDG_CACHE_HOME/rubricdsl or
    ~/.cache/rubricdsl; on Windows %LOCALAPPDATA%\\rubricdsl), created with
    mode 0700; None when it cannot be made or is not safe to read code from:
    not a real folder (a symlink), owned by another user, or open to others.
    Never the shared temporary folder, where another local user could plant
    what is loaded."""
    windows = not hasattr(os, "getuid")
    if windows:
        base = os.environ.get("LOCALAPPDATA") or ""
    else:
        base = os.environ.get("XDG_CACHE_HOME") or ""
        if not os.path.isabs(base):  # unset, or relative: ignored, as the XDG spec says
            base = os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None  # no home folder to keep it in
    folder = Path(base) / "rubricdsl"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(status.st_mode):
        return None
    if not windows and (status.st_uid != os.getuid() or status.st_mode & 0o077):
        return None
    return folder


def _digest(name: str, content: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\0" + content).digest()


def _private(status: os.stat_result) -> bool:
    """A regular file of this user's that no one else may write or read."""
    if not stat.S_ISREG(status.st_mode):
        return False
    return not hasattr(os, "getuid") or (status.st_uid == os.getuid() and not status.st_mode & 0o077)


def read_entry(folder: Path, name: str) -> bytes | None:
    """The content of the entry `name` in a folder from user_cache_folder(),
    or None when there is none to trust: absent, a link, not the user's own
    private file, or not whole."""
    try:
        descriptor = os.open(folder / name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    with open(descriptor, "rb") as stream:
        try:
            if not _private(os.fstat(descriptor)):
                return None
            data = stream.read()
        except OSError:
            return None
    start = len(ENTRY_FORMAT) + _DIGEST_SIZE
    if len(data) < start or not data.startswith(ENTRY_FORMAT):
        return None
    content = data[start:]
    if data[len(ENTRY_FORMAT) : start] != _digest(name, content):
        return None
    with contextlib.suppress(OSError):
        os.utime(folder / name)  # used now: pruning removes the entries unused longest
    return content


def write_entry(folder: Path, name: str, content: bytes, keep: int = KEPT_ENTRIES) -> bool:
    """Keep `content` as the entry `name`: written whole to a private
    temporary file (mode 0600) and renamed over any entry of that name, so
    that a reader racing with the write sees the old entry, the new one or
    none, never half of one.  False when it cannot be written (a full disk,
    a read-only folder): a cache that cannot be kept costs time, nothing
    else.  `keep`: how many entries of its kind (its name up to the first
    "-") are kept, the oldest beyond them removed."""
    import tempfile  # only to write: a run that finds what it needs reads only

    data = ENTRY_FORMAT + _digest(name, content) + content
    try:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    except OSError:
        return False
    try:
        with open(descriptor, "wb") as stream:
            stream.write(data)
        os.replace(temporary, folder / name)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False
    _prune(folder, name.split("-", 1)[0] + "-", keep)
    return True


def _prune(folder: Path, prefix: str, keep: int) -> None:
    """Remove the oldest entries named `prefix...` beyond `keep`, and
    temporary files of them that a killed run left."""
    entries = []
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name.startswith("." + prefix) and entry.name.endswith(".tmp"):
                with contextlib.suppress(OSError):
                    if now - entry.stat(follow_symlinks=False).st_mtime > _STRAY_SECONDS:
                        os.unlink(entry.path)
            elif entry.name.startswith(prefix):
                with contextlib.suppress(OSError):
                    entries.append((entry.stat(follow_symlinks=False).st_mtime, entry.path))
    for _, path in sorted(entries)[:-keep]:
        with contextlib.suppress(OSError):
            os.unlink(path)


def python_build() -> bytes:
    """What makes compiled code besides its text: the Python that compiles
    it (its bytecode and marshal format)."""
    return importlib.util.MAGIC_NUMBER + b"\0" + sys.version.encode("utf-8")


def keyed_entry(prefix: str, *parts: bytes) -> str:
    """The name of the entry of what `parts` make: `<prefix>-` and a
    SHA-256 over them, each after its length (no two lists of parts that
    run into each other share a key)."""
    key = hashlib.sha256()
    for part in parts:
        key.update(len(part).to_bytes(8, "big") + part)
    return f"{prefix}-{key.hexdigest()}"


def read_marshalled(folder: Path, name: str) -> object | None:
    """The value an entry holds marshalled, or None when the entry is not
    there to trust (read_entry) or holds no marshal data."""
    content = read_entry(folder, name)
    if content is None:
        return None
    try:
        return marshal.loads(content)
    except (EOFError, ValueError, TypeError):
        return None


def compiled_code(prefix: str, source: str, filename: str) -> types.CodeType:
    """`source` compiled as a module's code under `filename` (no __future__
    flags of the caller's), kept in this user's cache folder as
    `<prefix>-<key>`, the key a SHA-256 of the text, the name and the
    Python: the next run reads the same code instead of compiling it."""
    folder = user_cache_folder()
    if folder is None:
        return compile(source, filename, "exec", dont_inherit=True)
    entry = keyed_entry(prefix, python_build(), filename.encode("utf-8", "surrogatepass"), source.encode("utf-8", "surrogatepass"))
    code = read_marshalled(folder, entry)
    if isinstance(code, types.CodeType):
        return code
    code = compile(source, filename, "exec", dont_inherit=True)
    write_entry(folder, entry, marshal.dumps(code))
    return code
