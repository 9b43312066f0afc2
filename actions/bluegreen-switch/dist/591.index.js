export const id = 591;
export const ids = [591,832];
export const modules = {

/***/ 9591:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runEcsSwitch: () => (/* binding */ runEcsSwitch)
});

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./packages/shared/src/config.ts + 1 modules
var config = __webpack_require__(6832);
// EXTERNAL MODULE: ./packages/shared/src/errors.ts
var errors = __webpack_require__(9680);
;// CONCATENATED MODULE: ./packages/shared/src/settings.ts
// Explicit inputs win over the environment file, and the summary says where each value came from.
class Settings {
    provenance = [];
    /** The input value if given, else the file value, else the default; recorded for the summary. */
    pick(name, input, file, fallback) {
        if (input.value !== undefined && input.value !== '')
            return this.record(name, input.value, 'input', `input '${input.name}'`);
        if (file && file.value !== undefined)
            return this.record(name, file.value, 'file', file.key);
        if (fallback !== undefined)
            return this.record(name, fallback, 'default', 'default');
        return undefined;
    }
    /** A value worked out from others (an account from a role ARN, a session name from the run). */
    derive(name, value, from) {
        return this.record(name, value, 'derived', from);
    }
    record(name, value, source, from) {
        this.provenance.push({ name, value: String(value), source, from });
        return value;
    }
    /** Rows for a summary table: setting, value, from. */
    rows() {
        return this.provenance.map((p) => [p.name, p.value, p.from]);
    }
}

// EXTERNAL MODULE: ./actions/deploy-ecs/src/codedeploy-group.ts
var codedeploy_group = __webpack_require__(321);
;// CONCATENATED MODULE: ./actions/bluegreen-switch/src/ecs/plan.ts
// What the ECS switch will act on, decided before any network call: the deployment (by id, or the
// newest fitting one of a CodeDeploy group named by input, environment file or the console's
// default names), and where each value came from.





function planEcsSwitch(common, inputs, context) {
    const envName = common.environment;
    let ecs;
    let region;
    if (envName) {
        const env = (0,config.environmentOf)((0,config.loadConfig)((0,external_node_path_.join)(context.workspace, common.config), common.config), envName, common.config);
        region = env.aws.region;
        ecs = env.ecs;
        if (!ecs && !inputs.deploymentId && !(inputs.codedeployApplication && inputs.codedeployDeploymentGroup)) {
            throw new errors/* ExpeditorError */.DR(`environment ${envName} in ${common.config} has no ecs section`, {
                key: `environments.${envName}.ecs`,
                unchanged: 'nothing was changed',
                next: 'give the deployment-id input, or set environments.<name>.ecs (cluster, service, codedeploy)',
            });
        }
    }
    const settings = new Settings();
    const key = (k) => `environments.${envName}.ecs.${k}`;
    const pick = (name, input, value, fileKey, fileValue) => settings.pick(name, { name: input, value }, ecs ? { key: key(fileKey), value: fileValue } : undefined);
    const deploymentId = pick('deployment', 'deployment-id', inputs.deploymentId, '', undefined);
    const cluster = pick('cluster', 'cluster', inputs.cluster, 'cluster', ecs?.cluster);
    const service = pick('service', 'service', inputs.service, 'service', ecs?.service);
    const defaults = cluster && service ? (0,codedeploy_group/* defaultCodeDeployNames */.eg)(cluster, service) : undefined;
    const application = pick('CodeDeploy application', 'codedeploy-application', inputs.codedeployApplication, 'codedeploy.application', ecs?.codedeploy?.application) ?? defaults?.application;
    const group = pick('CodeDeploy group', 'codedeploy-deployment-group', inputs.codedeployDeploymentGroup, 'codedeploy.deployment-group', ecs?.codedeploy?.['deployment-group']) ?? defaults?.group;
    if (!deploymentId && !(application && group)) {
        throw new errors/* InputError */.dz('deployment-id', 'is required unless the CodeDeploy application and group, or the ECS cluster and service, are given', "pass deploy-ecs's deployment-id output, or the environment whose ecs settings name the service");
    }
    const previousTaskDefinition = pick('rollback task definition', 'task-definition', inputs.taskDefinition, '', undefined);
    return {
        action: common.action,
        environment: envName,
        region,
        deploymentId,
        group: application && group ? { application, group } : undefined,
        previousTaskDefinition,
        settings,
    };
}

