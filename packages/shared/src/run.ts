// The frame of every action's main: one AbortSignal for the run, errors printed the readable
// way with an annotation naming the input or config key, and a non-zero exit.
import * as core from './workflow-commands.ts';
import { createRunSignal, formatDuration, type RunSignal } from './deadline.ts';
import { ExpeditorError, ProblemsError, describeError, formatFailure } from './errors.ts';
import { actionsLog } from './actions-log.ts';
import type { Log } from './log.ts';

export interface ActionRun {
  readonly log: Log;
  /** Fires on the deadline (after setDeadline) or when the workflow is cancelled. */
  readonly signal: AbortSignal;
  /** Starts the run's deadline; call once the timeout input has been read. */
  setDeadline(timeoutMs: number): void;
  readonly startedAt: number;
}

export async function runAction(name: string, body: (run: ActionRun) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  let deadline: RunSignal | undefined;
  const cancel: RunSignal = createRunSignal({ processSignals: true });
  cancel.signal.addEventListener('abort', () => controller.abort(cancel.signal.reason), { once: true });
  const run: ActionRun = {
    log: actionsLog,
    signal: controller.signal,
    startedAt: Date.now(),
    setDeadline(timeoutMs) {
      deadline?.dispose();
      deadline = createRunSignal({ timeoutMs, processSignals: false });
      deadline.signal.addEventListener('abort', () => controller.abort(deadline?.signal.reason), { once: true });
    },
  };
  try {
    await body(run);
  } catch (error) {
    reportFailure(name, error);
  } finally {
    cancel.dispose();
    deadline?.dispose();
    // The runner follows SIGINT with SIGTERM: one that lands after the work is reported (a socket
    // still holding the process) ends it with the exit code already set, not killed by the signal.
    const exitWithCode = (): void => void process.stdout.write('', () => process.exit());
    process.once('SIGINT', exitWithCode);
    process.once('SIGTERM', exitWithCode);
    core.debug(`${name} finished in ${formatDuration(Date.now() - run.startedAt)}`);
    // The work is done and reported: a connection a server keeps open (a watch resumed through a
    // flaky proxy, a keep-alive socket) must not hold the step for minutes. The timer is unref'd,
    // so it only fires when something else still holds the process; stdout is flushed first.
    setTimeout(() => process.stdout.write('', () => process.exit()), 2_000).unref();
  }
}

function reportFailure(name: string, error: unknown): void {
  const problems = error instanceof ProblemsError ? error.problems : [error];
  // One annotation per problem, so each input or key is marked on its own.
  for (const problem of problems) {
    if (problem instanceof ExpeditorError && (problem.input || problem.key)) {
      actionsLog.error(problem.message, { input: problem.input, key: problem.key });
    }
  }
  if (error instanceof Error && !(error instanceof ExpeditorError) && error.stack) core.debug(error.stack);
  process.exitCode = 1;
  core.setFailed(`${name}: ${formatFailure(error instanceof ExpeditorError ? error : unexpected(error))}`);
}

/** A raw error (a TypeError from fetch, say) never is the whole failure message: say what it is and what to do. */
function unexpected(error: unknown): ExpeditorError {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const detail = cause && typeof cause === 'object' ? [cause.code, cause.message].filter((x) => typeof x === 'string' && x).join(': ') : '';
  const text = `${describeError(error)}${detail ? ` (${detail})` : ''}`;
  // Not classifyError (retry.ts brings p-retry into every action's entry): the codes a dropped connection shows.
  if (/fetch failed|socket|ECONN|EPIPE|ETIMEDOUT|EAI_AGAIN|UND_ERR/i.test(text)) {
    return new ExpeditorError(`a connection to a server failed and did not recover: ${text}`, {
      cause: error,
      next: 'run the job again; if it keeps failing, check the network path to the cluster or AWS (proxy, firewall, VPN)',
    });
  }
  return new ExpeditorError(`stopped on an unexpected error: ${text}`, {
    cause: error,
    next: 'this is a bug in Expeditor: please report it with the debug log of this step (ACTIONS_STEP_DEBUG)',
  });
}
