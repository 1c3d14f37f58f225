/** Training over several processes: MPI (Open MPI, through the native addon). */
export { mpiAvailable, mpiProbe, launchedByMpirun, initMpi, type MpiComm } from './mpi.js';
