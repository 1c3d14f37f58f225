/**
 * Run by mpi.test.ts without mpirun: the addon's collectives called before mpiInit must throw
 * (Open MPI itself would abort the whole process), and mpiFinalize must do nothing.
 */
import { loadNativeAddon } from '@cat/core';

const addon = loadNativeAddon();
const calls = [
  () => addon.mpiBarrier(),
  () => addon.mpiAllreduceSum(new Float32Array(2)),
  () => addon.mpiBroadcast(new Float32Array(2), 0),
  () => addon.mpiAbort(3),
  () => addon.mpiFinalize(),
];
const errors = calls.map((call) => {
  try {
    call();
    return '';
  } catch (err) {
    return (err as Error).message;
  }
});
console.log(JSON.stringify({ errors }));
