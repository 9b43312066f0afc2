"""EKS on the bed: clusters that point at the bed's apiserver, and the STS call EKS tokens rely on.

- `/_bed/eks/cluster {name, endpoint, caData, account?, region?}` sets an existing moto EKS
  cluster's endpoint and certificate authority (base64 of the PEM, as DescribeCluster returns it),
  so DescribeCluster leads to the bed's kube-apiserver instead of moto's made-up endpoint.
- A presigned STS `GetCallerIdentity` GET (what an EKS token wraps) is answered the way STS
  answers it: the SigV4 query signature is checked over the signed headers (so the
  `x-k8s-aws-id` header the authenticator sends must be the one the token was signed with), the
  URL is accepted for 15 minutes after X-Amz-Date, and the caller's identity comes back, as JSON
  when asked with `Accept: application/json`. moto alone would not route such a request (no
  Authorization header) and checks no signature.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import urllib.parse
from typing import Any, Callable, Iterable

from bed_sts import BED_KEY, StsError, account_of_bed_key

BED_SECRET = "bed-secret-access-key"
PRESIGNED_LIFETIME = datetime.timedelta(minutes=15)
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


# --- pointing a cluster at the bed's apiserver ------------------------------------------------------------
def point_cluster(body: dict[str, Any]) -> dict[str, Any]:
    from moto.eks.models import eks_backends

    from bed_control import ControlError

    name, endpoint, ca_data = body.get("name"), body.get("endpoint"), body.get("caData")
    if not name or not endpoint or not ca_data:
        raise ControlError(400, "eks/cluster needs 'name', 'endpoint' and 'caData' (base64 of the CA's PEM)")
    account = str(body.get("account") or "123456789012")
    region = str(body.get("region") or "us-west-2")
    backend = eks_backends[account][region]
    cluster = backend.clusters.get(name)
    if cluster is None:
        raise ControlError(404, f"no EKS cluster '{name}' in {account}/{region} (create it with CreateCluster first)")
    cluster.endpoint = endpoint
    cluster.certificate_authority = {"data": ca_data}
    return {"name": name, "arn": cluster.arn, "endpoint": endpoint}


# --- presigned GetCallerIdentity ----------------------------------------------------------------------------
def is_presigned_sts(environ: dict[str, Any]) -> bool:
    if environ.get("HTTP_AUTHORIZATION") or environ.get("REQUEST_METHOD") != "GET":
        return False
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    credential = (query.get("X-Amz-Credential") or [""])[0]
    return "X-Amz-Signature" in query and "/sts/" in credential


def _secret_and_identity(access_key: str, session_token: str | None) -> tuple[str, tuple[str, str, str]]:
    """The secret that signs for `access_key`, and (user id, arn, account) of its owner."""
    from moto.sts.models import sts_backends

    account = account_of_bed_key(access_key)
    if account and BED_KEY.match(access_key):
        if session_token:
            raise StsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
        backend = sts_backends[account]["aws"]
        return BED_SECRET, backend.get_caller_identity(access_key, "us-east-1")
    for per_account in sts_backends.values():
        for backend in per_account.values():
            role = backend.get_assumed_role_from_access_key(access_key)
            if role is None:
                continue
            if session_token != role.session_token:
                raise StsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
            if datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) > role.expiration.replace(tzinfo=None):
                raise StsError(403, "ExpiredToken", "The security token included in the request is expired")
            return role.secret_access_key, (role.user_id, role.arn, role.account_id)
    raise StsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")


def _quote(text: str) -> str:
    return urllib.parse.quote(text, safe="-_.~")


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def check_presigned(environ: dict[str, Any]) -> tuple[str, str, str]:
    """Verifies a presigned GetCallerIdentity like STS; returns (user id, arn, account)."""
    pairs = urllib.parse.parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    params = dict(pairs)
    if params.get("Action") != "GetCallerIdentity":
        raise StsError(400, "InvalidAction", f"Could not find operation {params.get('Action')} for presigned GET")
    if params.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256":
        raise StsError(400, "IncompleteSignature", "Unsupported X-Amz-Algorithm")
    try:
        access_key, date, region, service, terminator = params["X-Amz-Credential"].split("/")
        signed_at = datetime.datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
        signed_headers = params["X-Amz-SignedHeaders"].split(";")
        signature = params["X-Amz-Signature"]
        int(params.get("X-Amz-Expires", "0"))
    except (KeyError, ValueError):
        raise StsError(400, "IncompleteSignature", "The presigned URL lacks or garbles X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders or X-Amz-Signature")
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    if now > signed_at + PRESIGNED_LIFETIME:
        raise StsError(403, "AccessDenied", f"Request has expired (signed at {params['X-Amz-Date']}, valid for 15 minutes)")
    if signed_at - now > datetime.timedelta(minutes=5):
        raise StsError(403, "SignatureDoesNotMatch", "Signature not yet current")
    secret, identity = _secret_and_identity(access_key, params.get("X-Amz-Security-Token"))

    headers: list[str] = []
    for name in signed_headers:
        key = "HTTP_" + name.upper().replace("-", "_")
        value = environ.get("HTTP_HOST") if name == "host" else environ.get(key)
        if value is None:
            raise StsError(403, "SignatureDoesNotMatch", f"The request lacks the signed header {name}")
        headers.append(f"{name}:{' '.join(value.strip().split())}\n")
    query = "&".join(
        f"{_quote(k)}={_quote(v)}" for k, v in sorted((k, v) for k, v in pairs if k != "X-Amz-Signature")
    )
    canonical = "\n".join(["GET", environ.get("PATH_INFO") or "/", query, "".join(headers), ";".join(signed_headers), EMPTY_SHA256])
    scope = f"{date}/{region}/{service}/{terminator}"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", params["X-Amz-Date"], scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(("AWS4" + secret).encode(), date), region), service), "aws4_request")
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise StsError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
    return identity


def presigned_response(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    try:
        user_id, arn, account = check_presigned(environ)
    except StsError as error:
        payload = error.description.encode()
        start_response(f"{error.code} Error", [("Content-Type", "text/xml"), ("Content-Length", str(len(payload)))])
        return [payload]
    request_id = "bed0-eks0-0000-0000-000000000000"
    if "application/json" in environ.get("HTTP_ACCEPT", ""):
        payload = json.dumps(
            {
                "GetCallerIdentityResponse": {
                    "GetCallerIdentityResult": {"Account": account, "Arn": arn, "UserId": user_id},
                    "ResponseMetadata": {"RequestId": request_id},
                }
            }
        ).encode()
        content_type = "application/json"
    else:
        payload = (
            '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
            f"<Arn>{arn}</Arn><UserId>{user_id}</UserId><Account>{account}</Account>"
            f"</GetCallerIdentityResult><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
            "</GetCallerIdentityResponse>"
        ).encode()
        content_type = "text/xml"
    start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(payload)))])
    return [payload]


def ca_data_of(pem: str) -> str:
    return base64.b64encode(pem.encode()).decode()
