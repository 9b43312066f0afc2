// Placeholders in a check's query, URL, alarm names and dimensions, filled in when it runs:
// {{color}} is the color being checked (the target of the switch), {{service}} and {{namespace}}
// where it runs. One template serves every environment and both colors.

export interface CheckArgs {
  color: string;
  service: string;
  namespace: string;
}

const placeholder = /\{\{\s*([^{}]*?)\s*\}\}/g;
const known = new Set<string>(['color', 'service', 'namespace']);

/** Why `text` cannot be filled in (an unknown placeholder), or undefined. */
export function placeholderProblem(text: string): string | undefined {
  const unknown = [...text.matchAll(placeholder)].map((m) => m[1] ?? '').filter((name) => !known.has(name));
  if (unknown.length === 0) return undefined;
  return `unknown placeholder ${unknown.map((n) => `{{${n}}}`).join(', ')} (have: {{color}}, {{service}}, {{namespace}})`;
}

/** `text` with its placeholders filled in (planAnalysis refused unknown ones). */
export function fill(text: string, args: CheckArgs): string {
  return text.replace(placeholder, (whole, name: string) => (known.has(name) ? args[name as keyof CheckArgs] : whole));
}
