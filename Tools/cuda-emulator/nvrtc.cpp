// NVRTC for the tests' emulator: "compiles" every source to a placeholder image (the emulated
// driver runs the kernels compiled for the host instead).
#include <cstring>
#include <cstddef>
static int token;
extern "C" {
int nvrtcVersion(int *major, int *minor) { *major = 13; *minor = 0; return 0; }
const char *nvrtcGetErrorString(int) { return "emulated NVRTC error"; }
int nvrtcCreateProgram(void **p, const char *, const char *, int, const char *const *, const char *const *) { *p = &token; return 0; }
int nvrtcCompileProgram(void *, int, const char *const *) { return 0; }
int nvrtcGetPTXSize(void *, size_t *b) { *b = 1; return 0; }
int nvrtcGetPTX(void *, char *ptx) { ptx[0] = 0; return 0; }
int nvrtcGetCUBINSize(void *, size_t *b) { *b = 4; return 0; }
int nvrtcGetCUBIN(void *, char *c) { std::memcpy(c, "\x7f" "ELF", 4); return 0; }
int nvrtcGetProgramLogSize(void *, size_t *b) { *b = 1; return 0; }
int nvrtcGetProgramLog(void *, char *log) { log[0] = 0; return 0; }
int nvrtcDestroyProgram(void **) { return 0; }
}
