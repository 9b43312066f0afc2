// Conditions on a measurement's `result` (`result >= 0.95`, `result[0] < 5`, `len(result) == 0`):
// parsed by jsep into a tree, checked once against a short list of what is allowed, then
// evaluated by the small interpreter below. Nothing is ever handed to eval or Function, and no
// name but `result` and the functions listed here can be reached, so a condition from a file or
// an input cannot touch anything else.
import jsep from 'jsep';

// Argo's expressions read `and`, `or`, `not` as well as the symbols; same precedence as && || !.
jsep.addBinaryOp('and', 2);
jsep.addBinaryOp('or', 1);
jsep.addUnaryOp('not');

export type Value = number | string | boolean | null | undefined | readonly Value[] | { readonly [key: string]: Value };

/** A condition that parsed; evaluate() throws EvaluationError when it cannot be decided for a result. */
export interface Condition {
  readonly text: string;
  evaluate(result: Value): boolean;
}

/** The condition does not parse, or uses something that is not allowed (the message says what). */
export class ConditionSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConditionSyntaxError';
  }
}

/** The condition parsed but cannot be decided for this result (an index out of range, a string compared with <). */
export class EvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvaluationError';
  }
}

type Node = jsep.Expression;
type Eval = (result: Value) => Value;

const binary: Record<string, (a: Value, b: Value) => Value> = {
  '+': (a, b) => num(a, '+') + num(b, '+'),
  '-': (a, b) => num(a, '-') - num(b, '-'),
  '*': (a, b) => num(a, '*') * num(b, '*'),
  '/': (a, b) => num(a, '/') / num(b, '/'),
  '%': (a, b) => num(a, '%') % num(b, '%'),
  '<': (a, b) => order(a, b, '<') < 0,
  '<=': (a, b) => order(a, b, '<=') <= 0,
  '>': (a, b) => order(a, b, '>') > 0,
  '>=': (a, b) => order(a, b, '>=') >= 0,
  '==': (a, b) => same(a, b),
  '!=': (a, b) => !same(a, b),
};

const functions: Record<string, { arity: [number, number]; fn: (...args: Value[]) => Value }> = {
  len: {
    arity: [1, 1],
    fn: (x) => (Array.isArray(x) || typeof x === 'string' ? x.length : fail(`len() takes a list or a string, got ${kind(x)}`)),
  },
  isNaN: { arity: [1, 1], fn: (x) => typeof x === 'number' && Number.isNaN(x) },
  abs: { arity: [1, 1], fn: (x) => Math.abs(num(x, 'abs()')) },
  min: { arity: [1, 20], fn: (...xs) => Math.min(...numbers(xs, 'min()')) },
  max: { arity: [1, 20], fn: (...xs) => Math.max(...numbers(xs, 'max()')) },
  sum: { arity: [1, 1], fn: (x) => numbers([x], 'sum()').reduce((a, b) => a + b, 0) },
};

/** Parses and checks `text`; throws ConditionSyntaxError saying what is wrong and where. */
export function parseCondition(text: string): Condition {
  let tree: Node;
  try {
    tree = jsep(text);
  } catch (error) {
    throw new ConditionSyntaxError(`cannot be parsed: ${(error as Error).message}`);
  }
  const run = compile(tree);
  return {
    text,
    evaluate(result) {
      const value = run(result);
      if (typeof value !== 'boolean') throw new EvaluationError(`gave ${kind(value)} ${show(value)}, not true or false`);
      return value;
    },
  };
}

