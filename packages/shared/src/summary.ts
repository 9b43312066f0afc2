// The step summary a person reads after the run: a heading, tables (environment, image digest,
// what changed, durations, links) and short notes. Plain markdown appended to GITHUB_STEP_SUMMARY.
import { appendFileSync } from 'node:fs';

export type Cell = string | number | boolean | undefined | { text: string; href: string };

export class Summary {
  private readonly parts: string[] = [];

  heading(text: string, level: 2 | 3 = 2): this {
    this.parts.push(`${'#'.repeat(level)} ${escapeInline(text)}`);
    return this;
  }

  /** A table; undefined cells print as an em dash. */
  table(columns: readonly string[], rows: readonly (readonly Cell[])[]): this {
    const head = `| ${columns.map(escapeCell).join(' | ')} |`;
    const rule = `| ${columns.map(() => '---').join(' | ')} |`;
    const body = rows.map((row) => `| ${columns.map((_, i) => renderCell(row[i])).join(' | ')} |`);
    this.parts.push([head, rule, ...body].join('\n'));
    return this;
  }

  /** Two-column facts: name | value. */
  facts(entries: readonly (readonly [string, Cell])[]): this {
    return this.table(
      ['', ''],
      entries.map(([k, v]) => [`**${escapeCell(k)}**`, v]),
    );
  }

  paragraph(text: string): this {
    this.parts.push(escapeInline(text));
    return this;
  }

  /** Preformatted text, e.g. the tail of a build log, in a collapsed block. */
  details(title: string, text: string): this {
    const fence = text.includes('```') ? '~~~~' : '```';
    this.parts.push(`<details><summary>${escapeHtml(title)}</summary>\n\n${fence}\n${text}\n${fence}\n\n</details>`);
    return this;
  }

  toMarkdown(): string {
    return `${this.parts.join('\n\n')}\n`;
  }

  /** Appends to the step summary file when there is one; returns whether it wrote. */
  write(path: string | undefined): boolean {
    if (!path) return false;
    appendFileSync(path, `${this.toMarkdown()}\n`);
    return true;
  }
}

function renderCell(cell: Cell): string {
  if (cell === undefined || cell === '') return '—';
  if (typeof cell === 'object') return `[${escapeCell(cell.text)}](${cell.href.replace(/[()\s]/g, encodeURIComponent)})`;
  return escapeCell(String(cell));
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeInline(text: string): string {
  return escapeHtml(text).replace(/\r?\n/g, ' ');
}

function escapeCell(text: string): string {
  return escapeHtml(text).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}
