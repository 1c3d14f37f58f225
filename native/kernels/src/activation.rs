//! Activations fused into conv and matmul epilogues (tfjs `FusedConv2D` / `_FusedMatMul`).
use crate::error::{KernelError, KernelResult};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    Linear,
    Relu,
    Relu6,
    /// `x` for `x >= 0`, `alpha * x` otherwise.
    LeakyRelu(f32),
    Sigmoid,
    Elu,
}

impl Activation {
    /// Parses tfjs's activation names; `alpha` is tfjs's `leakyreluAlpha`.
    /// `prelu` is not fused natively (it needs a weight tensor): the backend delegates it.
    pub fn parse(name: &str, alpha: f32) -> KernelResult<Activation> {
        Ok(match name {
            "linear" | "" => Activation::Linear,
            "relu" => Activation::Relu,
            "relu6" => Activation::Relu6,
            "leakyrelu" => Activation::LeakyRelu(alpha),
            "sigmoid" => Activation::Sigmoid,
            "elu" => Activation::Elu,
            other => {
                return Err(KernelError::BadArgument(format!(
                    "activation: expected linear, relu, relu6, leakyrelu, sigmoid or elu, got '{other}'"
                )))
            }
        })
    }

    #[inline]
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Activation::Linear => x,
            Activation::Relu => x.max(0.0),
            Activation::Relu6 => x.clamp(0.0, 6.0),
            Activation::LeakyRelu(a) => {
                if x >= 0.0 {
                    x
                } else {
                    a * x
                }
            }
            Activation::Sigmoid => 1.0 / (1.0 + (-x).exp()),
            Activation::Elu => {
                if x >= 0.0 {
                    x
                } else {
                    x.exp_m1()
                }
            }
        }
    }
}

/// Adds `bias` (one value per column, or none) and applies `act` to a row-major block whose
/// rows have `bias.len()` columns (or any width when `bias` is empty).
pub fn bias_activation_rows(block: &mut [f32], cols: usize, bias: Option<&[f32]>, act: Activation) {
    if bias.is_none() && act == Activation::Linear {
        return;
    }
    for row in block.chunks_mut(cols) {
        match bias {
            Some(b) => {
                for (v, bv) in row.iter_mut().zip(b) {
                    *v = act.apply(*v + bv);
                }
            }
            None => {
                for v in row.iter_mut() {
                    *v = act.apply(*v);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_hand_computed_values() {
        assert_eq!(Activation::Relu.apply(-2.0), 0.0);
        assert_eq!(Activation::Relu6.apply(7.0), 6.0);
        assert_eq!(Activation::LeakyRelu(0.2).apply(-2.0), -0.4);
        assert!((Activation::Sigmoid.apply(0.0) - 0.5).abs() < 1e-7);
        assert!((Activation::Elu.apply(-1.0) - (-0.632_120_56)).abs() < 1e-6);
    }

    #[test]
    fn bias_then_activation_per_row() {
        let mut block = vec![1.0, -1.0, -3.0, 2.0];
        bias_activation_rows(&mut block, 2, Some(&[1.0, -1.0]), Activation::Relu);
        assert_eq!(block, vec![2.0, 0.0, 0.0, 1.0]);
    }

    #[test]
    fn unknown_name_is_an_error() {
        assert!(Activation::parse("swish", 0.0).is_err());
        assert_eq!(Activation::parse("leakyrelu", 0.3).unwrap(), Activation::LeakyRelu(0.3));
    }
}
