//! Times the element-wise kernels a CAT step runs most on an MNIST-sized activation (100x28x28x32),
//! in CPU-ms per call (`cargo run --release -p cat-kernels --example eltwise_speed`).
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
    let mut out = vec![0.0f32; n];
    let reps = 50;
    for (name, f) in [
        ("relu", Box::new(|o: &mut [f32]| unary(UnaryOp::from_code(0, 0.0, 0.0).unwrap(), &x, o).unwrap()) as Box<dyn Fn(&mut [f32])>),
        ("relu_grad", Box::new(|o: &mut [f32]| relu_grad(&dy, &x, 0.0, o).unwrap())),
    ] {
        f(&mut out);
        let (c0, t0) = (cpu_ms(), Instant::now());
        for _ in 0..reps {
            f(&mut out);
        }
        println!("{name:10} cpu {:.2} ms/call, wall {:.2} ms/call", (cpu_ms() - c0) / reps as f64, t0.elapsed().as_secs_f64() * 1e3 / reps as f64);
    }
}
