"""One-off ECS tasks (RunTask) that run as in AWS.

moto's RunTask answers a task that is RUNNING at once and never ends (and places EC2 tasks only on
registered container instances). Here a run task goes PROVISIONING → PENDING → RUNNING, its
containers exit after `ecsRunTaskRun` (bed_ecs.TIMING) seconds of AWS time, the task passes
DEACTIVATING (desired STOPPED, "Essential container in task exited") and is STOPPED with each
container's exit code. StopTask stops it on the way (exit code 143, stopCode UserInitiated).

RunTask refuses what ECS refuses: a launch type together with a capacity provider strategy,
propagateTags SERVICE, a count outside 1–10, an awsvpc task definition without subnets, a network
configuration for another network mode, Fargate for a task definition that is not awsvpc, and
container overrides for containers the task definition lacks. Tags: the request's, the task
definition's with propagateTags TASK_DEFINITION, aws:ecs:clusterName with enableECSManagedTags.
EC2 tasks are placed without container instances (the bed has no EC2 hosts).

Control (registered in bed_control.CONTROL by install()):
  /_bed/fault/ecs-run {family, exitCode? (default 1), container? (default the first essential),
                       containerReason?, failToStart? (a stoppedReason such as
                       "CannotPullContainerError: ..."), count? (tasks, default 1), account?, region?}
                       -> {id}; the next `count` run tasks of the family end that way
"""

from __future__ import annotations

import uuid
from typing import Any

from moto.ecs.exceptions import InvalidParameterException
from moto.ecs.models import EC2ContainerServiceBackend
from moto.ecs.responses import EC2ContainerServiceResponse

import bed_control
import bed_ecs
from bed_engine import ENGINE

_request: dict[str, Any] = {}


class RunTask(bed_ecs.BedTask):
    """A task started by RunTask: the bed's clock runs it to its end."""

    def __init__(self, backend: EC2ContainerServiceBackend, cluster: Any, task_def: Any, request: dict[str, Any], at: float) -> None:
        self.setup(backend, cluster.name, cluster.arn, task_def, at)
        self.family = task_def.family
        self.started_by = request.get("startedBy") or ""
        self.group = request.get("group") or f"family:{task_def.family}"
        capacity = request.get("capacityProviderStrategy") or []
        self.capacity_provider_name = capacity[0].get("capacityProvider") if capacity else None
        self.launch_type = request.get("launchType") or ("FARGATE" if (self.capacity_provider_name or "").startswith("FARGATE") else "EC2")
        self.platform_version = request.get("platformVersion") or ("1.4.0" if self.launch_type == "FARGATE" else None)
        self.tags = _tags(cluster, task_def, request)
        self.overrides = {"containerOverrides": (request.get("overrides") or {}).get("containerOverrides") or [], "inferenceAcceleratorOverrides": []}
        self.network_configuration = request.get("networkConfiguration")
        if self.network_configuration:
            subnets = self.network_configuration.get("awsvpcConfiguration", {}).get("subnets") or []
            self.attachments.append(
                {
                    "id": str(uuid.uuid4()),
                    "type": "ElasticNetworkInterface",
                    "status": "PRECREATED",
                    "details": [{"name": "subnetId", "value": subnets[0] if subnets else ""}],
                }
            )
        # A managed EBS volume shows as an attachment of the task (its details here are the bed's: the volume's name and size).
        for volume in request.get("volumeConfigurations") or []:
            ebs = volume.get("managedEBSVolume") or {}
            self.attachments.append(
                {
                    "id": str(uuid.uuid4()),
                    "type": "AmazonElasticBlockStorage",
                    "status": "ATTACHED",
                    "details": [
                        {"name": "volumeName", "value": str(volume.get("name", ""))},
                        {"name": "sizeInGiB", "value": str(ebs.get("sizeInGiB", ""))},
                        {"name": "deleteOnTermination", "value": str((ebs.get("terminationPolicy") or {}).get("deleteOnTermination", True)).lower()},
                    ],
                }
            )
        self.essential = [c.get("name") for c in task_def.container_definitions if c.get("essential", True)]
        self.fault: dict[str, Any] | None = None


