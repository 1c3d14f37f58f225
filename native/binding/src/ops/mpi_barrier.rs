//! `mpiBarrier`: MPI_Barrier on MPI_COMM_WORLD.
use super::MpiBarrierArgs;
use crate::args::{BindError, BindResult, Ret};
use crate::mpi_sys;

pub fn run(_: MpiBarrierArgs) -> BindResult<Ret> {
    mpi_sys::mpi().and_then(|m| m.barrier()).map_err(BindError::Value)?;
    Ok(Ret::Undefined)
}
