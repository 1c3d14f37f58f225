/**
 * Terminal progress for training: a bar per epoch with rate (images/s) and ETA while it runs
 * (only on a TTY), and one summary line per finished epoch (always).
 */
import cliProgress from 'cli-progress';
import { describeMaskStats } from '@cat/core';
import type { EpochMetrics, TrainEvent } from '@cat/trainer';

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

/** One line summarising a finished epoch. */
export function epochSummary(m: EpochMetrics, epochs: number, isBest: boolean): string {
  const losses = Object.entries(m.losses)
    .map(([k, v]) => `${k} ${v.toFixed(4)}`)
    .join('  ');
  return (
    `epoch ${m.epoch}/${epochs}  lr ${m.lr.toExponential(1)}  ${losses}  natural ${pct(m.naturalAcc)}  pgd10 ${pct(m.pgd10Acc)}` +
    (m.mask ? `  mask ${describeMaskStats(m.mask)}` : '') +
    (m.maskEnd ? ` (end of epoch: mean ${m.maskEnd.mean.toFixed(3)}, <0.01 ${pct(m.maskEnd.low)})` : '') +
    `  ${m.imagesPerSec.toFixed(1)} img/s  ${m.wallSeconds.toFixed(1)} s${isBest ? '  *best' : ''}`
  );
}

/** A progress reporter for `train`'s onProgress; `log` receives the summary and note lines. */
export function trainProgress(opts: { stream?: NodeJS.WriteStream; log?: (line: string) => void } = {}) {
  const stream = opts.stream ?? process.stderr;
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const tty = Boolean(stream.isTTY);
  let bar: cliProgress.SingleBar | null = null;
  let epochs = 0;
  const stop = () => {
    bar?.stop();
    bar = null;
  };
  const onProgress = (e: TrainEvent) => {
    switch (e.type) {
      case 'start':
        epochs = e.config.epochs;
        if (e.startEpoch >= epochs) {
          log(`${e.config.out} already holds all ${epochs} epochs of this run (backend ${e.backend}); nothing to train`);
          break;
        }
        log(
          `${e.resumed ? 'resuming' : 'training'} ${e.config.method} on ${e.config.dataset} (${e.trainSize} train / ${e.testSize} test images), ` +
            `backend ${e.backend}, ${e.stepsPerEpoch} steps an epoch, from epoch ${e.startEpoch + 1} of ${epochs}, into ${e.config.out}`,
        );
        break;
      case 'step':
        if (!tty) break;
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              stream,
              format: `epoch ${e.epoch}/${epochs} [{bar}] {value}/{total} steps | {rate} img/s | ETA {eta_formatted} | {loss}`,
              hideCursor: true,
              clearOnComplete: true,
              etaBuffer: 20,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(e.steps, 0, { rate: '-', loss: '' });
        }
        bar.update(e.step, {
          rate: e.imagesPerSec.toFixed(1),
          // The first terms only (the totals, by the methods' convention), so the bar fits a line.
          loss: Object.entries(e.losses)
            .slice(0, 2)
            .map(([k, v]) => `${k} ${v.toFixed(3)}`)
            .join(' '),
        });
        break;
      case 'eval':
        stop();
        if (tty) stream.write(`\x1b[2K\repoch ${e.epoch}/${epochs}: evaluating natural and PGD-10 accuracy ${e.done}/${e.total}`);
        break;
      case 'epoch':
        if (tty) stream.write('\x1b[2K\r');
        log(epochSummary(e.metrics, epochs, e.isBest));
        break;
      case 'warning':
        stop();
        process.stderr.write(`cat-cli: warning: ${e.message}\n`);
        break;
    }
  };
  return { onProgress, stop };
}
