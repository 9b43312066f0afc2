// Waiting on Kubernetes by watching, as `kubectl rollout status` does, never by sleeping: each
// source is listed once, then watched from the list's resourceVersion. A watch that ends (the
// server's timeoutSeconds, client-node's inactivity timeout, a dropped connection) is resumed from
// the last resourceVersion seen; a 410 Gone (that version was compacted away) lists again. After
// every change the predicate runs over the current objects of all sources; the wait ends when it
// returns a value, throws, or the deadline or the run's signal fires.
import { abortReason, throwIfAborted, withDeadline } from '@expeditor/shared/deadline';
import { describeError } from '@expeditor/shared/errors';
import { classifyError, withRetry } from '@expeditor/shared/retry';
import type { KubeConnection } from './connect.ts';
import { connectionError, statusOf } from './connect.ts';

export interface KubeObject {
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string } | undefined;
}

export interface ListResult<T> {
  items: T[];
  metadata?: { resourceVersion?: string } | undefined;
}

/** One kind of object to keep current: how to list it and the path to watch. */
export interface WatchSource<T extends KubeObject> {
  /** e.g. "/apis/apps/v1/namespaces/shop/deployments" */
  path: string;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** Lists the same objects (same selectors) with the connection's typed API (groups.ts). */
  list: () => Promise<ListResult<T>>;
}

export type Snapshot<S> = { readonly [K in keyof S]: readonly S[K][] };

export interface WaitOptions<S extends Record<string, KubeObject>, R> {
  sources: { [K in keyof S]: WatchSource<S[K]> };
  /** Runs after the lists and after every change; a value other than undefined ends the wait. Throw to fail it. */
  check: (snapshot: Snapshot<S>) => R | undefined;
  /** The run's signal (deadline or cancel). */
  signal?: AbortSignal | undefined;
  /** A deadline of this wait alone, in ms from now. */
  timeoutMs?: number | undefined;
  /** Server-side timeout of each watch request (default 300 s); the watch is then resumed. */
  watchTimeoutSeconds?: number;
  /** Called when a watch is resumed or a list made again (for debug logs and tests). */
  onRestart?: (source: string, why: 'ended' | 'gone' | 'error', detail: string) => void;
}

export interface WaitResult<S, R> {
  value: R;
  snapshot: Snapshot<S>;
}

/** Thrown by a check to stop the wait and report why (a failing pod, a progress deadline). */
export class StopWaiting<T = unknown> extends Error {
  readonly detail: T;
  constructor(message: string, detail: T) {
    super(message);
    this.name = 'StopWaiting';
    this.detail = detail;
  }
}

/** The last snapshot of a wait that ended without its predicate holding (deadline or cancel). */
export class WaitInterrupted<S = unknown> extends Error {
  readonly snapshot: S;
  readonly reason: Error;
  constructor(reason: Error, snapshot: S) {
    super(reason.message, { cause: reason });
    this.name = 'WaitInterrupted';
    this.reason = reason;
    this.snapshot = snapshot;
  }
}

/**
 * waitUntil for a check that records progress as it goes (deploy-eks's per-service waits): on a
 * deadline or cancel the check runs once more on the last snapshot, so what it recorded is current,
 * and the reason is returned rather than thrown. Undefined when the check ended the wait.
 */
export async function waitRecording<S extends Record<string, KubeObject>, R>(
  connection: KubeConnection,
  options: WaitOptions<S, R>,
): Promise<Error | undefined> {
  try {
    await waitUntil(connection, options);
    return undefined;
  } catch (error) {
    if (!(error instanceof WaitInterrupted)) throw error;
    options.check(error.snapshot as Snapshot<S>);
    return error.reason;
  }
}

