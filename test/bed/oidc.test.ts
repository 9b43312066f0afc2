// Self-test of the bed's GitHub OIDC issuer: the token endpoint answers as GitHub's does, and its
// tokens verify against the issuer's own discovery document and JWKS.
import { describe, expect, it } from 'vitest';
import { createRemoteJWKSet, jwtVerify, decodeJwt } from 'jose';
import { useBed } from './vitest.ts';

const bed = useBed(['oidc']);

async function requestToken(audience?: string, bearer = bed.oidc.requestToken): Promise<Response> {
  const url = audience ? `${bed.oidc.requestUrl}&audience=${encodeURIComponent(audience)}` : bed.oidc.requestUrl;
  return fetch(url, { headers: { authorization: `Bearer ${bearer}` } });
}

describe('bed oidc issuer', () => {
  it('issues a token for the requested audience that verifies against its JWKS', async () => {
    const response = await requestToken('sts.amazonaws.com');
    expect(response.status).toBe(200);
    const { value } = (await response.json()) as { value: string };

    const discovery = (await (await fetch(`${bed.oidc.issuer}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
      jwks_uri: string;
    };
    expect(discovery.issuer).toBe(bed.oidc.issuer);
    const { payload, protectedHeader } = await jwtVerify(value, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: bed.oidc.issuer,
      audience: 'sts.amazonaws.com',
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({
      sub: 'repo:acme/shop:ref:refs/heads/main',
      repository: 'acme/shop',
      repository_owner: 'acme',
      ref: 'refs/heads/main',
      workflow: 'delivery',
    });
    expect(typeof payload.sha).toBe('string');
    expect(typeof payload.run_id).toBe('string');
    expect(typeof payload.job_workflow_ref).toBe('string');
    expect(payload.exp! > payload.iat!).toBe(true);
  });

  it('refuses a request without the job request token', async () => {
    expect((await requestToken('sts.amazonaws.com', 'not-the-token')).status).toBe(401);
  });

  it('defaults the audience to the owner URL, as GitHub does', async () => {
    const { value } = (await (await requestToken()).json()) as { value: string };
    expect(decodeJwt(value).aud).toBe('https://github.com/acme');
  });

  it('puts set claims into issued tokens and derives the environment subject', async () => {
    bed.oidc.setClaims({ environment: 'prod' });
    try {
      const { value } = (await (await requestToken('sts.amazonaws.com')).json()) as { value: string };
      const claims = decodeJwt(value);
      expect(claims.environment).toBe('prod');
      expect(claims.sub).toBe('repo:acme/shop:environment:prod');
    } finally {
      bed.oidc.setClaims({});
    }
  });

  it('mints tokens with explicit claims, including expired ones that fail verification', async () => {
    const jwks = createRemoteJWKSet(new URL(`${bed.oidc.issuer}/.well-known/jwks`));
    const token = await bed.oidc.mint({ sub: 'custom-subject', aud: 'x' });
    expect((await jwtVerify(token, jwks)).payload.sub).toBe('custom-subject');

    const now = Math.floor(Date.now() / 1000);
    const expired = await bed.oidc.mint({ iat: now - 3600, nbf: now - 3600, exp: now - 1800 });
    await expect(jwtVerify(expired, jwks)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });
});
