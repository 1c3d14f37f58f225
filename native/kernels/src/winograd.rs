//! Winograd F(2x2, 3x3) for 3x3, stride-1, undilated convolutions (Lavin & Gray, "Fast
//! Algorithms for Convolutional Neural Networks", 2016): each 2x2 block of outputs costs 16
//! multiply-adds per (in, out) channel pair instead of 36, 2.25x fewer than im2col + GEMM. Almost
//! every convolution of a ResNet is such a conv, and so is the input gradient of one (a conv of dy
//! with the 180-degree-rotated, channel-transposed filter), so this is where a CAT step's time goes.
//!
//! How it runs: the filter is transformed once per call, `U = G g G^T` ([16][in_c][out_c]); the
//! output is cut into blocks of whole tile rows (a tile is 2x2 outputs, reading a 4x4 input
//! patch), and each block, on one rayon thread, transforms its input patches `V = B^T d B`
//! ([tile][16][in_c]), runs 16 GEMMs `M[xi] = V[xi] U[xi]`, and transforms back `Y = A^T M A`
//! straight into the output. Rounding differs from direct convolution (the transforms add and
//! halve): measured max relative error against a naive f64-accumulating loop is ~1e-6.
//!
//! The filter gradient is the same algorithm's adjoint ([`filter_gradient`]): output gradients
//! transformed per tile, 16 GEMMs summing over tiles, and the filter transform's transpose.
//!
//! `CAT_NATIVE_WINOGRAD=0` turns it off (im2col + GEMM for every conv), for comparisons.
use crate::blas::{sgemm, Gemm};
use crate::conv_geometry::Conv2dGeometry;
use rayon::prelude::*;
use std::sync::OnceLock;

/// Fewer channels than this on either side and im2col + GEMM is faster: the transforms cost per
/// channel, the saving is per channel pair, and GEMMs with K = in_c this small run far from peak.
/// Measured (`conv-gflops`, effective GFLOP/s, forward, im2col -> Winograd with 256-tile blocks):
/// 32 -> 64 channels at 14x14 120 -> 152; 64 -> 64 at 32x32 150 -> 200-235; 128 -> 128 at 14x14
/// 174 -> 255-283.
const MIN_CHANNELS: usize = 32;
/// Tiles per block (the GEMMs' row count). Fewer and OpenBLAS spends its time packing U; more
/// and a block's transformed input outgrows the cache. Measured (batch 128, forward, ms wall):
/// 256 tiles 42 / 30 / 31 / 33 on ResNet layers 1-4; 1024 tiles (or 128K floats per xi matrix)
/// 50 / 33 / 35 / 40; 128 and 512 tiles within noise of 256.
const BLOCK_TILES: usize = 256;

/// A 3x3 stride-1 convolution as this kernel runs it: input `[batch, in_h, in_w, in_c]` read at
/// `(oy + ky - pad_top, ox + kx - pad_left)`, zero outside; output `[batch, out_h, out_w, out_c]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Winograd3x3 {
    pub batch: usize,
    pub in_h: usize,
    pub in_w: usize,
    pub in_c: usize,
    pub out_h: usize,
    pub out_w: usize,
    pub out_c: usize,
    pub pad_top: isize,
    pub pad_left: isize,
}

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var("CAT_NATIVE_WINOGRAD").map(|v| v != "0").unwrap_or(true))
}

fn suits(g: &Conv2dGeometry) -> bool {
    enabled()
        && g.filter_h == 3
        && g.filter_w == 3
        && g.stride_h == 1
        && g.stride_w == 1
        && g.dilation_h == 1
        && g.dilation_w == 1
        && g.in_c >= MIN_CHANNELS
        && g.out_c >= MIN_CHANNELS
}

/// The Winograd form of the forward conv `g`, when it suits (3x3, stride 1, enough channels).
pub fn forward_plan(g: &Conv2dGeometry) -> Option<Winograd3x3> {
    suits(g).then(|| Winograd3x3 {
        batch: g.batch,
        in_h: g.in_h,
        in_w: g.in_w,
        in_c: g.in_c,
        out_h: g.out_h,
        out_w: g.out_w,
        out_c: g.out_c,
        pad_top: g.pad_top as isize,
        pad_left: g.pad_left as isize,
    })
}

