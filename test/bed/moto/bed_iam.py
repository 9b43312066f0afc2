"""IAM on the bed: requests signed with an assumed role's credentials are allowed only as the role's
permission policies allow them, on the resource AWS authorizes them against.

moto can enforce IAM (INITIAL_NO_AUTH_ACTION_COUNT), but for every request at once: the bed's own
keys (setup, inspection) would be refused too, it checks every normal action against resource "*"
(so a statement naming a resource ARN never matches), it turns an Allow statement whose condition
does not hold into a Deny, and it never checks iam:PassRole. So the bed does its own check, in front
of moto, switched on per bed with `/_bed/iam {enforce: true}`:

- only credentials from AssumeRole/AssumeRoleWithWebIdentity are checked (the session token must be
  the session's); the bed's keys (bed_sts) and anything else stay unrestricted, so a test's setup
  and its inspection work with enforcement on;
- the session's role's inline and attached policies (and the session policy, when the session has
  one) are evaluated as IAM does for one account: an explicit Deny wins, else an Allow whose Action,
  Resource and Condition all match, else denied. Operators: String*, Arn*, Bool, Null, with
  IfExists and ForAnyValue/ForAllValues. Resource-based policies and permission boundaries are not
  evaluated; cross-account calls are judged by the identity policy alone;
- the resource is the one the Service Authorization Reference gives for the action (RESOURCES
  below); an action the table does not list is authorized against "*", as are the actions the
  reference gives no resource type (the policy must then say "*" for them);
- iam:PassRole is checked for the roles RegisterTaskDefinition (taskRoleArn, executionRoleArn) and
  RunTask's overrides pass, with iam:PassedToService ecs-tasks.amazonaws.com;
- sts:AssumeRole also needs the target role's trust policy to let the caller's role (or its account)
  in, and sts:TagSession is checked as well when the request carries session tags.

A denied request is answered in the service's own error shape (AccessDeniedException for JSON
services, 403 for REST ones, AccessDenied XML for query ones) with AWS's message, `User: <session
ARN> is not authorized to perform: <action> on resource: <ARN> because no identity-based policy
allows the <action> action`, and recorded: `/_bed/iam` answers {enforce, denied: [{action,
resource, principal, at}]} (with {reset: true} the record starts over).
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse
from typing import Any, Callable

from bed_sts import _as_list, _glob, _policy, condition_holds

STATE: dict[str, Any] = {"enforce": False, "denied": []}

# Signing names whose IAM prefix differs.
IAM_PREFIX = {"monitoring": "cloudwatch"}


# --- which resource an action is authorized against -------------------------------------------------
class Request:
    """What a resource rule needs: the request's parameters, account and region, and moto's state."""

    def __init__(self, params: dict[str, Any], account: str, region: str) -> None:
        self.params = params
        self.account = account
        self.region = region

    def get(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)


def _last(arn_or_name: str) -> str:
    return str(arn_or_name).split("/")[-1]


def _ecs_cluster(r: Request) -> str:
    return _last(r.get("cluster") or "default")


def _ecs_cluster_arn(r: Request) -> str:
    return f"arn:aws:ecs:{r.region}:{r.account}:cluster/{_ecs_cluster(r)}"


def _ecs_service(r: Request, service: str) -> str:
    return f"arn:aws:ecs:{r.region}:{r.account}:service/{_ecs_cluster(r)}/{_last(service)}"


def _ecs_task(r: Request, task: str) -> str:
    return f"arn:aws:ecs:{r.region}:{r.account}:task/{_ecs_cluster(r)}/{_last(task)}"


def _ecs_task_definitions(r: Request) -> dict[int, Any]:
    from moto.ecs.models import ecs_backends

    return ecs_backends[r.account][r.region].task_definitions.get(str(r.get("family") or ""), {})


def _ecs_task_definition(r: Request, reference: str) -> str:
    """family, family:revision or an ARN -> the task definition's ARN (a bare family: its latest revision)."""
    name = _last(reference)
    if ":" not in name:
        from moto.ecs.models import ecs_backends

        revisions = ecs_backends[r.account][r.region].task_definitions.get(name, {})
        name = f"{name}:{max(revisions) if revisions else 1}"
    return f"arn:aws:ecs:{r.region}:{r.account}:task-definition/{name}"