def _tags(cluster: Any, task_def: Any, request: dict[str, Any]) -> list[dict[str, str]]:
    tags: dict[str, str] = {}
    if request.get("propagateTags") == "TASK_DEFINITION":
        tags.update({t["key"]: t["value"] for t in (task_def.tags or [])})
    tags.update({t["key"]: t["value"] for t in (request.get("tags") or [])})
    if request.get("enableECSManagedTags"):
        tags["aws:ecs:clusterName"] = cluster.name
    return [{"key": k, "value": v} for k, v in tags.items()]


# --- faults -------------------------------------------------------------------------------------
def _fault_for(backend: EC2ContainerServiceBackend, task: RunTask) -> dict[str, Any] | None:
    for fault in ENGINE.faults_of("ecs-run"):
        if fault.get("account") and fault["account"] != backend.account_id:
            continue
        if fault.get("region") and fault["region"] != backend.region_name:
            continue
        if fault.get("family") != task.family:
            continue
        fault["remaining"] = int(fault.get("remaining", fault.get("count", 1))) - 1
        if fault["remaining"] <= 0:
            ENGINE.faults.pop(fault["id"], None)
        return fault
    return None


def _fault_run(body: dict[str, Any]) -> dict[str, Any]:
    if not body.get("family"):
        raise bed_control.ControlError(400, "a run-task fault needs 'family' (the task definition family whose next run task fails)")
    if "exitCode" in body and not isinstance(body["exitCode"], int):
        raise bed_control.ControlError(400, "exitCode must be a whole number")
    return {"id": ENGINE.add_fault("ecs-run", {**body, "remaining": int(body.get("count", 1))})}


# --- the task's life ------------------------------------------------------------------------------
def _pending(task: RunTask, at: float) -> None:
    if task.desired_status == "RUNNING" and task.last_status == "PROVISIONING":
        task.last_status = "PENDING"


def _started(task: RunTask, at: float) -> None:
    if task.desired_status != "RUNNING":
        return
    fault = task.fault
    if fault and fault.get("failToStart"):
        task.desired_status = "STOPPED"
        task.last_status = "STOPPED"
        task.stopped_reason = fault["failToStart"]
        task.stop_code = "TaskFailedToStart"
        task.stopping_at = task.stopped_at = bed_ecs._dt(at)
        task.set_containers("STOPPED", reason=fault.get("containerReason") or fault["failToStart"].split(":")[0])
        return
    task.last_status = "RUNNING"
    task.started_at = bed_ecs._dt(at)
    task.set_containers("RUNNING")
    ENGINE.after(bed_ecs.TIMING["ecsRunTaskRun"], lambda t: _exited(task, t))


def _exited(task: RunTask, at: float) -> None:
    if task.desired_status != "RUNNING":
        return
    fault = task.fault
    failing = (fault.get("container") or (task.essential[0] if task.essential else None)) if fault else None
    for container in task.containers:
        container["lastStatus"] = "STOPPED"
        if container["name"] == failing:
            container["exitCode"] = int(fault.get("exitCode", 1)) if fault else 1
            if fault and fault.get("containerReason"):
                container["reason"] = fault["containerReason"]
        else:
            container["exitCode"] = 0
    task.desired_status = "STOPPED"
    task.last_status = "DEACTIVATING"
    task.stopped_reason = "Essential container in task exited"
    task.stop_code = "EssentialContainerExited"
    task.stopping_at = bed_ecs._dt(at)
    ENGINE.after(bed_ecs.TIMING["ecsTaskStop"] * 0.3, lambda t: _stopped(task, t))


def _stopped(task: RunTask, at: float) -> None:
    task.last_status = "STOPPED"
    task.stopped_at = bed_ecs._dt(at)