/// Fewer channels than this on either side and the filter gradient runs faster as im2col + GEMM:
/// its 16 GEMMs have only `in_c x out_c` outputs each. Measured (`dw` alone, batch 128, 3x3,
/// ms wall, im2col -> Winograd): 32x32x64 58 -> 99, 16x16x128 54 -> 72, 8x8x256 65 -> 49,
/// 4x4x512 64 -> 37.
const MIN_FILTER_GRADIENT_CHANNELS: usize = 256;

/// The Winograd form of conv `g` for its filter gradient ([`filter_gradient`]), when it pays.
pub fn filter_gradient_plan(g: &Conv2dGeometry) -> Option<Winograd3x3> {
    forward_plan(g).filter(|p| p.in_c >= MIN_FILTER_GRADIENT_CHANNELS && p.out_c >= MIN_FILTER_GRADIENT_CHANNELS)
}

/// The Winograd form of the input gradient of conv `g`: `dx(iy) = sum dy(iy - (2 - pad) + ky)
/// w(2 - ky)`, a conv of `dy` with the rotated filter and padding `2 - pad`.
pub fn backprop_input_plan(g: &Conv2dGeometry) -> Option<Winograd3x3> {
    suits(g).then(|| Winograd3x3 {
        batch: g.batch,
        in_h: g.out_h,
        in_w: g.out_w,
        in_c: g.out_c,
        out_h: g.in_h,
        out_w: g.in_w,
        out_c: g.in_c,
        pad_top: 2 - g.pad_top as isize,
        pad_left: 2 - g.pad_left as isize,
    })
}

/// `U = G g G^T` for every channel pair, as `[16][rows][cols]`. `w` is `[3][3][in_c][out_c]`;
/// with `rotate`, the filter of the input gradient: `g'[ky][kx][co][ci] = w[2-ky][2-kx][ci][co]`
/// (rows = out_c, cols = in_c).
pub fn transform_filter(w: &[f32], in_c: usize, out_c: usize, rotate: bool) -> Vec<f32> {
    let (rows, cols) = if rotate { (out_c, in_c) } else { (in_c, out_c) };
    let plane = rows * cols;
    let mut u = vec![0.0f32; 16 * plane];
    // Per row: 16 x cols values, then scattered into the 16 planes (rows in parallel).
    let per_row: Vec<Vec<f32>> = (0..rows)
        .into_par_iter()
        .map(|r| {
            let mut out = vec![0.0f32; 16 * cols];
            for c in 0..cols {
                let tap = |ky: usize, kx: usize| {
                    if rotate {
                        w[((2 - ky) * 3 + (2 - kx)) * in_c * out_c + c * out_c + r]
                    } else {
                        w[(ky * 3 + kx) * in_c * out_c + r * out_c + c]
                    }
                };
                // G g: 4 rows from the 3 filter rows.
                let mut gg = [[0.0f32; 3]; 4];
                for kx in 0..3 {
                    let (g0, g1, g2) = (tap(0, kx), tap(1, kx), tap(2, kx));
                    gg[0][kx] = g0;
                    gg[1][kx] = 0.5 * (g0 + g1 + g2);
                    gg[2][kx] = 0.5 * (g0 - g1 + g2);
                    gg[3][kx] = g2;
                }
                // (G g) G^T: 4 columns from the 3.
                for (i, row) in gg.iter().enumerate() {
                    let (c0, c1, c2) = (row[0], row[1], row[2]);
                    out[(i * 4) * cols + c] = c0;
                    out[(i * 4 + 1) * cols + c] = 0.5 * (c0 + c1 + c2);
                    out[(i * 4 + 2) * cols + c] = 0.5 * (c0 - c1 + c2);
                    out[(i * 4 + 3) * cols + c] = c2;
                }
            }
            out
        })
        .collect();
    for (r, vals) in per_row.iter().enumerate() {
        for xi in 0..16 {
            u[xi * plane + r * cols..xi * plane + (r + 1) * cols].copy_from_slice(&vals[xi * cols..(xi + 1) * cols]);
        }
    }
    u
}

/// How the output of `p` is cut into 2x2 tiles: `rows` tile rows (`h` per image, images one
/// after another), `w` tiles each. Blocks of work are runs of whole tile rows.
#[derive(Clone, Copy)]
struct Tiles {
    h: usize,
    w: usize,
    rows: usize,
}

impl Tiles {
    fn of(p: &Winograd3x3) -> Tiles {
        let h = p.out_h.div_ceil(2);
        Tiles { h, w: p.out_w.div_ceil(2), rows: p.batch * h }
    }

