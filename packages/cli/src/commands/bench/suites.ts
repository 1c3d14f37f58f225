/**
 * The benchmark suites of `cat-cli bench` (names shared with the PyTorch peer in tools/peer/).
 * Each suite has its full size and a reduced size for the pure-tfjs backends, which are orders
 * of magnitude slower (about 0.1 images/s for a CAT step on the CPU backend, whose
 * Conv2DBackpropFilter dominates; the wasm backend borrows that same kernel); reduced runs are
 * reported per image and flagged in the output.
 */
import { methodDefaults } from '@cat/core';

/** The suite names, in the order `--suite all` runs them. */
export const SUITE_NAMES = ['pgd20-mnist', 'cat-step-mnist', 'cat-step-resnet18'] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];

/** A batch size and attack length. */
export interface SuiteSize {
  batch: number;
  pgdSteps: number;
}

/** What a suite runs. */
export interface SuiteSpec {
  name: SuiteName;
  description: string;
  /** `pgd`: the attack alone on f; `cat-step`: one full CAT-cent step (f and g update). */
  kind: 'pgd' | 'cat-step';
  arch: 'mnist-cnn' | 'preact-resnet18';
  maskArch: 'mnist-mask' | 'resnet18-mask';
  /** Input images: MNIST digits, or the digits padded to 32x32 and repeated over 3 channels. */
  input: 'mnist' | 'cifar-shape';
  eps: number;
  alpha: number;
  randomStart: boolean;
  /** CAT loss weights (SPEC.md: a on the KL of f, b on the mask CE). */
  a: number;
  b: number;
  optimizer: 'adam' | 'sgd';
  full: SuiteSize;
  /** Default size on the pure-tfjs backends (cpu, wasm). */
  reduced: SuiteSize;
  /**
   * Too slow on the pure-tfjs backends even at the reduced size (hours: tfjs's CPU
   * Conv2DBackpropFilter, which wasm borrows, runs at a few MFLOP/s), so a run of all suites
   * skips it there; naming the suite with --suite runs it anyway.
   */
  slowOnPureTfjs?: boolean;
}

/** CAT-cent's SPEC.md values on a data set (the PyTorch peer, tools/peer, uses the same). */
function catStepSettings(dataset: 'mnist' | 'cifar10'): { eps: number; alpha: number; a: number; b: number } {
  const { eps, alpha, a, b } = methodDefaults('cat-cent', dataset);
  return { eps: eps!, alpha: alpha!, a: a!, b: b! };
}

const SPECS: Record<SuiteName, SuiteSpec> = {
  // PGD-20 as in SPEC.md's evaluation protocol for MNIST: eps 0.3, step 0.01, no random start.
  'pgd20-mnist': {
    name: 'pgd20-mnist',
    description: 'PGD-20 attack on the MNIST CNN',
    kind: 'pgd', arch: 'mnist-cnn', maskArch: 'mnist-mask', input: 'mnist',
    eps: 0.3, alpha: 0.01, randomStart: false, a: 1, b: 0.3, optimizer: 'adam',
    full: { batch: 100, pgdSteps: 20 },
    reduced: { batch: 2, pgdSteps: 5 },
  },
  // Training settings of SPEC.md's MNIST column: eps 0.3, alpha eps/20, K 20, a 1, b 0.3, Adam.
  'cat-step-mnist': {
    name: 'cat-step-mnist',
    description: 'one CAT-cent step, MNIST CNN + MNIST mask net',
    kind: 'cat-step', arch: 'mnist-cnn', maskArch: 'mnist-mask', input: 'mnist',
    ...catStepSettings('mnist'), randomStart: true, optimizer: 'adam',
    full: { batch: 100, pgdSteps: 20 },
    reduced: { batch: 2, pgdSteps: 1 },
  },
  // SPEC.md's CIFAR column: eps 8/255, alpha 2/255, K 10, a 5, b 0.05, SGD momentum 0.9.
  'cat-step-resnet18': {
    name: 'cat-step-resnet18',
    description: 'one CAT-cent step, PreAct ResNet-18 + ResNet-18 mask net, 32x32x3',
    kind: 'cat-step', arch: 'preact-resnet18', maskArch: 'resnet18-mask', input: 'cifar-shape',
    ...catStepSettings('cifar10'), randomStart: true, optimizer: 'sgd',
    full: { batch: 128, pgdSteps: 10 },
    reduced: { batch: 1, pgdSteps: 1 },
    slowOnPureTfjs: true,
  },
};

/** True for a known suite name. */
export function isSuiteName(name: string): name is SuiteName {
  return (SUITE_NAMES as readonly string[]).includes(name);
}

/**
 * The spec of a suite.
 * @throws Error naming the unknown suite and listing the known ones.
 */
export function suiteSpec(name: string): SuiteSpec {
  if (!isSuiteName(name)) {
    throw new Error(`unknown bench suite '${name}'; expected one of: ${SUITE_NAMES.join(', ')}`);
  }
  return SPECS[name];
}

/** Backends whose kernels are tfjs's own (no native engine): they get the reduced sizes. */
export function isPureTfjs(backend: string): boolean {
  return backend === 'cpu' || backend === 'wasm';
}
