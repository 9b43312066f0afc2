export const id = 221;
export const ids = [221];
export const modules = {

/***/ 2221:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  deployEcs: () => (/* binding */ deployEcs)
});

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-ecs/dist-cjs/index.js
var dist_cjs = __webpack_require__(212);
// EXTERNAL MODULE: ./packages/shared/src/errors.ts
var errors = __webpack_require__(9680);
// EXTERNAL MODULE: ./packages/shared/src/inputs.ts
var inputs = __webpack_require__(7458);
// EXTERNAL MODULE: ./actions/deploy-ecs/src/appspec.ts
var appspec = __webpack_require__(7469);
;// CONCATENATED MODULE: ./node_modules/is-network-error/index.js
const objectToString = Object.prototype.toString;

const isError = value => objectToString.call(value) === '[object Error]';

const errorMessages = new Set([
	'network error', // Chrome
	'NetworkError when attempting to fetch resource.', // Firefox
	'The Internet connection appears to be offline.', // Safari 16
	'Network request failed', // `cross-fetch`
	'fetch failed', // Undici (Node.js)
	'terminated', // Undici (Node.js)
	' A network error occurred.', // Bun (WebKit)
	'Network connection lost', // Cloudflare Workers (fetch)
]);

function isNetworkError(error) {
	const isValid = error
		&& isError(error)
		&& error.name === 'TypeError'
		&& typeof error.message === 'string';

	if (!isValid) {
		return false;
	}

	const {message, stack} = error;

	// Safari 17+ has generic message but no stack for network errors
	if (message === 'Load failed' || (message.startsWith('Load failed (') && message.endsWith(')'))) {
		return stack === undefined
			// Sentry adds its own stack trace to the fetch error, so also check for that
			|| '__sentry_captured__' in error;
	}

	// Deno network errors start with specific text
	if (message.startsWith('error sending request for url')) {
		return true;
	}

	// Chrome: exact "Failed to fetch" or with hostname: "Failed to fetch (example.com)"
	if (message === 'Failed to fetch' || (message.startsWith('Failed to fetch (') && message.endsWith(')'))) {
		return true;
	}

	// Standard network error messages
	return errorMessages.has(message);
}

;// CONCATENATED MODULE: ./node_modules/p-retry/index.js


function validateRetries(retries) {
	if (typeof retries === 'number') {
		if (retries < 0) {
			throw new TypeError('Expected `retries` to be a non-negative number.');
		}

		if (Number.isNaN(retries)) {
			throw new TypeError('Expected `retries` to be a valid number or Infinity, got NaN.');
		}
	} else if (retries !== undefined) {
		throw new TypeError('Expected `retries` to be a number or Infinity.');
	}
}

function validateNumberOption(name, value, {min = 0, allowInfinity = false} = {}) {
	if (value === undefined) {
		return;
	}

	if (typeof value !== 'number' || Number.isNaN(value)) {
		throw new TypeError(`Expected \`${name}\` to be a number${allowInfinity ? ' or Infinity' : ''}.`);
	}

	if (!allowInfinity && !Number.isFinite(value)) {
		throw new TypeError(`Expected \`${name}\` to be a finite number.`);
	}

	if (value < min) {
		throw new TypeError(`Expected \`${name}\` to be \u2265 ${min}.`);
	}
}

class AbortError extends Error {
	constructor(message) {
		super();

		if (message instanceof Error) {
			this.originalError = message;
			({message} = message);
		} else {
			this.originalError = new Error(message);
			this.originalError.stack = this.stack;
		}

		this.name = 'AbortError';
		this.message = message;
	}
}

function calculateDelay(retriesConsumed, options) {
	const attempt = Math.max(1, retriesConsumed + 1);
	const random = options.randomize ? (Math.random() + 1) : 1;

	let timeout = Math.round(random * options.minTimeout * (options.factor ** (attempt - 1)));
	timeout = Math.min(timeout, options.maxTimeout);

	return timeout;
}

function calculateRemainingTime(start, max) {
	if (!Number.isFinite(max)) {
		return max;
	}

	return max - (performance.now() - start);
}

async function onAttemptFailure({error, attemptNumber, retriesConsumed, startTime, options}) {
	const normalizedError = error instanceof Error
		? error
		: new TypeError(`Non-error was thrown: "${error}". You should only throw errors.`);

	if (normalizedError instanceof AbortError) {
		throw normalizedError.originalError;
	}

	const retriesLeft = Number.isFinite(options.retries)
		? Math.max(0, options.retries - retriesConsumed)
		: options.retries;

	const maxRetryTime = options.maxRetryTime ?? Number.POSITIVE_INFINITY;

	const context = Object.freeze({
		error: normalizedError,
		attemptNumber,
		retriesLeft,
		retriesConsumed,
	});

	await options.onFailedAttempt(context);

	if (calculateRemainingTime(startTime, maxRetryTime) <= 0) {
		throw normalizedError;
	}

	const consumeRetry = await options.shouldConsumeRetry(context);

	const remainingTime = calculateRemainingTime(startTime, maxRetryTime);

	if (remainingTime <= 0 || retriesLeft <= 0) {
		throw normalizedError;
	}

	if (normalizedError instanceof TypeError && !isNetworkError(normalizedError)) {
		if (consumeRetry) {
			throw normalizedError;
		}

		options.signal?.throwIfAborted();
		return false;
	}

	if (!await options.shouldRetry(context)) {
		throw normalizedError;
	}

	if (!consumeRetry) {
		options.signal?.throwIfAborted();
		return false;
	}

	const delayTime = calculateDelay(retriesConsumed, options);
	const finalDelay = Math.min(delayTime, remainingTime);

	options.signal?.throwIfAborted();

	if (finalDelay > 0) {
		await new Promise((resolve, reject) => {
			const onAbort = () => {
				clearTimeout(timeoutToken);
				options.signal?.removeEventListener('abort', onAbort);
				reject(options.signal.reason);
			};

			const timeoutToken = setTimeout(() => {
				options.signal?.removeEventListener('abort', onAbort);
				resolve();
			}, finalDelay);

			if (options.unref) {
				timeoutToken.unref?.();
			}

			options.signal?.addEventListener('abort', onAbort, {once: true});
		});
	}

	options.signal?.throwIfAborted();

	return true;
}

