"""Vendor credential formats, one row each: the format, its documentation, a synthetic sample.

Rows are grouped by what the vendor is (developer tools, observability, payments, messaging, AI,
cloud, ...). Shapes come from the vendors' documentation of their token formats; where a vendor
documents no prefix, the value is only recognised next to a name that mentions the vendor.
"""

from __future__ import annotations

from mamori.gate.secrets.detectors._table import keyed, token
from mamori.gate.secrets.model import Category
from mamori.model.finding import Severity

_CI = Category.VCS
_CL = Category.CLOUD
_PAY = Category.PAYMENT
_CHAT = Category.CHAT
_AI = Category.AI
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_S_UUID = "{h8}-{h4}-{h4}-{h4}-{h12}"

# -- password managers, secrets managers ---------------------------------------------------------
token(
    "1password-secret-key",
    "1Password account Secret Key",
    "https://support.1password.com/secret-key/",
    r"A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}",
    ("a3-",),
    "A3-{u6}-{u11}-{u5}-{u5}-{u5}",
    severity=Severity.CRITICAL,
    min_entropy=3.5,
)
token(
    "1password-service-account-token",
    "1Password service account token",
    "https://developer.1password.com/docs/service-accounts/",
    r"ops_eyJ[A-Za-z0-9+/]{250,}={0,3}",
    ("ops_eyj",),
    "ops_eyJ{b260}",
    severity=Severity.CRITICAL,
)
token(
    "doppler-api-token",
    "Doppler personal, CLI, SCIM or audit token",
    "https://docs.doppler.com/reference/auth-token-formats",
    r"dp\.(?:pt|ct|scim|audit)\.[A-Za-z0-9]{40,44}",
    ("dp.pt.", "dp.ct.", "dp.scim.", "dp.audit."),
    "dp.pt.{a43}",
    supersedes=("doppler-token",),
)
keyed(
    "vault-legacy-token",
    "HashiCorp Vault token (legacy s. format)",
    "https://developer.hashicorp.com/vault/docs/concepts/tokens#token-prefixes",
    r"vault|token",
    r"s\.[A-Za-z0-9]{24}",
    ("token",),
    "s.{d1}{a23}",
    name="vault_token",
    case_sensitive=True,
    min_entropy=3.5,
    category=_CL,
)

# -- source hosting, CI, package registries ---------------------------------------------------------
_GL = "https://docs.gitlab.com/security/tokens/#token-prefixes"
for _id, _title, _pfx, _body, _sample in (
    ("gitlab-cicd-job-token", "GitLab CI/CD job token", "glcbt-", r"[0-9a-zA-Z]{1,5}_[0-9a-zA-Z_\-]{20,}", "{a2}_{a20}"),
    ("gitlab-deploy-token", "GitLab deploy token", "gldt-", r"[0-9a-zA-Z_\-]{20,}", "{a20}"),
    ("gitlab-feature-flag-client-token", "GitLab feature flags client token", "glffct-", r"[0-9a-zA-Z_\-]{20,}", "{a20}"),
    ("gitlab-feed-token", "GitLab feed token", "glft-", r"[0-9a-zA-Z_\-]{20,}", "{a20}"),
    ("gitlab-incoming-mail-token", "GitLab incoming mail token", "glimt-", r"[0-9a-zA-Z_\-]{25,}", "{a25}"),
    ("gitlab-kubernetes-agent-token", "GitLab agent for Kubernetes token", "glagent-", r"[0-9a-zA-Z_\-]{50,}", "{a50}"),
    ("gitlab-oauth-app-secret", "GitLab OAuth application secret", "gloas-", r"[0-9a-zA-Z_\-]{64}", "{a64}"),
    ("gitlab-ptt", "GitLab pipeline trigger token", "glptt-", r"[0-9a-f]{40}", "{h40}"),
    ("gitlab-scim-token", "GitLab SCIM OAuth token", "glsoat-", r"[0-9a-zA-Z_\-]{20,}", "{a20}"),
    ("gitlab-runner-registration-token", "GitLab runner registration token", "GR1348941", r"[0-9a-zA-Z_\-]{20,}", "{a20}"),
    ("gitlab-session-cookie", "GitLab session cookie", "_gitlab_session=", r"[0-9a-z]{32}", "{l32}"),
):
    token(
        _id,
        _title,
        _GL,
        rf"{_pfx}{_body}(?:\.[0-9a-z]{{2}}[0-9a-z]{{7}})?" if _pfx != "_gitlab_session=" else rf"{_pfx}{_body}",
        (_pfx.lower(),),
        _pfx + _sample,
        category=_CI,
        severity=Severity.CRITICAL if _id in ("gitlab-deploy-token", "gitlab-oauth-app-secret") else Severity.HIGH,
        raw=False,
    )