    /// Tile rows per block: about `target` tiles, and at least one block per thread.
    fn block_rows(&self, target: usize) -> usize {
        let per_thread = self.rows.div_ceil(rayon::current_num_threads().max(1));
        (target / self.w.max(1)).clamp(1, per_thread.max(1))
    }

    /// Image, tile row in the image and tile column of tile `t` of the block from tile row `r0`.
    fn locate(&self, r0: usize, t: usize) -> (usize, usize, usize) {
        let r = r0 + t / self.w;
        (r / self.h, r % self.h, t % self.w)
    }
}

/// Runs the conv `p` on `x` with the transformed filter `u` (from [`transform_filter`]) into
/// `out` (fully overwritten). `epilogue(offset, block)` then runs on each finished block of
/// output while it is in cache (`offset`: the block's start in `out`), e.g. conv2d's bias and
/// activation.
pub fn run(p: &Winograd3x3, x: &[f32], u: &[f32], out: &mut [f32], epilogue: &(dyn Fn(usize, &mut [f32]) + Sync)) {
    let (cin, cout) = (p.in_c, p.out_c);
    assert_eq!(x.len(), p.batch * p.in_h * p.in_w * cin, "winograd: input length");
    assert_eq!(u.len(), 16 * cin * cout, "winograd: transformed filter length");
    assert_eq!(out.len(), p.batch * p.out_h * p.out_w * cout, "winograd: output length");
    if out.is_empty() {
        return;
    }
    let tiles = Tiles::of(p);
    let block_rows = tiles.block_rows(BLOCK_TILES);
    // Output offset where tile row r starts (rows 2*th of image n).
    let row_offset = |r: usize| {
        let (n, th, _) = tiles.locate(r, 0);
        ((n * p.out_h + 2 * th) * p.out_w) * cout
    };
    let mut blocks: Vec<(usize, usize, &mut [f32])> = Vec::new();
    let mut rest = out;
    let mut r0 = 0;
    while r0 < tiles.rows {
        let r1 = (r0 + block_rows).min(tiles.rows);
        let end = if r1 == tiles.rows { p.batch * p.out_h * p.out_w * cout } else { row_offset(r1) };
        let (head, tail) = rest.split_at_mut(end - row_offset(r0));
        blocks.push((r0, r1, head));
        rest = tail;
        r0 = r1;
    }
    blocks.into_par_iter().for_each_init(
        || (Vec::new(), Vec::new(), vec![0.0f32; cin]),
        |(v, m, zeros), (r0, r1, out_block)| {
            let nt = (r1 - r0) * tiles.w;
            v.resize(nt * 16 * cin, 0.0);
            m.resize(nt * 16 * cout, 0.0);
            input_transform(p, &tiles, x, r0, nt, zeros, v);
            for xi in 0..16 {
                let gemm = Gemm { lda: 16 * cin, ldc: 16 * cout, ..Gemm::dense(nt, cout, cin, false, false) };
                sgemm(&gemm, &v[xi * cin..], &u[xi * cin * cout..(xi + 1) * cin * cout], &mut m[xi * cout..]);
            }
            output_transform(p, &tiles, m, r0, nt, row_offset(r0), out_block);
            epilogue(row_offset(r0), out_block);
        },
    );
}

/// Block size of the filter gradient, in tiles: the transformed input and output gradient of a
/// block (`nt x 16 x (in_c + out_c)` floats) stay within this many floats per thread.
const FILTER_BLOCK_FLOATS: usize = 1 << 22;

