"""Fake, valid-shaped secrets for every detector, plus decoys that must stay quiet.

Everything is generated from a seeded ``random.Random`` at run time, so no token-shaped string is
ever written into the repository (and push protection has nothing to trip on). Used by the tests
(a positive and a negative case per detector) and by ``benchmarks/secrets/make_corpus.py``.
"""

from __future__ import annotations

import base64
import json
import re
import string
from collections.abc import Callable
from random import Random

from mamori.gate.secrets.detectors import REGISTRY as _REGISTRY  # noqa: F401  (registers every row)
from mamori.gate.secrets.detectors import _table

UP = string.ascii_uppercase
UPD = UP + string.digits
B32 = UP + "234567"
LOW = string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
DIG = string.digits
BECH32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"

Sample = Callable[[Random], str]


def rs(r: Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


def uuid(r: Random) -> str:
    return f"{rs(r, 8, HEX)}-{rs(r, 4, HEX)}-4{rs(r, 3, HEX)}-a{rs(r, 3, HEX)}-{rs(r, 12, HEX)}"


def _pem(r: Random, label: str, lines: int = 4, headers: str = "") -> str:
    body = "\n".join(rs(r, 64, B64) for _ in range(lines)) + "\n" + rs(r, 24, B64) + "=="
    return f"-----BEGIN {label}-----\n{headers}{body}\n-----END {label}-----"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def jwt(r: Random) -> str:
    head = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64url(json.dumps({"sub": rs(r, 12), "iat": r.randrange(1_600_000_000, 1_800_000_000)}).encode())
    return f"{head}.{body}.{rs(r, 43, B64URL)}"


def _gh(prefix: str) -> tuple[Sample, Sample]:
    return (
        lambda r: f'GITHUB_TOKEN = "{prefix}_{rs(r, 36)}"',
        lambda r: f'if token.startswith("{prefix}_"):',
    )


def _private_key(label: str) -> tuple[Sample, Sample]:
    headers = "Version: GnuPG v2\n\n" if "PGP" in label else ""
    return (
        lambda r: _pem(r, label, headers=headers),
        lambda r: f"-----BEGIN {label}-----\n...\n-----END {label}-----",
    )


#: detector id -> (positive, negative). A positive line holds exactly one secret of that kind
#: (multi-line for keys); a negative is a near miss that no detector may report.
SAMPLES: dict[str, tuple[Sample, Sample]] = {
    "aws-access-key-id": (
        lambda r: f'aws_access_key_id = "AKIA{rs(r, 16, B32)}"',
        lambda r: f'aws_access_key_id = "AKIA{rs(r, 12, B32)}"',
    ),
    "aws-iam-unique-id": (
        lambda r: f'"UserId": "AIDA{rs(r, 16, B32)}",',
        lambda r: f'"UserId": "AIDA{rs(r, 10, B32)}",',
    ),
    "aws-secret-access-key": (
        lambda r: f"aws_secret_access_key = {rs(r, 40, B64)}",
        lambda r: "aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}",
    ),
    "aws-session-token": (
        lambda r: f"aws_session_token = {rs(r, 320, B64)}",
        lambda r: 'aws_session_token = os.environ["AWS_SESSION_TOKEN"]',
    ),
    "aws-mws-auth-token": (
        lambda r: f"mws_auth_token: amzn.mws.{uuid(r)}",
        lambda r: f"mws_auth_token: amzn.mws.{rs(r, 8, HEX)}",
    ),
    "github-pat": _gh("ghp"),
    "github-oauth-token": _gh("gho"),
    "github-user-token": _gh("ghu"),
    "github-server-token": _gh("ghs"),
    "github-refresh-token": _gh("ghr"),
    "github-fine-grained-pat": (
        lambda r: f"token: github_pat_{rs(r, 22)}_{rs(r, 59)}",
        lambda r: "token: github_pat_...",
    ),
    "gitlab-pat": (lambda r: f"GITLAB_TOKEN=glpat-{rs(r, 20)}", lambda r: "GITLAB_TOKEN=glpat-xxxx"),
    "gitlab-runner-token": (lambda r: f"token = glrt-{rs(r, 20)}", lambda r: "token = glrt-"),
    "npm-token": (lambda r: f"NPM_TOKEN=npm_{rs(r, 36)}", lambda r: "npm_config_cache=/tmp/npm-cache"),
    "npmrc-auth-token": (
        lambda r: f"//registry.npmjs.org/:_authToken={rs(r, 36)}",
        lambda r: "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
    ),
    "pypi-token": (
        lambda r: f"TWINE_PASSWORD=pypi-AgEIcHlwaS5vcmc{rs(r, 70, B64URL)}",
        lambda r: "# tokens start with pypi-AgEIcHlwaS5vcmc",
    ),
    "dockerhub-pat": (lambda r: f"DOCKER_PAT=dckr_pat_{rs(r, 27, B64URL)}", lambda r: "DOCKER_PAT=dckr_pat_"),
    "huggingface-token": (
        lambda r: f"HF_TOKEN=hf_{rs(r, 34, string.ascii_letters)}",
        lambda r: "from huggingface_hub import hf_hub_download",
    ),
    "slack-bot-token": (
        lambda r: f'SLACK_BOT_TOKEN = "xoxb-{rs(r, 11, DIG)}-{rs(r, 12, DIG)}-{rs(r, 24)}"',
        lambda r: 'SLACK_BOT_TOKEN = "xoxb-..."',
    ),
    "slack-user-token": (
        lambda r: f'SLACK_USER_TOKEN = "xoxp-{rs(r, 11, DIG)}-{rs(r, 12, DIG)}-{rs(r, 12, DIG)}-{rs(r, 32, HEX)}"',
        lambda r: 'SLACK_USER_TOKEN = "xoxp-"',
    ),
    "slack-app-token": (
        lambda r: f"SLACK_APP_TOKEN=xapp-1-A{rs(r, 10, UPD)}-{rs(r, 13, DIG)}-{rs(r, 64, HEX)}",
        lambda r: "SLACK_APP_TOKEN=xapp-1-",
    ),
    "slack-webhook": (
        lambda r: f"url: https://hooks.slack.com/services/T{rs(r, 10, UPD)}/B{rs(r, 10, UPD)}/{rs(r, 24)}",
        lambda r: "see https://hooks.slack.com/services/ in the Slack docs",
    ),
    "discord-webhook": (
        lambda r: f"https://discord.com/api/webhooks/{rs(r, 18, DIG)}/{rs(r, 68, B64URL)}",
        lambda r: f"https://discord.com/api/webhooks/{rs(r, 18, DIG)}/",
    ),
    "discord-bot-token": (
        lambda r: f'DISCORD_BOT_TOKEN = "M{rs(r, 23)}.{rs(r, 6, B64URL)}.{rs(r, 27, B64URL)}"',
        lambda r: 'DISCORD_BOT_TOKEN = ""',
    ),
    "telegram-bot-token": (
        lambda r: f"TELEGRAM_TOKEN={rs(r, 10, DIG)}:AA{rs(r, 33, B64URL)}",
        lambda r: f"started at {rs(r, 2, DIG)}:AA",
    ),
    "stripe-secret-key": (lambda r: f"STRIPE_KEY=sk_live_{rs(r, 24)}", lambda r: f"STRIPE_KEY=pk_live_{rs(r, 24)}"),
    "stripe-restricted-key": (
        lambda r: f"STRIPE_RK=rk_live_{rs(r, 24)}",
        lambda r: f"STRIPE_RK=rk_live_{rs(r, 6)}",
    ),
    "square-access-token": (lambda r: f"SQUARE_TOKEN=sq0atp-{rs(r, 22, B64URL)}", lambda r: "SQUARE_TOKEN=sq0atp-"),
    "square-oauth-secret": (lambda r: f"SQUARE_SECRET=sq0csp-{rs(r, 43, B64URL)}", lambda r: "SQUARE_SECRET=sq0csp-"),
    "braintree-access-token": (
        lambda r: f"BT=access_token$production${rs(r, 16, LOW + DIG)}${rs(r, 32, HEX)}",
        lambda r: f"BT=access_token$sandbox${rs(r, 16, LOW + DIG)}${rs(r, 32, HEX)}",
    ),
    "shopify-token": (lambda r: f"SHOPIFY_TOKEN=shpat_{rs(r, 32, HEX)}", lambda r: f"SHOPIFY_TOKEN=shpat_{rs(r, 8, HEX)}"),
    "openai-api-key": (
        lambda r: f"OPENAI_API_KEY=sk-proj-{rs(r, 40, B64URL)}T3BlbkFJ{rs(r, 40, B64URL)}",
        lambda r: "OPENAI_API_KEY=sk-proj-...",
    ),
    "anthropic-api-key": (
        lambda r: f"ANTHROPIC_API_KEY=sk-ant-api03-{rs(r, 93, B64URL)}",
        lambda r: "ANTHROPIC_API_KEY=sk-ant-api03-...",
    ),
    "google-api-key": (lambda r: f'apiKey: "AIza{rs(r, 35, B64URL)}",', lambda r: 'if (key.startsWith("AIza")) {'),
    "gcp-service-account-key": (
        lambda r: '  "private_key": "-----BEGIN PRIVATE KEY-----\\n'
        + "\\n".join(rs(r, 64, B64) for _ in range(3))
        + '\\n-----END PRIVATE KEY-----\\n",',
        lambda r: '  "private_key": "",',
    ),
    "google-oauth-client-secret": (
        lambda r: f'"client_secret": "GOCSPX-{rs(r, 28, B64URL)}"',
        lambda r: '"client_secret": "GOCSPX-"',
    ),
    "azure-storage-account-key": (
        lambda r: f"DefaultEndpointsProtocol=https;AccountName=acct{rs(r, 6, LOW)};AccountKey={rs(r, 86, B64)}==;"
        "EndpointSuffix=core.windows.net",
        lambda r: "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=<account-key>",
    ),
    "azure-shared-access-key": (
        lambda r: f"Endpoint=sb://ns{rs(r, 5, LOW)}.servicebus.windows.net/;SharedAccessKeyName=Root;"
        f"SharedAccessKey={rs(r, 43, B64)}=",
        lambda r: "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=<key>",
    ),
    "azure-sas-token": (
        lambda r: f"https://acct.blob.core.windows.net/c?sv=2022-11-02&ss=b&srt=sco&sp=rl&se=2030-01-01"
        f"&sig={rs(r, 40, ALNUM)}%2B{rs(r, 3)}%3D",
        lambda r: "https://acct.blob.core.windows.net/c?sv=2022-11-02&ss=b&sp=rl",
    ),
    "azure-ad-client-secret": (
        lambda r: f"AZURE_CLIENT_SECRET={rs(r, 3)}{rs(r, 1, DIG)}Q~{rs(r, 34, ALNUM + '_~.-')}",
        lambda r: "AZURE_CLIENT_SECRET=abc1Q~short",
    ),
    "digitalocean-token": (
        lambda r: f"DO_TOKEN=dop_v1_{rs(r, 64, HEX)}",
        lambda r: f"DO_TOKEN=dop_v1_{rs(r, 10, HEX)}",
    ),
    "heroku-api-key": (lambda r: f"HEROKU_API_KEY={uuid(r)}", lambda r: "HEROKU_APP_NAME=billing-api"),
    "alibaba-access-key-id": (lambda r: f"ALIBABA_KEY=LTAI{rs(r, 20)}", lambda r: f"ALIBABA_KEY=LTAI{rs(r, 8)}"),
    "databricks-token": (lambda r: f"DATABRICKS_TOKEN=dapi{rs(r, 32, HEX)}", lambda r: "DATABRICKS_TOKEN=dapi..."),
    "vault-token": (lambda r: f"VAULT_TOKEN=hvs.{rs(r, 95, B64URL)}", lambda r: "VAULT_TOKEN=hvs.dev"),
    "terraform-cloud-token": (
        lambda r: f"token = {rs(r, 14)}.atlasv1.{rs(r, 67, B64URL)}",
        lambda r: "token = x.atlasv1.y",
    ),
    "doppler-token": (lambda r: f"DOPPLER_TOKEN=dp.st.{rs(r, 43)}", lambda r: "DOPPLER_TOKEN=dp.st.dev"),
    "pulumi-token": (lambda r: f"PULUMI_ACCESS_TOKEN=pul-{rs(r, 40, HEX)}", lambda r: "PULUMI_ACCESS_TOKEN=pul-"),
    "cloudflare-origin-ca-key": (
        lambda r: f"CF_ORIGIN_CA_KEY=v1.0-{rs(r, 24, HEX)}-{rs(r, 146, HEX)}",
        lambda r: "CF_ORIGIN_CA_KEY=v1.0-abc",
    ),
    "twilio-api-key": (
        lambda r: f"TWILIO_API_KEY=SK{rs(r, 32, HEX)}",
        lambda r: f"TWILIO_API_KEY=SK{rs(r, 10, HEX)}",
    ),
    "twilio-auth-token": (
        lambda r: f"TWILIO_AUTH_TOKEN={rs(r, 32, HEX)}",
        lambda r: "TWILIO_AUTH_TOKEN=${TWILIO_AUTH_TOKEN}",
    ),
    "sendgrid-api-key": (
        lambda r: f"SENDGRID_API_KEY=SG.{rs(r, 22, B64URL)}.{rs(r, 43, B64URL)}",
        lambda r: "msg.send(to=user.email)",
    ),
    "mailgun-api-key": (lambda r: f"MAILGUN_KEY=key-{rs(r, 32, HEX)}", lambda r: "primary-key-value = 3"),
    "mailchimp-api-key": (lambda r: f"MAILCHIMP_KEY={rs(r, 32, HEX)}-us{r.randrange(1, 21)}", lambda r: "lang: en-us"),
    "atlassian-api-token": (lambda r: f"JIRA_TOKEN=ATATT3{rs(r, 186, B64URL)}", lambda r: "JIRA_TOKEN=ATATT3..."),
    "datadog-api-key": (lambda r: f"DD_API_KEY={rs(r, 32, HEX)}", lambda r: "DD_API_KEY=${DD_API_KEY}"),
    "datadog-app-key": (lambda r: f"DD_APP_KEY={rs(r, 40, HEX)}", lambda r: "DD_APP_KEY=${DD_APP_KEY}"),
    "newrelic-api-key": (lambda r: f"NEW_RELIC_API_KEY=NRAK-{rs(r, 27, UPD)}", lambda r: "NEW_RELIC_API_KEY=NRAK-"),
    "postman-api-key": (
        lambda r: f"POSTMAN_API_KEY=PMAK-{rs(r, 24, HEX)}-{rs(r, 34, HEX)}",
        lambda r: "POSTMAN_API_KEY=PMAK-",
    ),
    "sentry-auth-token": (lambda r: f"SENTRY_AUTH_TOKEN=sntrys_{rs(r, 60)}", lambda r: "SENTRY_AUTH_TOKEN=sntrys_"),
    "grafana-token": (
        lambda r: f"GRAFANA_TOKEN=glsa_{rs(r, 32)}_{rs(r, 8, HEX)}",
        lambda r: "GRAFANA_TOKEN=glsa_",
    ),
    "linear-api-key": (lambda r: f"LINEAR_API_KEY=lin_api_{rs(r, 40)}", lambda r: "LINEAR_API_KEY=lin_api_"),
    "mapbox-secret-token": (
        lambda r: f"MAPBOX_TOKEN=sk.eyJ{rs(r, 40, B64URL)}.{rs(r, 22, B64URL)}",
        lambda r: f"MAPBOX_PUBLIC=pk.eyJ{rs(r, 40, B64URL)}",
    ),
    "facebook-access-token": (
        lambda r: f"FB_TOKEN=EAAG{rs(r, 150)}",
        lambda r: "FB_TOKEN=EAAG...",
    ),
    "private-key-rsa": _private_key("RSA PRIVATE KEY"),
    "private-key-ec": _private_key("EC PRIVATE KEY"),
    "private-key-dsa": _private_key("DSA PRIVATE KEY"),
    "private-key-pkcs8": _private_key("PRIVATE KEY"),
    "private-key-openssh": _private_key("OPENSSH PRIVATE KEY"),
    "private-key-pgp": _private_key("PGP PRIVATE KEY BLOCK"),
    "putty-private-key": (
        lambda r: "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: ed25519-key\nPublic-Lines: 2\n"
        f"{rs(r, 64, B64)}\n{rs(r, 16, B64)}\nPrivate-Lines: 1\n{rs(r, 64, B64)}\nPrivate-MAC: {rs(r, 64, HEX)}",
        lambda r: "PuTTY-User-Key-File-3: ssh-ed25519",
    ),
    "age-secret-key": (
        lambda r: f"AGE-SECRET-KEY-1{rs(r, 58, BECH32)}",
        lambda r: "# AGE-SECRET-KEY-1... goes in keys.txt",
    ),
    "jwt": (lambda r: f'session = "{jwt(r)}"', lambda r: 'header = "eyJhbGciOi"'),
    "database-url-password": (
        lambda r: f"DATABASE_URL=postgresql://app:{rs(r, 16)}@db.internal:5432/app",
        lambda r: "DATABASE_URL=postgresql://app:${DB_PASSWORD}@db.internal:5432/app",
    ),
    "basic-auth-url": (
        lambda r: f"remote = https://deploy:{rs(r, 16)}@git.corp.internal/team/repo.git",
        lambda r: "remote = https://deploy@git.corp.internal/team/repo.git",
    ),
    "generic-password": (
        lambda r: f'db_password = "{rs(r, 10)}!{rs(r, 4)}"',
        lambda r: "db_password = get_password()",
    ),
    "generic-secret": (
        lambda r: f'client_secret: "{rs(r, 32)}"',
        lambda r: 'client_secret: "{{ vault_client_secret }}"',
    ),
    "bearer-token": (
        lambda r: f'headers = {{"Authorization": "Bearer {rs(r, 40, B64URL)}"}}',
        lambda r: 'headers = {"Authorization": "Bearer <token>"}',
    ),
    "curl-auth-user": (
        lambda r: f"curl -s -u deploy:{rs(r, 14)} https://ci.internal/api/jobs",
        lambda r: "curl -s -u deploy:$DEPLOY_PASSWORD https://ci.internal/api/jobs",
    ),
    "curl-auth-header": (
        lambda r: f"curl -H 'Authorization: {uuid(r)}' https://api.internal/v1/items",
        lambda r: 'curl -H "Authorization: Bearer $TOKEN" https://api.internal/v1/items',
    ),
    "basic-auth-header": (
        lambda r: f"Authorization: Basic {_b64(f'svc-{rs(r, 4, LOW)}:{rs(r, 16)}')}",
        lambda r: f"Authorization: Basic {_b64('user:password')}",
    ),
    "jwt-base64": (
        lambda r: f"  token: {_b64(jwt(r))}",
        lambda r: f"  note: {_b64('eyJ' + rs(r, 30))}",
    ),
    "private-key-other": _private_key("SSH2 ENCRYPTED PRIVATE KEY"),
    "pkcs12-file": (lambda r: f"certs/{rs(r, 6, LOW)}.p12", lambda r: f"docs/type.{rs(r, 3, LOW)}.P126.html"),
}


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _ex(r: Random) -> str:
    return "AKIAIOSFODNN7" + "EXAMPLE"


#: kind -> generator of text that is NOT a secret, though simpler tools often say it is.
DECOYS: dict[str, Sample] = {
    "aws-example-key-id": lambda r: f"aws_access_key_id = {_ex(r)}",
    "aws-example-secret": lambda r: "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLE" + "KEY",
    "git-sha": lambda r: f'  rev: "{rs(r, 40, HEX)}"',
    "git-sha-commit": lambda r: f'commit_sha = "{rs(r, 40, HEX)}"',
    "sha256-checksum": lambda r: f"{rs(r, 64, HEX)}  dist/app-{r.randrange(1, 9)}.tar.gz",
    "npm-integrity": lambda r: f'      "integrity": "sha512-{rs(r, 86, B64)}==",',
    "uuid": lambda r: f'request_id = "{uuid(r)}"',
    "base64-image": lambda r: f'<img src="data:image/png;base64,{rs(r, 1200, B64)}=">',
    "css-hash": lambda r: f'<script src="/static/js/main.{rs(r, 20, HEX)}.chunk.js"></script>',
    "placeholder-password": lambda r: 'password = "changeme"',
    "placeholder-token": lambda r: 'api_token: "<your-api-token>"',
    "env-reference": lambda r: "SECRET_KEY = os.environ['SECRET_KEY']",
    "template-reference": lambda r: 'token: "{{ .Values.token }}"',
    "stripe-publishable-key": lambda r: f"STRIPE_PUBLISHABLE_KEY=pk_live_{rs(r, 24)}",
    "variable-reference": lambda r: "password = self.password",
    "token-type": lambda r: 'token_type = "Bearer"',
    "nonce-hex-short": lambda r: f'nonce = "{rs(r, 16, HEX)}"',
    "gradle-checksum": lambda r: f'  <sha256 value="{rs(r, 64, HEX)}" origin="Generated by Gradle"/>',
}


# -- table-driven detectors (detectors/_table.py): samples from each row's template ----------------

_PART = re.compile(r"\{([A-Za-z])(\d+)\}")

#: How a value is assigned to a vendor-named key, across languages and config formats
#: (``{n}`` the name, ``{N}`` the name upper-cased, ``{s}`` the value).
KEYED_CONTEXTS: tuple[str, ...] = (
    '{n}_token = "{s}"',
    "{N}_API_KEY={s}",
    '  "{n}Key": "{s}",',
    'var {n}Token string = "{s}"',
    '${n}Token .= "{s}";',
    "{N}_TOKEN ::= {s}",
    "{N}_TOKEN ?= {s}",
    'System.setProperty("{N}_TOKEN", "{s}");',
    "<{n}Token>\n    {s}\n</{n}Token>",
    "{n}_token: |\n  {s}",
    "{n}Token := `{s}`",
    '  "{n}_token" => "{s}",',
    '{{"env": "{N}_TOKEN={s}\\nDEBUG=false"}}',
    "val {n}Token: String = '{s}'",
)
#: Where a self-identifying token appears.
TOKEN_CONTEXTS: tuple[str, ...] = (
    "export SERVICE_CREDENTIAL={s}",
    'client = Client("{s}")',
    '  "auth": "{s}",',
    "value: '{s}'",
    "<value>{s}</value>",
)


def fill(template: str, r: Random, mode: str = "random") -> str:
    """Fill ``{a32}``-style parts: random characters, ``x`` placeholders, or ``short`` (too few)."""

    def part(m: re.Match[str]) -> str:
        cls, n = m.group(1), int(m.group(2))
        if mode == "placeholder":
            return "x" * n
        if mode == "short":
            n = max(1, min(4, n // 4))
        return rs(r, n, _table.CLASSES[cls])

    return _PART.sub(part, template)


def _in_context(row: _table.Row, value: str, k: int) -> str:
    if row.kind == "keyed":
        ctx = KEYED_CONTEXTS[k % len(KEYED_CONTEXTS)]
        return ctx.replace("{n}", row.name).replace("{N}", row.name.upper()).replace("{s}", value)
    ctx = row.context or TOKEN_CONTEXTS[k % len(TOKEN_CONTEXTS)]
    return ctx.replace("{s}", value)


def row_positive(row: _table.Row, r: Random, k: int) -> str:
    """The ``k``-th true example of a table detector (a different context for each ``k``)."""
    return _in_context(row, fill(row.sample, r), k)


def row_negatives(row: _table.Row, r: Random) -> list[str]:
    """Near misses: the format with placeholder characters, too short, and (keyed) without the vendor's name."""
    out = [_in_context(row, fill(row.sample, r, "placeholder"), 0), _in_context(row, fill(row.sample, r, "short"), 1)]
    if row.kind == "keyed":
        out.append(f"display_label = {fill(row.sample, r)}")
    return out


def _row_samples(row: _table.Row) -> tuple[Sample, Sample]:
    # one-line contexts only (the first eight), picked by the seeded generator: deterministic
    return (
        lambda r: row_positive(row, r, r.randrange(8)),
        lambda r: row_negatives(row, r)[0],
    )


for _row in _table.ROWS.values():
    SAMPLES.setdefault(_row.id, _row_samples(_row))


DEFAULT_SAMPLE_PATH = "app/settings.env"


def sample_path(detector_id: str) -> str:
    """Where a sample of this detector belongs (some detectors only look at certain files)."""
    row = _table.ROWS.get(detector_id)
    return row.path if row is not None else DEFAULT_SAMPLE_PATH


def positive(detector_id: str, r: Random) -> str:
    return SAMPLES[detector_id][0](r)


def negative(detector_id: str, r: Random) -> str:
    return SAMPLES[detector_id][1](r)