token(
    "bitbucket-app-password",
    "Bitbucket app password or API token",
    "https://support.atlassian.com/bitbucket-cloud/docs/app-passwords/",
    r"ATBB[A-Za-z0-9_=.\-]{28,40}",
    ("atbb",),
    "ATBB{a32}",
    category=_CI,
)
keyed(
    "bitbucket-client-id",
    "Bitbucket OAuth consumer key",
    "https://developer.atlassian.com/cloud/bitbucket/oauth-2/",
    "bitbucket",
    r"[a-z0-9]{32}",
    ("bitbucket",),
    "{a32}",
    category=_CI,
)
keyed(
    "bitbucket-client-secret",
    "Bitbucket OAuth consumer secret",
    "https://developer.atlassian.com/cloud/bitbucket/oauth-2/",
    "bitbucket",
    r"[a-z0-9=_\-]{64}",
    ("bitbucket",),
    "{a64}",
    category=_CI,
)
token(
    "artifactory-api-key",
    "JFrog Artifactory API key",
    "https://jfrog.com/help/r/jfrog-platform-administration-documentation/api-key",
    r"AKCp[A-Za-z0-9]{69}",
    ("akcp",),
    "AKCp{a69}",
    category=_CI,
    min_entropy=4.0,
)
token(
    "artifactory-reference-token",
    "JFrog Artifactory reference token",
    "https://jfrog.com/help/r/jfrog-platform-administration-documentation/access-tokens",
    r"cmVmd[A-Za-z0-9]{59}",
    ("cmvmd",),
    "cmVmd{a59}",
    category=_CI,
    min_entropy=4.0,
)
keyed(
    "jfrog-api-key",
    "JFrog API key (next to a JFrog name)",
    "https://jfrog.com/help/r/jfrog-rest-apis/introduction-to-the-jfrog-platform-rest-apis",
    r"jfrog|artifactory|bintray|xray",
    r"[a-z0-9]{73}",
    ("jfrog", "artifactory", "bintray", "xray"),
    "{a73}",
    category=_CI,
)
keyed(
    "jfrog-identity-token",
    "JFrog identity token (next to a JFrog name)",
    "https://jfrog.com/help/r/jfrog-platform-administration-documentation/access-tokens",
    r"jfrog|artifactory|bintray|xray",
    r"[a-z0-9]{64}",
    ("jfrog", "artifactory", "bintray", "xray"),
    "{a64}",
    category=_CI,
)
token(
    "clojars-api-token",
    "Clojars deploy token",
    "https://github.com/clojars/clojars-web/wiki/Deploy-Tokens",
    r"(?i:CLOJARS_)[a-z0-9]{60}",
    ("clojars_",),
    "CLOJARS_{l60}",
    category=_CI,
)
token(
    "rubygems-api-token",
    "RubyGems API key",
    "https://guides.rubygems.org/api-key-scopes/",
    r"rubygems_[a-f0-9]{48}",
    ("rubygems_",),
    "rubygems_{h48}",
    category=_CI,
    severity=Severity.CRITICAL,
)
token(
    "nuget-api-key",
    "NuGet.org API key",
    "https://learn.microsoft.com/en-us/nuget/nuget-org/scoped-api-keys",
    r"oy2[a-z0-9]{43}",
    ("oy2",),
    "oy2{l43}",
    category=_CI,
    min_entropy=3.5,
)
token(
    "nuget-config-password",
    "Password in a NuGet.config packageSourceCredentials entry",
    "https://learn.microsoft.com/en-us/nuget/reference/nuget-config-file#packagesourcecredentials",
    r"(?i)<add\s+key=\"(?:ClearText)?Password\"\s+value=\"(?P<secret>[^\"]{8,})\"\s*/>",
    ("<add key=",),
    "{a20}",
    context='    <add key="ClearTextPassword" value="{s}" />',
    raw=True,
    path=r"(?i)(?:^|/)nuget\.config$",
    category=_CI,
)
token(
    "readme-api-token",
    "ReadMe API key",
    "https://docs.readme.com/main/reference/intro/authentication",
    r"rdme_[a-z0-9]{70}",
    ("rdme_",),
    "rdme_{l70}",
    category=_CI,
)
token(
    "prefect-api-token",
    "Prefect Cloud API key",
    "https://docs.prefect.io/v3/manage/cloud/manage-users/api-keys",
    r"pnu_[a-zA-Z0-9]{36}",
    ("pnu_",),
    "pnu_{a36}",
    category=_CI,
)
token(
    "scalingo-api-token",
    "Scalingo API token",
    "https://doc.scalingo.com/platform/cli/features/api-token",
    r"tk-us-[\w\-]{48}",
    ("tk-us-",),
    "tk-us-{w48}",
    category=_CL,
)
keyed(
    "codecov-access-token",
    "Codecov access token",
    "https://docs.codecov.com/reference/overview",
    "codecov",
    r"[a-z0-9]{32}",
    ("codecov",),
    "{a32}",
    category=_CI,
)
keyed(
    "droneci-access-token",
    "Drone CI access token",
    "https://docs.drone.io/cli/setup/",
    r"drone[_\-.]?ci|drone",
    r"[a-z0-9]{32}",
    ("drone",),
    "{a32}",
    name="droneci",
    category=_CI,
)
keyed(
    "travisci-access-token",
    "Travis CI access token",
    "https://docs.travis-ci.com/api/#authentication",
    r"travis",
    r"[a-z0-9]{22}",
    ("travis",),
    "{a22}",
    category=_CI,
)
keyed(
    "sonar-api-token",
    "SonarQube / SonarCloud token",
    "https://docs.sonarsource.com/sonarqube-server/latest/user-guide/managing-tokens/",
    r"sonar[_.\-]?(?:login|token)",
    r"(?:squ_|sqp_|sqa_)?[a-z0-9=_\-]{40}",
    ("sonar",),
    "squ_{h40}",
    name="sonar_token",
    category=_CI,
)
keyed(
    "snyk-api-token",
    "Snyk API token",
    "https://docs.snyk.io/snyk-api/authentication-for-api",
    r"snyk[_.\-]?(?:(?:api|oauth)[_.\-]?)?(?:key|token)",
    _UUID,
    ("snyk",),
    _S_UUID,
    name="snyk_token",
    category=_CI,
)
token(
    "sourcegraph-access-token",
    "Sourcegraph access token",
    "https://sourcegraph.com/docs/cli/how-tos/creating_an_access_token",
    r"sgp_(?:[a-fA-F0-9]{16}|local)_[a-fA-F0-9]{40}|sgp_[a-fA-F0-9]{40}",
    ("sgp_",),
    "sgp_{h16}_{h40}",
    category=_CI,
    min_entropy=3.0,
)
token(
    "harness-api-key",
    "Harness personal or service account token",
    "https://developer.harness.io/docs/platform/automation/api/add-and-manage-api-keys/",
    r"(?:pat|sat)\.[a-zA-Z0-9_\-]{22}\.[a-zA-Z0-9]{24}\.[a-zA-Z0-9]{20}",
    ("pat.", "sat."),
    "pat.{w22}.{a24}.{a20}",
    category=_CI,
)
token(
    "octopus-deploy-api-key",
    "Octopus Deploy API key",
    "https://octopus.com/docs/octopus-rest-api/how-to-create-an-api-key",
    r"API-[A-Z0-9]{26,32}",
    ("api-",),
    "API-{u26}",
    category=_CI,
    min_entropy=3.0,
)
token(
    "settlemint-application-access-token",
    "SettleMint application access token",
    "https://console.settlemint.com/documentation/platform-components/security-and-authentication/application-access-tokens",
    r"sm_aat_[a-zA-Z0-9]{16}",
    ("sm_aat_",),
    "sm_aat_{a16}",
    category=_CI,
)
token(
    "settlemint-personal-access-token",
    "SettleMint personal access token",
    "https://console.settlemint.com/documentation/platform-components/security-and-authentication/personal-access-tokens",
    r"sm_pat_[a-zA-Z0-9]{16}",
    ("sm_pat_",),
    "sm_pat_{a16}",
    category=_CI,
)
token(
    "settlemint-service-access-token",
    "SettleMint service access token",
    "https://console.settlemint.com/documentation/platform-components/security-and-authentication/personal-access-tokens",
    r"sm_sat_[a-zA-Z0-9]{16}",
    ("sm_sat_",),
    "sm_sat_{a16}",
    category=_CI,
)
keyed(
    "sidekiq-secret",
    "Sidekiq Pro / Enterprise gem server credentials",
    "https://github.com/sidekiq/sidekiq/wiki/Sidekiq-Pro-and-Enterprise",
    r"BUNDLE_ENTERPRISE__CONTRIBSYS__COM|BUNDLE_GEMS__CONTRIBSYS__COM",
    r"[a-f0-9]{8}:[a-f0-9]{8}",
    ("bundle_enterprise__contribsys__com", "bundle_gems__contribsys__com"),
    "{h8}:{h8}",
    name="BUNDLE_GEMS__CONTRIBSYS__COM",
    category=_CI,
)
token(
    "sidekiq-sensitive-url",
    "Sidekiq Pro / Enterprise gem server URL with credentials",
    "https://github.com/sidekiq/sidekiq/wiki/Sidekiq-Pro-and-Enterprise",
    r"(?i)\bhttps?://(?P<secret>[a-f0-9]{8}:[a-f0-9]{8})@(?:gems|enterprise)\.contribsys\.com(?=[/#?:\s\"']|$)",
    ("gems.contribsys.com", "enterprise.contribsys.com"),
    "{h8}:{h8}",
    context="source 'https://{s}@gems.contribsys.com/'",
    raw=True,
    category=_CI,
    supersedes=("basic-auth-url",),
)
token(
    "hashicorp-tf-password",
    "Password in Terraform / HCL (administrator_login_password and friends)",
    "https://developer.hashicorp.com/terraform/language/values/variables#suppressing-values-in-cli-output",
    r"(?i)(?:administrator_login_password|password)[\w.\-]{0,20}\s*=\s*\"(?P<secret>[a-z0-9=_\-!@#%*+.]{8,20})\"",
    ("password",),
    "{a16}",
    context='  administrator_login_password = "{s}"',
    raw=True,
    path=r"(?i)\.(?:tf|hcl)$",
    category=_CL,
    supersedes=("generic-password",),
    min_entropy=2.5,
)

