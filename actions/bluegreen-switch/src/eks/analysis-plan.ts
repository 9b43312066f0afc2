// Which analysis a switch runs, decided with the other inputs before any network call: the
// analysis input (YAML, the environment file's shape) wins over the environment's section, and
// every problem in either is reported with the other inputs' problems, naming the input or key.
import { planAnalysis, type CheckPlan } from '@expeditor/analysis/plan';
import { parseAnalysisInput, type AnalysisConfig } from '@expeditor/shared/config';
import { ExpeditorError, InputError, ProblemsError } from '@expeditor/shared/errors';
import type { Settings } from '@expeditor/shared/settings';
import type { SwitchAction } from './types.ts';

export function planSwitchAnalysis(p: {
  input: string | undefined;
  file: AnalysisConfig | undefined;
  environment: string | undefined;
  action: SwitchAction;
  settings: Settings;
  problems: ExpeditorError[];
}): CheckPlan[] | undefined {
  if (p.input && p.action !== 'switch') {
    p.problems.push(new InputError('analysis', `is only used by action 'switch' (a ${p.action} runs no analysis)`));
    return undefined;
  }
  // A rollback or cleanup is the way back: it does not wait on the checks that may have sent it.
  if (p.action !== 'switch') return undefined;
  const key = `environments.${p.environment}.analysis`;
  try {
    const checks = p.input
      ? planAnalysis(parseAnalysisInput(p.input, 'analysis'), { input: 'analysis' })
      : p.file
        ? planAnalysis(p.file, { key })
        : undefined;
    if (checks) {
      const shown = checks.map((c) => `${c.name} (${c.source.provider}, ${c.at.join('/')})`).join(', ');
      p.settings.derive('analysis', shown, p.input ? "input 'analysis'" : key);
    }
    return checks;
  } catch (error) {
    if (error instanceof ProblemsError) p.problems.push(...error.problems);
    else if (error instanceof ExpeditorError) p.problems.push(error);
    else throw error;
    return undefined;
  }
}
