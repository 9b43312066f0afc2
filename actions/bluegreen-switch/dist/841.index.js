export const id = 841;
export const ids = [841];
export const modules = {

/***/ 2711:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {

var __webpack_unused_export__;

__webpack_unused_export__ = ({ value: true });
exports.V = void 0;
var serde_1 = __webpack_require__(2430);
Object.defineProperty(exports, "V", ({ enumerable: true, get: function () { return serde_1.Hash; } }));


/***/ }),

/***/ 2356:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {

var __webpack_unused_export__;

__webpack_unused_export__ = ({ value: true });
__webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = __webpack_unused_export__ = exports.Kd = __webpack_unused_export__ = __webpack_unused_export__ = void 0;
var protocols_1 = __webpack_require__(3422);
__webpack_unused_export__ = ({ enumerable: true, get: function () { return protocols_1.Field; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return protocols_1.Fields; } });
Object.defineProperty(exports, "Kd", ({ enumerable: true, get: function () { return protocols_1.HttpRequest; } }));
__webpack_unused_export__ = ({ enumerable: true, get: function () { return protocols_1.HttpResponse; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return protocols_1.isValidHostname; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return protocols_1.getHttpHandlerExtensionConfiguration; } });
__webpack_unused_export__ = ({ enumerable: true, get: function () { return protocols_1.resolveHttpHandlerRuntimeConfig; } });


/***/ }),

/***/ 6841:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  connectKube: () => (/* binding */ connectKube),
  connectionError: () => (/* binding */ connectionError),
  isConflict: () => (/* binding */ isConflict),
  isNotFound: () => (/* binding */ isNotFound),
  loadClientNode: () => (/* binding */ loadClientNode),
  statusOf: () => (/* binding */ statusOf)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./packages/shared/src/errors.ts
var errors = __webpack_require__(9680);
// EXTERNAL MODULE: ./packages/shared/src/retry.ts
var retry = __webpack_require__(3533);
// EXTERNAL MODULE: ./node_modules/@smithy/hash-node/dist-cjs/index.js
var dist_cjs = __webpack_require__(2711);
// EXTERNAL MODULE: ./node_modules/@smithy/protocol-http/dist-cjs/index.js
var protocol_http_dist_cjs = __webpack_require__(2356);
// EXTERNAL MODULE: ./node_modules/@smithy/signature-v4/dist-cjs/index.js
var signature_v4_dist_cjs = __webpack_require__(5118);
;// CONCATENATED MODULE: ./packages/shared/src/kube/eks-token.ts
// The bearer token EKS accepts, made the way aws-iam-authenticator and `aws eks get-token` make it:
// a presigned STS GetCallerIdentity URL that also signs the `x-k8s-aws-id: <cluster>` header,
// base64url-encoded without padding behind `k8s-aws-v1.`. The cluster's authenticator calls that
// URL and maps the identity STS answers to a Kubernetes user. No aws CLI needed.