def _ecr_repository(r: Request, name: str) -> str:
    return f"arn:aws:ecr:{r.region}:{r.get('registryId') or r.account}:repository/{name}"


def _codedeploy_group(r: Request, application: str, group: str) -> str:
    return f"arn:aws:codedeploy:{r.region}:{r.account}:deploymentgroup:{application}/{group}"


def _codedeploy_deployment_group(r: Request, deployment_id: str) -> str:
    from moto.codedeploy.models import codedeploy_backends

    deployment = codedeploy_backends[r.account][r.region].deployments.get(deployment_id)
    if deployment is None:
        # AWS answers DeploymentDoesNotExistException for it; moto will, with no resource to check.
        return "*"
    return _codedeploy_group(r, deployment.application_name, deployment.deployment_group_name)


# (IAM action) -> the resources a request is authorized against, per the Service Authorization
# Reference (Actions, resources, and condition keys for Amazon ECS / ECR / EKS / CodeDeploy / STS).
# Not listed, or listed with no resource type there: "*".
RESOURCES: dict[str, Callable[[Request], list[str]]] = {
    # ECS: service*, task*, task-definition* (ListTasks: container-instance*, none named here).
    "ecs:DescribeServices": lambda r: [_ecs_service(r, s) for s in r.get("services") or []],
    "ecs:UpdateService": lambda r: [_ecs_service(r, r.get("service"))],
    "ecs:DescribeTasks": lambda r: [_ecs_task(r, t) for t in r.get("tasks") or []],
    "ecs:StopTask": lambda r: [_ecs_task(r, r.get("task"))],
    "ecs:RunTask": lambda r: [_ecs_task_definition(r, r.get("taskDefinition"))],
    "ecs:RegisterTaskDefinition": lambda r: [
        f"arn:aws:ecs:{r.region}:{r.account}:task-definition/{r.get('family')}:{max(_ecs_task_definitions(r), default=0) + 1}"
    ],
    # ECR: repository* (GetAuthorizationToken has none).
    "ecr:DescribeRepositories": lambda r: [_ecr_repository(r, n) for n in r.get("repositoryNames") or []] or ["*"],
    "ecr:CreateRepository": lambda r: [_ecr_repository(r, r.get("repositoryName"))],
    **{
        f"ecr:{name}": (lambda r: [_ecr_repository(r, r.get("repositoryName"))])
        for name in (
            "BatchCheckLayerAvailability",
            "BatchGetImage",
            "CompleteLayerUpload",
            "DescribeImages",
            "GetDownloadUrlForLayer",
            "InitiateLayerUpload",
            "ListImages",
            "PutImage",
            "UploadLayerPart",
        )
    },
    # EKS: cluster*.
    "eks:DescribeCluster": lambda r: [f"arn:aws:eks:{r.region}:{r.account}:cluster/{r.get('name')}"],
    # CodeDeploy: deploymentgroup* / deploymentconfig*. ContinueDeployment, StopDeployment,
    # GetDeploymentTarget, ListDeploymentTargets and BatchGetDeploymentTargets have no resource type.
    "codedeploy:CreateDeployment": lambda r: [_codedeploy_group(r, r.get("applicationName"), r.get("deploymentGroupName"))],
    "codedeploy:GetDeploymentGroup": lambda r: [_codedeploy_group(r, r.get("applicationName"), r.get("deploymentGroupName"))],
    "codedeploy:UpdateDeploymentGroup": lambda r: [
        _codedeploy_group(r, r.get("applicationName"), r.get("currentDeploymentGroupName"))
    ],
    "codedeploy:ListDeployments": lambda r: (
        [_codedeploy_group(r, r.get("applicationName"), r.get("deploymentGroupName"))] if r.get("deploymentGroupName") else ["*"]
    ),
    "codedeploy:GetDeployment": lambda r: [_codedeploy_deployment_group(r, r.get("deploymentId"))],
    "codedeploy:BatchGetDeployments": lambda r: [_codedeploy_deployment_group(r, d) for d in r.get("deploymentIds") or []],
    "codedeploy:GetDeploymentConfig": lambda r: [
        f"arn:aws:codedeploy:{r.region}:{r.account}:deploymentconfig:{r.get('deploymentConfigName')}"
    ],
    # CloudWatch: alarm* (DescribeAlarms names them; with no names it lists every alarm).
    "cloudwatch:DescribeAlarms": lambda r: [
        f"arn:aws:cloudwatch:{r.region}:{r.account}:alarm:{name}" for name in r.get("AlarmNames") or []
    ]
    or ["*"],
    # STS: role* (the target role).
    "sts:AssumeRole": lambda r: [str(r.get("RoleArn"))],
}


