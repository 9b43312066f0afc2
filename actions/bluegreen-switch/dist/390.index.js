export const id = 390;
export const ids = [390,832];
export const modules = {

/***/ 1390:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runEksSwitch: () => (/* binding */ runEksSwitch)
});

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./packages/shared/src/config.ts + 1 modules
var config = __webpack_require__(6832);
// EXTERNAL MODULE: ./packages/shared/src/errors.ts
var errors = __webpack_require__(9680);
// EXTERNAL MODULE: ./packages/shared/src/settings.ts
var src_settings = __webpack_require__(1866);
// EXTERNAL MODULE: ./actions/bluegreen-switch/src/eks/names.ts
var names = __webpack_require__(166);
;// CONCATENATED MODULE: ./actions/bluegreen-switch/src/eks/plan.ts
// What the EKS switch will act on, decided before any network call: inputs over the environment
// file's eks section, where each value came from, and how to reach the cluster.





function planEksSwitch(common, inputs, context) {
    const envName = common.environment;
    let eks;
    let region = inputs.aws.region;
    if (envName) {
        const env = (0,config.environmentOf)((0,config.loadConfig)((0,external_node_path_.join)(context.workspace, common.config), common.config), envName, common.config);
        eks = env.eks;
        region = env.aws.region;
    }
    const settings = new src_settings/* Settings */.w();
    const key = (k) => `environments.${envName}.eks.${k}`;
    const file = (k, value) => (eks ? { key: key(k), value } : undefined);
    const route = settings.pick('route', { name: 'route', value: inputs.route }, file('route', eks?.route), 'service');
    const namespace = settings.pick('namespace', { name: 'namespace', value: inputs.namespace }, file('namespace', eks?.namespace), 'default');
    const colorLabel = settings.pick('color label', { name: 'color-label', value: inputs.colorLabel }, file('color-label', eks?.['color-label']), 'version');
    const problems = [];
    // One service per switch: the file's `services` gives it only when it lists exactly one.
    const fileServices = eks?.services ?? [];
    let service = settings.pick('service', { name: 'service', value: inputs.service }, fileServices.length === 1 ? file('services', fileServices[0]) : undefined);
    if (!service) {
        problems.push(new errors/* InputError */.dz('service', fileServices.length > 1
            ? `is required: ${key('services')} lists ${fileServices.length} services (${fileServices.join(', ')}) and one switch moves one`
            : 'is required (the stable Service, e.g. shop)'));
        service = '';
    }
    const ingress = settings.pick('ingress', { name: 'ingress', value: inputs.ingress }, file('ingress', eks?.ingress));
    if (route === 'ingress' && !ingress)
        problems.push(new errors/* InputError */.dz('ingress', 'is required with route ingress'));
    const canaryFromFile = eks?.canary;
    const canary = inputs.canary ?? canaryFromFile;
    if (canary)
        settings.derive('canary', canary.join(', '), inputs.canary ? "input 'canary'" : key('canary'));
    if (inputs.canary && route !== 'ingress') {
        problems.push(new errors/* InputError */.dz('canary', "needs route ingress (weights go through the Ingress's load balancer)"));
    }
    if (inputs.probeUrl && !canary)
        problems.push(new errors/* InputError */.dz('probe-url', 'is only used between canary steps: give canary weights too'));
    if (inputs.targetColor && !(0,names/* isColor */._o)(inputs.targetColor))
        problems.push(new errors/* InputError */.dz('target-color', 'expected blue or green'));
    if (common.action === 'rollback' && inputs.targetColor) {
        problems.push(new errors/* InputError */.dz('target-color', 'is not used by rollback, which returns to the recorded previous color', "leave it empty, or use action 'switch'"));
    }
    if (inputs.keepMs > 0 && common.action !== 'cleanup')
        problems.push(new errors/* InputError */.dz('keep', "is only used by action 'cleanup'"));
    if (inputs.removePreview && common.action !== 'cleanup')
        problems.push(new errors/* InputError */.dz('remove-preview', "is only used by action 'cleanup'"));
    if (inputs.ingressPath && route !== 'ingress')
        problems.push(new errors/* InputError */.dz('ingress-path', 'needs route ingress'));
    // The cluster: an explicit kubeconfig input wins, then the cluster (input or file), then KUBECONFIG.
    let connect;
    const cluster = settings.pick('cluster', { name: 'cluster', value: inputs.cluster }, file('cluster', eks?.cluster));
    if (inputs.kubeconfig?.input) {
        connect = { kind: 'kubeconfig', path: resolvePath(context.workspace, inputs.kubeconfig.path), input: 'kubeconfig' };
        settings.derive('connection', inputs.kubeconfig.path, "input 'kubeconfig'");
    }
    else if (cluster) {
        connect = { kind: 'eks', cluster, region, stsEndpoint: inputs.aws.stsEndpoint };
    }
    else if (inputs.kubeconfig) {
        connect = { kind: 'kubeconfig', path: inputs.kubeconfig.path, input: undefined };
        settings.derive('connection', inputs.kubeconfig.path, 'KUBECONFIG');
    }
    else {
        problems.push(new errors/* InputError */.dz('cluster', 'is required: give the EKS cluster (or environment with eks.cluster), or a kubeconfig'));
    }
    if (problems.length > 0)
        throw new errors/* ProblemsError */.FQ(`${problems.length} problems with the inputs of bluegreen-switch`, problems);
    return {
        environment: envName,
        settings,
        connect: connect,
        options: {
            action: common.action,
            route,
            namespace,
            service,
            ingress,
            ingressPath: inputs.ingressPath,
            targetColor: inputs.targetColor,
            colorLabel,
            canary: common.action === 'switch' ? canary : undefined,
            stepPauseMs: inputs.stepPauseMs,
            probeUrl: inputs.probeUrl,
            probeTimeoutMs: inputs.probeTimeoutMs,
            keepMs: inputs.keepMs,
            removePreview: inputs.removePreview,
            commit: context.sha,
            runUrl: context.runUrl,
        },
    };
}
function resolvePath(workspace, path) {
    return (0,external_node_path_.isAbsolute)(path) ? path : (0,external_node_path_.join)(workspace, path);
}

