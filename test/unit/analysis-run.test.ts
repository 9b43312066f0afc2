// The measuring loop of one moment, with sources scripted by the test (the Source interface is
// the analysis package's own seam; the real providers are tested on the bed).
import { describe, expect, it } from 'vitest';
import { memoryLog } from '../../packages/shared/src/log.ts';
import { CancelledError } from '../../packages/shared/src/deadline.ts';
import { parseCondition, type Value } from '../../packages/analysis/src/condition.ts';
import type { CheckPlan } from '../../packages/analysis/src/plan.ts';
import { type Evaluation, type ReadyCheck, runMoment } from '../../packages/analysis/src/run.ts';
import { describeOutcome } from '../../packages/analysis/src/analysis.ts';
import { checkOrigin } from '../../packages/analysis/src/plan.ts';

type Step = Value | Error;

/** A check whose source answers `steps` in turn (an Error: the source did not answer), then the last one forever. */
function scripted(name: string, steps: Step[], over: Partial<CheckPlan> = {}): ReadyCheck & { calls: number } {
  const check = {
    calls: 0,
    plan: {
      name,
      origin: checkOrigin({ input: 'analysis' }, 'checks.0'),
      at: ['pre', 'step', 'post'],
      source: { provider: 'http', url: 'http://x/', timeoutMs: 1000 },
      success: parseCondition('result >= 0.95'),
      failure: undefined,
      intervalMs: 1,
      limits: { count: 3, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 2 },
      ...over,
    } as CheckPlan,
    source: {
      verify: async () => undefined,
      measure: async () => {
        const step = steps[Math.min(check.calls++, steps.length - 1)];
        if (step instanceof Error) throw step;
        return { value: step ?? null, shown: JSON.stringify(step) };
      },
    },
  };
  return check;
}

function run(checks: ReadyCheck[], signal = new AbortController().signal) {
  const evaluations: Evaluation[] = [];
  const log = memoryLog();
  const outcome = runMoment(checks, 'post', {
    args: { color: 'green', service: 'shop', namespace: 'prod' },
    log,
    signal,
    record: (e) => evaluations.push(e),
  });
  return { outcome, evaluations, log };
}

describe('running the checks of a moment', () => {
  it('passes after count measurements, each one logged and recorded', async () => {
    const { outcome, evaluations, log } = run([scripted('rate', [0.99, 0.97, 0.96])]);
    expect(await outcome).toMatchObject({ moment: 'post', state: 'passed', decisive: undefined });
    expect(evaluations.map((e) => [e.check, e.value, e.condition, e.verdict])).toEqual([
      ['rate', '0.99', 'success: result >= 0.95', 'passed'],
      ['rate', '0.97', 'success: result >= 0.95', 'passed'],
      ['rate', '0.96', 'success: result >= 0.95', 'passed'],
    ]);
    expect(log.lines).toEqual([
      'post rate: 0.99: result >= 0.95 is true → passed (1 of 3)',
      'post rate: 0.97: result >= 0.95 is true → passed (2 of 3)',
      'post rate: 0.96: result >= 0.95 is true → passed (3 of 3)',
    ]);
  });

  it('an error is measured again and does not count; too many in a row end the check inconclusive', async () => {
    const flaky = scripted('rate', [new Error('ECONNRESET'), 0.99, 0.99, 0.99]);
    expect(await run([flaky]).outcome).toMatchObject({ state: 'passed' });
    expect(flaky.calls).toBe(4);
    const gone = run([scripted('rate', [0.99, new Error('connect ECONNREFUSED')])]);
    const outcome = await gone.outcome;
    expect(outcome.state).toBe('error');
    expect(describeOutcome(outcome)).toBe(
      'check rate was inconclusive (its source did not answer): inconclusive: 3 measurements in a row could not be taken (limit 2); last: the source did not answer: connect ECONNREFUSED',
    );
    expect(gone.evaluations.map((e) => e.verdict)).toEqual(['passed', 'error', 'error', 'error']);
  });

  it('a result the condition cannot decide is an error, not a failure', async () => {
    const { outcome, evaluations } = run([
      scripted('rate', [[]], {
        success: parseCondition('result[0] >= 0.95'),
        limits: { count: 1, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 0 },
      }),
    ]);
    expect((await outcome).state).toBe('error');
    expect(evaluations[0]).toMatchObject({ value: '[]', verdict: 'error' });
  });

  it('with both conditions, neither holding is inconclusive', async () => {
    const { outcome } = run([scripted('rate', [0.9], { failure: parseCondition('result < 0.8') })]);
    expect(describeOutcome(await outcome)).toBe(
      'check rate was inconclusive: 1 inconclusive measurement (limit 0); last: 0.9: result >= 0.95 is false, result < 0.8 is false',
    );
  });

  it('the first check to fail stops the others at once', async () => {
    const slow = scripted('alarms', [0.99], {
      intervalMs: 60_000,
      limits: { count: 5, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4 },
    });
    const failing = scripted('rate', [0.99, 0.5]);
    const outcome = await run([slow, failing]).outcome;
    expect(outcome.state).toBe('failed');
    expect(outcome.decisive).toMatchObject({ check: 'rate', state: 'failed', last: { value: '0.5', verdict: 'failed' } });
    expect(outcome.checks.find((c) => c.check === 'alarms')).toMatchObject({
      state: 'running',
      detail: expect.stringMatching(/^stopped: /),
    });
    expect(slow.calls).toBe(1);
  });

  it('failure-limit tolerates that many failed measurements', async () => {
    const within = scripted('rate', [0.5, 0.99, 0.99], {
      limits: { count: 3, failureLimit: 1, inconclusiveLimit: 0, consecutiveErrorLimit: 4 },
    });
    expect((await run([within]).outcome).state).toBe('passed');
  });

  it('a cancelled run stops the checks and throws its reason', async () => {
    const controller = new AbortController();
    const waiting = scripted('rate', [0.99], {
      intervalMs: 60_000,
      limits: { count: 5, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4 },
    });
    const { outcome } = run([waiting], controller.signal);
    await new Promise((r) => setTimeout(r, 5));
    controller.abort(new CancelledError('SIGTERM'));
    await expect(outcome).rejects.toThrow('the run was cancelled (SIGTERM)');
  });
});