/// The filter gradient of the conv `p` (the adjoint of [`run`] in the filter): for each tile,
/// `dM = A dY A^T` (the 2x2 output gradient, zero outside the output), then
/// `dU[xi] = sum over tiles V[xi]^T dM[xi]` (16 GEMMs summing over tiles, one partial sum per
/// thread), then `dw = G^T dU G`. `dw` is `[3][3][in_c][out_c]` (fully overwritten).
pub fn filter_gradient(p: &Winograd3x3, x: &[f32], dy: &[f32], dw: &mut [f32]) {
    let (cin, cout) = (p.in_c, p.out_c);
    assert_eq!(x.len(), p.batch * p.in_h * p.in_w * cin, "winograd: input length");
    assert_eq!(dy.len(), p.batch * p.out_h * p.out_w * cout, "winograd: output gradient length");
    assert_eq!(dw.len(), 9 * cin * cout, "winograd: filter gradient length");
    let tiles = Tiles::of(p);
    let plane = cin * cout;
    let block_rows = tiles.block_rows(FILTER_BLOCK_FLOATS / (16 * (cin + cout)));
    let blocks = tiles.rows.div_ceil(block_rows);
    let du = (0..blocks)
        .into_par_iter()
        .fold(
            || (vec![0.0f32; 16 * plane], Vec::new(), Vec::new(), vec![0.0f32; cin.max(cout)]),
            |(mut acc, mut v, mut m, zeros), b| {
                let r0 = b * block_rows;
                let nt = (block_rows.min(tiles.rows - r0)) * tiles.w;
                v.resize(nt * 16 * cin, 0.0);
                m.resize(nt * 16 * cout, 0.0);
                input_transform(p, &tiles, x, r0, nt, &zeros[..cin], &mut v);
                output_gradient_transform(p, &tiles, dy, r0, nt, &zeros[..cout], &mut m);
                for xi in 0..16 {
                    // acc[xi] (cin x cout) += V[xi]^T (cin x nt) dM[xi] (nt x cout).
                    let gemm = Gemm { lda: 16 * cin, ldb: 16 * cout, beta: 1.0, ..Gemm::dense(cin, cout, nt, true, false) };
                    sgemm(&gemm, &v[xi * cin..], &m[xi * cout..], &mut acc[xi * plane..(xi + 1) * plane]);
                }
                (acc, v, m, zeros)
            },
        )
        .map(|(acc, ..)| acc)
        .reduce_with(|mut a, b| {
            a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
            a
        })
        .unwrap_or_else(|| vec![0.0f32; 16 * plane]);
    // dw = G^T dU G for every channel pair, ci rows in parallel.
    let rows: Vec<Vec<f32>> = (0..cin)
        .into_par_iter()
        .map(|ci| {
            let mut out = vec![0.0f32; 9 * cout];
            for co in 0..cout {
                let u = |i: usize, j: usize| du[(i * 4 + j) * plane + ci * cout + co];
                // G^T dU: 3 rows from 4.
                let mut t = [[0.0f32; 4]; 3];
                for j in 0..4 {
                    let (u0, u1, u2, u3) = (u(0, j), u(1, j), u(2, j), u(3, j));
                    t[0][j] = u0 + 0.5 * (u1 + u2);
                    t[1][j] = 0.5 * (u1 - u2);
                    t[2][j] = 0.5 * (u1 + u2) + u3;
                }
                // (G^T dU) G: 3 columns from 4.
                for (ky, r) in t.iter().enumerate() {
                    out[(ky * 3) * cout + co] = r[0] + 0.5 * (r[1] + r[2]);
                    out[(ky * 3 + 1) * cout + co] = 0.5 * (r[1] - r[2]);
                    out[(ky * 3 + 2) * cout + co] = 0.5 * (r[1] + r[2]) + r[3];
                }
            }
            out
        })
        .collect();
    for (ci, vals) in rows.iter().enumerate() {
        for tap in 0..9 {
            dw[tap * plane + ci * cout..tap * plane + (ci + 1) * cout].copy_from_slice(&vals[tap * cout..(tap + 1) * cout]);
        }
    }
}

/// `dM = A dY A^T` for the block's tiles into `m` as `[tile][16][out_c]`: the adjoint of the
/// output transform, with the output gradient zero outside the output (edge tiles).
fn output_gradient_transform(p: &Winograd3x3, tiles: &Tiles, dy: &[f32], r0: usize, nt: usize, zeros: &[f32], m: &mut [f32]) {
    let cout = p.out_c;
    for t in 0..nt {
        let (n, th, tw) = tiles.locate(r0, t);
        let (oy0, ox0) = (2 * th, 2 * tw);
        let mut d: [&[f32]; 4] = [zeros; 4];
        for a in 0..2 {
            for b in 0..2 {
                if oy0 + a < p.out_h && ox0 + b < p.out_w {
                    let at = ((n * p.out_h + oy0 + a) * p.out_w + ox0 + b) * cout;
                    d[a * 2 + b] = &dy[at..at + cout];
                }
            }
        }
        let out = &mut m[t * 16 * cout..(t + 1) * 16 * cout];
        assert!(d.iter().all(|s| s.len() >= cout));
        for co in 0..cout {
            // SAFETY: every d[k] has at least cout values (asserted above).
            let e = |k: usize| unsafe { *d.get_unchecked(k).get_unchecked(co) };
            let (a, b, c, dd) = (e(0), e(1), e(2), e(3));
            // A dY: 4 rows [p, q] from the 2; then each row times A^T: [p, p + q, p - q, -q].
            let rows = [[a, b], [a + c, b + dd], [a - c, b - dd], [-c, -dd]];
            for (i, [pp, q]) in rows.into_iter().enumerate() {
                out[(i * 4) * cout + co] = pp;
                out[(i * 4 + 1) * cout + co] = pp + q;
                out[(i * 4 + 2) * cout + co] = pp - q;
                out[(i * 4 + 3) * cout + co] = -q;
            }
        }
    }
}

