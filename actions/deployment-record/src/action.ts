// The edge: the GitHub client made from the runner's context, the record, and its step summary
// (written here only). Loaded after the inputs are valid, so a bad input fails before Octokit, zod
// and yaml are even read.
import type { ActionRun } from '@expeditor/shared/run';
import type { Env } from '@expeditor/shared/inputs';
import { readGitHubContext } from '@expeditor/shared/context';
import { apiUrlOf, createGitHubClient } from '@expeditor/shared/github/client';
import type { RecordInputs } from './inputs.ts';
import { runDeploymentRecord, type RecordOutputs } from './record.ts';
import { recordSummary } from './summary.ts';
import { cleanupMs } from '@expeditor/aws/pacing';
import { graceAfter, writeGraceMs } from '@expeditor/shared/cancel-write';
import { abortReason, DeadlineError, withDeadline } from '@expeditor/shared/deadline';

export async function runRecordAction(inputs: RecordInputs, env: Env, run: ActionRun): Promise<RecordOutputs> {
  const context = readGitHubContext(env);
  const client = (signal: AbortSignal) =>
    createGitHubClient({ apiUrl: apiUrlOf(env), token: inputs.token, repository: context.repository, signal, log: run.log });
  const { outputs, report } = await runDeploymentRecord(inputs, {
    github: client(run.signal),
    writes: client(graceAfter(run.signal, writeGraceMs)),
    cleanup: () =>
      client(withDeadline(undefined, abortReason(run.signal) instanceof DeadlineError ? cleanupMs.afterDeadline : cleanupMs.afterCancel)),
    signal: run.signal,
    context,
    log: run.log,
  });
  recordSummary(report)?.write(context.stepSummaryPath);
  return outputs;
}
