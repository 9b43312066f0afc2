export const id = 996;
export const ids = [996];
export const modules = {

/***/ 5996:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runDeployEcs: () => (/* binding */ runDeployEcs)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
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

// EXTERNAL MODULE: ./actions/deploy-ecs/src/appspec.ts
var appspec = __webpack_require__(7469);
// EXTERNAL MODULE: ./actions/deploy-ecs/src/task-definition.ts
var task_definition = __webpack_require__(608);
;// CONCATENATED MODULE: ./actions/deploy-ecs/src/plan.ts
// Everything deploy-ecs will do, decided before any network call: inputs over the environment
// file (with where each value came from), the task definition and AppSpec files read and checked.







function planDeployEcs(inputs, context) {
    let env;
    const envName = inputs.environment;
    if (envName) {
        const config = loadConfig((0,external_node_path_.join)(context.workspace, inputs.config), inputs.config);
        env = environmentOf(config, envName, inputs.config);
        if (!env.ecs && (!inputs.cluster || !inputs.service)) {
            throw new errors/* ExpeditorError */.DR(`environment ${envName} in ${inputs.config} has no ecs section`, {
                key: `environments.${envName}.ecs`,
                input: env.eks ? 'environment' : undefined,
                unchanged: 'nothing was changed',
                next: env.eks ? 'this environment runs on EKS: use deploy-eks' : `add environments.${envName}.ecs (cluster, service) or give the cluster and service inputs`,
            });
        }
    }
    const ecs = env?.ecs;
    const key = (k) => `environments.${envName}.${k}`;
    const settings = new Settings();
    const pick = (name, input, value, fileKey, fileValue, fallback) => settings.pick(name, { name: input, value }, ecs ? { key: key(fileKey), value: fileValue } : undefined, fallback);
    const originOf = (input, value, fileKey) => value !== undefined && value !== '' ? { input } : ecs ? { key: key(fileKey) } : { input };
    const cluster = pick('cluster', 'cluster', inputs.cluster, 'ecs.cluster', ecs?.cluster);
    const service = pick('service', 'service', inputs.service, 'ecs.service', ecs?.service);
    if (!cluster || !service) {
        throw new errors/* ExpeditorError */.DR(`the ECS ${!cluster ? 'cluster' : 'service'} is not given`, {
            input: !cluster ? 'cluster' : 'service',
            unchanged: 'nothing was changed',
            next: `give the '${!cluster ? 'cluster' : 'service'}' input or set it in the environment file`,
        });
    }
    const strategy = pick('strategy', 'strategy', inputs.strategy, 'ecs.strategy', ecs?.strategy, 'auto');
    const container = pick('container', 'container', inputs.container, 'ecs.container', ecs?.container);
    const taskDefinitionFile = pick('task definition file', 'task-definition', inputs.taskDefinition, 'ecs.task-definition', ecs?.['task-definition']);
    const waitUntil = pick('wait until', 'wait-until', inputs.waitUntil, 'ecs.wait-until', ecs?.['wait-until'], 'succeeded');
    const cd = ecs?.codedeploy;
    const application = pick('CodeDeploy application', 'codedeploy-application', inputs.codedeployApplication, 'ecs.codedeploy.application', cd?.application);
    const group = pick('CodeDeploy group', 'codedeploy-deployment-group', inputs.codedeployDeploymentGroup, 'ecs.codedeploy.deployment-group', cd?.['deployment-group']);
    const deploymentConfig = pick('deployment config', 'deployment-config', inputs.deploymentConfig, 'ecs.codedeploy.deployment-config', cd?.['deployment-config']);
    const taskDefinitionOrigin = originOf('task-definition', inputs.taskDefinition, 'ecs.task-definition');
    const template = taskDefinitionFile
        ? { input: (0,task_definition/* parseTaskDefinitionFile */.Oz)(readWorkspaceFile(context.workspace, taskDefinitionFile, taskDefinitionOrigin), taskDefinitionFile, taskDefinitionOrigin), file: taskDefinitionFile }
        : undefined;
    const appSpec = inputs.appspec
        ? { spec: (0,appspec/* parseAppSpec */.WS)(readWorkspaceFile(context.workspace, inputs.appspec, { input: 'appspec' }), inputs.appspec), file: inputs.appspec }
        : undefined;
    // Variables and secrets: the environment's, then the inputs' (which win name by name).
    const vars = { ...env?.vars, ...inputs.vars };
    const secrets = { ...env?.secrets, ...inputs.secrets };
    const secretsOrigin = Object.keys(inputs.secrets).length > 0 || !env?.secrets ? { input: 'secrets' } : { key: key('secrets') };
    if (Object.keys(vars).length)
        settings.provenance.push({ name: 'variables', value: Object.keys(vars).join(', '), source: 'file', from: describeSources(Object.keys(env?.vars ?? {}), Object.keys(inputs.vars), key('vars'), 'vars') });
    if (Object.keys(secrets).length)
        settings.provenance.push({ name: 'secrets', value: Object.keys(secrets).join(', '), source: 'file', from: describeSources(Object.keys(env?.secrets ?? {}), Object.keys(inputs.secrets), key('secrets'), 'secrets') });
    return {
        image: inputs.image,
        environment: envName,
        region: env?.aws.region,
        cluster,
        service,
        clusterOrigin: originOf('cluster', inputs.cluster, 'ecs.cluster'),
        serviceOrigin: originOf('service', inputs.service, 'ecs.service'),
        strategy,
        strategyOrigin: originOf('strategy', inputs.strategy, 'ecs.strategy'),
        container,
        containerOrigin: originOf('container', inputs.container, 'ecs.container'),
        template,
        vars,
        secrets,
        secretsOrigin,
        codedeploy: {
            application,
            group,
            applicationOrigin: originOf('codedeploy-application', inputs.codedeployApplication, 'ecs.codedeploy.application'),
            groupOrigin: originOf('codedeploy-deployment-group', inputs.codedeployDeploymentGroup, 'ecs.codedeploy.deployment-group'),
            deploymentConfig,
            deploymentConfigOrigin: originOf('deployment-config', inputs.deploymentConfig, 'ecs.codedeploy.deployment-config'),
            testListener: cd?.['test-listener'],
        },
        appSpec,
        containerPort: inputs.containerPort,
        hooks: inputs.hooks,
        waitUntil,
        waitUntilOrigin: originOf('wait-until', inputs.waitUntil, 'ecs.wait-until'),
        timeoutMs: inputs.timeoutMs,
        settings,
        source: { sha: context.sha, runUrl: context.runUrl },
    };
}
function describeSources(fromFile, fromInput, fileKey, input) {
    const parts = [];
    if (fromFile.length)
        parts.push(fileKey);
    if (fromInput.length)
        parts.push(`input '${input}'`);
    return parts.join(' + ');
}
function readWorkspaceFile(workspace, path, origin) {
    try {
        return (0,external_node_fs_.readFileSync)((0,external_node_path_.join)(workspace, path), 'utf8');
    }
    catch (error) {
        const code = error.code;
        const at = origin.input ? `input '${origin.input}'` : origin.key;
        throw new errors/* ExpeditorError */.DR(`${at}: ${path} ${code === 'ENOENT' ? 'does not exist in the workspace' : `cannot be read (${code})`}`, {
            ...(origin.input ? { input: origin.input } : {}),
            ...(origin.key ? { key: origin.key } : {}),
            unchanged: 'nothing was changed',
            next: 'check the path (relative to the repository root) and that the workflow checked the repository out',
        });
    }
}

// EXTERNAL MODULE: ./packages/shared/src/deadline.ts + 1 modules
var deadline = __webpack_require__(5915);
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

;// CONCATENATED MODULE: ./actions/deploy-ecs/src/summary.ts
// The step summary of a deploy-ecs run: what was deployed where, how it ended, links, and where
// each setting came from.



function deploySummary(plan, outcome, tookMs) {
    const summary = new Summary();
    const where = `${plan.environment ? `${plan.environment}: ` : ''}${plan.cluster}/${plan.service}`;
    if ('error' in outcome) {
        summary.heading(`deploy-ecs failed — ${where}`);
        summary.facts([
            ['image', plan.image],
            ['took', (0,deadline/* formatDuration */.a3)(tookMs)],
        ]);
        summary.details('What happened', (0,errors/* formatFailure */.M3)(outcome.error));
    }
    else {
        const r = outcome.result;
        summary.heading(`deploy-ecs ${r.status} — ${where}`);
        const rows = [
            ['environment', plan.environment],
            ['image', plan.image],
            ['strategy', r.strategy],
            ['task definition', r.taskDefinitionArn],
            ['previous task definition', r.previousTaskDefinitionArn],
            ['container', r.container],
            [r.strategy === 'rolling' ? 'ECS deployment' : 'CodeDeploy deployment', { text: r.deploymentId, href: r.consoleUrl }],
            ['status', r.status],
        ];
        if (r.runningCount !== undefined)
            rows.push(['tasks', `${r.runningCount}/${r.desiredCount ?? '?'} running`]);
        if (r.blueGreen) {
            const bg = r.blueGreen;
            rows.push(['CodeDeploy group', `${bg.application} / ${bg.group}`], ['traffic shifting', bg.routing]);
            if (bg.traffic)
                rows.push(['traffic now', bg.traffic.replace(/^traffic: /, '')]);
            if (bg.testListeners.length)
                rows.push(['test listener', bg.testListeners.join(', ')]);
            if (bg.readyUntil)
                rows.push(['held at Ready until', bg.readyUntil]);
            if (bg.terminationWaitMinutes)
                rows.push(['blue kept after the switch', `${bg.terminationWaitMinutes} min`]);
        }
        rows.push(['took', (0,deadline/* formatDuration */.a3)(tookMs)]);
        summary.facts(rows);
        if (r.status === 'Ready') {
            summary.paragraph('Green is up and takes test traffic only. Test it, then move traffic with bluegreen-switch (platform ecs, the deployment id above), or roll back with action rollback.');
        }
    }
    const settings = plan.settings.rows();
    if (settings.length)
        summary.heading('Settings', 3).table(['setting', 'value', 'from'], settings);
    return summary;
}

;// CONCATENATED MODULE: ./actions/deploy-ecs/src/action.ts


async function runDeployEcs(inputs, github, run) {
    const started = Date.now();
    const plan = planDeployEcs(inputs, { workspace: github.workspace, sha: github.sha, runUrl: github.runUrl });
    // The SDK modules load only now that the inputs and files are known to be good.
    const [{ deployEcs }, { createEcsClients }] = await Promise.all([Promise.all(/* import() */[__webpack_require__.e(861), __webpack_require__.e(212), __webpack_require__.e(507), __webpack_require__.e(221)]).then(__webpack_require__.bind(__webpack_require__, 2221)), __webpack_require__.e(/* import() */ 573).then(__webpack_require__.bind(__webpack_require__, 7573))]);
    const clients = await createEcsClients(plan.region);
    try {
        const result = await deployEcs(plan, clients, { log: run.log, signal: run.signal });
        deploySummary(plan, { result }, Date.now() - started).write(github.stepSummaryPath);
        return result;
    }
    catch (error) {
        deploySummary(plan, { error }, Date.now() - started).write(github.stepSummaryPath);
        throw error;
    }
    finally {
        clients.destroy();
    }
}


/***/ }),

