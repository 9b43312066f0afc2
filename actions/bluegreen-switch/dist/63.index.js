export const id = 63;
export const ids = [63];
export const modules = {

/***/ 5063:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  recordedPrevious: () => (/* binding */ recordedPrevious),
  switchEcs: () => (/* binding */ switchEcs)
});

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-ecs/dist-cjs/index.js
var dist_cjs = __webpack_require__(212);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-codedeploy/dist-cjs/index.js
var client_codedeploy_dist_cjs = __webpack_require__(7507);
// EXTERNAL MODULE: ./packages/shared/src/errors.ts
var errors = __webpack_require__(9680);
// EXTERNAL MODULE: ./packages/shared/src/deadline.ts + 1 modules
var deadline = __webpack_require__(5915);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./node_modules/zod/v4/classic/schemas.js + 17 modules
var schemas = __webpack_require__(8816);
// EXTERNAL MODULE: ./packages/shared/src/inputs.ts
var inputs = __webpack_require__(7458);
;// CONCATENATED MODULE: ./actions/deploy-ecs/src/inputs.ts

const inputs_hookNames = ['BeforeInstall', 'AfterInstall', 'AfterAllowTestTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic'];
/** A Lambda function for a CodeDeploy hook: its ARN (optionally with a version or alias) or its name. */
const lambdaFunction = /^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$/;
const secretReference = /^arn:aws[a-z-]*:(secretsmanager|ssm):[a-z0-9-]+:\d{12}:(secret:|parameter\/)\S+$/;
const deploymentConfigName = /^[A-Za-z0-9_.+=,@-]{1,100}$/;
const codeDeployName = /^[A-Za-z0-9_.+=,@-]{1,100}$/;
function readDeployEcsInputs(inputs) {
    const path = (name) => {
        const value = inputs.string(name, { maxLength: 1024 });
        if (value && escapesWorkspace(value))
            return inputs.problem(name, 'must be a path inside the workspace (relative, without ..)');
        return value;
    };
    const result = {
        image: inputs.string('image', { required: true, pattern: imageReference, expected: 'an image reference such as repo@sha256:…' }),
        environment: inputs.string('environment', { pattern: environmentName, expected: 'an environment name' }),
        config: path('config') ?? '.github/expeditor.yml',
        cluster: inputs.string('cluster', { pattern: ecsName, expected: 'an ECS cluster name' }),
        service: inputs.string('service', { pattern: ecsName, expected: 'an ECS service name' }),
        container: inputs.string('container', { pattern: /^[A-Za-z0-9_-]{1,255}$/, expected: 'a container name' }),
        taskDefinition: path('task-definition'),
        strategy: inputs.choice('strategy', ['auto', 'rolling', 'blue-green']),
        codedeployApplication: inputs.string('codedeploy-application', { pattern: codeDeployName, expected: 'a CodeDeploy application name' }),
        codedeployDeploymentGroup: inputs.string('codedeploy-deployment-group', {
            pattern: codeDeployName,
            expected: 'a CodeDeploy deployment group name',
        }),
        deploymentConfig: inputs.string('deployment-config', {
            pattern: deploymentConfigName,
            expected: 'a deployment config name such as CodeDeployDefault.ECSAllAtOnce',
        }),
        appspec: path('appspec'),
        containerPort: inputs.integer('container-port', { min: 1, max: 65535 }),
        hooks: readHooks(inputs),
        vars: inputs.keyValues('vars'),
        secrets: readSecrets(inputs),
        waitUntil: inputs.choice('wait-until', ['succeeded', 'ready', 'none']),
        requireDigest: inputs.boolean('require-digest', false),
        timeoutMs: inputs.duration('timeout', '30m'),
    };
    for (const name of Object.keys(result.vars)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
            inputs.problem('vars', `expected a variable name, got ${JSON.stringify(name)}`);
    }
    if (!result.environment) {
        if (!result.cluster)
            inputs.problem('cluster', 'is required when no environment is given');
        if (!result.service)
            inputs.problem('service', 'is required when no environment is given');
    }
    if (result.requireDigest && !/@sha256:[a-f0-9]{64}$/.test(result.image)) {
        inputs.problem('image', `must name the image by digest (repo@sha256:…) because require-digest is true, got ${JSON.stringify(result.image)}`);
    }
    if (result.appspec && Object.keys(result.hooks).length > 0) {
        inputs.problem('hooks', 'applies to the generated AppSpec only; put the hooks in the appspec file instead');
    }
    inputs.done('deploy-ecs');
    return result;
}
function readHooks(inputs) {
    const hooks = {};
    for (const [name, fn] of Object.entries(inputs.keyValues('hooks'))) {
        if (!inputs_hookNames.includes(name)) {
            inputs.problem('hooks', `unknown lifecycle hook ${JSON.stringify(name)} (have: ${inputs_hookNames.join(', ')})`);
        }
        else if (!lambdaFunction.test(fn)) {
            inputs.problem('hooks', `${name}: expected a Lambda function name or ARN, got ${JSON.stringify(fn)}`);
        }
        else {
            hooks[name] = fn;
        }
    }
    return hooks;
}
function readSecrets(inputs) {
    const secrets = inputs.keyValues('secrets');
    for (const [name, ref] of Object.entries(secrets)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
            inputs.problem('secrets', `expected a variable name, got ${JSON.stringify(name)}`);
        else if (!secretReference.test(ref)) {
            inputs.problem('secrets', `${name}: expected a Secrets Manager or Parameter Store ARN, got ${JSON.stringify(ref)}`);
        }
    }
    return secrets;
}

;// CONCATENATED MODULE: ./actions/deploy-ecs/src/appspec.ts
// The CodeDeploy AppSpec for an ECS blue/green deployment: generated from the service and the
// registered task definition, or read from a user's YAML/JSON file and checked before anything is
// registered. Either way TaskDefinition is the ARN just registered. Pure functions: no network.