// EXTERNAL MODULE: ./packages/shared/src/deadline.ts + 1 modules
var deadline = __webpack_require__(5915);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
;// CONCATENATED MODULE: ./packages/shared/src/summary.ts
// The step summary a person reads after the run: a heading, tables (environment, image digest,
// what changed, durations, links) and short notes. Plain markdown appended to GITHUB_STEP_SUMMARY.

class Summary {
    parts = [];
    heading(text, level = 2) {
        this.parts.push(`${'#'.repeat(level)} ${escapeInline(text)}`);
        return this;
    }
    /** A table; undefined cells print as an em dash. */
    table(columns, rows) {
        const head = `| ${columns.map(escapeCell).join(' | ')} |`;
        const rule = `| ${columns.map(() => '---').join(' | ')} |`;
        const body = rows.map((row) => `| ${columns.map((_, i) => renderCell(row[i])).join(' | ')} |`);
        this.parts.push([head, rule, ...body].join('\n'));
        return this;
    }
    /** Two-column facts: name | value. */
    facts(entries) {
        return this.table(['', ''], entries.map(([k, v]) => [`**${escapeCell(k)}**`, v]));
    }
    paragraph(text) {
        this.parts.push(escapeInline(text));
        return this;
    }
    /** Preformatted text, e.g. the tail of a build log, in a collapsed block. */
    details(title, text) {
        const fence = text.includes('```') ? '~~~~' : '```';
        this.parts.push(`<details><summary>${escapeHtml(title)}</summary>\n\n${fence}\n${text}\n${fence}\n\n</details>`);
        return this;
    }
    toMarkdown() {
        return `${this.parts.join('\n\n')}\n`;
    }
    /** Appends to the step summary file when there is one; returns whether it wrote. */
    write(path) {
        if (!path)
            return false;
        (0,external_node_fs_.appendFileSync)(path, `${this.toMarkdown()}\n`);
        return true;
    }
}
function renderCell(cell) {
    if (cell === undefined || cell === '')
        return '—';
    if (typeof cell === 'object')
        return `[${escapeCell(cell.text)}](${cell.href.replace(/[()\s]/g, encodeURIComponent)})`;
    return escapeCell(String(cell));
}
function escapeHtml(text) {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function escapeInline(text) {
    return escapeHtml(text).replace(/\r?\n/g, ' ');
}
function escapeCell(text) {
    return escapeHtml(text).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

;// CONCATENATED MODULE: ./actions/bluegreen-switch/src/ecs/summary.ts
// The step summary of an ECS switch, rollback or cleanup.



function switchSummary(plan, outcome, tookMs) {
    const summary = new Summary();
    const what = `bluegreen-switch ${plan.action} (ECS${plan.environment ? `, ${plan.environment}` : ''})`;
    if ('error' in outcome) {
        summary.heading(`${what} failed`);
        summary.details('What happened', (0,errors/* formatFailure */.M3)(outcome.error));
    }
    else {
        const r = outcome.result;
        summary.heading(`${what}: ${r.status}`);
        summary.facts([
            ['CodeDeploy deployment', { text: r.newDeploymentId ?? r.deploymentId, href: r.consoleUrl }],
            ...(r.newDeploymentId ? [['acted on', r.deploymentId]] : []),
            ['traffic was on', r.from],
            ['traffic is on', r.to],
            ['switched', r.switched ? 'yes' : 'no'],
            ['converged in', r.convergenceMs !== undefined ? (0,deadline/* formatDuration */.a3)(r.convergenceMs) : undefined],
            ['took', (0,deadline/* formatDuration */.a3)(tookMs)],
        ]);
        summary.paragraph(r.words);
    }
    const settings = plan.settings.rows();
    if (settings.length)
        summary.heading('Settings', 3).table(['setting', 'value', 'from'], settings);
    return summary;
}

;// CONCATENATED MODULE: ./actions/bluegreen-switch/src/ecs/action.ts


async function runEcsSwitch(common, inputs, github, run) {
    const started = Date.now();
    const plan = planEcsSwitch(common, inputs, { workspace: github.workspace });
    // The SDK modules load only now that the inputs are known to be good.
    const [{ switchEcs }, { createEcsClients }] = await Promise.all([Promise.all(/* import() */[__webpack_require__.e(212), __webpack_require__.e(63)]).then(__webpack_require__.bind(__webpack_require__, 5063)), __webpack_require__.e(/* import() */ 573).then(__webpack_require__.bind(__webpack_require__, 7573))]);
    const clients = await createEcsClients(plan.region);
    try {
        const result = await switchEcs({ action: plan.action, deploymentId: plan.deploymentId, group: plan.group, previousTaskDefinition: plan.previousTaskDefinition, timeoutMs: common.timeoutMs }, clients, { log: run.log, signal: run.signal });
        switchSummary(plan, { result }, Date.now() - started).write(github.stepSummaryPath);
        return result;
    }
    catch (error) {
        switchSummary(plan, { error }, Date.now() - started).write(github.stepSummaryPath);
        throw error;
    }
    finally {
        clients.destroy();
    }
}


/***/ }),

