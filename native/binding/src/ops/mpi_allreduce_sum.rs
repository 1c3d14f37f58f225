//! `mpiAllreduceSum`: in-place MPI_Allreduce (MPI_SUM) of a Float32Array, zero-copy.
use super::MpiAllreduceSumArgs;
use crate::args::{BindError, BindResult, Ret};
use crate::mpi_sys;

pub fn run(a: MpiAllreduceSumArgs) -> BindResult<Ret> {
    mpi_sys::mpi().and_then(|m| m.allreduce_sum(a.x)).map_err(BindError::Value)?;
    Ok(Ret::Undefined)
}