def _ecs_context(r: Request) -> dict[str, list[str]]:
    return {"ecs:cluster": [_ecs_cluster_arn(r)]}


# Condition keys the bed sets, beyond the global ones (aws:PrincipalArn, aws:PrincipalAccount,
# aws:RequestedRegion).
CONTEXT: dict[str, Callable[[Request], dict[str, list[str]]]] = {
    **{f"ecs:{a}": _ecs_context for a in ("DescribeServices", "UpdateService", "ListTasks", "DescribeTasks", "RunTask", "StopTask")},
}


def _passed_roles(action: str, r: Request) -> list[str]:
    """Roles a request passes to ECS tasks (each needs iam:PassRole)."""
    if action == "ecs:RegisterTaskDefinition":
        source: dict[str, Any] = r.params
    elif action == "ecs:RunTask":
        source = r.get("overrides") or {}
    else:
        return []
    return [str(source[k]) for k in ("taskRoleArn", "executionRoleArn") if source.get(k)]


# --- policy evaluation ------------------------------------------------------------------------------------
def _matches(patterns: Any, value: str, ignore_case: bool) -> bool:
    return any(_glob(str(p), value, ignore_case) for p in _as_list(patterns))


def statement_applies(statement: dict[str, Any], action: str, resource: str, context: dict[str, list[str]]) -> bool:
    if "Action" in statement:
        if not _matches(statement["Action"], action, True):
            return False
    elif "NotAction" in statement:
        if _matches(statement["NotAction"], action, True):
            return False
    else:
        return False
    if "Resource" in statement:
        if not _matches(statement["Resource"], resource, False):
            return False
    elif "NotResource" in statement:
        if _matches(statement["NotResource"], resource, False):
            return False
    else:
        return False
    conditions = statement.get("Condition") or {}
    return all(condition_holds(op, key, expected, context) for op, block in conditions.items() for key, expected in (block or {}).items())


def evaluate(documents: list[dict[str, Any]], action: str, resource: str, context: dict[str, list[str]]) -> str:
    """'allow', 'deny' (an explicit Deny) or 'implicit' (nothing allows it)."""
    allowed = False
    for document in documents:
        for statement in _as_list(document.get("Statement")):
            if not isinstance(statement, dict) or not statement_applies(statement, action, resource, context):
                continue
            if statement.get("Effect") == "Deny":
                return "deny"
            if statement.get("Effect") == "Allow":
                allowed = True
    return "allow" if allowed else "implicit"


