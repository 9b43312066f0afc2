import * as core from '@expeditor/shared/workflow-commands';
import { runAction } from '@expeditor/shared/run';
import { actionInputs, runnerEnv } from '@expeditor/shared/inputs';
import { readGitHubContext } from '@expeditor/shared/context';
import { readDeployEksInputs } from './inputs.ts';
import { readKubeRunnerContext } from '@expeditor/kube/runner';

await runAction('deploy-eks', async (run) => {
  const inputs = readDeployEksInputs(actionInputs());
  run.setDeadline(inputs.timeoutMs);
  // Loaded after the inputs are valid, so a bad input fails fast.
  const { runDeployEksStep } = await import('./action.ts');
  const env = runnerEnv();
  const result = await runDeployEksStep(inputs, readGitHubContext(env), readKubeRunnerContext(env), run);
  // validate-only: planned and checked, nothing deployed, so no output.
  if ('validated' in result) return;
  const first = result.results[0];
  core.setOutput('live-color', first?.live ?? '');
  core.setOutput('target-color', first?.target ?? '');
  core.setOutput('preview-service', first?.previewService ?? '');
  core.setOutput('ready', String(result.ready));
  core.setOutput('results', JSON.stringify(result.results.map(({ diagnosis: _d, readyAt: _r, templateFrom: _t, ...rest }) => rest)));
  if (result.failure) throw result.failure;
});