# -- cloud and infrastructure ----------------------------------------------------------------------
token(
    "aws-bedrock-long-term-key",
    "Amazon Bedrock long-term API key",
    "https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys.html",
    r"ABSK[A-Za-z0-9+/]{109,269}={0,2}",
    ("absk",),
    "ABSK{b120}",
    category=_CL,
    severity=Severity.CRITICAL,
)
token(
    "aws-bedrock-short-term-key",
    "Amazon Bedrock short-term API key",
    "https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys.html",
    r"bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=&%]{40,2000}",
    ("bedrock-api-key-",),
    "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t{b64}",
    category=_CL,
)
keyed(
    "alibaba-secret-key",
    "Alibaba Cloud AccessKey secret",
    "https://www.alibabacloud.com/help/en/ram/user-guide/create-an-accesskey-pair",
    "alibaba",
    r"[a-z0-9]{30}",
    ("alibaba",),
    "{a30}",
    category=_CL,
    severity=Severity.CRITICAL,
)
keyed(
    "cloudflare-api-key",
    "Cloudflare API token",
    "https://developers.cloudflare.com/fundamentals/api/get-started/create-token/",
    "cloudflare",
    r"[a-z0-9_\-]{40}",
    ("cloudflare",),
    "{w40}",
    category=_CL,
)
keyed(
    "cloudflare-global-api-key",
    "Cloudflare global API key",
    "https://developers.cloudflare.com/fundamentals/api/get-started/keys/",
    "cloudflare",
    r"[a-f0-9]{37}",
    ("cloudflare",),
    "{h37}",
    category=_CL,
    severity=Severity.CRITICAL,
)
token(
    "clickhouse-cloud-api-secret-key",
    "ClickHouse Cloud API key secret",
    "https://clickhouse.com/docs/cloud/manage/openapi",
    r"4b1d[A-Za-z0-9]{38}",
    ("4b1d",),
    "4b1d{a38}",
    category=_CL,
    min_entropy=3.0,
)
token(
    "flyio-access-token",
    "Fly.io access token",
    "https://fly.io/docs/security/tokens/",
    r"fo1_[\w\-]{43}|fm1[ar]_[A-Za-z0-9+/]{100,}={0,3}|fm2_[A-Za-z0-9+/]{100,}={0,3}",
    ("fo1_", "fm1a_", "fm1r_", "fm2_"),
    "fm2_{b120}",
    category=_CL,
    min_entropy=4.0,
)
token(
    "openshift-user-token",
    "OpenShift user token",
    "https://docs.openshift.com/container-platform/latest/authentication/managing-oauth-access-tokens.html",
    r"sha256~[\w\-]{43}",
    ("sha256~",),
    "sha256~{w43}",
    category=_CL,
    min_entropy=3.5,
)
token(
    "planetscale-api-token",
    "PlanetScale service token",
    "https://planetscale.com/docs/concepts/service-tokens",
    r"pscale_tkn_[\w=.\-]{32,64}",
    ("pscale_tkn_",),
    "pscale_tkn_{w43}",
    category=Category.DATABASE,
)
token(
    "planetscale-oauth-token",
    "PlanetScale OAuth token",
    "https://planetscale.com/docs/concepts/service-tokens",
    r"pscale_oauth_[\w=.\-]{32,64}",
    ("pscale_oauth_",),
    "pscale_oauth_{w43}",
    category=Category.DATABASE,
)
token(
    "planetscale-password",
    "PlanetScale database password",
    "https://planetscale.com/docs/concepts/connection-strings",
    r"pscale_pw_[\w=.\-]{32,64}",
    ("pscale_pw_",),
    "pscale_pw_{w43}",
    category=Category.DATABASE,
    severity=Severity.CRITICAL,
)
keyed(
    "netlify-access-token",
    "Netlify personal access token",
    "https://docs.netlify.com/api/get-started/#authentication",
    "netlify",
    r"[a-z0-9=_\-]{40,46}",
    ("netlify",),
    "{w43}",
    category=_CL,
)
token(
    "netlify-pat",
    "Netlify personal access token (nfp_ format)",
    "https://docs.netlify.com/api/get-started/#authentication",
    r"nfp_[A-Za-z0-9]{36}",
    ("nfp_",),
    "nfp_{a36}",
    category=_CL,
)
token(
    "vercel-token",
    "Vercel access token (vcp_ / vci_ format)",
    "https://vercel.com/docs/rest-api#authentication",
    r"vc[pik]_[A-Za-z0-9]{56}",
    ("vcp_", "vci_", "vck_"),
    "vcp_{a56}",
    category=_CL,
)
token(
    "supabase-secret-key",
    "Supabase secret or service key (sb_secret_ format)",
    "https://supabase.com/docs/guides/api/api-keys",
    r"sb_secret_[A-Za-z0-9_\-]{31,}",
    ("sb_secret_",),
    "sb_secret_{a31}",
    category=_CL,
    severity=Severity.CRITICAL,
)
token(
    "railway-token",
    "Railway API token (next to a Railway name)",
    "https://docs.railway.com/guides/public-api#creating-a-token",
    r"(?i)railway[\w.\-]{0,20}[\"'`]?\s*(?::=|=|:)\s*[\"'`]?(?P<secret>" + _UUID + r")(?=[\"'`\s;,]|$)",
    ("railway",),
    _S_UUID,
    context="RAILWAY_TOKEN={s}",
    raw=True,
    category=_CL,
)
keyed(
    "yandex-access-token",
    "Yandex Cloud IAM token",
    "https://yandex.cloud/en/docs/iam/concepts/authorization/iam-token",
    "yandex",
    r"t1\.[A-Z0-9a-z_\-]+={0,2}\.[A-Z0-9a-z_\-]{86}={0,2}",
    ("yandex",),
    "t1.{w40}.{w86}",
    category=_CL,
    case_sensitive=True,
)
keyed(
    "yandex-api-key",
    "Yandex Cloud API key",
    "https://yandex.cloud/en/docs/iam/concepts/authorization/api-key",
    "yandex",
    r"AQVN[A-Za-z0-9_\-]{35,38}",
    ("yandex",),
    "AQVN{w36}",
    category=_CL,
    case_sensitive=True,
)
keyed(
    "yandex-aws-access-token",
    "Yandex Cloud static access key",
    "https://yandex.cloud/en/docs/iam/concepts/authorization/access-key",
    "yandex",
    r"YC[a-zA-Z0-9_\-]{38}",
    ("yandex",),
    "YC{w38}",
    category=_CL,
    case_sensitive=True,
)
token(
    "defined-networking-api-token",
    "Defined Networking (Nebula) API token",
    "https://docs.defined.net/guides/automating-host-creation/",
    r"dnkey-[A-Za-z0-9=_\-]{26}-[A-Za-z0-9=_\-]{52}",
    ("dnkey-",),
    "dnkey-{w26}-{w52}",
    category=_CL,
)
token(
    "kubernetes-secret-yaml",
    "Kubernetes Secret manifest with data",
    "https://kubernetes.io/docs/concepts/configuration/secret/",
    r"(?im)^[ \t]*kind:[ \t]*[\"']?Secret[\"']?[ \t]*\r?$(?:\r?\n(?![ \t]*kind:|---)[^\r\n]*){0,30}?"
    r"\r?\n[ \t]*(?:data|stringData):[ \t]*\r?\n(?:[ \t]*#[^\r\n]*\r?\n)*[ \t]+[\w.\-]+:[ \t]*(?:[|>][\-+]?[ \t]*\r?\n[ \t]+)?"
    r"[\"']?(?P<secret>[A-Za-z0-9+/_.\-!@#$%^&*]{10,}={0,3})[\"']?[ \t]*$",
    ("kind:",),
    "{b40}",
    context="apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: {s}",
    raw=True,
    multiline=True,
    path=r"(?i)\.(?:ya?ml|tpl)$",
    category=_CL,
)

token(
    "kubernetes-secret-yaml-data-first",
    "Kubernetes Secret manifest with data (data written before kind)",
    "https://kubernetes.io/docs/concepts/configuration/secret/",
    r"(?m)^[ \t]*(?:data|stringData):[ \t]*\r?\n(?:[ \t]*#[^\r\n]*\r?\n)*[ \t]+[\w.\-]+:[ \t]*(?:[|>][\-+]?[ \t]*\r?\n[ \t]+)?"
    r"[\"']?(?P<secret>[A-Za-z0-9+/_.\-!@#$%^&*]{10,}={0,3})[\"']?[ \t]*\r?\n(?:(?![ \t]*---)[^\r\n]*\r?\n){0,15}?"
    r"[ \t]*kind:[ \t]*[\"']?Secret[\"']?[ \t]*\r?$",
    ("data:",),
    "{b40}",
    context="apiVersion: v1\ndata:\n  token: {s}\nkind: Secret\nmetadata:\n  name: api",
    raw=True,
    multiline=True,
    path=r"(?i)\.(?:ya?ml|tpl)$",
    category=_CL,
    supersedes=("kubernetes-secret-yaml",),
)

