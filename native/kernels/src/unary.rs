//! Element-wise unary ops: activations (Relu, LeakyRelu, Sigmoid), ReLU's gradient helper Step,
//! Sign, ClipByValue and the math ops the losses and batch norm use (Exp, Log, Neg, Square,
//! Sqrt, Rsqrt, Abs). Semantics follow tfjs's CPU kernels, NaN handling included.

use crate::chunked::for_each_chunk;
use crate::error::{check_len, KernelResult};

/// A unary op with its attributes; the binding builds it from (code, p0, p1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UnaryOp {
    Relu,
    /// `x < 0 ? alpha * x : x`.
    LeakyRelu(f32),
    Sigmoid,
    /// `x > 0 ? 1 : alpha` (NaN stays NaN); tfjs builds ReLU's gradient from it.
    Step(f32),
    Sign,
    Exp,
    Log,
    Neg,
    Square,
    Sqrt,
    Rsqrt,
    Abs,
    /// Clamp to `[lo, hi]`.
    Clip(f32, f32),
}

impl UnaryOp {
    /// The op with this `UnaryOp` code of native/ops.manifest; `p0`, `p1` are its parameters.
    pub fn from_code(code: u32, p0: f32, p1: f32) -> Option<UnaryOp> {
        use UnaryOp::*;
        Some(match *crate::op_codes::UNARY_OP.get(code as usize)? {
            "Relu" => Relu,
            "LeakyRelu" => LeakyRelu(p0),
            "Sigmoid" => Sigmoid,
            "Step" => Step(p0),
            "Sign" => Sign,
            "Exp" => Exp,
            "Log" => Log,
            "Neg" => Neg,
            "Square" => Square,
            "Sqrt" => Sqrt,
            "Rsqrt" => Rsqrt,
            "Abs" => Abs,
            "ClipByValue" => Clip(p0, p1),
            _ => return None,
        })
    }

