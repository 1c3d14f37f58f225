/**
 * tfjs's own wasm backend, for comparison (it is what a tfjs user would try first). It lacks
 * `Conv2DBackpropFilter`, so conv layers cannot train on it; this bridges that one kernel to
 * the cpu backend's (copying through a scratch cpu backend: slow, but correct).
 */
import {
  Conv2DBackpropFilter,
  getKernel,
  registerKernel,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

interface WasmLikeBackend {
  readSync(dataId: object): ArrayLike<number>;
  write(values: Float32Array | Int32Array, shape: number[], dtype: string): object;
}

function bridgedConv2DBackpropFilter(args: Parameters<KernelFunc>[0]): TensorInfo {
  const { inputs, attrs } = args;
  const wasm = args.backend as unknown as WasmLikeBackend;
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const cpu = new MathBackendCPU();
  try {
    const toCpu = (t: TensorInfo): TensorInfo => ({
      dataId: cpu.write(Float32Array.from(wasm.readSync(t.dataId)), t.shape, 'float32'),
      shape: t.shape,
      dtype: 'float32',
    });
    const cpuKernel = getKernel(Conv2DBackpropFilter, 'cpu');
    if (!cpuKernel) throw new Error('wasm bridge: the cpu Conv2DBackpropFilter kernel is not registered');
    const out = cpuKernel.kernelFunc({ inputs: { x: toCpu(x), dy: toCpu(dy) }, backend: cpu, attrs }) as TensorInfo;
    const result = cpu.readSync(out.dataId) as Float32Array;
    return { dataId: wasm.write(result, out.shape, 'float32'), shape: out.shape, dtype: 'float32' };
  } finally {
    cpu.dispose();
  }
}

/** Loads and registers the wasm backend (once) and the bridged kernel. */
export async function registerWasmBackend(): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm');
  if (!getKernel(Conv2DBackpropFilter, 'wasm')) {
    registerKernel({
      kernelName: Conv2DBackpropFilter,
      backendName: 'wasm',
      kernelFunc: bridgedConv2DBackpropFilter as unknown as KernelFunc,
    });
  }
}
