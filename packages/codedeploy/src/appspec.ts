// The CodeDeploy AppSpec for an ECS blue/green deployment: generated from the service and the
// registered task definition, or read from a user's YAML/JSON file and checked before anything is
// registered. Either way TaskDefinition is the ARN just registered. Pure functions: no network.
import { LineCounter, parseDocument } from 'yaml';
import { schemaProblems } from '@expeditor/shared/structured-file';
import { z } from 'zod';
import { ExpeditorError, ProblemsError } from '@expeditor/shared/errors';
import { hookNames, type HookName } from './hooks.ts';

export { hookNames, type HookName };

export interface AppSpecTarget {
  TaskDefinition: string;
  LoadBalancerInfo: { ContainerName: string; ContainerPort: number };
  PlatformVersion?: string;
  NetworkConfiguration?: unknown;
  CapacityProviderStrategy?: unknown;
}

export interface AppSpec {
  version: string;
  Resources: Record<string, { Type: 'AWS::ECS::Service'; Properties: AppSpecTarget }>[];
  Hooks?: Partial<Record<HookName, string>>[];
}

/** The placeholder people put in AppSpec files; replaced by the registered ARN. */
export const TASK_DEFINITION_PLACEHOLDER = '<TASK_DEFINITION>';

export interface GenerateOptions {
  taskDefinitionArn: string;
  containerName: string;
  containerPort: number;
  platformVersion?: string | undefined;
  hooks?: Partial<Record<HookName, string>>;
}

export function generateAppSpec(options: GenerateOptions): AppSpec {
  const properties: AppSpecTarget = {
    TaskDefinition: options.taskDefinitionArn,
    LoadBalancerInfo: { ContainerName: options.containerName, ContainerPort: options.containerPort },
  };
  if (options.platformVersion) properties.PlatformVersion = options.platformVersion;
  const spec: AppSpec = { version: '0.0', Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: properties } }] };
  // Hooks run in lifecycle order whatever order they were given in.
  const hooks = hookNames.filter((name) => options.hooks?.[name]).map((name) => ({ [name]: options.hooks?.[name] ?? '' }));
  if (hooks.length > 0) spec.Hooks = hooks;
  return spec;
}

// CodeDeploy reads AppSpec keys without regard to case; the file is normalised to this spelling.
const canonical = new Map(
  [
    'version',
    'Resources',
    'Hooks',
    'Type',
    'Properties',
    'TaskDefinition',
    'LoadBalancerInfo',
    'ContainerName',
    'ContainerPort',
    'PlatformVersion',
    'NetworkConfiguration',
    'AwsvpcConfiguration',
    'Subnets',
    'SecurityGroups',
    'AssignPublicIp',
    'CapacityProviderStrategy',
    'Base',
    'CapacityProvider',
    'Weight',
    ...hookNames,
  ].map((k) => [k.toLowerCase(), k]),
);

const port = z.union(
  [
    z.int().min(1).max(65535),
    z
      .string()
      .regex(/^\d{1,5}$/)
      .transform(Number)
      .pipe(z.int().min(1).max(65535)),
  ],
  { error: 'expected a port number' },
);
const properties = z.strictObject({
  TaskDefinition: z.string().min(1),
  LoadBalancerInfo: z.strictObject({ ContainerName: z.string().min(1), ContainerPort: port }),
  PlatformVersion: z.string().min(1).optional(),
  NetworkConfiguration: z
    .strictObject({
      AwsvpcConfiguration: z.strictObject({
        Subnets: z.array(z.string().min(1)).min(1),
        SecurityGroups: z.array(z.string().min(1)).optional(),
        AssignPublicIp: z.enum(['ENABLED', 'DISABLED']).optional(),
      }),
    })
    .optional(),
  CapacityProviderStrategy: z
    .array(z.strictObject({ CapacityProvider: z.string().min(1), Base: z.int().min(0).optional(), Weight: z.int().min(0).optional() }))
    .optional(),
});
const resource = z
  .record(z.string(), z.strictObject({ Type: z.literal('AWS::ECS::Service'), Properties: properties }))
  .refine((r) => Object.keys(r).length === 1, { error: 'expected one named resource, e.g. TargetService' });
const hookEntry = z
  .strictObject(
    Object.fromEntries(hookNames.map((name) => [name, z.string().min(1).optional()])) as Record<HookName, z.ZodOptional<z.ZodString>>,
  )
  .refine((h) => Object.keys(h).length === 1, {
    error: 'expected one hook per entry, e.g. - AfterAllowTestTraffic: <Lambda function>',
    // Not on top of an unknown key, which is already reported.
    when: (payload) => payload.issues.length === 0,
  });
const appSpecSchema = z.strictObject({
  // `version: 0.0` in YAML is the number 0.
  version: z.union([z.literal('0.0'), z.literal(0)]).transform(() => '0.0'),
  Resources: z.array(resource).length(1, { error: 'an ECS AppSpec has exactly one resource (the service)' }),
  Hooks: z.array(hookEntry).optional(),
});

