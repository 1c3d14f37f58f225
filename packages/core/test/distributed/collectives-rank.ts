/**
 * One rank of mpi.test.ts (run under mpirun): exercises every collective of @cat/core's MPI
 * binding and prints what it saw as one JSON line.
 */
import { initMpi, mpiAvailable } from '@cat/core';

const available = mpiAvailable();
const comm = initMpi();
const { rank, size } = comm;

// All-reduce in place: rank r contributes (r + 1) * [1, 2, ..., n].
const n = 100_003;
const x = new Float32Array(n).map((_, i) => (rank + 1) * (i + 1));
comm.allreduceSum(x);

// A view of a larger buffer: only the view's elements change (zero-copy, in place).
const buf = new Float32Array(8).fill(rank + 10);
comm.allreduceSum(buf.subarray(2, 5));

// Broadcast from rank 0, and from the last rank.
const b0 = rank === 0 ? Float32Array.from([3.5, -1, 7]) : new Float32Array(3);
comm.broadcast(b0);
const bLast = new Float32Array(2).fill(rank);
comm.broadcast(bLast, size - 1);

comm.barrier();
console.log(
  JSON.stringify({ available, rank, size, head: Array.from(x.subarray(0, 3)), last: x[n - 1], buf: Array.from(buf), b0: Array.from(b0), bLast: Array.from(bLast) }),
);
comm.finalize();