// EXTERNAL MODULE: ./packages/shared/src/deadline.ts + 1 modules
var deadline = __webpack_require__(5915);
// EXTERNAL MODULE: ./packages/shared/src/summary.ts
var src_summary = __webpack_require__(3851);
;// CONCATENATED MODULE: ./actions/bluegreen-switch/src/eks/summary.ts
// The step summary of an EKS switch, rollback or cleanup.



function eksSwitchSummary(plan, outcome, tookMs, cluster) {
    const o = plan.options;
    const summary = new src_summary/* Summary */.B();
    const what = `bluegreen-switch ${o.action} (EKS, route ${o.route}${plan.environment ? `, ${plan.environment}` : ''})`;
    const where = [
        ['cluster', cluster],
        ['namespace', o.namespace],
        [o.route === 'service' ? 'Service' : 'Ingress', o.route === 'service' ? o.service : `${o.ingress ?? ''}${o.ingressPath ? ` (${o.ingressPath})` : ''}`],
    ];
    if ('error' in outcome) {
        summary.heading(`${what} failed`);
        summary.facts([...where, ['took', (0,deadline/* formatDuration */.a3)(tookMs)]]);
        summary.details('What happened', (0,errors/* formatFailure */.M3)(outcome.error));
    }
    else {
        const r = outcome.result;
        summary.heading(`${what}: ${r.switched ? `${r.from} → ${r.to}` : 'no switch'}`);
        summary.facts([
            ...where,
            ['traffic was on', r.from],
            ['traffic is on', r.to],
            ['switched', r.switched ? 'yes' : 'no'],
            ['endpoints converged in', r.convergenceMs !== undefined ? (0,deadline/* formatDuration */.a3)(r.convergenceMs) : undefined],
            ...(r.scaledDown ? [['scaled to zero', `${r.scaledDown.deployment} (was ${r.scaledDown.replicas})`]] : []),
            ['took', (0,deadline/* formatDuration */.a3)(tookMs)],
            ['run', o.runUrl ? { text: 'this run', href: o.runUrl } : undefined],
        ]);
        if (r.canarySteps?.length) {
            summary.heading('Canary steps', 3).table(['weight to target', 'check', 'detail'], r.canarySteps.map((s) => [`${s.weight}%`, s.outcome, s.detail]));
        }
        summary.paragraph(r.note);
    }
    const settings = plan.settings.rows();
    if (settings.length)
        summary.heading('Settings', 3).table(['setting', 'value', 'from'], settings);
    return summary;
}