/** Parses and checks a user's AppSpec (YAML or JSON); every problem is reported with its line. */
export function parseAppSpec(text: string, file: string, input = 'appspec'): AppSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const fail = (problems: { path: string; message: string; line?: number | undefined }[]): never => {
    const errors = problems.map(
      (p) =>
        new ExpeditorError(`input '${input}': ${file}${p.line ? `:${p.line}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`, {
          input,
          unchanged: 'nothing was registered or deployed',
          next: 'fix the AppSpec file (see the AppSpec reference for ECS deployments)',
        }),
    );
    throw new ProblemsError(`${file} has ${errors.length} problems`, errors);
  };
  if (doc.errors.length > 0) {
    fail(
      doc.errors.map((e) => ({
        path: '',
        message: `not valid YAML or JSON: ${e.message.split('\n')[0]}`,
        line: e.linePos?.[0].line ?? lineCounter.linePos(e.pos[0]).line,
      })),
    );
  }
  const raw: unknown = doc.toJS();
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    fail([{ path: '', message: 'must be a mapping with version, Resources and optionally Hooks' }]);
  }
  // Case-normalised copy, remembering each key's original path for line numbers.
  const originalPath = new Map<string, (string | number)[]>();
  const normalise = (value: unknown, path: (string | number)[], original: (string | number)[]): unknown => {
    originalPath.set(path.join('.'), original);
    if (Array.isArray(value)) return value.map((v, i) => normalise(v, [...path, i], [...original, i]));
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      // A resource's own name (TargetService) keeps its spelling.
      const isResourceName = path.length === 2 && path[0] === 'Resources';
      const name = isResourceName ? key : (canonical.get(key.toLowerCase()) ?? key);
      out[name] = normalise(v, [...path, name], [...original, key]);
    }
    return out;
  };
  const data = normalise(raw, [], []);
  const result = appSpecSchema.safeParse(data, { reportInput: true });
  if (!result.success) {
    const lineOf = (path: readonly PropertyKey[]): number | undefined => {
      const original = originalPath.get(path.map(String).join('.')) ?? (path as (string | number)[]);
      for (let n = original.length; n >= 0; n--) {
        const node = doc.getIn(original.slice(0, n), true) as { range?: [number, number, number] } | undefined;
        if (node?.range) return lineCounter.linePos(node.range[0]).line;
      }
      return undefined;
    };
    fail(schemaProblems(result.error.issues, lineOf));
  }
  return result.data as AppSpec;
}

/** The one ECS service resource of an AppSpec. */
export function targetOf(spec: AppSpec): AppSpecTarget {
  const resource = spec.Resources[0] ?? {};
  const first = Object.values(resource)[0];
  if (!first) throw new Error('AppSpec without a resource');
  return first.Properties;
}

/** A copy with TaskDefinition set to the registered ARN. */
export function withTaskDefinition(spec: AppSpec, taskDefinitionArn: string): AppSpec {
  const copy = structuredClone(spec);
  targetOf(copy).TaskDefinition = taskDefinitionArn;
  return copy;
}

/** The AppSpec as CodeDeploy's AppSpecContent (JSON is valid AppSpec YAML). */
export function appSpecContent(spec: AppSpec): string {
  return JSON.stringify(spec);
}

/** The hooks of an AppSpec in lifecycle order: name → function. */
export function hooksOf(spec: AppSpec): Partial<Record<HookName, string>> {
  return Object.assign({}, ...(spec.Hooks ?? [])) as Partial<Record<HookName, string>>;
}

/**
 * The TaskDefinition of an AppSpec as CodeDeploy stored it (read leniently: any key case, YAML or
 * JSON), or undefined when it cannot be found.
 */
export function appSpecTaskDefinition(content: string): string | undefined {
  const properties = lenientProperties(content);
  const key = properties ? Object.keys(properties).find((k) => k.toLowerCase() === 'taskdefinition') : undefined;
  const value = key && properties ? properties[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** The same AppSpec content with TaskDefinition replaced, as JSON; undefined when it has none. */
export function replaceAppSpecTaskDefinition(content: string, taskDefinitionArn: string): string | undefined {
  const doc = lenientParse(content);
  const properties = propertiesOf(doc);
  const key = properties ? Object.keys(properties).find((k) => k.toLowerCase() === 'taskdefinition') : undefined;
  if (!properties || !key) return undefined;
  properties[key] = taskDefinitionArn;
  return JSON.stringify(doc);
}

function lenientParse(content: string): unknown {
  try {
    return parseDocument(content).toJS() as unknown;
  } catch {
    return undefined;
  }
}

function lenientProperties(content: string): Record<string, unknown> | undefined {
  return propertiesOf(lenientParse(content));
}

function propertiesOf(doc: unknown): Record<string, unknown> | undefined {
  const field = (obj: unknown, name: string): unknown => {
    if (typeof obj !== 'object' || obj === null) return undefined;
    const key = Object.keys(obj).find((k) => k.toLowerCase() === name);
    return key ? (obj as Record<string, unknown>)[key] : undefined;
  };
  const resources = field(doc, 'resources');
  const first: unknown = Array.isArray(resources) ? resources[0] : undefined;
  const resource: unknown = first && typeof first === 'object' ? Object.values(first)[0] : undefined;
  const properties = field(resource, 'properties');
  return typeof properties === 'object' && properties !== null ? (properties as Record<string, unknown>) : undefined;
}
