//! Element-wise binary ops (Add, Sub, Mul, RealDiv, Maximum, Minimum, SquaredDifference) with
//! the broadcasts the models produce: equal shapes, a scalar, a per-channel vector `[C]` against
//! `[..., C]` (bias, batch-norm statistics), and a per-row value `[R, 1]` against `[R, K]`
//! (keepDims reductions). Other broadcasts stay on the caller's generic path.

use crate::chunked::for_each_chunk;
use crate::error::{KernelError, KernelResult};
use crate::op_codes::{BINARY_OP, BROADCAST};

/// Which binary op.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Maximum,
    Minimum,
    SquaredDifference,
}

impl BinaryOp {
    /// The op with this `BinaryOp` code of native/ops.manifest.
    pub fn from_code(code: u32) -> Option<BinaryOp> {
        use BinaryOp::*;
        Some(match *BINARY_OP.get(code as usize)? {
            "Add" => Add,
            "Sub" => Sub,
            "Multiply" => Mul,
            "RealDiv" => Div,
            "Maximum" => Maximum,
            "Minimum" => Minimum,
            "SquaredDifference" => SquaredDifference,
            _ => return None,
        })
    }

    /// The scalar function, for naive references and odd cases.
    pub fn apply(self, a: f32, b: f32) -> f32 {
        match self {
            BinaryOp::Add => a + b,
            BinaryOp::Sub => a - b,
            BinaryOp::Mul => a * b,
            BinaryOp::Div => a / b,
            // tfjs's CPU kernels use Math.max/min, which propagate NaN; `f32::max` would not.
            BinaryOp::Maximum => {
                if a.is_nan() || b.is_nan() {
                    f32::NAN
                } else if a > b {
                    a
                } else {
                    b
                }
            }
            BinaryOp::Minimum => {
                if a.is_nan() || b.is_nan() {
                    f32::NAN
                } else if a < b {
                    a
                } else {
                    b
                }
            }
            BinaryOp::SquaredDifference => (a - b) * (a - b),
        }
    }
}

/// How one operand maps onto an output index `i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Broadcast {
    /// Same shape as the output: element `i`.
    Same,
    /// One element for everything: element `0`.
    Scalar,
    /// A trailing block of `n` elements repeated (`[C]` on `[N,H,W,C]`): element `i % n`.
    Inner(usize),
    /// One element per run of `n` output elements (`[R,1]` on `[R,n]`): element `i / n`.
    Outer(usize),
}

impl Broadcast {
    /// The broadcast with this `Broadcast` code of native/ops.manifest and block size `n`
    /// (ignored for Same and Scalar; Inner and Outer need `n > 0`).
    pub fn from_code(mode: u32, n: usize) -> Option<Broadcast> {
        match *BROADCAST.get(mode as usize)? {
            "Same" => Some(Broadcast::Same),
            "Scalar" => Some(Broadcast::Scalar),
            "Inner" if n > 0 => Some(Broadcast::Inner(n)),
            "Outer" if n > 0 => Some(Broadcast::Outer(n)),
            _ => None,
        }
    }

    fn index(self, i: usize) -> usize {
        match self {
            Broadcast::Same => i,
            Broadcast::Scalar => 0,
            Broadcast::Inner(n) => i % n,
            Broadcast::Outer(n) => i / n,
        }
    }

    /// The number of elements this operand must have for an output of `out_len` elements.
    pub fn operand_len(self, out_len: usize) -> usize {
        match self {
            Broadcast::Same => out_len,
            Broadcast::Scalar => 1,
            Broadcast::Inner(n) => n,
            Broadcast::Outer(n) => out_len / n,
        }
    }

    /// How many output positions starting at `i` read a contiguous run (or one constant).
    fn run_from(self, i: usize) -> usize {
        match self {
            Broadcast::Same | Broadcast::Scalar => usize::MAX,
            Broadcast::Inner(n) | Broadcast::Outer(n) => n - i % n,
        }
    }

    fn is_constant_in_run(self) -> bool {
        matches!(self, Broadcast::Scalar | Broadcast::Outer(_))
    }
}

/// Checks that the operand lengths fit the broadcast modes and the output length.
pub fn check_shapes(a_len: usize, am: Broadcast, b_len: usize, bm: Broadcast, out_len: usize) -> KernelResult {
    for (name, len, m) in [("a", a_len, am), ("b", b_len, bm)] {
        if let Broadcast::Inner(n) | Broadcast::Outer(n) = m {
            if out_len % n != 0 {
                return Err(KernelError::BadArgument(format!(
                    "binary: output length {out_len} is not a multiple of {name}'s block {n}"
                )));
            }
        }
        if len != m.operand_len(out_len) {
            return Err(KernelError::BadArgument(format!(
                "binary: operand {name} has {len} elements, broadcast {m:?} over {out_len} needs {}",
                m.operand_len(out_len)
            )));
        }
    }
    Ok(())
}

/// `out[i] = op(a[am(i)], b[bm(i)])`; fails if the lengths do not fit the broadcasts.
pub fn binary(op: BinaryOp, a: &[f32], am: Broadcast, b: &[f32], bm: Broadcast, out: &mut [f32]) -> KernelResult {
    check_shapes(a.len(), am, b.len(), bm, out.len())?;
    match op {
        BinaryOp::Add => run(a, am, b, bm, out, |x, y| x + y),
        BinaryOp::Sub => run(a, am, b, bm, out, |x, y| x - y),
        BinaryOp::Mul => run(a, am, b, bm, out, |x, y| x * y),
        BinaryOp::Div => run(a, am, b, bm, out, |x, y| x / y),
        BinaryOp::Maximum => run(a, am, b, bm, out, |x, y| BinaryOp::Maximum.apply(x, y)),
        BinaryOp::Minimum => run(a, am, b, bm, out, |x, y| BinaryOp::Minimum.apply(x, y)),
        BinaryOp::SquaredDifference => run(a, am, b, bm, out, |x, y| (x - y) * (x - y)),
    }
    Ok(())
}

