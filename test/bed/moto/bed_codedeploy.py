"""CodeDeploy blue/green deployments for ECS that progress as in AWS.

moto stores deployments and leaves them in Created. Here a deployment of an ECS application walks
the lifecycle events in AWS's order, stops at Ready when the group waits for a manual reroute,
shifts traffic per its deployment config, waits before terminating the original task set, and
ends Succeeded; ContinueDeployment, StopDeployment (with rollback), the deployment-target APIs and
the deployment-config APIs are added. A fault injected at a lifecycle event fails it there.

Alarms, as the CodeDeploy user guide describes them ("Monitoring deployments with CloudWatch
alarms"): while a deployment runs, CodeDeploy reads the alarms of its group's alarmConfiguration
(UpdateDeploymentGroup, added here; moto neither updates groups nor returns alarmConfiguration)
every `cdAlarmPoll` seconds; when one is in ALARM the deployment stops (status Stopped,
errorInformation code ALARM_ACTIVE naming the activated alarms) and, when the group's
autoRollbackConfiguration has DEPLOYMENT_STOP_ON_ALARM, a rollback deployment returns traffic to
the original task set.
"""

from __future__ import annotations

import json
import random
import string
from typing import Any

import yaml
from moto.codedeploy.exceptions import CodeDeployException
from moto.codedeploy.models import Application, CodeDeployBackend, DeploymentGroup, DeploymentInfo
from moto.codedeploy.responses import CodeDeployResponse
from moto.ecs.models import ecs_backends

from bed_ecs_alarms import alarms_in_alarm
from bed_engine import ENGINE

LIFECYCLE = [
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
]
HOOKS = {"BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic"}
READY_AFTER = "AfterAllowTestTraffic"
ACTIVE = ("Created", "Queued", "InProgress", "Ready", "Baking")

# AWS-like durations in seconds, divided by the engine's speed factor.
TIMING: dict[str, float] = {
    "cdStart": 2.0,  # Created -> InProgress
    "cdHook": 5.0,  # a lifecycle hook with a validation Lambda
    "cdNoHook": 1.0,  # a lifecycle event without one
    "cdInstall": 15.0,  # the replacement task set reaches its desired count
    "cdTestTraffic": 2.0,  # the test listener points at the replacement
    "cdAllAtOnce": 2.0,  # all traffic moved in one step
    "cdStop": 2.0,  # a requested stop takes effect
    "cdAlarmPoll": 10.0,  # how often CodeDeploy reads the group's CloudWatch alarms
}

# The built-in ECS deployment configs (what CreateDeploymentConfig would hold for custom ones).
BUILTIN_CONFIGS: dict[str, dict[str, Any]] = {
    "CodeDeployDefault.ECSAllAtOnce": {"type": "AllAtOnce"},
    "CodeDeployDefault.ECSLinear10PercentEvery1Minutes": {"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 10, "linearInterval": 1}},
    "CodeDeployDefault.ECSLinear10PercentEvery3Minutes": {"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 10, "linearInterval": 3}},
    "CodeDeployDefault.ECSCanary10Percent5Minutes": {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5}},
    "CodeDeployDefault.ECSCanary10Percent15Minutes": {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 15}},
}
# Custom configs created through the API, per account and region.
CUSTOM_CONFIGS: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}


def _error(code: str, message: str) -> CodeDeployException:
    return CodeDeployException(code, message)


def _deployment_id() -> str:
    return "d-" + "".join(random.choice(string.ascii_uppercase + string.digits) for _ in range(9))


def _seconds(value: Any) -> Any:
    """moto keeps ISO strings; the JSON protocol (and the JS SDK) wants epoch seconds."""
    if value is None or isinstance(value, (int, float)):
        return value
    import datetime

    text = str(value).replace("Z", "+00:00")
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.timestamp()


