// The bearer token EKS accepts, made the way aws-iam-authenticator and `aws eks get-token` make it:
// a presigned STS GetCallerIdentity URL that also signs the `x-k8s-aws-id: <cluster>` header,
// base64url-encoded without padding behind `k8s-aws-v1.`. The cluster's authenticator calls that
// URL and maps the identity STS answers to a Kubernetes user. No aws CLI needed.
import { dnsSuffixOf } from '@expeditor/aws/clients';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export const eksTokenPrefix = 'k8s-aws-v1.';
/** EKS accepts a token for 15 minutes after its X-Amz-Date, whatever X-Amz-Expires says. */
export const eksTokenLifetimeMs = 15 * 60_000;

export interface EksTokenOptions {
  cluster: string;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** STS endpoint, e.g. from AWS_ENDPOINT_URL_STS; default the region's own (`https://sts.<region>.amazonaws.com`, `.com.cn` in China). */
  stsEndpoint?: string | undefined;
  /** The signing time; tests move it. */
  now?: Date;
}

export interface EksToken {
  token: string;
  /** When the cluster stops accepting it (15 minutes after signing). */
  expiresAt: number;
  signedAt: number;
}

/** The regional STS endpoint in the region's partition: the cluster's authenticator calls the URL signed for it. */
export function stsEndpointFor(region: string, override?: string): URL {
  return new URL(override || `https://sts.${region}.${dnsSuffixOf(region)}`);
}

export async function makeEksToken(options: EksTokenOptions): Promise<EksToken> {
  const endpoint = stsEndpointFor(options.region, options.stsEndpoint);
  const signer = new SignatureV4({
    service: 'sts',
    region: options.region,
    credentials: options.credentials,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
    applyChecksum: false,
  });
  const signedAt = options.now ?? new Date();
  const request = new HttpRequest({
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
    .flatMap(([key, value]) => (Array.isArray(value) ? value.map((v) => [key, v] as const) : [[key, value ?? ''] as const]))
    .map(([key, value]) => `${rfc3986(key)}=${rfc3986(String(value))}`)
    .join('&');
  const url = `${endpoint.protocol}//${endpoint.host}/?${query}`;
  return {
    token: `${eksTokenPrefix}${Buffer.from(url, 'utf8').toString('base64url')}`,
    signedAt: signedAt.getTime(),
    expiresAt: signedAt.getTime() + eksTokenLifetimeMs,
  };
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Hands out a token and makes a new one before the cluster would refuse the old: after
 * `refreshAfterMs` (default 10 minutes, well inside the 15), or at once after `invalidate()`
 * (an apiserver 401). Concurrent callers share one signing.
 */
export class EksTokenSource {
  private current: EksToken | undefined;
  private pending: Promise<EksToken> | undefined;
  private readonly options: EksTokenOptions & { refreshAfterMs?: number; clock?: () => number };
  /** How many tokens were made (for benches and tests). */
  made = 0;

  constructor(options: EksTokenOptions & { refreshAfterMs?: number; clock?: () => number }) {
    this.options = options;
  }

  async token(): Promise<string> {
    const now = this.now();
    const refreshAfter = this.options.refreshAfterMs ?? 10 * 60_000;
    if (this.current && now - this.current.signedAt < refreshAfter) return this.current.token;
    this.pending ??= makeEksToken({ ...this.options, now: new Date(now) }).then(
      (token) => {
        this.current = token;
        this.made++;
        this.pending = undefined;
        return token;
      },
      (error: unknown) => {
        this.pending = undefined;
        throw error;
      },
    );
    return (await this.pending).token;
  }

  /** The token in use, if one was made (to mask it, or for the bed's tests). */
  peek(): EksToken | undefined {
    return this.current;
  }

  invalidate(): void {
    this.current = undefined;
  }

  private now(): number {
    return this.options.clock?.() ?? Date.now();
  }
}
