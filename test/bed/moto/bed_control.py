"""The WSGI layer around moto: `/_bed/` control endpoints, per-action call log, injected throttling.

Every AWS request is recorded (service, action, epoch ms) so the benches can count API calls per
minute while an action waits. Requests run one at a time under the engine's lock, after the due
simulation events, so a response always shows the state at the moment it is answered.

Control endpoints (POST, JSON object in, JSON out; errors are {"error": "..."} with 4xx):
  /_bed/health                                   -> {ok, now (epoch ms), speed}
  /_bed/speed {factor?, timing?: {name: seconds}, jitter?}  AWS-like durations are divided by
                   factor, each drawn within ±jitter (a fraction, default 0) of its nominal value
  /_bed/fault/ecs {service? cluster? | imageMarker | taskDefinition, account?, region?,
                   reason?, exitCode?, stopCode?}  -> {id}; new tasks that match stop on start
  /_bed/fault/codedeploy {lifecycleEvent, deploymentId?, application?, deploymentGroup?,
                   account?, message?}           -> {id}; matching deployments fail there
  /_bed/fault/clear {id?}                        -> {cleared}; all faults without an id
  /_bed/faults                                   -> {faults: [...]}
  /_bed/throttle {action, count?, service?}      the next `count` calls answer a throttling error
  /_bed/calls {action?, service?, since? (ms), reset?} -> {counts: {action: n}, calls: [{service,
                   action, at (ms), throttled, accessKeyId?}]}
  /_bed/eks/cluster {name, endpoint, caData, account?, region?}  points a moto EKS cluster at an apiserver
  /_bed/iam {enforce?, reset?}                   -> {enforce, denied: [...]}; IAM for assumed-role
                   credentials (bed_iam), added by bed_iam.install()
  /_bed/marks {kind? ("ecs" | "codedeploy")}     -> {ecs: {deploymentId: {completed|failed: ms,
                   ...}}, codedeploy: {deploymentId: {ready|trafficShifted|succeeded|failed|stopped: ms}}}
"""

from __future__ import annotations

import io
import json
import re
import urllib.parse
from typing import Any, Callable, Iterable

from bed_engine import ENGINE, LOCK
import bed_codedeploy
import bed_ecs
import bed_eks

StartResponse = Callable[..., Any]


# --- which AWS action a request is -------------------------------------------------------------------
_rest_routes: dict[str, list[tuple[str, re.Pattern[str], str]]] = {}


def _rest_action(service: str, method: str, path: str) -> str | None:
    """Names a REST-protocol operation (EKS, ...) from its HTTP method and path, per the SDK model."""
    if service not in _rest_routes:
        routes: list[tuple[str, re.Pattern[str], str]] = []
        try:
            import botocore.session

            model = botocore.session.get_session().get_service_model(service)
            for name in model.operation_names:
                http = model.operation_model(name).http
                uri = http.get("requestUri", "/").split("?")[0]
                pattern = re.sub(r"\\\{[^}]+\\\+\\\}", ".+", re.escape(uri))
                pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
                routes.append((http.get("method", "GET"), re.compile(pattern.rstrip("/") + "/?$"), name))
            # Literal paths before templated ones, longer before shorter.
            routes.sort(key=lambda r: (r[1].pattern.count("[^/]+") + r[1].pattern.count(".+"), -len(r[1].pattern)))
        except Exception:
            pass
        _rest_routes[service] = routes
    for route_method, pattern, name in _rest_routes[service]:
        if route_method == method and pattern.match(path):
            return name
    return None