async function pRetry(input, options = {}) {
	options = {...options};

	validateRetries(options.retries);

	if (Object.hasOwn(options, 'forever')) {
		throw new Error('The `forever` option is no longer supported. For many use-cases, you can set `retries: Infinity` instead.');
	}

	options.retries ??= 10;
	options.factor ??= 2;
	options.minTimeout ??= 1000;
	options.maxTimeout ??= Number.POSITIVE_INFINITY;
	options.maxRetryTime ??= Number.POSITIVE_INFINITY;
	options.randomize ??= false;
	options.onFailedAttempt ??= () => {};
	options.shouldRetry ??= () => true;
	options.shouldConsumeRetry ??= () => true;

	// Validate numeric options and normalize edge cases
	validateNumberOption('factor', options.factor, {min: 0, allowInfinity: false});
	validateNumberOption('minTimeout', options.minTimeout, {min: 0, allowInfinity: false});
	validateNumberOption('maxTimeout', options.maxTimeout, {min: 0, allowInfinity: true});
	validateNumberOption('maxRetryTime', options.maxRetryTime, {min: 0, allowInfinity: true});

	// Treat non-positive factor as 1 to avoid zero backoff or negative behavior
	if (!(options.factor > 0)) {
		options.factor = 1;
	}

	options.signal?.throwIfAborted();

	let attemptNumber = 0;
	let retriesConsumed = 0;
	const startTime = performance.now();

	while (Number.isFinite(options.retries) ? retriesConsumed <= options.retries : true) {
		attemptNumber++;

		try {
			options.signal?.throwIfAborted();

			const result = await input(attemptNumber);

			options.signal?.throwIfAborted();

			return result;
		} catch (error) {
			if (await onAttemptFailure({
				error,
				attemptNumber,
				retriesConsumed,
				startTime,
				options,
			})) {
				retriesConsumed++;
			}
		}
	}

	// Should not reach here, but in case it does, throw an error
	throw new Error('Retry attempts exhausted without throwing an error.');
}

