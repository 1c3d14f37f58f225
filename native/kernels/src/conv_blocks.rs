//! How the conv kernels cut the batch's output rows into blocks: each block is im2col'd into a
//! per-thread buffer and multiplied while it is still in cache, so memory stays bounded (ResNet-18
//! at batch 128 would need ~300 MB for one full im2col matrix) and the two cores share the work.
use crate::conv_geometry::Conv2dGeometry;
use crate::im2col::im2col_rows;

/// Target size of one block's column matrix, in floats (1 MiB: about half of Zen 5's L2).
const BLOCK_FLOATS: usize = 1 << 18;
/// Fewer rows than this make OpenBLAS spend more time packing the filter than multiplying.
const MIN_BLOCK_ROWS: usize = 128;

/// Output rows per block for `g` (never more than an even share of the rows per thread).
pub fn block_rows(g: &Conv2dGeometry) -> usize {
    let rows = g.out_rows();
    let by_cache = (BLOCK_FLOATS / g.patch_len()).max(MIN_BLOCK_ROWS);
    let share = rows.div_ceil(rayon::current_num_threads().max(1));
    by_cache.min(share).max(1)
}

/// The column matrix of rows `row0 .. row0 + rows`: the input itself for pointwise convs,
/// otherwise im2col'd into `buf`.
pub fn patch_rows<'a>(g: &Conv2dGeometry, x: &'a [f32], row0: usize, rows: usize, buf: &'a mut Vec<f32>) -> &'a [f32] {
    let k = g.patch_len();
    if g.is_pointwise() {
        return &x[row0 * k..(row0 + rows) * k];
    }
    if buf.len() < rows * k {
        buf.resize(rows * k, 0.0);
    }
    im2col_rows(g, x, row0, rows, buf);
    &buf[..rows * k]
}
