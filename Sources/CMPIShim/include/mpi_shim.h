// The MPI calls the tool makes, behind plain C types: Swift never sees mpi.h's handles, and
// every call returns MPI's error code (MPI_ERRORS_RETURN is set on the world at start-up, so a
// failing collective comes back here instead of aborting inside the library).
#pragma once
#include <stddef.h>

/// MPI_SUCCESS, for comparing the codes below.
extern const int unet_mpi_success;

/// MPI_Init_thread (MPI_THREAD_SERIALIZED: MPI is called from one thread at a time, not
/// necessarily the main one), then MPI_ERRORS_RETURN on MPI_COMM_WORLD; rank and size out.
int unet_mpi_init(int *rank, int *size);
/// Whether MPI_Init has run and MPI_Finalize has not.
int unet_mpi_active(void);
/// MPI_Barrier then MPI_Finalize.
int unet_mpi_finalize(void);
/// MPI_Abort(MPI_COMM_WORLD, code): the launcher (mpirun, srun) stops every rank. Does not return.
void unet_mpi_abort(int code);
/// MPI_Barrier on the world.
int unet_mpi_barrier(void);
/// The text of an MPI error code, into `buffer` (NUL-terminated).
void unet_mpi_error_text(int code, char *buffer, int capacity);

/// In-place all-reduces over the world (blocking).
int unet_mpi_allreduce_sum_float(float *values, int count);
int unet_mpi_allreduce_sum_double(double *values, int count);
int unet_mpi_allreduce_max_int(int *values, int count);
/// Every rank's `count` bytes, in rank order, into `receive` (count × ranks bytes).
int unet_mpi_allgather_bytes(const void *send, int count, void *receive);

/// A nonblocking all-reduce in flight (an MPI_Request, opaque to Swift).
typedef struct unet_mpi_request unet_mpi_request;
/// Starts an in-place MPI_Iallreduce (sum) of `count` floats; `values` must stay valid and
/// untouched until the request completes. `*request` is freed by a wait or a test that completes.
int unet_mpi_iallreduce_sum_float(float *values, int count, unet_mpi_request **request);
/// MPI_Wait; frees the request.
int unet_mpi_wait(unet_mpi_request *request);
/// MPI_Test: *done = 1 (and the request freed) when it has completed. Also drives progress of
/// every nonblocking collective in flight (Open MPI progresses them only inside MPI calls).
int unet_mpi_test(unet_mpi_request *request, int *done);
