// The bed's EKS authenticator: a TokenReview webhook the kube-apiserver calls for every bearer
// token it does not know (--authentication-token-webhook-config-file). It checks an EKS token the
// way aws-iam-authenticator does: `k8s-aws-v1.` + base64url of a presigned STS GetCallerIdentity
// URL on the bed's STS endpoint, the `x-k8s-aws-id` header among the signed ones, X-Amz-Expires
// within 15 minutes and X-Amz-Date not older; then it calls the URL (GET, with `x-k8s-aws-id` set
// to a cluster it serves) against the bed's moto, which checks the signature, and maps the ARN
// STS answers to a Kubernetes user (by default in system:masters, like a cluster-admin access entry).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenReviewRecord {
  at: number;
  /** The cluster name the token was accepted for, when it was. */
  cluster: string | undefined;
  arn: string | undefined;
  authenticated: boolean;
  /** Why it was refused. */
  error: string | undefined;
}

export interface IdentityMapping {
  username?: string;
  groups: string[];
}

export interface TokenWebhook {
  /** `http://127.0.0.1:PORT/tokenreview` */
  readonly url: string;
  /** The clusters whose tokens are accepted (names as in x-k8s-aws-id). */
  readonly clusters: Set<string>;
  readonly reviews: TokenReviewRecord[];
  /** ARN (role ARN for assumed roles) → user; when any is set, unmapped identities are refused. */
  readonly mappings: Map<string, IdentityMapping>;
  stop(): Promise<void>;
}

const prefix = 'k8s-aws-v1.';
const allowedParameters = new Set([
  'action',
  'version',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-signedheaders',
]);
const lifetimeMs = 15 * 60_000;

/** Starts the webhook; `stsEndpoint` is the bed's moto (http://127.0.0.1:PORT). */
export async function startTokenWebhook(stsEndpoint: string): Promise<TokenWebhook> {
  const stsHost = new URL(stsEndpoint).host;
  const clusters = new Set<string>();
  const reviews: TokenReviewRecord[] = [];
  const mappings = new Map<string, IdentityMapping>();

  const review = async (
    token: string,
  ): Promise<{
    user?: { username: string; uid: string; groups: string[]; extra: Record<string, string[]> };
    record: TokenReviewRecord;
  }> => {
    const record: TokenReviewRecord = { at: Date.now(), cluster: undefined, arn: undefined, authenticated: false, error: undefined };
    const refuse = (error: string) => {
      record.error = error;
      return { record };
    };
    if (!token.startsWith(prefix)) return refuse(`token is missing the ${prefix} prefix`);
    let url: URL;
    try {
      url = new URL(Buffer.from(token.slice(prefix.length), 'base64url').toString('utf8'));
    } catch {
      return refuse('token is not a base64url-encoded URL');
    }
    // aws-iam-authenticator requires https and an STS host of the partition; the bed's STS is moto.
    if (url.host !== stsHost) return refuse(`unexpected hostname ${JSON.stringify(url.host)} in pre-signed URL (want ${stsHost})`);
    if (url.pathname !== '/') return refuse('unexpected path in pre-signed URL');
    const params = new Map<string, string>();
    for (const [key, value] of url.searchParams) {
      if (!allowedParameters.has(key.toLowerCase())) return refuse(`non-whitelisted query parameter ${JSON.stringify(key)}`);
      if (params.has(key.toLowerCase())) return refuse('query parameter with multiple values not supported');
      params.set(key.toLowerCase(), value);
    }
    if (params.get('action') !== 'GetCallerIdentity') return refuse('unexpected action parameter in pre-signed URL');
    if (!(params.get('x-amz-signedheaders') ?? '').toLowerCase().split(';').includes('x-k8s-aws-id')) {
      return refuse('client did not sign the x-k8s-aws-id header in the pre-signed URL');
    }
    const expires = Number(params.get('x-amz-expires'));
    if (!Number.isInteger(expires) || expires < 0 || expires > 900)
      return refuse(`invalid X-Amz-Expires parameter in pre-signed URL: ${params.get('x-amz-expires')}`);
    const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(params.get('x-amz-date') ?? '');
    if (!date) return refuse('X-Amz-Date parameter must be present in pre-signed URL');
    const signedAt = Date.UTC(+date[1]!, +date[2]! - 1, +date[3]!, +date[4]!, +date[5]!, +date[6]!);
    if (Date.now() > signedAt + lifetimeMs)
      return refuse(`X-Amz-Date parameter is expired (15 minute expiration) ${params.get('x-amz-date')}`);
    const failures: string[] = [];
    for (const cluster of clusters) {
      const response = await fetch(url, { headers: { 'x-k8s-aws-id': cluster, accept: 'application/json' }, redirect: 'manual' });
      const text = await response.text();
      if (response.status !== 200) {
        failures.push(`${cluster}: error from AWS (expected 200, got ${response.status}). Body: ${text.slice(0, 300)}`);
        continue;
      }
      const result = (
        JSON.parse(text) as { GetCallerIdentityResponse: { GetCallerIdentityResult: { Arn: string; UserId: string; Account: string } } }
      ).GetCallerIdentityResponse.GetCallerIdentityResult;
      record.cluster = cluster;
      record.arn = canonicalArn(result.Arn);
      const mapping = mappings.size > 0 ? mappings.get(record.arn) : { groups: ['system:masters'] };
      if (!mapping) return refuse(`ARN ${record.arn} is not mapped to a Kubernetes user (no access entry)`);
      record.authenticated = true;
      return {
        record,
        user: {
          username: mapping.username ?? record.arn,
          uid: `aws-iam-authenticator:${result.Account}:${result.UserId.split(':')[0]}`,
          groups: mapping.groups,
          extra: {
            arn: [result.Arn],
            canonicalArn: [record.arn],
            accessKeyId: [(params.get('x-amz-credential') ?? '').split('/')[0] ?? ''],
          },
        },
      };
    }
    return refuse(failures.length ? failures.join('; ') : 'the bed serves no EKS cluster yet');
  };

  const server: Server = createServer((req, res) => {
    void readJson(req)
      .then(async (body) => {
        const token = (body as { spec?: { token?: string } }).spec?.token ?? '';
        const { user, record } = await review(token);
        reviews.push(record);
        const status = user ? { authenticated: true, user } : { authenticated: false, error: record.error };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', status }));
      })
      .catch((error: unknown) => {
        reviews.push({ at: Date.now(), cluster: undefined, arn: undefined, authenticated: false, error: String(error) });
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/tokenreview`,
    clusters,
    reviews,
    mappings,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** arn:aws:sts::A:assumed-role/R/session → arn:aws:iam::A:role/R, as the authenticator maps roles. */
export function canonicalArn(arn: string): string {
  const assumed = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return assumed ? `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}` : arn;
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    req.on('error', reject);
  });
}

/** The kubeconfig-format file kube-apiserver reads to call the webhook. */
export function webhookConfig(url: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: bed-eks-authenticator',
    `  cluster: { server: "${url}" }`,
    'users:',
    '- name: kube-apiserver',
    'contexts:',
    '- name: webhook',
    '  context: { cluster: bed-eks-authenticator, user: kube-apiserver }',
    'current-context: webhook',
    '',
  ].join('\n');
}
