// A speculative first read: an action's first AWS call sent, signed with SigV4, as soon as its
// inputs are valid and before the SDK client's chunk loads (tens of ms, which then run while AWS
// answers); the SDK then gets the answer as if it had sent the request itself, so its deserializer
// and awsCall's error handling see exactly what AWS said. Off whenever in doubt: only with credentials wholly in the
// environment (what assume-env exports), a known region and nothing that changes the endpoint or
// the identity (FIPS, dual-stack, a profile, a config file); only for reads (a lost or repeated
// read is harmless); and the SDK takes the answer only when its own request is the same one
// (method, URL, target, body bytes, access key, session token, region and service signed), once.
// In every other case the SDK sends as it always does.
import { createHash, createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import type * as Http from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type ProxyRules, runnerProxy } from '@expeditor/shared/proxy';
import { dnsSuffixOf, partitionOf } from './partitions.ts';

/** One read of an awsJson1_1 service, as the SDK serializes it. */
export interface JsonRead {
  /** Endpoint prefix and signing name (`ecs`). */
  service: string;
  /** The service's id in AWS_ENDPOINT_URL_<ID> (`ECS`). */
  endpointId: string;
  /** X-Amz-Target. */
  target: string;
  /** The JSON body, byte for byte as the SDK writes it. */
  body: string;
}

/** ECS DescribeServices of one service, its keys in the order the SDK writes them. */
export function describeServicesRead(cluster: string, service: string): JsonRead {
  return {
    service: 'ecs',
    endpointId: 'ECS',
    target: 'AmazonEC2ContainerServiceV20141113.DescribeServices',
    body: JSON.stringify({ services: [service], cluster }),
  };
}

/** CodeDeploy GetDeployment of one deployment, as the SDK writes it. */
export function getDeploymentRead(deploymentId: string): JsonRead {
  return {
    service: 'codedeploy',
    endpointId: 'CODEDEPLOY',
    target: 'CodeDeploy_20141006.GetDeployment',
    body: JSON.stringify({ deploymentId }),
  };
}

type Env = Record<string, string | undefined>;

export type Decision =
  | {
      speculate: true;
      endpoint: URL;
      region: string;
      credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    }
  | { speculate: false; reason: string };

const unset = (value: string | undefined): boolean => value === undefined || value === '' || value.toLowerCase() === 'false';

/**
 * Whether `read` can be sent before the SDK is loaded, and where: `region` is the client's (the
 * environment's), else AWS_REGION as the SDK reads it. `exists` says whether a file is there (tests
 * replace it).
 */
export function speculationFor(
  read: JsonRead,
  region: string | undefined,
  env: Env,
  exists: (path: string) => boolean = existsSync,
): Decision {
  const refuse = (reason: string): Decision => ({ speculate: false, reason });
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return refuse('no credentials in the environment');
  // With AWS_PROFILE the SDK skips the environment's keys and reads the profile.
  if (env.AWS_PROFILE) return refuse('AWS_PROFILE is set');
  for (const name of ['AWS_USE_FIPS_ENDPOINT', 'AWS_USE_DUALSTACK_ENDPOINT']) {
    if (!unset(env[name])) return refuse(`${name} is set`);
  }
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) return refuse('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is set');
  // A config file can set the endpoint, FIPS or dual-stack for the default profile.
  const configFile = env.AWS_CONFIG_FILE || join(env.HOME || homedir(), '.aws', 'config');
  if (exists(configFile)) return refuse(`a config file is there (${configFile})`);
  const resolved = region || env.AWS_REGION;
  if (!resolved) return refuse('no region');
  // Regions of the partitions whose endpoints are known here; no pseudo-regions (fips-…, aws-global).
  if (!/^[a-z]{2}(?:-[a-z]+)+-\d+$/.test(resolved) || resolved.includes('fips')) return refuse(`region ${resolved}`);
  if (partitionOf(resolved) === 'aws' && resolved.includes('iso')) return refuse(`region ${resolved} (partition not known here)`);
  const configured = env[`AWS_ENDPOINT_URL_${read.endpointId}`] || env.AWS_ENDPOINT_URL;
  let endpoint: URL;
  try {
    endpoint = new URL(configured || `https://${read.service}.${resolved}.${dnsSuffixOf(resolved)}`);
  } catch {
    return refuse(`endpoint ${configured} is not a URL`);
  }
  if (
    (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') ||
    (endpoint.pathname !== '/' && endpoint.pathname !== '') ||
    endpoint.search ||
    endpoint.hash ||
    endpoint.username ||
    endpoint.password
  ) {
    return refuse(`endpoint ${configured}`);
  }
  return {
    speculate: true,
    endpoint,
    region: resolved,
    credentials: { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) },
  };
}

