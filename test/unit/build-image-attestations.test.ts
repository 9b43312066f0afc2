// The provenance and sbom inputs (as docker/build-push-action spells them), who refuses them, and
// the image time: SOURCE_DATE_EPOCH, else HEAD's commit time from a real git, else the clock.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkBuildahAttestations,
  builderRefusedAttestations,
  describeAttestations,
  parseProvenance,
  readAttestationInputs,
  sbomGeneratorFailure,
} from '../../actions/build-image/src/attestations.ts';
import { describeSourceDate, parseSourceDateEpoch, sourceDate } from '../../actions/build-image/src/source-date.ts';
import { ActionInputs, inputEnv } from '../../packages/shared/src/inputs.ts';
import { InputError, ProblemsError } from '../../packages/shared/src/errors.ts';

const read = (inputs: Record<string, string>) => {
  const action = new ActionInputs(inputEnv(inputs));
  const plan = readAttestationInputs(action);
  action.done('build-image');
  return plan;
};

describe('provenance and sbom inputs', () => {
  it.each([
    ['false', false],
    ['true', 'min'],
    ['mode=min', 'min'],
    ['mode=max', 'max'],
    ['MODE=MAX', 'max'],
    ['maybe', undefined],
    ['mode=full', undefined],
  ] as const)('provenance %s → %s', (raw, expected) => {
    expect(parseProvenance(raw)).toBe(expected);
  });

  it('unset: both off (build-push-action would default provenance to mode=min)', () => {
    expect(read({})).toEqual({ provenance: false, sbom: false });
    expect(read({ provenance: 'mode=max', sbom: 'true' })).toEqual({ provenance: 'max', sbom: true });
  });

  it('a value it does not know is refused naming the input and the forms it takes', () => {
    expect(() => read({ provenance: 'mode=full' })).toThrow(ProblemsError);
    expect(() => read({ provenance: 'mode=full' })).toThrow(
      /input 'provenance': expected true, false, mode=min or mode=max, got "mode=full"/,
    );
    expect(() => read({ sbom: 'spdx' })).toThrow(/input 'sbom': expected true or false/);
  });

  it('buildah refuses any attestation asked for, naming the first input; nothing asked: nothing said', () => {
    expect(() => checkBuildahAttestations({ provenance: false, sbom: false })).not.toThrow();
    expect(() => checkBuildahAttestations(undefined)).not.toThrow();
    const error = (() => {
      try {
        checkBuildahAttestations({ provenance: false, sbom: true });
      } catch (e) {
        return e as InputError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InputError);
    expect(error?.input).toBe('sbom');
    expect(describeAttestations(undefined, 'buildah')).toBe('none (buildah cannot make BuildKit attestations)');
  });

  it("buildx's own refusal (the docker driver without the containerd store) names the input; other failures are not it", () => {
    const tail = [
      'ERROR: Attestation is not supported for the docker driver.',
      'Switch to a different driver, or turn on the containerd image store, and try again.',
    ];
    const refused = builderRefusedAttestations({ provenance: 'min', sbom: false }, tail);
    expect(refused?.input).toBe('provenance');
    expect(refused?.message).toBe(
      "input 'provenance': provenance attestations cannot be made by this buildx builder: Attestation is not supported for the docker driver.",
    );
    expect(builderRefusedAttestations({ provenance: false, sbom: false }, tail)).toBeUndefined();
    expect(builderRefusedAttestations({ provenance: 'min', sbom: false }, ['ERROR: failed to solve: exit code 1'])).toBeUndefined();
    expect(describeAttestations({ provenance: 'max', sbom: true }, 'buildx')).toBe('provenance (mode=max), SBOM');
    expect(describeAttestations({ provenance: false, sbom: false }, 'buildx')).toBe('none (provenance and sbom are off)');
  });

  it('a build stopped on the SBOM generator image is told apart from other failures', () => {
    const tail = [
      'ERROR: failed to solve: failed to resolve source metadata for docker.io/docker/buildkit-syft-scanner:stable-1: dial tcp: no such host',
    ];
    expect(sbomGeneratorFailure({ provenance: false, sbom: true }, tail)).toMatch(/^input 'sbom': .*buildkit-syft-scanner:stable-1/);
    expect(sbomGeneratorFailure({ provenance: false, sbom: false }, tail)).toBeUndefined();
    expect(sbomGeneratorFailure({ provenance: false, sbom: true }, ['ERROR: process "/bin/sh -c make" did not complete'])).toBeUndefined();
  });
});

describe('the image time', () => {
  const env = { PATH: process.env.PATH ?? '' };
  const clock = () => new Date('2030-01-01T00:00:00Z');

  it("HEAD's committer time of a git checkout", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'source-date-'));
    writeFileSync(join(dir, 'f'), 'x');
    const when = '@1700000000 +0200';
    const gitEnv = { ...process.env, GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when };
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', dir, '-c', 'user.name=a', '-c', 'user.email=a@b', ...args], { env: gitEnv });
    git('init', '-q');
    git('add', 'f');
    git('commit', '-q', '-m', 'c');
    const date = await sourceDate(env, dir, clock);
    expect(date).toEqual({ epoch: 1_700_000_000, from: 'commit' });
    expect(describeSourceDate(date)).toBe("2023-11-14T22:13:20Z (HEAD's commit time)");
    // SOURCE_DATE_EPOCH wins over the commit.
    expect(await sourceDate({ ...env, SOURCE_DATE_EPOCH: '1600000000' }, dir, clock)).toEqual({
      epoch: 1_600_000_000,
      from: 'SOURCE_DATE_EPOCH',
    });
  });

  it('not a checkout: the wall clock, and the log line says why and what it costs', async () => {
    const date = await sourceDate(env, mkdtempSync(join(tmpdir(), 'no-git-')), clock);
    expect(date.epoch).toBe(Date.parse('2030-01-01T00:00:00Z') / 1000);
    expect(date.from).toBe('clock');
    expect(describeSourceDate(date)).toMatch(
      /^2030-01-01T00:00:00Z \(the wall clock: git show HEAD in .*not a git repository.*; the digest will differ on every build\)$/,
    );
    const noGit = await sourceDate({ PATH: '/nonexistent' }, '/', clock);
    expect(noGit.note).toBe('git is not on PATH');
  });

  it.each(['', ' ', '17e8', '-1', '1.5', 'yesterday'])('SOURCE_DATE_EPOCH %j that is not whole seconds is refused', async (raw) => {
    if (raw === '') {
      // Empty is unset (as the reproducible-builds convention reads it).
      expect((await sourceDate({ ...env, SOURCE_DATE_EPOCH: raw }, '/', clock)).from).not.toBe('SOURCE_DATE_EPOCH');
      return;
    }
    expect(() => parseSourceDateEpoch(raw)).toThrow(/^SOURCE_DATE_EPOCH is .*: expected whole seconds since 1970/);
  });
});
