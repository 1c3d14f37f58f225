//! The op registry: one line per op, `module => "jsName"`. Each module has
//! `pub fn run(args: &Args) -> BindResult<Ret>`. To add an op, write `ops/NAME.rs` and add
//! its line to the list below (keep one op per line so parallel edits merge cleanly).

// Argument helpers shared by several ops (not ops themselves).
pub mod conv_args;

macro_rules! ops {
    ($($module:ident => $js:literal,)*) => {
        $(pub mod $module;)*
        /// Every op the addon exports, in registration order.
        pub static ALL: &[crate::register::Op] = &[
            $(crate::register::Op { name: $js, run: $module::run },)*
        ];
    };
}

ops! {
    info => "info",
    conv2d => "conv2d",
    conv2d_backprop_input => "conv2dBackpropInput",
    conv2d_backprop_filter => "conv2dBackpropFilter",
    matmul => "matmul",
    // native part B: append `module => "jsName",` lines here.
    binary => "binary",
    unary => "unary",
    reduce => "reduce",
    reduce_middle_axes => "reduceMiddleAxes",
    moments => "moments",
    softmax => "softmax",
    log_softmax => "logSoftmax",
    log_softmax_grad => "logSoftmaxGrad",
    kl_div => "klDiv",
    kl_div_grad => "klDivGrad",
    softmax_cross_entropy => "softmaxCrossEntropy",
    softmax_cross_entropy_grad => "softmaxCrossEntropyGrad",
    sign_step_project => "signStepProject",
    calibrate => "calibrate",
    calibrate_grad => "calibrateGrad",
    batch_norm => "batchNorm",
    resize_nearest => "resizeNearest",
    resize_nearest_grad => "resizeNearestGrad",
    slice => "slice",
    pad => "pad",
    tile => "tile",
    relu_grad => "reluGrad",
    batch_norm_grad => "batchNormGrad",
    free_array => "freeArray",
}
