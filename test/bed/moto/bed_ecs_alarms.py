"""ECS deployment alarms (deploymentConfiguration.alarms) applied as ECS applies them.

moto keeps the alarms an UpdateService names (bed_ecs keeps the whole deploymentConfiguration) but
never looks at them. Here, as the ECS developer guide describes ("How CloudWatch alarms detect
Amazon ECS deployment failures"):
- ECS reads the alarms (moto's CloudWatch, set with SetAlarmState) every `ecsAlarmPoll` seconds
  once a task of the new deployment runs; an alarm that went into ALARM after the deployment
  started fails it (an alarm already in ALARM when it started is ignored, as ECS does);
- with alarms, the deployment stays IN_PROGRESS for a bake time (`ecsBakeTime`) after the steady
  state, still watched, before it is COMPLETED;
- a failure sets rolloutState FAILED, launches no more tasks of it, and writes the service events
  ECS writes ("(deployment …) deployment failed: alarm detected.", "rolling back to deployment …");
  with rollback, a deployment of the last COMPLETED task definition starts and the failed one is
  drained. The events do not name the alarm (ECS's do not either); the bed's marks do.
Rollback deployments are not watched: they return to what ran before.
"""

from __future__ import annotations

import datetime
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends

from bed_ecs import TIMING, ServiceSim
from bed_engine import ENGINE

_orig_new_deployment = ServiceSim.new_deployment
_orig_reach_steady = ServiceSim.reach_steady


def alarms_in_alarm(account: str, region: str, names: list[str], since: datetime.datetime | None = None) -> list[str]:
    """The named alarms now in ALARM (with `since`, only those that went there at or after it)."""
    backend = cloudwatch_backends[account][region]
    fired = []
    for name in names:
        alarm = backend.alarms.get(name)
        if alarm is None or alarm.state_value != "ALARM":
            continue
        changed = alarm.state_updated_timestamp
        if changed.tzinfo is None:  # moto keeps naive UTC datetimes
            changed = changed.replace(tzinfo=datetime.timezone.utc)
        if since is None or changed >= since:
            fired.append(name)
    return fired


def deployment_alarms(sim: ServiceSim) -> dict[str, Any] | None:
    """The service's deployment alarms when they are enabled."""
    cfg = getattr(sim.service, "deployment_configuration", None) or {}
    alarms = cfg.get("alarms") or {}
    return alarms if alarms.get("enable") and alarms.get("alarmNames") else None


def _watched(sim: ServiceSim, deployment: dict[str, Any]) -> bool:
    return deployment_alarms(sim) is not None and deployment["id"] not in sim.rollbacks


def _new_deployment(self: ServiceSim, at: float, task_definition: str, rollback_of: str | None = None) -> dict[str, Any]:
    deployment = _orig_new_deployment(self, at, task_definition, rollback_of)
    if _watched(self, deployment):
        ENGINE.after(TIMING["ecsAlarmPoll"], lambda t, d=deployment: _poll(self, d, t))
    return deployment


def _poll(sim: ServiceSim, deployment: dict[str, Any], at: float) -> None:
    if deployment["rolloutState"] != "IN_PROGRESS" or deployment not in sim.service.deployments[:1]:
        return
    alarms = deployment_alarms(sim)
    if alarms is None:
        return
    # ECS starts watching once a task of the new deployment runs.
    if sim.running(deployment):
        fired = alarms_in_alarm(sim.backend.account_id, sim.backend.region_name, list(alarms["alarmNames"]), deployment["createdAt"])
        if fired:
            _fail_on_alarm(sim, deployment, fired, bool(alarms.get("rollback")), at)
            return
    ENGINE.after(TIMING["ecsAlarmPoll"], lambda t: _poll(sim, deployment, t))


def _fail_on_alarm(sim: ServiceSim, deployment: dict[str, Any], fired: list[str], rollback: bool, at: float) -> None:
    sim.fail_deployment(deployment, "ECS deployment failed: alarm detected.", "alarm detected", "alarm detected", at, alarms=fired)
    if sim.steady_check is not None:  # a bake in progress ends here
        sim.steady_check.cancelled = True
        sim.steady_check = None
    if not (rollback and sim.roll_back_from(deployment, at)):
        sim.reconcile(at)


def _reach_steady(self: ServiceSim, at: float) -> None:
    """With alarms, the steady state starts the bake time; COMPLETED comes after it."""
    primary = self.service.deployments[0] if self.service.deployments else None
    baked: set[str] = getattr(self, "_bed_baked", set())
    self._bed_baked = baked  # type: ignore[attr-defined]
    if primary is None or primary["rolloutState"] != "IN_PROGRESS" or not _watched(self, primary) or primary["id"] in baked:
        _orig_reach_steady(self, at)
        return
    self.steady_check = None
    if not self.is_steady():
        return

    def end_of_bake(t: float, deployment_id: str = primary["id"]) -> None:
        self.steady_check = None
        baked.add(deployment_id)
        _orig_reach_steady(self, t)

    self.steady_check = ENGINE.after(TIMING["ecsBakeTime"], end_of_bake)


def install() -> None:
    ServiceSim.new_deployment = _new_deployment  # type: ignore[method-assign]
    ServiceSim.reach_steady = _reach_steady  # type: ignore[method-assign]