/// `V = B^T d B` for the block's `nt` tiles from tile row `r0`, into `v` as `[tile][16][in_c]`.
fn input_transform(p: &Winograd3x3, tiles: &Tiles, x: &[f32], r0: usize, nt: usize, zeros: &[f32], v: &mut [f32]) {
    let cin = p.in_c;
    for t in 0..nt {
        let (n, th, tw) = tiles.locate(r0, t);
        let iy0 = 2 * th as isize - p.pad_top;
        let ix0 = 2 * tw as isize - p.pad_left;
        let mut d: [&[f32]; 16] = [zeros; 16];
        for a in 0..4 {
            let iy = iy0 + a as isize;
            if iy < 0 || iy >= p.in_h as isize {
                continue;
            }
            for b in 0..4 {
                let ix = ix0 + b as isize;
                if ix < 0 || ix >= p.in_w as isize {
                    continue;
                }
                let at = ((n * p.in_h + iy as usize) * p.in_w + ix as usize) * cin;
                d[a * 4 + b] = &x[at..at + cin];
            }
        }
        let out = &mut v[t * 16 * cin..(t + 1) * 16 * cin];
        transform_tile_input(&d, cin, out);
    }
}

/// One tile's `B^T d B`, vectorised across channels: `d` holds 16 input pixels (`cin` values
/// each), `out` the 16 transformed planes (`[16][cin]`).
#[inline(always)]
fn transform_tile_input(d: &[&[f32]; 16], cin: usize, out: &mut [f32]) {
    assert!(out.len() >= 16 * cin && d.iter().all(|s| s.len() >= cin));
    let (o, rest) = out.split_at_mut(4 * cin);
    let (o1, rest) = rest.split_at_mut(4 * cin);
    let (o2, o3) = rest.split_at_mut(4 * cin);
    for ci in 0..cin {
        // SAFETY: every d[k] has at least cin values and every o* 4 * cin (asserted above).
        let e = |k: usize| unsafe { *d.get_unchecked(k).get_unchecked(ci) };
        // B^T d, one column j at a time, then (B^T d) B for each of the 4 rows.
        let mut s = [[0.0f32; 4]; 4];
        for j in 0..4 {
            let (d0, d1, d2, d3) = (e(j), e(4 + j), e(8 + j), e(12 + j));
            s[0][j] = d0 - d2;
            s[1][j] = d1 + d2;
            s[2][j] = d2 - d1;
            s[3][j] = d1 - d3;
        }
        for (row, dst) in s.iter().zip([&mut *o, &mut *o1, &mut *o2, &mut *o3]) {
            // SAFETY: 3 * cin + ci < 4 * cin = dst.len().
            unsafe {
                *dst.get_unchecked_mut(ci) = row[0] - row[2];
                *dst.get_unchecked_mut(cin + ci) = row[1] + row[2];
                *dst.get_unchecked_mut(2 * cin + ci) = row[2] - row[1];
                *dst.get_unchecked_mut(3 * cin + ci) = row[1] - row[3];
            }
        }
    }
}

