/**
 * MPI through the native addon (native/binding/src/mpi_sys.rs): Open MPI's `libmpi.so.40` is
 * opened at run time, so a machine without Open MPI loads the addon and trains on one process
 * as before; only {@link initMpi} and what follows need it. Every call is synchronous and
 * collective over MPI_COMM_WORLD: all ranks must make the same calls in the same order.
 */
import { loadNativeAddon } from '../backend/native-addon.js';

/** Whether MPI can be used here: the addon loads and the MPI library opens (nothing starts). */
export function mpiAvailable(): boolean {
  return mpiProbe().available;
}

/** What {@link mpiAvailable} found: the library opened, or why not. */
export function mpiProbe(): { available: boolean; library?: string; error?: string } {
  try {
    return JSON.parse(loadNativeAddon().mpiProbe()) as { available: boolean; library?: string; error?: string };
  } catch (err) {
    return { available: false, error: (err as Error).message };
  }
}

/** True when this process was started by Open MPI's `mpirun` (it sets OMPI_COMM_WORLD_SIZE). */
export function launchedByMpirun(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.OMPI_COMM_WORLD_SIZE !== undefined;
}

/** One process's view of MPI_COMM_WORLD, from {@link initMpi}. */
export interface MpiComm {
  /** This process's rank, 0 .. size - 1. */
  readonly rank: number;
  /** The number of processes. */
  readonly size: number;
  /** Sums `x` over all ranks, in place (every rank ends with the sum; zero-copy). */
  allreduceSum(x: Float32Array): void;
  /** Copies rank `root`'s `x` into every other rank's `x` (same length everywhere). */
  broadcast(x: Float32Array, root?: number): void;
  /** Waits until every rank has called it. */
  barrier(): void;
  /** Ends MPI for this process (once; later calls do nothing). */
  finalize(): void;
  /** Ends every rank of the job at once with exit code `code` (mpirun reports it). */
  abort(code?: number): never;
}

let world: MpiComm | undefined;

/**
 * Starts MPI (MPI_Init, once per process) and returns this process's rank and size.
 * @throws when the addon or the MPI library is missing (the message says what to install).
 */
export function initMpi(): MpiComm {
  if (world) return world;
  const addon = loadNativeAddon();
  const { rank, size } = JSON.parse(addon.mpiInit()) as { rank: number; size: number };
  world = {
    rank,
    size,
    allreduceSum: (x) => addon.mpiAllreduceSum(x),
    broadcast: (x, root = 0) => addon.mpiBroadcast(x, root),
    barrier: () => addon.mpiBarrier(),
    finalize: () => addon.mpiFinalize(),
    abort: (code = 1) => {
      addon.mpiAbort(code);
      // MPI_Abort does not return; if it ever does, still end this process.
      process.exit(code);
    },
  };
  return world;
}