class DeploymentSim:
    """The bed's state of one ECS deployment, attached to moto's DeploymentInfo."""

    def __init__(self, backend: CodeDeployBackend, deployment: DeploymentInfo, rollback_of: DeploymentInfo | None = None) -> None:
        self.backend = backend
        self.deployment = deployment
        self.group: DeploymentGroup = deployment.deployment_group
        self.rollback_of = rollback_of
        self.events = [{"lifecycleEventName": name, "status": "Pending"} for name in LIFECYCLE]
        self.index = -1
        self.pending: Any = None
        self.error: dict[str, str] | None = None
        self.rollback_info: dict[str, str] = {}
        self.termination_wait = False
        self.green_weight = 0.0
        self.target_status = "Pending"
        self.last_updated = ENGINE.now()
        self.appspec, self.hooks, self.task_definition, self.container = self.parse_revision()
        ecs = (self.group.ecs_services or [{}])[0]
        self.cluster = ecs.get("clusterName", "")
        self.service_name = ecs.get("serviceName", "")
        self.blue_td = self.current_service_td()

    # --- revision and ECS service -------------------------------------------------------------
    def parse_revision(self) -> tuple[Any, dict[str, str], str | None, str | None]:
        revision = self.deployment.revision or {}
        content = None
        if revision.get("revisionType") == "AppSpecContent":
            content = (revision.get("appSpecContent") or {}).get("content")
        elif revision.get("revisionType") == "String":
            content = (revision.get("string") or {}).get("content")
        if content is None:
            return None, {}, None, None
        try:
            spec = yaml.safe_load(content)
        except yaml.YAMLError:
            return None, {}, None, None
        if not isinstance(spec, dict):
            return None, {}, None, None
        hooks: dict[str, str] = {}
        for entry in spec.get("Hooks") or []:
            if isinstance(entry, dict):
                hooks.update({str(k): str(v) for k, v in entry.items()})
        task_definition = container = None
        for resource in spec.get("Resources") or []:
            for value in (resource or {}).values():
                props = (value or {}).get("Properties") or {}
                task_definition = props.get("TaskDefinition", task_definition)
                container = ((props.get("LoadBalancerInfo") or {}).get("ContainerName")) or container
        return spec, hooks, task_definition, container

    def ecs_service(self) -> Any:
        try:
            backend = ecs_backends[self.backend.account_id][self.backend.region_name]
            return backend._get_service(self.cluster, self.service_name)
        except Exception:  # the group may name a service the bed never created
            return None

    def current_service_td(self) -> str | None:
        service = self.ecs_service()
        return service.task_definition if service is not None else None

    def resolve_td(self) -> str | None:
        if not self.task_definition:
            return None
        try:
            return ecs_backends[self.backend.account_id][self.backend.region_name].describe_task_definition(self.task_definition).arn
        except Exception:
            return None

    # --- state --------------------------------------------------------------------------------
    def touch(self, at: float) -> None:
        self.last_updated = at

    def set_status(self, status: str, at: float) -> None:
        d = self.deployment
        d.status = status
        self.touch(at)
        overview = {k: 0 for k in ("Pending", "InProgress", "Succeeded", "Failed", "Skipped", "Ready")}
        self.target_status = {
            "Created": "Pending",
            "Queued": "Pending",
            "InProgress": "InProgress",
            "Ready": "Ready",
            "Succeeded": "Succeeded",
            "Failed": "Failed",
            "Stopped": "Failed",
        }.get(status, "InProgress")
        overview[self.target_status] = 1
        d.deployment_overview = overview
        mark = {"InProgress": None, "Ready": "ready", "Succeeded": "succeeded", "Failed": "failed", "Stopped": "stopped"}.get(status)
        if status == "InProgress" and d.start_time is None:
            d.start_time = at
        if status in ("Succeeded", "Failed", "Stopped"):
            d.complete_time = at
            group = self.group
            group._bed_last_attempted = {"deploymentId": d.deployment_id, "status": status, "endTime": at, "createTime": _seconds(d.create_time)}  # type: ignore[attr-defined]
            if status == "Succeeded":
                group._bed_last_successful = dict(group._bed_last_attempted)  # type: ignore[attr-defined]
        if mark:
            ENGINE.mark(
                "codedeploy",
                d.deployment_id,
                mark,
                at,
                account=self.backend.account_id,
                region=self.backend.region_name,
                application=d.application_name,
                deploymentGroup=d.deployment_group_name,
                rollback=self.rollback_of is not None,
            )

    def schedule(self, aws_seconds: float, fn: Any) -> None:
        self.pending = ENGINE.after(aws_seconds, fn)

    def cancel(self) -> None:
        if self.pending is not None:
            self.pending.cancelled = True
            self.pending = None

    def start(self) -> None:
        self.schedule(TIMING["cdStart"], self.begin)

    def begin(self, at: float) -> None:
        self.set_status("InProgress", at)
        if self.appspec is None:
            self.fail(at, "INVALID_REVISION", "The AppSpec content could not be read: give YAML or JSON with Resources[0].TargetService.", event=None)
            return
        if self.rollback_of is not None:
            # A rollback reroutes traffic to the original task set: only the traffic events run.
            for event in self.events:
                if event["lifecycleEventName"] not in ("BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"):
                    event["status"] = "Skipped"
            self.index = LIFECYCLE.index("BeforeAllowTraffic") - 1
            # Here "green" is the replacement being backed out: it keeps what it had been given.
            failed = sim_of(self.rollback_of)
            self.green_weight = failed.green_weight if failed is not None else 0.0
        else:
            ENGINE.after(TIMING["cdAlarmPoll"], self.poll_alarms)
        self.next_event(at)

    def poll_alarms(self, at: float) -> None:
        """Stops the deployment when an alarm of its group is in ALARM (ALARM_ACTIVE)."""
        if self.deployment.status not in ("InProgress", "Ready"):
            return
        config = self.group.alarm_configuration or {}
        names = [a.get("name") for a in config.get("alarms") or [] if a.get("name")]
        if config.get("enabled") and names:
            fired = alarms_in_alarm(self.backend.account_id, self.backend.region_name, names)
            if fired:
                message = (
                    "One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, "
                    f"and the affected deployments have been stopped. Activated alarms: {', '.join(fired)}"
                )
                ENGINE.marks["codedeploy"].setdefault(self.deployment.deployment_id, {})["alarms"] = fired
                self.stop(at, "ALARM_ACTIVE", message, rollback=self.rollback_enabled_for("DEPLOYMENT_STOP_ON_ALARM"))
                return
        ENGINE.after(TIMING["cdAlarmPoll"], self.poll_alarms)

    def next_event(self, at: float) -> None:
        self.index += 1
        if self.index >= len(LIFECYCLE):
            self.after_traffic(at)
            return
        event = self.events[self.index]
        if event["status"] == "Skipped":
            self.next_event(at)
            return
        event["status"] = "InProgress"
        event["startTime"] = at
        self.touch(at)
        name = event["lifecycleEventName"]
        if name == "Install":
            service = self.ecs_service()
            if service is not None and self.resolve_td() is None:
                self.schedule(TIMING["cdNoHook"], lambda t: self.fail(t, "ECS_UPDATE_ERROR", f"The ECS service cannot be updated: task definition {self.task_definition} does not exist.", event=name))
                return
            self.schedule(TIMING["cdInstall"], lambda t: self.finish_event(t))
        elif name == "AllowTestTraffic":
            self.schedule(TIMING["cdTestTraffic"], lambda t: self.finish_event(t))
        elif name == "AllowTraffic":
            self.shift_traffic(at)
        else:
            self.schedule(TIMING["cdHook"] if name in self.hooks else TIMING["cdNoHook"], lambda t: self.finish_event(t))

    def finish_event(self, at: float) -> None:
        self.pending = None
        event = self.events[self.index]
        name = event["lifecycleEventName"]
        fault = self.fault_for(name)
        if fault is None and name == "Install" and self.image_faulted():
            fault = {"message": "The ECS service cannot reach a steady state: tasks in the replacement task set failed to start (Essential container in task exited)."}
        if fault is not None:
            self.fail(at, self.error_code(name), fault.get("message") or self.error_message(name), event=name)
            return
        event["status"] = "Succeeded"
        event["endTime"] = at
        if self.rollback_of is None and name == "Install":
            self.green_weight = 0.0
        if name == READY_AFTER and self.rollback_of is None and self.waits_for_reroute():
            self.set_status("Ready", at)
            minutes = float(((self.group.blue_green_deployment_configuration or {}).get("deploymentReadyOption") or {}).get("waitTimeInMinutes") or 0)
            if minutes > 0:
                self.schedule(minutes * 60, self.ready_timeout)
            return
        self.next_event(at)

    def waits_for_reroute(self) -> bool:
        option = (self.group.blue_green_deployment_configuration or {}).get("deploymentReadyOption") or {}
        return option.get("actionOnTimeout") == "STOP_DEPLOYMENT"

    def ready_timeout(self, at: float) -> None:
        self.pending = None
        self.stop(at, "TIMEOUT", "The deployment timed out while waiting for someone to start rerouting traffic (ContinueDeployment).", rollback=False)

    def proceed_from_ready(self, at: float) -> None:
        self.cancel()
        self.set_status("InProgress", at)
        self.next_event(at)

    # --- traffic ------------------------------------------------------------------------------
    def routing(self) -> dict[str, Any]:
        name = str(self.deployment.deployment_config_name)
        custom = CUSTOM_CONFIGS.get((self.backend.account_id, self.backend.region_name), {})
        if name in custom:
            return custom[name].get("trafficRoutingConfig") or {"type": "AllAtOnce"}
        return BUILTIN_CONFIGS.get(name, {"type": "AllAtOnce"})

    def shift_traffic(self, at: float) -> None:
        if self.rollback_of is not None:
            self.green_weight = 0.0  # all traffic returns to the original task set
            self.schedule(TIMING["cdAllAtOnce"], lambda t: self.finish_event(t))
            return
        routing = self.routing()
        kind = routing.get("type", "AllAtOnce")
        steps: list[tuple[float, float]] = []  # (delay before the step in seconds, green weight)
        if kind == "TimeBasedCanary":
            canary = routing.get("timeBasedCanary") or {}
            steps = [(TIMING["cdAllAtOnce"], float(canary.get("canaryPercentage", 10))), (float(canary.get("canaryInterval", 5)) * 60, 100.0)]
        elif kind == "TimeBasedLinear":
            linear = routing.get("timeBasedLinear") or {}
            pct = float(linear.get("linearPercentage", 10)) or 100.0
            weight, first = 0.0, True
            while weight < 100.0:
                weight = min(100.0, weight + pct)
                steps.append((TIMING["cdAllAtOnce"] if first else float(linear.get("linearInterval", 1)) * 60, weight))
                first = False
        else:
            steps = [(TIMING["cdAllAtOnce"], 100.0)]

        def run(i: int) -> None:
            delay, weight = steps[i]

            def apply(t: float) -> None:
                self.green_weight = weight
                self.touch(t)
                if i + 1 < len(steps):
                    run(i + 1)
                else:
                    self.finish_event(t)

            self.schedule(delay, apply)

        run(0)

    def after_traffic(self, at: float) -> None:
        ENGINE.mark("codedeploy", self.deployment.deployment_id, "trafficShifted", at)
        terminate = (self.group.blue_green_deployment_configuration or {}).get("terminateBlueInstancesOnDeploymentSuccess") or {}
        minutes = float(terminate.get("terminationWaitTimeInMinutes") or 0)
        if self.rollback_of is None and minutes > 0:
            self.termination_wait = True
            self.deployment.instance_termination_wait_time_started = True
            self.schedule(minutes * 60, self.succeed)
        else:
            self.succeed(at)

    def succeed(self, at: float) -> None:
        self.pending = None
        self.termination_wait = False
        service = self.ecs_service()
        green = self.resolve_td()
        if service is not None and green and self.rollback_of is None:
            service.task_definition = green
        self.set_status("Succeeded", at)

    # --- failure, stop, rollback ----------------------------------------------------------------
    def fault_for(self, event_name: str) -> dict[str, Any] | None:
        if self.rollback_of is not None:
            return None
        d = self.deployment
        for fault in ENGINE.faults_of("codedeploy"):
            if fault.get("lifecycleEvent") != event_name:
                continue
            if fault.get("account") and fault["account"] != self.backend.account_id:
                continue
            if fault.get("deploymentId") and fault["deploymentId"] != d.deployment_id:
                continue
            if fault.get("application") and fault["application"] != d.application_name:
                continue
            if fault.get("deploymentGroup") and fault["deploymentGroup"] != d.deployment_group_name:
                continue
            return fault
        return None

    def image_faulted(self) -> bool:
        # An ECS fault by image marker also keeps the replacement task set from starting.
        td_arn = self.resolve_td()
        if not td_arn:
            return False
        try:
            td = ecs_backends[self.backend.account_id][self.backend.region_name].describe_task_definition(td_arn)
        except Exception:
            return False
        images = [c.get("image", "") for c in td.container_definitions]
        for fault in ENGINE.faults_of("ecs"):
            marker = fault.get("imageMarker")
            if marker and any(marker in image for image in images):
                return True
        return False

    def error_code(self, event_name: str) -> str:
        if event_name in HOOKS:
            return "HOOK_EXECUTION_FAILURE"
        if event_name == "Install":
            return "ECS_UPDATE_ERROR"
        return "ELASTIC_LOAD_BALANCING_INVALID"

    def error_message(self, event_name: str) -> str:
        if event_name in HOOKS:
            function = self.hooks.get(event_name)
            target = f" ({function})" if function else ""
            return f"The deployment failed because a validation Lambda function{target} failed during the {event_name} lifecycle event."
        if event_name == "Install":
            return "The deployment failed during the Install lifecycle event: the replacement task set did not reach a steady state."
        return f"The deployment failed during the {event_name} lifecycle event: the load balancer could not reroute traffic."

    def fail(self, at: float, code: str, message: str, event: str | None) -> None:
        self.cancel()
        if event is not None:
            for entry in self.events:
                if entry["lifecycleEventName"] == event:
                    entry["status"] = "Failed"
                    entry["endTime"] = at
                    entry["diagnostics"] = {"errorCode": "ScriptFailed", "scriptName": self.hooks.get(event, ""), "message": message, "logTail": ""}
        for entry in self.events:
            if entry["status"] in ("Pending", "InProgress"):
                entry["status"] = "Skipped"
        self.error = {"code": code, "message": message}
        self.set_status("Failed", at)
        if self.rollback_enabled_for("DEPLOYMENT_FAILURE"):
            self.roll_back(at, f"Deployment {self.deployment.deployment_id} failed at {event or 'start'}; rolling back to the original task set.")

    def rollback_enabled_for(self, event: str) -> bool:
        config = self.deployment.auto_rollback_configuration or self.group.auto_rollback_configuration or {}
        return bool(config.get("enabled")) and event in (config.get("events") or [])

    def stop(self, at: float, code: str, message: str, rollback: bool) -> None:
        self.cancel()
        for entry in self.events:
            if entry["status"] in ("Pending", "InProgress"):
                entry["status"] = "Skipped"
        self.error = {"code": code, "message": message}
        self.set_status("Stopped", at)
        if rollback and self.rollback_of is None:
            self.roll_back(at, f"Deployment {self.deployment.deployment_id} was stopped; rolling back to the original task set.")

    def roll_back(self, at: float, message: str) -> None:
        rollback = create_rollback(self.backend, self.deployment)
        self.rollback_info = {"rollbackDeploymentId": rollback.deployment_id, "rollbackMessage": message}
        ENGINE.marks["codedeploy"].setdefault(self.deployment.deployment_id, {})["rolledBackBy"] = rollback.deployment_id

    # --- the ECS deployment target -----------------------------------------------------------
    def target_id(self) -> str:
        return f"{self.cluster}:{self.service_name}"

    def task_sets(self) -> list[dict[str, Any]]:
        service = self.ecs_service()
        desired = int(getattr(service, "desired_count", 1) or 1) if service is not None else 1
        blue_weight = 100.0 - self.green_weight
        done = self.deployment.status == "Succeeded"
        green_created = self.rollback_of is None and self.index >= LIFECYCLE.index("Install")
        green_running = self.events[LIFECYCLE.index("Install")]["status"] == "Succeeded"
        sets = []
        if not (done and self.rollback_of is None):
            sets.append({"identifer": f"ecs-svc/{abs(hash((self.deployment.deployment_id, 'blue'))) % 10**19:019d}", "desiredCount": desired,
                         "pendingCount": 0, "runningCount": desired, "status": "PRIMARY" if blue_weight >= 50 else "ACTIVE",
                         "trafficWeight": blue_weight, "targetGroup": {"name": self.target_group(0)}, "taskSetLabel": "Blue"})
        if green_created:
            running = desired if green_running else 0
            sets.append({"identifer": f"ecs-svc/{abs(hash((self.deployment.deployment_id, 'green'))) % 10**19:019d}", "desiredCount": desired,
                         "pendingCount": desired - running, "runningCount": running, "status": "PRIMARY" if self.green_weight > 50 else "ACTIVE",
                         "trafficWeight": self.green_weight, "targetGroup": {"name": self.target_group(1)}, "taskSetLabel": "Green"})
        return sets

    def target_group(self, index: int) -> str:
        pairs = (self.group.load_balancer_info or {}).get("targetGroupPairInfoList") or [{}]
        groups = pairs[0].get("targetGroups") or []
        return groups[index]["name"] if index < len(groups) and "name" in groups[index] else ""

    def target(self) -> dict[str, Any]:
        service = self.ecs_service()
        return {
            "deploymentTargetType": "ECSTarget",
            "ecsTarget": {
                "deploymentId": self.deployment.deployment_id,
                "targetId": self.target_id(),
                "targetArn": service.arn if service is not None else f"arn:aws:ecs:{self.backend.region_name}:{self.backend.account_id}:service/{self.cluster}/{self.service_name}",
                "lastUpdatedAt": self.last_updated,
                "lifecycleEvents": [dict(e) for e in self.events],
                "status": self.target_status,
                "taskSetsInfo": self.task_sets(),
            },
        }