# -- observability, monitoring ------------------------------------------------------------------
token(
    "dynatrace-api-token",
    "Dynatrace API token",
    "https://docs.dynatrace.com/docs/manage/identity-access-management/access-tokens-and-oauth-clients/access-tokens#token-format",
    r"dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}",
    ("dt0c01.",),
    "dt0c01.{u24}.{a64}",
    min_entropy=4.0,
)
token(
    "dynatrace-platform-token",
    "Dynatrace platform token",
    "https://docs.dynatrace.com/docs/manage/identity-access-management/access-tokens-and-oauth-clients/platform-tokens",
    r"dt0s16\.[A-Z0-9]{24}\.[A-Z0-9]{64}",
    ("dt0s16.",),
    "dt0s16.{u24}.{u64}",
)
token(
    "grafana-api-key",
    "Grafana API key (legacy)",
    "https://grafana.com/docs/grafana/latest/administration/service-accounts/migrate-api-keys/",
    r"eyJrIjoi[A-Za-z0-9]{70,400}={0,3}",
    ("eyjrijoi",),
    "eyJrIjoi{a80}",
    min_entropy=3.0,
    supersedes=("jwt",),
)
keyed(
    "datadog-access-token",
    "Datadog access token (next to a Datadog name)",
    "https://docs.datadoghq.com/account_management/api-app-keys/",
    "datadog",
    r"[a-z0-9]{40}",
    ("datadog",),
    "{a40}",
)
token(
    "new-relic-browser-api-token",
    "New Relic browser application token",
    "https://docs.newrelic.com/docs/apis/intro-apis/new-relic-api-keys/",
    r"NRJS-[a-f0-9]{19}",
    ("nrjs-",),
    "NRJS-{h19}",
)
token(
    "new-relic-insert-key",
    "New Relic insert key",
    "https://docs.newrelic.com/docs/apis/intro-apis/new-relic-api-keys/#insights-insert-key",
    r"NRII-[A-Za-z0-9_\-]{32}",
    ("nrii-",),
    "NRII-{w32}",
)
token(
    "new-relic-license-key",
    "New Relic ingest license key",
    "https://docs.newrelic.com/docs/apis/intro-apis/new-relic-api-keys/#license-key",
    r"[a-f0-9]{36}NRAL|eu01xx[a-f0-9]{34}",
    ("nral", "eu01xx"),
    "{h36}NRAL",
)
keyed(
    "new-relic-user-api-id",
    "New Relic account or user API id",
    "https://docs.newrelic.com/docs/apis/intro-apis/new-relic-api-keys/",
    r"new[_\-]?relic",
    r"[a-z0-9]{64}",
    ("new-relic", "newrelic", "new_relic"),
    "{a64}",
    name="newrelic",
)
keyed(
    "sentry-access-token",
    "Sentry access token (next to a Sentry name)",
    "https://docs.sentry.io/api/auth/",
    "sentry",
    r"[a-f0-9]{64}",
    ("sentry",),
    "{h64}",
)
token(
    "sumologic-access-id",
    "Sumo Logic access id",
    "https://help.sumologic.com/docs/manage/security/access-keys/",
    r"(?i)sumo[\w.\-]{0,30}[\"'`]?\s*(?::=|=|:|,|=>)\s*[\"'`]?(?P<secret>(?-i:su[A-Za-z0-9]{12}))(?=[\"'`\s;,]|\\[nrt]|$)",
    ("sumo",),
    "su{a12}",
    context='sumoAccessId = "{s}"',
    raw=True,
    min_entropy=3.0,
)
keyed(
    "sumologic-access-token",
    "Sumo Logic access key",
    "https://help.sumologic.com/docs/manage/security/access-keys/",
    "sumo",
    r"[a-z0-9]{64}",
    ("sumo",),
    "{a64}",
    min_entropy=3.0,
)
keyed(
    "launchdarkly-access-token",
    "LaunchDarkly access token",
    "https://docs.launchdarkly.com/home/account/api",
    r"launch[_\-]?darkly",
    r"[a-z0-9=_\-]{40}",
    ("launchdarkly", "launch_darkly", "launch-darkly"),
    "api-{h8}-{h4}-{h4}-{h4}-{h12}",
    name="launchdarkly",
)
keyed(
    "fastly-api-token",
    "Fastly API token",
    "https://docs.fastly.com/en/guides/using-api-tokens",
    "fastly",
    r"[a-z0-9=_\-]{32}",
    ("fastly",),
    "{w32}",
)
keyed(
    "honeycomb-api-key",
    "Honeycomb API key (next to a Honeycomb name)",
    "https://docs.honeycomb.io/configure/environments/manage-api-keys/",
    "honeycomb",
    r"hc[a-z]{2,4}_[a-z0-9]{58}|[a-z0-9]{22}|[a-f0-9]{32}",
    ("honeycomb",),
    "hcaik_{l58}",
)
token(
    "rollbar-access-token",
    "Rollbar access token (next to a Rollbar name)",
    "https://docs.rollbar.com/docs/access-tokens",
    r"(?i)rollbar[\w.\-]{0,30}[\"'`]?\s*(?::=|=|:|,|=>)\s*[\"'`]?(?P<secret>(?-i:[a-f0-9]{32}))(?=[\"'`\s;,]|\\[nrt]|$)",
    ("rollbar",),
    "{h32}",
    context="ROLLBAR_ACCESS_TOKEN={s}",
    raw=True,
)

