//! `klDiv`: per-row KL divergence of two softmaxes.
use super::KlDivArgs;
use crate::args::{BindResult, Ret};

pub fn run(a: KlDivArgs) -> BindResult<Ret> {
    cat_kernels::kl_div::kl_div_rows(a.p_logits, a.q_logits, a.rows, a.cols, a.out)?;
    Ok(Ret::Undefined)
}
