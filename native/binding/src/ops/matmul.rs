//! `matmul`: batched matmul with fused bias and activation.
use super::MatmulArgs;
use crate::args::{BindResult, Ret};
use cat_kernels::matmul::{batch_matmul, MatmulShape};
use cat_kernels::Activation;

pub fn run(a: MatmulArgs) -> BindResult<Ret> {
    let d = &a.dims;
    let shape = MatmulShape { batch_a: d[0], batch_b: d[1], m: d[2], n: d[3], k: d[4], trans_a: a.transpose_a, trans_b: a.transpose_b };
    let act = Activation::parse(&a.activation, a.leaky_alpha as f32)?;
    batch_matmul(&shape, a.a, a.b, a.bias, act, a.out)?;
    Ok(Ret::Undefined)
}
