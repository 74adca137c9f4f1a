"""Payments and commerce: Stripe, Square, Braintree, Shopify."""

from __future__ import annotations

from mamori.gate.secrets.detectors._base import B, E, define
from mamori.gate.secrets.model import Category
from mamori.model.finding import Severity

_C = Category.PAYMENT

define(
    "stripe-secret-key",
    "Stripe live secret key",
    B + r"(?P<secret>sk_(?:live|prod)_[A-Za-z0-9]{24,99})" + E,
    ("sk_live_", "sk_prod_"),
    category=_C,
    severity=Severity.CRITICAL,
)
define(
    "stripe-restricted-key",
    "Stripe live restricted key",
    B + r"(?P<secret>rk_(?:live|prod)_[A-Za-z0-9]{24,99})" + E,
    ("rk_live_", "rk_prod_"),
    category=_C,
    severity=Severity.CRITICAL,
)
define(
    "square-access-token",
    "Square access token",
    B + r"(?P<secret>(?:sq0atp-[A-Za-z0-9_\-]{22,60}|EAAA[A-Za-z0-9_\-]{22,60}))" + E,
    ("sq0atp-", "eaaa"),
    category=_C,
)
define(
    "square-oauth-secret",
    "Square OAuth secret",
    B + r"(?P<secret>sq0csp-[A-Za-z0-9_\-]{43})" + E,
    ("sq0csp-",),
    category=_C,
)
define(
    "braintree-access-token",
    "Braintree / PayPal production access token",
    r"(?P<secret>access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32})",
    ("access_token$production$",),
    category=_C,
    severity=Severity.CRITICAL,
    supersedes=("generic-secret",),
)
define(
    "shopify-token",
    "Shopify access token or shared secret",
    B + r"(?P<secret>shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})" + E,
    ("shpat_", "shpca_", "shppa_", "shpss_"),
    category=_C,
)
