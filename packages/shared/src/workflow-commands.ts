// The runner's workflow commands, written as @actions/core 3 writes them (lib/command.js,
// lib/file-command.js, lib/core.js), without loading @actions/core: it pulls in its HTTP client
// (undici) at start-up, ~450 KiB of every entry bundle and most of a bad-input exit's time.
// Log commands are stdout lines `::name key=value,key=value::message`; outputs and exported
// variables are `NAME<<delimiter` blocks appended to the files GITHUB_OUTPUT and GITHUB_ENV name.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { EOL } from 'node:os';

/** Where an annotation points, as @actions/core's AnnotationProperties. */
export interface AnnotationProperties {
  title?: string;
  file?: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
}

const write = (text: string): void => {
  process.stdout.write(text);
};

/** A message as the runner reads it back: `%`, CR and LF escaped. */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value: as data, and `:` and `,` too, which end a value. */
export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::name key=value,...::message`; empty property values are left out, as @actions/core does. */
export function formatCommand(name: string, properties: Record<string, string | number | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`);
  return `::${name}${props.length ? ` ${props.join(',')}` : ''}::${escapeData(message)}`;
}

export function issueCommand(name: string, properties: Record<string, string | number | undefined>, message: string): void {
  write(formatCommand(name, properties, message) + EOL);
}

export function info(message: string): void {
  write(message + EOL);
}

export function debug(message: string): void {
  issueCommand('debug', {}, message);
}

function annotation(where: AnnotationProperties): Record<string, string | number | undefined> {
  // The runner's property names, in @actions/core's order.
  return {
    title: where.title,
    file: where.file,
    line: where.startLine,
    endLine: where.endLine,
    col: where.startColumn,
    endColumn: where.endColumn,
  };
}

export function warning(message: string, where: AnnotationProperties = {}): void {
  issueCommand('warning', annotation(where), message);
}

export function error(message: string, where: AnnotationProperties = {}): void {
  issueCommand('error', annotation(where), message);
}

export function startGroup(name: string): void {
  issueCommand('group', {}, name);
}

export function endGroup(): void {
  issueCommand('endgroup', {}, '');
}

/** Masks the value in every later line of the job's log. */
export function setSecret(secret: string): void {
  issueCommand('add-mask', {}, secret);
}

/** Fails the step: exit code 1 and the message as an error annotation. */
export function setFailed(message: string): void {
  process.exitCode = 1;
  error(message);
}

/**
 * `name<<delimiter␤value␤delimiter`, with a fresh random delimiter, refusing a name or value that
 * contains it (as @actions/core does).
 */
export function keyValueMessage(name: string, value: string, delimiter = `ghadelimiter_${randomUUID()}`): string {
  if (name.includes(delimiter)) throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
  if (value.includes(delimiter)) throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
  return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}`;
}

/**
 * Appends to the file GITHUB_<command> names. Without that variable the value is not written
 * and a warning says so; the old stdout commands are not used as @actions/core does: `set-env`
 * is disabled on runners (it fails the step) and `set-output` is deprecated, every runner that
 * runs node24 actions sets both files, and outside a runner they would print the values, such as
 * assume-env's credentials, in the clear. Returns whether it wrote.
 */
function fileCommand(command: 'OUTPUT' | 'ENV', name: string, value: string): boolean {
  const path = process.env[`GITHUB_${command}`];
  if (!path) {
    const what = command === 'OUTPUT' ? `output '${name}' not set` : `variable '${name}' not exported to later steps`;
    warning(`${what}: GITHUB_${command} is not set (not on an Actions runner?)`);
    return false;
  }
  if (!existsSync(path)) throw new Error(`Missing file at path: ${path}`);
  appendFileSync(path, `${keyValueMessage(name, value)}${EOL}`, { encoding: 'utf8' });
  return true;
}

/** A step output (GITHUB_OUTPUT). */
export function setOutput(name: string, value: string): void {
  fileCommand('OUTPUT', name, value);
}

/** A variable for this step's process and the job's later steps (GITHUB_ENV). */
export function exportVariable(name: string, value: string): void {
  process.env[name] = value;
  fileCommand('ENV', name, value);
}
