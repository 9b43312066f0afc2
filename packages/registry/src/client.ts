// The registry's own HTTP API (distribution spec v2), for what a builder does not tell reliably:
// does repository:tag exist, which digest does the registry hold, how big is the image, and
// tagging a pushed manifest again without moving a byte of layers. Handles anonymous, Basic
// (ECR, htpasswd) and Bearer-token (Docker Hub, GHCR, Harbor) registries.
import { createHash } from 'node:crypto';
import { ExpeditorError, describeError } from '@expeditor/shared/errors';
import { proxyFetch } from '@expeditor/shared/proxy-agents';
import { classifyError, withRetry } from '@expeditor/shared/retry';
import { stoppedDuring } from '@expeditor/shared/deadline';
import { isLoopback } from './reference.ts';
import type { ManifestRef, Registry, RegistryFactory, RegistryOptions } from './registry.ts';

export interface RegistryClientOptions extends RegistryOptions {
  /** Retries of network errors and 5xx answers (default 3). */
  retries?: number;
}

/** Every manifest kind a builder may push; a registry answers HEAD without a digest otherwise. */
export const manifestMediaTypes = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];
const indexTypes = new Set([manifestMediaTypes[1], manifestMediaTypes[3]]);

interface Challenge {
  scheme: 'basic' | 'bearer';
  params: Record<string, string>;
}

export class RegistryClient implements Registry {
  readonly host: string;
  readonly address: string;
  readonly base: string;
  private readonly options: RegistryClientOptions;
  private readonly tokens = new Map<string, string>();
  private basic = false;
  /** What was asked and answered, for an error that says what was tried. */
  private readonly tried: string[] = [];
  /** Requests sent, by method (for figures and for proving a re-run pushed nothing). */
  readonly requests: Record<string, number> = {};

  /** fetch, through the proxy when the environment sets one for this registry (HTTPS_PROXY, NO_PROXY). */
  private readonly fetcher = proxyFetch();

  constructor(options: RegistryClientOptions) {
    this.options = options;
    this.host = options.host;
    this.address = options.address ?? options.host;
    this.base = `${isLoopback(this.address) ? 'http' : 'https'}://${this.address}`;
  }

  /** The digest `repository:reference` points at, or undefined when the registry has no such tag. */
  async headManifest(repository: string, reference: string): Promise<ManifestRef | undefined> {
    const path = `/v2/${repository}/manifests/${reference}`;
    const response = await this.send('HEAD', path, repository, 'pull', { Accept: manifestMediaTypes.join(', ') });
    if (response.status === 404) return undefined;
    await this.expectOk(response, 'HEAD', path);
    const digest = response.headers.get('docker-content-digest');
    const mediaType = response.headers.get('content-type') ?? '';
    if (digest && /^sha256:[a-f0-9]{64}$/.test(digest)) return { digest, mediaType };
    // Some registries leave the header off HEAD answers: the body's hash is the digest.
    const manifest = await this.getManifest(repository, reference);
    return manifest && { digest: manifest.digest, mediaType: manifest.mediaType };
  }

  async getManifest(repository: string, reference: string): Promise<(ManifestRef & { body: Buffer }) | undefined> {
    const path = `/v2/${repository}/manifests/${reference}`;
    const response = await this.send('GET', path, repository, 'pull', { Accept: manifestMediaTypes.join(', ') });
    if (response.status === 404) return undefined;
    await this.expectOk(response, 'GET', path);
    const body = Buffer.from(await response.arrayBuffer());
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const mediaType = response.headers.get('content-type') ?? mediaTypeOf(body);
    return { digest, mediaType, body };
  }

  /** Points `tag` at the manifest `digest` already in the repository (no layer is sent). */
  async tagManifest(repository: string, digest: string, tag: string): Promise<void> {
    const manifest = await this.getManifest(repository, digest);
    if (!manifest) throw new ExpeditorError(`registry ${this.host} has no manifest ${digest} in ${repository}`);
    const path = `/v2/${repository}/manifests/${tag}`;
    const response = await this.send('PUT', path, repository, 'pull,push', { 'Content-Type': manifest.mediaType }, manifest.body);
    await this.expectOk(response, 'PUT', path);
    await response.body?.cancel();
  }

