import type { TrainMethod } from '../types.js';
import { AT, type AtOptions } from './at.js';
import { CAT_CENT, CAT_CW, type CatMethodOptions } from './cat.js';
import type { MethodSpec } from './declare.js';
import { FAT_TRADES, type FatTradesOptions } from './fat-trades.js';
import { MART, type MartOptions } from './mart.js';
import { NATURAL, type NaturalOptions } from './natural.js';
import { TRADES, type TradesOptions } from './trades.js';

/**
 * Every training method's declaration, by name: the one registry the trainer, the CLI and the
 * docs read. Adding a method is its file (class + declaration) and one line here.
 */
export const METHODS = {
  'cat-cent': CAT_CENT,
  'cat-cw': CAT_CW,
  at: AT,
  trades: TRADES,
  mart: MART,
  'fat-trades': FAT_TRADES,
  natural: NATURAL,
} as const;

/** The training methods `createMethod` knows. */
export type MethodName = keyof typeof METHODS;
export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

/** Options by method name. */
export interface MethodOptionsByName {
  'cat-cent': CatMethodOptions;
  'cat-cw': CatMethodOptions;
  at: AtOptions;
  trades: TradesOptions;
  mart: MartOptions;
  'fat-trades': FatTradesOptions;
  natural: NaturalOptions;
}

/** Any method's options (what a CLI or config file hands over). */
export type MethodOptions = MethodOptionsByName[MethodName];

/** The declaration of method `name`; throws naming the known methods. */
export function methodSpec(name: string, where = 'createMethod'): MethodSpec {
  if (!Object.hasOwn(METHODS, name)) throw new Error(`${where}: unknown method '${name}' (known: ${METHOD_NAMES.join(', ')})`);
  return METHODS[name as MethodName] as MethodSpec;
}

/**
 * Builds a training method by name with the spec's hyper-parameters as options (defaults: the
 * CIFAR-10 values of SPEC.md; `methodDefaults(name, dataset)` gives the others). Unknown names,
 * unknown option keys and out-of-range values throw errors naming them.
 */
export function createMethod<N extends MethodName>(name: N, options?: MethodOptionsByName[N]): TrainMethod;
export function createMethod(name: string, options?: object): TrainMethod;
export function createMethod(name: string, options: object = {}): TrainMethod {
  return methodSpec(name).create(options);
}
