import { checkInteger } from './method-options.js';

/**
 * How FAT's tau grows over training: a fixed value, `{ max }` (0 to max in equal stages over the
 * run), or `{ milestones }` (tau = number of milestone epochs already reached, the form of the
 * FAT scripts' `adjust_tau`).
 */
export type TauSchedule = number | { max: number } | { milestones: number[] };

/** Default: 0 → 3 in four equal stages. FAT-for-TRADES raises tau from 0 to 3 on CIFAR (Zhang et al. 2020). */
export const DEFAULT_TAU_SCHEDULE: TauSchedule = { max: 3 };

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
  } else {
    throw new Error(`${where}: tau must be an integer >= 0, { max } or { milestones: [epochs] }, got ${JSON.stringify(schedule)}`);
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
  return schedule.milestones.filter((m) => epoch >= m).length;
}