def create_rollback(backend: CodeDeployBackend, failed: DeploymentInfo) -> DeploymentInfo:
    rollback = DeploymentInfo(
        failed.application,
        failed.deployment_group,
        failed.revision,
        failed.deployment_config_name,
        f"Rollback of {failed.deployment_id}",
        None,
        None,
        None,
        None,
        None,
        None,
        "codeDeployRollback",
    )
    rollback.deployment_id = _deployment_id()
    backend.deployments[rollback.deployment_id] = rollback
    sim = DeploymentSim(backend, rollback, rollback_of=failed)
    sim.rollback_info = {"rollbackTriggeringDeploymentId": failed.deployment_id}
    rollback._bed_sim = sim  # type: ignore[attr-defined]
    sim.start()
    return rollback


def sim_of(deployment: DeploymentInfo) -> DeploymentSim | None:
    return getattr(deployment, "_bed_sim", None)


# --- model serialisation ------------------------------------------------------------------------
_orig_deployment_to_dict = DeploymentInfo.to_dict
_orig_application_to_dict = Application.to_dict
_orig_group_to_dict = DeploymentGroup.to_dict


def _deployment_to_dict(self: DeploymentInfo) -> dict[str, Any]:
    data = _orig_deployment_to_dict(self)
    for key in ("createTime", "startTime", "completeTime"):
        data[key] = _seconds(data.get(key))
    sim = sim_of(self)
    if sim is not None:
        data["errorInformation"] = sim.error or {}
        data["rollbackInfo"] = sim.rollback_info
    for key in [k for k, v in data.items() if v is None or v == {} or v == []]:
        del data[key]
    return data