# --- the caller ------------------------------------------------------------------------------------------------
class Session:
    def __init__(self, assumed: Any) -> None:
        self.assumed = assumed
        self.role_arn: str = assumed.role_arn
        self.account = self.role_arn.split(":")[4]
        self.arn = f"arn:aws:sts::{self.account}:assumed-role/{self.role_arn.split('/')[-1]}/{assumed.session_name}"

    def documents(self) -> list[dict[str, Any]]:
        from moto.iam.models import iam_backends

        role = iam_backends[self.account]["aws"].get_role_by_arn(self.role_arn)
        documents = [_policy(d) for d in role.policies.values()]
        for managed in role.managed_policies.values():
            default = next((v for v in managed.versions if v.is_default), None)
            if default is not None:
                documents.append(_policy(default.document))
        return documents

    def session_documents(self) -> list[dict[str, Any]] | None:
        return [_policy(self.assumed.policy)] if getattr(self.assumed, "policy", None) else None


def _session(access_key: str) -> Any:
    from moto.sts.models import sts_backends

    for per_account in list(sts_backends.values()):
        for backend in per_account.values():
            for assumed in backend.assumed_roles:
                if assumed.access_key_id == access_key:
                    return assumed
    return None


# --- the answer ------------------------------------------------------------------------------------------------
Answer = tuple[str, list[tuple[str, str]], bytes]


def _error(protocol: str, status: int, code: str, message: str) -> Answer:
    if protocol == "query":
        body = (
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
            f"<Code>{code}</Code><Message>{message.replace('&', '&amp;').replace('<', '&lt;')}</Message></Error>"
            "<RequestId>bed0-iam0-0000-0000-000000000000</RequestId></ErrorResponse>"
        ).encode()
        return f"{status} Error", [("Content-Type", "text/xml")], body
    if protocol == "json":
        body = json.dumps({"__type": f"{code}Exception" if code == "AccessDenied" else code, "message": message}).encode()
        return "400 Bad Request", [("Content-Type", "application/x-amz-json-1.1")], body
    body = json.dumps({"message": message}).encode()
    error_type = f"{code}Exception" if code == "AccessDenied" else code
    return f"{status} Error", [("Content-Type", "application/json"), ("x-amzn-ErrorType", error_type)], body


def _params(environ: dict[str, Any], body: bytes, protocol: str, service: str) -> dict[str, Any]:
    if protocol == "json":
        try:
            parsed = json.loads(body.decode("utf-8") or "{}")
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    if protocol == "query":
        pairs = urllib.parse.parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            pairs += urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        return dict(pairs)
    if service == "eks":
        match = re.match(r"^/clusters/([^/]+)", environ.get("PATH_INFO", ""))
        return {"name": urllib.parse.unquote(match.group(1))} if match else {}
    return {}


def _tag_keys(params: dict[str, Any]) -> list[str]:
    return [v for k, v in params.items() if re.fullmatch(r"Tags\.member\.\d+\.Key", k)]