    /// The scalar function.
    #[inline(always)]
    pub fn apply(self, x: f32) -> f32 {
        match self {
            // tfjs: `x < 0 ? 0 : x`, so NaN passes through.
            UnaryOp::Relu => {
                if x < 0.0 {
                    0.0
                } else {
                    x
                }
            }
            UnaryOp::LeakyRelu(alpha) => {
                if x < 0.0 {
                    alpha * x
                } else {
                    x
                }
            }
            UnaryOp::Sigmoid => 1.0 / (1.0 + (-x).exp()),
            UnaryOp::Step(alpha) => {
                if x.is_nan() {
                    f32::NAN
                } else if x > 0.0 {
                    1.0
                } else {
                    alpha
                }
            }
            UnaryOp::Sign => {
                if x < 0.0 {
                    -1.0
                } else if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            UnaryOp::Exp => x.exp(),
            UnaryOp::Log => x.ln(),
            UnaryOp::Neg => -x,
            UnaryOp::Square => x * x,
            UnaryOp::Sqrt => x.sqrt(),
            UnaryOp::Rsqrt => 1.0 / x.sqrt(),
            UnaryOp::Abs => x.abs(),
            UnaryOp::Clip(lo, hi) => {
                if x > hi {
                    hi
                } else if x < lo {
                    lo
                } else {
                    x
                }
            }
        }
    }
}

/// `out[i] = op(x[i])`; fails if the lengths differ.
pub fn unary(op: UnaryOp, x: &[f32], out: &mut [f32]) -> KernelResult {
    check_len("unary: output", x.len(), out.len())?;
    // One monomorphised loop per op (the op is a constant inside each closure), so the inner
    // loops carry no per-element match and vectorise.
    use UnaryOp::*;
    match op {
        Relu => map(x, out, |v| Relu.apply(v)),
        LeakyRelu(a) => map(x, out, move |v| LeakyRelu(a).apply(v)),
        Sigmoid => map(x, out, |v| Sigmoid.apply(v)),
        Step(a) => map(x, out, move |v| Step(a).apply(v)),
        Sign => map(x, out, |v| Sign.apply(v)),
        Exp => map(x, out, |v| Exp.apply(v)),
        Log => map(x, out, |v| Log.apply(v)),
        Neg => map(x, out, |v| Neg.apply(v)),
        Square => map(x, out, |v| Square.apply(v)),
        Sqrt => map(x, out, |v| Sqrt.apply(v)),
        Rsqrt => map(x, out, |v| Rsqrt.apply(v)),
        Abs => map(x, out, |v| Abs.apply(v)),
        Clip(lo, hi) => map(x, out, move |v| Clip(lo, hi).apply(v)),
    }
    Ok(())
}

fn map<F: Fn(f32) -> f32 + Sync>(x: &[f32], out: &mut [f32], f: F) {
    for_each_chunk(out, |start, chunk| {
        let len = chunk.len();
        for (o, &v) in chunk.iter_mut().zip(&x[start..start + len]) {
            *o = f(v);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_values() {
        let x = [-2.0f32, -0.0, 0.0, 0.5, 3.0];
        let f = |op: UnaryOp| {
            let mut o = vec![0.0; x.len()];
            unary(op, &x, &mut o).unwrap();
            o
        };
        assert_eq!(f(UnaryOp::Relu), vec![0.0, -0.0, 0.0, 0.5, 3.0]);
        assert_eq!(f(UnaryOp::LeakyRelu(0.2)), vec![-0.4, -0.0, 0.0, 0.5, 3.0]);
        assert_eq!(f(UnaryOp::Step(0.0)), vec![0.0, 0.0, 0.0, 1.0, 1.0]);
        assert_eq!(f(UnaryOp::Step(0.3)), vec![0.3, 0.3, 0.3, 1.0, 1.0]);
        assert_eq!(f(UnaryOp::Sign), vec![-1.0, 0.0, 0.0, 1.0, 1.0]);
        assert_eq!(f(UnaryOp::Neg), vec![2.0, 0.0, -0.0, -0.5, -3.0]);
        assert_eq!(f(UnaryOp::Square), vec![4.0, 0.0, 0.0, 0.25, 9.0]);
        assert_eq!(f(UnaryOp::Abs), vec![2.0, 0.0, 0.0, 0.5, 3.0]);
        assert_eq!(f(UnaryOp::Clip(-1.0, 1.0)), vec![-1.0, -0.0, 0.0, 0.5, 1.0]);
        let s = f(UnaryOp::Sigmoid);
        assert!((s[0] - 0.11920292).abs() < 1e-7 && (s[2] - 0.5).abs() < 1e-7 && (s[4] - 0.95257413).abs() < 1e-7);
        let e = f(UnaryOp::Exp);
        assert!((e[4] - 20.085537).abs() < 1e-5);
        let mut l = [0.0f32; 2];
        unary(UnaryOp::Log, &[1.0, std::f32::consts::E], &mut l).unwrap();
        assert!(l[0].abs() < 1e-7 && (l[1] - 1.0).abs() < 1e-6);
        unary(UnaryOp::Rsqrt, &[4.0, 0.25], &mut l).unwrap();
        assert_eq!(l, [0.5, 2.0]);
        unary(UnaryOp::Sqrt, &[4.0, 0.25], &mut l).unwrap();
        assert_eq!(l, [2.0, 0.5]);
    }

    #[test]
    fn nan_follows_tfjs() {
        let mut o = [0.0f32; 1];
        for (op, nan_out) in [
            (UnaryOp::Relu, true),
            (UnaryOp::Step(0.0), true),
            (UnaryOp::Sign, false),
            (UnaryOp::Sigmoid, true),
        ] {
            unary(op, &[f32::NAN], &mut o).unwrap();
            assert_eq!(o[0].is_nan(), nan_out, "{op:?}");
        }
    }

    #[test]
    fn large_input_matches_scalar_loop() {
        let n = 200_003;
        let x: Vec<f32> = (0..n).map(|i| ((i * 7919) % 1000) as f32 / 250.0 - 2.0).collect();
        for code in 0..crate::op_codes::UNARY_OP.len() as u32 {
            let op = UnaryOp::from_code(code, 0.2, 0.7).unwrap();
            let mut o = vec![0.0; n];
            unary(op, &x, &mut o).unwrap();
            for i in 0..n {
                let want = op.apply(x[i]);
                assert!(o[i] == want || (o[i].is_nan() && want.is_nan()), "{op:?} at {i}");
            }
        }
        assert!(UnaryOp::from_code(crate::op_codes::UNARY_OP.len() as u32, 0.0, 0.0).is_none());
    }

    #[test]
    fn every_manifest_code_has_an_op() {
        let codes = crate::op_codes::UNARY_OP;
        assert!((0..codes.len() as u32).all(|c| UnaryOp::from_code(c, 0.0, 0.0).is_some()), "{codes:?}");
    }
}