/** The placeholder people put in AppSpec files; replaced by the registered ARN. */
const TASK_DEFINITION_PLACEHOLDER = '<TASK_DEFINITION>';
function generateAppSpec(options) {
    const properties = {
        TaskDefinition: options.taskDefinitionArn,
        LoadBalancerInfo: { ContainerName: options.containerName, ContainerPort: options.containerPort },
    };
    if (options.platformVersion)
        properties.PlatformVersion = options.platformVersion;
    const spec = { version: '0.0', Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: properties } }] };
    // Hooks run in lifecycle order whatever order they were given in.
    const hooks = hookNames.filter((name) => options.hooks?.[name]).map((name) => ({ [name]: options.hooks?.[name] ?? '' }));
    if (hooks.length > 0)
        spec.Hooks = hooks;
    return spec;
}
// CodeDeploy reads AppSpec keys without regard to case; the file is normalised to this spelling.
const canonical = new Map([
    'version', 'Resources', 'Hooks', 'Type', 'Properties', 'TaskDefinition', 'LoadBalancerInfo', 'ContainerName',
    'ContainerPort', 'PlatformVersion', 'NetworkConfiguration', 'AwsvpcConfiguration', 'Subnets', 'SecurityGroups',
    'AssignPublicIp', 'CapacityProviderStrategy', 'Base', 'CapacityProvider', 'Weight', ...inputs_hookNames,
].map((k) => [k.toLowerCase(), k]));
const port = schemas/* union */.KCZ([schemas/* int */.Whr().min(1).max(65535), schemas/* string */.YjP().regex(/^\d{1,5}$/).transform(Number)], { error: 'expected a port number' });
const properties = schemas/* strictObject */.rej({
    TaskDefinition: schemas/* string */.YjP().min(1),
    LoadBalancerInfo: schemas/* strictObject */.rej({ ContainerName: schemas/* string */.YjP().min(1), ContainerPort: port }),
    PlatformVersion: schemas/* string */.YjP().min(1).optional(),
    NetworkConfiguration: schemas/* strictObject */.rej({
        AwsvpcConfiguration: schemas/* strictObject */.rej({
            Subnets: schemas/* array */.YOg(schemas/* string */.YjP().min(1)).min(1),
            SecurityGroups: schemas/* array */.YOg(schemas/* string */.YjP().min(1)).optional(),
            AssignPublicIp: schemas/* enum */.k5n(['ENABLED', 'DISABLED']).optional(),
        }),
    })
        .optional(),
    CapacityProviderStrategy: schemas/* array */.YOg(schemas/* strictObject */.rej({ CapacityProvider: schemas/* string */.YjP().min(1), Base: schemas/* int */.Whr().min(0).optional(), Weight: schemas/* int */.Whr().min(0).optional() }))
        .optional(),
});
const resource = schemas/* record */.g1P(schemas/* string */.YjP(), schemas/* strictObject */.rej({ Type: schemas/* literal */.euz('AWS::ECS::Service'), Properties: properties }))
    .refine((r) => Object.keys(r).length === 1, { error: 'expected one named resource, e.g. TargetService' });