  /** Compressed size of the image as stored: config and layers, over every platform of an index. */
  async imageSize(repository: string, digest: string): Promise<number | undefined> {
    const manifest = await this.getManifest(repository, digest);
    if (!manifest) return undefined;
    const doc = JSON.parse(manifest.body.toString('utf8')) as {
      mediaType?: string;
      config?: { size?: number };
      layers?: { size?: number }[];
      manifests?: { digest: string; annotations?: Record<string, string> }[];
    };
    if (indexTypes.has(doc.mediaType ?? manifest.mediaType) || doc.manifests) {
      let total = 0;
      for (const child of doc.manifests ?? []) {
        if (child.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') continue;
        total += (await this.imageSize(repository, child.digest)) ?? 0;
      }
      return total;
    }
    return (doc.config?.size ?? 0) + (doc.layers ?? []).reduce((sum, layer) => sum + (layer.size ?? 0), 0);
  }

  /**
   * A label of the image's config (of the first platform's image in an index), or undefined when
   * the image, its config or the label cannot be read: a hint for messages, never a decision.
   */
  async imageLabel(repository: string, digest: string, label: string): Promise<string | undefined> {
    try {
      const manifest = await this.getManifest(repository, digest);
      if (!manifest) return undefined;
      const doc = JSON.parse(manifest.body.toString('utf8')) as {
        config?: { digest?: string };
        manifests?: { digest: string; annotations?: Record<string, string> }[];
      };
      if (doc.manifests) {
        const image = doc.manifests.find((m) => m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest');
        return image ? await this.imageLabel(repository, image.digest, label) : undefined;
      }
      if (!doc.config?.digest) return undefined;
      const path = `/v2/${repository}/blobs/${doc.config.digest}`;
      const response = await this.send('GET', path, repository, 'pull', {});
      await this.expectOk(response, 'GET', path);
      const config = (await response.json()) as { config?: { Labels?: Record<string, string> | null } };
      return config.config?.Labels?.[label];
    } catch (error) {
      if (this.options.signal?.aborted) throw error;
      return undefined;
    }
  }

  /** What was tried so far, one clause per request, for an error message. */
  triedText(): string {
    return this.tried.slice(-6).join('; ');
  }

  private async send(
    method: string,
    path: string,
    repository: string,
    actions: string,
    headers: Record<string, string>,
    body?: Buffer,
  ): Promise<Response> {
    const scope = `repository:${repository}:${actions}`;
    let response = await this.fetch(method, path, { ...headers, ...this.authorization(scope) }, body);
    if (response.status !== 401) return this.refusedIf403(response, method, path);
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    await response.body?.cancel();
    const credentials = this.options.credentials;
    const already = this.authorization(scope).Authorization !== undefined;
    if (!challenge || already) throw this.refused(method, path, 401);
    if (challenge.scheme === 'basic') {
      if (!credentials) throw this.refused(method, path, 401);
      this.basic = true;
    } else {
      await this.fetchToken(challenge, scope);
    }
    response = await this.fetch(method, path, { ...headers, ...this.authorization(scope) }, body);
    if (response.status === 401) {
      await response.body?.cancel();
      throw this.refused(method, path, 401);
    }
    return this.refusedIf403(response, method, path);
  }

  private async refusedIf403(response: Response, method: string, path: string): Promise<Response> {
    if (response.status !== 403) return response;
    const detail = await errorDetail(response);
    throw this.refused(method, path, 403, detail);
  }

  private authorization(scope: string): { Authorization?: string } {
    const token = this.tokens.get(scope);
    if (token) return { Authorization: `Bearer ${token}` };
    const credentials = this.options.credentials;
    if (this.basic && credentials) {
      return { Authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` };
    }
    return {};
  }

  private async fetchToken(challenge: Challenge, scope: string): Promise<void> {
    const realm = challenge.params.realm;
    if (!realm) throw this.refused('GET', 'token', 401, 'the Bearer challenge names no token service');
    const url = new URL(realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    url.searchParams.set('scope', challenge.params.scope ?? scope);
    const credentials = this.options.credentials;
    const headers: Record<string, string> = credentials
      ? { Authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` }
      : {};
    const response = await this.fetch('GET', url.toString(), headers);
    if (!response.ok) {
      await response.body?.cancel();
      throw this.refused('GET', `token service ${url.origin}${url.pathname}`, response.status);
    }
    const answer = (await response.json()) as { token?: string; access_token?: string };
    const token = answer.token ?? answer.access_token;
    if (!token) throw this.refused('GET', `token service ${url.origin}${url.pathname}`, response.status, 'no token in the answer');
    this.tokens.set(scope, token);
  }

  private async fetch(method: string, pathOrUrl: string, headers: Record<string, string>, body?: Buffer): Promise<Response> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${this.base}${pathOrUrl}`;
    const how = headers.Authorization
      ? headers.Authorization.startsWith('Basic')
        ? `with Basic auth as ${JSON.stringify(this.options.credentials?.username)} (${this.options.credentials?.source})`
        : 'with a Bearer token'
      : 'anonymously';
    try {
      const response = await withRetry(
        async () => {
          this.requests[method] = (this.requests[method] ?? 0) + 1;
          const answer = await this.fetcher(url, {
            method,
            headers,
            ...(body ? { body: new Uint8Array(body) } : {}),
            redirect: 'follow',
            ...(this.options.signal ? { signal: this.options.signal } : {}),
          });
          if (answer.status >= 500 || answer.status === 429) {
            const detail = await errorDetail(answer);
            const error = Object.assign(new Error(detail || 'no message'), { statusCode: answer.status });
            error.name = 'RegistryServerError';
            throw error;
          }
          return answer;
        },
        {
          retries: this.options.retries ?? 3,
          ...(this.options.signal ? { signal: this.options.signal } : {}),
          onRetry: (error, attempt) => this.options.log.debug(`${method} ${url}: ${describeError(error)}; retry ${attempt}`),
        },
      );
      this.tried.push(`${method} ${url} ${how} → HTTP ${response.status}`);
      this.options.log.debug(`${method} ${url} ${how} → HTTP ${response.status}`);
      return response;
    } catch (error) {
      if (this.options.signal?.aborted) throw stoppedDuring(this.options.signal, `registry ${this.host}: ${method} ${url}`);
      const kind = classifyError(error);
      const reason = describeCause(error);
      this.tried.push(`${method} ${url} ${how} → ${reason}`);
      if (kind === 'network') {
        throw new ExpeditorError(`registry ${this.host} is unreachable at ${this.base} (${reason}). Tried: ${this.triedText()}`, {
          next: 'check the registry host and port in the repository, and that this runner can reach it',
          cause: error,
        });
      }
      throw new ExpeditorError(`registry ${this.host} failed ${method} ${url}: ${reason}. Tried: ${this.triedText()}`, {
        next: 'the registry is failing; try again later',
        cause: error,
      });
    }
  }

  private async expectOk(response: Response, method: string, path: string): Promise<void> {
    if (response.ok) return;
    const detail = await errorDetail(response);
    throw new ExpeditorError(`registry ${this.host} answered HTTP ${response.status} to ${method} ${path}${detail ? `: ${detail}` : ''}`, {
      next: 'check the repository name and the registry',
    });
  }

  private refused(method: string, what: string, status: number, detail?: string): ExpeditorError {
    const credentials = this.options.credentials;
    const who = credentials
      ? `the credentials of ${JSON.stringify(credentials.username)} from ${credentials.source}`
      : 'anonymous access (no credentials were given)';
    return new ExpeditorError(
      `registry ${this.host} refused ${who} (HTTP ${status}${detail ? `: ${detail}` : ''}). Tried: ${this.triedText() || `${method} ${what}`}`,
      {
        next: credentials
          ? 'check that the credentials are current and may pull and push this repository'
          : (this.options.anonymousNext ??
            "give 'registry-username' and 'registry-password', or use an ECR repository with AWS credentials (assume-env)"),
      },
    );
  }
}

/** The registry access the action uses: the distribution API over HTTP. */
export const registryClient: RegistryFactory = (options) => new RegistryClient(options);

/** Parses `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/.exec(header);
  const scheme = match?.[1]?.toLowerCase();
  if (scheme !== 'basic' && scheme !== 'bearer') return undefined;
  const params: Record<string, string> = {};
  for (const param of (match?.[2] ?? '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) {
    params[(param[1] ?? '').toLowerCase()] = param[2] ?? param[3] ?? '';
  }
  return { scheme, params };
}

/** The registry's error message (`{"errors":[{"code","message"}]}`), one line. */
async function errorDetail(response: Response): Promise<string> {
  try {
    const text = await response.text();
    const parsed = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    const first = parsed.errors?.[0];
    if (first) return [first.code, first.message].filter(Boolean).join(': ');
    return text.slice(0, 200);
  } catch {
    return '';
  }
}

function describeCause(error: unknown): string {
  // fetch() says only "fetch failed"; the socket error is the cause.
  const cause = (error as { cause?: unknown })?.cause;
  if (cause && typeof cause === 'object' && 'code' in cause) return String((cause as { code: unknown }).code);
  return describeError(error);
}

function mediaTypeOf(body: Buffer): string {
  try {
    return (JSON.parse(body.toString('utf8')) as { mediaType?: string }).mediaType ?? manifestMediaTypes[0] ?? '';
  } catch {
    return '';
  }
}