/** What AWS answered, whole. */
export interface RawAnswer {
  statusCode: number;
  reason: string | undefined;
  headers: Record<string, string>;
  body: Buffer;
}

export interface Speculation {
  read: JsonRead;
  endpoint: URL;
  region: string;
  accessKeyId: string;
  sessionToken: string | undefined;
  /** The answer, or undefined when the request failed (the SDK then sends its own). Never rejects. */
  answer: Promise<RawAnswer | undefined>;
  /**
   * Resolves once the request is written (or failed, or closed unwritten); never rejects. Loading
   * the SDK only then lets the connection and the write run first: module evaluation holds the one
   * thread, and the request would otherwise wait for it.
   */
  written: Promise<void>;
  /** Whether the SDK has been offered the answer (it is offered once). */
  used: boolean;
}

export interface SpeculateOptions {
  region: string | undefined;
  env: Env;
  /** The run's signal: an abort stops the request (the SDK's own request then fails as it would). */
  signal?: AbortSignal | undefined;
  proxy?: ProxyRules | undefined;
  exists?: (path: string) => boolean;
}

/** How long the caller waits at most for the request to be written before it goes on. */
const writtenWaitMs = 2000;
/** How long the SDK's request waits at most for the speculative answer before it is sent itself. */
const answerWaitMs = 10_000;

/** A signed request: what the speculative request sends. */
export interface SignedRead {
  path: '/';
  headers: Record<string, string>;
  body: string;
}

const sha256 = (data: string): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/**
 * `read` signed with SigV4 (AWS4-HMAC-SHA256, headers as @smithy/signature-v4 signs them; the
 * unit test holds the two to the same Authorization). node:crypto only: the SDK's signer brings
 * @smithy/core's protocols and serde, tens of ms of module evaluation before the request.
 */
