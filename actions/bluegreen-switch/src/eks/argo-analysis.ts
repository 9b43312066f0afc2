// The Rollout's own AnalysisRuns (Argo Rollouts' pre- and post-promotion analysis), followed while
// a promotion or abort settles: one line per change of each run's phase, and a failed or errored
// run named in the switch's failure with the metric and measurement that decided it.

export interface AnalysisRun {
  metadata?: { name?: string; uid?: string; labels?: Record<string, string>; ownerReferences?: { uid?: string }[] };
  status?: {
    phase?: string;
    message?: string;
    metricResults?: {
      name?: string;
      phase?: string;
      message?: string;
      measurements?: { phase?: string; value?: string; message?: string }[];
    }[];
  };
}

/** Runs of the Rollout with this uid (Argo makes the Rollout their owner). */
export function ownedRuns(runs: readonly AnalysisRun[], rolloutUid: string | undefined): AnalysisRun[] {
  return runs.filter((run) => run.metadata?.ownerReferences?.some((o) => o.uid === rolloutUid));
}

/** `success-rate Failed (value 0.42)`: each metric's verdict and its last measurement. */
function metricsText(run: AnalysisRun): string {
  return (run.status?.metricResults ?? [])
    .map((m) => {
      const last = m.measurements?.at(-1);
      const detail = [last?.value !== undefined ? `value ${last.value}` : '', last?.message ?? m.message ?? ''].filter(Boolean).join(', ');
      return `${m.name ?? 'metric'} ${m.phase ?? 'Pending'}${detail ? ` (${detail})` : ''}`;
    })
    .join('; ');
}

/** The line for the log: `AnalysisRun shop-6d4f-2-pre: Running (success-rate Running)`. */
export function analysisRunLine(run: AnalysisRun): string {
  const phase = run.status?.phase || 'Pending';
  const metrics = metricsText(run);
  const message = run.status?.message;
  return `AnalysisRun ${run.metadata?.name ?? ''}: ${phase}${message ? ` — ${message}` : ''}${metrics ? ` (${metrics})` : ''}`;
}

/** The runs that failed or errored, each as a sentence naming it; empty when none did. */
export function failedRuns(runs: readonly AnalysisRun[]): string[] {
  return runs.filter((run) => run.status?.phase === 'Failed' || run.status?.phase === 'Error').map(analysisRunLine);
}
