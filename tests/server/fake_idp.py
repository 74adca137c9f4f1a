"""A tiny OpenID Connect provider on 127.0.0.1 for the SSO tests (no network): uvicorn in a thread.

It signs id_tokens with an RSA key generated at start (joserfc) and approves every
authorization request at once as ``idp.next_claims`` (set by the test before signing in).
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import uvicorn
from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID, CLIENT_SECRET = "mamori-test", "s3cret-client"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class FakeIdp:
    def __init__(self, port: int) -> None:
        self.issuer = f"http://127.0.0.1:{port}"
        self.port = port
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.next_claims: dict[str, Any] = {"sub": "u1", "preferred_username": "sso-user", "groups": []}
        self.codes: dict[str, dict[str, Any]] = {}
        self.app = self._build()

    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        def metadata() -> dict[str, Any]:
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            }

        @app.get("/jwks")
        def jwks() -> dict[str, Any]:
            return {"keys": [self.key.as_dict(private=False)]}

        @app.get("/authorize")
        def authorize(request: Request) -> RedirectResponse:
            q = request.query_params
            assert q["client_id"] == CLIENT_ID and q["response_type"] == "code"
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"claims": dict(self.next_claims), "nonce": q.get("nonce"), "redirect_uri": q["redirect_uri"]}
            return RedirectResponse(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}", status_code=302)

        @app.post("/token")
        def token(request: Request, code: str = Form(), redirect_uri: str = Form(),
                  grant_type: str = Form()) -> JSONResponse:  # fmt: skip
            grant = self.codes.pop(code, None)
            if grant is None or grant_type != "authorization_code" or redirect_uri != grant["redirect_uri"]:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            now = int(time.time())
            claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, **grant["claims"]}
            if grant["nonce"]:
                claims["nonce"] = grant["nonce"]
            id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)
            return JSONResponse({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                                 "id_token": id_token})  # fmt: skip

        return app


@contextmanager
def running_idp() -> Iterator[FakeIdp]:
    idp = FakeIdp(free_port())
    server = uvicorn.Server(uvicorn.Config(idp.app, host="127.0.0.1", port=idp.port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the fake identity provider did not start"
        time.sleep(0.02)
    try:
        yield idp
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def oidc_config(idp: FakeIdp) -> dict[str, Any]:
    return {
        "issuer": idp.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "group_claim": "groups",
        "groups": {"sec-admins": {"role": "admin"}, "dev-team": {"role": "analyst", "accounts": "dev"},
                   "readers": {"role": "viewer"}},
    }  # fmt: skip
