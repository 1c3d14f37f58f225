import { DEFAULT_TAU_SCHEDULE } from './tau-schedule.js';
import type { MethodName, MethodOptionsByName } from './registry.js';
import { METHOD_NAMES } from './registry.js';

const MNIST_LIKE = { eps: 0.3, alpha: 0.3 / 20, steps: 20 } as const;
const CIFAR = { eps: 8 / 255, alpha: 2 / 255, steps: 10 } as const;

/**
 * The spec's hyper-parameters of a method on a dataset ('mnist', 'fashion-mnist', 'cifar10',
 * 'cifar100'), ready for `createMethod(name, methodDefaults(name, dataset))`. MNIST-like data:
 * eps 0.3, alpha eps/20, K 20, a 1, b 0.3, kappa 150; CIFAR: eps 8/255, alpha 2/255, K 10, a 5,
 * b 0.05, kappa 50. TRADES/FAT beta 6 and MART lambda 6 on both (the spec allows beta 1 on MNIST).
 */
export function methodDefaults<N extends MethodName>(name: N, dataset: string): MethodOptionsByName[N];
export function methodDefaults(name: string, dataset: string): object;
export function methodDefaults(name: string, dataset: string): object {
  if (!(METHOD_NAMES as readonly string[]).includes(name)) {
    throw new Error(`methodDefaults: unknown method '${name}' (known: ${METHOD_NAMES.join(', ')})`);
  }
  const d = String(dataset).toLowerCase();
  const mnist = d === 'mnist' || d === 'fashion-mnist';
  if (!mnist && d !== 'cifar10' && d !== 'cifar100') {
    throw new Error(`methodDefaults: unknown dataset '${dataset}' (known: mnist, fashion-mnist, cifar10, cifar100)`);
  }
  const budget = mnist ? MNIST_LIKE : CIFAR;
  switch (name as MethodName) {
    case 'cat-cent':
      return { ...budget, a: mnist ? 1 : 5, b: mnist ? 0.3 : 0.05 };
    case 'cat-cw':
      return { ...budget, a: mnist ? 1 : 5, b: mnist ? 0.3 : 0.05, kappa: mnist ? 150 : 50 };
    case 'at':
      return { ...budget };
    case 'trades':
      return { ...budget, beta: 6 };
    case 'mart':
      return { ...budget, lambda: 6 };
    case 'fat-trades':
      return { ...budget, beta: 6, tau: DEFAULT_TAU_SCHEDULE };
    case 'natural':
      return {};
  }
}
