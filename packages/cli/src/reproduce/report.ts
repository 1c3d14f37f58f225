/**
 * The reproduction's result files: a JSON document with every number (per cell and per run,
 * timings included) and its Markdown rendering, which opens with a caption that says how the
 * numbers were made (command, data, sizes, attack budget, training settings, date, backend).
 */
import { AutoAttack, createEvalAttack, datasetInfo, FGSM, formatCell, methodSpec, PAPER_COLUMNS, PGD, type EvalAttackContext, type TableCell } from '@cat/core';
import type { TrainConfig } from '@cat/trainer';
import { showNumber } from '../options.js';
import { numberNotes, type Column, type ReproduceRow } from './aggregate.js';
import type { GridName } from './grids.js';

export const REPRODUCE_JSON_FORMAT = 'cat-reproduce';

/** Everything the reproduction's table files hold. */
export interface ReproduceReport {
  format: typeof REPRODUCE_JSON_FORMAT;
  version: 1;
  grid: GridName;
  dataset: string;
  /** The command line that made these files, every setting spelled out. */
  command: string;
  /** ISO time the files were written. */
  date: string;
  backend: string;
  settings: {
    trainSubset: number;
    epochs: number;
    /** Test images of the evaluation (and of the per-epoch check). */
    limit: number;
    /** Test images of AutoAttack (0: not run). */
    aaLimit: number;
    seeds: number[];
    recipe: string;
    /** The optimiser every cell trains with, in words. */
    optimizer: string;
  };
  /** Attack budget: eps (one for all, or per cell in the eps sweep) and each attack in words. */
  budget: { eps: number | 'training eps of each cell'; attacks: { key: string; header: string; description: string }[] };
  /** How the ± is computed. */
  std: string;
  columns: Column[];
  rows: ReproduceRow[];
  /** Every warning the run printed (collapsed masks, failed attacks, failures). */
  warnings: string[];
  /** Runs that failed with an error. */
  failures: number;
  /** Wall-clock in seconds: training and evaluation summed over runs (all invocations), and this invocation. */
  timing: { trainSeconds: number; evalSeconds: number; invocationSeconds: number };
}

/** An attack of the evaluation in words, read off the attack objects the evaluation builds. */
export function describeEvalAttack(name: string, ctx: EvalAttackContext): string {
  const header = PAPER_COLUMNS.find((c) => c.key === name)?.header ?? name;
  const a = createEvalAttack(name, ctx);
  const n = (v: number) => showNumber(v);
  if (a instanceof PGD) {
    const loss = a.loss === 'cw' ? `CW margin loss (kappa ${n(a.kappa)})` : a.loss === 'ce' ? 'cross-entropy' : `${a.loss} loss`;
    const start = a.randomStart === 'none' ? 'no random start' : `${a.randomStart} random start`;
    // Without a random start the attack cannot leave a box of steps x alpha around x: say so when that is inside the ball.
    const reach = a.randomStart === 'none' && a.steps * a.alpha < a.eps - 1e-12 ? ` (reaches at most ${n(a.steps * a.alpha)} from x)` : '';
    return `${header}: ${loss}, ${a.steps} steps of ${n(a.alpha)}, ${start}${a.restarts > 1 ? `, ${a.restarts} restarts` : ''}${reach}`;
  }
  if (a instanceof FGSM) return `${header}: one signed-gradient step of eps, no random start`;
  if (a instanceof AutoAttack) {
    const sub = (s: string) => createEvalAttack(s, ctx) as unknown as Record<string, number>;
    const apgd = sub('apgd-t');
    return (
      `${header}: the standard version, ${a.stages.join(' → ')}; APGD ${apgd.nIter} iterations, ` +
      `${apgd.nTargetClasses} target classes, FAB-T ${sub('fab-t').nIter} iterations, Square ${sub('square').nQueries} queries`
    );
  }
  return header;
}

/** A cell's training settings in words: what the method's paper (or the recipe) sets (from its declaration). */
export function describeTraining(cfg: TrainConfig): string {
  return methodSpec(cfg.method).describe(cfg as unknown as Record<string, unknown>, showNumber);
}

const TITLES: Readonly<Record<GridName, string>> = {
  table1: "Table 1 reproduced: natural training, AT, TRADES, MART, FAT, CAT-cent, CAT-cw and CAT-cent's ablations",
  'eps-sweep': 'Figure 3 reproduced: accuracy against the training eps (CAT-cent, AT, TRADES)',
  'b-sweep': "Table 8 reproduced: CAT-cent's mask CE weight b",
};

const RECIPE_WORDS: Readonly<Record<string, string>> = {
  cat: "the baselines with their own papers' settings, CAT with cat's remedy against the mask collapse",
  spec: 'SPEC.md as written, one attack budget for every method, no remedy',
  authors: "CAT as the CAT authors' scripts train it, the baselines with their own papers' settings",
};