function makeRetriable(function_, options) {
	return function (...arguments_) {
		return pRetry(() => function_.apply(this, arguments_), options);
	};
}

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
    return pRetry(fn, {
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

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-codedeploy/dist-cjs/index.js
var client_codedeploy_dist_cjs = __webpack_require__(7507);
;// CONCATENATED MODULE: ./actions/deploy-ecs/src/codedeploy-group.ts
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
    return new errors/* ExpeditorError */.DR(at ? `${at}: ${message}` : message, {
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
        info = (await awsCall('codedeploy:GetDeploymentGroup', `deployment group ${ref.group} of application ${ref.application}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.GetDeploymentGroupCommand({ applicationName: ref.application, deploymentGroupName: ref.group }), { abortSignal }), { ...context, unchanged: context.unchanged ?? 'nothing was registered or deployed' })).deploymentGroupInfo;
    }
    catch (error) {
        const name = errorName(error);
        if (name === 'ApplicationDoesNotExistException') {
            throw originProblem(ref.applicationOrigin, `CodeDeploy application ${(0,inputs/* quote */.hD)(ref.application)} does not exist`, 'name the application that deploys this service (the ECS console calls it AppECS-<cluster>-<service>)');
        }
        if (name === 'DeploymentGroupDoesNotExistException') {
            throw originProblem(ref.groupOrigin, `CodeDeploy deployment group ${(0,inputs/* quote */.hD)(ref.group)} does not exist in application ${ref.application}`, 'name the deployment group of this service (the ECS console calls it DgpECS-<cluster>-<service>)');
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
        const answer = await awsCall('codedeploy:GetDeploymentConfig', `deployment config ${name}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.GetDeploymentConfigCommand({ deploymentConfigName: name }), { abortSignal }), { ...context, unchanged: 'nothing was registered or deployed' });
        const info = answer.deploymentConfigInfo ?? {};
        if (info.computePlatform && info.computePlatform !== 'ECS') {
            throw originProblem(origin, `deployment config ${name} is for ${info.computePlatform}, not ECS`, 'use an ECS config such as CodeDeployDefault.ECSAllAtOnce or CodeDeployDefault.ECSCanary10Percent5Minutes');
        }
        return info;
    }
    catch (error) {
        if (errorName(error) === 'DeploymentConfigDoesNotExistException') {
            throw originProblem(origin, `deployment config ${(0,inputs/* quote */.hD)(name)} does not exist`, 'use CodeDeployDefault.ECSAllAtOnce, an ECSCanary/ECSLinear default, or a config created in this account');
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
        const answer = await awsCall('codedeploy:CreateDeployment', `deployment group ${options.group} of application ${options.application}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.CreateDeploymentCommand({
            applicationName: options.application,
            deploymentGroupName: options.group,
            ...(options.deploymentConfig ? { deploymentConfigName: options.deploymentConfig } : {}),
            description: options.description.slice(0, 512),
            revision: { revisionType: 'AppSpecContent', appSpecContent: { content: options.appSpecContent } },
        }), { abortSignal }), context);
        if (!answer.deploymentId)
            throw new errors/* ExpeditorError */.DR('CodeDeploy created a deployment without an id');
        return answer.deploymentId;
    }
    catch (error) {
        if (errorName(error) === 'DeploymentLimitExceededException') {
            throw new errors/* ExpeditorError */.DR(`deployment group ${options.group} already has a deployment in progress: ${(0,errors/* describeError */.Uc)(error)}`, {
                cause: error,
                ...(context.unchanged ? { unchanged: context.unchanged } : {}),
                next: 'wait for it to end, or stop it (bluegreen-switch action rollback), then deploy again',
            });
        }
        throw error;
    }
}

// EXTERNAL MODULE: ./packages/shared/src/deadline.ts + 1 modules
var deadline = __webpack_require__(5915);
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
        const answer = await awsCall('codedeploy:GetDeployment', `deployment ${deploymentId}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.GetDeploymentCommand({ deploymentId }), { abortSignal }), context);
        if (!answer.deploymentInfo)
            throw new errors/* ExpeditorError */.DR(`CodeDeploy returned nothing for deployment ${deploymentId}`);
        return answer.deploymentInfo;
    };
    const findTarget = async () => {
        try {
            const answer = await awsCall('codedeploy:ListDeploymentTargets', `deployment ${deploymentId}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.ListDeploymentTargetsCommand({ deploymentId }), { abortSignal }), context);
            return answer.targetIds?.[0];
        }
        catch (error) {
            if (errorName(error) === 'DeploymentNotStartedException')
                return undefined;
            throw error;
        }
    };
    const getTarget = async (id) => {
        const answer = await awsCall('codedeploy:GetDeploymentTarget', `deployment ${deploymentId}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.GetDeploymentTargetCommand({ deploymentId, targetId: id }), { abortSignal }), context);
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
    await awsCall('codedeploy:ContinueDeployment', `deployment ${deploymentId}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.ContinueDeploymentCommand({ deploymentId, deploymentWaitType: waitType }), { abortSignal }), context);
}
/** The deployment and its ECS target as they are now (no target before it started). */
async function readView(codedeploy, deploymentId, context) {
    const deployment = (await awsCall('codedeploy:GetDeployment', `deployment ${deploymentId}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.GetDeploymentCommand({ deploymentId }), { abortSignal }), context)).deploymentInfo;
    let target;
    if (deployment?.status !== 'Created' && deployment?.status !== 'Queued') {
        try {
            const ids = await awsCall('codedeploy:ListDeploymentTargets', `deployment ${deploymentId}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.ListDeploymentTargetsCommand({ deploymentId }), { abortSignal }), context);
            const id = ids.targetIds?.[0];
            if (id) {
                target = (await awsCall('codedeploy:GetDeploymentTarget', `deployment ${deploymentId}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.GetDeploymentTargetCommand({ deploymentId, targetId: id }), { abortSignal }), context)).deploymentTarget?.ecsTarget;
            }
        }
        catch (error) {
            if (errorName(error) !== 'DeploymentNotStartedException')
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
        const answer = await awsCall('codedeploy:StopDeployment', `deployment ${deploymentId}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }), { abortSignal }), context);
        log.info(`StopDeployment ${deploymentId} with rollback: ${answer.status ?? '?'}${answer.statusMessage ? ` (${answer.statusMessage})` : ''}`);
    }
    catch (error) {
        if (errorName(error) === 'DeploymentAlreadyCompletedException')
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
        const answer = await awsCall('codedeploy:GetDeployment', `deployment ${id}`, (abortSignal) => codedeploy.send(new client_codedeploy_dist_cjs.GetDeploymentCommand({ deploymentId: id }), { abortSignal }), context);
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

;// CONCATENATED MODULE: ./actions/deploy-ecs/src/rolling.ts
// A rolling deployment (ECS deployment controller): UpdateService, then follow *our* deployment by
// its id until its rolloutState is COMPLETED. FAILED, or a primary deployment that is no longer
// ours (ECS rolled back, or someone deployed over us), is a failure — never a success because the
// service happens to be stable again. On the deadline or a cancellation the service is sent back
// to the task definition it ran before, rather than left half-deployed.






async function deployRolling(options) {
    const { ecs, cluster, service, log } = options;
    const context = { signal: options.signal, log };
    const breaker = options.before.deploymentConfiguration?.deploymentCircuitBreaker;
    if (!breaker?.enable) {
        log.warning(`service ${service} has the deployment circuit breaker off: ECS will keep replacing tasks that fail to start instead of failing the deployment, so a bad image is only caught by the deadline. Turn it on (with rollback) in the service's deployment configuration.`);
    }
    const seenEvents = new Set((options.before.events ?? []).map((e) => e.id));
    const updated = await awsCall('ecs:UpdateService', `service ${service} in cluster ${cluster}`, (abortSignal) => ecs.send(new dist_cjs.UpdateServiceCommand({ cluster, service, taskDefinition: options.taskDefinitionArn }), { abortSignal }), { ...context, unchanged: `the service still runs ${options.previousTaskDefinitionArn ?? 'its previous task definition'}; the new task definition is registered but not deployed` });
    const ours = updated.service?.deployments?.find((d) => d.status === 'PRIMARY' && d.taskDefinition === options.taskDefinitionArn);
    if (!ours?.id) {
        throw new errors/* ExpeditorError */.DR(`UpdateService answered without a primary deployment of ${options.taskDefinitionArn}`, {
            next: 'look at the service in the ECS console',
        });
    }
    const deploymentId = ours.id;
    log.info(`ECS deployment ${deploymentId} started: ${options.previousTaskDefinitionArn ?? '(none)'} → ${options.taskDefinitionArn}`);
    if (options.waitUntil === 'none') {
        return { deploymentId, status: 'IN_PROGRESS', noticedAt: undefined, polls: 0, runningCount: ours.runningCount, desiredCount: ours.desiredCount };
    }
    const timing = { ...defaultTiming, ...options.timing };
    const read = async () => {
        const answer = await awsCall('ecs:DescribeServices', `service ${service} in cluster ${cluster}`, (abortSignal) => ecs.send(new dist_cjs.DescribeServicesCommand({ cluster, services: [service] }), { abortSignal }), context);
        const current = answer.services?.[0];
        if (!current)
            throw new errors/* ExpeditorError */.DR(`service ${service} disappeared from cluster ${cluster} during the deployment`);
        const state = classify(current, deploymentId, ours.createdAt);
        return { state, done: state.outcome !== 'progress' };
    };
    let result;
    try {
        result = await pollUntil({
            ...timing,
            ...(options.signal ? { signal: options.signal } : {}),
            read,
            fingerprint: fingerprint,
            onChange: (state) => {
                log.info(progressLine(state, deploymentId));
                const fresh = (state.service.events ?? []).filter((e) => e.id && !seenEvents.has(e.id)).reverse();
                for (const event of fresh)
                    seenEvents.add(event.id);
                // AWS starts every message with "(service NAME) "; the group already says which service.
                for (const event of fresh.slice(-5))
                    log.info(`  event ${timeOf(event)} ${(event.message ?? '').replace(/^\(service [^)]*\) /, '')}`);
            },
        });
    }
    catch (error) {
        if (error instanceof deadline/* DeadlineError */.j3 || error instanceof deadline/* CancelledError */.cc) {
            throw await rollBackAfterStop(options, deploymentId, error);
        }
        throw error;
    }
    const noticedAt = Date.now();
    const state = result.state;
    if (state.outcome === 'completed') {
        log.info(`ECS deployment ${deploymentId} COMPLETED: ${state.ours?.runningCount}/${state.ours?.desiredCount} tasks of ${options.taskDefinitionArn} running`);
        return {
            deploymentId,
            status: 'COMPLETED',
            noticedAt,
            polls: result.polls,
            runningCount: state.ours?.runningCount,
            desiredCount: state.ours?.desiredCount,
        };
    }
    if (state.outcome === 'failed')
        throw await failedError(options, deploymentId, state, context);
    throw replacedError(options, deploymentId, state);
}
/**
 * Where our deployment stands in a described service. `startedAt` is our deployment's creation:
 * a read that lists neither it nor anything newer is stale (ECS is eventually consistent).
 */
