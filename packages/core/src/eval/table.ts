/**
 * The paper's table: one row per method (a run, or several seeds of it), columns Natural, FGSM,
 * PGD-20, PGD-100, CW-inf, Square, AutoAttack, Avg, each cell the accuracy in percent as
 * mean +- std over the row's runs. Rendered for the terminal, as Markdown and as JSON.
 */
import type { EvalResult } from './evaluate.js';

/** Attack names as `evaluate` reports them, mapped to the paper's column headers, in order. */
export const PAPER_COLUMNS: readonly { key: string; header: string }[] = [
  { key: 'natural', header: 'Natural' },
  { key: 'fgsm', header: 'FGSM' },
  { key: 'pgd20', header: 'PGD-20' },
  { key: 'pgd100', header: 'PGD-100' },
  { key: 'cw', header: 'CW-inf' },
  { key: 'square', header: 'Square' },
  { key: 'autoattack', header: 'AutoAttack' },
  { key: 'autoattack-plus', header: 'AutoAttack+' },
  { key: 'autoattack-rand', header: 'AutoAttack (rand)' },
  { key: 'autoattack-custom', header: 'AutoAttack (custom)' },
];

/** One table row to build: a label and the evaluation of each of its runs (seeds). */
export interface TableRowInput {
  label: string;
  runs: EvalResult[];
}

/** A cell: accuracy in percent over the row's runs (std 0 for one run). */
export interface TableCell {
  mean: number;
  std: number;
  /** Runs that had this column. */
  count: number;
}

/** The built table; `columns` holds the headers, `Avg` last. */
export interface PaperTable {
  columns: string[];
  /** Column keys (attack names) in the same order; 'avg' last. */
  keys: string[];
  rows: { label: string; runs: number; cells: (TableCell | null)[] }[];
}

/** Mean and sample standard deviation (n - 1; 0 for a single value). */
export function meanStd(values: number[]): { mean: number; std: number } {
  if (values.length === 0) throw new Error('meanStd: no values');
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  if (values.length === 1) return { mean, std: 0 };
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (values.length - 1)) };
}

/**
 * Builds the paper's table. Columns appear in the paper's order when any run has them; attacks
 * outside the paper's set follow them in first-seen order; Avg (mean of natural and all robust
 * accuracies of a run, averaged over runs) comes last.
 */
export function paperTable(rows: TableRowInput[]): PaperTable {
  if (rows.length === 0) throw new Error('paperTable: no rows');
  const seen = new Set<string>();
  for (const r of rows) {
    if (r.runs.length === 0) throw new Error(`paperTable: row '${r.label}' has no runs`);
    for (const run of r.runs) for (const a of run.accuracies) seen.add(a.name);
  }
  const keys = PAPER_COLUMNS.filter((c) => seen.has(c.key)).map((c) => c.key);
  for (const k of seen) if (!keys.includes(k)) keys.push(k);
  const headers = keys.map((k) => PAPER_COLUMNS.find((c) => c.key === k)?.header ?? k);

  const built = rows.map((r) => {
    const cells: (TableCell | null)[] = keys.map((k) => {
      const vals = r.runs.flatMap((run) => run.accuracies.filter((a) => a.name === k).map((a) => a.accuracy * 100));
      return vals.length ? { ...meanStd(vals), count: vals.length } : null;
    });
    const avgs = r.runs.map((run) => run.accuracies.reduce((a, v) => a + v.accuracy * 100, 0) / run.accuracies.length);
    cells.push({ ...meanStd(avgs), count: avgs.length });
    return { label: r.label, runs: r.runs.length, cells };
  });
  return { columns: [...headers, 'Avg'], keys: [...keys, 'avg'], rows: built };
}

/** A cell as text: `55.60` for one run, `55.60 ± 0.31` for several, `-` when absent. */
export function formatCell(cell: TableCell | null, digits = 2): string {
  if (!cell) return '-';
  return cell.count > 1 ? `${cell.mean.toFixed(digits)} ± ${cell.std.toFixed(digits)}` : cell.mean.toFixed(digits);
}

/** Markdown (GitHub) table. */
export function tableToMarkdown(t: PaperTable, digits = 2): string {
  const head = `| Method | ${t.columns.join(' | ')} |`;
  const rule = `|---|${t.columns.map(() => '---:').join('|')}|`;
  const body = t.rows.map((r) => `| ${escapeMd(r.label)} | ${r.cells.map((c) => formatCell(c, digits)).join(' | ')} |`);
  return [head, rule, ...body].join('\n') + '\n';
}

/** Fixed-width text table for the terminal (box-drawing rules). */
export function tableToText(t: PaperTable, digits = 2): string {
  const grid = [['Method', ...t.columns], ...t.rows.map((r) => [r.label, ...r.cells.map((c) => formatCell(c, digits))])];
  const widths = grid[0].map((_, j) => Math.max(...grid.map((row) => [...row[j]].length)));
  const line = (row: string[]) =>
    row.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  ');
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(grid[0]), rule, ...grid.slice(1).map(line)].join('\n') + '\n';
}

/** Plain JSON form: headers and, per row, the mean/std/count of each column by header. */
export function tableToJson(t: PaperTable): {
  columns: string[];
  rows: { label: string; runs: number; cells: Record<string, TableCell | null> }[];
} {
  return {
    columns: t.columns,
    rows: t.rows.map((r) => ({
      label: r.label,
      runs: r.runs,
      cells: Object.fromEntries(t.columns.map((c, j) => [c, r.cells[j]])),
    })),
  };
}

/** HTML `<table>` (escaped), for the report. */
export function tableToHtml(t: PaperTable, digits = 2): string {
  const th = ['Method', ...t.columns].map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const rows = t.rows
    .map((r) => `<tr><td>${escapeHtml(r.label)}</td>${r.cells.map((c) => `<td>${escapeHtml(formatCell(c, digits))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table class="paper-table">\n<thead><tr>${th}</tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>`;
}

function escapeMd(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
