// GitHub's published REST description (the @octokit/openapi package) as a request checker: does
// the route exist with this method, do the path and query parameters and the JSON body fit their
// schemas (ajv), and does an answer fit the response schema of its status.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  operationId: string;
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: Schema }> }>;
}
interface Description {
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { parameters: Record<string, Parameter>; responses: Record<string, { content?: Record<string, { schema: Schema }> }> };
}

export interface Route {
  /** The path template, e.g. /repos/{owner}/{repo}/deployments */
  template: string;
  method: string;
  operationId: string;
  params: Record<string, string>;
}

export interface Problem {
  where: string;
  message: string;
}

const DOC_ID = 'github-rest';

export class RestDescription {
  readonly version: string;
  private readonly doc: Description;
  private readonly ajv: Ajv;
  private readonly matchers: { template: string; regex: RegExp; names: string[] }[];
  private readonly cache = new Map<string, ValidateFunction>();

  constructor() {
    const require = createRequire(import.meta.url);
    const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
    this.doc = JSON.parse(readFileSync(file, 'utf8')) as Description;
    this.version = this.doc.info.version;
    // OpenAPI 3.0 schemas carry keywords ajv does not know (example, x-github…): not strict.
    // `nullable` is understood by ajv itself.
    this.ajv = new Ajv({ strict: false, allErrors: true, verbose: true, validateFormats: true, coerceTypes: false });
    addFormats(this.ajv);
    this.ajv.addSchema({ components: this.doc.components }, DOC_ID);
    // Literal segments before parameters: /deployments/{id} must not shadow a literal sibling.
    this.matchers = Object.keys(this.doc.paths)
      .map((template) => {
        const names: string[] = [];
        const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_m, name: string) => {
          names.push(name);
          return '([^/]+)';
        });
        return { template, regex: new RegExp(`^${pattern}$`), names };
      })
      .sort((a, b) => a.names.length - b.names.length);
  }

  /** The route and method for a request path, or why there is none. */
  match(method: string, pathname: string): Route | { problem: string; status: 404 | 405 } {
    const m = method.toLowerCase();
    let pathFound = false;
    for (const { template, regex, names } of this.matchers) {
      const found = regex.exec(pathname);
      if (!found) continue;
      pathFound = true;
      const operation = this.doc.paths[template]?.[m];
      if (!operation) continue;
      const params: Record<string, string> = {};
      for (const [i, name] of names.entries()) params[name] = decodeURIComponent(found[i + 1] ?? '');
      return { template, method: m, operationId: operation.operationId, params };
    }
    return pathFound
      ? { problem: `${method} ${pathname}: the path is in GitHub's REST description, but not with ${method}`, status: 405 }
      : { problem: `${method} ${pathname}: no such route in GitHub's REST description`, status: 404 };
  }

  private operation(route: Pick<Route, 'template' | 'method'>): Operation {
    const op = this.doc.paths[route.template]?.[route.method];
    if (!op) throw new Error(`no operation ${route.method} ${route.template}`);
    return op;
  }

  private parameters(route: Pick<Route, 'template' | 'method'>): Parameter[] {
    return (this.operation(route).parameters ?? []).map((p) => {
      if ('$ref' in p) {
        const name = p.$ref.replace('#/components/parameters/', '');
        const resolved = this.doc.components.parameters[name];
        if (!resolved) throw new Error(`unresolved parameter ${p.$ref}`);
        return resolved;
      }
      return p;
    });
  }

  /** Every problem with the request's parameters and body; empty when it fits the description. */
  checkRequest(route: Route, query: URLSearchParams, contentType: string | undefined, body: unknown, hasBody: boolean): Problem[] {
    const problems: Problem[] = [];
    const parameters = this.parameters(route);
    for (const p of parameters.filter((p) => p.in === 'path')) {
      problems.push(...this.checkValue(`path parameter '${p.name}'`, p.schema, coerce(p.schema, route.params[p.name] ?? '')));
    }
    const queryParams = parameters.filter((p) => p.in === 'query');
    for (const name of new Set(query.keys())) {
      const p = queryParams.find((q) => q.name === name);
      // GitHub ignores unknown query parameters; here a misspelt filter is an error, not a no-op.
      if (!p) {
        problems.push({ where: `query parameter '${name}'`, message: `is not a parameter of ${route.operationId}` });
        continue;
      }
      const values = query.getAll(name);
      const value = p.schema?.type === 'array' ? values : (values[0] ?? '');
      problems.push(...this.checkValue(`query parameter '${name}'`, p.schema, coerce(p.schema, value)));
    }
    for (const p of queryParams.filter((p) => p.required && !query.has(p.name))) {
      problems.push({ where: `query parameter '${p.name}'`, message: 'is required' });
    }
    const requestBody = this.operation(route).requestBody;
    if (!requestBody) {
      if (hasBody) problems.push({ where: 'body', message: `${route.operationId} takes no body` });
      return problems;
    }
    if (!hasBody) {
      if (requestBody.required) problems.push({ where: 'body', message: 'is required' });
      return problems;
    }
    const media = Object.keys(requestBody.content);
    if (!contentType || !media.some((m) => contentType.split(';')[0]?.trim() === m)) {
      problems.push({ where: 'content-type', message: `expected ${media.join(' or ')}, got ${contentType ?? 'none'}` });
      return problems;
    }
    const schema = requestBody.content['application/json']?.schema;
    if (schema) problems.push(...this.validate(`req:${route.method} ${route.template}`, closed(schema), body, 'body'));
    return problems;
  }

  /** Problems with an answer the server is about to send (a bug in the emulation if any). */
  checkResponse(route: Route, status: number, body: unknown): Problem[] {
    let response = this.operation(route).responses[String(status)];
    if (!response) return [{ where: 'response', message: `${route.operationId} has no ${status} response in the description` }];
    if (response.$ref) response = this.doc.components.responses[response.$ref.replace('#/components/responses/', '')] ?? {};
    const schema = response.content?.['application/json']?.schema;
    if (!schema) return [];
    // GitHub itself answers "" for an unset target_url/log_url that the description marks format uri.
    return this.validate(
      `res:${route.method} ${route.template} ${status}`,
      schema,
      body,
      'response',
      (e) => !(e.keyword === 'format' && e.data === ''),
    );
  }

  private checkValue(where: string, schema: Schema | undefined, value: unknown): Problem[] {
    if (!schema) return [];
    return this.validate(`value:${JSON.stringify(schema)}`, schema, value, where);
  }

  private validate(key: string, schema: Schema, value: unknown, where: string, keep: (e: ErrorObject) => boolean = () => true): Problem[] {
    let validate = this.cache.get(key);
    if (!validate) {
      validate = this.ajv.compile(rebase(schema));
      this.cache.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).filter(keep).map((e) => ({ where: `${where}${e.instancePath}`, message: explain(e) }));
  }
}