def _application_to_dict(self: Application) -> dict[str, Any]:
    data = _orig_application_to_dict(self)
    data["createTime"] = _seconds(data.get("createTime"))
    return data


def _group_to_dict(self: DeploymentGroup) -> dict[str, Any]:
    data = _orig_group_to_dict(self)
    if data.get("deploymentConfigName") in (None, "None"):
        data["deploymentConfigName"] = _default_config(self)
    data["alarmConfiguration"] = self.alarm_configuration or {}
    data["lastAttemptedDeployment"] = getattr(self, "_bed_last_attempted", {})
    data["lastSuccessfulDeployment"] = getattr(self, "_bed_last_successful", {})
    for key in [k for k, v in data.items() if v is None or v == {} or v == []]:
        del data[key]
    return data


def _default_config(group: DeploymentGroup) -> str:
    if group.application.compute_platform == "ECS":
        return "CodeDeployDefault.ECSAllAtOnce"
    if group.application.compute_platform == "Lambda":
        return "CodeDeployDefault.LambdaAllAtOnce"
    return "CodeDeployDefault.OneAtATime"


# --- backend patches ------------------------------------------------------------------------------
_orig_create_deployment = CodeDeployBackend.create_deployment


def _create_deployment(self: CodeDeployBackend, application_name: str, deployment_group_name: str, revision: Any, *args: Any, **kwargs: Any) -> str:
    group = self.deployment_groups.get(application_name, {}).get(deployment_group_name)
    if group is not None:
        for other in self.deployments.values():
            if other.deployment_group is group and other.status in ACTIVE:
                raise _error("DeploymentLimitExceededException", f"The Deployment Group '{deployment_group_name}' already has an active Deployment '{other.deployment_id}'")
    deployment_id = _orig_create_deployment(self, application_name, deployment_group_name, revision, *args, **kwargs)
    deployment = self.deployments.pop(deployment_id)
    deployment.deployment_id = _deployment_id()
    self.deployments[deployment.deployment_id] = deployment
    if not deployment.deployment_config_name:
        config = group.deployment_config_name if group is not None else None
        deployment.deployment_config_name = config or _default_config(deployment.deployment_group)
    name = str(deployment.deployment_config_name)
    if deployment.application.compute_platform == "ECS":
        custom = CUSTOM_CONFIGS.get((self.account_id, self.region_name), {})
        if name not in BUILTIN_CONFIGS and name not in custom:
            self.deployments.pop(deployment.deployment_id)
            raise _error("DeploymentConfigDoesNotExistException", f"The deployment configuration {name} does not exist with the user or AWS account.")
        sim = DeploymentSim(self, deployment)
        deployment._bed_sim = sim  # type: ignore[attr-defined]
        sim.start()
    return deployment.deployment_id


