// The step summary of a build-image run: the image by digest, its tags, size and how it was
// built (or that it was reused), or why the run failed with the tail of the build log. Built
// here, written by the edge (action.ts).
import { formatDuration } from '@expeditor/shared/deadline';
import { formatFailure } from '@expeditor/shared/errors';
import { Summary, type Cell } from '@expeditor/shared/summary';
import type { BuildImageResult } from './build-or-reuse.ts';
import { BuildFailedError } from './builders.ts';

/** The facts table of a run that produced an image. */
export function summaryRows(result: BuildImageResult): [string, Cell][] {
  const build = result.reusedByInputs
    ? `reused ${result.inputsTag}${result.reusedFrom ? `, built for commit ${result.reusedFrom}` : ''}`
    : result.skipped
      ? 'reused'
      : `${formatDuration(result.buildMs ?? 0)} (${result.builder})${result.pushMs !== undefined ? `, push ${formatDuration(result.pushMs)}` : ''}`;
  return [
    ['Image', `\`${result.image}\``],
    ['Digest', `\`${result.digest}\``],
    ['Tags', result.tags.join(', ')],
    ['Size', result.sizeBytes === undefined ? undefined : formatSize(result.sizeBytes)],
    ['Build', build],
    ['Image time', result.created],
    ['Attestations', result.attestations],
    // Only when reuse by inputs is on: the summaries of runs without it stay as they were.
    ...(result.inputsTag ? [['Inputs tag', result.inputsTag] as [string, Cell]] : []),
    ['Repository from', result.repositoryFrom],
  ];
}

export function buildImageSummary(outcome: { result: BuildImageResult } | { error: unknown }): Summary {
  const summary = new Summary().heading('build-image');
  if ('result' in outcome) {
    const { result } = outcome;
    summary.facts(summaryRows(result));
    if (result.reusedByInputs) {
      summary.paragraph(
        `Reused: ${result.repository}:${result.inputsTag} was built before from the same inputs (${result.reusedFrom ? `for commit ${result.reusedFrom}` : 'another commit'}); it was tagged ${result.tag}: nothing was built or pushed.`,
      );
    } else if (result.skipped)
      summary.paragraph(`Reused: ${result.repository}:${result.tag} already existed: nothing was built or pushed.`);
    return summary;
  }
  summary.paragraph(`Failed: ${formatFailure(outcome.error)}`);
  const tail = outcome.error instanceof BuildFailedError ? outcome.error.tail : [];
  if (tail.length) summary.details(`Build log (last ${tail.length} lines)`, tail.join('\n'));
  return summary;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
