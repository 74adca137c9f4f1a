"""Output formats of ``mamori gate deps``: table, json, sarif, cyclonedx, openvex (registered in ``FORMATS``)."""

from mamori.gate.deps.output import cyclonedx, json_out, openvex, sarif, table  # noqa: F401 - imported to register
from mamori.gate.deps.output.interface import FORMATS, OutputFormat

__all__ = ["FORMATS", "OutputFormat"]