# -- collaboration, productivity, developer SaaS ------------------------------------------------
keyed(
    "asana-client-id",
    "Asana OAuth client id",
    "https://developers.asana.com/docs/oauth",
    "asana",
    r"[0-9]{16}",
    ("asana",),
    "{d16}",
    severity=Severity.MEDIUM,
)
keyed(
    "asana-client-secret",
    "Asana OAuth client secret",
    "https://developers.asana.com/docs/oauth",
    "asana",
    r"[a-z0-9]{32}",
    ("asana",),
    "{a32}",
)
token(
    "asana-pat",
    "Asana personal access token",
    "https://developers.asana.com/docs/personal-access-token",
    r"[12]/[0-9]{10,16}(?:/[0-9]{10,16})?:[a-f0-9]{32}",
    ("asana",),
    "2/{d16}/{d16}:{h32}",
    context="ASANA_TOKEN={s}",
)
keyed(
    "atlassian-legacy-api-token",
    "Atlassian API token (legacy 24-character, next to a Jira / Confluence name)",
    "https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/",
    r"atlassian|confluence|jira",
    r"[a-z0-9]{24}",
    ("atlassian", "confluence", "jira"),
    "{a24}",
    name="jira",
    min_entropy=3.5,
)
keyed(
    "airtable-api-key",
    "Airtable API key (legacy)",
    "https://support.airtable.com/docs/airtable-api-key-deprecation-notice",
    "airtable",
    r"[a-z0-9]{17}",
    ("airtable",),
    "key{a14}",
)
token(
    "airtable-personnal-access-token",
    "Airtable personal access token",
    "https://airtable.com/developers/web/guides/personal-access-tokens",
    r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}",
    ("airtable",),
    "pat{a14}.{h64}",
    context="AIRTABLE_TOKEN={s}",
)
keyed(
    "algolia-api-key",
    "Algolia API key",
    "https://www.algolia.com/doc/guides/security/api-keys/",
    "algolia",
    r"[a-z0-9]{32}",
    ("algolia",),
    "{h32}",
)
token(
    "authress-service-client-access-key",
    "Authress service client access key",
    "https://authress.io/knowledge-base/docs/authorization/service-clients/secrets-scanning",
    r"(?:sc|ext|scauth|authress)_[A-Za-z0-9]{5,30}\.[A-Za-z0-9]{4,6}\.acc[_\-][A-Za-z0-9\-]{10,32}\.[A-Za-z0-9+/_=\-]{30,120}",
    (".acc_", ".acc-"),
    "sc_{a10}.{a5}.acc_{a24}.{b64}",
)
keyed(
    "beamer-api-token",
    "Beamer API key",
    "https://www.getbeamer.com/api",
    "beamer",
    r"b_[a-z0-9=_\-]{44}",
    ("beamer",),
    "b_{w44}",
)
keyed(
    "contentful-delivery-api-token",
    "Contentful Content Delivery API token",
    "https://www.contentful.com/developers/docs/references/authentication/",
    "contentful",
    r"[a-z0-9=_\-]{43}",
    ("contentful",),
    "{w43}",
)
token(
    "contentful-pat",
    "Contentful personal access token",
    "https://www.contentful.com/developers/docs/references/authentication/#the-content-management-api",
    r"CFPAT-[A-Za-z0-9_\-]{43}",
    ("cfpat-",),
    "CFPAT-{w43}",
)
keyed(
    "dropbox-api-token",
    "Dropbox app key or secret",
    "https://developers.dropbox.com/oauth-guide",
    "dropbox",
    r"[a-z0-9]{15}",
    ("dropbox",),
    "{l15}",
)
keyed(
    "dropbox-long-lived-api-token",
    "Dropbox long-lived access token",
    "https://developers.dropbox.com/oauth-guide",
    "dropbox",
    r"[a-z0-9]{11}AAAAAAAAAA[a-z0-9_=\-]{43}",
    ("dropbox",),
    "{a11}AAAAAAAAAA{w43}",
)
token(
    "dropbox-short-lived-api-token",
    "Dropbox short-lived access token",
    "https://developers.dropbox.com/oauth-guide",
    r"sl\.(?:u\.)?[A-Za-z0-9_=\-]{130,1200}",
    ("dropbox",),
    "sl.{w140}",
    context="DROPBOX_TOKEN={s}",
)
keyed(
    "etsy-access-token",
    "Etsy API key",
    "https://developers.etsy.com/documentation/essentials/authentication",
    "etsy",
    r"[a-z0-9]{24}",
    ("etsy",),
    "{l24}",
    min_entropy=3.0,
)
token(
    "frameio-api-token",
    "Frame.io developer token",
    "https://developer.frame.io/docs/getting-started/authentication",
    r"fio-u-[A-Za-z0-9_=\-]{64}",
    ("fio-u-",),
    "fio-u-{w64}",
)
keyed(
    "freshbooks-access-token",
    "FreshBooks access token",
    "https://www.freshbooks.com/api/authentication",
    "freshbooks",
    r"[a-z0-9]{64}",
    ("freshbooks",),
    "{a64}",
)
keyed(
    "gitter-access-token",
    "Gitter access token",
    "https://developer.gitter.im/docs/authentication",
    "gitter",
    r"[a-z0-9_\-]{40}",
    ("gitter",),
    "{w40}",
)
keyed(
    "hubspot-api-key",
    "HubSpot API key (legacy)",
    "https://developers.hubspot.com/docs/api/migrate-an-api-key-integration-to-a-private-app",
    "hubspot",
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    ("hubspot",),
    _S_UUID,
)
token(
    "hubspot-private-app-token",
    "HubSpot private app access token",
    "https://developers.hubspot.com/docs/api/private-apps",
    r"pat-(?:na|eu)[0-9]-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    ("pat-na", "pat-eu"),
    "pat-na1-" + _S_UUID,
)
keyed(
    "intercom-api-key",
    "Intercom access token",
    "https://developers.intercom.com/docs/build-an-integration/learn-more/authentication",
    "intercom",
    r"[a-z0-9=_\-]{60}",
    ("intercom",),
    "{w60}",
)
token(
    "intra42-client-secret",
    "42 Intra API client secret",
    "https://api.intra.42.fr/apidoc/guides/getting_started",
    r"s-s4t2(?:ud|af)-[a-f0-9]{64}",
    ("s-s4t2ud-", "s-s4t2af-"),
    "s-s4t2ud-{h64}",
)
keyed(
    "linear-client-secret",
    "Linear OAuth client secret",
    "https://developers.linear.app/docs/oauth/authentication",
    "linear",
    r"[a-f0-9]{32}",
    ("linear",),
    "{h32}",
    min_entropy=3.0,
)
keyed(
    "linkedin-client-id",
    "LinkedIn client id",
    "https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow",
    r"linked[_\-]?in",
    r"[a-z0-9]{14}",
    ("linkedin", "linked_in", "linked-in"),
    "{l14}",
    name="linkedin",
    severity=Severity.MEDIUM,
    min_entropy=2.5,
)
keyed(
    "linkedin-client-secret",
    "LinkedIn client secret",
    "https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow",
    r"linked[_\-]?in",
    r"[a-z0-9]{16}",
    ("linkedin", "linked_in", "linked-in"),
    "{a16}",
    name="linkedin",
    min_entropy=2.5,
)
keyed(
    "looker-client-id",
    "Looker API client id",
    "https://cloud.google.com/looker/docs/api-auth",
    "looker",
    r"[a-z0-9]{20}",
    ("looker",),
    "{a20}",
    severity=Severity.MEDIUM,
)
keyed(
    "looker-client-secret",
    "Looker API client secret",
    "https://cloud.google.com/looker/docs/api-auth",
    "looker",
    r"[a-z0-9]{24}",
    ("looker",),
    "{a24}",
)
keyed(
    "mattermost-access-token",
    "Mattermost personal access token",
    "https://developers.mattermost.com/integrate/reference/personal-access-token/",
    "mattermost",
    r"[a-z0-9]{26}",
    ("mattermost",),
    "{l26}",
)
token(
    "maxmind-license-key",
    "MaxMind license key",
    "https://dev.maxmind.com/license-key-format",
    r"[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk",
    ("_mmk",),
    "{a6}_{a29}_mmk",
    min_entropy=4.0,
)
token(
    "notion-api-token",
    "Notion integration token",
    "https://developers.notion.com/docs/authorization",
    r"ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43}",
    ("ntn_", "secret_"),
    "ntn_{d11}{a35}",
    min_entropy=4.0,
)
keyed(
    "nytimes-access-token",
    "New York Times API key",
    "https://developer.nytimes.com/get-started",
    r"nytimes|new[_\-]?york[_\-]?times",
    r"[a-z0-9=_\-]{32}",
    ("nytimes", "new-york-times", "newyorktimes", "new_york_times"),
    "{w32}",
    name="nytimes",
)
keyed(
    "okta-access-token",
    "Okta API token",
    "https://developer.okta.com/docs/guides/create-an-api-token/",
    "okta",
    r"00[\w=\-]{40}",
    ("okta",),
    "00{w40}",
    case_sensitive=True,
    min_entropy=4.0,
)
token(
    "postman-collection-key",
    "Postman collection access key",
    "https://learning.postman.com/docs/developer/postman-api/authentication/",
    r"PMAT-[A-Z0-9]{26}",
    ("pmat-",),
    "PMAT-{u26}",
)
keyed(
    "rapidapi-access-token",
    "RapidAPI key",
    "https://docs.rapidapi.com/docs/keys-and-key-rotation",
    r"rapid[_\-]?api",
    r"[a-z0-9_\-]{50}",
    ("rapidapi", "rapid_api", "rapid-api"),
    "{w50}",
    name="rapidapi",
)
keyed(
    "sendbird-access-id",
    "Sendbird application id",
    "https://sendbird.com/docs/chat/platform-api/v3/prepare-to-use-api",
    "sendbird",
    _UUID,
    ("sendbird",),
    _S_UUID,
    severity=Severity.MEDIUM,
)
keyed(
    "sendbird-access-token",
    "Sendbird API token",
    "https://sendbird.com/docs/chat/platform-api/v3/prepare-to-use-api",
    "sendbird",
    r"[a-f0-9]{40}",
    ("sendbird",),
    "{h40}",
)
keyed(
    "squarespace-access-token",
    "Squarespace API key",
    "https://developers.squarespace.com/commerce-apis/authentication-and-permissions",
    "squarespace",
    _UUID,
    ("squarespace",),
    _S_UUID,
)
token(
    "typeform-api-token",
    "Typeform personal access token",
    "https://www.typeform.com/developers/get-started/personal-access-token/",
    r"tfp_[A-Za-z0-9_.=\-]{59}",
    ("tfp_",),
    "tfp_{a44}_{a14}",
)
keyed(
    "zendesk-secret-key",
    "Zendesk API token",
    "https://developer.zendesk.com/api-reference/introduction/security-and-auth/",
    "zendesk",
    r"[a-z0-9]{40}",
    ("zendesk",),
    "{a40}",
)
token(
    "zapier-webhook-url",
    "Zapier webhook URL",
    "https://help.zapier.com/hc/en-us/articles/8496288690317-Trigger-Zaps-from-webhooks",
    r"https://(?:www\.)?hooks\.zapier\.com/hooks/catch/[0-9]{3,10}/[a-z0-9]{5,10}/?",
    ("hooks.zapier.com",),
    "https://hooks.zapier.com/hooks/catch/{d7}/{l7}/",
)
keyed(
    "figma-pat",
    "Figma personal access token",
    "https://www.figma.com/developers/api#access-tokens",
    "figma",
    r"figd_[A-Za-z0-9_\-]{40}|[0-9]{6}-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}",
    ("figma",),
    "figd_{w40}",
)
keyed(
    "twitch-api-token",
    "Twitch client secret or token",
    "https://dev.twitch.tv/docs/authentication/",
    "twitch",
    r"[a-z0-9]{30}",
    ("twitch",),
    "{l30}",
)
keyed(
    "twitter-access-secret",
    "Twitter / X access token secret",
    "https://developer.x.com/en/docs/authentication/oauth-1-0a/obtaining-user-access-tokens",
    "twitter",
    r"[a-z0-9]{45}",
    ("twitter",),
    "{a45}",
)
keyed(
    "twitter-access-token",
    "Twitter / X access token",
    "https://developer.x.com/en/docs/authentication/oauth-1-0a/obtaining-user-access-tokens",
    "twitter",
    r"[0-9]{15,25}-[a-z0-9]{20,40}",
    ("twitter",),
    "{d19}-{a30}",
)
keyed(
    "twitter-api-key",
    "Twitter / X API key",
    "https://developer.x.com/en/docs/authentication/oauth-1-0a/api-key-and-secret",
    "twitter",
    r"[a-z0-9]{25}",
    ("twitter",),
    "{a25}",
)
keyed(
    "twitter-api-secret",
    "Twitter / X API key secret",
    "https://developer.x.com/en/docs/authentication/oauth-1-0a/api-key-and-secret",
    "twitter",
    r"[a-z0-9]{50}",
    ("twitter",),
    "{a50}",
)
keyed(
    "twitter-bearer-token",
    "Twitter / X app bearer token",
    "https://developer.x.com/en/docs/authentication/oauth-2-0/bearer-tokens",
    "twitter",
    r"A{22}[a-zA-Z0-9%]{80,100}",
    ("twitter",),
    "AAAAAAAAAAAAAAAAAAAAAA{a90}",
    case_sensitive=True,
    supersedes=("bearer-token",),
)
keyed(
    "facebook-secret",
    "Facebook / Meta app secret",
    "https://developers.facebook.com/docs/facebook-login/guides/access-tokens/#apptokens",
    "facebook",
    r"[a-f0-9]{32}",
    ("facebook",),
    "{h32}",
    min_entropy=3.0,
)
token(
    "facebook-app-access-token",
    "Facebook / Meta app access token (app id|app secret)",
    "https://developers.facebook.com/docs/facebook-login/guides/access-tokens/#apptokens",
    r"[0-9]{15,16}(?:\||%7[Cc])[0-9A-Za-z_\-]{27,40}",
    ("facebook",),
    "{d15}|{w27}",
    context='FACEBOOK_APP_TOKEN = "{s}"',
    min_entropy=3.0,
)
keyed(
    "flickr-access-token",
    "Flickr API key",
    "https://www.flickr.com/services/api/misc.api_keys.html",
    "flickr",
    r"[a-z0-9]{32}",
    ("flickr",),
    "{h32}",
)
keyed(
    "mapbox-api-token",
    "Mapbox access token (public pk.)",
    "https://docs.mapbox.com/accounts/guides/tokens/",
    "mapbox",
    r"pk\.[a-z0-9]{60}\.[a-z0-9]{22}",
    ("mapbox",),
    "pk.{a60}.{a22}",
    severity=Severity.MEDIUM,
    supersedes=("jwt",),
)
token(
    "mailgun-pub-key",
    "Mailgun public validation key",
    "https://documentation.mailgun.com/docs/mailgun/api-reference/authentication",
    r"pubkey-[a-f0-9]{32}",
    ("pubkey-",),
    "pubkey-{h32}",
    severity=Severity.LOW,
)
keyed(
    "mailgun-signing-key",
    "Mailgun webhook signing key",
    "https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/#securing-webhooks",
    "mailgun",
    r"[a-h0-9]{32}-[a-h0-9]{8}-[a-h0-9]{8}",
    ("mailgun",),
    "{h32}-{h8}-{h8}",
)
token(
    "sendinblue-api-token",
    "Brevo (Sendinblue) API key",
    "https://developers.brevo.com/docs/getting-started",
    r"xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}",
    ("xkeysib-",),
    "xkeysib-{h64}-{a16}",
)
token(
    "brevo-smtp-key",
    "Brevo (Sendinblue) SMTP key",
    "https://help.brevo.com/hc/en-us/articles/7959631848850",
    r"xsmtpsib-[a-f0-9]{64}-[A-Za-z0-9]{16}",
    ("xsmtpsib-",),
    "xsmtpsib-{h64}-{a16}",
)
keyed(
    "messagebird-api-token",
    "MessageBird API key",
    "https://developers.messagebird.com/api/#authentication",
    r"message[_\-]?bird",
    r"[a-z0-9]{25}",
    ("messagebird", "message-bird", "message_bird"),
    "{a25}",
    name="messagebird",
)
keyed(
    "messagebird-client-id",
    "MessageBird client id",
    "https://developers.messagebird.com/api/#authentication",
    r"message[_\-]?bird",
    _UUID,
    ("messagebird", "message-bird", "message_bird"),
    _S_UUID,
    name="messagebird",
    severity=Severity.MEDIUM,
)
token(
    "microsoft-teams-webhook",
    "Microsoft Teams incoming webhook",
    "https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook",
    r"https://[a-z0-9\-]+\.webhook\.office\.com/webhookb2/[a-z0-9\-]{36}@[a-z0-9\-]{36}/IncomingWebhook/[a-z0-9]{32}/[a-z0-9\-]{36}(?:/[A-Za-z0-9_\-]{20,})?",
    ("webhook.office.com", "webhookb2", "incomingwebhook"),
    "https://acme.webhook.office.com/webhookb2/"
    + _S_UUID
    + "@"
    + _S_UUID
    + "/IncomingWebhook/{h32}/"
    + _S_UUID,
    category=_CHAT,
)
token(
    "microsoft-teams-workflow-webhook",
    "Microsoft Teams / Power Automate workflow webhook",
    "https://learn.microsoft.com/en-us/power-automate/teams/overview",
    r"https://[a-z0-9\-.]+\.(?:logic\.azure\.com|environment\.api\.powerplatform\.com)(?::443)?/[^\s\"'<>]*?sig=(?P<secret>[A-Za-z0-9_\-%]{43,})",
    ("logic.azure.com", "powerplatform.com"),
    "https://prod-01.westus.logic.azure.com:443/workflows/{h32}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers&sv=1.0&sig={w43}",
    category=_CHAT,
    supersedes=("azure-sas-token",),
    raw=True,
)
keyed(
    "discord-api-token",
    "Discord application public key or token",
    "https://discord.com/developers/docs/reference#authentication",
    "discord",
    r"[a-f0-9]{64}",
    ("discord",),
    "{h64}",
    category=_CHAT,
)
keyed(
    "discord-client-id",
    "Discord client id",
    "https://discord.com/developers/docs/topics/oauth2",
    "discord",
    r"[0-9]{18}",
    ("discord",),
    "{d18}",
    category=_CHAT,
    severity=Severity.MEDIUM,
    min_entropy=2.0,
)
keyed(
    "discord-client-secret",
    "Discord client secret",
    "https://discord.com/developers/docs/topics/oauth2",
    "discord",
    r"[a-z0-9=_\-]{32}",
    ("discord",),
    "{w32}",
    category=_CHAT,
    min_entropy=2.0,
)
keyed(
    "telegram-bot-api-token",
    "Telegram bot token (next to a Telegram name)",
    "https://core.telegram.org/bots/api#authorizing-your-bot",
    "telegr",
    r"[0-9]{5,16}:A[a-z0-9_\-]{34}",
    ("telegr",),
    "{d12}:A{w34}",
    category=_CHAT,
)
token(
    "slack-config-access-token",
    "Slack configuration access token",
    "https://api.slack.com/authentication/config-tokens",
    r"xoxe\.xox[bp]-[0-9]-[A-Za-z0-9]{163,166}",
    ("xoxe.xoxb-", "xoxe.xoxp-"),
    "xoxe.xoxp-1-{u164}",
    category=_CHAT,
    supersedes=("slack-user-token", "slack-bot-token"),
)
token(
    "slack-config-refresh-token",
    "Slack configuration refresh token",
    "https://api.slack.com/authentication/config-tokens",
    r"xoxe-[0-9]-[A-Za-z0-9]{146}",
    ("xoxe-",),
    "xoxe-1-{u146}",
    category=_CHAT,
    supersedes=("slack-user-token",),
)
token(
    "slack-legacy-bot-token",
    "Slack legacy bot token",
    "https://api.slack.com/legacy/custom-integrations/legacy-tokens",
    r"xoxb-[0-9]{8,14}-[A-Za-z0-9]{18,26}",
    ("xoxb-",),
    "xoxb-{d12}-{a24}",
    category=_CHAT,
)
token(
    "slack-legacy-token",
    "Slack legacy token (xoxo / xoxs)",
    "https://api.slack.com/legacy/custom-integrations/legacy-tokens",
    r"xox[os]-[0-9]+-[0-9]+-[0-9]+-[a-fA-F0-9]{20,}",
    ("xoxo-", "xoxs-"),
    "xoxs-{d10}-{d11}-{d12}-{h64}",
    category=_CHAT,
    supersedes=("slack-user-token",),
)
token(
    "slack-legacy-workspace-token",
    "Slack legacy workspace token (xoxa / xoxr)",
    "https://api.slack.com/authentication/token-types",
    r"xox[ar]-(?:[0-9]-)?[0-9a-zA-Z]{8,48}",
    ("xoxa-", "xoxr-"),
    "xoxa-2-{a40}",
    category=_CHAT,
    supersedes=("slack-user-token",),
)