/// Walks the output in runs where each operand is either a contiguous slice or one constant, so
/// the inner loops are plain zips the compiler vectorises.
fn run<F>(a: &[f32], am: Broadcast, b: &[f32], bm: Broadcast, out: &mut [f32], f: F)
where
    F: Fn(f32, f32) -> f32 + Sync + Copy,
{
    for_each_chunk(out, |start, chunk| {
        let mut k = 0;
        while k < chunk.len() {
            let i = start + k;
            let len = am.run_from(i).min(bm.run_from(i)).min(chunk.len() - k);
            let o = &mut chunk[k..k + len];
            let (ia, ib) = (am.index(i), bm.index(i));
            match (am.is_constant_in_run(), bm.is_constant_in_run()) {
                (false, false) => {
                    for ((o, &x), &y) in o.iter_mut().zip(&a[ia..ia + len]).zip(&b[ib..ib + len]) {
                        *o = f(x, y);
                    }
                }
                (false, true) => {
                    let y = b[ib];
                    for (o, &x) in o.iter_mut().zip(&a[ia..ia + len]) {
                        *o = f(x, y);
                    }
                }
                (true, false) => {
                    let x = a[ia];
                    for (o, &y) in o.iter_mut().zip(&b[ib..ib + len]) {
                        *o = f(x, y);
                    }
                }
                (true, true) => o.fill(f(a[ia], b[ib])),
            }
            k += len;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed.wrapping_mul(2654435761).wrapping_add(1);
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                (s % 2000) as f32 / 1000.0 - 1.0 + 0.0005
            })
            .collect()
    }

    fn naive(op: BinaryOp, a: &[f32], am: Broadcast, b: &[f32], bm: Broadcast, n: usize) -> Vec<f32> {
        (0..n).map(|i| op.apply(a[am.index(i)], b[bm.index(i)])).collect()
    }

    #[test]
    fn all_ops_and_broadcasts_match_naive_loop() {
        let ops = (0..BINARY_OP.len() as u32).map(|c| BinaryOp::from_code(c).unwrap());
        // Sizes below and above the parallel threshold; blocks not dividing the chunk size.
        for n_out in [7 * 3, 2 * 5 * 7 * 13, 3 * 17 * 4099] {
            let modes = |blocks: &[usize]| {
                let mut v = vec![Broadcast::Same, Broadcast::Scalar];
                for &bl in blocks {
                    v.push(Broadcast::Inner(bl));
                    v.push(Broadcast::Outer(bl));
                }
                v
            };
            let blocks: Vec<usize> = [3usize, 7, 13, 17].into_iter().filter(|b| n_out % b == 0).collect();
            for op in ops.clone() {
                for am in modes(&blocks) {
                    for bm in modes(&blocks) {
                        let a = data(am.operand_len(n_out), 1);
                        let b = data(bm.operand_len(n_out), 2);
                        let mut out = vec![0.0; n_out];
                        binary(op, &a, am, &b, bm, &mut out).unwrap();
                        let want = naive(op, &a, am, &b, bm, n_out);
                        assert_eq!(out, want, "{op:?} {am:?} {bm:?} n={n_out}");
                    }
                }
            }
        }
    }

    #[test]
    fn hand_computed_values() {
        let mut out = vec![0.0; 4];
        binary(BinaryOp::Sub, &[1.0, 2.0, 3.0, 4.0], Broadcast::Same, &[10.0, 20.0], Broadcast::Inner(2), &mut out).unwrap();
        assert_eq!(out, vec![-9.0, -18.0, -7.0, -16.0]);
        binary(BinaryOp::Div, &[1.0, 2.0, 3.0, 4.0], Broadcast::Same, &[2.0, 4.0], Broadcast::Outer(2), &mut out).unwrap();
        assert_eq!(out, vec![0.5, 1.0, 0.75, 1.0]);
        binary(BinaryOp::SquaredDifference, &[3.0], Broadcast::Scalar, &[1.0, 2.0, 3.0, 5.0], Broadcast::Same, &mut out).unwrap();
        assert_eq!(out, vec![4.0, 1.0, 0.0, 4.0]);
        binary(BinaryOp::Maximum, &[f32::NAN, 1.0, -1.0, 0.0], Broadcast::Same, &[0.0], Broadcast::Scalar, &mut out).unwrap();
        assert!(out[0].is_nan());
        assert_eq!(&out[1..], &[1.0, 0.0, 0.0]);
    }

    #[test]
    fn bad_lengths_are_reported() {
        assert!(check_shapes(5, Broadcast::Same, 1, Broadcast::Scalar, 6).is_err());
        assert!(check_shapes(6, Broadcast::Same, 4, Broadcast::Inner(4), 6).is_err());
        assert!(check_shapes(6, Broadcast::Same, 3, Broadcast::Outer(2), 6).is_ok());
        assert!(BinaryOp::from_code(BINARY_OP.len() as u32).is_none());
        assert!(Broadcast::from_code(2, 0).is_none());
    }

    #[test]
    fn every_manifest_code_has_an_op() {
        assert!((0..BINARY_OP.len() as u32).all(|c| BinaryOp::from_code(c).is_some()), "{BINARY_OP:?}");
        assert!((0..BROADCAST.len() as u32).all(|c| Broadcast::from_code(c, 1).is_some()), "{BROADCAST:?}");
    }
}