function explain(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return `unknown field '${String(e.params.additionalProperty)}'`;
  if (e.keyword === 'enum') return `${e.message ?? 'not allowed'}: ${(e.params.allowedValues as unknown[]).join(', ')}`;
  return e.message ?? e.keyword;
}

/** Query and path values arrive as text: read them as the schema's type so ajv can check them. */
function coerce(schema: Schema | undefined, value: string | string[]): unknown {
  if (Array.isArray(value)) return value;
  const type = schema?.type;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** Local refs of an operation's schema point into the description, registered under DOC_ID. */
function rebase(schema: unknown): Schema {
  return JSON.parse(JSON.stringify(schema), (key, value: unknown) =>
    key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `${DOC_ID}${value}` : value,
  ) as Schema;
}

/**
 * A request body schema with every object that lists its properties closed to others, unless it
 * says `additionalProperties` itself (a payload that takes anything). GitHub ignores unknown body
 * fields; here a misspelt field (environmentUrl for environment_url) fails instead of vanishing.
 */
function closed(schema: Schema): Schema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node))
      out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, walk(s)])) : walk(v);
    if (out.type === 'object' && out.properties && !('additionalProperties' in out) && !out.allOf && !out.anyOf && !out.oneOf) {
      out.additionalProperties = false;
    }
    return out;
  };
  return walk(schema) as Schema;
}