/// `Y = A^T M A` for the block's tiles, written into the block's output rows (`base` is the
/// block's offset in the whole output); tiles on an odd edge write only their inside half.
fn output_transform(p: &Winograd3x3, tiles: &Tiles, m: &[f32], r0: usize, nt: usize, base: usize, out: &mut [f32]) {
    let cout = p.out_c;
    for t in 0..nt {
        let (n, th, tw) = tiles.locate(r0, t);
        let mt = &m[t * 16 * cout..(t + 1) * 16 * cout];
        let (oy0, ox0) = (2 * th, 2 * tw);
        let rows = (p.out_h - oy0).min(2);
        let cols = (p.out_w - ox0).min(2);
        let at = |i: usize| ((n * p.out_h + oy0 + i) * p.out_w + ox0) * cout - base;
        if rows == 2 && cols == 2 {
            let (top, bottom) = out.split_at_mut(at(1));
            transform_tile_output(mt, cout, &mut top[at(0)..at(0) + 2 * cout], &mut bottom[..2 * cout]);
        } else {
            // An edge tile: the full 2x2 into a scratch, then the inside part.
            let mut y = vec![0.0f32; 4 * cout];
            let (y0, y1) = y.split_at_mut(2 * cout);
            transform_tile_output(mt, cout, y0, y1);
            for (i, yi) in [&*y0, &*y1].into_iter().enumerate().take(rows) {
                out[at(i)..at(i) + cols * cout].copy_from_slice(&yi[..cols * cout]);
            }
        }
    }
}

