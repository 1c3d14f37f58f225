#!/usr/bin/env node
/**
 * The cat CLI. Installed as `cat-cli` (a binary named plain `cat` would shadow coreutils' cat on
 * PATH, inside every pnpm script too). Each command lives in its own file under commands/ and
 * registers itself on the program.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { registerTrain } from './commands/train.js';
import { registerEval } from './commands/eval.js';
import { registerViz } from './commands/viz.js';
import { registerReport } from './commands/report.js';
import { registerBench } from './commands/bench.js';
import { registerDemo } from './commands/demo.js';
import { registerReproduce } from './commands/reproduce.js';
import { registerMethods } from './commands/methods.js';
import { registerExport } from './commands/export.js';
import { registerServe } from './commands/serve.js';
import { CliError } from './errors.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('cat-cli')
    .description('cat: Calibrated Adversarial Training for TypeScript (the cat CLI)')
    .showHelpAfterError()
    .exitOverride();
  registerTrain(program);
  registerEval(program);
  registerViz(program);
  registerReport(program);
  registerBench(program);
  registerDemo(program);
  registerReproduce(program);
  registerMethods(program);
  registerExport(program);
  registerServe(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err: any) {
    // commander throws on --help/--version with exitCode 0
    if (err?.code === 'commander.helpDisplayed' || err?.code === 'commander.version') return 0;
    if (err?.code?.startsWith?.('commander.')) return err.exitCode ?? 2;
    if (err instanceof CliError) {
      process.stderr.write(`cat-cli: error: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`cat-cli: error: ${err?.message ?? String(err)}\n`);
    if (process.env.CAT_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
    return 1;
  }
}

const isEntry =
  process.argv[1] !== undefined && fileURLToPath(import.meta.url) === realpathSync(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