function classify(service, deploymentId, startedAt) {
    const deployments = service.deployments ?? [];
    const ours = deployments.find((d) => d.id === deploymentId);
    const primary = deployments.find((d) => d.status === 'PRIMARY') ?? deployments[0];
    const stale = !ours && startedAt !== undefined && primary?.createdAt !== undefined && primary.createdAt < startedAt;
    let outcome = 'progress';
    if (ours?.rolloutState === 'FAILED')
        outcome = 'failed';
    else if (stale)
        outcome = 'progress';
    else if (!primary || primary.id !== deploymentId)
        outcome = 'replaced';
    else if (ours?.rolloutState === 'COMPLETED')
        outcome = 'completed';
    return { service, ours, primary, outcome };
}
function fingerprint(state) {
    const deployments = (state.service.deployments ?? []).map((d) => `${d.id}:${d.status}:${d.rolloutState}:${d.runningCount}/${d.pendingCount}/${d.desiredCount}:${d.failedTasks}`);
    return `${deployments.join(',')}|${state.service.events?.[0]?.id ?? ''}`;
}
function progressLine(state, deploymentId) {
    const ours = state.ours;
    const head = ours
        ? `rollout ${ours.rolloutState ?? '?'} · new: ${ours.runningCount ?? 0} running, ${ours.pendingCount ?? 0} pending of ${ours.desiredCount ?? 0}${ours.failedTasks ? `, ${ours.failedTasks} failed to start` : ''}`
        : `deployment ${deploymentId} is no longer listed`;
    const others = (state.service.deployments ?? [])
        .filter((d) => d.id !== deploymentId)
        .map((d) => `${d.status === 'PRIMARY' ? 'primary' : 'old'} ${shortTd(d.taskDefinition)}: ${d.runningCount ?? 0} running${d.rolloutState === 'FAILED' ? ' (FAILED)' : ''}`);
    return [head, ...others].join(' · ');
}
function timeOf(event) {
    return event.createdAt ? event.createdAt.toISOString().slice(11, 19) : '--:--:--';
}
function shortTd(arn) {
    return arn ? (arn.split('/').pop() ?? arn) : '?';
}
async function failedError(options, deploymentId, state, context) {
    const reasons = await stoppedReasons(options, deploymentId, context).catch((error) => [`(could not read the stopped tasks: ${(0,errors/* describeError */.Uc)(error)})`]);
    const rollback = state.primary && state.primary.id !== deploymentId ? state.primary : undefined;
    const lines = [
        `ECS deployment ${deploymentId} of ${shortTd(options.taskDefinitionArn)} FAILED: ${state.ours?.rolloutStateReason ?? 'no reason given'}`,
        ...(reasons.length ? ['Stopped tasks:', ...reasons.map((r) => `  - ${r}`)] : []),
    ];
    if (rollback)
        lines.push(`ECS rolled the service back to ${shortTd(rollback.taskDefinition)} (deployment ${rollback.id}).`);
    return new errors/* ExpeditorError */.DR(lines.join('\n'), {
        unchanged: rollback
            ? `the service returns to ${rollback.taskDefinition}; ${options.taskDefinitionArn} stays registered but runs nowhere`
            : `the service keeps what it ran before (${options.previousTaskDefinitionArn ?? 'its previous task definition'}) as far as ECS kept it; ${options.taskDefinitionArn} stays registered`,
        next: 'read the stopped tasks’ reasons and container logs, fix the image or task definition, and deploy again',
    });
}
function replacedError(options, deploymentId, state) {
    const primary = state.primary;
    const td = primary?.taskDefinition;
    const toPrevious = td !== undefined && td === options.previousTaskDefinitionArn;
    const what = toPrevious
        ? `the service was rolled back to the previous task definition ${shortTd(td)} (deployment ${primary?.id})`
        : `deployment ${primary?.id ?? '?'} of ${shortTd(td)} replaced it`;
    return new errors/* ExpeditorError */.DR(`ECS deployment ${deploymentId} of ${shortTd(options.taskDefinitionArn)} did not complete: ${what}`, {
        unchanged: `the service now deploys ${td ?? 'another task definition'}, not ${options.taskDefinitionArn}`,
        next: toPrevious
            ? 'look at the service events for why ECS rolled back, fix it, and deploy again'
            : 'another deployment of this service ran at the same time; give each environment one deploy at a time (workflow concurrency) and deploy again',
    });
}
/** Distinct reasons the deployment's tasks stopped, with counts, most common first. */
async function stoppedReasons(options, deploymentId, context) {
    const { ecs, cluster, service } = options;
    const listed = await awsCall('ecs:ListTasks', `cluster ${cluster}`, (abortSignal) => ecs.send(new dist_cjs.ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'STOPPED' }), { abortSignal }), context);
    const arns = (listed.taskArns ?? []).slice(0, 100);
    if (arns.length === 0)
        return [];
    const described = await awsCall('ecs:DescribeTasks', `cluster ${cluster}`, (abortSignal) => ecs.send(new dist_cjs.DescribeTasksCommand({ cluster, tasks: arns }), { abortSignal }), context);
    const ours = (described.tasks ?? []).filter((t) => t.startedBy === deploymentId || t.taskDefinitionArn === options.taskDefinitionArn);
    const counts = new Map();
    for (const task of ours) {
        const reason = taskReason(task);
        counts.set(reason, (counts.get(reason) ?? 0) + 1);
    }
    return [...counts.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([reason, n]) => `${n} × ${reason}`);
}
function taskReason(task) {
    const containers = (task.containers ?? [])
        .filter((c) => c.exitCode !== undefined && c.exitCode !== 0 || c.reason)
        .map((c) => `container ${c.name}${c.exitCode !== undefined ? ` exit code ${c.exitCode}` : ''}${c.reason ? `: ${c.reason}` : ''}`);
    return [task.stoppedReason ?? task.stopCode ?? 'stopped', ...containers].join('; ');
}
/** On the deadline or a cancellation: send the service back to its previous task definition. */
async function rollBackAfterStop(options, deploymentId, stop) {
    const { ecs, cluster, service, log } = options;
    const why = stop instanceof deadline/* DeadlineError */.j3 ? `did not complete within ${(0,deadline/* formatDuration */.a3)(stop.timeoutMs)}` : `was interrupted: ${stop.message}`;
    const previous = options.previousTaskDefinitionArn;
    if (!previous) {
        return new errors/* ExpeditorError */.DR(`ECS deployment ${deploymentId} ${why}; it was left running (there is no previous task definition to return to)`, {
            cause: stop,
            next: 'watch the service in the ECS console',
        });
    }
    const signal = (0,deadline/* withDeadline */.NE)(undefined, stop instanceof deadline/* DeadlineError */.j3 ? cleanupMs.afterDeadline : cleanupMs.afterCancel);
    try {
        const answer = await awsCall('ecs:UpdateService', `service ${service} in cluster ${cluster}`, (abortSignal) => ecs.send(new dist_cjs.UpdateServiceCommand({ cluster, service, taskDefinition: previous }), { abortSignal }), { signal, log });
        const rollback = answer.service?.deployments?.find((d) => d.status === 'PRIMARY');
        log.info(`rolled the service back to ${shortTd(previous)} (deployment ${rollback?.id ?? '?'})`);
        return new errors/* ExpeditorError */.DR(`ECS deployment ${deploymentId} of ${shortTd(options.taskDefinitionArn)} ${why}; deploy-ecs rolled the service back to ${shortTd(previous)} (deployment ${rollback?.id ?? '?'}, in progress)`, {
            cause: stop,
            unchanged: `the service is returning to ${previous}; ${options.taskDefinitionArn} stays registered`,
            next: stop instanceof deadline/* DeadlineError */.j3 ? "find out why the tasks were slow (service events, task logs), or raise the 'timeout' input" : 'deploy again when ready',
        });
    }
    catch (error) {
        return new errors/* ExpeditorError */.DR(`ECS deployment ${deploymentId} ${why}, and rolling back to ${shortTd(previous)} failed: ${(0,errors/* describeError */.Uc)(error)}; the deployment is still running`, { cause: stop, next: `roll back by hand: update service ${service} to ${previous}` });
    }
}