/***/ 3869:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  uF: () => (/* binding */ awsCall),
  bf: () => (/* binding */ codeDeployConsoleUrl),
  Is: () => (/* binding */ errorName)
});

// UNUSED EXPORTS: AccessDeniedError, ecsConsoleUrl

// EXTERNAL MODULE: ./packages/shared/src/errors.ts
var errors = __webpack_require__(9680);
// EXTERNAL MODULE: ./node_modules/p-retry/index.js + 1 modules
var p_retry = __webpack_require__(4995);
;// CONCATENATED MODULE: ./packages/shared/src/retry.ts
// Retry by error kind: throttling, 5xx and dropped connections can succeed on a later try;
// access and validation errors never will, so they fail at once.

const throttlingNames = new Set([
    'Throttling', 'ThrottlingException', 'ThrottledException', 'TooManyRequestsException',
    'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException', 'SlowDown',
    'ProvisionedThroughputExceededException', 'LimitExceededException', 'PriorRequestNotComplete',
    'BandwidthLimitExceeded', 'EC2ThrottledException', 'TransactionInProgressException',
    'IDPCommunicationError', 'IDPCommunicationErrorException',
]);
const accessNames = new Set([
    'AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnrecognizedClientException',
    'InvalidClientTokenId', 'ExpiredToken', 'ExpiredTokenException', 'InvalidIdentityToken',
    'InvalidIdentityTokenException', 'IncompleteSignature', 'SignatureDoesNotMatch', 'Forbidden',
    'Unauthorized', 'AuthFailure', 'MissingAuthenticationToken',
]);
const networkCodes = new Set([
    'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED',
    'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED',
    'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'TimeoutError', 'RequestTimeout',
    'RequestTimeoutException',
]);
/** What kind of failure this is, from its name, code and HTTP status (AWS SDK, Kubernetes, fetch). */
function classifyError(error) {
    if (typeof error !== 'object' || error === null)
        return 'other';
    const e = error;
    if (e.name === 'AbortError')
        return 'cancelled';
    const name = String(e.name ?? e.Code ?? '');
    const code = typeof e.code === 'string' ? e.code : String(e.Code ?? '');
    const status = e.$metadata?.httpStatusCode ??
        (typeof e.statusCode === 'number' ? e.statusCode : typeof e.code === 'number' ? e.code : undefined);
    if (e.$retryable?.throttling || throttlingNames.has(name) || throttlingNames.has(code) || status === 429) {
        return 'throttling';
    }
    if (accessNames.has(name) || accessNames.has(code) || status === 401 || status === 403)
        return 'access';
    if (networkCodes.has(code) || networkCodes.has(name))
        return 'network';
    if (status !== undefined && status >= 500)
        return 'server';
    if (status !== undefined && status >= 400)
        return 'validation';
    if (name.endsWith('ValidationException') || name === 'ValidationError' || name === 'InvalidParameterException') {
        return 'validation';
    }
    // fetch() wraps socket errors: `TypeError: fetch failed` with the real one as the cause.
    if (e.cause && e.cause !== error) {
        const inner = classifyError(e.cause);
        if (inner === 'network')
            return inner;
    }
    return 'other';
}
function isRetryable(error) {
    const kind = classifyError(error);
    return kind === 'throttling' || kind === 'server' || kind === 'network';
}
/** Runs `fn`, retrying only retryable errors with jittered exponential backoff. */
function withRetry(fn, options = {}) {
    const minTimeout = options.minDelayMs ?? 250;
    return (0,p_retry/* default */.Ay)(fn, {
        retries: options.retries ?? 4,
        minTimeout,
        maxTimeout: options.maxDelayMs ?? 8000,
        factor: 2,
        randomize: true,
        ...(options.signal ? { signal: options.signal } : {}),
        shouldRetry: (context) => isRetryable(context.error),
        onFailedAttempt: (context) => {
            if (context.retriesLeft > 0 && isRetryable(context.error)) {
                options.onRetry?.(context.error, context.attemptNumber, minTimeout * 2 ** (context.attemptNumber - 1));
            }
        },
    });
}

