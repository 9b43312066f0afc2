import { describe, expect, it } from 'vitest';
import { ConditionSyntaxError, EvaluationError, parseCondition, type Value } from '../../packages/analysis/src/condition.ts';

describe('analysis conditions', () => {
  it.each<[string, Value, boolean]>([
    ['result >= 0.95', 0.97, true],
    ['result >= 0.95', 0.9, false],
    ['result >= 0.95', '0.97', true],
    ['result[0] < 5', [3, 9], true],
    ['result[-1] < 5', [3, 9], false],
    ['len(result) == 0', [], true],
    ['len(result) > 0 && result[0] < 5', [], false],
    ['result == 0 or result > 10', 11, true],
    ['not (result > 1)', 0, true],
    ['!(result > 1) and result != 0', 0, false],
    ['result >= 200 && result < 300', 204, true],
    ['isNaN(result) || result < 1', Number.NaN, true],
    ['result < 1', Number.NaN, false],
    ['max(result) - min(result) <= 0.1', [0.9, 0.95], true],
    ['sum(result) / len(result) > 0.5', [1, 0], false],
    ['abs(result - 1) < 0.01', 1.001, true],
    ['result.rate > 0.9', { rate: 0.95 }, true],
    ['result > 0.5 ? result < 0.9 : false', 0.7, true],
    ['result == "ok"', 'ok', true],
  ])('%s with %j is %s', (text, result, expected) => {
    expect(parseCondition(text).evaluate(result)).toBe(expected);
  });

  it.each([
    ['result >=', /cannot be parsed/],
    ['process.exit(1)', /only these functions can be called/],
    ['process', /unknown name 'process'/],
    ['constructor', /unknown name 'constructor'/],
    ['result.constructor.name', /./],
    ['eval("1")', /unknown function 'eval'/],
    ['len(result, 2)', /len\(\) takes 1 argument/],
    ['result | 1', /operator '\|' is not supported/],
    ['result = 1', /cannot be parsed|not supported/],
    ['this', /ThisExpression is not supported/],
    ['result > 1; result < 2', /one expression/],
  ])('refuses %s', (text, message) => {
    if (text === 'result.constructor.name') {
      // Parses (a field), but no object's inherited fields are reachable.
      expect(() => parseCondition(text).evaluate({})).toThrow(EvaluationError);
      return;
    }
    expect(() => parseCondition(text)).toThrow(ConditionSyntaxError);
    expect(() => parseCondition(text)).toThrow(message);
  });

  it.each<[string, Value, RegExp]>([
    ['result[0] < 5', [], /index 0 is out of range: the result has 0 elements/],
    ['result < 5', 'high', /needs a number, got a string/],
    ['result', 1, /gave a number 1, not true or false/],
    ['result[0] < 5', 3, /cannot index a number/],
    ['result && true', 1, /needs true or false/],
  ])('%s with %j cannot be decided: %s', (text, result, message) => {
    expect(() => parseCondition(text).evaluate(result)).toThrow(EvaluationError);
    expect(() => parseCondition(text).evaluate(result)).toThrow(message);
  });
});
