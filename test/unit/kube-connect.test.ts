// connectKube against the bed's real apiserver: by kubeconfig, and by EKS (moto's DescribeCluster
// leading to the apiserver, which checks the action's own token through the bed's TokenReview
// webhook and moto's STS signature check).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EKSClient } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { useBed } from '../bed/vitest.ts';
import { connectKube, type EksTarget } from '@expeditor/kube/connect';
import { EksTokenSource, makeEksToken } from '@expeditor/kube/eks-token';
import { ExpeditorError } from '../../packages/shared/src/errors.ts';
import { memoryLog } from '../../packages/shared/src/log.ts';

const bed = useBed(['moto', 'k8s']);

function eksTarget(cluster: string, extra: Partial<EksTarget> = {}): EksTarget {
  const config = bed.moto.clientConfig();
  return {
    cluster,
    region: bed.moto.region,
    eks: new EKSClient({ ...config, maxAttempts: 1 }),
    credentials: async () => config.credentials,
    stsEndpoint: bed.moto.endpoint,
    ...extra,
  };
}

describe('connectKube by kubeconfig', () => {
  it('connects with the bed kubeconfig and names the source', async () => {
    const c = await connectKube({ kubeconfig: { path: bed.k8s.kubeconfig, input: 'kubeconfig' } });
    expect(c.source).toMatchObject({ kind: 'kubeconfig', context: 'bed' });
    expect(await c.version()).toBe(bed.k8s.version);
    expect(c.stats.requests).toBeGreaterThanOrEqual(2);
  });

  it('a missing file, a file that is not a kubeconfig and an unknown context name the input', async () => {
    const missing = await connectKube({ kubeconfig: { path: join(bed.dir, 'nope'), input: 'kubeconfig' } }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ExpeditorError);
    expect((missing as ExpeditorError).input).toBe('kubeconfig');
    expect((missing as Error).message).toMatch(/does not exist/);
    const garbled = join(bed.dir, 'garbled.yaml');
    writeFileSync(garbled, 'clusters: [ {');
    const bad = await connectKube({ kubeconfig: { path: garbled, input: 'kubeconfig' } }).catch((e: unknown) => e);
    expect((bad as Error).message).toMatch(/not a valid kubeconfig/);
    const context = await connectKube({ kubeconfig: { path: bed.k8s.kubeconfig, context: 'other', input: 'kubeconfig' } }).catch(
      (e: unknown) => e,
    );
    expect((context as Error).message).toMatch(/no context "other".*/);
    expect((context as ExpeditorError).next).toMatch(/have: bed/);
  });

  it('merges the files of KUBECONFIG as kubectl does: skips missing ones, and the first to define a name wins', async () => {
    const { parse, stringify } = await import('yaml');
    const { readFileSync } = await import('node:fs');
    const full = parse(readFileSync(bed.k8s.kubeconfig, 'utf8')) as Record<string, unknown[] | string>;
    // The context in one file, the cluster and user it names in another, as tools that append
    // to KUBECONFIG leave them.
    const contexts = join(bed.dir, 'contexts.kubeconfig');
    writeFileSync(
      contexts,
      stringify({ apiVersion: 'v1', kind: 'Config', contexts: full.contexts, 'current-context': full['current-context'] }),
    );
    const credentials = join(bed.dir, 'credentials.kubeconfig');
    writeFileSync(credentials, stringify({ apiVersion: 'v1', kind: 'Config', clusters: full.clusters, users: full.users }));
    const c = await connectKube({ kubeconfig: { path: contexts, also: [join(bed.dir, 'not-there'), credentials] } });
    expect(await c.version()).toBe(bed.k8s.version);
    expect(c.source).toMatchObject({
      kind: 'kubeconfig',
      context: 'bed',
      path: `${contexts}:${join(bed.dir, 'not-there')}:${credentials}`,
    });

    // A file earlier in the list that defines the same cluster name wins over a later one.
    const shadow = join(bed.dir, 'shadow.kubeconfig');
    const clusters = (full.clusters as { name: string; cluster: Record<string, unknown> }[]).map((entry) => ({
      ...entry,
      cluster: { ...entry.cluster, server: 'https://127.0.0.1:1' },
    }));
    writeFileSync(shadow, stringify({ apiVersion: 'v1', kind: 'Config', clusters }));
    const shadowed = await connectKube({ kubeconfig: { path: contexts, also: [shadow, credentials] }, verify: false });
    expect(shadowed.server).toBe('https://127.0.0.1:1');

    // None of them there: an error naming KUBECONFIG.
    const none = await connectKube({ kubeconfig: { path: join(bed.dir, 'a'), also: [join(bed.dir, 'b')] } }).catch((e: unknown) => e);
    expect((none as Error).message).toMatch(/^KUBECONFIG: none of the files in it exists/);
  });

  it('a cluster that does not answer is an error naming the input and the server', async () => {
    const dead = join(bed.dir, 'dead.kubeconfig');
    writeFileSync(
      dead,
      (await import('node:fs')).readFileSync(bed.k8s.kubeconfig, 'utf8').replace(/server: .*/, 'server: https://127.0.0.1:1'),
    );
    const error = await connectKube({ kubeconfig: { path: dead, input: 'kubeconfig' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpeditorError);
    expect((error as ExpeditorError).input).toBe('kubeconfig');
    expect((error as Error).message).toMatch(/does not answer at https:\/\/127\.0\.0\.1:1/);
  });

  it('a refused token is a 401 error saying what to do', async () => {
    const stale = join(bed.dir, 'stale.kubeconfig');
    writeFileSync(stale, (await import('node:fs')).readFileSync(bed.k8s.kubeconfig, 'utf8').replace(/token: .*/, 'token: not-a-token'));
    const error = await connectKube({ kubeconfig: { path: stale, input: 'kubeconfig' } }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/refused the credentials \(401 Unauthorized\)/);
    expect((error as ExpeditorError).input).toBe('kubeconfig');
  });
});

describe('connectKube by EKS', () => {
  it('DescribeCluster + its own token: the webhook checked it with STS and mapped the ARN', async () => {
    await bed.k8s.eks!.createCluster('shop-prod');
    const log = memoryLog();
    const c = await connectKube({ eks: eksTarget('shop-prod'), log });
    expect(c.server).toBe(bed.k8s.server);
    expect(c.source).toMatchObject({ kind: 'eks', cluster: 'shop-prod' });
    // A real request that needs an authenticated user (anonymous would get 401/403).
    const ns = await c.core.listNamespace();
    expect(ns.items.map((n) => n.metadata?.name)).toContain('default');
    const review = bed.k8s.eks!.reviews().find((r) => r.cluster === 'shop-prod' && r.authenticated);
    expect(review?.arn).toBe(`arn:aws:sts::${bed.moto.defaultAccount}:user/moto`);
  });

  it('an unknown cluster names the cluster input before any Kubernetes request', async () => {
    const error = await connectKube({ eks: eksTarget('no-such-cluster') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpeditorError);
    expect((error as ExpeditorError).input).toBe('cluster');
    expect((error as Error).message).toMatch(/EKS cluster "no-such-cluster" does not exist in us-west-2/);
  });

  it('an expired token (signed 16 minutes ago) is refused by the cluster: 401 naming the cluster input', async () => {
    await bed.k8s.eks!.createCluster('shop-expired');
    const error = await connectKube({ eks: eksTarget('shop-expired', { clock: () => Date.now() - 16 * 60_000 }) }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/EKS cluster shop-expired .* refused the credentials \(401 Unauthorized\)/);
    expect((error as ExpeditorError).next).toMatch(/token expired/);
    const review = bed.k8s.eks!.reviews().findLast((r) => !r.authenticated);
    expect(review?.error).toMatch(/X-Amz-Date parameter is expired/);
  });

  it('a token signed for another cluster does not pass the STS signature check', async () => {
    await bed.k8s.eks!.createCluster('shop-a');
    const config = bed.moto.clientConfig();
    // Signed for a name the bed serves no cluster under: STS sees a different x-k8s-aws-id header.
    const forged = await makeEksToken({
      cluster: 'elsewhere',
      region: bed.moto.region,
      credentials: config.credentials,
      stsEndpoint: bed.moto.endpoint,
    });
    const response = await fetch(`${bed.k8s.server}/api/v1/namespaces`, {
      headers: { authorization: `Bearer ${forged.token}` },
      // @ts-expect-error undici's per-request TLS option is not in the DOM fetch types
      dispatcher: new (await import('undici')).Agent({ connect: { ca: bed.k8s.caData } }),
    });
    expect(response.status).toBe(401);
    const review = bed.k8s.eks!.reviews().findLast((r) => !r.authenticated);
    expect(review?.error).toMatch(/SignatureDoesNotMatch/);
  });

  it('renews its token before the 15 minutes run out', async () => {
    let now = Date.now();
    const config = bed.moto.clientConfig();
    const source = new EksTokenSource({
      cluster: 'x',
      region: 'us-west-2',
      credentials: config.credentials,
      stsEndpoint: bed.moto.endpoint,
      clock: () => now,
    });
    const first = await source.token();
    now += 9 * 60_000;
    expect(await source.token()).toBe(first);
    now += 2 * 60_000;
    const second = await source.token();
    expect(second).not.toBe(first);
    expect(source.made).toBe(2);
    const url = new URL(Buffer.from(second.slice('k8s-aws-v1.'.length), 'base64url').toString());
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(second).not.toMatch(/=/);
  });
});