const count = (v: number) => v.toLocaleString('en-US');

/** The caption every Markdown file opens with. */
export function captionLines(r: ReproduceReport): string[] {
  const s = r.settings;
  let info: { trainCount: number; testCount: number } | null = null;
  try {
    info = datasetInfo(r.dataset as never);
  } catch {
    // An unknown data set name cannot come from the command; tests may pass any.
  }
  const sizes = info ? ` (${count(info.trainCount)} train / ${count(info.testCount)} test images)` : '';
  const eps = typeof r.budget.eps === 'number' ? `L-inf eps ${showNumber(r.budget.eps)} for every method` : 'L-inf eps = each cell\'s training eps';
  return [
    `# ${r.dataset}: ${TITLES[r.grid]}`,
    '',
    `- **Command:** \`${r.command}\``,
    `- **Data set:** ${r.dataset}${sizes}; training on a class-balanced subset of ${count(s.trainSubset)} images for ${s.epochs} epoch(s), seed${s.seeds.length > 1 ? 's' : ''} ${s.seeds.join(', ')}`,
    `- **Evaluation images:** the first ${count(s.limit)} test images` +
      (s.aaLimit > 0 ? ` (AutoAttack: the first ${count(s.aaLimit)})` : ' (no AutoAttack)') +
      `; each run's best checkpoint (natural + PGD-10 accuracy on ${count(s.limit)} test images, checked every epoch)`,
    `- **Attack budget:** ${eps}; ${r.budget.attacks.map((a) => a.description).join('; ')}`,
    `- **Training settings** (recipe ${s.recipe}: ${RECIPE_WORDS[s.recipe] ?? 'see docs/FIDELITY.md'}; ${s.optimizer}):`,
    ...r.rows.map((row) => `  - ${row.cell.label}${r.grid === 'table1' ? '' : ` (${row.cell.name})`}: ${row.settings}`),
    `- **Date:** ${r.date}; **backend:** ${r.backend}`,
    `- Accuracy (%) as mean ± std over seeds (${r.std}); Avg is the mean of natural and every robust column` +
      (r.grid === 'table1' ? '.' : '; Natural + PGD-20 is the quantity of the paper\'s Figure 3.'),
  ];
}

/** The Markdown file: caption, the table (notes marked), the notes, and the wall-clock per run. */
export function reportMarkdown(r: ReproduceReport): string {
  const notes = numberNotes(r.rows);
  const param = r.grid === 'eps-sweep' ? 'Training eps' : r.grid === 'b-sweep' ? 'b' : null;
  const head = ['Method', ...(param ? [param] : []), ...r.columns.map((c) => c.header), 'Seeds'];
  const cellText = (c: TableCell | null) => formatCell(c);
  const body = r.rows.map((row, i) => {
    const marks = notes.filter((n) => n.row === i).map((n) => `[${n.index}]`);
    const failed = row.runs.filter((run) => run.status === 'failed').length;
    const label = `${row.cell.label}${marks.length > 0 ? ` ⚠ ${marks.join('')}` : ''}`;
    const evaluated = row.runs.filter((run) => run.accuracies !== null).length;
    const seeds = `${evaluated}/${row.runs.length}${failed > 0 ? ` (${failed} failed)` : ''}`;
    return [label, ...(param ? [showNumber(row.cell.x ?? Number.NaN)] : []), ...r.columns.map((c) => cellText(row.values[c.key])), seeds];
  });
  const mdRow = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  const lines = [
    ...captionLines(r),
    '',
    mdRow(head),
    `|---|${head.slice(1).map(() => '---:').join('|')}|`,
    ...body.map(mdRow),
  ];
  if (notes.length > 0) {
    lines.push('', '**Notes** (runs whose numbers are suspect or missing; never dropped silently):', '');
    for (const n of notes) lines.push(`- [${n.index}] ${r.rows[n.row].cell.name} seed ${n.seed}: ${n.note.message}`);
  }
  lines.push(
    '',
    '## Wall-clock per run',
    '',
    `Training (sum of the epochs' wall time) and evaluation seconds; ${Math.round(r.timing.trainSeconds)} s training and ` +
      `${Math.round(r.timing.evalSeconds)} s evaluation in all, ${Math.round(r.timing.invocationSeconds)} s in the invocation that wrote this file.`,
    '',
    '| Run | Status | Epochs | Training (s) | Evaluation (s) |',
    '|---|---|---:|---:|---:|',
    ...r.rows.flatMap((row) =>
      row.runs.map((run) => mdRow([`${run.cell}-seed${run.seed}`, run.status, String(run.epochs), secs(run.trainSeconds), secs(run.evalSeconds)])),
    ),
    '',
  );
  return lines.join('\n');
}

function secs(v: number | null): string {
  return v === null ? '-' : v.toFixed(1);
}