;// CONCATENATED MODULE: ./actions/deploy-ecs/src/aws-call.ts
// One AWS request: retried only when a retry can succeed (throttling, 5xx, dropped connections),
// and an AccessDenied turned into an error that names the IAM action and the resource, since that
// is what a person has to add to the role's policy.


class AccessDeniedError extends errors/* ExpeditorError */.DR {
    action;
    resource;
    constructor(action, resource, cause, unchanged) {
        super(`${action} on ${resource} was denied: ${(0,errors/* describeError */.Uc)(cause)}`, {
            cause,
            ...(unchanged ? { unchanged } : {}),
            next: `allow ${action} on ${resource} in the policy of the role this job uses (assume-env's role for the environment)`,
        });
        this.name = 'AccessDeniedError';
        this.action = action;
        this.resource = resource;
    }
}
/**
 * Sends one request through `fn` (which gets the abort signal to pass to the SDK). `action` is the
 * IAM action (ecs:UpdateService), `resource` what it acts on, both for messages.
 */
async function awsCall(action, resource, fn, context) {
    try {
        return await withRetry(() => fn(context.signal), {
            ...(context.signal ? { signal: context.signal } : {}),
            retries: 6,
            onRetry: (error, attempt, delayMs) => context.log.info(`${action}: ${(0,errors/* describeError */.Uc)(error)}; retry ${attempt} in about ${Math.round(delayMs)} ms`),
        });
    }
    catch (error) {
        if (context.signal?.aborted)
            throw abortReasonOf(context.signal, error);
        if (classifyError(error) === 'access')
            throw new AccessDeniedError(action, resource, error, context.unchanged);
        throw error;
    }
}
function abortReasonOf(signal, fallback) {
    const reason = signal.reason;
    return reason instanceof Error ? reason : fallback;
}
/** The name of an AWS SDK error (e.g. ClusterNotFoundException), or ''. */
function errorName(error) {
    return typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
}
function ecsConsoleUrl(region, cluster, service) {
    return `https://${region}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(service)}/deployments?region=${region}`;
}
function codeDeployConsoleUrl(region, deploymentId) {
    return `https://${region}.console.aws.amazon.com/codesuite/codedeploy/deployments/${encodeURIComponent(deploymentId)}?region=${region}`;
}


/***/ }),

/***/ 321:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Yy: () => (/* binding */ createDeployment),
/* harmony export */   eg: () => (/* binding */ defaultCodeDeployNames)
/* harmony export */ });
/* unused harmony exports ACTIVE_STATUSES, checkGroup, checkDeploymentConfig, describeRouting */
/* harmony import */ var _aws_sdk_client_codedeploy__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7507);
/* harmony import */ var _expeditor_shared_errors__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9680);
/* harmony import */ var _expeditor_shared_inputs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7458);
/* harmony import */ var _aws_call_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3869);
// CodeDeploy for ECS, before anything is written: the deployment group (it exists, deploys this
// service, holds at Ready or not) and the deployment config; then CreateDeployment.