def _get_sim(backend: CodeDeployBackend, deployment_id: str | None) -> tuple[DeploymentInfo, DeploymentSim]:
    if not deployment_id:
        raise _error("DeploymentIdRequiredException", "At least one deployment ID must be specified.")
    deployment = backend.get_deployment(deployment_id)
    sim = sim_of(deployment)
    if sim is None:
        raise _error("UnsupportedActionForDeploymentTypeException", "This action is only supported for blue/green deployments on the ECS compute platform.")
    return deployment, sim


# --- new API operations -----------------------------------------------------------------------------
def continue_deployment(self: CodeDeployResponse) -> str:
    deployment, sim = _get_sim(self.codedeploy_backend, self._get_param("deploymentId"))
    wait_type = self._get_param("deploymentWaitType") or "READY_WAIT"
    if wait_type not in ("READY_WAIT", "TERMINATION_WAIT"):
        raise _error("InvalidDeploymentWaitTypeException", f"The wait type {wait_type} is invalid.")
    if deployment.status not in ACTIVE:
        raise _error("DeploymentAlreadyCompletedException", f"The deployment {deployment.deployment_id} has already completed.")
    at = ENGINE.now()
    if wait_type == "READY_WAIT":
        if deployment.status != "Ready":
            raise _error("DeploymentIsNotInReadyStateException", f"The deployment {deployment.deployment_id} is not in a ready state.")
        sim.proceed_from_ready(at)
    else:
        if not sim.termination_wait:
            raise _error("InvalidDeploymentStatusException", f"The deployment {deployment.deployment_id} is not waiting to terminate the original task set.")
        sim.cancel()
        sim.succeed(at)
    return "{}"