export function signRead(read: JsonRead, decision: Extract<Decision, { speculate: true }>, now = new Date()): SignedRead {
  const { credentials, endpoint, region } = decision;
  const amzDate = now.toISOString().replace(/[-:]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const bodyHash = sha256(read.body);
  const headers: Record<string, string> = {
    'content-length': String(Buffer.byteLength(read.body)),
    'content-type': 'application/x-amz-json-1.1',
    host: endpoint.host,
    'x-amz-content-sha256': bodyHash,
    'x-amz-date': amzDate,
    ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
    'x-amz-target': read.target,
  };
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonical = [
    'POST',
    '/',
    '',
    ...names.map((name) => `${name}:${headers[name]!.trim().replace(/\s+/g, ' ')}`),
    '',
    signedHeaders,
    bodyHash,
  ].join('\n');
  const scope = `${day}/${region}/${read.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region), read.service), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return {
    path: '/',
    headers: {
      ...headers,
      authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    },
    body: read.body,
  };
}

/**
 * Sends `read` now when the environment allows it (speculationFor), else undefined. Only reads:
 * the caller vouches that `read` changes nothing.
 */
export function speculate(read: JsonRead, options: SpeculateOptions): Speculation | undefined {
  const decision = speculationFor(read, options.region, options.env, options.exists);
  if (!decision.speculate) return undefined;
  const written = Promise.withResolvers<void>();
  // A connection that hangs holds nothing back for long: the SDK loads anyway after a while.
  setTimeout(written.resolve, writtenWaitMs).unref();
  const rules = options.proxy ?? runnerProxy();
  // Signed and sent at once (an async function runs to its first await, here only behind a proxy).
  const answer = (async () => {
    const agent = rules.any ? await proxyAgentFor(decision.endpoint, rules) : undefined;
    return send(decision.endpoint, signRead(read, decision), agent, options, written.resolve);
  })()
    .catch(() => undefined)
    .finally(written.resolve);
  return {
    read,
    endpoint: decision.endpoint,
    region: decision.region,
    accessKeyId: decision.credentials.accessKeyId,
    sessionToken: decision.credentials.sessionToken,
    answer,
    written: written.promise,
    used: false,
  };
}

/**
 * Behind a proxy, the agent the SDK's handler uses for `endpoint` (proxy-agents.ts; clientConfig
 * gives the SDK the same agents). Loaded only then: without a proxy both use Node's default.
 */
async function proxyAgentFor(endpoint: URL, rules: ProxyRules): Promise<Http.Agent | undefined> {
  return (await import('@expeditor/shared/proxy-agents')).agentFor(endpoint, rules);
}

function send(
  endpoint: URL,
  signed: SignedRead,
  agent: Http.Agent | undefined,
  options: SpeculateOptions,
  onWritten: () => void,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    // Only the module the endpoint needs (node:https is a few ms to load, and the SDK loads it later anyway).
    const transport = endpoint.protocol === 'https:' ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http');
    const request = transport.request({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path: signed.path,
      headers: signed.headers,
      ...(agent ? { agent } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    request.once('error', reject);
    request.once('finish', onWritten);
    request.once('close', onWritten);
    request.once('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', reject);
      response.once('close', () => {
        if (!response.complete) reject(new Error('answer cut off'));
      });
      response.once('end', () => {
        // As the SDK's NodeHttpHandler passes them on (a repeated header joined with ',').
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
        }
        resolve({ statusCode: response.statusCode ?? 0, reason: response.statusMessage, headers, body: Buffer.concat(chunks) });
      });
    });
    request.end(signed.body);
  });
}

/** The SDK request's fields the match compares. */
interface SdkRequest {
  method?: string;
  protocol?: string;
  hostname?: string;
  port?: number | undefined;
  path?: string;
  query?: Record<string, unknown>;
  headers?: Record<string, string>;
  body?: unknown;
}

const header = (headers: Record<string, string> | undefined, name: string): string | undefined => {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
};

function bodyBytes(body: unknown): Buffer | undefined {
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return undefined;
}

/** Whether the SDK's signed request is the speculative one, sent to the same place by the same identity. */
export function sameRequest(speculation: Speculation, request: SdkRequest): boolean {
  const { endpoint, read } = speculation;
  const port = endpoint.port ? Number(endpoint.port) : undefined;
  const defaultPort = endpoint.protocol === 'https:' ? 443 : 80;
  const credential = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(header(request.headers, 'authorization') ?? '');
  const body = bodyBytes(request.body);
  return (
    request.method === 'POST' &&
    request.protocol === endpoint.protocol &&
    request.hostname === endpoint.hostname &&
    (request.port ?? defaultPort) === (port ?? defaultPort) &&
    request.path === '/' &&
    Object.keys(request.query ?? {}).length === 0 &&
    header(request.headers, 'x-amz-target') === read.target &&
    header(request.headers, 'content-type') === 'application/x-amz-json-1.1' &&
    body?.equals(Buffer.from(read.body)) === true &&
    credential !== null &&
    credential[1] === speculation.accessKeyId &&
    credential[2] === speculation.region &&
    credential[3] === read.service &&
    header(request.headers, 'x-amz-security-token') === speculation.sessionToken
  );
}

type Next = (args: { request: unknown }) => Promise<{ response: unknown; output?: unknown }>;

/** The middleware's place: innermost, after signing and inside the deserializer, where the handler would send. */
export const prefetchedStep = { step: 'deserialize', priority: 'low', name: 'expeditorPrefetchedAnswer' } as const;

/**
 * A middleware (for prefetchedStep) that answers the client's first request with the speculative
 * answer when it is the same request and the answer came; every other request, and that one when
 * it differs or the speculative request failed, goes to the handler as usual.
 */
export function prefetchedAnswer(speculation: Speculation) {
  return (next: Next) =>
    async (args: { request: unknown }): Promise<{ response: unknown; output?: unknown }> => {
      if (speculation.used) return next(args);
      speculation.used = true;
      if (!sameRequest(speculation, args.request as SdkRequest)) return next(args);
      // An answer that does not come in time is left: the SDK sends its own (a second read).
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), answerWaitMs);
      });
      const answer = await Promise.race([speculation.answer, late]).finally(() => clearTimeout(timer));
      if (!answer) return next(args);
      // An HttpResponse as NodeHttpHandler makes it (the SDK tells one by its shape, HttpResponse.isInstance).
      const response = {
        statusCode: answer.statusCode,
        reason: answer.reason,
        headers: answer.headers,
        body: Readable.from([answer.body], { objectMode: false }),
      };
      return { response };
    };
}

/** Lets `client` take the speculative answer (see prefetchedAnswer); nothing when there is none. */
export function usePrefetched(
  client: { middlewareStack: { add(middleware: never, options: typeof prefetchedStep): void } },
  speculation: Speculation | undefined,
): void {
  if (speculation) client.middlewareStack.add(prefetchedAnswer(speculation) as never, prefetchedStep);
}