const ACTIVE_STATUSES = (/* unused pure expression or super */ null && (['Created', 'Queued', 'InProgress', 'Baking', 'Ready']));
/** The console's default names for a service's CodeDeploy application and group. */
function defaultCodeDeployNames(cluster, service) {
    return { application: `AppECS-${cluster}-${service}`, group: `DgpECS-${cluster}-${service}` };
}
function where(origin) {
    return origin.input ? `input '${origin.input}'` : (origin.key ?? '');
}
function originProblem(origin, message, next) {
    const at = where(origin);
    return new ExpeditorError(at ? `${at}: ${message}` : message, {
        ...(origin.input ? { input: origin.input } : {}),
        ...(origin.key ? { key: origin.key } : {}),
        unchanged: 'nothing was registered or deployed',
        ...(next ? { next } : {}),
    });
}
/** Reads the deployment group; errors name the input when it does not exist or deploys another service. */
async function checkGroup(codedeploy, ref, service, context) {
    let info;
    try {
        info = (await awsCall('codedeploy:GetDeploymentGroup', `deployment group ${ref.group} of application ${ref.application}`, (abortSignal) => codedeploy.send(new GetDeploymentGroupCommand({ applicationName: ref.application, deploymentGroupName: ref.group }), { abortSignal }), { ...context, unchanged: context.unchanged ?? 'nothing was registered or deployed' })).deploymentGroupInfo;
    }
    catch (error) {
        const name = errorName(error);
        if (name === 'ApplicationDoesNotExistException') {
            throw originProblem(ref.applicationOrigin, `CodeDeploy application ${quote(ref.application)} does not exist`, 'name the application that deploys this service (the ECS console calls it AppECS-<cluster>-<service>)');
        }
        if (name === 'DeploymentGroupDoesNotExistException') {
            throw originProblem(ref.groupOrigin, `CodeDeploy deployment group ${quote(ref.group)} does not exist in application ${ref.application}`, 'name the deployment group of this service (the ECS console calls it DgpECS-<cluster>-<service>)');
        }
        throw error;
    }
    if (!info)
        throw originProblem(ref.groupOrigin, `CodeDeploy returned nothing for deployment group ${ref.group}`);
    if (info.computePlatform && info.computePlatform !== 'ECS') {
        throw originProblem(ref.applicationOrigin, `application ${ref.application} is for ${info.computePlatform}, not ECS`);
    }
    if (service) {
        const targets = info.ecsServices ?? [];
        const matches = targets.some((s) => s.serviceName === service.service && (s.clusterName === service.cluster || s.clusterName?.endsWith(`/${service.cluster}`)));
        if (targets.length > 0 && !matches) {
            const names = targets.map((s) => `${s.clusterName}/${s.serviceName}`).join(', ');
            throw originProblem(ref.groupOrigin, `deployment group ${ref.group} deploys ${names}, not ${service.cluster}/${service.service}`);
        }
    }
    const blueGreen = info.blueGreenDeploymentConfiguration;
    const ready = blueGreen?.deploymentReadyOption;
    const waitsForReroute = ready?.actionOnTimeout === 'STOP_DEPLOYMENT';
    return {
        info,
        waitsForReroute,
        readyWaitMinutes: waitsForReroute ? ready?.waitTimeInMinutes : undefined,
        terminationWaitMinutes: blueGreen?.terminateBlueInstancesOnDeploymentSuccess?.terminationWaitTimeInMinutes ?? 0,
        testListeners: (info.loadBalancerInfo?.targetGroupPairInfoList ?? []).flatMap((p) => p.testTrafficRoute?.listenerArns ?? []),
    };
}
/** Reads a deployment config; an error naming the input when it does not exist. */
async function checkDeploymentConfig(codedeploy, name, origin, context) {
    try {
        const answer = await awsCall('codedeploy:GetDeploymentConfig', `deployment config ${name}`, (abortSignal) => codedeploy.send(new GetDeploymentConfigCommand({ deploymentConfigName: name }), { abortSignal }), { ...context, unchanged: 'nothing was registered or deployed' });
        const info = answer.deploymentConfigInfo ?? {};
        if (info.computePlatform && info.computePlatform !== 'ECS') {
            throw originProblem(origin, `deployment config ${name} is for ${info.computePlatform}, not ECS`, 'use an ECS config such as CodeDeployDefault.ECSAllAtOnce or CodeDeployDefault.ECSCanary10Percent5Minutes');
        }
        return info;
    }
    catch (error) {
        if (errorName(error) === 'DeploymentConfigDoesNotExistException') {
            throw originProblem(origin, `deployment config ${quote(name)} does not exist`, 'use CodeDeployDefault.ECSAllAtOnce, an ECSCanary/ECSLinear default, or a config created in this account');
        }
        throw error;
    }
}
/** How a deployment config moves traffic, in words. */
function describeRouting(info) {
    const routing = info?.trafficRoutingConfig;
    if (!routing || routing.type === 'AllAtOnce')
        return 'all at once';
    if (routing.type === 'TimeBasedCanary') {
        const c = routing.timeBasedCanary;
        return `canary: ${c?.canaryPercentage ?? '?'}%, then the rest after ${c?.canaryInterval ?? '?'} min`;
    }
    const l = routing.timeBasedLinear;
    return `linear: ${l?.linearPercentage ?? '?'}% every ${l?.linearInterval ?? '?'} min`;
}
async function createDeployment(codedeploy, options, context) {
    try {
        const answer = await (0,_aws_call_js__WEBPACK_IMPORTED_MODULE_2__/* .awsCall */ .uF)('codedeploy:CreateDeployment', `deployment group ${options.group} of application ${options.application}`, (abortSignal) => codedeploy.send(new _aws_sdk_client_codedeploy__WEBPACK_IMPORTED_MODULE_3__.CreateDeploymentCommand({
            applicationName: options.application,
            deploymentGroupName: options.group,
            ...(options.deploymentConfig ? { deploymentConfigName: options.deploymentConfig } : {}),
            description: options.description.slice(0, 512),
            revision: { revisionType: 'AppSpecContent', appSpecContent: { content: options.appSpecContent } },
        }), { abortSignal }), context);
        if (!answer.deploymentId)
            throw new _expeditor_shared_errors__WEBPACK_IMPORTED_MODULE_0__/* .ExpeditorError */ .DR('CodeDeploy created a deployment without an id');
        return answer.deploymentId;
    }
    catch (error) {
        if ((0,_aws_call_js__WEBPACK_IMPORTED_MODULE_2__/* .errorName */ .Is)(error) === 'DeploymentLimitExceededException') {
            throw new _expeditor_shared_errors__WEBPACK_IMPORTED_MODULE_0__/* .ExpeditorError */ .DR(`deployment group ${options.group} already has a deployment in progress: ${(0,_expeditor_shared_errors__WEBPACK_IMPORTED_MODULE_0__/* .describeError */ .Uc)(error)}`, {
                cause: error,
                ...(context.unchanged ? { unchanged: context.unchanged } : {}),
                next: 'wait for it to end, or stop it (bluegreen-switch action rollback), then deploy again',
            });
        }
        throw error;
    }
}