const hookEntry = schemas/* strictObject */.rej(Object.fromEntries(inputs_hookNames.map((name) => [name, schemas/* string */.YjP().min(1).optional()])))
    .refine((h) => Object.keys(h).length === 1, {
    error: 'expected one hook per entry, e.g. - AfterAllowTestTraffic: <Lambda function>',
    // Not on top of an unknown key, which is already reported.
    when: (payload) => payload.issues.length === 0,
});
const appSpecSchema = schemas/* strictObject */.rej({
    // `version: 0.0` in YAML is the number 0.
    version: schemas/* union */.KCZ([schemas/* literal */.euz('0.0'), schemas/* literal */.euz(0)]).transform(() => '0.0'),
    Resources: schemas/* array */.YOg(resource).length(1, { error: 'an ECS AppSpec has exactly one resource (the service)' }),
    Hooks: schemas/* array */.YOg(hookEntry).optional(),
});
/** Parses and checks a user's AppSpec (YAML or JSON); every problem is reported with its line. */
function parseAppSpec(text, file, input = 'appspec') {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
    const fail = (problems) => {
        const errors = problems.map((p) => new ExpeditorError(`input '${input}': ${file}${p.line ? `:${p.line}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`, {
            input,
            unchanged: 'nothing was registered or deployed',
            next: 'fix the AppSpec file (see the AppSpec reference for ECS deployments)',
        }));
        throw new ProblemsError(`${file} has ${errors.length} problems`, errors);
    };
    if (doc.errors.length > 0) {
        fail(doc.errors.map((e) => ({ path: '', message: `not valid YAML or JSON: ${e.message.split('\n')[0]}`, line: e.linePos?.[0].line })));
    }
    const raw = doc.toJS();
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        fail([{ path: '', message: 'must be a mapping with version, Resources and optionally Hooks' }]);
    }
    // Case-normalised copy, remembering each key's original path for line numbers.
    const originalPath = new Map();
    const normalise = (value, path, original) => {
        originalPath.set(path.join('.'), original);
        if (Array.isArray(value))
            return value.map((v, i) => normalise(v, [...path, i], [...original, i]));
        if (typeof value !== 'object' || value === null)
            return value;
        const out = {};
        for (const [key, v] of Object.entries(value)) {
            // A resource's own name (TargetService) keeps its spelling.
            const isResourceName = path.length === 2 && path[0] === 'Resources';
            const name = isResourceName ? key : (canonical.get(key.toLowerCase()) ?? key);
            out[name] = normalise(v, [...path, name], [...original, key]);
        }
        return out;
    };
    const data = normalise(raw, [], []);
    const result = appSpecSchema.safeParse(data);
    if (!result.success) {
        const lineOf = (path) => {
            const original = originalPath.get(path.map(String).join('.')) ?? path;
            for (let n = original.length; n >= 0; n--) {
                const node = doc.getIn(original.slice(0, n), true);
                if (node?.range)
                    return lineCounter.linePos(node.range[0]).line;
            }
            return undefined;
        };
        fail(result.error.issues.map((issue) => {
            const path = issue.path.map(String).join('.');
            if (issue.code === 'unrecognized_keys') {
                return { path, message: `unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((k) => quote(k)).join(', ')}`, line: lineOf([...issue.path, issue.keys[0] ?? '']) };
            }
            const message = issue.code === 'invalid_type' && issue.input === undefined ? `is required (${issue.expected})` : issue.message;
            return { path, message, line: lineOf(issue.path) };
        }));
    }
    return result.data;
}
/** The one ECS service resource of an AppSpec. */
function targetOf(spec) {
    const resource = spec.Resources[0] ?? {};
    const first = Object.values(resource)[0];
    if (!first)
        throw new Error('AppSpec without a resource');
    return first.Properties;
}
/** A copy with TaskDefinition set to the registered ARN. */
function withTaskDefinition(spec, taskDefinitionArn) {
    const copy = structuredClone(spec);
    targetOf(copy).TaskDefinition = taskDefinitionArn;
    return copy;
}
/** The AppSpec as CodeDeploy's AppSpecContent (JSON is valid AppSpec YAML). */
function appSpecContent(spec) {
    return JSON.stringify(spec);
}
/** The hooks of an AppSpec in lifecycle order: name → function. */
function hooksOf(spec) {
    return Object.assign({}, ...(spec.Hooks ?? []));
}
/**
 * The TaskDefinition of an AppSpec as CodeDeploy stored it (read leniently: any key case, YAML or
 * JSON), or undefined when it cannot be found.
 */
function appSpecTaskDefinition(content) {
    const properties = lenientProperties(content);
    const key = properties ? Object.keys(properties).find((k) => k.toLowerCase() === 'taskdefinition') : undefined;
    const value = key && properties ? properties[key] : undefined;
    return typeof value === 'string' ? value : undefined;
}
/** The same AppSpec content with TaskDefinition replaced, as JSON; undefined when it has none. */
function replaceAppSpecTaskDefinition(content, taskDefinitionArn) {
    const doc = lenientParse(content);
    const properties = propertiesOf(doc);
    const key = properties ? Object.keys(properties).find((k) => k.toLowerCase() === 'taskdefinition') : undefined;
    if (!properties || !key)
        return undefined;
    properties[key] = taskDefinitionArn;
    return JSON.stringify(doc);
}
function lenientParse(content) {
    try {
        return (0,dist/* parseDocument */.Tp)(content).toJS();
    }
    catch {
        return undefined;
    }
}
function lenientProperties(content) {
    return propertiesOf(lenientParse(content));
}
function propertiesOf(doc) {
    const field = (obj, name) => {
        if (typeof obj !== 'object' || obj === null)
            return undefined;
        const key = Object.keys(obj).find((k) => k.toLowerCase() === name);
        return key ? obj[key] : undefined;
    };
    const resources = field(doc, 'resources');
    const first = Array.isArray(resources) ? resources[0] : undefined;
    const resource = first && typeof first === 'object' ? Object.values(first)[0] : undefined;
    const properties = field(resource, 'properties');
    return typeof properties === 'object' && properties !== null ? properties : undefined;
}

// EXTERNAL MODULE: ./actions/deploy-ecs/src/aws-call.ts + 1 modules
var aws_call = __webpack_require__(3869);
// EXTERNAL MODULE: ./packages/shared/src/log.ts
var src_log = __webpack_require__(3133);
;// CONCATENATED MODULE: ./packages/shared/src/poll.ts
// Waiting on an API that has no watch (ECS, CodeDeploy): poll at a short interval that grows
// while nothing changes and drops back as soon as something does, within a deadline.

async function pollUntil(options) {
    const min = options.minIntervalMs ?? 1000;
    const max = options.maxIntervalMs ?? 10_000;
    const factor = options.factor ?? 1.5;
    let interval = min;
    let previous;
    let previousPrint;
    for (let polls = 1;; polls++) {
        (0,deadline/* throwIfAborted */.Te)(options.signal);
        const step = await options.read();
        const print = options.fingerprint(step.state);
        if (print !== previousPrint) {
            options.onChange?.(step.state, previous);
            interval = min;
        }
        else {
            interval = Math.min(max, interval * factor);
        }
        previous = step.state;
        previousPrint = print;
        if (step.done)
            return { state: step.state, polls };
        await (0,deadline/* sleep */.yy)(interval, options.signal);
    }
}

;// CONCATENATED MODULE: ./actions/deploy-ecs/src/timing.ts
const defaultTiming = { minIntervalMs: 2000, maxIntervalMs: 5000, factor: 1.5 };
/** How long cleanup after a deadline or cancellation (StopDeployment, a rollback) may take. */
const cleanupMs = { afterDeadline: 120_000, afterCancel: 8_000 };

;// CONCATENATED MODULE: ./actions/deploy-ecs/src/codedeploy-follow.ts
// Following a CodeDeploy ECS deployment lifecycle event by lifecycle event: one line per change
// (status, hooks, traffic weights, green tasks), Ready / Succeeded / traffic moved as ends, Failed
// and Stopped as errors naming the hook. deploy-ecs and bluegreen-switch both follow this way.







const TERMINAL = new Set(['Succeeded', 'Failed', 'Stopped']);
/** A deployment that ended Failed or Stopped. */
class DeploymentFailedError extends errors/* ExpeditorError */.DR {
    deploymentId;
    status;
    failedEvent;
    rollbackDeploymentId;
    constructor(view, deploymentId) {
        const d = view.deployment;
        const failedEvent = view.target?.lifecycleEvents?.find((e) => e.status === 'Failed')?.lifecycleEventName;
        const info = d?.errorInformation;
        const rollbackId = d?.rollbackInfo?.rollbackDeploymentId;
        const verb = d?.status === 'Stopped' ? 'was stopped' : 'failed';
        const at = failedEvent ? ` at lifecycle event ${failedEvent}` : '';
        const code = info?.code ? ` (${info.code})` : '';
        super(`CodeDeploy deployment ${deploymentId} ${verb}${at}${code}: ${info?.message ?? 'no reason given'}`, {
            unchanged: rollbackId
                ? `CodeDeploy rolls back with deployment ${rollbackId}: traffic returns to the original (blue) task set`
                : !greenWeight(view.target)
                    ? 'production traffic stayed on the original (blue) task set'
                    : `no rollback ran: ${trafficWords(view.target)}`,
            next: failedEvent && /^(Before|After)/.test(failedEvent)
                ? `read the logs of the ${failedEvent} hook's Lambda function, fix what it found, and deploy again`
                : 'read the deployment’s events in the CodeDeploy console, fix the cause, and deploy again',
        });
        this.name = 'DeploymentFailedError';
        this.deploymentId = deploymentId;
        this.status = d?.status ?? 'Failed';
        this.failedEvent = failedEvent;
        this.rollbackDeploymentId = rollbackId;
    }
}
/**
 * Follows a deployment until `until` (or Failed/Stopped, thrown as DeploymentFailedError). Reads
 * the deployment target (lifecycle events, task sets, traffic) on each poll, and the deployment
 * itself only when the target says something ended, so a quiet wait costs one call per poll.
 * The deadline and cancellation reach the caller as DeadlineError/CancelledError.
 */
