// The step summary of a deployment-record run: the gate passed, the Deployment started, or the
// rollback recorded (a finish, a hold or a check writes none). Built here, written by the edge (action.ts).
import { Summary, type Cell } from '@expeditor/shared/summary';
import type { RecordReport } from './record.ts';

export function recordSummary(report: RecordReport): Summary | undefined {
  switch (report.mode) {
    case 'gate': {
      const { from, to, passed } = report;
      const url: (readonly [string, Cell])[] = passed.environmentUrl
        ? [[from, { text: passed.environmentUrl, href: passed.environmentUrl }]]
        : [];
      return new Summary()
        .heading(`Promotion gate ${from} → ${to}: passed`, 3)
        .facts([
          ['image', passed.payload.image],
          ['commit', passed.sha],
          [`passed ${from}`, `${passed.passedAt} (deployment ${passed.id})`],
          ...url,
        ]);
    }
    case 'start': {
      const { plan } = report;
      return new Summary().heading(`Deployment to ${report.environment} recorded`, 3).facts([
        ['environment', report.environment],
        ['image', report.image],
        ['commit', report.sha],
        ['platform', [plan.platform, plan.strategy, plan.route].filter(Boolean).join(', ') || undefined],
        ['promotion gate', plan.promoteFrom ? `passed ${plan.promoteFrom} (deployment ${report.passed?.id})` : 'none (no promote-from)'],
        ['GitHub Deployment', String(report.deploymentId)],
      ]);
    }
    case 'rollback': {
      const { current, previous } = report;
      return new Summary().heading(`Rollback of ${report.environment} recorded`, 3).facts([
        ['from', `${current.payload.image} (deployment ${current.id})`],
        ['to', `${previous.payload.image} (deployment ${previous.id}, commit ${previous.sha})`],
        ['GitHub Deployment', String(report.deploymentId)],
      ]);
    }
    case 'finish':
    case 'hold':
    case 'check':
      return undefined;
  }
}
