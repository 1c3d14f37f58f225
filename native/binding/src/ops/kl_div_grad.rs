//! `klDivGrad`: the KL divergence's gradients with respect to both logit matrices.
use super::KlDivGradArgs;
use crate::args::{BindResult, Ret};

pub fn run(a: KlDivGradArgs) -> BindResult<Ret> {
    cat_kernels::kl_div::kl_div_rows_grad(a.dy, a.p_logits, a.q_logits, a.rows, a.cols, a.dp, a.dq)?;
    Ok(Ret::Undefined)
}