def stop_deployment(self: CodeDeployResponse) -> str:
    deployment, sim = _get_sim(self.codedeploy_backend, self._get_param("deploymentId"))
    if deployment.status not in ACTIVE:
        raise _error("DeploymentAlreadyCompletedException", f"The deployment {deployment.deployment_id} has already completed.")
    rollback_param = self._get_param("autoRollbackEnabled")
    rollback = bool(rollback_param) if rollback_param is not None else sim.rollback_enabled_for("DEPLOYMENT_STOP_ON_REQUEST")
    sim.cancel()
    sim.schedule(TIMING["cdStop"], lambda t: sim.stop(t, "MANUAL_STOP", "The deployment was stopped by a user request.", rollback=rollback))
    message = "Stopping Pending. Stopping to roll back deployment." if rollback else "Stopping Pending."
    return json.dumps({"status": "Pending", "statusMessage": message})


def list_deployment_targets(self: CodeDeployResponse) -> str:
    deployment = self.codedeploy_backend.get_deployment(self._get_param("deploymentId"))
    sim = sim_of(deployment)
    if sim is None:
        return json.dumps({"targetIds": []})
    if deployment.status in ("Created", "Queued"):
        raise _error("DeploymentNotStartedException", f"The deployment {deployment.deployment_id} has not started.")
    return json.dumps({"targetIds": [sim.target_id()]})


