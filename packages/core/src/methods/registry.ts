import type { TrainMethod } from '../types.js';
import { AtMethod, type AtOptions } from './at.js';
import { CatMethod, type CatOptions } from './cat.js';
import { FatTradesMethod, type FatTradesOptions } from './fat-trades.js';
import { MartMethod, type MartOptions } from './mart.js';
import { NaturalMethod, type NaturalOptions } from './natural.js';
import { TradesMethod, type TradesOptions } from './trades.js';

/** The training methods `createMethod` knows. */
export const METHOD_NAMES = ['cat-cent', 'cat-cw', 'at', 'trades', 'mart', 'fat-trades', 'natural'] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

/** Options by method name. */
export interface MethodOptionsByName {
  'cat-cent': Omit<CatOptions, 'attackLoss'>;
  'cat-cw': Omit<CatOptions, 'attackLoss'>;
  at: AtOptions;
  trades: TradesOptions;
  mart: MartOptions;
  'fat-trades': FatTradesOptions;
  natural: NaturalOptions;
}

/** Any method's options (what a CLI or config file hands over). */
export type MethodOptions = MethodOptionsByName[MethodName];

/**
 * Builds a training method by name with the spec's hyper-parameters as options (defaults: the
 * CIFAR-10 values of SPEC.md; pass the MNIST ones explicitly). Unknown names, unknown option
 * keys and out-of-range values throw errors naming them.
 */
export function createMethod<N extends MethodName>(name: N, options?: MethodOptionsByName[N]): TrainMethod;
export function createMethod(name: string, options?: object): TrainMethod;
export function createMethod(name: string, options: object = {}): TrainMethod {
  switch (name) {
    case 'cat-cent':
    case 'cat-cw': {
      if ('attackLoss' in options) throw new Error(`${name}: attackLoss is fixed by the method name; use 'cat-cent' or 'cat-cw'`);
      return new CatMethod({ ...(options as CatOptions), attackLoss: name === 'cat-cent' ? 'ce' : 'cw' });
    }
    case 'at':
      return new AtMethod(options as AtOptions);
    case 'trades':
      return new TradesMethod(options as TradesOptions);
    case 'mart':
      return new MartMethod(options as MartOptions);
    case 'fat-trades':
      return new FatTradesMethod(options as FatTradesOptions);
    case 'natural':
      return new NaturalMethod(options as NaturalOptions);
    default:
      throw new Error(`createMethod: unknown method '${name}' (known: ${METHOD_NAMES.join(', ')})`);
  }
}
