/** Training over several processes: MPI (Open MPI, through the native addon) and data parallelism over it. */
export { mpiAvailable, mpiProbe, launchedByMpirun, initMpi, type MpiComm } from './mpi.js';
export { DataParallel, averageGradients, broadcastWeights, shardRange, type Collective } from './data-parallel.js';
