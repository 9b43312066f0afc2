"""ECS rolling deployments (ECS deployment controller) that progress as in AWS.

moto creates a service's deployment and leaves it where it started. Here every new deployment
(CreateService, UpdateService with another task definition, forceNewDeployment) launches tasks
within maximumPercent, drains the old deployment's tasks while keeping minimumHealthyPercent, and
turns COMPLETED once only the new tasks run, with the service events AWS writes. Injected faults
make new tasks stop on start; the deployment circuit breaker then fails the deployment and, with
rollback, starts a deployment of the last completed task definition.

What moto drops on UpdateService and the bed keeps: a deployment carries the service's
volumeConfigurations (managed EBS volumes), and the service's tasks carry its tags (propagateTags
SERVICE) or the task definition's (TASK_DEFINITION) and, with enableECSManagedTags, the
aws:ecs:serviceName and aws:ecs:clusterName tags. UpdateService refuses what ECS refuses there: a
volume configuration without a roleArn or for a volume the task definition does not configure at
launch, and volume configurations on a CODE_DEPLOY service. One-off tasks (RunTask): bed_ecs_run.
"""

from __future__ import annotations

import datetime
import math
import random
import uuid
from typing import Any

from moto.ecs.exceptions import InvalidParameterException
from moto.ecs.models import EC2ContainerServiceBackend, Service
from moto.ecs.responses import EC2ContainerServiceResponse

from bed_engine import ENGINE

# AWS-like durations in seconds, divided by the engine's speed factor.
TIMING: dict[str, float] = {
    "ecsTaskStart": 15.0,  # provisioning, image pull, container start
    "ecsTaskStop": 10.0,  # load balancer deregistration delay and SIGTERM
    "ecsSteadyState": 10.0,  # ECS watches stability before it declares a steady state
    "ecsRunTaskRun": 30.0,  # how long a one-off task (RunTask, bed_ecs_run) runs before its containers exit
    "ecsAlarmPoll": 10.0,  # how often ECS reads a deployment's CloudWatch alarms (bed_ecs_alarms)
    "ecsBakeTime": 60.0,  # with alarms, how long ECS keeps watching them after the steady state
}

ACTIVE_STATES = ("PROVISIONING", "PENDING", "ACTIVATING", "RUNNING")


