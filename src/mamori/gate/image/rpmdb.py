"""The rpm database in its SQLite format (``rpmdb.sqlite``, RHEL 9, Fedora 33+, Rocky, Alma 9).

The ``Packages`` table holds one header blob per package. A blob (rpm's "header without
magic") is: ``il`` (index entries) and ``dl`` (data bytes) as big-endian int32, then
``il`` entries of 16 bytes (tag, type, offset, count; big-endian), then ``dl`` bytes of
data. Read here: NAME (1000), VERSION (1001), RELEASE (1002), EPOCH (1003, INT32),
ARCH (1022), SOURCERPM (1044). Strings are NUL-terminated. Every offset and count is
checked against the blob before use.

The database is opened from memory (``sqlite3`` ``deserialize``, read-only): it never
touches the disk. The BerkeleyDB (``Packages``) and NDB (``Packages.db``) formats are not
read; the gate says so.
"""

from __future__ import annotations

import sqlite3
import struct

from mamori.gate.image.errors import ImageError
from mamori.gate.image.ospkgs import MAX_PACKAGES, OsPackage

TAG_NAME, TAG_VERSION, TAG_RELEASE, TAG_EPOCH, TAG_ARCH, TAG_SOURCERPM = 1000, 1001, 1002, 1003, 1022, 1044
TYPE_INT32, TYPE_STRING, TYPE_STRING_ARRAY, TYPE_I18NSTRING = 4, 6, 8, 9
_WANTED = {TAG_NAME, TAG_VERSION, TAG_RELEASE, TAG_EPOCH, TAG_ARCH, TAG_SOURCERPM}
MAX_INDEX = 100_000
MAX_BLOB = 64 << 20
SQLITE_MAGIC = b"SQLite format 3\x00"


def parse_header(blob: bytes, where: str = "") -> dict[int, str | int]:
    """The wanted tags of one header blob; ImageError on a malformed one."""
    if len(blob) < 8 or len(blob) > MAX_BLOB:
        raise ImageError("an rpm header blob of impossible size", where=where)
    il, dl = struct.unpack_from(">ii", blob, 0)
    if il < 0 or dl < 0 or il > MAX_INDEX or 8 + 16 * il + dl > len(blob):
        raise ImageError(f"an rpm header with a bad index (il={il}, dl={dl}, {len(blob)} bytes)", where=where)
    data_start = 8 + 16 * il
    out: dict[int, str | int] = {}
    for i in range(il):
        tag, typ, off, count = struct.unpack_from(">iiii", blob, 8 + 16 * i)
        if tag not in _WANTED:
            continue
        if off < 0 or off >= dl or count < 1:
            raise ImageError(f"rpm tag {tag}: offset {off} outside the data ({dl} bytes)", where=where)
        pos = data_start + off
        if typ == TYPE_INT32:
            if off + 4 > dl:
                raise ImageError(f"rpm tag {tag}: INT32 outside the data", where=where)
            out[tag] = struct.unpack_from(">i", blob, pos)[0]
        elif typ in (TYPE_STRING, TYPE_STRING_ARRAY, TYPE_I18NSTRING):
            end = blob.find(b"\x00", pos, data_start + dl)
            if end < 0:
                raise ImageError(f"rpm tag {tag}: unterminated string", where=where)
            out[tag] = blob[pos:end].decode("utf-8", "replace")
        else:
            raise ImageError(f"rpm tag {tag}: unexpected type {typ}", where=where)
    return out


def _source_name(srpm: str | None) -> str | None:
    """``openssl-3.0.7-24.el9.src.rpm`` -> ``openssl``."""
    if not srpm:
        return None
    base = srpm.removesuffix(".rpm").removesuffix(".src").removesuffix(".nosrc")
    parts = base.rsplit("-", 2)
    return parts[0] if len(parts) == 3 else None


def package_of(hdr: dict[int, str | int], where: str) -> OsPackage | None:
    name, version, release = hdr.get(TAG_NAME), hdr.get(TAG_VERSION), hdr.get(TAG_RELEASE)
    if not isinstance(name, str) or not isinstance(version, str) or not isinstance(release, str):
        raise ImageError("an rpm header without NAME, VERSION or RELEASE", where=where)
    if name == "gpg-pubkey":
        return None  # imported signing keys are stored as pseudo-packages
    epoch = hdr.get(TAG_EPOCH)
    epoch = epoch if isinstance(epoch, int) else None
    evr = f"{version}-{release}" if not epoch else f"{epoch}:{version}-{release}"
    arch = hdr.get(TAG_ARCH)
    srpm = hdr.get(TAG_SOURCERPM)
    src = _source_name(srpm if isinstance(srpm, str) else None)
    return OsPackage(name, evr, arch if isinstance(arch, str) else None, src, evr, epoch)


def parse_rpm_sqlite(data: bytes, source: str) -> list[OsPackage]:
    if not data.startswith(SQLITE_MAGIC):
        raise ImageError("not an SQLite database", source=source)
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(data)
        conn.execute("PRAGMA query_only = ON")
        rows = conn.execute(
            "SELECT hnum, blob FROM Packages ORDER BY hnum LIMIT ?", (MAX_PACKAGES + 1,)
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise ImageError(f"not a readable rpm database: {exc}", source=source) from None
    finally:
        conn.close()
    if len(rows) > MAX_PACKAGES:
        raise ImageError(f"more than {MAX_PACKAGES:,} packages", source=source)
    out = []
    for hnum, blob in rows:
        if not isinstance(blob, bytes):
            raise ImageError("a Packages row without a blob", source=source, where=f"hnum {hnum}")
        try:
            pkg = package_of(parse_header(blob), f"hnum {hnum}")
        except ImageError as exc:
            raise ImageError(exc.message, source=source, where=f"hnum {hnum}") from None
        if pkg is not None:
            out.append(pkg)
    return out
