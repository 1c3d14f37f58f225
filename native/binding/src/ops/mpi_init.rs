//! `mpiInit`: MPI_Init (once), then `{"rank", "size"}` of MPI_COMM_WORLD as JSON.
use super::MpiInitArgs;
use crate::args::{BindError, BindResult, Ret};
use crate::mpi_sys;

pub fn run(_: MpiInitArgs) -> BindResult<Ret> {
    let (rank, size) = mpi_sys::mpi().and_then(|m| m.init()).map_err(BindError::Value)?;
    Ok(Ret::Str(format!("{{\"rank\":{rank},\"size\":{size}}}")))
}