# -- payments, finance, commerce --------------------------------------------------------------
token(
    "stripe-test-key",
    "Stripe test-mode secret or restricted key",
    "https://docs.stripe.com/keys",
    r"(?:sk|rk)_test_[A-Za-z0-9]{10,99}",
    ("sk_test_", "rk_test_"),
    "sk_test_{a30}",
    category=_PAY,
    severity=Severity.LOW,
)
token(
    "stripe-webhook-secret",
    "Stripe webhook signing secret",
    "https://docs.stripe.com/webhooks#verify-events",
    r"whsec_[A-Za-z0-9]{32,}",
    ("whsec_",),
    "whsec_{a32}",
    category=_PAY,
)
keyed(
    "bittrex-access-key",
    "Bittrex API key",
    "https://bittrex.github.io/api/v3#topic-Authentication",
    "bittrex",
    r"[a-z0-9]{32}",
    ("bittrex",),
    "{h32}",
    name="bittrex_api",
    category=_PAY,
    validator=lambda m, s: b"secret" not in m.string[max(0, m.start() - 60) : m.start("secret")].lower(),
)
keyed(
    "bittrex-secret-key",
    "Bittrex API secret",
    "https://bittrex.github.io/api/v3#topic-Authentication",
    "bittrex",
    r"[a-z0-9]{32}",
    ("bittrex",),
    "{h32}",
    name="bittrex_secret",
    category=_PAY,
    validator=lambda m, s: b"secret" in m.string[max(0, m.start() - 60) : m.start("secret")].lower(),
)
keyed(
    "coinbase-access-token",
    "Coinbase access token",
    "https://docs.cdp.coinbase.com/get-started/docs/cdp-api-keys",
    "coinbase",
    r"[a-z0-9_\-]{64}",
    ("coinbase",),
    "{w64}",
    category=_PAY,
)
keyed(
    "kraken-access-token",
    "Kraken API key or private key",
    "https://docs.kraken.com/api/docs/guides/spot-rest-auth",
    "kraken",
    r"[a-z0-9/=_+\-]{80,90}",
    ("kraken",),
    "{b86}==",
    category=_PAY,
)
keyed(
    "kucoin-access-token",
    "KuCoin API key",
    "https://www.kucoin.com/docs/basic-info/connection-method/authentication/creating-a-request",
    "kucoin",
    r"[a-f0-9]{24}",
    ("kucoin",),
    "{h24}",
    category=_PAY,
)
keyed(
    "kucoin-secret-key",
    "KuCoin API secret",
    "https://www.kucoin.com/docs/basic-info/connection-method/authentication/creating-a-request",
    "kucoin",
    _UUID,
    ("kucoin",),
    _S_UUID,
    category=_PAY,
)
token(
    "duffel-api-token",
    "Duffel access token",
    "https://duffel.com/docs/api/overview/authentication",
    r"duffel_(?:test|live)_[A-Za-z0-9_=\-]{43}",
    ("duffel_",),
    "duffel_live_{w43}",
    category=_PAY,
)
token(
    "easypost-api-token",
    "EasyPost production API key",
    "https://docs.easypost.com/docs/authentication",
    r"EZAK[A-Za-z0-9]{54}",
    ("ezak",),
    "EZAK{a54}",
    category=_PAY,
)
token(
    "easypost-test-api-token",
    "EasyPost test API key",
    "https://docs.easypost.com/docs/authentication",
    r"EZTK[A-Za-z0-9]{54}",
    ("eztk",),
    "EZTK{a54}",
    category=_PAY,
    severity=Severity.LOW,
)
keyed(
    "finicity-api-token",
    "Finicity (Mastercard Open Banking) app key",
    "https://developer.mastercard.com/open-banking-us/documentation/quick-start-guide/",
    "finicity",
    r"[a-f0-9]{32}",
    ("finicity",),
    "{h32}",
    category=_PAY,
)
keyed(
    "finicity-client-secret",
    "Finicity (Mastercard Open Banking) partner secret",
    "https://developer.mastercard.com/open-banking-us/documentation/quick-start-guide/",
    "finicity",
    r"[a-z0-9]{20}",
    ("finicity",),
    "{a20}",
    category=_PAY,
)
keyed(
    "finnhub-access-token",
    "Finnhub API key",
    "https://finnhub.io/docs/api/authentication",
    "finnhub",
    r"[a-z0-9]{20}",
    ("finnhub",),
    "{l20}",
    category=_PAY,
)
token(
    "flutterwave-public-key",
    "Flutterwave test public key",
    "https://developer.flutterwave.com/docs/authentication",
    r"FLWPUBK_TEST-[a-hA-H0-9]{32}-X",
    ("flwpubk_test",),
    "FLWPUBK_TEST-{h32}-X",
    category=_PAY,
    severity=Severity.LOW,
)
token(
    "flutterwave-secret-key",
    "Flutterwave secret key",
    "https://developer.flutterwave.com/docs/authentication",
    r"FLWSECK(?:_TEST)?-[a-hA-H0-9]{32}-X",
    ("flwseck",),
    "FLWSECK_TEST-{h32}-X",
    category=_PAY,
)
token(
    "flutterwave-encryption-key",
    "Flutterwave encryption key",
    "https://developer.flutterwave.com/docs/authentication",
    r"FLWSECK(?:_TEST)?[a-hA-H0-9]{12}",
    ("flwseck",),
    "FLWSECK_TEST{h12}",
    category=_PAY,
)
keyed(
    "gocardless-api-token",
    "GoCardless access token",
    "https://developer.gocardless.com/getting-started/api/making-your-first-request/",
    "gocardless",
    r"live_[a-z0-9_=\-]{40}",
    ("gocardless",),
    "live_{w40}",
    category=_PAY,
)
keyed(
    "lob-api-key",
    "Lob API key",
    "https://docs.lob.com/#section/Authentication",
    "lob",
    r"(?:live|test)_[a-f0-9]{35}",
    ("lob_", "lob-", "lobapi", "lobkey", "lobtoken", "lobsecret"),
    "live_{h35}",
    category=_PAY,
)
keyed(
    "lob-pub-api-key",
    "Lob publishable API key",
    "https://docs.lob.com/#section/Authentication",
    "lob",
    r"(?:live|test)_pub_[a-f0-9]{31}",
    ("lob_", "lob-", "lobapi", "lobkey", "lobtoken", "lobsecret", "lobpub"),
    "test_pub_{h31}",
    category=_PAY,
    severity=Severity.LOW,
)
keyed(
    "plaid-api-token",
    "Plaid access token",
    "https://plaid.com/docs/api/tokens/",
    "plaid",
    r"access-(?:sandbox|development|production)-" + _UUID,
    ("plaid",),
    "access-production-" + _S_UUID,
    category=_PAY,
)
keyed(
    "plaid-client-id",
    "Plaid client id",
    "https://plaid.com/docs/api/#api-access",
    "plaid",
    r"[a-z0-9]{24}",
    ("plaid",),
    "{l24}",
    category=_PAY,
    severity=Severity.MEDIUM,
    min_entropy=2.5,
)
keyed(
    "plaid-secret-key",
    "Plaid secret",
    "https://plaid.com/docs/api/#api-access",
    "plaid",
    r"[a-z0-9]{30}",
    ("plaid",),
    "{h30}",
    category=_PAY,
    min_entropy=3.0,
)
token(
    "shippo-api-token",
    "Shippo API token",
    "https://docs.goshippo.com/docs/guides_general/authentication/",
    r"shippo_(?:live|test)_[a-fA-F0-9]{40}",
    ("shippo_",),
    "shippo_live_{h40}",
    category=_PAY,
)
token(
    "freemius-secret-key",
    "Freemius secret key (PHP SDK config)",
    "https://freemius.com/help/documentation/wordpress-sdk/integrating-freemius-sdk/",
    r"(?i)[\"']secret_key[\"']\s*=>\s*[\"'](?P<secret>sk_[^\s\"']{29})[\"']",
    ("secret_key",),
    "sk_{a29}",
    context="    'secret_key' => '{s}',",
    raw=True,
    path=r"(?i)\.php$",
    category=_PAY,
)
token(
    "razorpay-key",
    "Razorpay live key id",
    "https://razorpay.com/docs/api/authentication/",
    r"rzp_live_[A-Za-z0-9]{14}",
    ("rzp_live_",),
    "rzp_live_{a14}",
    category=_PAY,
)
token(
    "paystack-secret-key",
    "Paystack live secret key",
    "https://paystack.com/docs/api/authentication/",
    r"sk_live_[a-f0-9]{40}",
    ("sk_live_",),
    "sk_live_{h40}",
    category=_PAY,
    supersedes=("stripe-secret-key",),
    severity=Severity.CRITICAL,
)

