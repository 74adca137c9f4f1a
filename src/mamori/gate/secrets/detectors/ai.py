"""AI platforms: OpenAI, Anthropic."""

from __future__ import annotations

from mamori.gate.secrets.detectors._base import B, E, define
from mamori.gate.secrets.model import Category

_C = Category.AI

define(
    "openai-api-key",
    "OpenAI API key",
    B + r"(?P<secret>sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_\-]{20,74}T3BlbkFJ[A-Za-z0-9_\-]{20,74})" + E,
    ("t3blbkfj",),
    category=_C,
)
define(
    "anthropic-api-key",
    "Anthropic API key",
    B + r"(?P<secret>sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_\-]{80,100})" + E,
    ("sk-ant-",),
    category=_C,
)
