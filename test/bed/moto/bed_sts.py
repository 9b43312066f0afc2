"""STS AssumeRoleWithWebIdentity that checks what AWS checks, and bed credentials per account.

moto hands out credentials for any web-identity token. Here the token must come from an IAM OIDC
provider registered in the role's account, carry one of its client IDs as audience, verify against
the issuer's JWKS and be unexpired (else InvalidIdentityToken), and the role's trust policy must
allow it for the token's claims (else AccessDenied, HTTP 403, in AWS's XML error shape).

AssumeRole (role chaining) stays moto's, with what AWS checks of the parameters assume-env sends:
an sts:ExternalId condition in the role's trust policy must hold for the request's ExternalId, the
session policies must be a JSON document of at most 2048 characters and at most 10 ARNs (checked on
AssumeRoleWithWebIdentity too), and TransitiveTagKeys must be keys of the request's Tags.

Bed credentials: an access key id that encodes a 12-digit account the way AWS key ids do, with a
fixed tail so the bed can tell its own keys apart. Requests signed with one act as that account.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import jwt
import moto.iam.models as iam_models
from moto.core.responses import ActionResult
from moto.iam.models import iam_backends
from moto.iam.utils import ACCOUNT_OFFSET, AWS_ROLE_ALPHABET
from moto.sts.models import STSBackend
from moto.sts.responses import TokenResponse
from werkzeug.exceptions import HTTPException

BED_KEY = re.compile(r"^(?:AKIA|ASIA)([A-Z2-7]{8})([A-Z2-7])EXPBEDX$")


def account_of_bed_key(access_key: str) -> str | None:
    match = BED_KEY.match(access_key or "")
    if not match:
        return None
    number = int.from_bytes(base64.b32decode(match.group(1)), "big") - ACCOUNT_OFFSET
    odd = AWS_ROLE_ALPHABET.index(match.group(2)) >= 16
    return f"{number * 2 + (1 if odd else 0):012d}"


# --- errors in STS's XML shape -------------------------------------------------------------------
class StsError(HTTPException):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__()
        self.code = status
        self.description = (
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{_xml(message)}</Message></Error>"
            "<RequestId>bed0-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
        )

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [("Content-Type", "text/xml")]


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def access_denied() -> StsError:
    return StsError(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")


def invalid_token(message: str) -> StsError:
    return StsError(400, "InvalidIdentityToken", message)


def idp_error(message: str) -> StsError:
    return StsError(400, "IDPCommunicationError", message)


# --- the identity provider's keys ------------------------------------------------------------------
def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - the bed's own issuer
        return json.loads(response.read().decode("utf-8"))


def issuer_keys(issuer: str) -> jwt.PyJWKSet:
    try:
        config = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        return jwt.PyJWKSet.from_dict(_get_json(config["jwks_uri"]))
    except (urllib.error.URLError, OSError, KeyError, ValueError) as error:
        raise idp_error(f"Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements ({error})")


def verify(token: str, issuer: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise invalid_token("The ID token provided is not a valid JWT.")
    keys = issuer_keys(issuer)
    key = next((k for k in keys.keys if header.get("kid") in (None, k.key_id)), None)
    if key is None:
        raise invalid_token("Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements")
    try:
        return jwt.decode(token, key=key.key, algorithms=[header.get("alg", "RS256")], options={"verify_aud": False, "require": ["exp", "iss"]}, leeway=5)
    except jwt.ExpiredSignatureError:
        claims = jwt.decode(token, options={"verify_signature": False})
        raise invalid_token(f"Token expired: current date/time {int(time.time())} must be before the expiration date/time {claims.get('exp')}")
    except jwt.ImmatureSignatureError:
        raise invalid_token("Token is not yet valid (nbf or iat is in the future).")
    except jwt.InvalidSignatureError:
        raise invalid_token("Signature verification failed: the token was not signed by the provider's keys.")
    except jwt.PyJWTError as error:
        raise invalid_token(f"The ID token provided has been rejected: {error}")


# --- trust policy evaluation -------------------------------------------------------------------------
def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _glob(pattern: str, value: str, ignore_case: bool = False) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


OPERATORS = {
    "StringEquals": (lambda e, v: e == v, False),
    "StringNotEquals": (lambda e, v: e == v, True),
    "StringEqualsIgnoreCase": (lambda e, v: e.lower() == v.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda e, v: e.lower() == v.lower(), True),
    "StringLike": (lambda e, v: _glob(e, v), False),
    "StringNotLike": (lambda e, v: _glob(e, v), True),
    "ArnEquals": (lambda e, v: _glob(e, v), False),
    "ArnLike": (lambda e, v: _glob(e, v), False),
    "ArnNotEquals": (lambda e, v: _glob(e, v), True),
    "ArnNotLike": (lambda e, v: _glob(e, v), True),
    "Bool": (lambda e, v: e.lower() == v.lower(), False),
}


def condition_holds(operator: str, key: str, expected: Any, context: dict[str, list[str]]) -> bool:
    if_exists = operator.endswith("IfExists")
    base = operator[: -len("IfExists")] if if_exists else operator
    qualifier = None
    if ":" in base:
        qualifier, base = base.split(":", 1)
    values = context.get(key.lower())
    if base == "Null":
        return (values is None) == (str(expected).lower() == "true")
    if base not in OPERATORS:
        return False  # an operator the bed does not know never grants access
    match, negated = OPERATORS[base]
    if values is None:
        return if_exists or negated or qualifier == "ForAllValues"
    patterns = [str(e) for e in _as_list(expected)]
    hits = [any(match(p, v) for p in patterns) for v in values]
    if qualifier == "ForAllValues":
        result = all(hits)
    else:
        result = any(hits)
    return not result if negated else result


def _action_matches(actions: list[Any], action: str) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), str(a).lower()) for a in actions)


def trust_allows(policy: dict[str, Any], provider_arn: str, context: dict[str, list[str]]) -> bool:
    allowed = False
    for statement in _as_list(policy.get("Statement")):
        if not isinstance(statement, dict):
            continue
        if "Action" in statement and not _action_matches(_as_list(statement["Action"]), "sts:AssumeRoleWithWebIdentity"):
            continue
        principal = statement.get("Principal")
        if principal != "*":
            federated = _as_list((principal or {}).get("Federated")) if isinstance(principal, dict) else []
            if provider_arn not in federated:
                continue
        conditions = statement.get("Condition") or {}
        holds = all(condition_holds(op, key, expected, context) for op, block in conditions.items() for key, expected in (block or {}).items())
        if not holds:
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed


def _policy(document: Any) -> dict[str, Any]:
    if isinstance(document, dict):
        return document
    text = str(document or "{}")
    try:
        return json.loads(text)
    except ValueError:
        return json.loads(urllib.parse.unquote(text))


# --- session parameters AWS checks -----------------------------------------------------------------------
def _members(query: dict[str, list[str]], prefix: str, field: str | None = None) -> list[str]:
    """`Prefix.member.N[.field]` values of a query-protocol request, in N order."""
    pattern = re.compile(rf"^{re.escape(prefix)}\.member\.(\d+){re.escape('.' + field) if field else ''}$")
    found = sorted((int(m.group(1)), values[0]) for key, values in query.items() if (m := pattern.match(key)))
    return [value for _, value in found]


def check_session_policies(self: TokenResponse) -> None:
    policy_arns = _members(self.querystring, "PolicyArns", "arn")
    if len(policy_arns) > 10:
        raise StsError(400, "ValidationError", "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10")
    for arn in policy_arns:
        if not re.fullmatch(r"arn:aws[a-z-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]+", arn):
            raise StsError(400, "InvalidParameterValue", f"Invalid ARN: {arn}")
    policy = self._get_param("Policy")
    if policy is not None:
        if len(policy) > 2048:
            raise StsError(400, "ValidationError", "1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048")
        try:
            document = json.loads(policy)
        except ValueError:
            raise StsError(400, "MalformedPolicyDocument", "The policy is not in the valid JSON format.")
        if not isinstance(document, dict) or "Statement" not in document:
            raise StsError(400, "MalformedPolicyDocument", "Syntax errors in policy.")


def external_id_allows(role_arn: str, external_id: str | None) -> bool:
    """Whether the role's trust policy lets this ExternalId in, judged on its sts:ExternalId conditions only."""
    arn = re.fullmatch(r"arn:aws[a-z-]*:iam::(\d{12}):role/.+", role_arn)
    if not arn:
        return True
    try:
        role = iam_backends[arn.group(1)]["aws"].get_role_by_arn(role_arn)
    except Exception:
        return True  # moto lets a role that does not exist be assumed; so does the bed
    statements = [s for s in _as_list(_policy(role.assume_role_policy_document).get("Statement")) if isinstance(s, dict)]

    def external_conditions(statement: dict[str, Any]) -> dict[str, dict[str, Any]]:
        conditions = statement.get("Condition") or {}
        return {op: {k: v for k, v in (block or {}).items() if k.lower() == "sts:externalid"} for op, block in conditions.items()}

    if not any(block for s in statements for block in external_conditions(s).values()):
        return True
    context = {"sts:externalid": [external_id]} if external_id else {}
    for statement in statements:
        if statement.get("Effect") != "Allow":
            continue
        if "Action" in statement and not _action_matches(_as_list(statement["Action"]), "sts:AssumeRole"):
            continue
        if all(condition_holds(op, key, expected, context) for op, block in external_conditions(statement).items() for key, expected in block.items()):
            return True
    return False


