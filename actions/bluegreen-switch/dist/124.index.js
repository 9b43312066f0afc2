export const id = 124;
export const ids = [124,953];
export const modules = {

/***/ 2953:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createKube: () => (/* binding */ createKube),
/* harmony export */   isStatus: () => (/* binding */ isStatus)
/* harmony export */ });
/* harmony import */ var _expeditor_shared_kube_connect__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6841);
/* harmony import */ var _expeditor_shared_retry__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3533);


function isStatus(error, code) {
    return (0,_expeditor_shared_kube_connect__WEBPACK_IMPORTED_MODULE_0__.statusOf)(error) === code;
}
/** Reads retried only on throttling, 5xx and dropped connections; a 404 is an answer. */
async function read(fn) {
    try {
        return await (0,_expeditor_shared_retry__WEBPACK_IMPORTED_MODULE_1__/* .withRetry */ .bD)(() => fn(), { retries: 3, minDelayMs: 100 });
    }
    catch (error) {
        if (isStatus(error, 404))
            return undefined;
        throw error;
    }
}
function createKube(connection) {
    const { core, apps, networking, discovery } = connection;
    const merge = connection.patchOptions('merge');
    return {
        connection,
        readService: (namespace, name) => read(() => core.readNamespacedService({ namespace, name })),
        readDeployment: (namespace, name) => read(() => apps.readNamespacedDeployment({ namespace, name })),
        readIngress: (namespace, name) => read(() => networking.readNamespacedIngress({ namespace, name })),
        readPod: (namespace, name) => read(() => core.readNamespacedPod({ namespace, name })),
        listPods: async (namespace, labelSelector) => (await read(() => core.listNamespacedPod({ namespace, labelSelector })))?.items ?? [],
        listSlices: async (namespace, service) => (await read(() => discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` })))?.items ?? [],
        // Writes are not retried here: a guarded write that reached the server once must not be
        // mistaken for someone else's when it is sent again (see guard.ts).
        patchService: (namespace, name, body) => core.patchNamespacedService({ namespace, name, body }, merge),
        patchIngress: (namespace, name, body) => networking.patchNamespacedIngress({ namespace, name, body }, merge),
        patchDeployment: (namespace, name, body) => apps.patchNamespacedDeployment({ namespace, name, body }, merge),
        deleteService: async (namespace, name) => {
            try {
                await core.deleteNamespacedService({ namespace, name });
                return true;
            }
            catch (error) {
                if (isStatus(error, 404))
                    return false;
                throw error;
            }
        },
    };
}


/***/ }),

/***/ 4124:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  eksSwitch: () => (/* binding */ eksSwitch)
});

// EXTERNAL MODULE: ./packages/shared/src/errors.ts
var errors = __webpack_require__(9680);
// EXTERNAL MODULE: ./packages/shared/src/deadline.ts + 1 modules
var deadline = __webpack_require__(5915);
// EXTERNAL MODULE: ./actions/bluegreen-switch/src/eks/names.ts
var names = __webpack_require__(166);
;// CONCATENATED MODULE: ./actions/bluegreen-switch/src/eks/record.ts
// What a switch writes on the object it switched, so rollback is one more switch and cleanup
// knows how long the old color has been idle: previous color, time, commit and run URL.

/** Annotations for a merge patch; empty values remove an older run's entry (null). */
function recordAnnotations(record) {
    return {
        [names/* annotationKeys */.ic.previousColor]: record.previousColor,
        [names/* annotationKeys */.ic.switchedAt]: record.switchedAt.toISOString(),
        [names/* annotationKeys */.ic.commit]: record.commit || null,
        [names/* annotationKeys */.ic.runUrl]: record.runUrl || null,
    };
}
function readRecord(annotations) {
    const previous = annotations?.[names/* annotationKeys */.ic.previousColor];
    const at = annotations?.[names/* annotationKeys */.ic.switchedAt];
    const time = at ? new Date(at) : undefined;
    return {
        previousColor: previous && (0,names/* isColor */._o)(previous) ? previous : undefined,
        switchedAt: time && !Number.isNaN(time.getTime()) ? time : undefined,
        commit: annotations?.[names/* annotationKeys */.ic.commit] || undefined,
        runUrl: annotations?.[names/* annotationKeys */.ic.runUrl] || undefined,
    };
}
/** "by <run url> at <time>", for messages about an earlier switch; empty when nothing is recorded. */
function describeRecord(record) {
    const parts = [
        record.runUrl ? `by ${record.runUrl}` : record.commit ? `for commit ${record.commit.slice(0, 12)}` : undefined,
        record.switchedAt ? `at ${record.switchedAt.toISOString()}` : undefined,
    ].filter(Boolean);
    return parts.join(' ');
}

;// CONCATENATED MODULE: ./actions/bluegreen-switch/src/eks/readiness.ts
/** What keeps a Deployment from being fully rolled out and available; empty when it is. */
function deploymentProblems(deployment) {
    const name = deployment.metadata?.name ?? '?';
    const spec = deployment.spec;
    const status = deployment.status ?? {};
    const want = spec?.replicas ?? 1;
    const problems = [];
    if (deployment.metadata?.deletionTimestamp)
        problems.push(`Deployment ${name} is being deleted`);
    if (want === 0) {
        problems.push(`Deployment ${name} is scaled to zero replicas`);
        return problems;
    }
    if (spec?.paused)
        problems.push(`Deployment ${name} is paused`);
    if ((status.observedGeneration ?? 0) < (deployment.metadata?.generation ?? 0)) {
        problems.push(`Deployment ${name}: the deployment controller has not yet acted on its latest spec`);
        return problems;
    }
    const progressing = status.conditions?.find((c) => c.type === 'Progressing');
    if (progressing?.reason === 'ProgressDeadlineExceeded') {
        problems.push(`Deployment ${name} exceeded its progress deadline${progressing.message ? ` (${progressing.message})` : ''}`);
    }
    const updated = status.updatedReplicas ?? 0;
    const total = status.replicas ?? 0;
    const available = status.availableReplicas ?? 0;
    if (updated < want)
        problems.push(`Deployment ${name}: ${updated} of ${want} replicas run the latest template`);
    else if (total > updated)
        problems.push(`Deployment ${name}: ${total - updated} old replicas are still terminating`);
    if (available < want)
        problems.push(`Deployment ${name}: ${available} of ${want} replicas available`);
    const availableCondition = status.conditions?.find((c) => c.type === 'Available');
    if (availableCondition?.status === 'False' && available >= want) {
        problems.push(`Deployment ${name} is not Available${availableCondition.message ? ` (${availableCondition.message})` : ''}`);
    }
    return problems;
}
/** Labels of `selector` that `labels` lacks or has with another value, as `key=value`. */
function missingLabels(selector, labels) {
    return Object.entries(selector)
        .filter(([k, v]) => labels?.[k] !== v)
        .map(([k, v]) => `${k}=${v}`);
}
function isPodReady(pod) {
    if (pod.metadata?.deletionTimestamp)
        return false;
    return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
/** Why a pod is not Ready, in the kubelet's words where it gave some. */
function podNotReadyReason(pod) {
    if (pod.metadata?.deletionTimestamp)
        return 'terminating';
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const s of statuses) {
        const waiting = s.state?.waiting;
        if (waiting?.reason) {
            const restarts = s.restartCount ? `, ${s.restartCount} restarts` : '';
            return `container ${s.name} ${waiting.reason}${restarts}${waiting.message ? `: ${firstLine(waiting.message)}` : ''}`;
        }
        const terminated = s.state?.terminated;
        if (terminated)
            return `container ${s.name} terminated (${terminated.reason ?? `exit ${terminated.exitCode}`})`;
    }
    for (const s of statuses) {
        if (!s.ready)
            return `container ${s.name} is running but not ready${s.restartCount ? ` (${s.restartCount} restarts)` : ''}`;
    }
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (scheduled?.status === 'False')
        return `not scheduled: ${scheduled.reason ?? ''}${scheduled.message ? ` (${firstLine(scheduled.message)})` : ''}`;
    return `phase ${pod.status?.phase ?? 'unknown'}, not Ready`;
}
/** Pods named by the endpoints of a Service's EndpointSlices, split by the ready condition. */
function slicePods(slices) {
    const ready = new Set();
    const notReady = new Set();
    let other = 0;
    for (const slice of slices) {
        for (const endpoint of slice.endpoints ?? []) {
            const name = endpoint.targetRef?.kind === 'Pod' ? endpoint.targetRef.name : undefined;
            if (!name) {
                other++;
                continue;
            }
            // `ready` unset means ready (the API's rule); terminating endpoints are never ready.
            if (endpoint.conditions?.ready === false || endpoint.conditions?.terminating === true)
                notReady.add(name);
            else
                ready.add(name);
        }
    }
    for (const name of ready)
        notReady.delete(name);
    return { ready, notReady, other };
}
/** All problems at once, so a refusal says everything that is not ready. */
function colorReadiness(facts) {
    const problems = [];
    const { deployment } = facts;
    if (!deployment) {
        problems.push(`Deployment ${facts.deploymentName} does not exist`);
    }
    else {
        problems.push(...deploymentProblems(deployment));
        const missing = missingLabels(facts.selector, deployment.spec?.template.metadata?.labels);
        if (missing.length > 0) {
            problems.push(`the pods of Deployment ${facts.deploymentName} lack the label${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, so the Service would not select them`);
        }
    }
    // Terminating and finished pods are never endpoints; they neither help nor block.
    const live = facts.pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    const readyPods = live.filter(isPodReady).map((p) => p.metadata?.name ?? '?').sort();
    const notReady = live.filter((p) => !isPodReady(p));
    const shown = notReady.slice(0, 5);
    for (const pod of shown)
        problems.push(`pod ${pod.metadata?.name ?? '?'} is not Ready: ${podNotReadyReason(pod)}`);
    if (notReady.length > shown.length)
        problems.push(`… and ${notReady.length - shown.length} more pods are not Ready`);
    if (readyPods.length === 0 && notReady.length === 0) {
        problems.push(`no pod matches ${selectorText(facts.selector)}`);
    }
    if (facts.endpointsOf) {
        const { service, slices } = facts.endpointsOf;
        const eps = slicePods(slices);
        const missing = readyPods.filter((p) => !eps.ready.has(p));
        const foreign = [...eps.ready].filter((p) => !readyPods.includes(p));
        if (eps.ready.size === 0)
            problems.push(`Service ${service} has no ready endpoints`);
        else if (missing.length > 0)
            problems.push(`Service ${service} does not list ${list(missing)} as ready endpoints yet`);
        if (foreign.length > 0)
            problems.push(`Service ${service} lists ${list(foreign)}, which ${foreign.length > 1 ? 'are' : 'is'} not a ready pod of ${facts.color}`);
    }
    return { ready: problems.length === 0, problems, readyPods };
}
function selectorText(selector) {
    return Object.entries(selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
}
function list(names) {
    const shown = names.slice(0, 4).join(', ');
    return names.length > 4 ? `${shown} and ${names.length - 4} more` : shown;
}
function firstLine(text) {
    const line = text.split('\n', 1)[0] ?? '';
    return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

;// CONCATENATED MODULE: ./actions/bluegreen-switch/src/eks/ready-check.ts
// Reads what decides whether a color may take traffic and applies the rules of readiness.ts.



async function checkColor(kube, check) {
    const name = (0,names/* deploymentName */.pC)(check.service, check.color);
    const [deployment, pods, slices] = await Promise.all([
        kube.readDeployment(check.namespace, name),
        kube.listPods(check.namespace, selectorText(check.selector)),
        check.endpointsService ? kube.listSlices(check.namespace, check.endpointsService) : Promise.resolve(undefined),
    ]);
    return colorReadiness({
        color: check.color,
        selector: check.selector,
        deployment,
        deploymentName: name,
        pods,
        endpointsOf: check.endpointsService && slices ? { service: check.endpointsService, slices } : undefined,
    });
}
/** The refusal: what is not ready, that nothing changed, and what to do. */
function notReadyError(verb, color, readiness, unchanged) {
    return new errors.ExpeditorError(`refusing to ${verb}: ${color} is not ready:\n${readiness.problems.map((p) => `  - ${p}`).join('\n')}`, {
        unchanged,
        next: `look at ${color}'s pods and events (kubectl describe), fix or redeploy ${color} (deploy-eks), then run the switch again`,
    });
}

// EXTERNAL MODULE: ./packages/shared/src/retry.ts
var retry = __webpack_require__(3533);
// EXTERNAL MODULE: ./actions/bluegreen-switch/src/eks/kube.ts
var kube = __webpack_require__(2953);
;// CONCATENATED MODULE: ./actions/bluegreen-switch/src/eks/guard.ts
// The one write every switch, rollback and canary step makes: a merge patch that carries the
// resourceVersion the decision was made on. The apiserver applies it only if the object has not
// changed since (else 409 Conflict), so of two switches that read the same version exactly one
// wins, and the loser changes nothing.




/** Someone else changed the object between our read and our write; ours was not applied. */
class SwitchConflictError extends errors.ExpeditorError {
    constructor(message, unchanged, next) {
        super(message, { unchanged, next });
        this.name = 'SwitchConflictError';
    }
}
/** Sends the guarded patch; retries only dropped connections, throttling and 5xx. */
async function guardedPatch(g) {
    const body = { ...g.patch, metadata: { ...g.patch.metadata, resourceVersion: g.resourceVersion } };
    for (let attempt = 1;; attempt++) {
        try {
            return await g.send(body);
        }
        catch (error) {
            if ((0,kube.isStatus)(error, 409)) {
                const fresh = await g.read();
                // After a retry, a conflict may be our own first attempt that did land.
                if (attempt > 1 && fresh && g.landed(fresh))
                    return fresh;
                throw g.conflict(fresh);
            }
            if (attempt >= 4 || !(0,retry/* isRetryable */.r3)(error))
                throw error;
            await (0,deadline/* sleep */.yy)(100 * 2 ** attempt, g.signal);
        }
    }
}

// EXTERNAL MODULE: ./packages/shared/src/log.ts
var log = __webpack_require__(3133);
// EXTERNAL MODULE: ./packages/shared/src/kube/connect.ts + 1 modules
var connect = __webpack_require__(6841);
;// CONCATENATED MODULE: ./packages/shared/src/kube/watch.ts
// Waiting on Kubernetes by watching, as `kubectl rollout status` does, never by sleeping: each
// source is listed once, then watched from the list's resourceVersion. A watch that ends (the
// server's timeoutSeconds, client-node's inactivity timeout, a dropped connection) is resumed from
// the last resourceVersion seen; a 410 Gone (that version was compacted away) lists again. After
// every change the predicate runs over the current objects of all sources; the wait ends when it
// returns a value, throws, or the deadline or the run's signal fires.




/** Thrown by a check to stop the wait and report why (a failing pod, a progress deadline). */
class StopWaiting extends Error {
    detail;
    constructor(message, detail) {
        super(message);
        this.name = 'StopWaiting';
        this.detail = detail;
    }
}
/** The last snapshot of a wait that ended without its predicate holding (deadline or cancel). */
class WaitInterrupted extends Error {
    snapshot;
    reason;
    constructor(reason, snapshot) {
        super(reason.message, { cause: reason });
        this.name = 'WaitInterrupted';
        this.reason = reason;
        this.snapshot = snapshot;
    }
}
/** Watch every source and resolve with the first value `check` returns. */
async function waitUntil(connection, options) {
    const signal = options.timeoutMs !== undefined ? (0,deadline/* withDeadline */.NE)(options.signal, options.timeoutMs) : options.signal;
    (0,deadline/* throwIfAborted */.Te)(signal);
    const names = Object.keys(options.sources);
    const stores = new Map(names.map((n) => [n, new Map()]));
    const snapshot = () => Object.fromEntries(names.map((n) => [n, [...(stores.get(n)?.values() ?? [])]]));
    const stop = new AbortController();
    const stopSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    return new Promise((resolve, reject) => {
        let settled = false;
        let listed = 0;
        const finish = (outcome) => {
            if (settled)
                return;
            settled = true;
            stop.abort();
            if ('value' in outcome)
                resolve({ value: outcome.value, snapshot: snapshot() });
            else
                reject(outcome.error);
        };
        const evaluate = () => {
            if (settled || listed < names.length)
                return;
            try {
                const value = options.check(snapshot());
                if (value !== undefined)
                    finish({ value });
            }
            catch (error) {
                finish({ error });
            }
        };
        const onAbort = () => {
            if (!signal?.aborted)
                return;
            finish({ error: new WaitInterrupted((0,deadline/* abortReason */.Js)(signal), snapshot()) });
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        for (const name of names) {
            const source = options.sources[name];
            const store = stores.get(name);
            let firstList = true;
            void keepWatching(connection, source, name, store, stopSignal, options, () => {
                if (firstList) {
                    firstList = false;
                    listed++;
                }
                evaluate();
            }).catch((error) => {
                if (stopSignal.aborted)
                    return;
                finish({ error });
            });
        }
    }).finally(() => stop.abort());
}
function keyOf(object) {
    return object.metadata?.uid ?? `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}
/** List, then watch from the list's version until `signal` fires; calls `changed` after each change. */
async function keepWatching(connection, source, name, store, signal, options, changed) {
    const timeoutSeconds = options.watchTimeoutSeconds ?? 300;
    let resourceVersion;
    let failures = 0;
    const relist = async () => {
        const list = await source.list();
        store.clear();
        for (const item of list.items)
            store.set(keyOf(item), item);
        resourceVersion = list.metadata?.resourceVersion;
        changed();
    };
    await relist();
    while (!signal.aborted) {
        const outcome = await watchOnce(connection, source, resourceVersion, timeoutSeconds, signal, (type, object) => {
            if (object.metadata?.resourceVersion)
                resourceVersion = object.metadata.resourceVersion;
            if (type === 'BOOKMARK')
                return;
            if (type === 'DELETED')
                store.delete(keyOf(object));
            else
                store.set(keyOf(object), object);
            failures = 0;
            changed();
        });
        if (signal.aborted)
            return;
        if (outcome.kind === 'gone') {
            options.onRestart?.(name, 'gone', outcome.detail);
            connection.stats.relists++;
            await relist();
            continue;
        }
        if (outcome.kind === 'error') {
            const status = (0,connect.statusOf)(outcome.error);
            const kind = (0,retry/* classifyError */.fe)(outcome.error);
            // Access and request errors will not heal by themselves; everything else is retried.
            if (status === 401 || status === 403 || (kind === 'validation' && status !== 410))
                throw (0,connect.connectionError)(connection, outcome.error);
            failures++;
            options.onRestart?.(name, 'error', (0,errors/* describeError */.Uc)(outcome.error));
            if (failures > 8)
                throw (0,connect.connectionError)(connection, outcome.error);
            await pause(Math.min(250 * 2 ** (failures - 1), 5000), signal);
            continue;
        }
        options.onRestart?.(name, 'ended', outcome.detail);
    }
}
/** One watch request, until it ends. Resolves how it ended; never rejects. */
function watchOnce(connection, source, resourceVersion, timeoutSeconds, signal, onEvent) {
    return new Promise((resolve) => {
        const watch = connection.newWatch();
        // client-node aborts a watch that is silent for requestTimeoutMs (30 s by default); let the
        // server's own timeout end it first, so a quiet wait is one request per timeoutSeconds.
        watch.requestTimeoutMs = (timeoutSeconds + 30) * 1000;
        const stats = connection.stats;
        let gone;
        let controller;
        let ended = false;
        const end = (outcome) => {
            if (ended)
                return;
            ended = true;
            stats.openWatches--;
            signal.removeEventListener('abort', onAbort);
            resolve(outcome);
        };
        const onAbort = () => {
            controller?.abort();
            end({ kind: 'ended', detail: 'stopped' });
        };
        stats.watches++;
        stats.openWatches++;
        stats.peakWatches = Math.max(stats.peakWatches, stats.openWatches);
        signal.addEventListener('abort', onAbort, { once: true });
        watch
            .watch(source.path, {
            allowWatchBookmarks: true,
            timeoutSeconds,
            ...(resourceVersion ? { resourceVersion } : {}),
            ...(source.labelSelector ? { labelSelector: source.labelSelector } : {}),
            ...(source.fieldSelector ? { fieldSelector: source.fieldSelector } : {}),
        }, (type, object) => {
            if (ended)
                return;
            if (type === 'ERROR') {
                const status = object;
                if (status.code === 410 || status.reason === 'Expired' || status.reason === 'Gone')
                    gone = status.message ?? 'Gone';
                else
                    gone = undefined;
                // Any ERROR event ends this watch; the server closes it right after.
                controller?.abort();
                end(gone !== undefined ? { kind: 'gone', detail: gone } : { kind: 'error', error: Object.assign(new Error(status.message ?? 'watch error'), { statusCode: status.code, body: status }) });
                return;
            }
            onEvent(type, object);
        }, (error) => {
            if (error && (0,connect.statusOf)(error) === 410)
                end({ kind: 'gone', detail: (0,errors/* describeError */.Uc)(error) });
            else if (error && !isInactivityTimeout(error))
                end({ kind: 'error', error });
            else
                end({ kind: 'ended', detail: error ? 'no data for a while' : 'server closed the watch' });
        })
            .then((c) => {
            controller = c;
            if (ended || signal.aborted)
                c.abort();
        }, (error) => end({ kind: 'error', error }));
    });
}
function isInactivityTimeout(error) {
    return typeof error === 'object' && error !== null && error.name === 'TimeoutError';
}
async function pause(ms, signal) {
    await new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            resolve();
        }
        signal.addEventListener('abort', done, { once: true });
    });
}
/** Ready-made sources for the kinds a blue/green bring-up watches, in one namespace. */
function sources(connection, namespace) {
    const ns = encodeURIComponent(namespace);
    return {
        deployments: (labelSelector, fieldSelector) => ({
            path: `/apis/apps/v1/namespaces/${ns}/deployments`,
            labelSelector,
            fieldSelector,
            list: () => connection.apps.listNamespacedDeployment({ namespace, labelSelector, fieldSelector }),
        }),
        replicaSets: (labelSelector) => ({
            path: `/apis/apps/v1/namespaces/${ns}/replicasets`,
            labelSelector,
            list: () => connection.apps.listNamespacedReplicaSet({ namespace, labelSelector }),
        }),
        pods: (labelSelector) => ({
            path: `/api/v1/namespaces/${ns}/pods`,
            labelSelector,
            list: () => connection.core.listNamespacedPod({ namespace, labelSelector }),
        }),
        services: (fieldSelector) => ({
            path: `/api/v1/namespaces/${ns}/services`,
            fieldSelector,
            list: () => connection.core.listNamespacedService({ namespace, fieldSelector }),
        }),
        /** EndpointSlices of one Service (label kubernetes.io/service-name). */
        endpointSlices: (service) => ({
            path: `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`,
            labelSelector: `kubernetes.io/service-name=${service}`,
            list: () => connection.discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` }),
        }),
        events: (fieldSelector) => ({
            path: `/api/v1/namespaces/${ns}/events`,
            fieldSelector,
            list: () => connection.core.listNamespacedEvent({ namespace, fieldSelector }),
        }),
    };
}