def identify(environ: dict[str, Any], body: bytes) -> tuple[str, str, str]:
    """(service, action, protocol) of an AWS request; protocol is json, query or rest."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    scope = re.search(r"Credential=[^/]+/\d+/[^/]+/([^/]+)/", auth)
    service = scope.group(1) if scope else ""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return service or target.split(".")[0], target.split(".")[-1], "json"
    content_type = environ.get("CONTENT_TYPE", "")
    params = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    if content_type.startswith("application/x-www-form-urlencoded"):
        params.update(urllib.parse.parse_qs(body.decode("utf-8", "replace")))
    if "Action" in params:
        return service or "sts", params["Action"][0], "query"
    action = _rest_action(service, environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")) if service else None
    return service, action or f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}", "rest"


def throttled(protocol: str, action: str) -> tuple[str, list[tuple[str, str]], bytes]:
    if protocol == "json":
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"})
        return "400 Bad Request", [("Content-Type", "application/x-amz-json-1.1")], body.encode()
    if protocol == "query":
        body = (
            "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
            "<RequestId>bed0-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
        )
        return "400 Bad Request", [("Content-Type", "text/xml")], body.encode()
    body = json.dumps({"message": "Rate exceeded"})
    return "429 Too Many Requests", [("Content-Type", "application/json"), ("x-amzn-ErrorType", "ThrottlingException")], body.encode()


# --- control endpoints ------------------------------------------------------------------------------------
class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _speed(body: dict[str, Any]) -> dict[str, Any]:
    if "factor" in body:
        factor = float(body["factor"])
        if factor <= 0:
            raise ControlError(400, "factor must be > 0")
        ENGINE.speed = factor
    if "jitter" in body:
        jitter = float(body["jitter"])
        if not 0 <= jitter < 1:
            raise ControlError(400, "jitter must be in [0, 1)")
        ENGINE.jitter = jitter
    for key, value in (body.get("timing") or {}).items():
        table = bed_ecs.TIMING if key in bed_ecs.TIMING else bed_codedeploy.TIMING if key in bed_codedeploy.TIMING else None
        if table is None:
            raise ControlError(400, f"unknown timing '{key}' (have: {', '.join([*bed_ecs.TIMING, *bed_codedeploy.TIMING])})")
        table[key] = float(value)
    return {"factor": ENGINE.speed, "jitter": ENGINE.jitter, "timing": {**bed_ecs.TIMING, **bed_codedeploy.TIMING}}


def _fault_ecs(body: dict[str, Any]) -> dict[str, Any]:
    if not (body.get("service") or body.get("imageMarker") or body.get("taskDefinition")):
        raise ControlError(400, "an ECS fault needs 'service', 'imageMarker' or 'taskDefinition'")
    return {"id": ENGINE.add_fault("ecs", body)}


def _fault_codedeploy(body: dict[str, Any]) -> dict[str, Any]:
    event = body.get("lifecycleEvent")
    if event not in bed_codedeploy.LIFECYCLE:
        raise ControlError(400, f"lifecycleEvent must be one of {', '.join(bed_codedeploy.LIFECYCLE)}")
    return {"id": ENGINE.add_fault("codedeploy", body)}


def _fault_clear(body: dict[str, Any]) -> dict[str, Any]:
    ids = [body["id"]] if body.get("id") else list(ENGINE.faults)
    for fault_id in ids:
        ENGINE.faults.pop(fault_id, None)
    return {"cleared": len(ids)}


def _throttle(body: dict[str, Any]) -> dict[str, Any]:
    if not body.get("action"):
        raise ControlError(400, "throttle needs 'action' (e.g. DescribeServices)")
    ENGINE.throttles.append({"action": body["action"], "service": body.get("service"), "remaining": int(body.get("count", 1))})
    return {"ok": True}


def _calls(body: dict[str, Any]) -> dict[str, Any]:
    since = body.get("since")
    calls = [
        c
        for c in ENGINE.calls
        if (not body.get("action") or c["action"] == body["action"])
        and (not body.get("service") or c["service"] == body["service"])
        and (since is None or c["at"] >= since)
    ]
    counts: dict[str, int] = {}
    for call in calls:
        counts[call["action"]] = counts.get(call["action"], 0) + 1
    if body.get("reset"):
        ENGINE.calls.clear()
    return {"counts": counts, "calls": calls}


def _marks(body: dict[str, Any]) -> dict[str, Any]:
    kind = body.get("kind")
    return {kind: ENGINE.marks.get(kind, {})} if kind else ENGINE.marks


CONTROL: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "/_bed/health": lambda body: {"ok": True, "now": int(ENGINE.now() * 1000), "speed": ENGINE.speed},
    "/_bed/speed": _speed,
    "/_bed/fault/ecs": _fault_ecs,
    "/_bed/fault/codedeploy": _fault_codedeploy,
    "/_bed/fault/clear": _fault_clear,
    "/_bed/faults": lambda body: {"faults": list(ENGINE.faults.values())},
    "/_bed/throttle": _throttle,
    "/_bed/calls": _calls,
    "/_bed/marks": _marks,
    "/_bed/eks/cluster": bed_eks.point_cluster,
}


# Checks a request passes before moto answers it: (environ, body, service, action, protocol) -> None to
# go on, or (status, headers, body) to answer instead (bed_iam's IAM enforcement).
AUTHORIZERS: list[Callable[[dict[str, Any], bytes, str, str, str], tuple[str, list[tuple[str, str]], bytes] | None]] = []


class BedApp:
    def __init__(self, moto_app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.moto_app = moto_app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        ENGINE.run_due()
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_bed/"):
            return self.control(path, body, start_response)
        with LOCK:
            ENGINE.run_due()
            service, action, protocol = identify(environ, body)
            access_key = re.search(r"Credential=([A-Z0-9]{16,128})/", environ.get("HTTP_AUTHORIZATION", ""))
            call = {"service": service, "action": action, "at": int(ENGINE.now() * 1000), "throttled": False}
            if access_key:
                call["accessKeyId"] = access_key.group(1)
            ENGINE.calls.append(call)
            for rule in ENGINE.throttles:
                if rule["remaining"] > 0 and rule["action"] == action and (not rule["service"] or rule["service"] == service):
                    rule["remaining"] -= 1
                    call["throttled"] = True
                    status, headers, payload = throttled(protocol, action)
                    start_response(status, headers + [("Content-Length", str(len(payload)))])
                    return [payload]
            ENGINE.throttles[:] = [r for r in ENGINE.throttles if r["remaining"] > 0]
            # An EKS token's presigned GetCallerIdentity: moto would neither route nor check it.
            if bed_eks.is_presigned_sts(environ):
                return list(bed_eks.presigned_response(environ, start_response))
            for authorizer in AUTHORIZERS:
                refused = authorizer(environ, body, service, action, protocol)
                if refused is not None:
                    call["denied"] = True
                    status, headers, payload = refused
                    start_response(status, headers + [("Content-Length", str(len(payload)))])
                    return [payload]
            # Materialise the response inside the lock: moto's objects must not change mid-serialisation.
            return list(self.moto_app(environ, start_response))

    def control(self, path: str, body: bytes, start_response: StartResponse) -> Iterable[bytes]:
        handler = CONTROL.get(path.rstrip("/"))
        status, result = "200 OK", {}
        try:
            if handler is None:
                raise ControlError(404, f"no bed control endpoint {path} (have: {', '.join(sorted(CONTROL))})")
            request = json.loads(body.decode("utf-8")) if body.strip() else {}
            if not isinstance(request, dict):
                raise ControlError(400, "the body must be a JSON object")
            with LOCK:
                result = handler(request)
        except ControlError as error:
            status, result = f"{error.status} Error", {"error": str(error)}
        except (ValueError, TypeError) as error:
            status, result = "400 Bad Request", {"error": str(error)}
        payload = json.dumps(result).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]
