// writeSignal: a write refused before it is sent once the run has stopped (naming what is
// unchanged), and otherwise sent under its own deadline, not the run's signal.
import { describe, expect, it } from 'vitest';
import { cancelledLeaving, writeSignal } from '../../packages/shared/src/cancel-write.ts';
import { CancelledError, DeadlineError } from '../../packages/shared/src/deadline.ts';
import { ExpeditorError } from '../../packages/shared/src/errors.ts';

describe('writeSignal', () => {
  it('refuses the write when the run was already cancelled, saying before what and what is unchanged', () => {
    const run = new AbortController();
    run.abort(new CancelledError('SIGTERM'));
    let thrown: unknown;
    try {
      writeSignal(run.signal, 'ecs:UpdateService', 'the service still runs td:1');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ExpeditorError);
    expect(thrown).toMatchObject({
      message: 'the run was cancelled (SIGTERM), before ecs:UpdateService',
      unchanged: 'the service still runs td:1',
    });
    expect((thrown as Error).cause).toBeInstanceOf(CancelledError);
  });

  it("keeps the deadline's advice when the deadline stopped the run", () => {
    const run = new AbortController();
    run.abort(new DeadlineError(60_000));
    expect(() => writeSignal(run.signal, 'codedeploy:CreateDeployment')).toThrow(
      expect.objectContaining({
        message: 'the deadline of 1 min ran out, before codedeploy:CreateDeployment',
        next: expect.stringContaining('timeout'),
      }),
    );
  });

  it('a write already under way is not aborted by the stop, only once its grace has passed, with the run’s reason', async () => {
    const run = new AbortController();
    const signal = writeSignal(run.signal, 'ecs:UpdateService', undefined, 30);
    run.abort(new CancelledError('SIGTERM'));
    expect(signal.aborted).toBe(false);
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    expect(signal.reason).toBeInstanceOf(CancelledError);
  });

  it('has no deadline of its own while the run goes on, nor without a run signal', () => {
    expect(writeSignal(new AbortController().signal, 'x', undefined, 0).aborted).toBe(false);
    expect(writeSignal(undefined, 'x').aborted).toBe(false);
  });
});

describe('cancelledLeaving', () => {
  const rethrown = (error: unknown): unknown => {
    try {
      cancelledLeaving('nothing was registered or deployed')(error);
    } catch (thrown) {
      return thrown;
    }
    return undefined;
  };

  it('gives a bare cancellation the state the phase leaves', () => {
    expect(rethrown(new CancelledError('SIGINT'))).toMatchObject({
      message: 'the run was cancelled (SIGINT)',
      unchanged: 'nothing was registered or deployed',
    });
  });

  it('with what to do about what was left, when the phase leaves something held', () => {
    let thrown: unknown;
    try {
      cancelledLeaving('deployment d-1 stays at Ready', 'run the switch again')(new CancelledError('SIGTERM'));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ unchanged: 'deployment d-1 stays at Ready', next: 'run the switch again' });
    expect(rethrown(new CancelledError('SIGTERM'))).not.toHaveProperty('next', expect.anything());
  });

  it('gives the run’s deadline the state the phase leaves too, its own advice after what to do about it', () => {
    expect(rethrown(new DeadlineError(60_000))).toMatchObject({
      message: 'the deadline of 1 min ran out',
      unchanged: 'nothing was registered or deployed',
      next: "raise the 'timeout' input if the platform needs longer, or look at why it is slow",
    });
    let thrown: unknown;
    try {
      cancelledLeaving('deployment d-1 stays at Ready', 'run the switch again')(new DeadlineError(60_000));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({
      unchanged: 'deployment d-1 stays at Ready',
      next: "run the switch again; raise the 'timeout' input if the platform needs longer, or look at why it is slow",
    });
  });

  it('leaves any other error as it is', () => {
    const other = new ExpeditorError('x', { unchanged: 'y' });
    expect(rethrown(other)).toBe(other);
    const plain = new Error('boom');
    expect(rethrown(plain)).toBe(plain);
  });
});