;// CONCATENATED MODULE: ./actions/bluegreen-switch/src/eks/converge.ts





/** Endpoints split into the target's pods and the rest (any condition: a draining old pod still counts). */
function countEndpoints(slices, targetPods) {
    const count = { target: 0, other: 0, ready: 0 };
    for (const slice of slices) {
        for (const endpoint of slice.endpoints ?? []) {
            const name = endpoint.targetRef?.kind === 'Pod' ? endpoint.targetRef.name : undefined;
            if (name && targetPods.has(name)) {
                count.target++;
                if (endpoint.conditions?.ready !== false)
                    count.ready++;
            }
            else
                count.other++;
        }
    }
    return count;
}
async function waitForEndpoints(kube, options) {
    const connection = kube.connection;
    const src = sources(connection, options.namespace);
    const changes = new log/* ChangeLog */.Dv(options.log);
    try {
        const { value } = await waitUntil(connection, {
            sources: { slices: src.endpointSlices(options.service), pods: src.pods(selectorText(options.selector)) },
            signal: options.signal,
            check: ({ slices, pods }) => {
                const targetPods = new Set(pods.map((p) => p.metadata?.name ?? ''));
                const count = countEndpoints(slices, targetPods);
                const ms = performance.now() - options.since;
                changes.report('endpoints', `${(0,deadline/* formatDuration */.a3)(ms)}: ${count.target} target endpoints (${count.ready} ready), ${count.other} others`);
                return count.other === 0 && count.ready > 0 ? { ms, endpoints: count.ready } : undefined;
            },
        });
        return value;
    }
    catch (error) {
        if (error instanceof WaitInterrupted) {
            throw new errors.ExpeditorError(`the switch of Service ${options.service} was applied, but its endpoints were not only the target's pods yet when the wait stopped: ${error.reason.message}`, {
                cause: error.reason,
                unchanged: 'the selector switch stands',
                next: `look at Service ${options.service}'s EndpointSlices (kubectl get endpointslices -l kubernetes.io/service-name=${options.service}); roll back with action rollback if needed`,
            });
        }
        throw error;
    }
}