# -- AI providers -------------------------------------------------------------------------------
keyed(
    "cohere-api-token",
    "Cohere API key",
    "https://docs.cohere.com/reference/about#authentication",
    r"cohere|CO_API_KEY",
    r"[a-zA-Z0-9]{40}",
    ("cohere", "co_api_key"),
    "{a40}",
    category=_AI,
    min_entropy=4.0,
)
token(
    "perplexity-api-key",
    "Perplexity API key",
    "https://docs.perplexity.ai/guides/getting-started",
    r"pplx-[A-Za-z0-9]{48}",
    ("pplx-",),
    "pplx-{a48}",
    category=_AI,
    min_entropy=4.0,
)
token(
    "groq-api-key",
    "Groq API key",
    "https://console.groq.com/docs/quickstart",
    r"gsk_[A-Za-z0-9]{52}",
    ("gsk_",),
    "gsk_{a52}",
    category=_AI,
)
token(
    "xai-api-key",
    "xAI (Grok) API key",
    "https://docs.x.ai/docs/tutorial",
    r"xai-[A-Za-z0-9]{80}",
    ("xai-",),
    "xai-{a80}",
    category=_AI,
)
token(
    "replicate-api-token",
    "Replicate API token",
    "https://replicate.com/docs/reference/http#authentication",
    r"r8_[A-Za-z0-9]{37}",
    ("r8_",),
    "r8_{a37}",
    category=_AI,
)
token(
    "langsmith-api-key",
    "LangSmith API key",
    "https://docs.smith.langchain.com/administration/how_to_guides/organization_management/create_account_api_key",
    r"lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}",
    ("lsv2_pt_", "lsv2_sk_"),
    "lsv2_pt_{h32}_{h10}",
    category=_AI,
)
keyed(
    "privateai-api-token",
    "Private AI API key",
    "https://docs.private-ai.com/",
    r"private[_\-]?ai",
    r"[a-z0-9]{32}",
    ("privateai", "private_ai", "private-ai"),
    "{a32}",
    name="privateai",
    category=_AI,
    min_entropy=3.0,
)
token(
    "huggingface-organization-api-token",
    "Hugging Face organization API token (legacy)",
    "https://huggingface.co/docs/hub/security-tokens",
    r"api_org_[A-Za-z]{34}",
    ("api_org_",),
    "api_org_{x34}",
    category=_AI,
)

