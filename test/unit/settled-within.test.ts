// A read-back after a run stopped must not hold the run's end: settledWithin gives the value, or
// undefined when the read fails or has not answered within its time.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { settledWithin } from '../../packages/shared/src/deadline.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('settledWithin', () => {
  it('gives the value of a read that answers in time', async () => {
    await expect(settledWithin(Promise.resolve('blue'), 8_000)).resolves.toBe('blue');
  });

  it('gives undefined for a read that fails', async () => {
    await expect(settledWithin(Promise.reject(new Error('503')), 8_000)).resolves.toBeUndefined();
  });

  it('gives undefined once the time is up when the server holds its answer', async () => {
    vi.useFakeTimers();
    const held = new Promise<string>(() => {});
    const result = settledWithin(held, 8_000);
    let settled = false;
    void result.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(7_999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBeUndefined();
  });
});
