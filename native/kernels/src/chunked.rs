//! Splitting an output buffer into chunks that rayon fills in parallel, only when the buffer is
//! big enough that the fork/join cost (a few microseconds) is repaid. Element-wise kernels and
//! row-wise kernels share this so the threshold lives in one place.

use rayon::prelude::*;

/// Below this many elements an element-wise kernel runs on the calling thread: at roughly one
/// element per nanosecond, 64K elements take ~30 us, well above rayon's dispatch cost.
pub const PAR_MIN_ELEMS: usize = 1 << 16;

/// Elements per parallel task: large enough to vectorise and amortise scheduling, small enough
/// to balance over a few cores.
const CHUNK_ELEMS: usize = 1 << 14;

/// Calls `f(start, chunk)` over consecutive chunks of `out` (`start` is the chunk's offset in
/// `out`), in parallel when `out` is large. `f` must only write its own chunk.
pub fn for_each_chunk<F>(out: &mut [f32], f: F)
where
    F: Fn(usize, &mut [f32]) + Sync,
{
    if out.len() < PAR_MIN_ELEMS {
        f(0, out);
    } else {
        out.par_chunks_mut(CHUNK_ELEMS)
            .enumerate()
            .for_each(|(i, chunk)| f(i * CHUNK_ELEMS, chunk));
    }
}

/// Like [`for_each_chunk`] but chunks are whole rows of `row_len` elements, for kernels whose
/// unit of work is a row (softmax, last-axis reductions). `f(first_row, rows)`.
pub fn for_each_rows<F>(out: &mut [f32], row_len: usize, f: F)
where
    F: Fn(usize, &mut [f32]) + Sync,
{
    if row_len == 0 {
        return;
    }
    if out.len() < PAR_MIN_ELEMS {
        f(0, out);
    } else {
        let rows_per_chunk = (CHUNK_ELEMS / row_len).max(1);
        out.par_chunks_mut(rows_per_chunk * row_len)
            .enumerate()
            .for_each(|(i, chunk)| f(i * rows_per_chunk, chunk));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_element_visited_once_with_its_offset() {
        for n in [0usize, 5, PAR_MIN_ELEMS - 1, PAR_MIN_ELEMS + 12345] {
            let mut out = vec![-1.0f32; n];
            for_each_chunk(&mut out, |start, chunk| {
                for (j, v) in chunk.iter_mut().enumerate() {
                    *v = (start + j) as f32;
                }
            });
            assert!(out.iter().enumerate().all(|(i, &v)| v == i as f32));
        }
    }

    #[test]
    fn rows_are_never_split() {
        let row = 1000;
        let n = row * 200;
        let mut out = vec![0.0f32; n];
        for_each_rows(&mut out, row, |first, chunk| {
            assert_eq!(chunk.len() % row, 0);
            for (r, rv) in chunk.chunks_mut(row).enumerate() {
                rv.fill((first + r) as f32);
            }
        });
        assert!(out.iter().enumerate().all(|(i, &v)| v == (i / row) as f32));
    }
}