/***/ 7469:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $5: () => (/* binding */ withTaskDefinition),
/* harmony export */   $r: () => (/* binding */ targetOf),
/* harmony export */   As: () => (/* binding */ generateAppSpec),
/* harmony export */   WS: () => (/* binding */ parseAppSpec),
/* harmony export */   uj: () => (/* binding */ hooksOf),
/* harmony export */   uo: () => (/* binding */ appSpecContent)
/* harmony export */ });
/* unused harmony exports TASK_DEFINITION_PLACEHOLDER, appSpecTaskDefinition, replaceAppSpecTaskDefinition */
/* harmony import */ var yaml__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8815);
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(8816);
/* harmony import */ var _expeditor_shared_errors__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9680);
/* harmony import */ var _expeditor_shared_inputs__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7458);
/* harmony import */ var _inputs_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4460);
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
    const hooks = _inputs_js__WEBPACK_IMPORTED_MODULE_3__/* .hookNames */ .W.filter((name) => options.hooks?.[name]).map((name) => ({ [name]: options.hooks?.[name] ?? '' }));
    if (hooks.length > 0)
        spec.Hooks = hooks;
    return spec;
}
// CodeDeploy reads AppSpec keys without regard to case; the file is normalised to this spelling.
const canonical = new Map([
    'version', 'Resources', 'Hooks', 'Type', 'Properties', 'TaskDefinition', 'LoadBalancerInfo', 'ContainerName',
    'ContainerPort', 'PlatformVersion', 'NetworkConfiguration', 'AwsvpcConfiguration', 'Subnets', 'SecurityGroups',
    'AssignPublicIp', 'CapacityProviderStrategy', 'Base', 'CapacityProvider', 'Weight', ..._inputs_js__WEBPACK_IMPORTED_MODULE_3__/* .hookNames */ .W,
].map((k) => [k.toLowerCase(), k]));
const port = zod__WEBPACK_IMPORTED_MODULE_4__/* .union */ .KCZ([zod__WEBPACK_IMPORTED_MODULE_4__/* .int */ .Whr().min(1).max(65535), zod__WEBPACK_IMPORTED_MODULE_4__/* .string */ .YjP().regex(/^\d{1,5}$/).transform(Number)], { error: 'expected a port number' });
const properties = zod__WEBPACK_IMPORTED_MODULE_4__/* .strictObject */ .rej({
    TaskDefinition: zod__WEBPACK_IMPORTED_MODULE_4__/* .string */ .YjP().min(1),
    LoadBalancerInfo: zod__WEBPACK_IMPORTED_MODULE_4__/* .strictObject */ .rej({ ContainerName: zod__WEBPACK_IMPORTED_MODULE_4__/* .string */ .YjP().min(1), ContainerPort: port }),
    PlatformVersion: zod__WEBPACK_IMPORTED_MODULE_4__/* .string */ .YjP().min(1).optional(),
    NetworkConfiguration: zod__WEBPACK_IMPORTED_MODULE_4__/* .strictObject */ .rej({
        AwsvpcConfiguration: zod__WEBPACK_IMPORTED_MODULE_4__/* .strictObject */ .rej({
            Subnets: zod__WEBPACK_IMPORTED_MODULE_4__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_4__/* .string */ .YjP().min(1)).min(1),
            SecurityGroups: zod__WEBPACK_IMPORTED_MODULE_4__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_4__/* .string */ .YjP().min(1)).optional(),
            AssignPublicIp: zod__WEBPACK_IMPORTED_MODULE_4__/* ["enum"] */ .k5n(['ENABLED', 'DISABLED']).optional(),
        }),
    })
        .optional(),
    CapacityProviderStrategy: zod__WEBPACK_IMPORTED_MODULE_4__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_4__/* .strictObject */ .rej({ CapacityProvider: zod__WEBPACK_IMPORTED_MODULE_4__/* .string */ .YjP().min(1), Base: zod__WEBPACK_IMPORTED_MODULE_4__/* .int */ .Whr().min(0).optional(), Weight: zod__WEBPACK_IMPORTED_MODULE_4__/* .int */ .Whr().min(0).optional() }))
        .optional(),
});
const resource = zod__WEBPACK_IMPORTED_MODULE_4__/* .record */ .g1P(zod__WEBPACK_IMPORTED_MODULE_4__/* .string */ .YjP(), zod__WEBPACK_IMPORTED_MODULE_4__/* .strictObject */ .rej({ Type: zod__WEBPACK_IMPORTED_MODULE_4__/* .literal */ .euz('AWS::ECS::Service'), Properties: properties }))
    .refine((r) => Object.keys(r).length === 1, { error: 'expected one named resource, e.g. TargetService' });