_orig_assume_role = TokenResponse.assume_role


def assume_role(self: TokenResponse) -> ActionResult:
    role_arn = self._get_param("RoleArn") or ""
    check_session_policies(self)
    tag_keys = {key.lower() for key in _members(self.querystring, "Tags", "Key")}
    for key in _members(self.querystring, "TransitiveTagKeys"):
        if key.lower() not in tag_keys:
            raise StsError(400, "InvalidParameterValue", f"The transitive tag key {key} must be one of the session tags' keys.")
    if not external_id_allows(role_arn, self._get_param("ExternalId")):
        raise StsError(403, "AccessDenied", f"User is not authorized to perform: sts:AssumeRole on resource: {role_arn}")
    return _orig_assume_role(self)


# --- the operation --------------------------------------------------------------------------------------
def assume_role_with_web_identity(self: TokenResponse) -> ActionResult:
    role_arn = self._get_param("RoleArn") or ""
    check_session_policies(self)
    session_name = self._get_param("RoleSessionName") or ""
    token = self._get_param("WebIdentityToken") or ""
    duration = self._get_int_param("DurationSeconds", 3600)
    if not re.fullmatch(r"[\w+=,.@-]{2,64}", session_name):
        raise StsError(400, "ValidationError", f"1 validation error detected: Value '{session_name}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")
    arn = re.fullmatch(r"arn:aws:iam::(\d{12}):role/(?:.*/)?[\w+=,.@-]+", role_arn)
    if not arn:
        raise StsError(400, "ValidationError", f"{role_arn} is invalid")
    account = arn.group(1)
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise invalid_token("The ID token provided is not a valid JWT.")
    issuer = str(claims.get("iss") or "")
    host = re.sub(r"^https?://", "", issuer).rstrip("/")
    iam = iam_backends[account]["aws"]
    provider_arn = f"arn:aws:iam::{account}:oidc-provider/{host}"
    provider = iam.open_id_providers.get(provider_arn)
    if provider is None:
        raise invalid_token(f"No OpenIDConnect provider found in your account for {issuer}")
    audiences = [str(a) for a in _as_list(claims.get("aud"))]
    if provider.client_id_list and not set(audiences) & set(provider.client_id_list):
        raise invalid_token("Incorrect token audience")
    claims = verify(token, issuer)
    try:
        role = iam.get_role_by_arn(role_arn)
    except Exception:
        raise access_denied()
    context: dict[str, list[str]] = {}
    for name, value in claims.items():
        if isinstance(value, (str, int, float, bool)) or isinstance(value, list):
            context[f"{host}:{name}".lower()] = [str(v) for v in _as_list(value)]
    if not trust_allows(_policy(role.assume_role_policy_document), provider_arn, context):
        raise access_denied()
    max_duration = int(getattr(role, "max_session_duration", 3600) or 3600)
    if duration > max_duration:
        raise StsError(400, "ValidationError", f"The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    assumed = self.backend.assume_role(
        region_name=self.region,
        role_session_name=session_name,
        role_arn=role_arn,
        policy=self._get_param("Policy"),
        duration=duration,
        external_id=None,
    )
    return ActionResult(
        {
            "Credentials": assumed,
            "SubjectFromWebIdentityToken": claims.get("sub"),
            "AssumedRoleUser": {"AssumedRoleId": f"{role.id}:{session_name}", "Arn": assumed.arn},
            "PackedPolicySize": 6,
            "Provider": host,
            "Audience": audiences[0] if audiences else None,
        }
    )


_orig_get_account_id_from = iam_models.get_account_id_from
_orig_get_access_key_info = STSBackend.get_access_key_info


def _get_account_id_from(access_key: str) -> str:
    return account_of_bed_key(access_key) or _orig_get_account_id_from(access_key)


def _get_access_key_info(self: STSBackend, access_key_id: str) -> dict[str, str]:
    account = account_of_bed_key(access_key_id)
    return {"Account": account} if account else _orig_get_access_key_info(self, access_key_id)


def install() -> None:
    iam_models.get_account_id_from = _get_account_id_from  # type: ignore[assignment]
    STSBackend.get_access_key_info = _get_access_key_info  # type: ignore[method-assign]
    TokenResponse.assume_role_with_web_identity = assume_role_with_web_identity  # type: ignore[method-assign]
    TokenResponse.assume_role = assume_role  # type: ignore[method-assign]
