#!/usr/bin/python3
"""Measures the machine's single-precision matmul peak on N threads (default 2): numpy (Debian's
BLAS alternative, OpenBLAS when installed) and torch.mm, best of a few runs of a square sgemm.
Prints JSON {"sgemmPeakGflops": best, "numpy": ..., "torch": ..., "n": ..., "threads": ...}."""
import argparse
import json
import os
import sys
import time


def best_gflops(mm, a, b, n, repeats):
    mm(a, b)  # warm-up: thread pools, page faults
    best = float('inf')
    for _ in range(repeats):
        t0 = time.perf_counter()
        mm(a, b)
        best = min(best, time.perf_counter() - t0)
    return 2 * n ** 3 / best / 1e9


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--n', type=int, default=2048)
    ap.add_argument('--repeats', type=int, default=5)
    args = ap.parse_args()
    if 'numpy' in sys.modules or 'torch' in sys.modules:
        raise SystemExit('sgemm_probe: set thread counts before numpy/torch load')
    for var in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
        os.environ[var] = str(args.threads)
    import numpy as np
    a = np.random.default_rng(0).random((args.n, args.n), dtype=np.float32)
    b = np.random.default_rng(1).random((args.n, args.n), dtype=np.float32)
    out = {'n': args.n, 'threads': args.threads, 'numpy': best_gflops(np.matmul, a, b, args.n, args.repeats)}
    try:
        import torch
        torch.set_num_threads(args.threads)
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        out['torch'] = best_gflops(torch.mm, ta, tb, args.n, args.repeats)
    except ImportError:
        out['torch'] = None
    out['sgemmPeakGflops'] = max(v for v in (out['numpy'], out['torch']) if v is not None)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