function compile(node: Node): Eval {
  switch (node.type) {
    case 'Literal': {
      const value = (node as jsep.Literal).value;
      if (value instanceof RegExp) throw new ConditionSyntaxError('regular expressions are not supported');
      return () => value as Value;
    }
    case 'Identifier': {
      const name = (node as jsep.Identifier).name;
      if (name === 'result') return (result) => result;
      if (name === 'true' || name === 'false') return () => name === 'true';
      throw new ConditionSyntaxError(`unknown name '${name}' (a condition reads only 'result')`);
    }
    case 'MemberExpression': {
      const member = node as jsep.MemberExpression;
      const object = compile(member.object);
      if (!member.computed) {
        const name = (member.property as jsep.Identifier).name;
        return (result) => field(object(result), name);
      }
      const index = compile(member.property);
      return (result) => {
        const key = index(result);
        return typeof key === 'string' ? field(object(result), key) : element(object(result), key);
      };
    }
    case 'UnaryExpression': {
      const unary = node as jsep.UnaryExpression;
      const argument = compile(unary.argument);
      if (unary.operator === '!' || unary.operator === 'not') return (result) => !bool(argument(result), unary.operator);
      if (unary.operator === '-') return (result) => -num(argument(result), '-');
      if (unary.operator === '+') return (result) => num(argument(result), '+');
      throw new ConditionSyntaxError(`operator '${unary.operator}' is not supported`);
    }
    case 'BinaryExpression': {
      const b = node as jsep.BinaryExpression;
      const left = compile(b.left);
      const right = compile(b.right);
      // Short-circuit like the languages people copy conditions from: `len(result) > 0 && result[0] < 5`.
      if (b.operator === '&&' || b.operator === 'and') return (r) => bool(left(r), b.operator) && bool(right(r), b.operator);
      if (b.operator === '||' || b.operator === 'or') return (r) => bool(left(r), b.operator) || bool(right(r), b.operator);
      const op = binary[b.operator];
      if (!op) throw new ConditionSyntaxError(`operator '${b.operator}' is not supported (use < <= > >= == != && || ! + - * / %)`);
      return (r) => op(left(r), right(r));
    }
    case 'ConditionalExpression': {
      const c = node as jsep.ConditionalExpression;
      const test = compile(c.test);
      const yes = compile(c.consequent);
      const no = compile(c.alternate);
      return (r) => (bool(test(r), '?') ? yes(r) : no(r));
    }
    case 'CallExpression': {
      const call = node as jsep.CallExpression;
      const name = call.callee.type === 'Identifier' ? (call.callee as jsep.Identifier).name : '';
      const f = Object.hasOwn(functions, name) ? functions[name] : undefined;
      if (!f) {
        const have = Object.keys(functions).join(', ');
        throw new ConditionSyntaxError(name ? `unknown function '${name}' (have: ${have})` : `only these functions can be called: ${have}`);
      }
      const [least, most] = f.arity;
      if (call.arguments.length < least || call.arguments.length > most) {
        throw new ConditionSyntaxError(
          `${name}() takes ${least === most ? least : `${least} to ${most}`} argument${most === 1 ? '' : 's'}`,
        );
      }
      const args = call.arguments.map(compile);
      return (r) => f.fn(...args.map((a) => a(r)));
    }
    case 'ArrayExpression': {
      const items = (node as jsep.ArrayExpression).elements.map((e) => (e ? compile(e) : () => null));
      return (r) => items.map((i) => i(r));
    }
    case 'Compound':
      throw new ConditionSyntaxError('expected one expression (found several, separated by , or ;)');
    default:
      throw new ConditionSyntaxError(`${node.type} is not supported`);
  }
}

function fail(message: string): never {
  throw new EvaluationError(message);
}

function kind(value: Value): string {
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value === null || value === undefined) return 'nothing';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function show(value: Value): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function num(value: Value, where: string): number {
  if (typeof value === 'number') return value;
  // Sources that answer text (Prometheus gives "0.97") are read as numbers when they are numbers.
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return fail(`${where} needs a number, got ${kind(value)} ${show(value)}`);
}

function numbers(values: readonly Value[], where: string): number[] {
  const flat = values.length === 1 && Array.isArray(values[0]) ? (values[0] as readonly Value[]) : values;
  if (flat.length === 0) fail(`${where} of an empty list`);
  return flat.map((v) => num(v, where));
}

function bool(value: Value, where: string): boolean {
  if (typeof value === 'boolean') return value;
  return fail(`'${where}' needs true or false, got ${kind(value)} ${show(value)}`);
}

function order(a: Value, b: Value, op: string): number {
  if (typeof a === 'string' && typeof b === 'string' && Number.isNaN(Number(a))) return a < b ? -1 : a > b ? 1 : 0;
  const x = num(a, op);
  const y = num(b, op);
  // NaN compares false every way round, as in every language people write conditions in.
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  return x - y;
}

function same(a: Value, b: Value): boolean {
  if (typeof a === 'number' && typeof b === 'string') return a === num(b, '==');
  if (typeof a === 'string' && typeof b === 'number') return num(a, '==') === b;
  return a === b;
}

function element(value: Value, index: Value): Value {
  if (!Array.isArray(value)) return fail(`cannot index ${kind(value)} with [${show(index)}]`);
  if (typeof index !== 'number' || !Number.isInteger(index)) return fail(`a list index must be a whole number, got ${show(index)}`);
  const i = index < 0 ? value.length + index : index;
  if (i < 0 || i >= value.length)
    return fail(`index ${index} is out of range: the result has ${value.length} element${value.length === 1 ? '' : 's'}`);
  return value[i] as Value;
}

function field(value: Value, name: string): Value {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, name)) {
    return fail(`${kind(value)} has no field '${name}'`);
  }
  return (value as { readonly [key: string]: Value })[name];
}