// EXTERNAL MODULE: ./actions/deploy-ecs/src/task-definition.ts
var task_definition = __webpack_require__(608);
;// CONCATENATED MODULE: ./actions/deploy-ecs/src/service.ts
// The ECS service as it is before the deployment: found (or an error naming the cluster or service
// input), its deployment controller matched against the strategy asked for, its current task
// definition as the template. Read-only calls.





const unchanged = 'nothing was registered or deployed';
async function describeService(ecs, ref, context) {
    let answer;
    try {
        answer = await awsCall('ecs:DescribeServices', `service ${ref.service} in cluster ${ref.cluster}`, (abortSignal) => ecs.send(new dist_cjs.DescribeServicesCommand({ cluster: ref.cluster, services: [ref.service] }), { abortSignal }), { ...context, unchanged });
    }
    catch (error) {
        if (errorName(error) === 'ClusterNotFoundException') {
            throw originError(ref.clusterOrigin, `ECS cluster ${(0,inputs/* quote */.hD)(ref.cluster)} does not exist in this account and region`, 'check the cluster name, the account and the region');
        }
        throw error;
    }
    const service = answer.services?.[0];
    if (!service || service.status === 'INACTIVE') {
        const reason = answer.failures?.[0]?.reason ?? (service ? 'INACTIVE' : 'MISSING');
        throw originError(ref.serviceOrigin, `ECS service ${(0,inputs/* quote */.hD)(ref.service)} is not in cluster ${ref.cluster} (${reason})`, 'check the service name; deploy-ecs updates an existing service and does not create one');
    }
    return service;
}
function controllerOf(service) {
    return (service.deploymentController?.type ?? 'ECS');
}
/** The strategy the service's controller allows; an error naming the strategy input when it differs. */
function strategyFor(service, asked, origin) {
    const controller = controllerOf(service);
    const fits = controller === 'ECS' ? 'rolling' : controller === 'CODE_DEPLOY' ? 'blue-green' : undefined;
    if (!fits) {
        throw originError(origin, `service ${service.serviceName} uses the ${controller} deployment controller, which deploy-ecs cannot drive`, 'use a service with the ECS (rolling) or CODE_DEPLOY (blue/green) deployment controller');
    }
    if (asked !== 'auto' && asked !== fits) {
        throw originError(origin, `strategy ${asked} does not fit service ${service.serviceName}, which uses the ${controller} deployment controller (that means ${fits})`, `set the strategy to ${fits} or auto, or deploy to a service with the ${asked === 'rolling' ? 'ECS' : 'CODE_DEPLOY'} controller`);
    }
    return fits;
}
/** The service's current task definition, ready to be registered again. */
async function currentTaskDefinition(ecs, service, context) {
    const arn = service.taskDefinition;
    if (!arn) {
        throw new errors/* ExpeditorError */.DR(`service ${service.serviceName} has no task definition to start from`, {
            input: 'task-definition',
            unchanged,
            next: "give a task definition file in the 'task-definition' input",
        });
    }
    const answer = await awsCall('ecs:DescribeTaskDefinition', arn, (abortSignal) => ecs.send(new dist_cjs.DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }), { abortSignal }), { ...context, unchanged });
    if (!answer.taskDefinition)
        throw new errors/* ExpeditorError */.DR(`ECS described no task definition for ${arn}`, { unchanged });
    return (0,task_definition/* stripReadOnly */.Vl)(answer.taskDefinition, answer.tags);
}
function originError(origin, message, next) {
    const where = origin.input ? `input '${origin.input}'` : origin.key;
    return new errors/* ExpeditorError */.DR(where ? `${where}: ${message}` : message, {
        ...(origin.input ? { input: origin.input } : {}),
        ...(origin.key ? { key: origin.key } : {}),
        unchanged,
        ...(next ? { next } : {}),
    });
}