def _target(backend: CodeDeployBackend, deployment_id: str, target_id: str) -> dict[str, Any]:
    deployment, sim = _get_sim(backend, deployment_id)
    if deployment.status in ("Created", "Queued"):
        raise _error("DeploymentNotStartedException", f"The deployment {deployment_id} has not started.")
    if target_id != sim.target_id():
        raise _error("DeploymentTargetDoesNotExistException", f"The target {target_id} does not exist in deployment {deployment_id}.")
    return sim.target()


def get_deployment_target(self: CodeDeployResponse) -> str:
    target = _target(self.codedeploy_backend, self._get_param("deploymentId"), self._get_param("targetId"))
    return json.dumps({"deploymentTarget": target})


def batch_get_deployment_targets(self: CodeDeployResponse) -> str:
    deployment_id = self._get_param("deploymentId")
    targets = [_target(self.codedeploy_backend, deployment_id, t) for t in self._get_param("targetIds") or []]
    return json.dumps({"deploymentTargets": targets})


def _config_info(name: str, routing: dict[str, Any], platform: str = "ECS") -> dict[str, Any]:
    return {
        "deploymentConfigId": name,
        "deploymentConfigName": name,
        "computePlatform": platform,
        "trafficRoutingConfig": routing,
        "createTime": 0,
    }


