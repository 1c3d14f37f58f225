/**
 * Run by mpi.test.ts with CAT_MPI_LIBRARY pointing at no file, as on a machine without Open MPI:
 * the addon must still load and run a kernel, and only MPI must fail, saying what to install.
 */
import { initMpi, loadNativeAddon, mpiAvailable, mpiProbe } from '@cat/core';

const addon = loadNativeAddon();
const out = new Float32Array(2);
addon.unary(Float32Array.from([-1, 4]), out, 0, 0, 0); // Relu
let initError = '';
try {
  initMpi();
} catch (err) {
  initError = (err as Error).message;
}
console.log(JSON.stringify({ relu: Array.from(out), available: mpiAvailable(), probe: mpiProbe(), initError }));
