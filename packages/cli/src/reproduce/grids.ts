/**
 * The grids `cat-cli reproduce` trains: the paper's Table 1 comparison, its Figure 3 (training
 * eps sweep) and its Table 8 (the b sweep), as lists of cells. A cell is one configuration; it
 * is trained once per seed, each seed an ordinary run directory.
 */
import { METHODS, type MethodSpec, type OptionSpec } from '@cat/core';
import { PRESETS, type DatasetName } from '@cat/trainer';
import { CliError } from '../errors.js';
import { showNumber } from '../options.js';

export const GRID_NAMES = ['table1', 'eps-sweep', 'b-sweep'] as const;
export type GridName = (typeof GRID_NAMES)[number];

/** One configuration of a grid. */
export interface GridCell {
  /** Unique within the grid; names the run directories (`<name>-seed<k>`). */
  name: string;
  /** What `--only` also matches: the method (with its ablation), e.g. `cat-cent-A1`. */
  group: string;
  /** Row label in the tables, series name in the charts. */
  label: string;
  method: string;
  ablation?: 'A1' | 'A2';
  /** Training eps; evaluation uses the same. */
  eps: number;
  /** CAT's b (mask CE weight), set by the b sweep only. */
  b?: number;
  /** The swept setting (eps or b), for the charts. */
  x?: number;
}

/** Seeds a grid trains by default: Table 1 is reported over 3 seeds, the sweeps over 1. */
export const DEFAULT_SEEDS: Readonly<Record<GridName, number>> = { table1: 3, 'eps-sweep': 1, 'b-sweep': 1 };

/** Table 1's methods: the paper's baselines, both CAT variants and CAT-cent's ablations. */
const TABLE1: readonly { method: string; ablation?: 'A1' | 'A2' }[] = [
  { method: 'natural' },
  { method: 'at' },
  { method: 'trades' },
  { method: 'mart' },
  { method: 'fat-trades' },
  { method: 'cat-cent' },
  { method: 'cat-cw' },
  { method: 'cat-cent', ablation: 'A1' },
  { method: 'cat-cent', ablation: 'A2' },
];

/** The methods of the eps sweep (the paper's Figure 3: CAT against AT and TRADES). */
const EPS_SWEEP_METHODS = ['cat-cent', 'at', 'trades'] as const;

/** Table 8's values of b (CAT-cent, everything else from the preset). */
export const DEFAULT_B_LIST: readonly number[] = [0.05, 0.1, 0.2, 0.3];

/** A method's name in tables, from its declaration: `CAT-cent A1 (no mask, plain CE)`. */
export function methodLabel(method: string, ablation?: 'A1' | 'A2'): string {
  const spec = (METHODS as Readonly<Record<string, MethodSpec>>)[method];
  const base = spec?.label ?? method;
  if (!ablation) return base;
  const choices = (spec?.options as Record<string, OptionSpec> | undefined)?.ablation?.choices ?? {};
  return `${base} ${ablation}${choices[ablation] ? ` (${choices[ablation]})` : ''}`;
}

/** The attack budget of a data set's grids: its preset's eps (mnist 0.3, fashion-mnist 0.1, cifar 8/255). */
export function gridEps(dataset: DatasetName): number {
  return PRESETS[dataset].eps;
}

/** The eps sweep's training eps by default: around the data set's budget, as in the paper's Figure 3. */
export function defaultSweepEps(dataset: DatasetName): number[] {
  if (dataset === 'fashion-mnist') return [0.05, 0.1, 0.15, 0.2];
  if (PRESETS[dataset].family === 'cifar') return [8, 10, 12, 14, 16].map((k) => k / 255);
  return [0.1, 0.2, 0.3, 0.4];
}

/** A number as a directory-name fragment: 0.05 → `0.05`, 8/255 → `8-255`. */
export function valueTag(v: number): string {
  return showNumber(v).replace('/', '-');
}

/** The cells of a grid. */
export function gridCells(grid: GridName, opts: { dataset: DatasetName; epsList?: number[]; bList?: number[] }): GridCell[] {
  const eps = gridEps(opts.dataset);
  switch (grid) {
    case 'table1':
      return TABLE1.map(({ method, ablation }) => {
        const group = ablation ? `${method}-${ablation}` : method;
        return { name: group, group, label: methodLabel(method, ablation), method, ablation, eps };
      });
    case 'eps-sweep': {
      const list = opts.epsList ?? defaultSweepEps(opts.dataset);
      return EPS_SWEEP_METHODS.flatMap((method) =>
        list.map((e) => ({ name: `${method}-eps${valueTag(e)}`, group: method, label: methodLabel(method), method, eps: e, x: e })),
      );
    }
    case 'b-sweep':
      return (opts.bList ?? DEFAULT_B_LIST).map((b) => ({
        name: `cat-cent-b${valueTag(b)}`,
        group: 'cat-cent',
        label: methodLabel('cat-cent'),
        method: 'cat-cent',
        eps,
        b,
        x: b,
      }));
  }
}

/**
 * The cells `--only` picks: each name matches a cell's name or its group (the method, e.g.
 * `cat-cent` picks every CAT-cent cell of a sweep). Unknown names are an error listing the known.
 */
export function selectCells(cells: GridCell[], only: string[] | undefined): GridCell[] {
  if (!only || only.length === 0) return cells;
  const known = new Set(cells.flatMap((c) => [c.name, c.group]));
  const unknown = only.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new CliError(`--only: unknown cell${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (this grid has: ${cells.map((c) => c.name).join(', ')})`);
  }
  return cells.filter((c) => only.includes(c.name) || only.includes(c.group));
}