# -- infrastructure-as-code, platforms ------------------------------------------------------------
token(
    "infracost-api-token",
    "Infracost API key",
    "https://www.infracost.io/docs/features/environment_variables/",
    r"ico-[a-zA-Z0-9]{32}",
    ("ico-",),
    "ico-{a32}",
    category=_CI,
    min_entropy=3.0,
)
keyed(
    "adafruit-api-key",
    "Adafruit IO key",
    "https://io.adafruit.com/api/docs/#authentication",
    "adafruit",
    r"[a-z0-9_\-]{32}",
    ("adafruit",),
    "aio_{a28}",
)
keyed(
    "adobe-client-id",
    "Adobe Developer Console client id (API key)",
    "https://developer.adobe.com/developer-console/docs/guides/authentication/",
    "adobe",
    r"[a-f0-9]{32}",
    ("adobe",),
    "{h32}",
    severity=Severity.MEDIUM,
    min_entropy=2.5,
)
token(
    "adobe-client-secret",
    "Adobe Developer Console client secret",
    "https://developer.adobe.com/developer-console/docs/guides/authentication/",
    r"p8e-[A-Za-z0-9]{32}",
    ("p8e-",),
    "p8e-{a32}",
    min_entropy=2.5,
)
keyed(
    "cisco-meraki-api-key",
    "Cisco Meraki Dashboard API key",
    "https://developer.cisco.com/meraki/api-v1/authorization/",
    "meraki",
    r"[0-9a-f]{40}",
    ("meraki",),
    "{h40}",
    min_entropy=3.0,
)
keyed(
    "confluent-access-token",
    "Confluent Cloud API key",
    "https://docs.confluent.io/cloud/current/security/authenticate/workload-identities/service-accounts/api-keys/overview.html",
    "confluent",
    r"[a-z0-9]{16}",
    ("confluent",),
    "{u16}",
    min_entropy=2.5,
)
keyed(
    "confluent-secret-key",
    "Confluent Cloud API secret",
    "https://docs.confluent.io/cloud/current/security/authenticate/workload-identities/service-accounts/api-keys/overview.html",
    "confluent",
    r"[a-z0-9+/]{64}",
    ("confluent",),
    "{a64}",
    severity=Severity.CRITICAL,
)
keyed(
    "sourcegraph-legacy-token",
    "Sourcegraph access token (legacy 40-hex, next to a Sourcegraph name)",
    "https://sourcegraph.com/docs/cli/how-tos/creating_an_access_token",
    "sourcegraph",
    r"[a-fA-F0-9]{40}",
    ("sourcegraph",),
    "{h40}",
    category=_CI,
    min_entropy=3.0,
)