;// CONCATENATED MODULE: ./actions/bluegreen-switch/src/eks/action.ts


async function runEksSwitch(common, inputs, github, run) {
    const started = Date.now();
    const plan = planEksSwitch(common, inputs, { workspace: github.workspace, sha: github.sha, runUrl: github.runUrl });
    const clusterText = describeConnect(plan.connect);
    try {
        // client-node and the AWS SDK load only now that the inputs are known to be good.
        const [{ connectKube }, { createKube }, { eksSwitch }] = await Promise.all([
            Promise.all(/* import() */[__webpack_require__.e(118), __webpack_require__.e(841)]).then(__webpack_require__.bind(__webpack_require__, 6841)),
            Promise.all(/* import() */[__webpack_require__.e(118), __webpack_require__.e(841), __webpack_require__.e(953)]).then(__webpack_require__.bind(__webpack_require__, 2953)),
            Promise.all(/* import() */[__webpack_require__.e(118), __webpack_require__.e(841), __webpack_require__.e(124)]).then(__webpack_require__.bind(__webpack_require__, 4124)),
        ]);
        const connection = await run.log.group(`Connecting to ${clusterText}`, async () => connectKube({
            ...(plan.connect.kind === 'kubeconfig'
                ? { kubeconfig: { path: plan.connect.path, input: plan.connect.input } }
                : { eks: await eksTarget(plan.connect) }),
            signal: run.signal,
            log: run.log,
        }));
        const result = await eksSwitch(plan.options, {
            kube: createKube(connection),
            log: run.log,
            signal: run.signal,
            deadlineAt: run.startedAt + common.timeoutMs,
        });
        eksSwitchSummary(plan, { result }, Date.now() - started, clusterText).write(github.stepSummaryPath);
        return result;
    }
    catch (error) {
        eksSwitchSummary(plan, { error }, Date.now() - started, clusterText).write(github.stepSummaryPath);
        throw error;
    }
}
function describeConnect(connect) {
    return connect.kind === 'eks' ? `EKS cluster ${connect.cluster}${connect.region ? ` (${connect.region})` : ''}` : `kubeconfig ${connect.path}`;
}
/** The EKS client and the SDK's default credentials (what assume-env exported), made here at the edge. */
async function eksTarget(connect) {
    const { EKSClient } = await Promise.all(/* import() */[__webpack_require__.e(118), __webpack_require__.e(861), __webpack_require__.e(524)]).then(__webpack_require__.t.bind(__webpack_require__, 4524, 19));
    const { ExpeditorError } = await Promise.resolve(/* import() */).then(__webpack_require__.bind(__webpack_require__, 9680));
    const eks = new EKSClient({ ...(connect.region ? { region: connect.region } : {}), maxAttempts: 1 });
    const region = await eks.config.region().catch(() => '');
    if (!region) {
        throw new ExpeditorError('no AWS region is set for the EKS cluster', {
            key: 'environments.<name>.aws.region',
            unchanged: 'nothing was changed',
            next: 'run assume-env first (it exports AWS_REGION), set AWS_REGION, or give an environment whose aws.region is set',
        });
    }
    return { cluster: connect.cluster, region, eks, credentials: eks.config.credentials, stsEndpoint: connect.stsEndpoint };
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





class ConfigError extends errors.ExpeditorError {
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
        throw new errors.ExpeditorError(`environment file ${shownAs} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}`, {
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
        throw new errors.ExpeditorError(`environment ${(0,inputs/* quote */.hD)(name)} is not in ${file} (have: ${Object.keys(config.environments).join(', ') || 'none'})`, { input: 'environment', unchanged: 'nothing was changed' });
    }
    return env;
}


/***/ }),

/***/ 1866:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   w: () => (/* binding */ Settings)
/* harmony export */ });
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


/***/ }),

/***/ 3851:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   B: () => (/* binding */ Summary)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
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
        (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.appendFileSync)(path, `${this.toMarkdown()}\n`);
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


/***/ })

};