const eksTokenPrefix = 'k8s-aws-v1.';
/** EKS accepts a token for 15 minutes after its X-Amz-Date, whatever X-Amz-Expires says. */
const eksTokenLifetimeMs = 15 * 60_000;
function stsEndpointFor(region, override) {
    return new URL(override || `https://sts.${region}.amazonaws.com`);
}
async function makeEksToken(options) {
    const endpoint = stsEndpointFor(options.region, options.stsEndpoint);
    const signer = new signature_v4_dist_cjs.SignatureV4({
        service: 'sts',
        region: options.region,
        credentials: options.credentials,
        sha256: dist_cjs/* Hash */.V.bind(null, 'sha256'),
        uriEscapePath: true,
        applyChecksum: false,
    });
    const signedAt = options.now ?? new Date();
    const request = new protocol_http_dist_cjs/* HttpRequest */.Kd({
        method: 'GET',
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
        path: '/',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        headers: { host: endpoint.host, 'x-k8s-aws-id': options.cluster },
    });
    const signed = await signer.presign(request, { expiresIn: 60, signingDate: signedAt });
    const query = Object.entries(signed.query ?? {})
        .flatMap(([key, value]) => (Array.isArray(value) ? value.map((v) => [key, v]) : [[key, value ?? '']]))
        .map(([key, value]) => `${rfc3986(key)}=${rfc3986(String(value))}`)
        .join('&');
    const url = `${endpoint.protocol}//${endpoint.host}/?${query}`;
    return {
        token: `${eksTokenPrefix}${Buffer.from(url, 'utf8').toString('base64url')}`,
        signedAt: signedAt.getTime(),
        expiresAt: signedAt.getTime() + eksTokenLifetimeMs,
    };
}
function rfc3986(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
/**
 * Hands out a token and makes a new one before the cluster would refuse the old: after
 * `refreshAfterMs` (default 10 minutes, well inside the 15), or at once after `invalidate()`
 * (an apiserver 401). Concurrent callers share one signing.
 */
class EksTokenSource {
    current;
    pending;
    options;
    /** How many tokens were made (for benches and tests). */
    made = 0;
    constructor(options) {
        this.options = options;
    }
    async token() {
        const now = this.now();
        const refreshAfter = this.options.refreshAfterMs ?? 10 * 60_000;
        if (this.current && now - this.current.signedAt < refreshAfter)
            return this.current.token;
        this.pending ??= makeEksToken({ ...this.options, now: new Date(now) }).then((token) => {
            this.current = token;
            this.made++;
            this.pending = undefined;
            return token;
        }, (error) => {
            this.pending = undefined;
            throw error;
        });
        return (await this.pending).token;
    }
    /** The token in use, if one was made (to mask it, or for the bed's tests). */
    peek() {
        return this.current;
    }
    invalidate() {
        this.current = undefined;
    }
    now() {
        return this.options.clock?.() ?? Date.now();
    }
}

;// CONCATENATED MODULE: ./packages/shared/src/kube/connect.ts
// A connection to a Kubernetes cluster: from a kubeconfig (the input, or KUBECONFIG passed down
// by the context layer) or from EKS (DescribeCluster for endpoint and CA, plus a bearer token
// the action makes itself and renews before it expires). Typed API groups, one watch entry point
// and request counters, all sharing one authentication path and the run's AbortSignal.
// @kubernetes/client-node is loaded here with import(), so only callers that connect pay for it.




/** Loads client-node (a few hundred ms): call after the inputs are valid. */
async function loadClientNode() {
    return Promise.all(/* import() */[__webpack_require__.e(402), __webpack_require__.e(279)]).then(__webpack_require__.bind(__webpack_require__, 8279));
}
async function connectKube(options) {
    if (!options.kubeconfig === !options.eks) {
        throw new errors.ExpeditorError('give either a kubeconfig or an EKS cluster to connect to', {
            input: 'cluster',
            unchanged: 'nothing was changed',
            next: "set the 'cluster' input (EKS) or the 'kubeconfig' input (or KUBECONFIG)",
        });
    }
    const k8s = await loadClientNode();
    const kc = new k8s.KubeConfig();
    let source;
    let tokens;
    if (options.kubeconfig) {
        source = loadKubeconfig(kc, options.kubeconfig);
    }
    else {
        const eks = options.eks;
        const cluster = await describeEksCluster(eks, options);
        source = { kind: 'eks', cluster: eks.cluster, region: eks.region, arn: cluster.arn };
        kc.loadFromOptions({
            clusters: [{ name: eks.cluster, server: cluster.endpoint, caData: cluster.caData, skipTLSVerify: false }],
            users: [{ name: 'expeditor' }],
            contexts: [{ name: eks.cluster, cluster: eks.cluster, user: 'expeditor' }],
            currentContext: eks.cluster,
        });
        tokens = new EksTokenSource({
            cluster: eks.cluster,
            region: eks.region,
            credentials: eks.credentials,
            stsEndpoint: eks.stsEndpoint,
            ...(eks.tokenRefreshMs !== undefined ? { refreshAfterMs: eks.tokenRefreshMs } : {}),
            ...(eks.clock ? { clock: eks.clock } : {}),
        });
    }
    const server = kc.getCurrentCluster()?.server ?? '';
    const stats = { requests: 0, watches: 0, openWatches: 0, peakWatches: 0, relists: 0 };
    const log = options.log;
    const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    const authenticate = async (context) => {
        await kc.applySecurityAuthentication(context);
        if (tokens) {
            const token = await tokens.token();
            // A token is a credential for 15 minutes: it must never reach a log.
            log?.mask(token);
            context.setHeaderParam('Authorization', `Bearer ${token}`);
        }
    };
    const auth = {
        async applySecurityAuthentication(context) {
            stats.requests++;
            await authenticate(context);
        },
    };
    const timeouts = {
        async pre(context) {
            const limits = [AbortSignal.timeout(requestTimeoutMs), ...(options.signal ? [options.signal] : [])];
            context.setSignal(AbortSignal.any(limits));
            return context;
        },
        async post(context) {
            // A 401 with an EKS token: the next request signs a fresh one.
            if (context.httpStatusCode === 401)
                tokens?.invalidate();
            return context;
        },
    };
    const configuration = k8s.createConfiguration({
        baseServer: new k8s.ServerConfiguration(server, {}),
        authMethods: { default: auth },
        promiseMiddleware: [timeouts],
    });
    const watchConfig = {
        getCurrentCluster: () => kc.getCurrentCluster(),
        applySecurityAuthentication: authenticate,
    };
    const description = source.kind === 'eks' ? `EKS cluster ${source.cluster} (${source.region})` : `kubeconfig ${source.path} (context ${source.context})`;
    const versionApi = new k8s.VersionApi(configuration);
    const connection = {
        server,
        source,
        description,
        k8s,
        core: new k8s.CoreV1Api(configuration),
        apps: new k8s.AppsV1Api(configuration),
        autoscaling: new k8s.AutoscalingV2Api(configuration),
        discovery: new k8s.DiscoveryV1Api(configuration),
        networking: new k8s.NetworkingV1Api(configuration),
        signal: options.signal,
        stats,
        newWatch: () => new k8s.Watch(watchConfig),
        patchOptions: (type) => k8s.setHeaderOptions('Content-Type', type === 'merge' ? k8s.PatchStrategy.MergePatch : k8s.PatchStrategy.StrategicMergePatch),
        async version() {
            const info = await versionApi.getCode();
            return info.gitVersion;
        },
    };
    if (options.verify !== false)
        await verifyConnection(connection, options);
    return connection;
}
function loadKubeconfig(kc, target) {
    const where = target.input ? `input '${target.input}'` : 'KUBECONFIG';
    const fail = (problem, next, cause) => {
        throw new errors.ExpeditorError(`${where}: ${problem}`, {
            ...(target.input ? { input: target.input } : {}),
            unchanged: 'nothing was changed',
            next,
            cause,
        });
    };
    let text = '';
    try {
        text = (0,external_node_fs_.readFileSync)(target.path, 'utf8');
    }
    catch (error) {
        const code = error.code;
        fail(`${target.path} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}`, 'check the path, or connect to EKS with the cluster input instead');
    }
    try {
        kc.loadFromString(text);
    }
    catch (error) {
        fail(`${target.path} is not a valid kubeconfig: ${(0,errors/* describeError */.Uc)(error)}`, 'fix the file (kubectl config view checks it)', error);
    }
    // Relative certificate and token paths in a kubeconfig are relative to the file.
    kc.makePathsAbsolute(target.path);
    const context = target.context ?? kc.getCurrentContext();
    if (!context || !kc.getContextObject(context)) {
        fail(context ? `${target.path} has no context ${JSON.stringify(context)}` : `${target.path} has no current-context`, `have: ${kc.getContexts().map((c) => c.name).join(', ') || 'no contexts'}`);
    }
    kc.setCurrentContext(context);
    const cluster = kc.getCurrentCluster();
    if (!cluster?.server)
        fail(`the context ${JSON.stringify(context)} of ${target.path} names no cluster with a server`, 'fix the file');
    return { kind: 'kubeconfig', path: target.path, context, input: target.input };
}
async function describeEksCluster(target, options) {
    const { DescribeClusterCommand } = await Promise.all(/* import() */[__webpack_require__.e(861), __webpack_require__.e(524)]).then(__webpack_require__.t.bind(__webpack_require__, 4524, 19));
    const input = target.input ?? 'cluster';
    let response;
    try {
        response = (await (0,retry/* withRetry */.bD)(() => target.eks.send(new DescribeClusterCommand({ name: target.cluster }), options.signal ? { abortSignal: options.signal } : undefined), {
            ...(options.signal ? { signal: options.signal } : {}),
            onRetry: (error, attempt) => options.log?.info(`eks:DescribeCluster: ${(0,errors/* describeError */.Uc)(error)}; retry ${attempt}`),
        }));
    }
    catch (error) {
        if (options.signal?.aborted)
            throw options.signal.reason instanceof Error ? options.signal.reason : error;
        const name = error.name;
        if (name === 'ResourceNotFoundException') {
            throw new errors.ExpeditorError(`EKS cluster ${JSON.stringify(target.cluster)} does not exist in ${target.region}`, {
                input,
                unchanged: 'nothing was changed',
                next: `check the cluster name and region (aws eks list-clusters --region ${target.region}), and that the role is in the cluster's account`,
                cause: error,
            });
        }
        if ((0,retry/* classifyError */.fe)(error) === 'access') {
            throw new errors.ExpeditorError(`eks:DescribeCluster on ${target.cluster} was denied: ${(0,errors/* describeError */.Uc)(error)}`, {
                input,
                unchanged: 'nothing was changed',
                next: `allow eks:DescribeCluster on the cluster in the policy of the role this job uses`,
                cause: error,
            });
        }
        throw new errors.ExpeditorError(`could not describe EKS cluster ${target.cluster}: ${(0,errors/* describeError */.Uc)(error)}`, {
            input,
            unchanged: 'nothing was changed',
            cause: error,
        });
    }
    const cluster = response.cluster;
    if (cluster?.status && cluster.status !== 'ACTIVE') {
        throw new errors.ExpeditorError(`EKS cluster ${target.cluster} is ${cluster.status}, not ACTIVE`, {
            input,
            unchanged: 'nothing was changed',
            next: 'wait until the cluster is ACTIVE, then run again',
        });
    }
    if (!cluster?.endpoint || !cluster.certificateAuthority?.data) {
        throw new errors.ExpeditorError(`EKS cluster ${target.cluster} has no endpoint or certificate authority yet`, {
            input,
            unchanged: 'nothing was changed',
            next: 'wait until the cluster is ACTIVE, then run again',
        });
    }
    return { endpoint: cluster.endpoint, caData: cluster.certificateAuthority.data, arn: cluster.arn };
}
/** GET /version: the cluster answers, and accepts our credentials (a refused token is a 401 here). */
async function verifyConnection(connection, options) {
    try {
        await (0,retry/* withRetry */.bD)(() => connection.version(), {
            ...(options.signal ? { signal: options.signal } : {}),
            retries: 2,
            onRetry: (error, attempt) => options.log?.info(`${connection.description}: ${(0,errors/* describeError */.Uc)(error)}; retry ${attempt}`),
        });
    }
    catch (error) {
        if (options.signal?.aborted)
            throw options.signal.reason instanceof Error ? options.signal.reason : error;
        throw connectionError(connection, error);
    }
}
/** The error for a request the cluster refused or did not answer, naming the input at fault. */
function connectionError(connection, error) {
    const input = connection.source.kind === 'eks' ? 'cluster' : connection.source.input;
    const status = statusOf(error);
    if (status === 401) {
        return new errors.ExpeditorError(`${connection.description} at ${connection.server} refused the credentials (401 Unauthorized)`, {
            ...(input ? { input } : {}),
            unchanged: 'nothing was changed',
            next: connection.source.kind === 'eks'
                ? 'the token expired or the IAM identity is not allowed in the cluster: give the role an EKS access entry (or an aws-auth mapping) and check the runner clock'
                : 'the kubeconfig credentials expired or are wrong: refresh them (for EKS, prefer the cluster input: the action makes its own token)',
            cause: error,
        });
    }
    if (status === 403) {
        return new errors.ExpeditorError(`${connection.description}: ${(0,errors/* describeError */.Uc)(error)}`, {
            ...(input ? { input } : {}),
            unchanged: 'nothing was changed',
            next: 'grant the identity RBAC rights on Deployments, ReplicaSets, Pods, Services, EndpointSlices and Events in the namespace',
            cause: error,
        });
    }
    const kind = (0,retry/* classifyError */.fe)(error);
    return new errors.ExpeditorError(kind === 'network' || kind === 'other'
        ? `${connection.description} does not answer at ${connection.server}: ${(0,errors/* describeError */.Uc)(error)}`
        : `${connection.description}: ${(0,errors/* describeError */.Uc)(error)}`, {
        ...(input ? { input } : {}),
        unchanged: 'nothing was changed',
        next: 'check that the cluster endpoint is reachable from the runner (private endpoints need a runner in the VPC)',
        cause: error,
    });
}
/** The HTTP status of a client-node error (ApiException.code, or a Watch error's statusCode). */
function statusOf(error) {
    if (typeof error !== 'object' || error === null)
        return undefined;
    const e = error;
    if (typeof e.code === 'number')
        return e.code;
    if (typeof e.statusCode === 'number')
        return e.statusCode;
    return undefined;
}
function isNotFound(error) {
    return statusOf(error) === 404;
}
function isConflict(error) {
    return statusOf(error) === 409;
}


/***/ }),

/***/ 3533:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   bD: () => (/* binding */ withRetry),
/* harmony export */   fe: () => (/* binding */ classifyError),
/* harmony export */   r3: () => (/* binding */ isRetryable)
/* harmony export */ });
/* harmony import */ var p_retry__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4995);
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
    return (0,p_retry__WEBPACK_IMPORTED_MODULE_0__/* ["default"] */ .Ay)(fn, {
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


/***/ }),

/***/ 4995:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  Ay: () => (/* binding */ pRetry)
});

// UNUSED EXPORTS: AbortError, makeRetriable

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


/***/ })

};