def get_deployment_config(self: CodeDeployResponse) -> str:
    name = self._get_param("deploymentConfigName")
    backend = self.codedeploy_backend
    custom = CUSTOM_CONFIGS.get((backend.account_id, backend.region_name), {})
    if name in custom:
        return json.dumps({"deploymentConfigInfo": custom[name]})
    if name in BUILTIN_CONFIGS:
        return json.dumps({"deploymentConfigInfo": _config_info(name, BUILTIN_CONFIGS[name])})
    raise _error("DeploymentConfigDoesNotExistException", f"The deployment configuration {name} does not exist with the user or AWS account.")


def create_deployment_config(self: CodeDeployResponse) -> str:
    name = self._get_param("deploymentConfigName")
    backend = self.codedeploy_backend
    custom = CUSTOM_CONFIGS.setdefault((backend.account_id, backend.region_name), {})
    if name in custom or name in BUILTIN_CONFIGS:
        raise _error("DeploymentConfigAlreadyExistsException", f"A deployment configuration with the name {name} already exists.")
    info = _config_info(name, self._get_param("trafficRoutingConfig") or {"type": "AllAtOnce"}, self._get_param("computePlatform") or "ECS")
    info["createTime"] = ENGINE.now()
    info["deploymentConfigId"] = "".join(random.choice("0123456789abcdef") for _ in range(32))
    custom[name] = info
    return json.dumps({"deploymentConfigId": info["deploymentConfigId"]})


def update_deployment_group(self: CodeDeployResponse) -> str:
    """What the bed's tests and deploy-ecs change on a group: alarms, rollback, config, blue/green options."""
    backend = self.codedeploy_backend
    application = self._get_param("applicationName")
    name = self._get_param("currentDeploymentGroupName")
    if application not in backend.applications:
        raise _error("ApplicationDoesNotExistException", f"No application found for name: {application}")
    group = backend.deployment_groups.get(application, {}).get(name)
    if group is None:
        raise _error("DeploymentGroupDoesNotExistException", f"No Deployment Group found for name: {name}")
    alarms = self._get_param("alarmConfiguration")
    if alarms is not None:
        if len(alarms.get("alarms") or []) > 10:
            raise _error("AlarmsLimitExceededException", "The maximum number of alarms for a deployment group (10) was exceeded.")
        group.alarm_configuration = alarms
    for param, attribute in (
        ("autoRollbackConfiguration", "auto_rollback_configuration"),
        ("deploymentConfigName", "deployment_config_name"),
        ("blueGreenDeploymentConfiguration", "blue_green_deployment_configuration"),
        ("serviceRoleArn", "service_role_arn"),
    ):
        value = self._get_param(param)
        if value is not None:
            setattr(group, attribute, value)
    new_name = self._get_param("newDeploymentGroupName")
    if new_name and new_name != name:
        groups = backend.deployment_groups[application]
        groups[new_name] = groups.pop(name)
        group.deployment_group_name = new_name
    return json.dumps({"hooksNotCleanedUp": []})


def list_deployment_configs(self: CodeDeployResponse) -> str:
    backend = self.codedeploy_backend
    custom = CUSTOM_CONFIGS.get((backend.account_id, backend.region_name), {})
    return json.dumps({"deploymentConfigsList": sorted(BUILTIN_CONFIGS) + sorted(custom)})


def install() -> None:
    DeploymentInfo.to_dict = _deployment_to_dict  # type: ignore[method-assign]
    Application.to_dict = _application_to_dict  # type: ignore[method-assign]
    DeploymentGroup.to_dict = _group_to_dict  # type: ignore[method-assign]
    CodeDeployBackend.create_deployment = _create_deployment  # type: ignore[method-assign]
    for fn in (continue_deployment, stop_deployment, list_deployment_targets, get_deployment_target, batch_get_deployment_targets,
               get_deployment_config, create_deployment_config, list_deployment_configs, update_deployment_group):
        setattr(CodeDeployResponse, fn.__name__, fn)
