/** CAT's calibration `CatCalibrate` and its gradient `CatCalibrateGrad` (ops/calibrate.ts) in Rust. */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { CatCalibrate, CatCalibrateGrad } from '../../ops/kernel-names.js';
import { addon, cpuFallback, isFloat32, output, values, type NativeKernelArgs, outputArray } from '../kernel-helpers.js';

export const catCalibrateConfig: KernelConfig = {
  kernelName: CatCalibrate,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'x' | 'delta' | 'mask'>;
    const { x, delta, mask } = args.inputs as Record<'x' | 'delta' | 'mask', TensorInfo>;
    if (!isFloat32(x, delta, mask)) return cpuFallback(CatCalibrate, args);
    const b = args.backend;
    const xv = values(b, x);
    const out = outputArray(xv.length);
    addon().calibrate(xv, values(b, delta), values(b, mask), out);
    return output(b, x.shape, out);
  },
};

export const catCalibrateGradConfig: KernelConfig = {
  kernelName: CatCalibrateGrad,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'dy' | 'x' | 'delta' | 'mask'>;
    const { dy, x, delta, mask } = args.inputs as Record<'dy' | 'x' | 'delta' | 'mask', TensorInfo>;
    if (!isFloat32(dy, x, delta, mask)) return cpuFallback(CatCalibrateGrad, args);
    const b = args.backend;
    const dyv = values(b, dy);
    const [dx, dd, dm] = [0, 1, 2].map(() => outputArray(dyv.length));
    addon().calibrateGrad(dyv, values(b, x), values(b, delta), values(b, mask), dx, dd, dm);
    return [output(b, dy.shape, dx), output(b, dy.shape, dd), output(b, dy.shape, dm)];
  },
};