async function followDeployment(options) {
    const { codedeploy, deploymentId, log } = options;
    const context = { signal: options.signal, log };
    const changes = new src_log/* ChangeLog */.Dv(log);
    let targetId;
    let deployment;
    let lastTargetStatus;
    let trafficShiftedAt;
    let greenAllAt;
    let continued = false;
    let announcedHold = false;
    const getDeployment = async () => {
        const answer = await (0,aws_call/* awsCall */.uF)('codedeploy:GetDeployment', `deployment ${deploymentId}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.GetDeploymentCommand({ deploymentId }), { abortSignal }), context);
        if (!answer.deploymentInfo)
            throw new errors/* ExpeditorError */.DR(`CodeDeploy returned nothing for deployment ${deploymentId}`);
        return answer.deploymentInfo;
    };
    const findTarget = async () => {
        try {
            const answer = await (0,aws_call/* awsCall */.uF)('codedeploy:ListDeploymentTargets', `deployment ${deploymentId}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.ListDeploymentTargetsCommand({ deploymentId }), { abortSignal }), context);
            return answer.targetIds?.[0];
        }
        catch (error) {
            if ((0,aws_call/* errorName */.Is)(error) === 'DeploymentNotStartedException')
                return undefined;
            throw error;
        }
    };
    const getTarget = async (id) => {
        const answer = await (0,aws_call/* awsCall */.uF)('codedeploy:GetDeploymentTarget', `deployment ${deploymentId}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.GetDeploymentTargetCommand({ deploymentId, targetId: id }), { abortSignal }), context);
        return answer.deploymentTarget?.ecsTarget;
    };
    const read = async () => {
        let target;
        if (!targetId) {
            deployment = await getDeployment();
            if (deployment.status !== 'Created' && deployment.status !== 'Queued')
                targetId = await findTarget();
        }
        if (targetId) {
            target = await getTarget(targetId);
            const status = target?.status;
            // The target's status changes only a few times (InProgress, Ready, Succeeded...): read the
            // deployment itself then, so a quiet wait costs one call per poll.
            if (status !== lastTargetStatus)
                deployment = await getDeployment();
            lastTargetStatus = status;
        }
        const view = { deployment, target, trafficShifted: isTrafficShifted(deployment, target) };
        if (view.trafficShifted && trafficShiftedAt === undefined)
            trafficShiftedAt = Date.now();
        const status = deployment?.status;
        const greenAll = deployment?.creator !== 'codeDeployRollback' && (greenWeight(target) === 100 || status === 'Succeeded');
        if (greenAll && greenAllAt === undefined)
            greenAllAt = Date.now();
        let done = TERMINAL.has(status ?? '') || view.trafficShifted;
        if (status === 'Ready') {
            if (options.until === 'ready')
                done = true;
            else if (options.atReady === 'continue' && !continued) {
                continued = true;
                await continueDeployment(codedeploy, deploymentId, 'READY_WAIT', context);
                log.info(`deployment ${deploymentId} was held at Ready; continued it (traffic reroute)`);
                deployment = { ...deployment, status: 'InProgress' };
                lastTargetStatus = undefined;
            }
        }
        return { state: view, done };
    };
    const result = await pollUntil({
        ...defaultTiming,
        ...options.timing,
        ...(options.signal ? { signal: options.signal } : {}),
        read,
        fingerprint: (v) => fingerprintOf(v),
        onChange: (v) => {
            reportChanges(changes, deploymentId, v);
            if (v.deployment?.status === 'Ready' && options.until === 'succeeded' && options.atReady !== 'continue' && !announcedHold) {
                announcedHold = true;
                log.info(`deployment ${deploymentId} is Ready and its group waits for someone to reroute traffic: continue it with bluegreen-switch (or the console); waiting for that`);
            }
        },
    });
    const view = result.state;
    const status = view.deployment?.status;
    if (status === 'Failed' || status === 'Stopped')
        throw new DeploymentFailedError(view, deploymentId);
    const final = status === 'Succeeded' ? 'Succeeded' : status === 'Ready' ? 'Ready' : 'TrafficShifted';
    return { ...view, status: final, noticedAt: Date.now(), trafficShiftedAt, greenAllAt, polls: result.polls };
}
function isTrafficShifted(deployment, target) {
    if (deployment?.status !== 'InProgress' || !target?.lifecycleEvents?.length)
        return false;
    if (deployment.creator === 'codeDeployRollback')
        return false;
    const events = target.lifecycleEvents;
    const allDone = events.every((e) => e.status === 'Succeeded' || e.status === 'Skipped') && events.some((e) => e.lifecycleEventName === 'AfterAllowTraffic' && e.status === 'Succeeded');
    return allDone && greenWeight(target) === 100;
}
function fingerprintOf(view) {
    const events = (view.target?.lifecycleEvents ?? []).map((e) => `${e.lifecycleEventName}:${e.status}`).join(',');
    const sets = (view.target?.taskSetsInfo ?? []).map((s) => `${s.taskSetLabel}:${s.runningCount}/${s.desiredCount}:${s.trafficWeight}`).join(',');
    return `${view.deployment?.status}|${events}|${sets}|${view.trafficShifted}`;
}
function reportChanges(changes, deploymentId, view) {
    changes.report('status', `deployment ${deploymentId}: ${view.deployment?.status ?? '?'}${view.trafficShifted ? ' (traffic moved; blue kept for the termination wait)' : ''}`);
    for (const event of view.target?.lifecycleEvents ?? []) {
        if (event.status === 'Pending')
            continue;
        const took = event.startTime && event.endTime ? ` (${(0,deadline/* formatDuration */.a3)(event.endTime.getTime() - event.startTime.getTime())})` : '';
        const why = event.status === 'Failed' && event.diagnostics?.message ? `: ${event.diagnostics.message}` : '';
        changes.report(`event ${event.lifecycleEventName}`, `  ${event.lifecycleEventName}: ${event.status}${event.status === 'InProgress' ? '' : took}${why}`);
    }
    const traffic = trafficWords(view.target);
    if (traffic)
        changes.report('traffic', `  ${traffic}`);
}
function taskSet(target, label) {
    return target?.taskSetsInfo?.find((s) => s.taskSetLabel === label);
}
function greenWeight(target) {
    return taskSet(target, 'Green')?.trafficWeight;
}
/** "traffic: blue 90% · green 10% (green 2/2 running)", or '' before there are task sets. */
function trafficWords(target) {
    const blue = taskSet(target, 'Blue');
    const green = taskSet(target, 'Green');
    if (!blue && !green)
        return '';
    const parts = [];
    if (blue)
        parts.push(`blue ${Math.round(blue.trafficWeight ?? 0)}%`);
    if (green)
        parts.push(`green ${Math.round(green.trafficWeight ?? 0)}%`);
    const tasks = green ? ` (green ${green.runningCount ?? 0}/${green.desiredCount ?? 0} running)` : '';
    return `traffic: ${parts.join(' · ')}${tasks}`;
}
async function continueDeployment(codedeploy, deploymentId, waitType, context) {
    await (0,aws_call/* awsCall */.uF)('codedeploy:ContinueDeployment', `deployment ${deploymentId}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.ContinueDeploymentCommand({ deploymentId, deploymentWaitType: waitType }), { abortSignal }), context);
}
/** The deployment and its ECS target as they are now (no target before it started). */
async function readView(codedeploy, deploymentId, context) {
    const deployment = (await (0,aws_call/* awsCall */.uF)('codedeploy:GetDeployment', `deployment ${deploymentId}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.GetDeploymentCommand({ deploymentId }), { abortSignal }), context)).deploymentInfo;
    let target;
    if (deployment?.status !== 'Created' && deployment?.status !== 'Queued') {
        try {
            const ids = await (0,aws_call/* awsCall */.uF)('codedeploy:ListDeploymentTargets', `deployment ${deploymentId}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.ListDeploymentTargetsCommand({ deploymentId }), { abortSignal }), context);
            const id = ids.targetIds?.[0];
            if (id) {
                target = (await (0,aws_call/* awsCall */.uF)('codedeploy:GetDeploymentTarget', `deployment ${deploymentId}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.GetDeploymentTargetCommand({ deploymentId, targetId: id }), { abortSignal }), context)).deploymentTarget?.ecsTarget;
            }
        }
        catch (error) {
            if ((0,aws_call/* errorName */.Is)(error) !== 'DeploymentNotStartedException')
                throw error;
        }
    }
    return { deployment, target, trafficShifted: isTrafficShifted(deployment, target) };
}
/** "InProgress at AllowTraffic, traffic: blue 90% · green 10%" */
function whereItWas(view) {
    const current = view.target?.lifecycleEvents?.find((e) => e.status === 'InProgress')?.lifecycleEventName;
    const traffic = trafficWords(view.target);
    return [`${view.deployment?.status ?? '?'}${current ? ` at ${current}` : ''}`, traffic].filter(Boolean).join(', ');
}

// EXTERNAL MODULE: ./actions/deploy-ecs/src/codedeploy-group.ts
var codedeploy_group = __webpack_require__(321);
;// CONCATENATED MODULE: ./actions/deploy-ecs/src/codedeploy-stop.ts
// Never leave a deployment running when the wait ends: StopDeployment with auto-rollback, then
// (briefly, on a fresh deadline) watch it stop and blue come back, and say where things are.







/**
 * StopDeployment with auto-rollback, then wait (briefly, on a fresh deadline, since the run's
 * own signal has fired) until it is Stopped and the rollback has put blue back. Never throws:
 * what it could not do is in `words`.
 */
async function stopWithRollback(codedeploy, deploymentId, options) {
    const { log } = options;
    // A fresh deadline: after a deadline or cancellation the run's own signal has already fired.
    const signal = (0,deadline/* withDeadline */.NE)(options.signal, options.withinMs);
    const context = { signal, log };
    let alreadyEnded = false;
    try {
        const answer = await (0,aws_call/* awsCall */.uF)('codedeploy:StopDeployment', `deployment ${deploymentId}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }), { abortSignal }), context);
        log.info(`StopDeployment ${deploymentId} with rollback: ${answer.status ?? '?'}${answer.statusMessage ? ` (${answer.statusMessage})` : ''}`);
    }
    catch (error) {
        if ((0,aws_call/* errorName */.Is)(error) === 'DeploymentAlreadyCompletedException')
            alreadyEnded = true;
        else {
            return {
                status: 'unknown',
                rollbackDeploymentId: undefined,
                rollbackStatus: undefined,
                words: `stopping it failed (${(0,errors/* describeError */.Uc)(error)}): it may still be running; stop it in the CodeDeploy console`,
            };
        }
    }
    const timing = { minIntervalMs: 500, maxIntervalMs: 2000, factor: 1.5, ...options.timing };
    const readStatus = async (id) => {
        const answer = await (0,aws_call/* awsCall */.uF)('codedeploy:GetDeployment', `deployment ${id}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.GetDeploymentCommand({ deploymentId: id }), { abortSignal }), context);
        return answer.deploymentInfo ?? {};
    };
    let stopped = {};
    try {
        stopped = (await pollUntil({
            ...timing,
            signal,
            read: async () => {
                const d = await readStatus(deploymentId);
                return { state: d, done: TERMINAL.has(d.status ?? '') };
            },
            fingerprint: (d) => d.status ?? '',
        })).state;
    }
    catch (error) {
        return {
            status: 'stopping',
            rollbackDeploymentId: undefined,
            rollbackStatus: undefined,
            words: `StopDeployment was accepted but the deployment had not stopped yet (${(0,errors/* describeError */.Uc)(error)}); CodeDeploy will stop it and roll back`,
        };
    }
    const status = stopped.status ?? '?';
    const rollbackId = stopped.rollbackInfo?.rollbackDeploymentId;
    if (alreadyEnded && status === 'Succeeded') {
        return { status, rollbackDeploymentId: undefined, rollbackStatus: undefined, words: 'it had just Succeeded before it could be stopped: green serves all traffic' };
    }
    if (!rollbackId) {
        return {
            status,
            rollbackDeploymentId: undefined,
            rollbackStatus: undefined,
            words: `it is now ${status}, with no rollback deployment: ${stopped.errorInformation?.message ?? 'see the console for where traffic is'}`,
        };
    }
    let rollback = {};
    try {
        rollback = (await pollUntil({
            ...timing,
            signal,
            read: async () => {
                const d = await readStatus(rollbackId);
                return { state: d, done: TERMINAL.has(d.status ?? '') };
            },
            fingerprint: (d) => d.status ?? '',
            onChange: (d) => log.info(`rollback deployment ${rollbackId}: ${d.status}`),
        })).state;
    }
    catch {
        // Still rolling back when cleanup time ran out: say so.
    }
    const rollbackStatus = rollback.status ?? 'InProgress';
    const words = rollbackStatus === 'Succeeded'
        ? `it is now ${status}, and rollback deployment ${rollbackId} Succeeded: the original (blue) task set serves all traffic`
        : `it is now ${status}; rollback deployment ${rollbackId} is ${rollbackStatus}${rollbackStatus === 'InProgress' ? ' and returns traffic to the original (blue) task set' : ': check the service in the console'}`;
    return { status, rollbackDeploymentId: rollbackId, rollbackStatus, words };
}
/**
 * Follows a deployment; when the wait ends by deadline or cancellation, stops it with rollback
 * and throws an error saying where things are. `describeWait` names what was awaited ("Succeeded").
 */
async function followOrStop(options) {
    let last;
    const log = options.log;
    try {
        return await followDeployment(options);
    }
    catch (error) {
        if (!(error instanceof deadline/* DeadlineError */.j3) && !(error instanceof deadline/* CancelledError */.cc))
            throw error;
        last = await lastView(options).catch(() => undefined);
        const at = last ? whereItWas(last) : 'its state could not be read';
        const why = error instanceof deadline/* DeadlineError */.j3
            ? `did not reach ${options.describeWait} within ${(0,deadline/* formatDuration */.a3)(error.timeoutMs)}`
            : `was interrupted (${error.message})`;
        log.info(`deployment ${options.deploymentId} ${why}; stopping it with rollback`);
        const stop = await stopWithRollback(options.codedeploy, options.deploymentId, {
            log,
            withinMs: error instanceof deadline/* DeadlineError */.j3 ? cleanupMs.afterDeadline : cleanupMs.afterCancel,
            timing: options.timing,
        });
        throw new errors/* ExpeditorError */.DR(`CodeDeploy deployment ${options.deploymentId} ${why} (${at}); it was stopped with rollback: ${stop.words}`, {
            cause: error,
            unchanged: stop.rollbackStatus === 'Succeeded' ? 'the original (blue) task set serves all traffic, as before the deployment' : undefined,
            next: error instanceof deadline/* DeadlineError */.j3
                ? "look at the lifecycle event it was stuck in (hook logs, task health), or raise the 'timeout' input"
                : 'deploy again when ready',
        });
    }
}
async function lastView(options) {
    // One quick read on a fresh signal (the run's has fired) to say where the deployment was.
    return readView(options.codedeploy, options.deploymentId, { signal: (0,deadline/* withDeadline */.NE)(undefined, 5000), log: options.log });
}

;// CONCATENATED MODULE: ./actions/bluegreen-switch/src/ecs/ecs-switch.ts
// The ECS side of bluegreen-switch, on CodeDeploy blue/green deployments:
// - switch: a deployment held at Ready, with green fully running, is continued (traffic reroute)
//   and followed until green takes all traffic (Succeeded, or blue kept for its termination wait);
// - rollback: a deployment still in progress is stopped with auto-rollback; one that Succeeded is
//   undone by a new deployment of the task definition that ran before (recorded by deploy-ecs);
// - cleanup: a deployment whose blue waits to be terminated is told to terminate it now.
// Nothing changes when the deployment is not in the state the action needs.









const ACTIVE = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'];
async function switchEcs(options, clients, context) {
    const call = { signal: context.signal, log: context.log, unchanged: 'nothing was changed' };
    const deployment = await resolveDeployment(options, clients, call);
    const id = deployment.deploymentId ?? '';
    context.log.info(`deployment ${id} of ${deployment.applicationName}/${deployment.deploymentGroupName}: ${deployment.status}`);
    if (options.action === 'switch')
        return switchTraffic(id, clients, context, call);
    if (options.action === 'rollback')
        return rollBack(deployment, options, clients, context, call);
    return cleanUp(id, clients, context, call);
}
/** The deployment named, or the newest one of the group in a state the action can work on. */
async function resolveDeployment(options, clients, call) {
    if (options.deploymentId) {
        const view = await readView(clients.codedeploy, options.deploymentId, call).catch((error) => {
            if ((0,aws_call/* errorName */.Is)(error) === 'DeploymentDoesNotExistException' || (0,aws_call/* errorName */.Is)(error) === 'InvalidDeploymentIdException') {
                throw new errors/* ExpeditorError */.DR(`input 'deployment-id': CodeDeploy deployment ${options.deploymentId} does not exist in this account and region`, {
                    input: 'deployment-id',
                    unchanged: 'nothing was changed',
                    next: "pass deploy-ecs's deployment-id output from the same environment",
                });
            }
            throw error;
        });
        if (!view.deployment)
            throw new errors/* ExpeditorError */.DR(`CodeDeploy returned nothing for deployment ${options.deploymentId}`);
        return view.deployment;
    }
    const group = options.group;
    if (!group)
        throw new errors/* ExpeditorError */.DR('no deployment id and no CodeDeploy group to look in', { input: 'deployment-id' });
    const wanted = options.action === 'switch' ? [['Ready']] : options.action === 'cleanup' ? [['InProgress']] : [ACTIVE, ['Succeeded']];
    for (const statuses of wanted) {
        const newest = await newestDeployment(clients, group, statuses, call);
        if (newest)
            return newest;
    }
    const what = options.action === 'switch' ? 'held at Ready' : options.action === 'cleanup' ? 'in progress' : 'in progress or succeeded';
    throw new errors/* ExpeditorError */.DR(`deployment group ${group.application}/${group.group} has no deployment ${what}`, {
        input: 'deployment-id',
        unchanged: 'nothing was changed',
        next: options.action === 'switch' ? 'deploy with deploy-ecs wait-until: ready first, or pass its deployment-id' : 'pass the deployment-id to act on',
    });
}
async function newestDeployment(clients, group, statuses, call) {
    const ids = [];
    let nextToken;
    do {
        const page = await (0,aws_call/* awsCall */.uF)('codedeploy:ListDeployments', `deployment group ${group.group} of application ${group.application}`, (abortSignal) => clients.codedeploy.send(new client_codedeploy_dist_cjs.ListDeploymentsCommand({ applicationName: group.application, deploymentGroupName: group.group, includeOnlyStatuses: statuses, ...(nextToken ? { nextToken } : {}) }), { abortSignal }), call);
        ids.push(...(page.deployments ?? []));
        nextToken = page.nextToken;
    } while (nextToken && ids.length < 200);
    const infos = [];
    for (let i = 0; i < ids.length; i += 25) {
        const batch = ids.slice(i, i + 25);
        const answer = await (0,aws_call/* awsCall */.uF)('codedeploy:BatchGetDeployments', `deployments of ${group.application}/${group.group}`, (abortSignal) => clients.codedeploy.send(new client_codedeploy_dist_cjs.BatchGetDeploymentsCommand({ deploymentIds: batch }), { abortSignal }), call);
        infos.push(...(answer.deploymentsInfo ?? []));
    }
    // A rollback CodeDeploy made is not what anyone switches or rolls back.
    return infos
        .filter((d) => d.creator !== 'codeDeployRollback')
        .sort((a, b) => (b.createTime?.getTime() ?? 0) - (a.createTime?.getTime() ?? 0))[0];
}
async function switchTraffic(id, clients, context, call) {
    const { log } = context;
    const view = await readView(clients.codedeploy, id, call);
    const status = view.deployment?.status;
    if (status !== 'Ready') {
        const why = status === 'Succeeded' || view.trafficShifted
            ? 'green already takes all traffic'
            : status === 'Failed' || status === 'Stopped'
                ? `it ended ${status}`
                : `it is ${whereItWas(view)}, not held at Ready`;
        throw new errors/* ExpeditorError */.DR(`deployment ${id} cannot be switched: ${why}`, {
            input: 'deployment-id',
            unchanged: `nothing was changed${trafficWords(view.target) ? ` (${trafficWords(view.target)})` : ''}`,
            next: status === 'Succeeded' ? 'nothing to do' : 'switch a deployment that deploy-ecs left at Ready (wait-until: ready)',
        });
    }
    // The target must be fully up before it gets production traffic.
    const green = view.target?.taskSetsInfo?.find((s) => s.taskSetLabel === 'Green');
    if (!green || !green.desiredCount || (green.runningCount ?? 0) < green.desiredCount) {
        throw new errors/* ExpeditorError */.DR(`deployment ${id} is Ready but green is not fully running (${green ? `${green.runningCount ?? 0}/${green.desiredCount ?? 0} tasks` : 'no green task set'})`, {
            unchanged: 'nothing was changed: blue serves all production traffic',
            next: 'look at the green tasks in the ECS console; switch once they all run',
        });
    }
    const from = await serviceTaskDefinition(view, clients, call);
    const to = appSpecTaskDefinition(view.deployment?.revision?.appSpecContent?.content ?? '');
    const requestedAt = Date.now();
    await continueDeployment(clients.codedeploy, id, 'READY_WAIT', { ...call, unchanged: 'nothing was changed: blue serves all production traffic' });
    log.info(`continued deployment ${id}: production traffic moves from ${ecs_switch_short(from)} to ${ecs_switch_short(to)}`);
    const followed = await log.group(`Traffic reroute of ${id}`, () => followOrStop({
        codedeploy: clients.codedeploy,
        deploymentId: id,
        until: 'succeeded',
        atReady: 'wait',
        log,
        signal: context.signal,
        timing: context.timing,
        describeWait: 'Succeeded',
    }));
    const convergenceMs = followed.greenAllAt !== undefined ? followed.greenAllAt - requestedAt : undefined;
    const words = followed.status === 'TrafficShifted'
        ? `green (${ecs_switch_short(to)}) takes all traffic; blue (${ecs_switch_short(from)}) is kept as a hot standby until its termination wait ends`
        : `green (${ecs_switch_short(to)}) takes all traffic; deployment ${id} Succeeded`;
    log.info(`${words}${convergenceMs !== undefined ? ` (${(0,deadline/* formatDuration */.a3)(convergenceMs)} after the switch)` : ''}`);
    return {
        action: 'switch',
        deploymentId: id,
        newDeploymentId: undefined,
        status: followed.status,
        from,
        to,
        switched: true,
        convergenceMs,
        consoleUrl: (0,aws_call/* codeDeployConsoleUrl */.bf)(clients.region, id),
        words,
    };
}
async function rollBack(deployment, options, clients, context, call) {
    const { log } = context;
    const id = deployment.deploymentId ?? '';
    const status = deployment.status ?? '';
    const green = appSpecTaskDefinition(deployment.revision?.appSpecContent?.content ?? '');
    const consoleUrl = (0,aws_call/* codeDeployConsoleUrl */.bf)(clients.region, id);
    if (ACTIVE.includes(status)) {
        const view = await readView(clients.codedeploy, id, call);
        const blue = await serviceTaskDefinition(view, clients, call);
        log.info(`deployment ${id} is ${whereItWas(view)}: stopping it with rollback`);
        const requestedAt = Date.now();
        const stop = await stopWithRollback(clients.codedeploy, id, { log, withinMs: options.timeoutMs, timing: context.timing, signal: context.signal });
        // Traffic moves back only if some had reached green.
        const moved = (greenWeight(view.target) ?? 0) > 0;
        const back = moved && stop.rollbackStatus === 'Succeeded';
        if (stop.status !== 'Stopped' && stop.status !== 'Succeeded') {
            throw new errors/* ExpeditorError */.DR(`rolling back deployment ${id} did not finish: ${stop.words}`, { next: `look at ${consoleUrl}` });
        }
        if (stop.status === 'Succeeded') {
            throw new errors/* ExpeditorError */.DR(`deployment ${id} Succeeded before it could be stopped: ${stop.words}`, {
                unchanged: `green (${ecs_switch_short(green)}) serves all traffic`,
                next: 'run the rollback again: it now deploys the previous task definition',
            });
        }
        log.info(`deployment ${id}: ${stop.words}`);
        return {
            action: 'rollback',
            deploymentId: id,
            newDeploymentId: stop.rollbackDeploymentId,
            status: stop.status,
            from: green,
            to: blue,
            switched: back,
            convergenceMs: back ? Date.now() - requestedAt : undefined,
            consoleUrl,
            words: `deployment ${id} stopped; ${stop.words}`,
        };
    }
    if (status === 'Failed' || status === 'Stopped') {
        const rollbackId = deployment.rollbackInfo?.rollbackDeploymentId;
        const words = `deployment ${id} already ended ${status}${rollbackId ? `, and CodeDeploy rolled it back (deployment ${rollbackId})` : ''}: green never took over, nothing to roll back`;
        log.info(words);
        return { action: 'rollback', deploymentId: id, newDeploymentId: rollbackId, status, from: undefined, to: undefined, switched: false, convergenceMs: undefined, consoleUrl, words };
    }
    // Succeeded: deploy what ran before, through the same group.
    const previous = options.previousTaskDefinition ?? recordedPrevious(deployment.description);
    if (!previous) {
        throw new errors/* ExpeditorError */.DR(`deployment ${id} Succeeded and records no previous task definition to return to`, {
            input: 'task-definition',
            unchanged: `nothing was changed: green (${ecs_switch_short(green)}) serves all traffic`,
            next: "give the task definition to return to in the 'task-definition' input (deploy-ecs's previous-task-definition-arn output)",
        });
    }
    const previousArn = await existingTaskDefinition(previous, clients, call);
    const content = replaceAppSpecTaskDefinition(deployment.revision?.appSpecContent?.content ?? '', previousArn);
    if (!content) {
        throw new errors/* ExpeditorError */.DR(`deployment ${id} has no AppSpec content to reuse for the rollback`, {
            unchanged: 'nothing was changed',
            next: `deploy ${previousArn} with deploy-ecs`,
        });
    }
    const requestedAt = Date.now();
    const newId = await (0,codedeploy_group/* createDeployment */.Yy)(clients.codedeploy, {
        application: deployment.applicationName ?? '',
        group: deployment.deploymentGroupName ?? '',
        deploymentConfig: undefined,
        appSpecContent: content,
        description: `Expeditor bluegreen-switch rollback of ${id} to ${previousArn}; previous task definition: ${green ?? ''}`,
    }, { ...call, unchanged: `nothing was changed: green (${ecs_switch_short(green)}) serves all traffic` });
    log.info(`deployment ${id} had Succeeded: rolling back with a new deployment ${newId} of ${ecs_switch_short(previousArn)}`);
    // A rollback does not wait for an approval at Ready.
    const followed = await log.group(`Rollback deployment ${newId}`, () => followOrStop({
        codedeploy: clients.codedeploy,
        deploymentId: newId,
        until: 'succeeded',
        atReady: 'continue',
        log,
        signal: context.signal,
        timing: context.timing,
        describeWait: 'Succeeded',
    }));
    const words = `${ecs_switch_short(previousArn)} serves all traffic again (deployment ${newId} ${followed.status})`;
    log.info(words);
    return {
        action: 'rollback',
        deploymentId: id,
        newDeploymentId: newId,
        status: followed.status,
        from: green,
        to: previousArn,
        switched: true,
        convergenceMs: followed.greenAllAt !== undefined ? followed.greenAllAt - requestedAt : undefined,
        consoleUrl: (0,aws_call/* codeDeployConsoleUrl */.bf)(clients.region, newId),
        words,
    };
}
async function cleanUp(id, clients, context, call) {
    const { log } = context;
    const view = await readView(clients.codedeploy, id, call);
    const consoleUrl = (0,aws_call/* codeDeployConsoleUrl */.bf)(clients.region, id);
    const green = appSpecTaskDefinition(view.deployment?.revision?.appSpecContent?.content ?? '');
    if (!view.trafficShifted) {
        const words = view.deployment?.status === 'Succeeded'
            ? `deployment ${id} Succeeded: CodeDeploy already terminated the original (blue) task set, nothing to clean up`
            : `deployment ${id} is ${whereItWas(view)}: blue still has a role, nothing cleaned up`;
        log.info(words);
        return { action: 'cleanup', deploymentId: id, newDeploymentId: undefined, status: view.deployment?.status ?? '?', from: undefined, to: green, switched: false, convergenceMs: undefined, consoleUrl, words };
    }
    await continueDeployment(clients.codedeploy, id, 'TERMINATION_WAIT', call);
    log.info(`deployment ${id}: ended the termination wait; the original (blue) task set is being terminated`);
    const followed = await followOrStop({
        codedeploy: clients.codedeploy,
        deploymentId: id,
        until: 'succeeded',
        atReady: 'wait',
        log,
        signal: context.signal,
        timing: context.timing,
        describeWait: 'Succeeded',
    });
    const words = `deployment ${id} ${followed.status}: blue terminated, green (${ecs_switch_short(green)}) serves all traffic`;
    return { action: 'cleanup', deploymentId: id, newDeploymentId: undefined, status: followed.status, from: undefined, to: green, switched: false, convergenceMs: undefined, consoleUrl, words };
}
/** The task definition the ECS service runs (blue, while a deployment is not done). */
async function serviceTaskDefinition(view, clients, call) {
    const recorded = recordedPrevious(view.deployment?.description);
    const targetId = view.target?.targetId;
    const [cluster, service] = targetId?.includes(':') ? [targetId.slice(0, targetId.lastIndexOf(':')), targetId.slice(targetId.lastIndexOf(':') + 1)] : [];
    if (!cluster || !service)
        return recorded;
    try {
        const answer = await (0,aws_call/* awsCall */.uF)('ecs:DescribeServices', `service ${service} in cluster ${cluster}`, (abortSignal) => clients.ecs.send(new dist_cjs.DescribeServicesCommand({ cluster, services: [service] }), { abortSignal }), call);
        return answer.services?.[0]?.taskDefinition ?? recorded;
    }
    catch (error) {
        call.log.debug(`could not read service ${service}: ${(0,errors/* describeError */.Uc)(error)}`);
        return recorded;
    }
}
async function existingTaskDefinition(name, clients, call) {
    try {
        const answer = await (0,aws_call/* awsCall */.uF)('ecs:DescribeTaskDefinition', name, (abortSignal) => clients.ecs.send(new dist_cjs.DescribeTaskDefinitionCommand({ taskDefinition: name }), { abortSignal }), call);
        const arn = answer.taskDefinition?.taskDefinitionArn;
        if (arn)
            return arn;
    }
    catch (error) {
        if ((0,aws_call/* errorName */.Is)(error) !== 'ClientException')
            throw error;
    }
    throw new errors/* ExpeditorError */.DR(`input 'task-definition': task definition ${name} does not exist`, {
        input: 'task-definition',
        unchanged: 'nothing was changed',
        next: 'give a registered task definition (family:revision or ARN) to return to',
    });
}
/** The task definition deploy-ecs recorded in the deployment's description. */
function recordedPrevious(description) {
    return /previous task definition: (arn:aws[a-z-]*:ecs:[^\s;]+)/.exec(description ?? '')?.[1];
}
function ecs_switch_short(arn) {
    return arn ? (arn.split('/').pop() ?? arn) : '?';
}


/***/ })

};
