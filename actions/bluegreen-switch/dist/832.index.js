export const id = 832;
export const ids = [832];
export const modules = {

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
