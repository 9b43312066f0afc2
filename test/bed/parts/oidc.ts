// A local GitHub Actions OIDC token issuer: discovery document, JWKS, and the token request
// endpoint that ACTIONS_ID_TOKEN_REQUEST_URL points at, signing with an RS256 key made at start.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { BedContext, OidcPart, PartHandle } from '../types.ts';

const OWNER = 'acme';
const REPO = 'acme/shop';

/** Claims as GitHub puts them in a job's token for a push to main (docs' example values). */
function defaultClaims(issuer: string, now: number): Record<string, unknown> {
  return {
    jti: randomUUID(),
    iss: issuer,
    aud: `https://github.com/${OWNER}`,
    ref: 'refs/heads/main',
    sha: 'b3f2c1d0e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4',
    repository: REPO,
    repository_owner: OWNER,
    repository_owner_id: '1000001',
    repository_id: '2000002',
    repository_visibility: 'private',
    run_id: '3000003',
    run_number: '7',
    run_attempt: '1',
    actor: 'octocat',
    actor_id: '4000004',
    workflow: 'delivery',
    workflow_ref: `${REPO}/.github/workflows/delivery.yml@refs/heads/main`,
    workflow_sha: 'b3f2c1d0e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4',
    job_workflow_ref: 'acme/expeditor/.github/workflows/deploy.yml@refs/heads/main',
    job_workflow_sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e',
    event_name: 'push',
    ref_type: 'branch',
    ref_protected: 'true',
    head_ref: '',
    base_ref: '',
    runner_environment: 'github-hosted',
    // GitHub's tokens: valid for five minutes, usable from ten minutes before issue.
    iat: now,
    nbf: now - 600,
    exp: now + 300,
  };
}

/** GitHub's subject: the environment when the job has one, else the ref. */
function subjectOf(claims: Record<string, unknown>): string {
  const repository = String(claims.repository);
  if (typeof claims.environment === 'string' && claims.environment) {
    return `repo:${repository}:environment:${claims.environment}`;
  }
  return `repo:${repository}:ref:${String(claims.ref)}`;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

export async function start(_ctx: BedContext): Promise<PartHandle<OidcPart>> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = randomBytes(8).toString('hex');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const requestToken = randomBytes(24).toString('hex');
  const tokenPath = `/_apis/distributedtask/hubs/build/plans/${randomUUID()}/jobs/${randomUUID()}/idtoken`;
  let overrides: Record<string, unknown> = {};
  let issuer = '';

  const mint = async (claims: Record<string, unknown> = {}): Promise<string> => {
    const merged: Record<string, unknown> = { ...defaultClaims(issuer, Math.floor(Date.now() / 1000)) };
    for (const [key, value] of Object.entries({ ...overrides, ...claims })) {
      // An explicit undefined removes a default claim.
      if (value === undefined) delete merged[key];
      else merged[key] = value;
    }
    if (!('sub' in overrides) && !('sub' in claims)) merged.sub = subjectOf(merged);
    return new SignJWT(merged).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(privateKey);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', issuer);
    if (req.method !== 'GET') return send(res, 405, { message: 'method not allowed' });
    if (url.pathname === '/.well-known/openid-configuration') {
      return send(res, 200, {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks`,
        subject_types_supported: ['public', 'pairwise'],
        response_types_supported: ['id_token'],
        claims_supported: [
          'sub',
          'aud',
          'exp',
          'iat',
          'iss',
          'jti',
          'nbf',
          'ref',
          'sha',
          'repository',
          'repository_owner',
          'run_id',
          'workflow',
          'environment',
          'job_workflow_ref',
          'event_name',
          'actor',
          'ref_type',
        ],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid'],
      });
    }
    if (url.pathname === '/.well-known/jwks') return send(res, 200, { keys: [jwk] });
    if (url.pathname === tokenPath) {
      if (req.headers.authorization !== `Bearer ${requestToken}`) {
        return send(res, 401, { message: "Unauthorized: the bearer is not this job's ACTIONS_ID_TOKEN_REQUEST_TOKEN" });
      }
      const audience = url.searchParams.get('audience');
      // The requested audience wins, as on GitHub; without one, aud stays the owner's URL.
      return send(res, 200, { value: await mint(audience ? { aud: audience } : {}) });
    }
    return send(res, 404, { message: `not found: ${url.pathname}` });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Port 0: the kernel picks a free port, so parallel beds never collide.
    server.listen(0, '127.0.0.1', () => resolve());
  });
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const part: OidcPart = {
    issuer,
    requestUrl: `${issuer}${tokenPath}?api-version=2.0`,
    requestToken,
    setClaims(claims) {
      overrides = { ...claims };
    },
    mint,
  };
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { part, stop };
}
