import { describe, expect, it } from 'vitest';
import type { AssumeEnvResult } from '../../actions/assume-env/src/assume.ts';
import type { AssumeEnvInputs } from '../../actions/assume-env/src/inputs.ts';
import { planAssume } from '../../actions/assume-env/src/plan.ts';
import { assumeSummary, refusedSummary, sourceNote, summaryRows } from '../../actions/assume-env/src/summary.ts';

const inputs: AssumeEnvInputs = {
  environment: undefined,
  config: '.github/expeditor.yml',
  roleArn: 'arn:aws:iam::444444444444:role/gh-oidc',
  chainRoleArn: undefined,
  account: undefined,
  region: 'us-west-2',
  audience: 'sts.amazonaws.com',
  roleSessionName: undefined,
  durationSeconds: 3600,
  sessionTags: true,
  timeoutMs: 120_000,
};
const context = {
  workspace: '/tmp',
  repository: 'acme/shop',
  runId: '7512345678',
  runAttempt: '1',
  workflow: 'deploy',
  sha: '3f9c2d8',
  actor: 'octocat',
};
const runUrl = 'https://github.com/acme/shop/actions/runs/7512345678/attempts/1';

async function result(over: Partial<AssumeEnvInputs>, source: 'oidc' | 'ambient'): Promise<AssumeEnvResult> {
  const plan = await planAssume({ ...inputs, ...over }, context);
  const role = plan.chainRoleArn ?? plan.roleArn;
  return {
    plan,
    identityArn: `arn:aws:sts::${plan.account}:assumed-role/${role.split('/').at(-1)}/gha-acme-shop-7512345678-1`,
    exportedCredentials: source === 'oidc' || plan.chainRoleArn !== undefined,
    outputs: {
      account: plan.account,
      region: plan.region,
      'role-arn': role,
      expiration: source === 'oidc' ? '2025-03-14T10:26:53.000Z' : '',
      source,
    },
  };
}

describe('assume-env summary', () => {
  it.each([
    ['oidc', false, 'GitHub OIDC (aud sts.amazonaws.com)'],
    [
      'ambient',
      false,
      'credentials already in the environment; OIDC skipped because ACTIONS_ID_TOKEN_REQUEST_URL/ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set',
    ],
    [
      'ambient',
      true,
      'credentials already in the environment; OIDC skipped because ACTIONS_ID_TOKEN_REQUEST_URL/ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set (running under act)',
    ],
  ] as const)('source %s (act %s)', (source, isAct, note) => {
    expect(sourceNote(source, 'sts.amazonaws.com', isAct)).toBe(note);
  });

  it.each([
    [
      'OIDC',
      {},
      'oidc' as const,
      {
        role: 'arn:aws:iam::444444444444:role/gh-oidc',
        exported: 'AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (masked), AWS_REGION, AWS_DEFAULT_REGION',
        expiration: '2025-03-14T10:26:53.000Z',
      },
    ],
    [
      'ambient, not chained: the role is not assumed',
      {},
      'ambient' as const,
      {
        role: 'arn:aws:iam::444444444444:role/gh-oidc (not assumed: OIDC skipped)',
        exported: 'AWS_REGION, AWS_DEFAULT_REGION',
        expiration: 'unknown (credentials from the environment)',
      },
    ],
    [
      'ambient, chained: the chain is assumed and exported',
      { chainRoleArn: 'arn:aws:iam::111111111111:role/deploy' },
      'ambient' as const,
      {
        role: 'arn:aws:iam::444444444444:role/gh-oidc',
        'chained role': 'arn:aws:iam::111111111111:role/deploy',
        exported: 'AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (masked), AWS_REGION, AWS_DEFAULT_REGION',
      },
    ],
  ])('rows: %s', async (_what, over, source, expected) => {
    const rows = Object.fromEntries(summaryRows(await result(over, source), { runUrl, isAct: false }));
    expect(rows).toMatchObject({ environment: 'none (explicit inputs)', run: { text: runUrl, href: runUrl }, ...expected });
    if (!('chained role' in expected)) expect(rows).not.toHaveProperty('chained role');
  });

  it('heads the summary with the verified account and lists where the values came from', async () => {
    const md = assumeSummary(await result({}, 'oidc'), { runUrl: '', isAct: false }).toMarkdown();
    expect(md).toContain('## assume-env → account 444444444444');
    expect(md).toContain("| account | 444444444444 | the account of input 'role-arn' |");
    expect(md).not.toContain('**run**');
  });

  it('a refusal: failed, nothing exported, with the token explanation when there is one', async () => {
    const { plan } = await result({}, 'oidc');
    const refused = refusedSummary(plan, 'AccessDenied (HTTP 403): Not authorized', [
      '  sub: "repo:acme/shop:ref:refs/heads/main"',
    ]).toMarkdown();
    expect(refused).toContain('## assume-env: failed, nothing exported');
    expect(refused).toContain('<details><summary>The token and a trust policy statement that would have matched</summary>');
    expect(refusedSummary(plan, 'the credentials belong to account 999999999999', []).toMarkdown()).not.toContain('<details>');
  });
});