;// CONCATENATED MODULE: ./actions/deploy-ecs/src/deploy.ts
// deploy-ecs's core: read the service, render and check everything, register the task
// definition, then deploy it rolling or blue/green and wait as asked. Every check that can fail
// on bad input runs before the first write (RegisterTaskDefinition).











/** Stage names for the unchanged-state of errors. */
const NOTHING = 'nothing was registered or deployed';
async function deployEcs(plan, clients, context) {
    const { log } = context;
    const startedAt = Date.now();
    const call = { signal: context.signal, log, unchanged: NOTHING };
    const ref = { cluster: plan.cluster, service: plan.service, clusterOrigin: plan.clusterOrigin, serviceOrigin: plan.serviceOrigin };
    // 1. Read and check (no writes).
    const prepared = await log.group(`Prepare: service ${plan.service} in cluster ${plan.cluster}`, async () => {
        const service = await describeService(clients.ecs, ref, call);
        const strategy = strategyFor(service, plan.strategy, plan.strategyOrigin);
        log.info(`service ${service.serviceName}: ${service.deploymentController?.type ?? 'ECS'} controller → ${strategy}; runs ${shortTd(service.taskDefinition)} (${service.runningCount ?? 0}/${service.desiredCount ?? 0} tasks)`);
        if (strategy === 'rolling' && plan.waitUntil === 'ready') {
            throw originError(plan.waitUntilOrigin, 'ready applies to blue/green deployments only; a rolling deployment has no Ready stage', 'use succeeded or none');
        }
        const template = plan.template?.input ?? (await currentTaskDefinition(clients.ecs, service, call));
        log.info(plan.template ? `task definition from ${plan.template.file} (family ${template.family})` : `task definition from the service's current ${shortTd(service.taskDefinition)}`);
        const rendered = (0,task_definition/* renderTaskDefinition */.P9)(template, {
            image: plan.image,
            container: plan.container,
            containerOrigin: plan.containerOrigin,
            vars: plan.vars,
            secrets: plan.secrets,
            secretsOrigin: plan.secretsOrigin,
        });
        for (const change of rendered.changes)
            log.info(change);
        const blueGreen = strategy === 'blue-green' ? await prepareBlueGreen(plan, clients, service, rendered, call) : undefined;
        return { service, strategy, rendered, blueGreen };
    });
    const { service, strategy, rendered, blueGreen } = prepared;
    const previousTaskDefinitionArn = service.taskDefinition;
    // 2. Register (the first write).
    const registered = await awsCall('ecs:RegisterTaskDefinition', `task definition family ${rendered.input.family}`, (abortSignal) => clients.ecs.send(new dist_cjs.RegisterTaskDefinitionCommand(rendered.input), { abortSignal }), call);
    const taskDefinitionArn = registered.taskDefinition?.taskDefinitionArn;
    if (!taskDefinitionArn)
        throw new errors/* ExpeditorError */.DR('RegisterTaskDefinition answered without an ARN', { unchanged: NOTHING });
    log.info(`registered ${taskDefinitionArn}`);
    const base = {
        strategy,
        taskDefinitionArn,
        previousTaskDefinitionArn,
        container: rendered.container,
        startedAt,
    };
    // 3. Deploy and wait.
    if (strategy === 'rolling') {
        const rolling = await log.group(`Rolling deployment of ${shortTd(taskDefinitionArn)}`, () => deployRolling({
            ecs: clients.ecs,
            cluster: plan.cluster,
            service: plan.service,
            taskDefinitionArn,
            previousTaskDefinitionArn,
            before: service,
            waitUntil: plan.waitUntil === 'none' ? 'none' : 'succeeded',
            log,
            signal: context.signal,
            timing: context.timing,
        }));
        return {
            ...base,
            deploymentId: rolling.deploymentId,
            status: rolling.status,
            consoleUrl: ecsConsoleUrl(clients.region, plan.cluster, plan.service),
            noticedAt: rolling.noticedAt,
            runningCount: rolling.runningCount,
            desiredCount: rolling.desiredCount,
        };
    }
    if (!blueGreen)
        throw new Error('blue/green without its preparation');
    const spec = (0,appspec/* withTaskDefinition */.$5)(blueGreen.spec, taskDefinitionArn);
    const description = [
        `Expeditor deploy-ecs: ${plan.image}`,
        plan.source.sha ? `commit ${plan.source.sha.slice(0, 12)}` : '',
        plan.source.runUrl ? `run ${plan.source.runUrl}` : '',
        // bluegreen-switch reads this back to roll back after success.
        previousTaskDefinitionArn ? `previous task definition: ${previousTaskDefinitionArn}` : '',
    ].filter(Boolean).join('; ');
    const deploymentId = await createDeployment(clients.codedeploy, { application: blueGreen.application, group: blueGreen.group, deploymentConfig: plan.codedeploy.deploymentConfig, appSpecContent: (0,appspec/* appSpecContent */.uo)(spec), description }, { ...call, unchanged: `the service still runs ${previousTaskDefinitionArn}; ${taskDefinitionArn} is registered but not deployed` });
    const consoleUrl = codeDeployConsoleUrl(clients.region, deploymentId);
    log.info(`CodeDeploy deployment ${deploymentId} created (${blueGreen.routing}): ${consoleUrl}`);
    const facts = {
        application: blueGreen.application,
        group: blueGreen.group,
        deploymentConfig: blueGreen.configName,
        routing: blueGreen.routing,
        traffic: '',
        testListeners: [...blueGreen.group_.testListeners, ...(plan.codedeploy.testListener ? [plan.codedeploy.testListener] : [])],
        readyUntil: undefined,
        terminationWaitMinutes: blueGreen.group_.terminationWaitMinutes,
    };
    if (plan.waitUntil === 'none') {
        return { ...base, deploymentId, status: 'Created', consoleUrl, noticedAt: undefined, blueGreen: facts };
    }
    const followed = await log.group(`Blue/green deployment ${deploymentId} until ${plan.waitUntil === 'ready' ? 'Ready' : 'Succeeded'}`, () => followOrStop({
        codedeploy: clients.codedeploy,
        deploymentId,
        until: plan.waitUntil === 'ready' ? 'ready' : 'succeeded',
        atReady: 'wait',
        log,
        signal: context.signal,
        timing: context.timing,
        describeWait: plan.waitUntil === 'ready' ? 'Ready' : 'Succeeded',
    }));
    facts.traffic = trafficWords(followed.target);
    if (followed.status === 'Ready' && blueGreen.group_.readyWaitMinutes) {
        facts.readyUntil = new Date(followed.noticedAt + blueGreen.group_.readyWaitMinutes * 60_000).toISOString();
        log.info(`held at Ready: green takes test traffic only; CodeDeploy stops the deployment if nobody continues it by ${facts.readyUntil}`);
    }
    return { ...base, deploymentId, status: followed.status, consoleUrl, noticedAt: followed.noticedAt, blueGreen: facts };
}
async function prepareBlueGreen(plan, clients, service, rendered, call) {
    const { log } = call;
    const defaults = defaultCodeDeployNames(plan.cluster, plan.service);
    const application = plan.codedeploy.application ?? defaults.application;
    const groupName = plan.codedeploy.group ?? defaults.group;
    const group = await checkGroup(clients.codedeploy, { application, group: groupName, applicationOrigin: plan.codedeploy.applicationOrigin, groupOrigin: plan.codedeploy.groupOrigin }, { cluster: plan.cluster, service: plan.service }, call);
    if (plan.waitUntil === 'ready' && !group.waitsForReroute) {
        throw originError(plan.waitUntilOrigin, `ready needs a deployment group that holds deployments until traffic is rerouted, and ${groupName} reroutes at once`, `set the group's deployment ready option to "specify when to reroute traffic" (actionOnTimeout STOP_DEPLOYMENT), or wait until succeeded`);
    }
    if (plan.waitUntil === 'succeeded' && group.waitsForReroute) {
        log.warning(`deployment group ${groupName} holds deployments at Ready until someone reroutes traffic: with wait-until succeeded this run waits for that (bluegreen-switch or the console) until its deadline. Use wait-until: ready to stop there.`);
    }
    const configName = plan.codedeploy.deploymentConfig ?? group.info.deploymentConfigName ?? 'CodeDeployDefault.ECSAllAtOnce';
    let config;
    if (plan.codedeploy.deploymentConfig || group.info.deploymentConfigName) {
        config = await checkDeploymentConfig(clients.codedeploy, configName, plan.codedeploy.deploymentConfig ? plan.codedeploy.deploymentConfigOrigin : plan.codedeploy.groupOrigin, call);
    }
    const routing = `${configName}: ${describeRouting(config)}`;
    const spec = plan.appSpec ? checkedAppSpec(plan, rendered) : generatedAppSpec(plan, service, rendered);
    const hooks = Object.entries((0,appspec/* hooksOf */.uj)(spec)).map(([name, fn]) => `${name} → ${fn}`);
    const target = (0,appspec/* targetOf */.$r)(spec);
    log.info(`blue/green via ${application}/${groupName}, ${routing}; AppSpec ${plan.appSpec ? `from ${plan.appSpec.file}` : 'generated'}: container ${target.LoadBalancerInfo.ContainerName}:${target.LoadBalancerInfo.ContainerPort}${target.PlatformVersion ? `, platform ${target.PlatformVersion}` : ''}${hooks.length ? `, hooks ${hooks.join(', ')}` : ''}`);
    return { application, group: groupName, group_: group, configName, routing, spec };
}
function generatedAppSpec(plan, service, rendered) {
    const lb = service.loadBalancers?.find((l) => l.containerName) ?? service.loadBalancers?.[0];
    const containerName = lb?.containerName ?? rendered.container;
    const port = plan.containerPort ?? lb?.containerPort ?? (0,task_definition/* containerPorts */.UR)(rendered.input, containerName)[0];
    if (!rendered.input.containerDefinitions?.some((c) => c.name === containerName)) {
        throw originError({ input: 'task-definition' }, `the service's load balancer sends traffic to container ${(0,inputs/* quote */.hD)(containerName)}, which the task definition does not have`, 'keep the load-balanced container in the task definition');
    }
    if (!port) {
        throw originError({ input: 'container-port' }, `container ${containerName} has no port mapping and the service no load balancer port`, 'give the container port that receives traffic');
    }
    const fargate = service.launchType === 'FARGATE' || service.capacityProviderStrategy?.some((c) => c.capacityProvider?.startsWith('FARGATE'));
    return (0,appspec/* generateAppSpec */.As)({
        taskDefinitionArn: '(registered next)',
        containerName,
        containerPort: port,
        platformVersion: fargate ? (service.platformVersion ?? undefined) : undefined,
        hooks: plan.hooks,
    });
}
function checkedAppSpec(plan, rendered) {
    const appSpec = plan.appSpec;
    if (!appSpec)
        throw new Error('no AppSpec file');
    const target = (0,appspec/* targetOf */.$r)(appSpec.spec);
    const name = target.LoadBalancerInfo.ContainerName;
    const container = rendered.input.containerDefinitions?.find((c) => c.name === name);
    if (!container) {
        const names = (rendered.input.containerDefinitions ?? []).map((c) => c.name).join(', ');
        throw originError({ input: 'appspec' }, `${appSpec.file}: LoadBalancerInfo.ContainerName ${(0,inputs/* quote */.hD)(name)} is not a container of the task definition (have: ${names})`);
    }
    const ports = (0,task_definition/* containerPorts */.UR)(rendered.input, name);
    const port = Number(target.LoadBalancerInfo.ContainerPort);
    if (ports.length > 0 && !ports.includes(port)) {
        throw originError({ input: 'appspec' }, `${appSpec.file}: LoadBalancerInfo.ContainerPort ${port} is not a port of container ${name} (it maps ${ports.join(', ')})`);
    }
    return appSpec.spec;
}


/***/ })

};
