import { checkInteger } from './method-options.js';

/**
 * How FAT's tau grows over training: a fixed value, `{ max }` (0 to max in equal stages over the
 * run), `{ milestones }` (tau = number of milestone epochs already reached, the form of the
 * FAT scripts' `adjust_tau`), or `{ fractions }` (tau = number of fractions of the run already
 * reached: milestones that scale with the run's length).
 */
export type TauSchedule = number | { max: number } | { milestones: number[] } | { fractions: number[] };

/**
 * Default: FAT-for-TRADES's own schedule (Zhang et al. 2020, its CIFAR script's `adjust_tau`):
 * tau 0, 1, 2, 3 from epochs 0, 30, 50, 70 of its 120, kept as fractions of the run so that a
 * shorter run goes through the same stages. `{ max: 3 }` gives four equal stages instead.
 */
export const DEFAULT_TAU_SCHEDULE: TauSchedule = { fractions: [30 / 120, 50 / 120, 70 / 120] };

/** Throws unless the schedule is well formed; returns it. */
export function checkTauSchedule(where: string, schedule: TauSchedule): TauSchedule {
  if (typeof schedule === 'number') {
    checkInteger(where, 'tau', schedule, 0);
  } else if (schedule !== null && typeof schedule === 'object' && 'max' in schedule) {
    checkInteger(where, 'tau max', schedule.max, 0);
  } else if (schedule !== null && typeof schedule === 'object' && 'milestones' in schedule && Array.isArray(schedule.milestones)) {
    schedule.milestones.forEach((m, i) => {
      checkInteger(where, `tau milestones[${i}]`, m, 0);
      if (i > 0 && m < schedule.milestones[i - 1]) throw new Error(`${where}: tau milestones must be ascending, got [${schedule.milestones}]`);
    });
  } else if (schedule !== null && typeof schedule === 'object' && 'fractions' in schedule && Array.isArray(schedule.fractions)) {
    schedule.fractions.forEach((f, i) => {
      if (typeof f !== 'number' || !(f >= 0 && f <= 1)) throw new Error(`${where}: tau fractions[${i}] must be in [0, 1], got ${f}`);
      if (i > 0 && f < schedule.fractions[i - 1]) throw new Error(`${where}: tau fractions must be ascending, got [${schedule.fractions}]`);
    });
  } else {
    throw new Error(`${where}: tau must be an integer >= 0, { max }, { milestones: [epochs] } or { fractions: [0..1] }, got ${JSON.stringify(schedule)}`);
  }
  return schedule;
}

/** Tau at 0-based `epoch` of a run of `epochs` epochs. */
export function tauAt(schedule: TauSchedule, epoch: number, epochs: number): number {
  if (typeof schedule === 'number') return schedule;
  if ('max' in schedule) {
    if (epochs <= 0) return 0;
    return Math.min(schedule.max, Math.floor(((schedule.max + 1) * epoch) / epochs));
  }
  if ('fractions' in schedule) return schedule.fractions.filter((f) => epochs > 0 && epoch / epochs >= f).length;
  return schedule.milestones.filter((m) => epoch >= m).length;
}
