/**
 * Element-wise unary kernels on the native backend (float32; other dtypes run the cpu kernel):
 * activations and their gradient helper Step, Sign, ClipByValue and the math ops of the losses
 * and batch norm.
 */
import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { addon, cpuFallback, isFloat32, output, values, type NativeKernelArgs, outputArray } from '../kernel-helpers.js';

/** Kernel name to addon op code (cat_kernels::unary::UnaryOp) and its two parameters. */
const OPS: Record<string, [code: number, params: (attrs: NamedAttrMap) => [number, number]]> = {
  Relu: [0, () => [0, 0]],
  LeakyRelu: [1, (a) => [Number(a.alpha), 0]],
  Sigmoid: [2, () => [0, 0]],
  Step: [3, (a) => [Number(a.alpha ?? 0), 0]],
  Sign: [4, () => [0, 0]],
  Exp: [5, () => [0, 0]],
  Log: [6, () => [0, 0]],
  Neg: [7, () => [0, 0]],
  Square: [8, () => [0, 0]],
  Sqrt: [9, () => [0, 0]],
  Rsqrt: [10, () => [0, 0]],
  Abs: [11, () => [0, 0]],
  ClipByValue: [12, (a) => [Number(a.clipValueMin), Number(a.clipValueMax)]],
};

function unaryConfig(kernelName: string): KernelConfig {
  const [code, params] = OPS[kernelName];
  return {
    kernelName,
    backendName: 'native',
    kernelFunc: (raw) => {
      const args = raw as unknown as NativeKernelArgs<'x'>;
      const x = args.inputs.x as TensorInfo;
      if (!isFloat32(x)) return cpuFallback(kernelName, args);
      const xv = values(args.backend, x);
      const out = outputArray(xv.length);
      const [p0, p1] = params(args.attrs ?? {});
      addon().unary(xv, out, code, p0, p1);
      return output(args.backend, x.shape, out);
    },
  };
}

export const unaryOpConfigs: KernelConfig[] = Object.keys(OPS).map(unaryConfig);
