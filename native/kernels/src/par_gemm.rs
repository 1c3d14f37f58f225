//! A GEMM split into blocks that rayon runs in parallel, each block a single-threaded OpenBLAS
//! call (see blas.rs for why OpenBLAS itself stays single-threaded).
use crate::blas::{sgemm, Gemm};
use rayon::prelude::*;

/// Below this many multiply-adds a GEMM runs on the calling thread: splitting costs more.
const PARALLEL_MIN_FLOPS: usize = 1 << 18;

/// `C = alpha * op(A) op(B) + beta * C` like [`sgemm`], split over the rows of C (or over its
/// columns when C is wide and short) across the rayon pool. `c` must be tight (`ldc == n`)
/// when splitting over rows is not possible, so callers pass `Gemm` with `ldc = n`.
pub fn par_sgemm(g: &Gemm, a: &[f32], b: &[f32], c: &mut [f32]) {
    let threads = rayon::current_num_threads();
    if threads <= 1 || g.m * g.n * g.k < PARALLEL_MIN_FLOPS {
        sgemm(g, a, b, c);
        return;
    }
    if g.m >= g.n || g.m >= 4 * threads {
        split_rows(g, a, b, c, threads);
    } else {
        split_cols(g, a, b, c, threads);
    }
}

fn block_size(total: usize, threads: usize) -> usize {
    // A few blocks a thread balance uneven progress; multiples of 16 keep SIMD tails rare.
    let blocks = threads * 2;
    (total.div_ceil(blocks)).div_ceil(16) * 16
}

fn split_rows(g: &Gemm, a: &[f32], b: &[f32], c: &mut [f32], threads: usize) {
    let rows = block_size(g.m, threads).max(1);
    c.par_chunks_mut(rows * g.ldc).enumerate().for_each(|(i, c_block)| {
        let r0 = i * rows;
        if r0 >= g.m {
            return;
        }
        let m = rows.min(g.m - r0);
        // Rows of op(A) start at row r0 of A, or at column r0 of A when A is transposed.
        let a_off = if g.trans_a { r0 } else { r0 * g.lda };
        sgemm(&Gemm { m, ..*g }, &a[a_off..], b, c_block);
    });
}

fn split_cols(g: &Gemm, a: &[f32], b: &[f32], c: &mut [f32], threads: usize) {
    let cols = block_size(g.n, threads).max(1);
    let blocks = g.n.div_ceil(cols);
    // Column blocks of C interleave in memory, so each block writes a private buffer that is
    // copied back; C is small here (m < n and m < 4 * threads).
    let parts: Vec<(usize, usize, Vec<f32>)> = (0..blocks)
        .into_par_iter()
        .map(|j| {
            let c0 = j * cols;
            let n = cols.min(g.n - c0);
            let mut part = vec![0.0f32; g.m * n];
            if g.beta != 0.0 {
                for r in 0..g.m {
                    part[r * n..(r + 1) * n].copy_from_slice(&c[r * g.ldc + c0..r * g.ldc + c0 + n]);
                }
            }
            let b_off = if g.trans_b { c0 * g.ldb } else { c0 };
            sgemm(&Gemm { n, ldc: n, ..*g }, a, &b[b_off..], &mut part);
            (c0, n, part)
        })
        .collect();
    for (c0, n, part) in parts {
        for r in 0..g.m {
            c[r * g.ldc + c0..r * g.ldc + c0 + n].copy_from_slice(&part[r * n..(r + 1) * n]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_close, naive_matmul, random_vec};

    #[test]
    fn row_and_column_splits_match_naive() {
        // Tall (row split) and wide (column split) shapes, every transpose combination.
        for &(m, n, k) in &[(301, 37, 70), (5, 900, 80), (64, 64, 64)] {
            for &(ta, tb) in &[(false, false), (true, false), (false, true), (true, true)] {
                let a = random_vec(m * k, 3);
                let b = random_vec(k * n, 4);
                let mut c = vec![0.0; m * n];
                par_sgemm(&Gemm::dense(m, n, k, ta, tb), &a, &b, &mut c);
                assert_close(&c, &naive_matmul(&a, &b, m, n, k, ta, tb), 1e-4);
            }
        }
    }

    #[test]
    fn column_split_keeps_beta() {
        let (m, n, k) = (3, 1000, 100);
        let a = random_vec(m * k, 5);
        let b = random_vec(k * n, 6);
        let mut c = vec![1.0; m * n];
        par_sgemm(&Gemm { beta: 1.0, ..Gemm::dense(m, n, k, false, false) }, &a, &b, &mut c);
        let want: Vec<f32> = naive_matmul(&a, &b, m, n, k, false, false).iter().map(|v| v + 1.0).collect();
        assert_close(&c, &want, 1e-4);
    }
}
