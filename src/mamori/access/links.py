"""One-click approval links: signed, bound to one approver and one request, expiring.

A link is ``{base_url}/access/approve/{token}``; the token (itsdangerous, HMAC-SHA256 under
the server's secret key, salt ``mamori.access.approve``) carries the request id and the
approver it was sent to. Opening it does not approve: the server shows the request and an
Approve button to a signed-in user, and approves only when that user *is* the approver the
link was made for (so a forwarded or leaked link is useless without that person's session).
An approver approves a request at most once, so a link cannot be replayed either.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from mamori.errors import InputError

SALT = "mamori.access.approve"
MAX_AGE_S = 24 * 3600


@dataclass(frozen=True)
class LinkClaim:
    request_id: str
    approver: str


def _ser(secret: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def make_token(secret: str | bytes, request_id: str, approver: str) -> str:
    return str(_ser(secret).dumps({"r": request_id, "a": approver}))


def approve_url(base_url: str, secret: str | bytes, request_id: str, approver: str) -> str:
    return f"{base_url.rstrip('/')}/access/approve/{make_token(secret, request_id, approver)}"


def read_token(secret: str | bytes, token: str, max_age_s: int = MAX_AGE_S) -> LinkClaim:
    if len(token) > 1000:
        raise InputError("the approval link is malformed")
    try:
        data = _ser(secret).loads(token, max_age=max_age_s)
    except SignatureExpired:
        raise InputError("the approval link has expired") from None
    except BadSignature:
        raise InputError("the approval link is not valid") from None
    if not isinstance(data, dict) or not isinstance(data.get("r"), str) or not isinstance(data.get("a"), str):
        raise InputError("the approval link is malformed")
    return LinkClaim(data["r"], data["a"])
