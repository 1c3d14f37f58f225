/**
 * `cat-cli report RUN_DIR...`: one self-contained HTML page with each run's configuration, its
 * evaluation table (from the eval.json that `cat-cli eval` wrote), its mask grid and training
 * curves, and, for several runs, the combined table.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { BACKEND_NAMES, describeMaskStats, isMaskCollapsed, paperTable, tableToHtml, type BackendName, type EvalResult } from '@cat/core';
import { reportHtml, type ReportSection } from '@cat/viz';
import { CliError } from '../errors.js';
import { choiceArg, numberArg } from '../options.js';
import { loadRunForCli, readEvalJson, selectBackend, testSetCache, type EvalJson } from './eval.js';
import { runFigures, type VizOptions } from './viz.js';

interface ReportFlags extends VizOptions {
  out?: string;
  title?: string;
  backend?: BackendName;
}

/** Builds the report; returns the HTML file written. */
export async function reportRuns(dirs: string[], flags: ReportFlags, log: (l: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string> {
  if (dirs.length === 0) throw new CliError('report: give at least one RUN_DIR');
  await selectBackend(flags.backend);
  const testSet = await testSetCache();
  const sections: ReportSection[] = [];
  const evals: EvalJson[] = [];
  const runSections: ReportSection[] = [];
  for (const dir of dirs) {
    const run = await loadRunForCli(dir, flags.checkpoint);
    try {
      const evalFile = path.join(dir, 'eval.json');
      const own = fs.existsSync(evalFile) ? readEvalJson(evalFile).runs : [];
      evals.push(...own);
      const c = run.config;
      const last = run.metrics[run.metrics.length - 1];
      const section: ReportSection = {
        heading: `${path.basename(path.resolve(dir))}: ${c.method} on ${c.dataset}`,
        facts: {
          'run directory': dir,
          method: c.method,
          dataset: c.dataset,
          architecture: c.maskArch && run.g ? `${c.arch} + ${c.maskArch}` : c.arch,
          'train eps / alpha / steps': `${c.eps} / ${c.alpha} / ${c.steps}`,
          epochs: `${run.metrics.length} of ${c.epochs}`,
          seed: c.seed,
          checkpoint: `${run.checkpoint} (epoch ${run.state.epoch})`,
          ...(last ? { 'last natural / PGD-10 accuracy (%)': `${(last.naturalAcc * 100).toFixed(2)} / ${(last.pgd10Acc * 100).toFixed(2)}` } : {}),
          ...(last?.mask ? { 'mask, last epoch (mean over its steps)': describeMaskStats(last.mask) } : {}),
        },
        tablesHtml: [],
        figures: [],
        paragraphs: [],
      };
      if (own.length > 0) {
        // With one run the combined table above already says it all.
        if (dirs.length > 1) section.tablesHtml!.push(tableToHtml(paperTable([{ label: own[0].label, runs: own.map(toResult) }])));
        const findings = own.flatMap((r) => r.sanity);
        for (const f of findings) section.paragraphs!.push(`Sanity check [${f.check}]: ${f.message}`);
      } else {
        section.paragraphs!.push(`No evaluation yet: run \`cat-cli eval ${dir}\` to add the accuracy table.`);
      }
      const collapsed = run.metrics.filter((m) => m.maskEnd && isMaskCollapsed(m.maskEnd)).map((m) => m.epoch);
      if (collapsed.length > 0) {
        section.paragraphs!.push(
          `WARNING: the CAT mask collapsed (more than 99% of its values below 0.01) at the end of epoch(s) ${collapsed.join(', ')}: ` +
            'from there on the calibrated example is the natural image and this run trained a non-robust natural classifier.',
        );
      }
      const figs = await runFigures(run, await testSet(c.dataset, c.dataDir), flags);
      if (figs.maskGrid) {
        section.figures!.push({
          caption: `Figure 2 style grid: natural, adversarial (${flags.attack ?? 'pgd20'}, eps ${flags.eps ?? c.eps}), mask g(x+delta), calibrated adversarial. Column titles: true label: prediction on adversarial / calibrated.`,
          png: figs.maskGrid.png,
        });
      }
      if (figs.curves) section.figures!.push({ caption: 'Training curves from metrics.jsonl', svg: figs.curves.svg });
      runSections.push(section);
    } finally {
      run.f.dispose();
      run.g?.dispose();
    }
  }
  if (evals.length > 0) {
    const groups = new Map<string, EvalResult[]>();
    for (const e of evals) groups.set(e.label, [...(groups.get(e.label) ?? []), toResult(e)]);
    sections.push({
      heading: 'Accuracy (%)',
      paragraphs: [
        `Robust accuracy under each attack on ${[...new Set(evals.map((e) => e.n))].join('/')} test images at L-inf eps ${[...new Set(evals.map((e) => e.eps))].join('/')}; rows with several runs show mean ± std over seeds; Avg is the mean of natural and all robust accuracies.`,
      ],
      tablesHtml: [tableToHtml(paperTable([...groups].map(([label, runs]) => ({ label, runs }))))],
    });
  }
  sections.push(...runSections);
  const html = reportHtml({ title: flags.title ?? `cat report: ${dirs.map((d) => path.basename(path.resolve(d))).join(', ')}`, sections });
  const out = flags.out ?? (dirs.length === 1 ? path.join(dirs[0], 'report.html') : 'report.html');
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, html);
  log(`wrote ${out}`);
  return out;
}

function toResult(e: EvalJson): EvalResult {
  return { n: e.n, accuracies: e.attacks };
}

/** Registers `report` on the program. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write one self-contained HTML page with the tables and pictures of the runs')
    .argument('<run-dirs...>', 'run directories (evaluate them with `cat-cli eval` first for the tables)')
    .option('--out <file>', 'HTML file (default RUN_DIR/report.html for one run, ./report.html for several)')
    .option('--title <text>', 'page title')
    .option('--grid <n>', 'columns of the mask grid (default 8)', numberArg({ integer: true, min: 1, max: 64 }))
    .option('--attack <name>', 'attack of the grid\'s adversarial row (default pgd20)')
    .option('--square-queries <n>', 'query budget when --attack is square (default 5000)', numberArg({ integer: true, min: 1 }))
    .option('--checkpoint <which>', 'best or last', choiceArg(['best', 'last']))
    .option('--backend <name>', 'tfjs backend (default: the best available)', choiceArg(BACKEND_NAMES))
    .action(async (dirs: string[], flags: ReportFlags) => {
      await reportRuns(dirs, flags);
    });
}