# --- patches --------------------------------------------------------------------------------------
_orig_response_run_task = EC2ContainerServiceResponse.run_task


def _response_run_task(self: EC2ContainerServiceResponse) -> Any:
    # moto's handler passes on only some of RunTask's fields; the bed needs them all (requests are serialised).
    _request["value"] = self._get_params()
    try:
        return _orig_response_run_task(self)
    finally:
        _request.pop("value", None)


def _run_task(
    self: EC2ContainerServiceBackend,
    cluster_str: str,
    task_definition_str: str,
    count: int,
    overrides: dict[str, Any] | None,
    started_by: str,
    tags: list[dict[str, str]] | None,
    launch_type: str | None,
    networking_configuration: dict[str, Any] | None = None,
    group: str | None = None,
    platform_version: str | None = None,
) -> list[Any]:
    request = dict(_request.get("value") or {})
    request.setdefault("overrides", overrides)
    request.setdefault("startedBy", started_by)
    request.setdefault("tags", tags)
    request.setdefault("launchType", launch_type)
    request.setdefault("networkConfiguration", networking_configuration)
    cluster = self._get_cluster(cluster_str or "default")
    task_def = self.describe_task_definition(task_definition_str)
    launch = request.get("launchType")
    capacity = request.get("capacityProviderStrategy") or []
    if launch and capacity:
        raise InvalidParameterException("Specifying both a launch type and capacity provider strategy is not supported.")
    if launch and launch not in ("EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"):
        raise InvalidParameterException("launch type should be one of [EC2,FARGATE,EXTERNAL,MANAGED_INSTANCES]")
    if request.get("propagateTags") == "SERVICE":
        raise InvalidParameterException("The SERVICE option of propagateTags is not valid for a task run outside of a service.")
    if not 1 <= int(count or 1) <= 10:
        raise InvalidParameterException("count must be between 1 and 10.")
    network = request.get("networkConfiguration") or {}
    awsvpc = network.get("awsvpcConfiguration")
    if task_def.network_mode == "awsvpc":
        if not awsvpc or not awsvpc.get("subnets"):
            raise InvalidParameterException("Network Configuration must be provided when networkMode 'awsvpc' is specified.")
    elif awsvpc:
        raise InvalidParameterException("Network Configuration is not valid for the given networkMode of this task definition.")
    fargate = launch == "FARGATE" or any(str(c.get("capacityProvider", "")).startswith("FARGATE") for c in capacity)
    if fargate and task_def.network_mode != "awsvpc":
        raise InvalidParameterException("Task definition does not support launch_type FARGATE.")
    volumes = request.get("volumeConfigurations") or []
    if volumes:
        # As for a service: each names a volume the task definition configures at launch, with the infrastructure role.
        bed_ecs._check_volume_configurations(self, volumes, task_def.arn)
    names = [c.get("name") for c in task_def.container_definitions]
    for override in ((request.get("overrides") or {}).get("containerOverrides") or []):
        if override.get("name") not in names:
            raise InvalidParameterException(f"Override for container named {override.get('name')} is not a container in the TaskDefinition.")
    at = ENGINE.now()
    tasks = []
    for _ in range(int(count or 1)):
        task = RunTask(self, cluster, task_def, request, at)
        task.fault = _fault_for(self, task)
        self.tasks.setdefault(cluster.name, {})[task.task_arn] = task
        ENGINE.after(bed_ecs.TIMING["ecsTaskStart"] * 0.3, lambda t, task=task: _pending(task, t))
        ENGINE.after(bed_ecs.TIMING["ecsTaskStart"], lambda t, task=task: _started(task, t))
        tasks.append(task)
    return tasks


def install() -> None:
    EC2ContainerServiceResponse.run_task = _response_run_task  # type: ignore[method-assign]
    EC2ContainerServiceBackend.run_task = _run_task  # type: ignore[method-assign]
    bed_control.CONTROL["/_bed/fault/ecs-run"] = _fault_run
