"""Maven pom.xml: dependencies with explicit versions.

``${property}`` references are substituted from ``<properties>`` (nested references too)
and from ``project.version`` / ``project.parent.version``; a version missing from a
``<dependency>`` is taken from this pom's ``<dependencyManagement>``. A version range
(``[1.0,2.0)``) is UNPINNED. What this pom cannot tell (a property or a managed version
inherited from a parent or a BOM) is a notice: audit a CycloneDX SBOM of the build
(``cyclonedx-maven-plugin``) for the resolved tree.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.parsers import expat

from mamori.gate.deps.model import Ecosystem
from mamori.gate.deps.parsers.interface import Collector, Parser, ParseResult, fail, register

_PROP = re.compile(r"\$\{([^}]+)\}")


class _DoctypeRefused(Exception):
    pass


def parse_xml(text: str, rel: str) -> tuple[ET.Element, dict[int, int]]:
    """The element tree and the line each element starts on (expat directly: ElementTree keeps no lines).

    A DOCTYPE is refused: a pom has none, and refusing it rules out entity-expansion tricks.
    """
    parser = expat.ParserCreate(namespace_separator="}")
    builder = ET.TreeBuilder()
    lines: dict[int, int] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        lines[id(builder.start(tag, attrs))] = parser.CurrentLineNumber

    def doctype(*_: object) -> None:
        raise _DoctypeRefused

    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        fail(f"not well-formed XML: {expat.ErrorString(exc.code)}", rel, f"{exc.lineno}:{exc.offset + 1}")
    except _DoctypeRefused:
        fail("a DOCTYPE declaration is not accepted in a pom", rel, str(parser.CurrentLineNumber))
    return builder.close(), lines


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(elem: ET.Element, name: str) -> ET.Element | None:
    for c in elem:
        if isinstance(c.tag, str) and _local(c.tag) == name:
            return c
    return None


def _text(elem: ET.Element | None, name: str) -> str | None:
    c = _child(elem, name) if elem is not None else None
    return c.text.strip() if c is not None and c.text else None


def _deps(parent: ET.Element | None) -> list[ET.Element]:
    holder = _child(parent, "dependencies") if parent is not None else None
    return [d for d in holder or () if isinstance(d.tag, str) and _local(d.tag) == "dependency"]


def substitute(value: str, props: dict[str, str]) -> str:
    for _ in range(10):
        new = _PROP.sub(lambda m: props.get(m.group(1), m.group(0)), value)
        if new == value:
            break
        value = new
    return value


class PomParser(Parser):
    name = "pom.xml"
    ecosystem = Ecosystem.MAVEN

    def matches(self, path: Path) -> bool:
        return path.name == "pom.xml"

    def parse(self, text: str, rel: str, path: Path) -> ParseResult:
        root, lines = parse_xml(text, rel)
        if _local(root.tag) != "project":
            fail(f"the root element is <{_local(root.tag)}>, not <project>", rel, "1")
        props = self._properties(root)
        col = Collector(Ecosystem.MAVEN, rel)
        managed: dict[str, str] = {}
        dm = _child(root, "dependencyManagement")
        # the project's own dependencies first, so a package is located where it is used
        entries = [(d, False) for d in _deps(root)] + [(d, True) for d in _deps(dm)]
        for dep, is_managed in entries:
            if not is_managed:
                continue
            group, artifact, version = _text(dep, "groupId"), _text(dep, "artifactId"), _text(dep, "version")
            if group and artifact and version:
                managed.setdefault(f"{substitute(group, props)}:{substitute(artifact, props)}", version)
        seen: set[tuple[str, str]] = set()
        for dep, is_managed in entries:
            line = lines.get(id(dep))
            group, artifact = _text(dep, "groupId"), _text(dep, "artifactId")
            if not group or not artifact:
                fail("a <dependency> without groupId or artifactId", rel, str(line))
            if _text(dep, "scope") == "import" or _text(dep, "type") == "pom":
                continue  # a BOM: it manages versions, it is not a library
            name = f"{substitute(group, props)}:{substitute(artifact, props)}"
            raw = _text(dep, "version") or managed.get(name)
            if raw is None:
                if not is_managed:
                    col.skipped(
                        f"{name} has no version here (managed by a parent or BOM): audit a CycloneDX SBOM",
                        line,
                    )
                continue
            version = substitute(raw, props)
            if (name, version) in seen:
                continue
            seen.add((name, version))
            if "${" in version:
                col.skipped(f"{name} version {raw} uses a property not defined in this pom", line)
            elif version[:1] in "[(" or "," in version:
                col.unpinned(name, version, line)
            else:
                col.pinned(name, version, line)
        return col.result()

    def _properties(self, root: ET.Element) -> dict[str, str]:
        props: dict[str, str] = {}
        holder = _child(root, "properties")
        for p in holder if holder is not None else ():
            if isinstance(p.tag, str):
                props[_local(p.tag)] = (p.text or "").strip()
        parent = _child(root, "parent")
        for key, value in (
            ("project.groupId", _text(root, "groupId") or _text(parent, "groupId")),
            ("project.artifactId", _text(root, "artifactId")),
            ("project.version", _text(root, "version") or _text(parent, "version")),
            ("project.parent.version", _text(parent, "version")),
            ("project.parent.groupId", _text(parent, "groupId")),
        ):
            if value:
                props[key] = value
                props[key.replace("project.", "pom.", 1)] = value
        return props


register(PomParser)
