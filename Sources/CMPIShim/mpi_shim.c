#include "mpi_shim.h"
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unet_mpi_request { MPI_Request request; };

const int unet_mpi_success = MPI_SUCCESS;

int unet_mpi_init(int *rank, int *size) {
    int provided = 0;
    int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
    if (rc != MPI_SUCCESS) return rc;
    rc = MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    if (rc != MPI_SUCCESS) return rc;
    rc = MPI_Comm_rank(MPI_COMM_WORLD, rank);
    if (rc != MPI_SUCCESS) return rc;
    return MPI_Comm_size(MPI_COMM_WORLD, size);
}

int unet_mpi_active(void) {
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    return initialized && !finalized;
}

int unet_mpi_finalize(void) {
    int rc = MPI_Barrier(MPI_COMM_WORLD);
    int rc2 = MPI_Finalize();
    return rc != MPI_SUCCESS ? rc : rc2;
}

void unet_mpi_abort(int code) {
    MPI_Abort(MPI_COMM_WORLD, code);
    exit(code);   // MPI_Abort should not return; if it does, this process still stops.
}

int unet_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

void unet_mpi_error_text(int code, char *buffer, int capacity) {
    if (capacity <= 0) return;
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = snprintf(text, sizeof text, "MPI error %d", code);
    if (length >= capacity) length = capacity - 1;
    memcpy(buffer, text, (size_t)length);
    buffer[length] = 0;
}

int unet_mpi_allreduce_sum_float(float *values, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}

int unet_mpi_allreduce_sum_double(double *values, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

int unet_mpi_allreduce_max_int(int *values, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
}

int unet_mpi_allgather_bytes(const void *send, int count, void *receive) {
    return MPI_Allgather(send, count, MPI_BYTE, receive, count, MPI_BYTE, MPI_COMM_WORLD);
}

int unet_mpi_iallreduce_sum_float(float *values, int count, unet_mpi_request **request) {
    struct unet_mpi_request *r = malloc(sizeof *r);
    if (!r) return MPI_ERR_NO_MEM;
    int rc = MPI_Iallreduce(MPI_IN_PLACE, values, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &r->request);
    if (rc != MPI_SUCCESS) { free(r); *request = NULL; return rc; }
    *request = r;
    return MPI_SUCCESS;
}

int unet_mpi_wait(unet_mpi_request *request) {
    int rc = MPI_Wait(&request->request, MPI_STATUS_IGNORE);
    free(request);
    return rc;
}

int unet_mpi_test(unet_mpi_request *request, int *done) {
    int rc = MPI_Test(&request->request, done, MPI_STATUS_IGNORE);
    if (rc == MPI_SUCCESS && *done) free(request);
    return rc;
}
