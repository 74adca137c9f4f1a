"""Language packages installed in an image: Python ``*.dist-info``, ``node_modules``, jars.

* ``.../NAME-VER.dist-info/METADATA`` and ``.../*.egg-info/PKG-INFO``: the ``Name`` and
  ``Version`` headers (PyPI).
* ``.../node_modules/[@scope/]NAME/package.json``: ``name`` and ``version`` (npm).
* ``*.jar``, ``*.war``, ``*.ear``: every ``META-INF/maven/GROUP/ARTIFACT/pom.properties``
  (Maven ``GROUP:ARTIFACT``), and those of jars nested one level deep (Spring Boot's
  ``BOOT-INF/lib``, ``WEB-INF/lib``). Zips are read from memory with bounded entry counts
  and sizes; a zip that cannot be read is a notice, not a stop (the rest is audited).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from mamori.errors import InputError
from mamori.gate.deps.model import Ecosystem
from mamori.gate.image.errors import ImageError
from mamori.gate.image.limits import Limits
from mamori.safeload import load_json

_NODE = re.compile(r"(?:^|/)node_modules/(@[^/]+/[^/]+|[^@/][^/]*)/package\.json$")
_POM = re.compile(r"^META-INF/maven/([^/]+)/([^/]+)/pom\.properties$")
_JAR = (".jar", ".war", ".ear")
MAX_META = 1 << 20


@dataclass(frozen=True, slots=True)
class LangPackage:
    ecosystem: Ecosystem
    name: str
    version: str
    path: str  # the file in the image (``app.jar!BOOT-INF/lib/x.jar!META-INF/...`` inside jars)


def is_python_meta(path: str) -> bool:
    return (path.endswith("/METADATA") and path[:-9].endswith(".dist-info")) or (
        path.endswith("/PKG-INFO") and path[:-9].endswith(".egg-info")
    )


def is_node_manifest(path: str) -> bool:
    return _NODE.search(path) is not None


def is_jar(path: str) -> bool:
    return path.lower().endswith(_JAR)


def python_meta(data: bytes, path: str) -> LangPackage | None:
    name = version = None
    for line in data[:MAX_META].decode("utf-8", "replace").splitlines():
        if not line.strip():
            break  # the headers end at the first blank line; the description follows
        key, _, value = line.partition(":")
        if key == "Name" and name is None:
            name = value.strip()
        elif key == "Version" and version is None:
            version = value.strip()
    if not name or not version:
        return None
    return LangPackage(Ecosystem.PYPI, name, version, path)


def node_manifest(data: bytes, path: str) -> LangPackage | None:
    doc = load_json(data, source=path, max_bytes=MAX_META, error=ImageError)
    if not isinstance(doc, dict):
        return None
    name, version = doc.get("name"), doc.get("version")
    if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
        return None
    return LangPackage(Ecosystem.NPM, name, version, path)


def _properties(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#!":
            continue
        m = re.match(r"([^=:\s]+)\s*[=:]\s*(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2).strip()
    return out


def jar_packages(
    data: bytes, path: str, limits: Limits, depth: int = 0
) -> tuple[list[LangPackage], list[str]]:
    """(packages, notices) of a jar held in memory."""
    out: list[LangPackage] = []
    notes: list[str] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > limits.max_jar_entries:
                return [], [f"{path}: more than {limits.max_jar_entries:,} zip entries; not read"]
            for info in infos:
                m = _POM.match(info.filename)
                if m and info.file_size <= MAX_META:
                    props = _properties(zf.read(info).decode("utf-8", "replace"))
                    group = props.get("groupId") or m.group(1)
                    artifact = props.get("artifactId") or m.group(2)
                    version = props.get("version")
                    if version:
                        out.append(LangPackage(Ecosystem.MAVEN, f"{group}:{artifact}", version,
                                               f"{path}!{info.filename}"))  # fmt: skip
                elif depth == 0 and is_jar(info.filename):
                    if info.file_size > limits.max_nested_jar:
                        notes.append(f"{path}!{info.filename}: nested jar larger than {limits.max_nested_jar:,} "
                                     "bytes; not read")  # fmt: skip
                        continue
                    inner = zf.read(info)
                    pk, ns = jar_packages(inner, f"{path}!{info.filename}", limits, depth + 1)
                    out.extend(pk)
                    notes.extend(ns)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        OSError,
        EOFError,
        ValueError,
    ) as exc:
        notes.append(f"{path}: not a readable jar ({exc}); not audited")
    except InputError as exc:
        notes.append(str(exc))
    return out, notes
