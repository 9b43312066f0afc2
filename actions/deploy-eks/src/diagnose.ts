// What a person needs when a target color fails: the pod's reason and message, its recent
// events and the last lines of its container's log (the previous instance's for a crash loop),
// each fetched only if the cluster can give it.
import type { CoreV1Event, V1Deployment } from '@kubernetes/client-node';
import { sleep } from '@expeditor/shared/deadline';
import { describeError } from '@expeditor/shared/errors';
import type { KubeConnection } from '@expeditor/kube/connect';
import type { Failure } from '@expeditor/bluegreen/readiness';

export interface Diagnosis {
  kind: Failure['kind'] | 'Deadline';
  pod: string | undefined;
  container: string | undefined;
  message: string;
  /** `Warning BackOff: Back-off pulling image … (x3)`, newest last. */
  events: string[];
  logs: string[];
  /** Why events or logs are missing, when they are. */
  notes: string[];
}

const eventCount = 5;
const logLines = 20;
/** How long the events of a failure may trail its status. */
const eventLagMs = 1_500;

export async function diagnose(
  connection: KubeConnection,
  namespace: string,
  failure: Failure,
  deployment: V1Deployment | undefined,
): Promise<Diagnosis> {
  const diagnosis: Diagnosis = {
    kind: failure.kind,
    pod: failure.pod,
    container: failure.container,
    message: failure.message,
    events: [],
    logs: [],
    notes: [],
  };
  const subject = failure.pod ?? deployment?.metadata?.name;
  if (subject) {
    try {
      const list = () => connection.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${subject}` });
      let events = (await list()).items;
      // Events are recorded apart from the status that showed the failure and can trail it: one more look.
      if (events.length === 0) events = await sleep(eventLagMs).then(async () => (await list()).items);
      diagnosis.events = events
        .sort((a, b) => eventTime(a) - eventTime(b))
        .slice(-eventCount)
        .map(formatEvent);
    } catch (error) {
      diagnosis.notes.push(`events unavailable: ${describeError(error)}`);
    }
  }
  if (
    failure.pod &&
    failure.kind !== 'Unschedulable' &&
    failure.kind !== 'ErrImagePull' &&
    failure.kind !== 'ImagePullBackOff' &&
    failure.kind !== 'InvalidImageName'
  ) {
    diagnosis.logs = await lastLogLines(
      connection,
      namespace,
      failure.pod,
      failure.container,
      failure.kind === 'CrashLoopBackOff',
      diagnosis.notes,
    );
  }
  return diagnosis;
}

async function lastLogLines(
  connection: KubeConnection,
  namespace: string,
  pod: string,
  container: string | undefined,
  previous: boolean,
  notes: string[],
): Promise<string[]> {
  // A crash-looping container's useful log is the instance that just exited.
  for (const usePrevious of previous ? [true, false] : [false]) {
    try {
      const text = await connection.core.readNamespacedPodLog({
        name: pod,
        namespace,
        ...(container ? { container } : {}),
        tailLines: logLines,
        ...(usePrevious ? { previous: true } : {}),
      });
      const lines = String(text)
        .split('\n')
        .filter((l) => l.trim() !== '');
      if (lines.length > 0 || !usePrevious) return lines.slice(-logLines);
    } catch (error) {
      if (!usePrevious) notes.push(`logs unavailable: ${describeError(error)}`);
    }
  }
  return [];
}

function eventTime(event: CoreV1Event): number {
  const t = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata?.creationTimestamp;
  return t ? new Date(t as unknown as string).getTime() : 0;
}

function formatEvent(event: CoreV1Event): string {
  const count = event.count && event.count > 1 ? ` (x${event.count})` : '';
  return `${event.type ?? 'Normal'} ${event.reason ?? ''}: ${(event.message ?? '').trim()}${count}`;
}

/** The diagnosis as log lines, indented under the service. */
export function diagnosisLines(d: Diagnosis): string[] {
  const lines = [`${d.kind}${d.pod ? ` — pod ${d.pod}${d.container ? `, container ${d.container}` : ''}` : ''}: ${d.message}`];
  if (d.events.length) lines.push('recent events:', ...d.events.map((e) => `  ${e}`));
  if (d.logs.length) lines.push(`last ${d.logs.length} log lines:`, ...d.logs.map((l) => `  ${l}`));
  for (const note of d.notes) lines.push(`(${note})`);
  return lines;
}
