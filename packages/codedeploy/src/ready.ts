// Whether a CodeDeploy ECS deployment may have its production traffic moved to green now: it is
// held at Ready (the group waits for someone to reroute traffic) and every green task runs. The
// decision takes the deployment as read (CodeDeployView): no network.
import type { CodeDeployView } from './follow.ts';

export type SwitchReadiness =
  | { ready: true; green: { running: number; desired: number } }
  /** Green already takes all traffic: the deployment Succeeded, or blue waits to be terminated. */
  | { ready: false; reason: 'switched'; status: string }
  /** It ended Failed or Stopped. */
  | { ready: false; reason: 'ended'; status: string }
  /** Still on its way to Ready (or in a state that never holds there). */
  | { ready: false; reason: 'not-held'; status: string }
  /** Held at Ready, but green is not fully running (or has no task set). */
  | { ready: false; reason: 'green-not-running'; status: string; green: { running: number; desired: number } | undefined };

export function switchReadiness(view: CodeDeployView): SwitchReadiness {
  const status = view.deployment?.status ?? '?';
  if (status !== 'Ready') {
    if (status === 'Succeeded' || view.trafficShifted) return { ready: false, reason: 'switched', status };
    if (status === 'Failed' || status === 'Stopped') return { ready: false, reason: 'ended', status };
    return { ready: false, reason: 'not-held', status };
  }
  // The target must be fully up before it gets production traffic.
  const set = view.target?.taskSetsInfo?.find((s) => s.taskSetLabel === 'Green');
  const green = set ? { running: set.runningCount ?? 0, desired: set.desiredCount ?? 0 } : undefined;
  if (!green?.desired || green.running < green.desired) return { ready: false, reason: 'green-not-running', status, green };
  return { ready: true, green };
}
