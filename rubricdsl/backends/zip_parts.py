"""A zip archive of deflated parts, some of whose text was deflated before
the part was begun.

A workbook's sheet is written as it is laid out, but its part begins with
its used range (<dimension>), known only once every row is.  Its rows are
held deflated until then (`Deflated`: a 300x rubric's 73 MB of rows as 8),
and go into the archive as they are: a DEFLATE stream may be made of
pieces, each flushed to a byte boundary (Z_SYNC_FLUSH) and none referring
back to another, which is how the part's head, its held rows and its tail
follow one another.  Its CRC-32 is that of the pieces' texts one after
another (`crc32_combine`).  zipfile deflates everything itself, so it
would inflate the rows again to deflate them once more (`zipfile` still
reads the archive: the tests and workbook_reader.py).

The archive is what zipfile writes for the same parts (no zip64, no data
descriptors, names in ASCII): the entries' dates are fixed, made on Unix
(create_system 3), mode 0600.  Standard library only.
"""

import io
import struct
import zlib
from typing import Iterable, Union

LEVEL = 1  # twice as fast as zlib's default, the file a fifth larger
# The largest part and archive without zip64, as zipfile's ZIP64_LIMIT; a
# workbook is refused beyond (no spreadsheet opens a sheet of 2 GiB).
LIMIT = (1 << 31) - 1
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, as spreadsheets write it
_DOS_TIME = 0
_VERSION = 20  # deflate: PKZIP 2.0
_MADE_ON_UNIX = 3 << 8
_MODE = 0o600 << 16
_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")


class TooLarge(ValueError):
    """A part over LIMIT (`name`), or the archive (`name` None): it would
    need zip64."""

    def __init__(self, name: str | None) -> None:
        super().__init__(name or "the archive")
        self.name = name


class Deflated:
    """Text deflated as it is written, to go into a part later as it is:
    its deflated bytes, flushed to a byte boundary once finished, and the
    CRC-32 and length of the text."""

    def __init__(self) -> None:
        self._deflate = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        self.chunks: list[bytes] = []
        self.crc = 0
        self.size = 0

    def write(self, data: bytes) -> None:
        if self._deflate is None:
            raise RuntimeError("Deflated: written to after it was finished")
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        chunk = self._deflate.compress(data)
        if chunk:
            self.chunks.append(chunk)

    def finish(self) -> "Deflated":
        """Flushed to a byte boundary, not ended (a part goes on after it);
        nothing more can be written."""
        if self._deflate is not None:
            self.chunks.append(self._deflate.flush(zlib.Z_SYNC_FLUSH))
            self._deflate = None
        return self


Piece = Union[bytes, Deflated]


class Archive:
    """A zip archive written in memory, one part after another."""

    def __init__(self) -> None:
        self._out = io.BytesIO()
        self._central: list[bytes] = []

    def add(self, name: str, pieces: Iterable[Piece]) -> None:
        """A part: the text of `pieces` in order, each bytes deflated here
        and each Deflated as it was."""
        out, encoded = self._out, name.encode("ascii")
        offset = out.tell()
        out.write(bytes(_LOCAL.size + len(encoded)))  # the header, once its sizes are known
        start = out.tell()
        crc, size, deflate = 0, 0, None
        for piece in pieces:
            if isinstance(piece, Deflated):
                if not piece.size:
                    continue
                if deflate is not None:
                    out.write(deflate.flush(zlib.Z_SYNC_FLUSH))
                    deflate = None
                for chunk in piece.finish().chunks:
                    out.write(chunk)
                crc, size = crc32_combine(crc, piece.crc, piece.size), size + piece.size
            else:
                if deflate is None:
                    deflate = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
                crc, size = zlib.crc32(piece, crc), size + len(piece)
                out.write(deflate.compress(piece))
            if size > LIMIT or out.tell() - start > LIMIT:
                raise TooLarge(name)
        out.write((deflate or zlib.compressobj(LEVEL, zlib.DEFLATED, -15)).flush(zlib.Z_FINISH))
        end = out.tell()
        if end - start > LIMIT:
            raise TooLarge(name)
        if end > LIMIT:  # where the next entry, or the directory, would start
            raise TooLarge(None)
        sizes = (crc, end - start, size)
        out.seek(offset)
        out.write(_LOCAL.pack(b"PK\x03\x04", _VERSION, 0, zlib.DEFLATED, _DOS_TIME, _DOS_DATE, *sizes, len(encoded), 0) + encoded)
        out.seek(end)
        self._central.append(_CENTRAL.pack(
            b"PK\x01\x02", _MADE_ON_UNIX | _VERSION, _VERSION, 0, zlib.DEFLATED, _DOS_TIME, _DOS_DATE, *sizes,
            len(encoded), 0, 0, 0, 0, _MODE, offset,
        ) + encoded)

    def bytes(self) -> bytes:
        """The archive: its parts, then their directory."""
        out = self._out
        start = out.tell()
        for entry in self._central:
            out.write(entry)
        count, length = len(self._central), out.tell() - start
        out.write(_END.pack(b"PK\x05\x06", 0, 0, count, count, length, start, 0))
        return out.getvalue()


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of two texts one after the other, from the CRC-32 of each
    and the length of the second, as zlib's crc32_combine (which Python's
    zlib does not offer).  zlib.crc32(text, start) is affine in `start`:
    what `start` adds is what it adds to as many zero bytes, which zlib
    works out in C (a 300x sheet's 73 MB in a few tens of ms)."""
    carried, alone, left = crc1, 0, length2
    zeros = memoryview(bytes(min(length2, _ZEROS)))
    while left > 0:
        piece = zeros[: min(left, _ZEROS)]
        carried, alone, left = zlib.crc32(piece, carried), zlib.crc32(piece, alone), left - len(piece)
    return carried ^ alone ^ crc2


_ZEROS = 1 << 20
