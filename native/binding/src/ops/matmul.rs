//! `matmul(a, b, bias | null, out, [batchA, batchB, m, n, k], transposeA, transposeB,
//! activation, leakyAlpha)`: BatchMatMul / _FusedMatMul.
use crate::args::{Args, BindResult, Ret};
use cat_kernels::matmul::{batch_matmul, MatmulShape};
use cat_kernels::Activation;

pub fn run(a: &Args) -> BindResult<Ret> {
    let lhs = a.f32s(0, "a")?;
    let rhs = a.f32s(1, "b")?;
    let bias = a.opt_f32s(2, "bias")?;
    let out = a.f32s_mut(3, "out")?;
    let d = a.usizes(4, "dims [batchA, batchB, m, n, k]", 5)?;
    let shape = MatmulShape {
        batch_a: d[0],
        batch_b: d[1],
        m: d[2],
        n: d[3],
        k: d[4],
        trans_a: a.bool(5, "transposeA")?,
        trans_b: a.bool(6, "transposeB")?,
    };
    let act = Activation::parse(&a.string(7, "activation")?, a.f64(8, "leakyAlpha")? as f32)?;
    batch_matmul(&shape, lhs, rhs, bias, act, out)?;
    Ok(Ret::Undefined)
}