const hookEntry = zod__WEBPACK_IMPORTED_MODULE_4__/* .strictObject */ .rej(Object.fromEntries(_inputs_js__WEBPACK_IMPORTED_MODULE_3__/* .hookNames */ .W.map((name) => [name, zod__WEBPACK_IMPORTED_MODULE_4__/* .string */ .YjP().min(1).optional()])))
    .refine((h) => Object.keys(h).length === 1, {
    error: 'expected one hook per entry, e.g. - AfterAllowTestTraffic: <Lambda function>',
    // Not on top of an unknown key, which is already reported.
    when: (payload) => payload.issues.length === 0,
});
const appSpecSchema = zod__WEBPACK_IMPORTED_MODULE_4__/* .strictObject */ .rej({
    // `version: 0.0` in YAML is the number 0.
    version: zod__WEBPACK_IMPORTED_MODULE_4__/* .union */ .KCZ([zod__WEBPACK_IMPORTED_MODULE_4__/* .literal */ .euz('0.0'), zod__WEBPACK_IMPORTED_MODULE_4__/* .literal */ .euz(0)]).transform(() => '0.0'),
    Resources: zod__WEBPACK_IMPORTED_MODULE_4__/* .array */ .YOg(resource).length(1, { error: 'an ECS AppSpec has exactly one resource (the service)' }),
    Hooks: zod__WEBPACK_IMPORTED_MODULE_4__/* .array */ .YOg(hookEntry).optional(),
});
/** Parses and checks a user's AppSpec (YAML or JSON); every problem is reported with its line. */
function parseAppSpec(text, file, input = 'appspec') {
    const lineCounter = new yaml__WEBPACK_IMPORTED_MODULE_0__/* .LineCounter */ .HN();
    const doc = (0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .parseDocument */ .Tp)(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
    const fail = (problems) => {
        const errors = problems.map((p) => new _expeditor_shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ExpeditorError */ .DR(`input '${input}': ${file}${p.line ? `:${p.line}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`, {
            input,
            unchanged: 'nothing was registered or deployed',
            next: 'fix the AppSpec file (see the AppSpec reference for ECS deployments)',
        }));
        throw new _expeditor_shared_errors__WEBPACK_IMPORTED_MODULE_1__/* .ProblemsError */ .FQ(`${file} has ${errors.length} problems`, errors);
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
                return { path, message: `unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((k) => (0,_expeditor_shared_inputs__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .hD)(k)).join(', ')}`, line: lineOf([...issue.path, issue.keys[0] ?? '']) };
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
        return parseDocument(content).toJS();
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


/***/ }),

/***/ 608:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Oz: () => (/* binding */ parseTaskDefinitionFile),
/* harmony export */   P9: () => (/* binding */ renderTaskDefinition),
/* harmony export */   UR: () => (/* binding */ containerPorts),
/* harmony export */   Vl: () => (/* binding */ stripReadOnly)
/* harmony export */ });
/* unused harmony export repositoryOf */
/* harmony import */ var _expeditor_shared_errors__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9680);
/* harmony import */ var _expeditor_shared_inputs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7458);


/** What RegisterTaskDefinition accepts. */
const registerKeys = new Set([
    'family', 'taskRoleArn', 'executionRoleArn', 'networkMode', 'containerDefinitions', 'volumes', 'placementConstraints',
    'requiresCompatibilities', 'cpu', 'memory', 'tags', 'pidMode', 'ipcMode', 'proxyConfiguration', 'inferenceAccelerators',
    'ephemeralStorage', 'runtimePlatform', 'enableFaultInjection',
]);
/** What DescribeTaskDefinition returns but ECS sets itself; dropped so a described one registers again. */
const readOnlyKeys = new Set([
    'taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt', 'registeredBy',
    'deregisteredAt', 'deleteRequestedAt',
]);
function problem(origin, message, next) {
    const where = origin.input ? `input '${origin.input}'` : origin.key;
    return new _expeditor_shared_errors__WEBPACK_IMPORTED_MODULE_0__/* .ExpeditorError */ .DR(where ? `${where}: ${message}` : message, {
        ...(origin.input ? { input: origin.input } : {}),
        ...(origin.key ? { key: origin.key } : {}),
        unchanged: 'nothing was registered or deployed',
        ...(next ? { next } : {}),
    });
}
/**
 * Parses a task definition file: the JSON RegisterTaskDefinition takes, a described one (read-only
 * fields are dropped) or `aws ecs describe-task-definition` output ({taskDefinition, tags}).
 */
function parseTaskDefinitionFile(text, file, origin = { input: 'task-definition' }) {
    let data;
    try {
        data = JSON.parse(text);
    }
    catch (error) {
        throw problem(origin, `${file} is not valid JSON (${error.message})`, 'fix the file; a task definition file is JSON');
    }
    if (!isObject(data))
        throw problem(origin, `${file} must hold a JSON object (a task definition), got ${kindOf(data)}`);
    let tags;
    if (isObject(data.taskDefinition) && !('containerDefinitions' in data)) {
        tags = data.tags;
        data = data.taskDefinition;
    }
    const definition = data;
    const unknown = Object.keys(definition).filter((k) => !registerKeys.has(k) && !readOnlyKeys.has(k));
    if (unknown.length > 0) {
        throw problem(origin, `${file}: unknown task definition ${unknown.length === 1 ? 'key' : 'keys'} ${unknown.map((k) => (0,_expeditor_shared_inputs__WEBPACK_IMPORTED_MODULE_1__/* .quote */ .hD)(k)).join(', ')}`, `remove ${unknown.length === 1 ? 'it' : 'them'}; a task definition has ${[...registerKeys].join(', ')}`);
    }
    const input = stripReadOnly(definition, Array.isArray(tags) ? tags : undefined);
    if (typeof input.family !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(input.family)) {
        throw problem(origin, `${file}: family is ${input.family === undefined ? 'missing' : `not a valid family name (${(0,_expeditor_shared_inputs__WEBPACK_IMPORTED_MODULE_1__/* .quote */ .hD)(String(input.family))})`}`);
    }
    const containers = input.containerDefinitions;
    if (!Array.isArray(containers) || containers.length === 0) {
        throw problem(origin, `${file}: containerDefinitions must be a non-empty list`);
    }
    containers.forEach((c, i) => {
        if (!isObject(c) || typeof c.name !== 'string' || !c.name) {
            throw problem(origin, `${file}: containerDefinitions[${i}] needs a name`);
        }
    });
    return input;
}
/** A described task definition as RegisterTaskDefinition input. */
function stripReadOnly(definition, tags) {
    const input = {};
    for (const [key, value] of Object.entries(definition)) {
        if (registerKeys.has(key) && value !== undefined && value !== null)
            input[key] = value;
    }
    // Tags under aws: are AWS's own and cannot be set.
    const own = (tags ?? input.tags ?? []).filter((t) => t.key && !t.key.startsWith('aws:'));
    if (own.length > 0)
        input.tags = own;
    else
        delete input.tags;
    return input;
}
/** The task definition to register: image set, variables and secret references merged in. */
function renderTaskDefinition(template, options) {
    const input = structuredClone(template);
    const containers = input.containerDefinitions ?? [];
    const container = pickContainer(containers, options);
    const changes = [];
    const previousImage = container.image;
    container.image = options.image;
    changes.push(`container ${container.name}: image ${previousImage ?? '(none)'} → ${options.image}`);
    const environment = [...(container.environment ?? [])];
    const secrets = [...(container.secrets ?? [])];
    for (const [name, value] of Object.entries(options.vars)) {
        if (name in options.secrets) {
            throw problem(options.secretsOrigin, `${name} is given both as a variable and as a secret`, 'keep one of them');
        }
        removeByName(secrets, name);
        const existing = environment.find((e) => e.name === name);
        if (existing) {
            if (existing.value !== value)
                changes.push(`container ${container.name}: environment ${name} changed`);
            existing.value = value;
        }
        else {
            environment.push({ name, value });
            changes.push(`container ${container.name}: environment ${name} added`);
        }
    }
    for (const [name, valueFrom] of Object.entries(options.secrets)) {
        removeByName(environment, name);
        const existing = secrets.find((s) => s.name === name);
        if (existing)
            existing.valueFrom = valueFrom;
        else
            secrets.push({ name, valueFrom });
        changes.push(`container ${container.name}: secret ${name} from ${valueFrom}`);
    }
    if (environment.length > 0 || container.environment)
        container.environment = environment;
    if (secrets.length > 0 || container.secrets)
        container.secrets = secrets;
    if (Object.keys(options.secrets).length > 0 && !input.executionRoleArn) {
        throw problem(options.secretsOrigin, `the task definition (family ${input.family}) has no executionRoleArn, which ECS needs to read secrets`, 'set executionRoleArn in the task definition to a role that may read these secrets');
    }
    return { input, container: container.name ?? '', previousImage, changes };
}
function pickContainer(containers, options) {
    const names = containers.map((c) => c.name ?? '');
    if (options.container) {
        const found = containers.find((c) => c.name === options.container);
        if (!found) {
            throw problem(options.containerOrigin, `the task definition has no container ${(0,_expeditor_shared_inputs__WEBPACK_IMPORTED_MODULE_1__/* .quote */ .hD)(options.container)} (have: ${names.join(', ')})`);
        }
        return found;
    }
    if (containers.length === 1 && containers[0])
        return containers[0];
    // Several containers: the one already running an image of this repository.
    const repository = repositoryOf(options.image);
    const same = containers.filter((c) => c.image && repositoryOf(c.image) === repository);
    if (same.length === 1 && same[0])
        return same[0];
    throw problem({ input: 'container' }, `the task definition has ${containers.length} containers (${names.join(', ')}) and ${same.length === 0 ? 'none runs' : 'several run'} ${repository}; name the one to update`);
}
/** `host/repo:tag@sha256:…` → `host/repo`. */
function repositoryOf(image) {
    const withoutDigest = image.split('@')[0] ?? image;
    const lastSlash = withoutDigest.lastIndexOf('/');
    const colon = withoutDigest.indexOf(':', lastSlash + 1);
    return colon >= 0 ? withoutDigest.slice(0, colon) : withoutDigest;
}
function removeByName(list, name) {
    const index = list.findIndex((e) => e.name === name);
    if (index >= 0)
        list.splice(index, 1);
}
function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function kindOf(value) {
    return Array.isArray(value) ? 'a list' : value === null ? 'null' : `a ${typeof value}`;
}
/** The port mappings of a container, for the AppSpec's ContainerPort. */
function containerPorts(input, container) {
    const found = input.containerDefinitions?.find((c) => c.name === container);
    return (found?.portMappings ?? []).map((p) => p.containerPort).filter((p) => typeof p === 'number');
}


/***/ })

};
