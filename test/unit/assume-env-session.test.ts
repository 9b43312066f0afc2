import { describe, expect, it } from 'vitest';
import { sessionNamePattern } from '../../actions/assume-env/src/inputs.ts';
import { sessionName, sessionTags } from '../../actions/assume-env/src/session.ts';

describe("sessionName: gha-<owner>-<repo>-<run id>-<attempt>, within STS's rules", () => {
  it.each([
    ['acme/shop', '7512345678', '1', 'gha-acme-shop-7512345678-1'],
    ['acme/shop', '7512345678', '', 'gha-acme-shop-7512345678-1'],
    ['acme/shop', '', '', 'gha-acme-shop'],
    ['acme-corp/payments.api', '42', '3', 'gha-acme-corp-payments.api-42-3'],
    ['acme/shop web (old)', '42', '1', 'gha-acme-shop-web-old-42-1'],
    ['', '42', '1', 'gha-expeditor-42-1'],
    ['', '', '', 'gha-expeditor'],
  ])('%j, run %j attempt %j → %s', (repository, runId, attempt, name) => {
    expect(sessionName(repository, runId, attempt)).toBe(name);
    expect(sessionNamePattern.test(name)).toBe(true);
  });

  it.each([
    [`acme/${'platform-infrastructure-'.repeat(4)}deployer`, '7512345678', '12'],
    [`${'o'.repeat(39)}/${'r'.repeat(100)}`, '99999999999', '1'],
    ['acme/über-shop', '7512345678', '2'],
  ])('a long or unusual name %s is cut, the run part kept whole', (repository, runId, attempt) => {
    const name = sessionName(repository, runId, attempt);
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name.endsWith(`-${runId}-${attempt}`)).toBe(true);
    expect(sessionNamePattern.test(name)).toBe(true);
  });
});

describe('sessionTags', () => {
  const source = {
    repository: 'acme/shop',
    workflow: 'Deploy to production',
    runId: '7512345678',
    sha: '3f9c2d81a0b4e5c6d7e8f90123456789abcdef01',
    actor: 'octocat',
    environment: 'prod' as string | undefined,
  };

  it.each([
    [
      'every value',
      source,
      [
        'Repository=acme/shop',
        'Workflow=Deploy to production',
        'RunId=7512345678',
        'Commit=3f9c2d81a0b4e5c6d7e8f90123456789abcdef01',
        'Actor=octocat',
        'Environment=prod',
      ],
    ],
    [
      'no environment: left out',
      { ...source, environment: undefined },
      [
        'Repository=acme/shop',
        'Workflow=Deploy to production',
        'RunId=7512345678',
        'Commit=3f9c2d81a0b4e5c6d7e8f90123456789abcdef01',
        'Actor=octocat',
      ],
    ],
    [
      'characters STS refuses become _',
      { ...source, workflow: 'CI / CD (main) #1', actor: 'dependabot[bot]' },
      ['Workflow=CI / CD _main_ _1', 'Actor=dependabot_bot_'],
    ],
    ['letters of any script stay', { ...source, workflow: 'Déploiement prod' }, ['Workflow=Déploiement prod']],
  ])('%s', (_what, from, tags) => {
    const got = sessionTags(from).map((t) => `${t.Key}=${t.Value}`);
    for (const tag of tags) expect(got).toContain(tag);
    if (_what === 'every value' || _what.startsWith('no environment')) expect(got).toEqual(tags);
  });

  it('cuts a value at 256 characters', () => {
    const [workflow] = sessionTags({
      ...source,
      repository: '',
      workflow: 'w'.repeat(300),
      runId: '',
      sha: '',
      actor: '',
      environment: undefined,
    });
    expect(workflow).toEqual({ Key: 'Workflow', Value: 'w'.repeat(256) });
  });
});
