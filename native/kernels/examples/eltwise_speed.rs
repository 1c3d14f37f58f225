//! Times the memory-bound kernels a CAT step runs most on MNIST sizes (batch 100): ReLU and its
//! gradient on 100x28x28x32, its per-channel mean (batch-norm statistics), and the first conv layer (28x28x1 -> 32, the direct small-patch
//! path) forward and input gradient. Prints CPU-ms per call and the best wall-ms of the calls
//! (the minimum suffers least from other work on a shared machine).
//! `cargo run --release -p cat-kernels --example eltwise_speed`
use cat_kernels::activation::Activation;
use cat_kernels::conv2d::conv2d;
use cat_kernels::conv2d_backprop_input::conv2d_backprop_input;
use cat_kernels::conv_geometry::{Conv2dGeometry, ConvShape, Padding};
use cat_kernels::reduce::{reduce_leading_axes, ReduceOp};
use cat_kernels::relu_grad::relu_grad;
use cat_kernels::unary::{unary, UnaryOp};
use std::time::Instant;

fn cpu_ms() -> f64 {
    let mut ts = libc_timespec { tv_sec: 0, tv_nsec: 0 };
    unsafe { clock_gettime(2, &mut ts) }; // CLOCK_PROCESS_CPUTIME_ID
    ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6
}
#[repr(C)]
struct libc_timespec { tv_sec: i64, tv_nsec: i64 }
extern "C" { fn clock_gettime(clk: i32, ts: *mut libc_timespec) -> i32; }

fn main() {
    let n = 100 * 28 * 28 * 32;
    let x: Vec<f32> = (0..n).map(|i| ((i * 7919) % 1000) as f32 / 500.0 - 1.0).collect();
    let dy: Vec<f32> = (0..n).map(|i| ((i * 104729) % 1000) as f32 / 500.0 - 1.0).collect();
    let g = Conv2dGeometry::new(
        ConvShape { batch: 100, in_h: 28, in_w: 28, in_c: 1, filter_h: 3, filter_w: 3, out_c: 32, stride_h: 1, stride_w: 1, dilation_h: 1, dilation_w: 1 },
        Padding::Same,
    )
    .unwrap();
    let w: Vec<f32> = (0..g.filter_len()).map(|i| ((i * 31) % 17) as f32 / 17.0 - 0.5).collect();
    let img = &x[..g.input_len()];
    let dx = std::cell::RefCell::new(vec![0.0f32; g.input_len()]);
    let mut out = vec![0.0f32; n];
    let reps = 30;
    for (name, f) in [
        ("relu", Box::new(|o: &mut [f32]| unary(UnaryOp::from_code(0, 0.0, 0.0).unwrap(), &x, o).unwrap()) as Box<dyn Fn(&mut [f32])>),
        ("relu_grad", Box::new(|o: &mut [f32]| relu_grad(&dy, &x, 0.0, o).unwrap())),
        ("mean NHW", Box::new(|o: &mut [f32]| reduce_leading_axes(ReduceOp::Mean, &x, n / 32, 32, &mut o[..32]).unwrap())),
        ("conv1 fwd", Box::new(|o: &mut [f32]| conv2d(&g, img, &w, None, Activation::Linear, o).unwrap())),
        ("conv1 dx", Box::new(|_o: &mut [f32]| conv2d_backprop_input(&g, &dy, &w, &mut dx.borrow_mut()).unwrap())),
    ] {
        f(&mut out);
        let c0 = cpu_ms();
        let mut best = f64::MAX;
        for _ in 0..reps {
            let t0 = Instant::now();
            f(&mut out);
            best = best.min(t0.elapsed().as_secs_f64() * 1e3);
        }
        println!("{name:10} cpu {:.2} ms/call, best wall {:.2} ms", (cpu_ms() - c0) / reps as f64, best);
    }
}
