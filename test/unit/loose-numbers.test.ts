// Numbers in inputs are decimal digits: Number() alone would read 0x50 as 80, 1e1 as 10, and round
// 9007199254740993 to another deployment id.
import { describe, expect, it } from 'vitest';
import { readEksSwitchInputs } from '../../actions/bluegreen-switch/src/eks/inputs.ts';
import type { ProblemsError } from '@expeditor/shared/errors';
import { ActionInputs, inputEnv } from '@expeditor/shared/inputs';

function problems(read: (inputs: ActionInputs) => void, values: Record<string, string>): string[] {
  const inputs = new ActionInputs(inputEnv(values));
  try {
    read(inputs);
    inputs.done('test');
    return [];
  } catch (error) {
    return (error as ProblemsError).problems.map((p) => p.message);
  }
}

describe('integer inputs', () => {
  const port = (value: string) => {
    let got: number | undefined;
    const found = problems((inputs) => (got = inputs.integer('container-port', { min: 1, max: 65535 })), { 'container-port': value });
    return { got, found };
  };

  it.each([
    ['80', 80],
    ['8080', 8080],
  ])('%s is %d', (value, n) => {
    expect(port(value)).toEqual({ got: n, found: [] });
  });

  it.each(['0x50', '1e2', '0b1010', '80.0', '+80', 'Infinity', '9007199254740993'])('%s is refused', (value) => {
    expect(port(value).found).toEqual([expect.stringMatching(/^input 'container-port': expected a whole number in decimal digits/)]);
  });
});

describe('canary weights', () => {
  const canary = (value: string) => problems((inputs) => readEksSwitchInputs(inputs, {}), { canary: value });

  it.each(['10,50,100', '10%, 50%, 100%', '25 100'])('%s is taken', (value) => {
    expect(canary(value)).toEqual([]);
  });

  it.each(['0x0A,100', '1e1,100', '0b1010,100', '10.5,100'])('%s is refused', (value) => {
    expect(canary(value)).toEqual([expect.stringMatching(/^input 'canary': expected whole percentages in decimal digits/)]);
  });
});
