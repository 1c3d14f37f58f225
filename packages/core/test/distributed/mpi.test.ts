/**
 * The MPI binding (native/binding/src/mpi_sys.rs, @cat/core's distributed/mpi.ts): collectives
 * on two ranks under mpirun, and the addon without Open MPI.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jsonLines, mpirun } from './mpirun.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const HERE = 'packages/core/test/distributed';

interface RankReport {
  available: boolean;
  rank: number;
  size: number;
  head: number[];
  last: number;
  buf: number[];
  b0: number[];
  bLast: number[];
}

describe('MPI collectives (mpirun -np 2 on loopback)', () => {
  it('all-reduce sums in place (views included) and broadcast copies from the root', () => {
    const run = mpirun(2, `${HERE}/collectives-rank.ts`);
    expect(run.status, run.stderr).toBe(0);
    const reports = jsonLines<RankReport>(run.stdout).sort((a, b) => a.rank - b.rank);
    expect(reports.map((r) => [r.rank, r.size, r.available])).toEqual([
      [0, 2, true],
      [1, 2, true],
    ]);
    const n = 100_003;
    for (const r of reports) {
      // (1 + 2) * [1, 2, 3, ...]
      expect(r.head).toEqual([3, 6, 9]);
      expect(r.last).toBe(Math.fround(3 * n));
      // Elements 2..4 summed over ranks (10 + 11), the rest untouched.
      const own = 10 + r.rank;
      expect(r.buf).toEqual([own, own, 21, 21, 21, own, own, own]);
      expect(r.b0).toEqual([3.5, -1, 7]);
      expect(r.bLast).toEqual([1, 1]);
    }
  }, 240_000);
});

describe('MPI not started', () => {
  it("the addon's collectives throw before mpiInit instead of ending the process", () => {
    const run = spawnSync('node', ['--conditions=source', '--import', 'tsx', `${HERE}/before-init.ts`], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const [r] = jsonLines<{ errors: string[] }>(run.stdout);
    const names = ['MPI_Barrier', 'MPI_Allreduce', 'MPI_Bcast', 'MPI_Abort'];
    names.forEach((name, i) => expect(r.errors[i]).toBe(`${name}: MPI is not started in this process (call mpiInit first)`));
    // Finalizing MPI that never started does nothing.
    expect(r.errors[4]).toBe('');
  });
});

describe('without Open MPI at run time', () => {
  it('the addon loads and computes; only MPI fails, naming tools/setup.sh', () => {
    const run = spawnSync('node', ['--conditions=source', '--import', 'tsx', `${HERE}/no-mpi.ts`], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CAT_MPI_LIBRARY: '/nonexistent/libmpi.so.40' },
    });
    expect(run.status, run.stderr).toBe(0);
    const [r] = jsonLines<{ relu: number[]; available: boolean; probe: { error?: string }; initError: string }>(run.stdout);
    expect(r.relu).toEqual([0, 4]);
    expect(r.available).toBe(false);
    expect(r.probe.error).toContain('/nonexistent/libmpi.so.40');
    expect(r.initError).toContain('tools/setup.sh');
  });
});
