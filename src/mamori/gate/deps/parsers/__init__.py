"""Lockfile and manifest parsers, one module per format, all registered in ``PARSERS``.

=====================  ==========  ==================================================
file                   ecosystem   notes
=====================  ==========  ==================================================
requirements*.txt      PyPI        ``==`` pins; ``-r``/``-c`` followed; hashes accepted
poetry.lock            PyPI
uv.lock                PyPI
Pipfile.lock           PyPI
pylock.toml            PyPI        PEP 751
package-lock.json      npm         v1, v2, v3 (and npm-shrinkwrap.json)
yarn.lock              npm         classic v1 and berry
pnpm-lock.yaml         npm         v5, v6, v9
package.json           npm         only without a lockfile beside it; ranges UNPINNED
pom.xml                Maven       explicit versions, ``${property}`` substitution
*.cdx.json, bom.json   any         CycloneDX JSON SBOM, by purl
go.mod / go.sum        Go          go.sum only without a go.mod; ``go``/``toolchain`` -> stdlib
pyproject.toml         PyPI        PEP 621 and Poetry dependencies, without a lockfile beside it
Cargo.lock             crates.io
=====================  ==========  ==================================================
"""

from mamori.gate.deps.parsers import (  # noqa: F401 - imported to register
    cargo_lock,
    cyclonedx_json,
    go_mod,
    package_json,
    package_lock,
    pipfile_lock,
    pnpm_lock,
    poetry_lock,
    pom_xml,
    pylock,
    pyproject,
    requirements,
    uv_lock,
    yarn_lock,
)
from mamori.gate.deps.parsers.interface import PARSERS, Parser, ParseResult

__all__ = ["PARSERS", "ParseResult", "Parser"]