;// CONCATENATED MODULE: ./actions/bluegreen-switch/src/eks/service-route.ts








/** Reads the stable Service and its live color; errors name the input at fault. */
async function readStableService(opts, deps) {
    const service = await deps.kube.readService(opts.namespace, opts.service);
    if (!service) {
        throw new errors.ExpeditorError(`Service ${opts.service} does not exist in namespace ${opts.namespace}`, {
            input: 'service',
            unchanged: 'nothing was changed',
            next: "check the 'service' and 'namespace' inputs (the stable Service, not a color's)",
        });
    }
    const selector = service.spec?.selector ?? {};
    const value = selector[opts.colorLabel];
    if (value === undefined) {
        const shown = Object.keys(selector).length ? selectorText(selector) : 'none';
        throw new errors.ExpeditorError(`the selector of Service ${opts.service} (${shown}) has no color label '${opts.colorLabel}'`, {
            input: 'color-label',
            unchanged: 'nothing was changed',
            next: `give the label key that carries the color as 'color-label', or add ${opts.colorLabel}: <live color> to the Service's selector`,
        });
    }
    if (!(0,names/* isColor */._o)(value)) {
        throw new errors.ExpeditorError(`Service ${opts.service} selects ${opts.colorLabel}=${value}, which is neither blue nor green`, {
            input: 'service',
            unchanged: 'nothing was changed',
            next: `point the Service at blue or green first`,
        });
    }
    return { service, selector, live: value };
}
async function switchServiceRoute(opts, deps) {
    const { kube, log } = deps;
    const rollback = opts.action === 'rollback';
    const stable = await readStableService(opts, deps);
    const { live } = stable;
    const recorded = readRecord(stable.service.metadata?.annotations);
    let target;
    if (rollback) {
        if (!recorded.previousColor) {
            throw new errors.ExpeditorError(`Service ${opts.service} has no recorded switch to roll back (annotation ${names/* annotationKeys */.ic.previousColor})`, {
                unchanged: `nothing was changed; ${live} still serves`,
                next: "switch explicitly with action 'switch' and 'target-color'",
            });
        }
        target = recorded.previousColor;
    }
    else {
        target = opts.targetColor ?? (0,names/* otherColor */.IP)(live);
    }
    const base = { action: opts.action, route: 'service', from: live };
    if (target === live) {
        const by = describeRecord(recorded);
        const note = `${target} is already live on Service ${opts.service}${by ? ` (switched ${by})` : ''}; nothing was changed`;
        log.info(note);
        return { ...base, to: live, switched: false, convergenceMs: undefined, note };
    }
    const selector = { ...stable.selector, [opts.colorLabel]: target };
    const unchanged = `Service ${opts.service} still selects ${live}; nothing was changed`;
    await log.group(`Checking that ${target} is ready`, async () => {
        const previewName = (0,names/* previewServiceName */.j3)(opts.service);
        const preview = await kube.readService(opts.namespace, previewName);
        const previewColor = preview?.spec?.selector?.[opts.colorLabel];
        let endpointsService;
        if (preview && previewColor === target)
            endpointsService = previewName;
        else if (preview)
            log.info(`preview Service ${previewName} points at ${previewColor ?? 'no color'}, not ${target}: checking ${target}'s pods directly`);
        else
            log.info(`no preview Service ${previewName}: checking ${target}'s pods directly`);
        const readiness = await checkColor(kube, { namespace: opts.namespace, service: opts.service, color: target, selector, endpointsService });
        if (!readiness.ready)
            throw notReadyError(`${rollback ? 'roll back' : 'switch'} Service ${opts.service} to ${target}`, target, readiness, unchanged);
        log.info(`${target} is ready: ${readiness.readyPods.length} Ready pods${endpointsService ? `, all ready endpoints of ${endpointsService}` : ''}`);
    });
    const switchedAt = new Date();
    const annotations = recordAnnotations({ previousColor: live, switchedAt, commit: opts.commit, runUrl: opts.runUrl });
    const resourceVersion = stable.service.metadata?.resourceVersion ?? '';
    let sentAt = 0;
    await log.group(`Switching Service ${opts.service}: ${live} → ${target}`, async () => {
        sentAt = performance.now();
        await guardedPatch({
            resourceVersion,
            patch: { metadata: { annotations }, spec: { selector: { [opts.colorLabel]: target } } },
            send: (body) => kube.patchService(opts.namespace, opts.service, body),
            read: () => kube.readService(opts.namespace, opts.service),
            landed: (fresh) => fresh.metadata?.annotations?.[names/* annotationKeys */.ic.switchedAt] === annotations[names/* annotationKeys */.ic.switchedAt],
            conflict: (fresh) => serviceConflict(opts, live, target, fresh),
            signal: deps.signal,
        });
        log.info(`selector is now ${selectorText(selector)} (recorded: previous color ${live}, ${switchedAt.toISOString()})`);
    });
    const converged = await log.group(`Waiting until Service ${opts.service}'s endpoints are only ${target}'s pods`, () => waitForEndpoints(kube, {
        namespace: opts.namespace,
        service: opts.service,
        selector,
        since: sentAt,
        signal: deps.signal,
        log,
    }));
    const note = `${rollback ? 'rolled back' : 'switched'} Service ${opts.service} from ${live} to ${target}; its endpoints were only ${target}'s ${converged.endpoints} pods after ${(0,deadline/* formatDuration */.a3)(converged.ms)}`;
    log.info(note);
    return { ...base, to: target, switched: true, convergenceMs: converged.ms, note };
}
function serviceConflict(opts, live, target, fresh) {
    const now = fresh?.spec?.selector?.[opts.colorLabel];
    const by = describeRecord(readRecord(fresh?.metadata?.annotations));
    const what = now !== live
        ? `someone else switched Service ${opts.service} while this run was deciding: it now selects ${now ?? 'no color'}${by ? ` (switched ${by})` : ''}`
        : `someone else changed Service ${opts.service} while this run was deciding (it still selects ${live})`;
    return new SwitchConflictError(`${what}; this run's switch to ${target} was not applied`, 'the other change stands; this run changed nothing', 'look at who else is changing this Service (concurrent workflow runs?), then run again if the switch is still wanted');
}

