// Explicit inputs win over the environment file, and the summary says where each value came from.

export type Source = 'input' | 'file' | 'default' | 'derived';

export interface Provenance {
  name: string;
  value: string;
  source: Source;
  /** The input name or config key it came from. */
  from: string;
}

export class Settings {
  readonly provenance: Provenance[] = [];

  /** The input value if given, else the file value, else the default; recorded for the summary. */
  pick<T extends string | number | boolean>(
    name: string,
    input: { name: string; value: T | undefined },
    file: { key: string; value: T | undefined } | undefined,
    fallback?: T,
  ): T | undefined {
    if (input.value !== undefined && input.value !== '') return this.record(name, input.value, 'input', `input '${input.name}'`);
    if (file && file.value !== undefined) return this.record(name, file.value, 'file', file.key);
    if (fallback !== undefined) return this.record(name, fallback, 'default', 'default');
    return undefined;
  }

  /** A value worked out from others (an account from a role ARN, a session name from the run). */
  derive<T extends string | number | boolean>(name: string, value: T, from: string): T {
    return this.record(name, value, 'derived', from);
  }

  private record<T extends string | number | boolean>(name: string, value: T, source: Source, from: string): T {
    this.provenance.push({ name, value: String(value), source, from });
    return value;
  }

  /** Rows for a summary table: setting, value, from. */
  rows(): [string, string, string][] {
    return this.provenance.map((p) => [p.name, p.value, p.from]);
  }
}