/***/ }),

/***/ 6832:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  environmentOf: () => (/* binding */ environmentOf),
  loadConfig: () => (/* binding */ loadConfig)
});

// UNUSED EXPORTS: ConfigError, parseConfig

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./packages/shared/src/errors.ts
var errors = __webpack_require__(9680);
// EXTERNAL MODULE: ./packages/shared/src/inputs.ts
var inputs = __webpack_require__(7458);
// EXTERNAL MODULE: ./node_modules/zod/v4/classic/schemas.js + 17 modules
var schemas = __webpack_require__(8816);
// EXTERNAL MODULE: ./packages/shared/src/patterns.ts
var patterns = __webpack_require__(4812);
;// CONCATENATED MODULE: ./packages/shared/src/config-schema.ts
// The environment file (.github/expeditor.yml): one blueprint, values per environment. This schema
// is the single source of the TypeScript types and of the published JSON Schema.


const config_schema_text = (pattern, expected) => schemas/* string */.YjP().regex(pattern, { error: `expected ${expected}` });
const aws = schemas/* strictObject */.rej({
    account: config_schema_text(patterns/* accountId */.lS, '12 digits').describe('The 12-digit AWS account of this environment.'),
    region: config_schema_text(patterns/* awsRegion */.Ue, 'an AWS region such as us-west-2').describe('AWS region.'),
    role: config_schema_text(patterns/* roleArn */.w3, 'an IAM role ARN (arn:aws:iam::<account>:role/<name>)').describe('Role assumed through GitHub OIDC for this environment.'),
    'chain-role': config_schema_text(patterns/* roleArn */.w3, 'an IAM role ARN').optional().describe('A second role assumed with the first (role chaining).'),
});
const codedeploy = schemas/* strictObject */.rej({
    application: schemas/* string */.YjP().min(1),
    'deployment-group': schemas/* string */.YjP().min(1),
    'deployment-config': schemas/* string */.YjP().min(1).optional().describe('e.g. CodeDeployDefault.ECSCanary10Percent5Minutes'),
    'test-listener': schemas/* string */.YjP().optional(),
});
const ecs = schemas/* strictObject */.rej({
    cluster: config_schema_text(patterns/* ecsName */.pC, 'an ECS cluster name'),
    service: config_schema_text(patterns/* ecsName */.pC, 'an ECS service name'),
    strategy: schemas/* enum */.k5n(['rolling', 'blue-green']).default('rolling'),
    container: schemas/* string */.YjP().min(1).optional().describe('Container whose image is set.'),
    'task-definition': schemas/* string */.YjP().min(1).optional().describe('Task definition JSON file; default: the service’s current one.'),
    codedeploy: codedeploy.optional(),
    'wait-until': schemas/* enum */.k5n(['succeeded', 'ready', 'none']).optional(),
});
const canarySteps = schemas/* array */.YOg(schemas/* int */.Whr().min(1).max(100))
    .min(1)
    .refine((steps) => steps.every((s, i) => i === 0 || s > (steps[i - 1] ?? 0)), { error: 'expected increasing weights' })
    .refine((steps) => steps.at(-1) === 100, { error: 'expected the last weight to be 100' });