/** Watch every source and resolve with the first value `check` returns. */
export async function waitUntil<S extends Record<string, KubeObject>, R>(
  connection: KubeConnection,
  options: WaitOptions<S, R>,
): Promise<WaitResult<S, R>> {
  const signal = options.timeoutMs !== undefined ? withDeadline(options.signal, options.timeoutMs) : options.signal;
  throwIfAborted(signal);
  const names = Object.keys(options.sources) as (keyof S & string)[];
  const stores = new Map<string, Map<string, KubeObject>>(names.map((n) => [n, new Map()]));
  const snapshot = (): Snapshot<S> =>
    Object.fromEntries(names.map((n) => [n, [...(stores.get(n)?.values() ?? [])]])) as unknown as Snapshot<S>;
  const stop = new AbortController();
  const stopSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;

  return new Promise<WaitResult<S, R>>((resolve, reject) => {
    let settled = false;
    let listed = 0;
    const finish = (outcome: { value: R } | { error: unknown }): void => {
      if (settled) return;
      settled = true;
      stop.abort();
      if ('value' in outcome) resolve({ value: outcome.value, snapshot: snapshot() });
      else reject(outcome.error);
    };
    const evaluate = (): void => {
      if (settled || listed < names.length) return;
      try {
        const value = options.check(snapshot());
        if (value !== undefined) finish({ value });
      } catch (error) {
        finish({ error });
      }
    };
    const onAbort = (): void => {
      if (!signal?.aborted) return;
      finish({ error: new WaitInterrupted(abortReason(signal), snapshot()) });
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    for (const name of names) {
      const source = options.sources[name];
      const store = stores.get(name) as Map<string, KubeObject>;
      let firstList = true;
      void keepWatching(connection, source, name, store, stopSignal, options, () => {
        if (firstList) {
          firstList = false;
          listed++;
        }
        evaluate();
      }).catch((error: unknown) => {
        if (stopSignal.aborted) return;
        finish({ error });
      });
    }
  }).finally(() => stop.abort());
}

function keyOf(object: KubeObject): string {
  return object.metadata?.uid ?? `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/** List, then watch from the list's version until `signal` fires; calls `changed` after each change. */
async function keepWatching<T extends KubeObject>(
  connection: KubeConnection,
  source: WatchSource<T>,
  name: string,
  store: Map<string, KubeObject>,
  signal: AbortSignal,
  options: Pick<WaitOptions<Record<string, KubeObject>, unknown>, 'watchTimeoutSeconds' | 'onRestart'>,
  changed: () => void,
): Promise<void> {
  const timeoutSeconds = options.watchTimeoutSeconds ?? 300;
  let resourceVersion: string | undefined;
  let failures = 0;
  const relist = async (): Promise<void> => {
    // A list that fails on the way (429, 5xx, a reset) is tried again, as a watch that fails is.
    const list = await withRetry(() => source.list(), { signal }).catch((error: unknown) => {
      if (signal.aborted) throw error;
      throw connectionError(connection, error);
    });
    store.clear();
    for (const item of list.items) store.set(keyOf(item), item);
    resourceVersion = list.metadata?.resourceVersion;
    changed();
  };
  await relist();
  while (!signal.aborted) {
    const outcome = await watchOnce(connection, source, resourceVersion, timeoutSeconds, signal, (type, object) => {
      if (object.metadata?.resourceVersion) resourceVersion = object.metadata.resourceVersion;
      if (type === 'BOOKMARK') return;
      if (type === 'DELETED') store.delete(keyOf(object));
      else store.set(keyOf(object), object);
      failures = 0;
      changed();
    });
    if (signal.aborted) return;
    if (outcome.kind === 'gone') {
      options.onRestart?.(name, 'gone', outcome.detail);
      connection.stats.relists++;
      await relist();
      continue;
    }
    if (outcome.kind === 'error') {
      const status = statusOf(outcome.error);
      const kind = classifyError(outcome.error);
      // Access and request errors will not heal by themselves; everything else is retried.
      if (status === 401 || status === 403 || (kind === 'validation' && status !== 410)) throw connectionError(connection, outcome.error);
      failures++;
      options.onRestart?.(name, 'error', describeError(outcome.error));
      if (failures > 8) throw connectionError(connection, outcome.error);
      await pause(Math.min(250 * 2 ** (failures - 1), 5000), signal);
      continue;
    }
    options.onRestart?.(name, 'ended', outcome.detail);
  }
}

type WatchOutcome = { kind: 'ended'; detail: string } | { kind: 'gone'; detail: string } | { kind: 'error'; error: unknown };

/** One watch request, until it ends. Resolves how it ended; never rejects. */
function watchOnce(
  connection: KubeConnection,
  source: WatchSource<KubeObject>,
  resourceVersion: string | undefined,
  timeoutSeconds: number,
  signal: AbortSignal,
  onEvent: (type: string, object: KubeObject) => void,
): Promise<WatchOutcome> {
  return new Promise<WatchOutcome>((resolve) => {
    const watch = connection.newWatch();
    // client-node aborts a watch that is silent for requestTimeoutMs (30 s by default); let the
    // server's own timeout end it first, so a quiet wait is one request per timeoutSeconds.
    (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs = (timeoutSeconds + 30) * 1000;
    const stats = connection.stats;
    let gone: string | undefined;
    let controller: AbortController | undefined;
    let ended = false;
    const end = (outcome: WatchOutcome): void => {
      if (ended) return;
      ended = true;
      stats.openWatches--;
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = (): void => {
      controller?.abort();
      end({ kind: 'ended', detail: 'stopped' });
    };
    stats.watches++;
    stats.openWatches++;
    stats.peakWatches = Math.max(stats.peakWatches, stats.openWatches);
    signal.addEventListener('abort', onAbort, { once: true });
    watch
      .watch(
        source.path,
        {
          allowWatchBookmarks: true,
          timeoutSeconds,
          ...(resourceVersion ? { resourceVersion } : {}),
          ...(source.labelSelector ? { labelSelector: source.labelSelector } : {}),
          ...(source.fieldSelector ? { fieldSelector: source.fieldSelector } : {}),
        },
        (type: string, object: unknown) => {
          if (ended) return;
          if (type === 'ERROR') {
            const status = object as { code?: number; reason?: string; message?: string };
            if (status.code === 410 || status.reason === 'Expired' || status.reason === 'Gone') gone = status.message ?? 'Gone';
            else gone = undefined;
            // Any ERROR event ends this watch; the server closes it right after.
            controller?.abort();
            end(
              gone !== undefined
                ? { kind: 'gone', detail: gone }
                : {
                    kind: 'error',
                    error: Object.assign(new Error(status.message ?? 'watch error'), { statusCode: status.code, body: status }),
                  },
            );
            return;
          }
          onEvent(type, object as KubeObject);
        },
        (error: unknown) => {
          if (error && statusOf(error) === 410) end({ kind: 'gone', detail: describeError(error) });
          else if (error && !isInactivityTimeout(error)) end({ kind: 'error', error });
          else end({ kind: 'ended', detail: error ? 'no data for a while' : 'server closed the watch' });
        },
      )
      .then(
        (c) => {
          controller = c;
          if (ended || signal.aborted) c.abort();
        },
        (error: unknown) => end({ kind: 'error', error }),
      );
  });
}

function isInactivityTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: string }).name === 'TimeoutError';
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Ready-made sources for the kinds a blue/green bring-up watches, in one namespace. */
export function sources(connection: KubeConnection, namespace: string) {
  const ns = encodeURIComponent(namespace);
  return {
    deployments: (labelSelector?: string, fieldSelector?: string) => ({
      path: `/apis/apps/v1/namespaces/${ns}/deployments`,
      labelSelector,
      fieldSelector,
      list: () => connection.apps.listNamespacedDeployment({ namespace, labelSelector, fieldSelector }),
    }),
    replicaSets: (labelSelector?: string) => ({
      path: `/apis/apps/v1/namespaces/${ns}/replicasets`,
      labelSelector,
      list: () => connection.apps.listNamespacedReplicaSet({ namespace, labelSelector }),
    }),
    pods: (labelSelector?: string) => ({
      path: `/api/v1/namespaces/${ns}/pods`,
      labelSelector,
      list: () => connection.core.listNamespacedPod({ namespace, labelSelector }),
    }),
    services: (fieldSelector?: string) => ({
      path: `/api/v1/namespaces/${ns}/services`,
      fieldSelector,
      list: () => connection.core.listNamespacedService({ namespace, fieldSelector }),
    }),
    /** EndpointSlices of one Service (label kubernetes.io/service-name). */
    endpointSlices: (service: string) => ({
      path: `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`,
      labelSelector: `kubernetes.io/service-name=${service}`,
      list: () => connection.discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` }),
    }),
    events: (fieldSelector?: string) => ({
      path: `/api/v1/namespaces/${ns}/events`,
      fieldSelector,
      list: () => connection.core.listNamespacedEvent({ namespace, fieldSelector }),
    }),
  } satisfies Record<string, (...args: never[]) => WatchSource<KubeObject>>;
}