def _dt(at: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(at, tz=datetime.timezone.utc)


def _deployment_id() -> str:
    return "ecs-svc/" + "".join(random.choice("0123456789") for _ in range(19))


class BedTask:
    """A service task the bed starts and stops; moto's own task model would advance on describe."""

    def __init__(self, backend: EC2ContainerServiceBackend, service: Service, deployment: dict[str, Any], at: float) -> None:
        task_def = backend.describe_task_definition(deployment["taskDefinition"])
        self.setup(backend, service.cluster_name, service.cluster_arn, task_def, at)
        self.started_by = deployment["id"]
        self.group = f"service:{service.name}"
        self.launch_type = service.launch_type or "EC2"
        self.platform_version = service.platform_version
        self.tags = service_task_tags(backend, service, task_def)

    def setup(self, backend: EC2ContainerServiceBackend, cluster_name: str, cluster_arn: str, task_def: Any, at: float) -> None:
        """What every task the bed runs has (service tasks here, one-off tasks in bed_ecs_run)."""
        self.id = uuid.uuid4().hex
        self.region_name = backend.region_name
        self._account_id = backend.account_id
        self.cluster_name = cluster_name
        self.cluster_arn = cluster_arn
        self.task_definition_arn = task_def.arn
        self.container_instance_arn = None
        self.resource_requirements = None
        self.desired_status = "RUNNING"
        self.last_status = "PROVISIONING"
        self.started_by = ""
        self.group = ""
        self.launch_type = "EC2"
        self.platform_version: str | None = None
        self.tags: list[dict[str, str]] = []
        self.stopped_reason: str | None = None
        self.stop_code: str | None = None
        self.created_at = _dt(at)
        self.started_at: datetime.datetime | None = None
        self.stopping_at: datetime.datetime | None = None
        self.stopped_at: datetime.datetime | None = None
        self.cpu = task_def.cpu
        self.memory = task_def.memory
        self.health_status = "UNKNOWN"
        self.version = 1
        self.availability_zone = f"{backend.region_name}a"
        self.overrides: dict[str, Any] = {"containerOverrides": [], "inferenceAcceleratorOverrides": []}
        self.attachments: list[dict[str, Any]] = []
        self.images = [c.get("image", "") for c in task_def.container_definitions]
        self.containers = [
            {
                "containerArn": f"arn:aws:ecs:{self.region_name}:{self._account_id}:container/{self.cluster_name}/{self.id}/{uuid.uuid4()}",
                "taskArn": self.task_arn,
                "name": c.get("name"),
                "image": c.get("image"),
                "lastStatus": "PENDING",
                "healthStatus": "UNKNOWN",
            }
            for c in task_def.container_definitions
        ]

    @property
    def task_arn(self) -> str:
        return f"arn:aws:ecs:{self.region_name}:{self._account_id}:task/{self.cluster_name}/{self.id}"

    def advance(self) -> None:
        """moto calls this on DescribeTasks; the bed's clock moves these tasks instead."""

    def set_containers(self, status: str, exit_code: int | None = None, reason: str | None = None) -> None:
        for container in self.containers:
            container["lastStatus"] = status
            if exit_code is not None:
                container["exitCode"] = exit_code
            if reason is not None:
                container["reason"] = reason


def service_task_tags(backend: EC2ContainerServiceBackend, service: Service, task_def: Any) -> list[dict[str, str]]:
    """The tags ECS puts on a service's task: propagated from the service or the task definition, and managed ones."""
    tags: dict[str, str] = {}
    propagate = getattr(service, "propagate_tags", None) or "NONE"
    if propagate == "TASK_DEFINITION":
        tags.update({t["key"]: t["value"] for t in (getattr(task_def, "tags", None) or [])})
    elif propagate == "SERVICE":
        tags.update({t["key"]: t["value"] for t in (getattr(service, "tags", None) or [])})
    if getattr(service, "enable_ecs_managed_tags", False):
        tags["aws:ecs:serviceName"] = service.name
        tags["aws:ecs:clusterName"] = service.cluster_name
    return [{"key": k, "value": v} for k, v in tags.items()]


class ServiceSim:
    """The bed's state for one ECS-controller service, attached to moto's Service object."""

    def __init__(self, backend: EC2ContainerServiceBackend, service: Service) -> None:
        self.backend = backend
        self.service = service
        self.tasks: dict[str, list[BedTask]] = {}
        self.steady_check: Any = None
        self.steady = False
        self.last_completed_td: str | None = None
        self.rollbacks: set[str] = set()
        self.breaker_tripped: set[str] = set()

    # --- helpers ------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.service.name

    def event(self, message: str, at: float) -> None:
        self.service.events.insert(0, {"id": str(uuid.uuid4()), "createdAt": _dt(at), "message": f"(service {self.name}) {message}"})
        del self.service.events[100:]

    def config(self) -> tuple[int, int, dict[str, Any]]:
        cfg = getattr(self.service, "deployment_configuration", None) or {}
        breaker = cfg.get("deploymentCircuitBreaker") or {}
        return int(cfg.get("maximumPercent", 200)), int(cfg.get("minimumHealthyPercent", 100)), breaker

    def active(self, deployment: dict[str, Any]) -> list[BedTask]:
        return [t for t in self.tasks.get(deployment["id"], []) if t.desired_status == "RUNNING" and t.last_status in ACTIVE_STATES]

    def running(self, deployment: dict[str, Any]) -> list[BedTask]:
        return [t for t in self.active(deployment) if t.last_status == "RUNNING"]

    def stopping(self, deployment: dict[str, Any]) -> list[BedTask]:
        return [t for t in self.tasks.get(deployment["id"], []) if t.desired_status == "STOPPED" and t.last_status != "STOPPED"]

    # --- deployments --------------------------------------------------------------------------
    def new_deployment(self, at: float, task_definition: str, rollback_of: str | None = None) -> dict[str, Any]:
        deployment_id = _deployment_id()
        network = getattr(self.service, "network_configuration", None) or None
        deployment = {
            "id": deployment_id,
            "status": "PRIMARY",
            "taskDefinition": task_definition,
            "desiredCount": self.service.desired_count,
            "pendingCount": 0,
            "runningCount": 0,
            "failedTasks": 0,
            "createdAt": _dt(at),
            "updatedAt": _dt(at),
            "launchType": self.service.launch_type,
            "platformVersion": self.service.platform_version,
            "platformFamily": "Linux" if self.service.launch_type == "FARGATE" else None,
            "networkConfiguration": network,
            "volumeConfigurations": getattr(self.service, "volume_configurations", None) or None,
            "rolloutState": "IN_PROGRESS",
            "rolloutStateReason": f"ECS deployment {deployment_id} in progress.",
        }
        for old in self.service.deployments:
            old["status"] = "ACTIVE"
            old["updatedAt"] = _dt(at)
        self.service.deployments.insert(0, deployment)
        self.service.task_definition = task_definition
        self.tasks[deployment_id] = []
        if rollback_of:
            self.rollbacks.add(deployment_id)
        self.steady = False
        self.reconcile(at)
        return deployment

    def reconcile(self, at: float) -> None:
        deployments = self.service.deployments
        if not deployments or self.service.status != "ACTIVE":
            return
        primary, olds = deployments[0], deployments[1:]
        desired = int(self.service.desired_count or 0)
        primary["desiredCount"] = desired
        max_pct, min_pct, _ = self.config()
        changed = False

        # Older deployments' tasks that have not started yet are stopped first, as ECS does when a
        # newer deployment replaces one still starting: they would otherwise hold the room the
        # newest deployment needs under maximumPercent, and nothing would start it later.
        for old in olds:
            not_started = [t for t in self.active(old) if t.last_status != "RUNNING"]
            if not_started:
                self.stop_tasks(not_started, f"Scaling activity initiated by (deployment {primary['id']})", at)
                changed = True

        # Launch the primary deployment's tasks within maximumPercent (not after the breaker tripped).
        if primary["id"] not in self.breaker_tripped:
            want = desired - len(self.active(primary))
            if want > 0:
                in_flight = sum(len(self.active(d)) for d in deployments)
                room = max(0, math.floor(desired * max_pct / 100) - in_flight)
                # As in AWS, a maximumPercent of 100 still makes progress once old tasks stop.
                count = min(want, room)
                if count > 0:
                    self.launch(primary, count, at)
                    changed = True
            elif want < 0:
                extra = sorted(self.active(primary), key=lambda t: t.last_status == "RUNNING")[: -want]
                self.stop_tasks(extra, f"Scaling activity initiated by (deployment {primary['id']})", at)
                changed = True

        # Drain older deployments while keeping minimumHealthyPercent of the desired count running.
        healthy = sum(len(self.running(d)) for d in deployments)
        floor_healthy = math.ceil(desired * min_pct / 100)
        for old in olds:
            victims = []
            for task in self.running(old):
                if healthy - 1 < floor_healthy:
                    break
                victims.append(task)
                healthy -= 1
            if victims:
                self.stop_tasks(victims, f"Scaling activity initiated by (deployment {primary['id']})", at)
                changed = True

        # A drained deployment disappears from the service, as in AWS; a failed one stays visible
        # (ACTIVE, FAILED) until the deployment that replaced it completes.
        self.service.deployments = [primary] + [d for d in olds if self.active(d) or self.stopping(d) or d["rolloutState"] == "FAILED"]
        self.update_counts(at)
        if changed:
            self.steady = False
        self.check_steady(at)

    def update_counts(self, at: float) -> None:
        for deployment in self.service.deployments:
            running = len(self.running(deployment))
            pending = len(self.active(deployment)) - running
            if deployment["runningCount"] != running or deployment["pendingCount"] != pending:
                deployment["updatedAt"] = _dt(at)
            deployment["runningCount"] = running
            deployment["pendingCount"] = pending
        self.service.running_count = sum(d["runningCount"] for d in self.service.deployments)
        self.service.pending_count = sum(d["pendingCount"] for d in self.service.deployments)

    def is_steady(self) -> bool:
        deployments = self.service.deployments
        if any(self.active(d) or self.stopping(d) for d in deployments[1:]):
            return False
        primary = deployments[0]
        if primary["id"] in self.breaker_tripped:
            return False
        return (
            len(self.running(primary)) == int(self.service.desired_count or 0)
            and len(self.active(primary)) == len(self.running(primary))
            and not self.stopping(primary)
        )

    def check_steady(self, at: float) -> None:
        if self.steady or not self.is_steady():
            if self.steady_check is not None and not self.is_steady():
                self.steady_check.cancelled = True
                self.steady_check = None
            return
        if self.steady_check is None:
            self.steady_check = ENGINE.after(TIMING["ecsSteadyState"], self.reach_steady)

    def reach_steady(self, at: float) -> None:
        self.steady_check = None
        if not self.is_steady():
            return
        self.steady = True
        primary = self.service.deployments[0]
        self.service.deployments = [primary]
        if primary["rolloutState"] == "IN_PROGRESS":
            primary["rolloutState"] = "COMPLETED"
            primary["rolloutStateReason"] = f"ECS deployment {primary['id']} completed."
            primary["updatedAt"] = _dt(at)
            self.last_completed_td = primary["taskDefinition"]
            self.event(f"(deployment {primary['id']}) deployment completed.", at)
            ENGINE.mark(
                "ecs",
                primary["id"],
                "completed",
                at,
                account=self.backend.account_id,
                region=self.backend.region_name,
                cluster=self.service.cluster_name,
                service=self.name,
                taskDefinition=primary["taskDefinition"],
                rollback=primary["id"] in self.rollbacks,
            )
        self.event("has reached a steady state.", at)

    # --- tasks --------------------------------------------------------------------------------
    def launch(self, deployment: dict[str, Any], count: int, at: float) -> None:
        started = []
        for _ in range(count):
            task = BedTask(self.backend, self.service, deployment, at)
            self.tasks[deployment["id"]].append(task)
            self.backend.tasks.setdefault(self.service.cluster_name, {})[task.task_arn] = task
            started.append(task)
            ENGINE.after(TIMING["ecsTaskStart"] * 0.3, lambda t, task=task: self.task_pending(task, t))
            ENGINE.after(TIMING["ecsTaskStart"], lambda t, task=task, d=deployment: self.task_started(task, d, t))
        ids = " ".join(f"(task {t.id})" for t in started)
        self.event(f"has started {count} tasks: {ids}.", at)

    def task_pending(self, task: BedTask, at: float) -> None:
        if task.desired_status == "RUNNING" and task.last_status == "PROVISIONING":
            task.last_status = "PENDING"

    def task_started(self, task: BedTask, deployment: dict[str, Any], at: float) -> None:
        if task.desired_status != "RUNNING":
            return
        fault = self.fault_for(deployment, task)
        if fault is not None:
            reason = fault.get("reason") or "Essential container in task exited"
            task.last_status = "STOPPED"
            task.desired_status = "STOPPED"
            task.stopped_reason = reason
            task.stop_code = fault.get("stopCode") or ("TaskFailedToStart" if reason.startswith("CannotPull") else "EssentialContainerExited")
            task.stopping_at = task.stopped_at = _dt(at)
            task.set_containers("STOPPED", exit_code=int(fault.get("exitCode", 1)), reason=fault.get("containerReason"))
            deployment["failedTasks"] = int(deployment.get("failedTasks", 0)) + 1
            deployment["updatedAt"] = _dt(at)
            self.trip_breaker_if_needed(deployment, at)
        else:
            task.last_status = "RUNNING"
            task.started_at = _dt(at)
            task.health_status = "HEALTHY"
            task.set_containers("RUNNING")
        self.reconcile(at)

    def stop_tasks(self, tasks: list[BedTask], reason: str, at: float) -> None:
        running = [t for t in tasks if t.last_status == "RUNNING"]
        for task in tasks:
            task.desired_status = "STOPPED"
            task.stopped_reason = reason
            task.stop_code = "ServiceSchedulerInitiated"
            task.stopping_at = _dt(at)
            if task.last_status == "RUNNING":
                task.last_status = "DEACTIVATING"
                ENGINE.after(TIMING["ecsTaskStop"], lambda t, task=task: self.task_stopped(task, t))
            else:
                task.last_status = "STOPPED"
                task.stopped_at = _dt(at)
                task.set_containers("STOPPED")
        if running:
            ids = " ".join(f"(task {t.id})" for t in running)
            self.event(f"has stopped {len(running)} running tasks: {ids}.", at)

    def task_stopped(self, task: BedTask, at: float) -> None:
        task.last_status = "STOPPED"
        task.stopped_at = _dt(at)
        task.set_containers("STOPPED", exit_code=0)
        self.reconcile(at)

    # --- faults and the circuit breaker ------------------------------------------------------
    def fault_for(self, deployment: dict[str, Any], task: BedTask) -> dict[str, Any] | None:
        for fault in ENGINE.faults_of("ecs"):
            if fault.get("account") and fault["account"] != self.backend.account_id:
                continue
            if fault.get("region") and fault["region"] != self.backend.region_name:
                continue
            marker = fault.get("imageMarker")
            if marker:
                if any(marker in image for image in task.images):
                    return fault
                continue
            if fault.get("service") and fault["service"] != self.name:
                continue
            if fault.get("cluster") and fault["cluster"] not in (self.service.cluster_name, self.service.cluster_arn):
                continue
            if fault.get("taskDefinition") and fault["taskDefinition"] not in task.task_definition_arn:
                continue
            # A rollback returns to a task definition that worked: the service fault spares it.
            if deployment["id"] in self.rollbacks and not fault.get("taskDefinition"):
                continue
            return fault
        return None

    def trip_breaker_if_needed(self, deployment: dict[str, Any], at: float) -> None:
        _, _, breaker = self.config()
        if not breaker.get("enable") or deployment["id"] in self.breaker_tripped:
            return
        if deployment is not self.service.deployments[0]:
            return
        threshold = max(3, min(200, math.ceil(0.5 * int(self.service.desired_count or 0))))
        if int(deployment["failedTasks"]) < threshold:
            return
        self.fail_deployment(deployment, "ECS deployment circuit breaker: tasks failed to start.", "tasks failed to start", "circuit breaker", at)
        if breaker.get("rollback"):
            rollback = self.roll_back_from(deployment, at)
            if rollback is not None:
                deployment["rolloutStateReason"] = f"ECS deployment circuit breaker: rolling back to deploymentId {rollback['id']}."

    def fail_deployment(self, deployment: dict[str, Any], reason: str, said: str, cause: str, at: float, **mark: Any) -> None:
        """FAILED, with ECS's service event; it launches no more tasks, and those not started yet are abandoned."""
        self.breaker_tripped.add(deployment["id"])
        deployment["rolloutState"] = "FAILED"
        deployment["rolloutStateReason"] = reason
        deployment["updatedAt"] = _dt(at)
        self.event(f"(deployment {deployment['id']}) deployment failed: {said}.", at)
        ENGINE.mark(
            "ecs",
            deployment["id"],
            "failed",
            at,
            account=self.backend.account_id,
            region=self.backend.region_name,
            cluster=self.service.cluster_name,
            service=self.name,
            taskDefinition=deployment["taskDefinition"],
            **mark,
        )
        pending = [t for t in self.active(deployment) if t.last_status != "RUNNING"]
        self.stop_tasks(pending, f"Deployment failed: {cause}", at)

    def roll_back_from(self, deployment: dict[str, Any], at: float) -> dict[str, Any] | None:
        """A deployment of the last COMPLETED task definition, as ECS's rollback starts; None when there is none."""
        if not self.last_completed_td or self.last_completed_td == deployment["taskDefinition"]:
            return None
        rollback = self.new_deployment(at, self.last_completed_td, rollback_of=deployment["id"])
        self.event(f"(deployment {deployment['id']}) rolling back to deployment {rollback['id']}.", at)
        ENGINE.marks["ecs"][deployment["id"]]["rolledBackTo"] = rollback["id"]
        return rollback

def sim_of(backend: EC2ContainerServiceBackend, service: Service) -> ServiceSim:
    sim = getattr(service, "_bed_sim", None)
    if sim is None:
        sim = ServiceSim(backend, service)
        service._bed_sim = sim  # type: ignore[attr-defined]
    return sim


# --- patches ----------------------------------------------------------------------------------
_create_config: dict[str, Any] = {}

_orig_response_create_service = EC2ContainerServiceResponse.create_service
_orig_create_service = EC2ContainerServiceBackend.create_service
_orig_update_service = EC2ContainerServiceBackend.update_service
_orig_list_tasks = EC2ContainerServiceBackend.list_tasks
_orig_stop_task = EC2ContainerServiceBackend.stop_task
_orig_delete_service = EC2ContainerServiceBackend.delete_service


def _response_create_service(self: EC2ContainerServiceResponse) -> Any:
    # moto drops deploymentConfiguration on create; the rollout needs it (requests are serialised).
    _create_config["value"] = self._get_param("deploymentConfiguration")
    try:
        return _orig_response_create_service(self)
    finally:
        _create_config.pop("value", None)


def _create_service(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Service:
    service = _orig_create_service(self, *args, **kwargs)
    config = _create_config.get("value")
    service.deployment_configuration = config or {  # type: ignore[attr-defined]
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
    }
    controller = (service.deployment_controller or {}).get("type", "ECS")
    at = ENGINE.now()
    if controller == "ECS":
        service.running_count = 0
        service.pending_count = 0
        service.deployments = []
        if service.task_definition:
            sim_of(self, service).new_deployment(at, service.task_definition)
    elif controller == "CODE_DEPLOY":
        # CodeDeploy owns this service's rollouts; its original tasks run from the start.
        service.running_count = service.desired_count
        service.pending_count = 0
    return service


def _update_service(self: EC2ContainerServiceBackend, service_properties: dict[str, Any]) -> Service:
    cluster_str = service_properties.get("cluster", "default")
    service_name = str(service_properties.get("service", "")).split("/")[-1]
    service = self._get_service(cluster_str, service_name)
    controller = (service.deployment_controller or {}).get("type", "ECS")
    task_definition_str = service_properties.get("task_definition")
    force = bool(service_properties.get("force_new_deployment"))
    new_td = self.describe_task_definition(task_definition_str).arn if task_definition_str else None
    volumes = service_properties.get("volume_configurations")
    if volumes:
        if controller != "ECS":
            raise InvalidParameterException(
                f"Volume configurations are not supported for services with the {controller} deployment controller."
            )
        _check_volume_configurations(self, volumes, new_td or service.task_definition)
    if controller == "CODE_DEPLOY":
        if new_td and new_td != service.task_definition:
            raise InvalidParameterException(
                "Unable to update task definition on services with a CODE_DEPLOY deployment controller. "
                "Use AWS CodeDeploy to trigger a new deployment."
            )
        if force:
            raise InvalidParameterException(
                "Cannot force a new deployment on services with a CODE_DEPLOY deployment controller. "
                "Use AWS CodeDeploy to trigger a new deployment."
            )
    if controller != "ECS":
        return _orig_update_service(self, service_properties)
    old_td = service.task_definition
    properties = dict(service_properties)
    properties["force_new_deployment"] = False
    if new_td:
        properties["task_definition"] = new_td
    service = _orig_update_service(self, properties)
    if isinstance(service.deployment_configuration, dict):  # type: ignore[attr-defined]
        config = service.deployment_configuration  # type: ignore[attr-defined]
        config.setdefault("maximumPercent", 200)
        config.setdefault("minimumHealthyPercent", 100)
    sim = sim_of(self, service)
    at = ENGINE.now()
    if force or (new_td and new_td != old_td):
        sim.new_deployment(at, service.task_definition)
    else:
        service.task_definition = old_td
        sim.reconcile(at)
    sim.update_counts(at)
    return service


def _check_volume_configurations(backend: EC2ContainerServiceBackend, volumes: list[dict[str, Any]], task_definition: str | None) -> None:
    """As ECS: each names a volume the task definition configures at launch, with the infrastructure role."""
    td = backend.describe_task_definition(task_definition) if task_definition else None
    at_launch = [v.get("name") for v in (getattr(td, "volumes", None) or []) if v.get("configuredAtLaunch")]
    for volume in volumes:
        name = volume.get("name")
        ebs = volume.get("managedEBSVolume")
        if not isinstance(ebs, dict) or not ebs.get("roleArn"):
            raise InvalidParameterException(f"The managedEBSVolume of volume configuration '{name}' must have a roleArn.")
        if name not in at_launch:
            raise InvalidParameterException(
                f"The volume configuration '{name}' does not match a volume in the task definition that is configured at launch."
            )


def _list_tasks(self: EC2ContainerServiceBackend, cluster_str: Any = None, container_instance: Any = None, family: Any = None,
                started_by: Any = None, service_name: Any = None, desiredStatus: Any = None) -> list[Any]:
    # AWS lists only RUNNING-desired tasks unless asked, and filters by service (moto does neither).
    tasks = _orig_list_tasks(self, cluster_str, container_instance, family, started_by, None, desiredStatus or "RUNNING")
    if service_name:
        name = str(service_name).split("/")[-1]
        tasks = [t for t in tasks if getattr(t, "group", None) == f"service:{name}"]
    return tasks


def _stop_task(self: EC2ContainerServiceBackend, cluster_str: str, task_str: str, reason: str) -> Any:
    # As in AWS, stopping a task that has stopped changes nothing (its exit codes stay).
    cluster = self._get_cluster(cluster_str)
    task_id = str(task_str).split("/")[-1]
    for arn, known in self.tasks.get(cluster.name, {}).items():
        if arn.endswith(task_id) and isinstance(known, BedTask) and known.last_status == "STOPPED":
            return known
    task = _orig_stop_task(self, cluster_str, task_str, reason)
    if isinstance(task, BedTask):
        task.stopped_at = task.stopping_at = _dt(ENGINE.now())
        task.stop_code = "UserInitiated"
        task.set_containers("STOPPED", exit_code=143)
        for service in self.services.values():
            sim = getattr(service, "_bed_sim", None)
            if sim is not None and any(task in tasks for tasks in sim.tasks.values()):
                sim.steady = False
                sim.reconcile(ENGINE.now())
    return task


def _delete_service(self: EC2ContainerServiceBackend, cluster_name: str, service_name: str, force: bool) -> Service:
    service = _orig_delete_service(self, cluster_name, service_name, force)
    sim = getattr(service, "_bed_sim", None)
    if sim is not None:
        at = ENGINE.now()
        for deployment in service.deployments:
            sim.stop_tasks(sim.active(deployment), "Service deleted", at)
    return service


def install() -> None:
    EC2ContainerServiceResponse.create_service = _response_create_service  # type: ignore[method-assign]
    EC2ContainerServiceBackend.create_service = _create_service  # type: ignore[method-assign]
    EC2ContainerServiceBackend.update_service = _update_service  # type: ignore[method-assign]
    EC2ContainerServiceBackend.list_tasks = _list_tasks  # type: ignore[method-assign]
    EC2ContainerServiceBackend.stop_task = _stop_task  # type: ignore[method-assign]
    EC2ContainerServiceBackend.delete_service = _delete_service  # type: ignore[method-assign]
