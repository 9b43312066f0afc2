"""RegisterTaskDefinition rejects what real ECS rejects.

moto registers nearly anything: an empty pidMode, `"protocol": "TCP"`, a family with spaces, a role
ARN of "" all come back as a revision, so a test against moto cannot tell a task definition ECS
would refuse. Real ECS checks the request in two layers, reproduced here with their error types:
the API model (enums and string constraints; ValidationException, "1 validation error detected:
Value 'x' at 'pidMode' failed to satisfy constraint: ...") and the service (ClientException for
family and container names, role ARNs, empty values and launch-type rules). Sources: the ECS API
reference for RegisterTaskDefinition, ContainerDefinition, PortMapping and the data types they use.
"""

from __future__ import annotations

import json
import re
from typing import Any

from moto.core.exceptions import ServiceException
from moto.ecs.responses import EC2ContainerServiceResponse

ENUMS: dict[str, list[str]] = {
    "networkMode": ["bridge", "host", "awsvpc", "none"],
    "pidMode": ["host", "task"],
    "ipcMode": ["host", "task", "none"],
}
COMPATIBILITIES = ["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"]
PROTOCOLS = ["tcp", "udp"]
APP_PROTOCOLS = ["http", "http2", "grpc"]
LOG_DRIVERS = ["json-file", "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk", "awsfirelens"]
CONDITIONS = ["START", "COMPLETE", "SUCCESS", "HEALTHY"]
NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
ROLE = re.compile(r"^(arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}|[\w+=,.@-]{1,64})$")
# Container fields ECS refuses empty (the service layer; the model has no length minimum for them).
NOT_EMPTY = ["hostname", "user", "workingDirectory"]


class ValidationException(ServiceException):
    def __init__(self, message: str) -> None:
        super().__init__("ValidationException", message)


class ClientException(ServiceException):
    def __init__(self, message: str) -> None:
        super().__init__("ClientException", message)


def _enum(value: Any, allowed: list[str], at: str) -> None:
    if value is not None and value not in allowed:
        raise ValidationException(
            f"1 validation error detected: Value '{value}' at '{at}' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(allowed)}]"
        )


def validate(body: dict[str, Any]) -> None:
    for key, allowed in ENUMS.items():
        _enum(body.get(key), allowed, key)
    for i, c in enumerate(body.get("requiresCompatibilities") or []):
        _enum(c, COMPATIBILITIES, f"requiresCompatibilities.{i + 1}.member")
    family = body.get("family")
    if not isinstance(family, str) or not NAME.match(family):
        raise ClientException(
            "Family contains invalid characters or is too long: up to 255 letters (uppercase and lowercase), "
            "numbers, hyphens, and underscores are allowed."
        )
    for key in ("taskRoleArn", "executionRoleArn"):
        role = body.get(key)
        if role is not None and (not isinstance(role, str) or not ROLE.match(role)):
            raise ClientException(f"Role is not valid ({key})")
    containers = body.get("containerDefinitions") or []
    if not containers:
        raise ClientException("Container list cannot be empty.")
    if len(containers) > 10:
        raise ClientException("Too many containers. The maximum is 10.")
    names: set[str] = set()
    for i, c in enumerate(containers):
        name = c.get("name")
        if not isinstance(name, str) or not NAME.match(name):
            raise ClientException(
                "Container name contains invalid characters or is too long: up to 255 letters (uppercase and "
                "lowercase), numbers, hyphens, and underscores are allowed."
            )
        if name in names:
            raise ClientException(f"Duplicate container name: {name}")
        names.add(name)
        for key in NOT_EMPTY:
            if c.get(key) == "":
                raise ClientException(f"Container.{key} should not be null or empty.")
        credentials = c.get("repositoryCredentials")
        if credentials is not None and not credentials.get("credentialsParameter"):
            raise ClientException("Container.repositoryCredentials.credentialsParameter should not be null or empty.")
        for j, p in enumerate(c.get("portMappings") or []):
            _enum(p.get("protocol"), PROTOCOLS, f"containerDefinitions.{i + 1}.member.portMappings.{j + 1}.member.protocol")
            _enum(p.get("appProtocol"), APP_PROTOCOLS, f"containerDefinitions.{i + 1}.member.portMappings.{j + 1}.member.appProtocol")
            for key in ("containerPort", "hostPort"):
                if key in p and not isinstance(p[key], int):
                    raise ValidationException(f"Invalid type for {key}: expected an integer")
            if body.get("networkMode") == "awsvpc" and p.get("hostPort") not in (None, 0, p.get("containerPort")):
                raise ClientException("When networkMode=awsvpc, the host ports and container ports in port mappings must match.")
        log = c.get("logConfiguration")
        if log is not None:
            _enum(log.get("logDriver"), LOG_DRIVERS, f"containerDefinitions.{i + 1}.member.logConfiguration.logDriver")
        for j, d in enumerate(c.get("dependsOn") or []):
            _enum(d.get("condition"), CONDITIONS, f"containerDefinitions.{i + 1}.member.dependsOn.{j + 1}.member.condition")
    for c in containers:
        for d in c.get("dependsOn") or []:
            if d.get("containerName") not in names:
                raise ClientException(f"Container {c['name']} depends on a container that does not exist: {d.get('containerName')}")
    if "FARGATE" in (body.get("requiresCompatibilities") or []):
        if body.get("networkMode") != "awsvpc":
            raise ClientException("Fargate only supports network mode 'awsvpc'.")
        if not body.get("cpu") or not body.get("memory"):
            raise ClientException("Fargate requires that 'cpu' be defined at the task level.")
    for key in ("cpu", "memory"):
        if key in body and not isinstance(body[key], str):
            raise ValidationException(f"Invalid type for {key}: expected a string")


_original = EC2ContainerServiceResponse.register_task_definition


def _register_task_definition(self: EC2ContainerServiceResponse) -> Any:
    try:
        body = json.loads(self.body or "{}")
    except ValueError:
        body = {}
    validate(body)
    return _original(self)


def install() -> None:
    EC2ContainerServiceResponse.register_task_definition = _register_task_definition  # type: ignore[method-assign]
