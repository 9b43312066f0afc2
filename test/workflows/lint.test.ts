// The workflows pass actionlint and zizmor with zero findings (zizmor's one policy choice is in
// test/workflows/zizmor.yml, justified there), and keep the rules the lints cannot see: third-party
// actions pinned by full SHA, no expression inside a run: script, least permissions per job.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { actionlintPath, zizmorPath } from '../bed/tools.ts';
import { root } from '../e2e/deploy-ecs-bed.ts';

const files = ['.github/workflows', 'examples/workflows'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.yml'))
    .map((f) => `${dir}/${f}`),
);

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: root, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Job {
  permissions?: unknown;
  steps?: Step[];
  uses?: string;
  'runs-on'?: string;
}
const workflows = files.map((file) => ({
  file,
  doc: parse(readFileSync(join(root, file), 'utf8')) as { permissions?: unknown; jobs: Record<string, Job> },
}));

describe('workflow lint', () => {
  test('the reusable workflows, CI and the examples are all here', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        '.github/workflows/build.yml',
        '.github/workflows/deploy.yml',
        '.github/workflows/promote.yml',
        '.github/workflows/rollback.yml',
        '.github/workflows/ci.yml',
        'examples/workflows/delivery.yml',
      ]),
    );
  });

  test('actionlint: no findings', async () => {
    const result = await run(actionlintPath(), ['-no-color', '-format', '{{json .}}', ...files]);
    expect(JSON.parse(result.stdout || '[]'), result.stderr).toEqual([]);
    expect(result.code).toBe(0);
  });

  test('zizmor (offline audits): no findings', async () => {
    const result = await run(zizmorPath(), [
      '--offline',
      '--no-progress',
      '--format',
      'json',
      '--config',
      'test/workflows/zizmor.yml',
      ...files,
    ]);
    const findings = JSON.parse(result.stdout) as { ident: string; desc: string }[];
    expect(
      findings.map((f) => `${f.ident}: ${f.desc}`),
      result.stderr,
    ).toEqual([]);
    expect(result.code).toBe(0);
  });

  test('zizmor still flags our own actions referenced by tag without the policy, so the policy is what allows them', async () => {
    const result = await run(zizmorPath(), ['--offline', '--no-progress', '--format', 'json', '.github/workflows/deploy.yml']);
    const findings = JSON.parse(result.stdout) as { ident: string }[];
    expect(findings.map((f) => f.ident)).toContain('unpinned-uses');
  });

  test('third-party actions by full commit SHA; ours as ORG/expeditor/…@v1 (the examples: a SHA the release sets)', () => {
    const uses = workflows.flatMap(({ file, doc }) =>
      Object.values(doc.jobs).flatMap((job) =>
        [job.uses, ...(job.steps ?? []).map((s) => s.uses)].filter((u): u is string => !!u).map((u) => ({ file, u })),
      ),
    );
    expect(uses.length).toBeGreaterThan(10);
    for (const { file, u } of uses) {
      if (u.startsWith('ORG/expeditor/'))
        expect(u, file).toMatch(
          file.startsWith('examples/')
            ? /^ORG\/expeditor\/\.github\/workflows\/[a-z]+\.yml@[0-9a-f]{40}$/
            : /^ORG\/expeditor\/(actions\/[a-z-]+|\.github\/workflows\/[a-z]+\.yml)@v1$/,
        );
      else expect(u, file).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/);
    }
  });

  test('no expression inside a run: script (values reach scripts through env:)', () => {
    for (const { file, doc } of workflows) {
      for (const job of Object.values(doc.jobs)) {
        for (const step of job.steps ?? []) if (step.run) expect(step.run, file).not.toContain('${{');
      }
    }
  });

  test('least permissions: none at the top, id-token: write only on jobs that assume a role', () => {
    for (const { file, doc } of workflows) {
      expect(doc.permissions, file).toEqual({});
      for (const [name, job] of Object.entries(doc.jobs)) {
        expect(job.permissions, `${file} ${name}`).toBeDefined();
        const perms = job.permissions as Record<string, string>;
        const assumes =
          (job.steps ?? []).some((s) => s.uses?.includes('/actions/assume-env@')) ||
          /deploy\.yml|build\.yml|promote\.yml|rollback\.yml/.test(job.uses ?? '');
        if (perms['id-token'] === 'write') expect(assumes, `${file} ${name} has id-token: write but assumes no role`).toBe(true);
        // The release job alone pushes tags (contents: write).
        for (const [scope, level] of Object.entries(perms))
          if (scope !== 'id-token' && scope !== 'deployments' && !(file.endsWith('/release.yml') && scope === 'contents'))
            expect(level, `${file} ${name} ${scope}`).toBe('read');
      }
    }
  });

  test('deploy and rollback: GitHub environment of the input, one run per app and environment in one shared group, never cancelled', () => {
    type Full = Job & {
      environment?: { name: string };
      concurrency?: { group: string; 'cancel-in-progress': boolean };
      needs?: string | string[];
      if?: string;
      outputs?: Record<string, string>;
    };
    const jobOf = (file: string, name: string): Full => workflows.find((w) => w.file === file)!.doc.jobs[name] as never;
    const group = {
      group: 'expeditor-${{ github.repository }}-${{ needs.check.outputs.app }}-${{ inputs.environment }}',
      'cancel-in-progress': false,
    };
    for (const file of ['.github/workflows/deploy.yml', '.github/workflows/rollback.yml']) {
      // The dispatched name is checked against the environment file first, by a job with no
      // environment, which also gives the app for the group.
      const check = jobOf(file, 'check');
      expect(check.environment, file).toBeUndefined();
      expect(check.steps?.some((s) => s.uses?.includes('/actions/deployment-record@') && s.with?.mode === 'check')).toBe(true);
      expect(check.outputs?.app, file).toBe('${{ steps.check.outputs.app }}');
      // Every job that takes a GitHub environment needs the check and holds the app's group.
      const withEnvironment = Object.entries(workflows.find((w) => w.file === file)!.doc.jobs).filter(
        ([, job]) => (job as Full).environment !== undefined,
      );
      expect(withEnvironment.length, file).toBeGreaterThan(0);
      for (const [name, job] of withEnvironment) {
        const j = job as Full;
        expect([j.needs].flat(), `${file} ${name}`).toContain('check');
        if (name !== 'approve' || file.endsWith('deploy.yml')) expect(j.concurrency, `${file} ${name}`).toEqual(group);
      }
    }
    expect(jobOf('.github/workflows/deploy.yml', 'deploy').environment?.name).toBe('${{ inputs.environment }}');
    expect(jobOf('.github/workflows/rollback.yml', 'rollback').environment?.name).toBe('${{ inputs.environment }}');
    // Approval: a job of its own in the approval environment switches; the recover job undoes.
    expect(jobOf('.github/workflows/deploy.yml', 'approve').environment?.name).toBe('${{ inputs.approval-environment }}');
    expect(jobOf('.github/workflows/deploy.yml', 'recover').if).toContain("needs.approve.result != 'success'");
    expect(jobOf('.github/workflows/rollback.yml', 'approve').environment?.name).toBe('${{ inputs.approval-environment }}');
  });

  test('promote carries the deploy options through to deploy.yml', () => {
    const doc = workflows.find((w) => w.file === '.github/workflows/promote.yml')!.doc as unknown as {
      on: Record<string, { inputs: Record<string, unknown> }>;
      jobs: Record<string, Job & { with?: Record<string, string> }>;
    };
    for (const input of ['switch', 'step-pause', 'probe-url', 'approval-environment', 'preview-url', 'app']) {
      expect(doc.on.workflow_dispatch!.inputs[input], input).toBeDefined();
      expect(doc.on.workflow_call!.inputs[input], input).toBeDefined();
      expect(doc.jobs.deploy!.with?.[input], input).toBe(`\${{ inputs.${input} }}`);
    }
  });
});
