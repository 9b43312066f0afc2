// The consumer repository's own workflows, as the README tells a team to write them: a delivery
// workflow (build once, then each environment after the one before, each through Expeditor's
// reusable deploy workflow) and workflow_dispatch wrappers around promote and rollback; act runs
// them, and the tests read the built image back. Used by test/workflows/pipeline-*.test.ts.
import { join } from 'node:path';
import { runAct, type ActRun } from './act.ts';
import type { DemoBed } from './demo.ts';

const BUILD_PERMISSIONS = '{ contents: read, id-token: write }';
const DEPLOY_PERMISSIONS = '{ contents: read, deployments: write, id-token: write }';

/** One job calling the reusable deploy workflow for `environment`, with `image` and any more inputs. */
export function deployJob(environment: string, options: { needs?: string; image: string; with?: Record<string, string> }): string {
  const inputs = Object.entries({ environment, image: options.image, ...options.with }).map(
    ([k, v]) => `${k}: ${/^[\w.-]+$/.test(v) ? v : JSON.stringify(v)}`,
  );
  return [
    `  ${environment}:`,
    ...(options.needs ? [`    needs: ${options.needs}`] : []),
    `    permissions: ${DEPLOY_PERMISSIONS}`,
    '    uses: ORG/expeditor/.github/workflows/deploy.yml@v1',
    `    with: { ${inputs.join(', ')} }`,
    '',
  ].join('\n');
}

/**
 * `delivery` on push: build the app once on the base image `base`, then deploy the build's image
 * to each environment in turn, each only after the build and the environment before it; `with`
 * gives an environment's extra deploy inputs.
 */
export function deliveryWorkflow(base: string, environments: string[], extra: Record<string, Record<string, string>> = {}): string {
  const image = '${{ needs.build.outputs.image }}';
  return [
    'name: delivery',
    'on: push',
    'permissions: {}',
    'jobs:',
    '  build:',
    `    permissions: ${BUILD_PERMISSIONS}`,
    '    uses: ORG/expeditor/.github/workflows/build.yml@v1',
    '    with:',
    '      context: app',
    '      build-args: |',
    `        BASE=${base}`,
    ...environments.map((environment, i) => {
      const needs = i === 0 ? 'build' : `[build, ${environments[i - 1]}]`;
      return deployJob(environment, { needs, image, ...(extra[environment] ? { with: extra[environment] } : {}) }).trimEnd();
    }),
    '',
  ].join('\n');
}

/**
 * A workflow_dispatch workflow named after one of Expeditor's reusable workflows (deploy, promote,
 * rollback) that passes each of its inputs through — required ones, and optional ones that
 * default to empty — and gives the reusable workflow the `fixed` inputs as they are.
 */
export function dispatchWorkflow(
  workflow: 'deploy' | 'promote' | 'rollback',
  inputs: Record<string, 'required' | 'optional'>,
  fixed: Record<string, string> = {},
): string {
  return [
    `name: ${workflow}`,
    'on:',
    '  workflow_dispatch:',
    '    inputs:',
    ...Object.entries(inputs).map(
      ([name, kind]) => `      ${name}: { type: string, ${kind === 'required' ? 'required: true' : 'default: ""'} }`,
    ),
    'permissions: {}',
    'jobs:',
    `  ${workflow}:`,
    `    permissions: ${DEPLOY_PERMISSIONS}`,
    `    uses: ORG/expeditor/.github/workflows/${workflow}.yml@v1`,
    '    with:',
    ...Object.keys(inputs).map((name) => `      ${name}: \${{ inputs.${name} }}`),
    ...Object.entries(fixed).map(([name, value]) => `      ${name}: ${value}`),
    '',
  ].join('\n');
}

/**
 * act runs the consumer repository's `.github/workflows/<workflow>.yml` against the bed with the
 * release of Expeditor: on push, or dispatched with `inputs`.
 */
export function runWorkflow(
  at: { repo: string; release: string; bed: DemoBed & { dir: string } },
  workflow: string,
  inputs?: Record<string, string>,
): Promise<ActRun> {
  const { repo, release, bed } = at;
  const dispatch = inputs ? { event: 'workflow_dispatch', inputs } : {};
  return runAct({ repo, release, cacheDir: join(bed.dir, 'act'), bed, workflow: `.github/workflows/${workflow}.yml`, ...dispatch });
}

/** The image by digest the build job reported, if it did. */
export const builtImage = (run: ActRun): string | undefined => /image=(\S+@sha256:[a-f0-9]{64})/.exec(run.output)?.[1];

/** The end of act's output, for a failure message. */
export const show = (run: ActRun): string => run.output.split('\n').slice(-150).join('\n');
