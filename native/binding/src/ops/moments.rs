//! `moments(x, mean, variance, outer, inner)`: per column of x viewed as `[outer, inner]`, the
//! mean and biased variance (batch-norm statistics over N,H,W), bit for bit `tf.moments`'s.
use crate::args::{Args, BindResult, Ret};
use cat_kernels::reduce::moments_leading_axes;

pub fn run(a: &Args) -> BindResult<Ret> {
    let x = a.f32s(0, "x")?;
    let (mean, variance) = (a.f32s_mut(1, "mean")?, a.f32s_mut(2, "variance")?);
    let (outer, inner) = (a.usize(3, "outer")?, a.usize(4, "inner")?);
    moments_leading_axes(x, outer, inner, mean, variance)?;
    Ok(Ret::Undefined)
}
