// The analysis in the step summary: one row per evaluation (moment, check, value, condition,
// verdict), so a person sees what was measured and why the switch went on or came back.
import type { Summary } from '@expeditor/shared/summary';
import type { Evaluation } from './run.ts';

/** How many rows a summary shows: a long post window would bury the rest. */
const maxRows = 200;

export function analysisTable(summary: Summary, evaluations: readonly Evaluation[]): Summary {
  if (evaluations.length === 0) return summary;
  const shown = evaluations.length > maxRows ? [...evaluations.slice(0, maxRows / 2), ...evaluations.slice(-maxRows / 2)] : evaluations;
  summary.heading('Analysis', 3).table(
    ['moment', 'check', 'value', 'condition', 'verdict', 'at'],
    shown.map((e) => [e.label ? `${e.moment} (${e.label})` : e.moment, e.check, e.value, e.condition, e.verdict, e.at.toISOString()]),
  );
  if (shown.length < evaluations.length) summary.paragraph(`${evaluations.length - shown.length} evaluations in the middle are left out.`);
  return summary;
}