/// One tile's `A^T M A`, vectorised across channels: `mt` is `[16][cout]`, `y0` and `y1` the
/// tile's two output rows (`[2][cout]` each).
#[inline(always)]
fn transform_tile_output(mt: &[f32], cout: usize, y0: &mut [f32], y1: &mut [f32]) {
    assert!(mt.len() >= 16 * cout && y0.len() >= 2 * cout && y1.len() >= 2 * cout);
    for co in 0..cout {
        // SAFETY: k * cout + co < 16 * cout <= mt.len(); the stores below are within 2 * cout.
        let e = |k: usize| unsafe { *mt.get_unchecked(k * cout + co) };
        let mut s = [[0.0f32; 4]; 2];
        for j in 0..4 {
            let (m0, m1, m2, m3) = (e(j), e(4 + j), e(8 + j), e(12 + j));
            s[0][j] = m0 + m1 + m2;
            s[1][j] = m1 - m2 - m3;
        }
        unsafe {
            *y0.get_unchecked_mut(co) = s[0][0] + s[0][1] + s[0][2];
            *y0.get_unchecked_mut(cout + co) = s[0][1] - s[0][2] - s[0][3];
            *y1.get_unchecked_mut(co) = s[1][0] + s[1][1] + s[1][2];
            *y1.get_unchecked_mut(cout + co) = s[1][1] - s[1][2] - s[1][3];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::Activation;
    use crate::conv2d::conv2d;
    use crate::conv2d_backprop_input::conv2d_backprop_input;
    use crate::conv_geometry::{ConvShape, Padding};
    use crate::testing::{assert_close, naive_conv2d, naive_conv2d_dw, naive_conv2d_dx, random_vec};

    fn shape(batch: usize, h: usize, w: usize, cin: usize, cout: usize) -> ConvShape {
        ConvShape {
            batch, in_h: h, in_w: w, in_c: cin, filter_h: 3, filter_w: 3, out_c: cout, stride_h: 1, stride_w: 1,
            dilation_h: 1, dilation_w: 1,
        }
    }

    /// Odd and even sizes, batch 1, channels not a multiple of 8, every padding 0..2.
    fn cases() -> Vec<(ConvShape, Padding)> {
        vec![
            (shape(2, 8, 8, 48, 48), Padding::Same),
            (shape(1, 7, 5, 49, 51), Padding::Same),
            (shape(3, 9, 6, 56, 48), Padding::Valid),
            (shape(1, 5, 7, 48, 65), Padding::Explicit { top: 2, bottom: 0, left: 0, right: 2 }),
            (shape(2, 4, 4, 64, 52), Padding::Explicit { top: 2, bottom: 2, left: 1, right: 2 }),
            (shape(5, 3, 3, 48, 48), Padding::Same),
            (shape(2, 32, 32, 48, 48), Padding::Same),
        ]
    }

    #[test]
    fn is_chosen_only_for_3x3_stride_1_convs_with_enough_channels() {
        let g = |s: ConvShape| Conv2dGeometry::new(s, Padding::Same).unwrap();
        assert!(forward_plan(&g(shape(1, 8, 8, 48, 48))).is_some());
        assert!(forward_plan(&g(shape(1, 8, 8, 3, 64))).is_none());
        assert!(forward_plan(&g(shape(1, 8, 8, 32, 64))).is_some());
        assert!(forward_plan(&g(shape(1, 8, 8, 16, 64))).is_none());
        assert!(forward_plan(&g(ConvShape { stride_h: 2, stride_w: 2, ..shape(1, 8, 8, 48, 48) })).is_none());
        assert!(forward_plan(&g(ConvShape { filter_h: 1, filter_w: 1, ..shape(1, 8, 8, 48, 48) })).is_none());
    }

    #[test]
    fn forward_matches_naive_loop() {
        for (i, (s, p)) in cases().into_iter().enumerate() {
            let g = Conv2dGeometry::new(s, p).unwrap();
            let plan = forward_plan(&g).expect("a Winograd case");
            let x = random_vec(g.input_len(), 300 + i as u64);
            let w = random_vec(g.filter_len(), 400 + i as u64);
            let u = transform_filter(&w, g.in_c, g.out_c, false);
            let mut out = vec![f32::NAN; g.output_len()];
            run(&plan, &x, &u, &mut out, &|_, _| {});
            assert_close(&out, &naive_conv2d(&g, &x, &w), 1e-4);
            // conv2d dispatches here for this shape: same values.
            let mut via_conv2d = vec![f32::NAN; g.output_len()];
            conv2d(&g, &x, &w, None, Activation::Linear, &mut via_conv2d).unwrap();
            assert_eq!(via_conv2d, out);
        }
    }

    #[test]
    fn input_gradient_matches_naive_loop() {
        for (i, (s, p)) in cases().into_iter().enumerate() {
            let g = Conv2dGeometry::new(s, p).unwrap();
            let dy = random_vec(g.output_len(), 500 + i as u64);
            let w = random_vec(g.filter_len(), 600 + i as u64);
            let mut dx = vec![f32::NAN; g.input_len()];
            conv2d_backprop_input(&g, &dy, &w, &mut dx).unwrap();
            assert!(backprop_input_plan(&g).is_some());
            assert_close(&dx, &naive_conv2d_dx(&g, &dy, &w), 1e-4);
        }
    }

    #[test]
    fn filter_gradient_matches_naive_loop() {
        for (i, (s, p)) in cases().into_iter().enumerate() {
            let g = Conv2dGeometry::new(s, p).unwrap();
            let plan = forward_plan(&g).expect("a Winograd case");
            let x = random_vec(g.input_len(), 700 + i as u64);
            let dy = random_vec(g.output_len(), 800 + i as u64);
            let mut dw = vec![f32::NAN; g.filter_len()];
            filter_gradient(&plan, &x, &dy, &mut dw);
            assert_close(&dw, &naive_conv2d_dw(&g, &x, &dy), 1e-4);
        }
        // conv2d_backprop_filter dispatches here from 256 channels on each side.
        let g = Conv2dGeometry::new(shape(2, 5, 6, 256, 260), Padding::Same).unwrap();
        let plan = filter_gradient_plan(&g).expect("a Winograd filter-gradient case");
        assert!(filter_gradient_plan(&Conv2dGeometry::new(shape(2, 5, 6, 128, 260), Padding::Same).unwrap()).is_none());
        let x = random_vec(g.input_len(), 9);
        let dy = random_vec(g.output_len(), 10);
        let mut dw = vec![f32::NAN; g.filter_len()];
        filter_gradient(&plan, &x, &dy, &mut dw);
        assert_close(&dw, &naive_conv2d_dw(&g, &x, &dy), 1e-4);
        let mut via_kernel = vec![f32::NAN; g.filter_len()];
        crate::conv2d_backprop_filter::conv2d_backprop_filter(&g, &x, &dy, &mut via_kernel).unwrap();
        assert_eq!(via_kernel, dw);
    }

    #[test]
    fn fuses_bias_and_activation() {
        let g = Conv2dGeometry::new(shape(1, 6, 6, 48, 48), Padding::Same).unwrap();
        assert!(forward_plan(&g).is_some());
        let x = random_vec(g.input_len(), 1);
        let w = random_vec(g.filter_len(), 2);
        let bias = random_vec(48, 3);
        let mut out = vec![0.0; g.output_len()];
        conv2d(&g, &x, &w, Some(&bias), Activation::Relu, &mut out).unwrap();
        let want: Vec<f32> = naive_conv2d(&g, &x, &w).iter().enumerate().map(|(k, v)| (v + bias[k % 48]).max(0.0)).collect();
        assert_close(&out, &want, 1e-4);
    }
}