// EXTERNAL MODULE: ./actions/bluegreen-switch/src/eks/ingress.ts
var eks_ingress = __webpack_require__(9625);
;// CONCATENATED MODULE: ./actions/bluegreen-switch/src/eks/probe.ts
// The optional HTTP health check of a canary step: one GET, a 2xx answer passes.
async function probe(url, timeoutMs, signal) {
    const limit = AbortSignal.timeout(timeoutMs);
    try {
        const response = await fetch(url, { signal: AbortSignal.any([signal, limit]), redirect: 'follow', headers: { 'user-agent': 'expeditor-bluegreen-switch' } });
        // The body is not needed; drop it so the connection can be reused or closed.
        await response.body?.cancel().catch(() => undefined);
        const detail = `answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
        return { ok: response.status >= 200 && response.status < 300, detail };
    }
    catch (error) {
        // The run's own cancellation is not a failed probe: let the caller see it.
        if (signal.aborted)
            throw error;
        if (limit.aborted)
            return { ok: false, detail: `did not answer within ${timeoutMs} ms` };
        const cause = error.cause;
        return { ok: false, detail: `failed: ${cause?.code ?? cause?.message ?? error.message}` };
    }
}

;// CONCATENATED MODULE: ./actions/bluegreen-switch/src/eks/ingress-route.ts









async function readIngressState(opts, deps) {
    const name = opts.ingress ?? '';
    const ingress = await deps.kube.readIngress(opts.namespace, name);
    if (!ingress) {
        throw new errors.ExpeditorError(`Ingress ${name} does not exist in namespace ${opts.namespace}`, {
            input: 'ingress',
            unchanged: 'nothing was changed',
            next: "check the 'ingress' and 'namespace' inputs",
        });
    }
    const paths = (0,eks_ingress/* servicePaths */.CU)(ingress, opts.service, opts.ingressPath ? (0,eks_ingress/* parsePathFilter */.VO)(opts.ingressPath) : undefined, opts.ingressPath);
    return { ingress, paths, live: (0,eks_ingress/* liveColor */.Kz)(paths.traffic) };
}
async function switchIngressRoute(opts, deps) {
    const { kube, log } = deps;
    const name = opts.ingress ?? '';
    const rollback = opts.action === 'rollback';
    const state = await readIngressState(opts, deps);
    const { ingress, paths, live } = state;
    const traffic = paths.traffic;
    const shownPaths = paths.paths.map(eks_ingress/* describePath */.NH).join(', ');
    const recorded = readRecord(ingress.metadata?.annotations);
    let target;
    if (rollback) {
        if (!recorded.previousColor) {
            throw new errors.ExpeditorError(`Ingress ${name} has no recorded switch to roll back (annotation ${names/* annotationKeys */.ic.previousColor})`, {
                unchanged: `nothing was changed; ${live} still serves`,
                next: "switch explicitly with action 'switch' and 'target-color'",
            });
        }
        target = recorded.previousColor;
    }
    else {
        target = opts.targetColor ?? (0,names/* otherColor */.IP)(live);
    }
    const base = { action: opts.action, route: 'ingress', from: live };
    const actionKey = (0,names/* albActionAnnotation */.LH)((0,names/* canaryActionName */.UJ)(opts.service));
    if (traffic.kind === 'canary')
        log.warning(`Ingress ${name} is in the middle of a canary (${(0,eks_ingress/* trafficText */.nR)(traffic)}) that did not finish`);
    if (target === live && traffic.kind === 'backend') {
        const by = describeRecord(recorded);
        const note = `${target} is already live on Ingress ${name} (${shownPaths})${by ? `, switched ${by}` : ''}; nothing was changed`;
        log.info(note);
        return { ...base, to: live, switched: false, convergenceMs: undefined, note };
    }
    const targetService = (0,names/* colorServiceName */.GW)(opts.service, target);
    const liveService = (0,names/* colorServiceName */.GW)(opts.service, live);
    const port = traffic.port;
    const unchanged = `Ingress ${name} still sends ${(0,eks_ingress/* trafficText */.nR)(traffic)}${traffic.kind === 'backend' ? ' all traffic' : ''}; nothing was changed`;
    if (target !== live) {
        await log.group(`Checking that ${target} is ready`, async () => {
            const svc = await kube.readService(opts.namespace, targetService);
            const readiness = await targetReadiness(opts, deps, target, targetService, svc, port);
            if (!readiness.ready)
                throw notReadyError(`${rollback ? 'roll back' : 'switch'} Ingress ${name} to ${target}`, target, readiness, unchanged);
            log.info(`${target} is ready: ${readiness.readyPods.length} Ready pods, all ready endpoints of Service ${targetService}`);
        });
    }
    const steps = target !== live && opts.canary && opts.canary.length > 0 && !rollback ? opts.canary : [100];
    const originalRecord = pickRecord(ingress.metadata?.annotations);
    // Finishing an unfinished canary back onto the live color is no switch: nothing to record.
    const record = target === live ? {} : recordAnnotations({ previousColor: live, switchedAt: new Date(), commit: opts.commit, runUrl: opts.runUrl });
    let current = ingress;
    const done = [];
    let wrote = false;
    const canary = steps.length > 1;
    try {
        for (const [i, weight] of steps.entries()) {
            const label = canary ? `step ${i + 1} of ${steps.length} (${weight}% to ${target})` : `${live} → ${target}`;
            await log.group(`Ingress ${name}: ${label}`, async () => {
                const final = weight === 100;
                const patch = final
                    ? { metadata: { annotations: { ...record, [actionKey]: null } }, spec: { rules: (0,eks_ingress/* rulesWithBackend */.wp)(current, paths.paths, (0,eks_ingress/* serviceBackend */.CS)(targetService, port)) } }
                    : {
                        metadata: { annotations: { [actionKey]: (0,eks_ingress/* forwardActionAnnotation */.ZU)(opts.service, live, target, weight, port) } },
                        spec: { rules: (0,eks_ingress/* rulesWithBackend */.wp)(current, paths.paths, (0,eks_ingress/* canaryBackend */.rm)(opts.service)) },
                    };
                current = await guardedPatch({
                    resourceVersion: current.metadata?.resourceVersion ?? '',
                    patch,
                    send: (body) => kube.patchIngress(opts.namespace, name, body),
                    read: () => kube.readIngress(opts.namespace, name),
                    landed: (fresh) => final
                        ? target !== live && fresh.metadata?.annotations?.[names/* annotationKeys */.ic.switchedAt] === record[names/* annotationKeys */.ic.switchedAt]
                        : fresh.metadata?.annotations?.[actionKey] === patch.metadata.annotations[actionKey],
                    conflict: (fresh) => ingressConflict(name, live, target, fresh, opts.service, wrote),
                    signal: deps.signal,
                });
                wrote = true;
                log.info(final
                    ? `${shownPaths} → Service ${targetService} (100%)`
                    : `${shownPaths} → action ${(0,names/* canaryActionName */.UJ)(opts.service)}: ${liveService} ${100 - weight}%, ${targetService} ${weight}%`);
                if (!canary)
                    return;
                // The pause lets the load balancer move traffic and the new color meet it.
                log.info(`pausing ${(0,deadline/* formatDuration */.a3)(opts.stepPauseMs)}, then checking ${target}`);
                await (0,deadline/* sleep */.yy)(opts.stepPauseMs, deps.signal);
                const failure = await stepCheck(opts, deps, target, targetService, port);
                if (failure) {
                    done.push({ weight, outcome: 'failed', detail: failure });
                    throw new StepFailed(i, weight, failure);
                }
                done.push({ weight, outcome: 'passed', detail: opts.probeUrl ? `${target} ready; probe passed` : `${target} ready` });
                log.info(`step ${i + 1} passed`);
            });
        }
    }
    catch (error) {
        if (!wrote)
            throw error;
        const cancelled = deps.signal.aborted;
        if (cancelled && !(error instanceof StepFailed)) {
            const weight = steps[done.length] ?? 100;
            done.push({ weight, outcome: 'cancelled', detail: (0,errors/* describeError */.Uc)(error) });
        }
        const restored = await restoreLive(opts, deps, { live, target, paths: paths.paths, port, actionKey, originalRecord }).then(() => undefined, (restoreError) => restoreError);
        throw failedCanaryError({ name, service: opts.service, live, target, steps, error, restoreError: restored, canary });
    }
    const note = canary
        ? `canary on Ingress ${name} passed ${steps.map((s) => `${s}%`).join(', ')}: ${target} serves all traffic (was ${live})`
        : `${rollback ? 'rolled back' : 'switched'} Ingress ${name} (${shownPaths}) from ${live} to ${target}`;
    log.info(note);
    return { ...base, to: target, switched: true, convergenceMs: undefined, note, ...(canary ? { canarySteps: done } : {}) };
}
class StepFailed extends Error {
    index;
    weight;
    constructor(index, weight, detail) {
        super(detail);
        this.index = index;
        this.weight = weight;
    }
}
/** Target ready, and its Service has the port the Ingress uses and selects it. */
async function targetReadiness(opts, deps, target, targetService, svc, port) {
    if (!svc) {
        return { ready: false, problems: [`Service ${targetService} (the ${target} color's Service the Ingress would use) does not exist`], readyPods: [] };
    }
    const selector = svc.spec?.selector ?? {};
    const problems = [];
    if (selector[opts.colorLabel] !== target) {
        problems.push(`Service ${targetService} selects ${Object.keys(selector).length ? selectorText(selector) : 'nothing'}, not ${opts.colorLabel}=${target}`);
    }
    const ports = svc.spec?.ports ?? [];
    const hasPort = port.number !== undefined ? ports.some((p) => p.port === port.number) : ports.some((p) => p.name === port.name);
    if (!hasPort)
        problems.push(`Service ${targetService} has no port ${port.number ?? port.name ?? '?'}, which the Ingress path uses`);
    if (problems.length > 0 && selector[opts.colorLabel] !== target)
        return { ready: false, problems, readyPods: [] };
    const readiness = await checkColor(deps.kube, { namespace: opts.namespace, service: opts.service, color: target, selector, endpointsService: targetService });
    return { ...readiness, ready: readiness.ready && problems.length === 0, problems: [...problems, ...readiness.problems] };
}
/** The health check after a step: undefined when it passed, else what failed. */
async function stepCheck(opts, deps, target, targetService, port) {
    const svc = await deps.kube.readService(opts.namespace, targetService);
    const readiness = await targetReadiness(opts, deps, target, targetService, svc, port);
    if (!readiness.ready)
        return `${target} is no longer ready: ${readiness.problems.join('; ')}`;
    if (opts.probeUrl) {
        const result = await probe(opts.probeUrl, opts.probeTimeoutMs ?? 10_000, deps.signal);
        deps.log.info(`probe ${opts.probeUrl} ${result.detail}`);
        if (!result.ok)
            return `probe ${opts.probeUrl} ${result.detail}`;
    }
    return undefined;
}
function pickRecord(annotations) {
    const out = {};
    for (const key of [names/* annotationKeys */.ic.previousColor, names/* annotationKeys */.ic.switchedAt, names/* annotationKeys */.ic.commit, names/* annotationKeys */.ic.runUrl]) {
        out[key] = annotations?.[key] ?? null;
    }
    return out;
}
/**
 * Every path back on the live color's Service, the forward action removed and the record as it
 * was before this run. Not bound to the run's signal: it must finish after a cancel. Re-reads
 * and tries again when something else wrote meanwhile, and leaves alone a path that no longer
 * routes to this service's colors (someone else's change).
 */
async function restoreLive(opts, deps, r) {
    const { kube, log } = deps;
    const name = opts.ingress ?? '';
    const liveService = (0,names/* colorServiceName */.GW)(opts.service, r.live);
    for (let attempt = 1;; attempt++) {
        const fresh = await kube.readIngress(opts.namespace, name);
        if (!fresh)
            throw new Error(`Ingress ${name} no longer exists`);
        const ours = new Set([(0,names/* colorServiceName */.GW)(opts.service, r.target), (0,names/* canaryActionName */.UJ)(opts.service), liveService]);
        const paths = r.paths.filter((p) => {
            const now = fresh.spec?.rules?.[p.rule]?.http?.paths[p.index];
            return now && (now.path ?? '/') === p.path && ours.has(now.backend.service?.name ?? '');
        });
        try {
            await guardedPatch({
                resourceVersion: fresh.metadata?.resourceVersion ?? '',
                patch: {
                    metadata: { annotations: { ...r.originalRecord, [r.actionKey]: null } },
                    spec: { rules: (0,eks_ingress/* rulesWithBackend */.wp)(fresh, paths, (0,eks_ingress/* serviceBackend */.CS)(liveService, r.port)) },
                },
                send: (body) => kube.patchIngress(opts.namespace, name, body),
                read: () => kube.readIngress(opts.namespace, name),
                landed: () => false,
                conflict: () => new SwitchConflictError('conflict', '', ''),
            });
            log.info(`restored: ${paths.map(eks_ingress/* describePath */.NH).join(', ')} → Service ${liveService} (100%)`);
            return;
        }
        catch (error) {
            if (!(error instanceof SwitchConflictError) || attempt >= 5)
                throw error;
        }
    }
}
function failedCanaryError(f) {
    const { name, live, target, steps, error, restoreError } = f;
    const restoredText = restoreError
        ? `restoring ${live} FAILED (${(0,errors/* describeError */.Uc)(restoreError)}): the Ingress may still send traffic to ${target}`
        : `traffic is back on ${live} (100%)`;
    let what;
    if (error instanceof StepFailed) {
        what = `canary step ${error.index + 1} of ${steps.length} (${error.weight}% to ${target}) failed its health check: ${error.message}`;
    }
    else {
        what = `${f.canary ? 'the canary' : 'the switch'} on Ingress ${name} stopped: ${(0,errors/* describeError */.Uc)(error)}`;
    }
    return new errors.ExpeditorError(`${what}; ${restoredText}`, {
        cause: error,
        unchanged: restoreError ? `${target} keeps running` : `${live} serves all traffic again; ${target} keeps running for a look`,
        next: restoreError
            ? `put the Ingress path back on Service ${(0,names/* colorServiceName */.GW)(f.service, live)} by hand (kubectl edit ingress ${name})`
            : `look at ${target} (pods, logs, the probe), redeploy, and run the switch again`,
    });
}
function ingressConflict(name, live, target, fresh, service, midway) {
    const by = describeRecord(readRecord(fresh?.metadata?.annotations));
    let now = 'it no longer exists';
    if (fresh) {
        try {
            now = `it now sends ${(0,eks_ingress/* trafficText */.nR)((0,eks_ingress/* servicePaths */.CU)(fresh, service, undefined).traffic)}`;
        }
        catch {
            now = 'its paths changed';
        }
    }
    return new SwitchConflictError(`someone else changed Ingress ${name} while this run was ${midway ? 'in the middle of its canary' : 'deciding'}: ${now}${by ? ` (switched ${by})` : ''}; this run's switch from ${live} to ${target} was not applied`, 'the other change stands', 'look at who else is switching this Ingress (concurrent workflow runs?), then run again if the switch is still wanted');
}

;// CONCATENATED MODULE: ./actions/bluegreen-switch/src/eks/cleanup.ts
// `action: cleanup`: scale the color that no longer serves to zero, once it has been idle for the
// keep period, and optionally delete the preview Service. Never the live color: the live color is
// read again right before and right after the scale, and a rollback that raced it is undone.








async function liveState(opts, deps) {
    if (opts.route === 'service') {
        const stable = await readStableService(opts, deps);
        return { live: stable.live, record: readRecord(stable.service.metadata?.annotations), what: `Service ${opts.service}` };
    }
    const state = await readIngressState(opts, deps);
    if (state.paths.traffic.kind === 'canary') {
        throw new errors.ExpeditorError(`Ingress ${opts.ingress ?? ''} is in the middle of a canary (${(0,eks_ingress/* trafficText */.nR)(state.paths.traffic)}): both colors serve`, {
            unchanged: 'nothing was changed',
            next: 'finish the switch (action switch) or roll it back first, then clean up',
        });
    }
    return { live: state.live, record: readRecord(state.ingress.metadata?.annotations), what: `Ingress ${opts.ingress ?? ''}` };
}
async function cleanupOldColor(opts, deps) {
    const { kube, log } = deps;
    const now = deps.now ?? Date.now;
    const first = await liveState(opts, deps);
    const live = first.live;
    const old = (0,names/* otherColor */.IP)(live);
    const name = (0,names/* deploymentName */.pC)(opts.service, old);
    const base = { action: 'cleanup', route: opts.route, from: live, to: live, switched: false, convergenceMs: undefined };
    if (opts.targetColor && opts.targetColor === live) {
        throw new errors.ExpeditorError(`${live} is the live color of ${first.what}: cleanup never scales the live color down`, {
            input: 'target-color',
            unchanged: 'nothing was changed',
            next: `leave 'target-color' empty (cleanup scales the idle color, ${old})`,
        });
    }
    // The keep period runs from the switch that made `old` idle.
    if (opts.keepMs > 0) {
        const since = first.record.switchedAt;
        if (!since) {
            throw new errors.ExpeditorError(`${first.what} has no recorded switch time (annotation ${names/* annotationKeys */.ic.switchedAt}), so the keep period cannot be measured`, {
                input: 'keep',
                unchanged: 'nothing was changed',
                next: "set 'keep' to 0s to scale the idle color down now",
            });
        }
        const endsAt = since.getTime() + opts.keepMs;
        const wait = endsAt - now();
        if (wait > 0) {
            if (deps.deadlineAt !== undefined && endsAt > deps.deadlineAt) {
                throw new errors.ExpeditorError(`${old} has been idle since ${since.toISOString()}; the keep period of ${(0,deadline/* formatDuration */.a3)(opts.keepMs)} ends at ${new Date(endsAt).toISOString()}, after this run's deadline`, {
                    input: 'keep',
                    unchanged: `nothing was changed; ${old} keeps running as a hot standby`,
                    next: 'run cleanup again after the keep period (e.g. a scheduled workflow), or lower keep',
                });
            }
            log.info(`keeping ${old} as a hot standby for ${(0,deadline/* formatDuration */.a3)(wait)} more (idle since ${since.toISOString()})`);
            await (0,deadline/* sleep */.yy)(wait, deps.signal);
        }
    }
    const deployment = await kube.readDeployment(opts.namespace, name);
    let scaledDown;
    const notes = [];
    if (!deployment) {
        notes.push(`Deployment ${name} does not exist; nothing to scale down`);
    }
    else if ((deployment.spec?.replicas ?? 1) === 0) {
        notes.push(`Deployment ${name} is already scaled to zero`);
    }
    else {
        const replicas = deployment.spec?.replicas ?? 1;
        await log.group(`Scaling ${old} (Deployment ${name}) from ${replicas} to 0`, async () => {
            // Read the live color again right before: a rollback since the first read makes `old` live.
            const before = await liveState(opts, deps);
            if (before.live !== live)
                throw raced(first.what, before.live, 'nothing was changed');
            await guardedPatch({
                resourceVersion: deployment.metadata?.resourceVersion ?? '',
                patch: {
                    metadata: { annotations: { [names/* annotationKeys */.ic.scaledDownFrom]: String(replicas), [names/* annotationKeys */.ic.scaledDownAt]: new Date(now()).toISOString() } },
                    spec: { replicas: 0 },
                },
                send: (body) => kube.patchDeployment(opts.namespace, name, body),
                read: () => kube.readDeployment(opts.namespace, name),
                landed: (fresh) => fresh.spec?.replicas === 0,
                conflict: () => new SwitchConflictError(`Deployment ${name} changed while this run was about to scale it down`, 'nothing was changed', 'run cleanup again once nothing else is changing the Deployment'),
                signal: deps.signal,
            });
            // And right after: if a rollback slipped in between, give `old` its replicas back.
            const after = await liveState(opts, deps);
            if (after.live !== live) {
                await kube.patchDeployment(opts.namespace, name, { spec: { replicas }, metadata: { annotations: { [names/* annotationKeys */.ic.scaledDownFrom]: null, [names/* annotationKeys */.ic.scaledDownAt]: null } } });
                throw raced(first.what, after.live, `Deployment ${name} was scaled back to ${replicas} replicas`);
            }
            log.info(`Deployment ${name}: replicas 0 (was ${replicas}); ${live} still serves`);
        });
        scaledDown = { deployment: name, replicas };
        notes.push(`scaled ${old} (Deployment ${name}) from ${replicas} to 0 replicas; ${live} serves`);
    }
    let previewRemoved = false;
    if (opts.removePreview) {
        const preview = (0,names/* previewServiceName */.j3)(opts.service);
        previewRemoved = await kube.deleteService(opts.namespace, preview);
        notes.push(previewRemoved ? `deleted the preview Service ${preview}` : `no preview Service ${preview} to delete`);
    }
    const note = notes.join('; ');
    log.info(note);
    return { ...base, note, scaledDown, previewRemoved };
}
function raced(what, liveNow, unchanged) {
    return new errors.ExpeditorError(`${what} was switched to ${liveNow} while cleanup ran: ${liveNow} is live now and will not be scaled down`, {
        unchanged,
        next: 'run cleanup again once the switches are done',
    });
}

;// CONCATENATED MODULE: ./actions/bluegreen-switch/src/eks/switch.ts
// The EKS switch as one call: switch, rollback or cleanup on the service or ingress route. All
// of them end in the same guarded write (guard.ts) after the same readiness check.



async function eksSwitch(opts, deps) {
    if (opts.action === 'cleanup')
        return cleanupOldColor(opts, deps);
    return opts.route === 'service' ? switchServiceRoute(opts, deps) : switchIngressRoute(opts, deps);
}


/***/ })

};
