//! Row-major single-precision GEMM through OpenBLAS's CBLAS interface (declared here: no crate).
//!
//! Threads: OpenBLAS is pinned to one thread, and kernels parallelise with rayon by splitting
//! the GEMM into row or column blocks. Two thread pools on two cores oversubscribe (OpenBLAS's
//! workers spin while rayon's run), so only one pool, rayon's, ever does parallel work.
use std::os::raw::c_int;
use std::sync::Once;

const CBLAS_ROW_MAJOR: c_int = 101;
const CBLAS_NO_TRANS: c_int = 111;
const CBLAS_TRANS: c_int = 112;

#[link(name = "openblas")]
extern "C" {
    fn cblas_sgemm(
        order: c_int,
        trans_a: c_int,
        trans_b: c_int,
        m: c_int,
        n: c_int,
        k: c_int,
        alpha: f32,
        a: *const f32,
        lda: c_int,
        b: *const f32,
        ldb: c_int,
        beta: f32,
        c: *mut f32,
        ldc: c_int,
    );
    fn openblas_set_num_threads(n: c_int);
}

static SINGLE_THREADED: Once = Once::new();

fn ensure_single_threaded() {
    // SAFETY: plain FFI call with a valid thread count.
    SINGLE_THREADED.call_once(|| unsafe { openblas_set_num_threads(1) });
}

/// One GEMM problem: `C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C`, row-major, with
/// leading dimensions (row strides) `lda`, `ldb`, `ldc`. `op(X)` is `X` or its transpose.
#[derive(Clone, Copy, Debug)]
pub struct Gemm {
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub trans_a: bool,
    pub trans_b: bool,
    pub lda: usize,
    pub ldb: usize,
    pub ldc: usize,
    pub alpha: f32,
    pub beta: f32,
}

impl Gemm {
    /// A dense problem with tight leading dimensions, `alpha = 1`, `beta = 0`.
    pub fn dense(m: usize, n: usize, k: usize, trans_a: bool, trans_b: bool) -> Gemm {
        Gemm {
            m,
            n,
            k,
            trans_a,
            trans_b,
            lda: if trans_a { m } else { k },
            ldb: if trans_b { k } else { n },
            ldc: n,
            alpha: 1.0,
            beta: 0.0,
        }
    }

    /// Elements `a` must hold to cover op(A) (rows x cols stored with stride lda).
    fn a_len(&self) -> usize {
        let (rows, cols) = if self.trans_a { (self.k, self.m) } else { (self.m, self.k) };
        span(rows, cols, self.lda)
    }

    fn b_len(&self) -> usize {
        let (rows, cols) = if self.trans_b { (self.n, self.k) } else { (self.k, self.n) };
        span(rows, cols, self.ldb)
    }

    fn c_len(&self) -> usize {
        span(self.m, self.n, self.ldc)
    }
}

fn span(rows: usize, cols: usize, ld: usize) -> usize {
    if rows == 0 || cols == 0 {
        0
    } else {
        (rows - 1) * ld + cols
    }
}

/// Runs one GEMM on the calling thread. Panics if a slice is too short for its matrix (a bug in
/// the calling kernel, never user input: kernels validate shapes first).
pub fn sgemm(g: &Gemm, a: &[f32], b: &[f32], c: &mut [f32]) {
    assert!(a.len() >= g.a_len(), "sgemm: A has {} values, needs {}", a.len(), g.a_len());
    assert!(b.len() >= g.b_len(), "sgemm: B has {} values, needs {}", b.len(), g.b_len());
    assert!(c.len() >= g.c_len(), "sgemm: C has {} values, needs {}", c.len(), g.c_len());
    if g.m == 0 || g.n == 0 {
        return;
    }
    assert!(g.ldc >= g.n, "sgemm: ldc {} < n {}", g.ldc, g.n);
    if g.k == 0 {
        // An empty sum: C = beta * C, where beta == 0 must not read C (it may be uninitialised
        // memory holding NaN, and NaN * 0 is NaN), as BLAS specifies.
        for r in 0..g.m {
            for v in &mut c[r * g.ldc..r * g.ldc + g.n] {
                *v = if g.beta == 0.0 { 0.0 } else { *v * g.beta };
            }
        }
        return;
    }
    let cols_a = if g.trans_a { g.m } else { g.k };
    let cols_b = if g.trans_b { g.k } else { g.n };
    assert!(g.lda >= cols_a && g.ldb >= cols_b, "sgemm: leading dimension shorter than a row");
    ensure_single_threaded();
    let to_int = |v: usize| c_int::try_from(v).expect("sgemm: dimension exceeds i32");
    // SAFETY: the asserts above guarantee every accessed element lies inside its slice.
    unsafe {
        cblas_sgemm(
            CBLAS_ROW_MAJOR,
            if g.trans_a { CBLAS_TRANS } else { CBLAS_NO_TRANS },
            if g.trans_b { CBLAS_TRANS } else { CBLAS_NO_TRANS },
            to_int(g.m),
            to_int(g.n),
            to_int(g.k),
            g.alpha,
            a.as_ptr(),
            to_int(g.lda),
            b.as_ptr(),
            to_int(g.ldb),
            g.beta,
            c.as_mut_ptr(),
            to_int(g.ldc),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_close, naive_matmul, random_vec};

    #[test]
    fn matches_naive_for_every_transpose() {
        let (m, n, k) = (7, 5, 9);
        for &(ta, tb) in &[(false, false), (true, false), (false, true), (true, true)] {
            let a = random_vec(m * k, 1);
            let b = random_vec(k * n, 2);
            let mut c = vec![0.0; m * n];
            sgemm(&Gemm::dense(m, n, k, ta, tb), &a, &b, &mut c);
            assert_close(&c, &naive_matmul(&a, &b, m, n, k, ta, tb), 1e-5);
        }
    }

    #[test]
    fn empty_inner_dimension_zeroes_without_reading_c() {
        let mut c = vec![f32::NAN; 6];
        sgemm(&Gemm::dense(2, 3, 0, false, false), &[], &[], &mut c);
        assert_eq!(c, vec![0.0; 6]);
    }

    #[test]
    fn beta_zero_ignores_garbage_in_c() {
        let mut c = vec![f32::NAN; 1];
        sgemm(&Gemm::dense(1, 1, 2, false, false), &[1.0, 2.0], &[3.0, 4.0], &mut c);
        assert_eq!(c, vec![11.0]);
    }

    #[test]
    fn beta_accumulates() {
        let a = vec![1.0, 2.0];
        let b = vec![3.0, 4.0];
        let mut c = vec![10.0];
        let g = Gemm { beta: 1.0, ..Gemm::dense(1, 1, 2, false, false) };
        sgemm(&g, &a, &b, &mut c);
        assert_eq!(c, vec![21.0]);
    }
}