const eks = schemas/* strictObject */.rej({
    cluster: schemas/* string */.YjP().min(1).max(100).describe('EKS cluster name.'),
    namespace: config_schema_text(patterns/* k8sName */.WE, 'a Kubernetes namespace name').default('default'),
    strategy: schemas/* enum */.k5n(['blue-green', 'rolling']).default('blue-green'),
    route: schemas/* enum */.k5n(['service', 'ingress']).default('service'),
    services: schemas/* array */.YOg(config_schema_text(patterns/* k8sName */.WE, 'a Kubernetes Service name')).optional().describe('Services deployed together.'),
    ingress: config_schema_text(patterns/* k8sName */.WE, 'an Ingress name').optional(),
    canary: canarySteps.optional().describe('Ingress weight steps, e.g. [10, 50, 100].'),
    'color-label': schemas/* string */.YjP().min(1).default('version'),
    'service-account': config_schema_text(patterns/* k8sName */.WE, 'a ServiceAccount name').optional(),
    'irsa-role': config_schema_text(patterns/* roleArn */.w3, 'an IAM role ARN').optional().describe('IAM role for the pods (IRSA annotation).'),
    'config-maps': schemas/* array */.YOg(config_schema_text(patterns/* k8sName */.WE, 'a ConfigMap name')).optional(),
    secrets: schemas/* array */.YOg(config_schema_text(patterns/* k8sName */.WE, 'a Secret name')).optional(),
});
const secretReference = schemas/* string */.YjP()
    .regex(/^arn:aws[a-z-]*:(secretsmanager|ssm):[a-z0-9-]+:\d{12}:(secret:|parameter\/)\S+$/, {
    error: 'expected a Secrets Manager or Parameter Store ARN',
});
const environment = schemas/* strictObject */.rej({
    aws,
    ecs: ecs.optional(),
    eks: eks.optional(),
    vars: schemas/* record */.g1P(schemas/* string */.YjP().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a variable name' }), schemas/* string */.YjP()).optional(),
    secrets: schemas/* record */.g1P(schemas/* string */.YjP().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a variable name' }), secretReference).optional(),
    'promote-from': config_schema_text(patterns/* environmentName */.VE, 'an environment name').optional(),
    url: schemas/* url */.OZ5().optional().describe('The environment URL shown on GitHub Deployments.'),
})
    .superRefine((env, ctx) => {
    if (env.ecs && env.eks)
        ctx.addIssue({ code: 'custom', path: ['eks'], message: 'an environment has either ecs or eks, not both' });
    // The exported credentials are the last role's: with chaining, the first role may live in a
    // shared tooling account and the chained one must be in this environment's account.
    const chained = env.aws['chain-role'] !== undefined;
    const lastRole = env.aws['chain-role'] ?? env.aws.role;
    const roleAccount = /::(\d{12}):/.exec(lastRole)?.[1];
    if (roleAccount && roleAccount !== env.aws.account) {
        ctx.addIssue({
            code: 'custom',
            path: ['aws', chained ? 'chain-role' : 'role'],
            message: `the ${chained ? 'chained ' : ''}role is in account ${roleAccount}, not in this environment's account ${env.aws.account}`,
        });
    }
});
const configSchema = schemas/* strictObject */.rej({
    $schema: schemas/* string */.YjP().optional(),
    app: config_schema_text(patterns/* k8sName */.WE, 'an app name (lower-case letters, digits, -)'),
    image: schemas/* strictObject */.rej({
        repository: schemas/* string */.YjP().regex(/^[a-zA-Z0-9.-]+(:\d+)?\/[a-z0-9._/-]+$/, { error: 'expected an image repository without tag' }),
    }),
    environments: schemas/* record */.g1P(config_schema_text(patterns/* environmentName */.VE, 'an environment name'), environment),
})
    .superRefine((config, ctx) => {
    // Runs even when other keys are wrong (see `when`), so every problem is reported in one go;
    // hence the defensive reading of a value that may not have passed the schema.
    const environments = config?.environments;
    if (!environments || typeof environments !== 'object')
        return;
    const names = Object.keys(environments);
    for (const [name, env] of Object.entries(environments)) {
        const from = env && typeof env === 'object' ? env['promote-from'] : undefined;
        if (typeof from === 'string' && !names.includes(from)) {
            ctx.addIssue({
                code: 'custom',
                input: from,
                path: ['environments', name, 'promote-from'],
                message: `names no environment of this file (have: ${names.join(', ')})`,
            });
        }
    }
    // A promotion chain must end somewhere (dev ← staging ← prod): report each loop once, at
    // the first environment of the file that is on it.
    const fromOf = (name) => {
        const env = environments[name];
        const from = env && typeof env === 'object' ? env['promote-from'] : undefined;
        return typeof from === 'string' && names.includes(from) ? from : undefined;
    };
    const reported = new Set();
    for (const name of names) {
        const path = [name];
        for (let next = fromOf(name); next !== undefined && !path.includes(next); next = fromOf(next))
            path.push(next);
        const last = fromOf(path.at(-1) ?? name);
        if (last !== name || reported.has(name))
            continue;
        for (const member of path)
            reported.add(member);
        ctx.addIssue({
            code: 'custom',
            path: ['environments', name, 'promote-from'],
            message: path.length === 1 ? 'an environment cannot be promoted from itself' : `promotions go round in a loop: ${[...path, name].join(' ← ')}`,
        });
    }
}, { when: () => true });
/** The JSON Schema published for editors (yaml-language-server). */
function configJsonSchema() {
    return {
        ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
        title: 'Expeditor environment file',
    };
}

;// CONCATENATED MODULE: ./packages/shared/src/config.ts
// Loads and validates the environment file. Every problem is reported at once with the key's
// path and line; unknown keys are errors. No action parses the file itself.





class ConfigError extends errors/* ExpeditorError */.DR {
    line;
    constructor(file, key, problem, line) {
        super(`${file}${line ? `:${line}` : ''}: ${key ? `${key}: ` : ''}${problem}`, {
            key: key || undefined,
            unchanged: 'nothing was changed',
            next: `fix ${key || 'the file'} in ${file}`,
        });
        this.name = 'ConfigError';
        this.line = line;
    }
}
/** Parses and validates the text of an environment file; `file` is only used in messages. */
function parseConfig(text, file) {
    const lineCounter = new dist/* LineCounter */.HN();
    const doc = (0,dist/* parseDocument */.Tp)(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
        throw new errors/* ProblemsError */.FQ(`${file} is not valid YAML`, doc.errors.map((e) => new ConfigError(file, '', e.message.split('\n')[0] ?? e.message, e.linePos?.[0].line)));
    }
    const data = doc.toJS();
    const result = configSchema.safeParse(data, { reportInput: true });
    if (result.success)
        return result.data;
    const lineOf = (path) => {
        // The deepest node of the path that exists in the document: an unknown key's parent, say.
        for (let n = path.length; n >= 0; n--) {
            const node = doc.getIn(path.slice(0, n), true);
            if (node?.range)
                return lineCounter.linePos(node.range[0]).line;
        }
        return undefined;
    };
    const problems = result.error.issues.map((issue) => toConfigError(file, issue, lineOf));
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw new errors/* ProblemsError */.FQ(`${file} has ${problems.length} problems`, problems);
}
function toConfigError(file, issue, lineOf) {
    const key = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys;
        const where = key ? `${key}.` : '';
        return new ConfigError(file, keys.length === 1 ? `${where}${keys[0]}` : key, keys.length === 1 ? 'unknown key' : `unknown keys ${keys.map((k) => (0,inputs/* quote */.hD)(k)).join(', ')}`, lineOf([...issue.path, keys[0] ?? '']));
    }
    let problem = issue.message;
    if (issue.code === 'invalid_type' && issue.input === undefined)
        problem = `is required (${issue.expected})`;
    else if ('input' in issue && issue.input !== undefined && (typeof issue.input === 'string' || typeof issue.input === 'number')) {
        problem = `${problem}, got ${(0,inputs/* quote */.hD)(String(issue.input))}`;
    }
    return new ConfigError(file, key, problem, lineOf(issue.path));
}
/** Reads the file; a missing file is an error naming the input that gave its path. */
function loadConfig(path, shownAs = path) {
    let text;
    try {
        text = (0,external_node_fs_.readFileSync)(path, 'utf8');
    }
    catch (error) {
        const code = error.code;
        throw new errors/* ExpeditorError */.DR(`environment file ${shownAs} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}`, {
            input: 'config',
            unchanged: 'nothing was changed',
            next: "create it, point the 'config' input at it, or give the values as inputs",
        });
    }
    return parseConfig(text, shownAs);
}
/** The named environment, or an error listing the ones the file has. */
function environmentOf(config, name, file) {
    const env = config.environments[name];
    if (!env) {
        throw new errors/* ExpeditorError */.DR(`environment ${(0,inputs/* quote */.hD)(name)} is not in ${file} (have: ${Object.keys(config.environments).join(', ') || 'none'})`, { input: 'environment', unchanged: 'nothing was changed' });
    }
    return env;
}


/***/ })

};