def _trust_allows(role_arn: str, caller: Session, action: str, context: dict[str, list[str]]) -> bool:
    """Whether role_arn's trust policy lets the caller's role (or its account) take `action`."""
    from moto.iam.models import iam_backends

    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
    try:
        role = iam_backends[account]["aws"].get_role_by_arn(role_arn)
    except Exception:
        return False
    principals = {caller.role_arn, caller.arn, f"arn:aws:iam::{caller.account}:root", caller.account, "*"}
    allowed = False
    for statement in _as_list(_policy(role.assume_role_policy_document).get("Statement")):
        if not isinstance(statement, dict) or not _matches(statement.get("Action", []), action, True):
            continue
        principal = statement.get("Principal")
        named = _as_list(principal.get("AWS")) if isinstance(principal, dict) else _as_list(principal)
        if not principals & {str(p) for p in named}:
            continue
        conditions = statement.get("Condition") or {}
        if not all(condition_holds(op, key, exp, context) for op, block in conditions.items() for key, exp in (block or {}).items()):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def authorize(environ: dict[str, Any], body: bytes, service: str, action: str, protocol: str) -> Answer | None:
    """None when the request may go on to moto, else the error answer (and the denial recorded)."""
    if not STATE["enforce"]:
        return None
    auth = environ.get("HTTP_AUTHORIZATION", "")
    credential = re.search(r"Credential=([A-Z0-9]+)/\d+/([^/]+)/([^/]+)/", auth)
    if not credential:
        return None
    assumed = _session(credential.group(1))
    if assumed is None:
        return None  # the bed's keys (and anything that is no session) stay unrestricted
    if environ.get("HTTP_X_AMZ_SECURITY_TOKEN") != assumed.session_token:
        return _error(protocol, 403, "UnrecognizedClientException" if protocol == "json" else "InvalidClientTokenId", "The security token included in the request is invalid.")
    iam_action = f"{IAM_PREFIX.get(service, service)}:{action}"
    if iam_action == "sts:GetCallerIdentity":
        return None  # needs no permission, and cannot be denied
    caller = Session(assumed)
    request = Request(_params(environ, body, protocol, service), caller.account, credential.group(2))
    context: dict[str, list[str]] = {
        "aws:principalarn": [caller.role_arn],
        "aws:principalaccount": [caller.account],
        "aws:requestedregion": [request.region],
    }
    try:
        extra = CONTEXT[iam_action](request) if iam_action in CONTEXT else {}
        resources = RESOURCES[iam_action](request) if iam_action in RESOURCES else ["*"]
    except Exception:  # a malformed request: moto answers it as AWS would
        extra, resources = {}, ["*"]
    context.update({k.lower(): v for k, v in extra.items()})
    checks = [(iam_action, resource, context) for resource in resources]
    if iam_action == "sts:AssumeRole":
        tags = _tag_keys(request.params)
        context["aws:tagkeys"] = tags
        if request.get("ExternalId"):
            context["sts:externalid"] = [request.get("ExternalId")]
        if tags:
            checks.append(("sts:TagSession", resources[0], context))
    for role in _passed_roles(iam_action, request):
        checks.append(("iam:PassRole", role, {**context, "iam:passedtoservice": ["ecs-tasks.amazonaws.com"]}))

    documents = caller.documents()
    session = caller.session_documents()
    for checked, resource, ctx in checks:
        verdict = evaluate(documents, checked, resource, ctx)
        if verdict == "allow" and session is not None:
            verdict = evaluate(session, checked, resource, ctx)
            reason = "with an explicit deny in a session policy" if verdict == "deny" else "because no session policy allows the " + checked + " action"
        else:
            reason = "with an explicit deny in an identity-based policy" if verdict == "deny" else f"because no identity-based policy allows the {checked} action"
        if verdict == "allow" and checked in ("sts:AssumeRole", "sts:TagSession") and not _trust_allows(resource, caller, checked, ctx):
            verdict, reason = "implicit", "because the role's trust policy does not allow it"
        if verdict != "allow":
            STATE["denied"].append({"action": checked, "resource": resource, "principal": caller.arn, "at": int(time.time() * 1000)})
            message = f"User: {caller.arn} is not authorized to perform: {checked} on resource: {resource} {reason}"
            return _error(protocol, 403, "AccessDenied", message)
    return None


# --- the control endpoint and installation ---------------------------------------------------------------------
def control(body: dict[str, Any]) -> dict[str, Any]:
    if "enforce" in body:
        if not isinstance(body["enforce"], bool):
            from bed_control import ControlError

            raise ControlError(400, "enforce must be true or false")
        STATE["enforce"] = body["enforce"]
    denied = list(STATE["denied"])
    if body.get("reset"):
        STATE["denied"].clear()
    return {"enforce": STATE["enforce"], "denied": denied}


def install() -> None:
    import bed_control

    bed_control.AUTHORIZERS.append(authorize)
    bed_control.CONTROL["/_bed/iam"] = control
