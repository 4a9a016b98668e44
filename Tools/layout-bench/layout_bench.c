// Layout benchmark: milliseconds of the U-Net's hot primitives (3×3 convolution forward,
// backward-data and backward-weights, batch norm forward and backward, 2×2 max pooling forward and
// backward) with activations in nChw16c, nChw8c and NHWC, at the shapes of config B (batch 4,
// width 16, 316² input), on this CPU, with the implementation oneDNN picked for each. It is the
// measurement behind the CPU backend's layout choice (docs/ARCHITECTURE.md, "Layouts on the CPU").
//
//   cc -O2 -o /tmp/layout_bench Tools/layout-bench/layout_bench.c -ldnnl -fopenmp && /tmp/layout_bench [threads]
//   (ONEDNN_MAX_CPU_ISA=AVX2 shows the AVX2 family on an AVX-512 machine)
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern void omp_set_num_threads(int);

#define CHECK(x) do { dnnl_status_t s_ = (x); if (s_ != dnnl_success) { fprintf(stderr, "%s: %d (line %d)\n", #x, s_, __LINE__); exit(1); } } while (0)

static dnnl_engine_t engine;
static dnnl_stream_t stream;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static dnnl_memory_desc_t md(int n, int c, int h, int w, dnnl_format_tag_t tag) {
    dnnl_memory_desc_t m; dnnl_dims_t d = {n, c, h, w};
    CHECK(dnnl_memory_desc_init_by_tag(&m, 4, d, dnnl_f32, tag));
    return m;
}

static dnnl_memory_t mem(const dnnl_memory_desc_t *m) {
    dnnl_memory_t x; CHECK(dnnl_memory_create(&x, m, engine, DNNL_MEMORY_ALLOCATE));
    void *p; CHECK(dnnl_memory_get_data_handle(x, &p)); memset(p, 0, dnnl_memory_desc_get_size(m));
    return x;
}

static const char *impl(const_dnnl_primitive_desc_t pd) { const char *s = ""; dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &s); return s; }
static const dnnl_memory_desc_t *qmd(const_dnnl_primitive_desc_t pd, dnnl_query_t q) { return dnnl_primitive_desc_query_md(pd, q, 0); }

// Best of `reps` runs after one warm-up, in ms.
static double run(dnnl_primitive_desc_t pd, int nargs, dnnl_exec_arg_t *args, int reps) {
    dnnl_primitive_t p; CHECK(dnnl_primitive_create(&p, pd));
    double best = 1e30;
    for (int r = 0; r <= reps; ++r) {
        double t = now();
        CHECK(dnnl_primitive_execute(p, stream, nargs, args)); CHECK(dnnl_stream_wait(stream));
        t = (now() - t) * 1e3;
        if (r > 0 && t < best) best = t;
    }
    dnnl_primitive_destroy(p);
    return best;
}

static void scratch(dnnl_primitive_desc_t pd, dnnl_exec_arg_t *a) { a->arg = DNNL_ARG_SCRATCHPAD; a->memory = mem(qmd(pd, dnnl_query_scratchpad_md)); }

static double layer(int n, int c, int h, dnnl_format_tag_t tag, int reps, char *impls, size_t len) {
    double total = 0;
    int oh = h - 2;
    dnnl_memory_desc_t src = md(n, c, h, h, tag), dst = md(n, c, oh, oh, tag), wany, bany;
    dnnl_dims_t wd = {c, c, 3, 3}, bd = {c}, st = {1, 1}, pad = {0, 0};
    CHECK(dnnl_memory_desc_init_by_tag(&wany, 4, wd, dnnl_f32, dnnl_format_tag_any));
    CHECK(dnnl_memory_desc_init_by_tag(&bany, 1, bd, dnnl_f32, dnnl_a));
    dnnl_convolution_desc_t cd; dnnl_primitive_desc_t fwd, bwdd, bwdw;
    CHECK(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_training, dnnl_convolution_direct, &src, &wany, &bany, &dst, st, pad, pad));
    CHECK(dnnl_primitive_desc_create(&fwd, &cd, NULL, engine, NULL));
    if (strstr(impl(fwd), "ref")) {   // hours at these shapes: the layout is out, no need to time it
        snprintf(impls, len, "conv %s: not timed", impl(fwd));
        return -1;
    }
    dnnl_memory_t S = mem(&src), D = mem(&dst), W = mem(qmd(fwd, dnnl_query_weights_md)), B = mem(&bany);
    dnnl_exec_arg_t a1[5] = {{DNNL_ARG_SRC, S}, {DNNL_ARG_WEIGHTS, W}, {DNNL_ARG_BIAS, B}, {DNNL_ARG_DST, D}};
    scratch(fwd, &a1[4]);
    total += run(fwd, 5, a1, reps);
    CHECK(dnnl_convolution_backward_data_desc_init(&cd, dnnl_convolution_direct, &src, &wany, &dst, st, pad, pad));
    CHECK(dnnl_primitive_desc_create(&bwdd, &cd, NULL, engine, fwd));
    dnnl_exec_arg_t a2[4] = {{DNNL_ARG_DIFF_DST, D}, {DNNL_ARG_WEIGHTS, W}, {DNNL_ARG_DIFF_SRC, S}};
    scratch(bwdd, &a2[3]);
    total += run(bwdd, 4, a2, reps);
    CHECK(dnnl_convolution_backward_weights_desc_init(&cd, dnnl_convolution_direct, &src, &wany, &bany, &dst, st, pad, pad));
    CHECK(dnnl_primitive_desc_create(&bwdw, &cd, NULL, engine, fwd));
    dnnl_memory_t DW = mem(qmd(bwdw, dnnl_query_diff_weights_md));
    dnnl_exec_arg_t a3[5] = {{DNNL_ARG_SRC, S}, {DNNL_ARG_DIFF_DST, D}, {DNNL_ARG_DIFF_WEIGHTS, DW}, {DNNL_ARG_DIFF_BIAS, B}};
    scratch(bwdw, &a3[4]);
    total += run(bwdw, 5, a3, reps);
    // Batch norm with fused ReLU on the convolution's output, forward training and backward.
    dnnl_batch_normalization_desc_t bn; dnnl_primitive_desc_t bf, bb;
    unsigned flags = dnnl_use_scale | dnnl_use_shift | dnnl_fuse_norm_relu;
    CHECK(dnnl_batch_normalization_forward_desc_init(&bn, dnnl_forward_training, &dst, 1e-5f, flags));
    CHECK(dnnl_primitive_desc_create(&bf, &bn, NULL, engine, NULL));
    dnnl_memory_t D2 = mem(&dst), M = mem(&bany), V = mem(&bany), SC = mem(&bany), SH = mem(&bany), WS = mem(qmd(bf, dnnl_query_workspace_md));
    dnnl_exec_arg_t a4[9] = {{DNNL_ARG_SRC, D}, {DNNL_ARG_DST, D2}, {DNNL_ARG_MEAN, M}, {DNNL_ARG_VARIANCE, V},
                             {DNNL_ARG_SCALE, SC}, {DNNL_ARG_SHIFT, SH}, {DNNL_ARG_WORKSPACE, WS}};
    scratch(bf, &a4[7]);
    total += run(bf, 8, a4, reps);
    CHECK(dnnl_batch_normalization_backward_desc_init(&bn, dnnl_backward, &dst, &dst, 1e-5f, flags));
    CHECK(dnnl_primitive_desc_create(&bb, &bn, NULL, engine, bf));
    dnnl_memory_t DS = mem(&bany), DH = mem(&bany);
    dnnl_exec_arg_t a5[12] = {{DNNL_ARG_SRC, D}, {DNNL_ARG_DIFF_DST, D2}, {DNNL_ARG_MEAN, M}, {DNNL_ARG_VARIANCE, V},
                              {DNNL_ARG_SCALE, SC}, {DNNL_ARG_SHIFT, SH}, {DNNL_ARG_WORKSPACE, WS}, {DNNL_ARG_DIFF_SRC, D},
                              {DNNL_ARG_DIFF_SCALE, DS}, {DNNL_ARG_DIFF_SHIFT, DH}};
    scratch(bb, &a5[10]);
    total += run(bb, 11, a5, reps);
    // 2×2 max pooling of the output (even sizes only), forward training and backward.
    dnnl_primitive_desc_t pf = NULL;
    if (oh % 2 == 0) {
        dnnl_memory_desc_t pdst = md(n, c, oh / 2, oh / 2, tag);
        dnnl_pooling_v2_desc_t pl; dnnl_dims_t k = {2, 2}, s2 = {2, 2}, dil = {0, 0};
        CHECK(dnnl_pooling_v2_forward_desc_init(&pl, dnnl_forward_training, dnnl_pooling_max, &dst, &pdst, s2, k, dil, pad, pad));
        CHECK(dnnl_primitive_desc_create(&pf, &pl, NULL, engine, NULL));
        dnnl_memory_t P = mem(&pdst), PW = mem(qmd(pf, dnnl_query_workspace_md));
        dnnl_exec_arg_t a6[4] = {{DNNL_ARG_SRC, D}, {DNNL_ARG_DST, P}, {DNNL_ARG_WORKSPACE, PW}};
        scratch(pf, &a6[3]);
        total += run(pf, 4, a6, reps);
        dnnl_primitive_desc_t pb;
        CHECK(dnnl_pooling_v2_backward_desc_init(&pl, dnnl_pooling_max, &dst, &pdst, s2, k, dil, pad, pad));
        CHECK(dnnl_primitive_desc_create(&pb, &pl, NULL, engine, pf));
        dnnl_exec_arg_t a7[4] = {{DNNL_ARG_DIFF_DST, P}, {DNNL_ARG_WORKSPACE, PW}, {DNNL_ARG_DIFF_SRC, D}};
        scratch(pb, &a7[3]);
        total += run(pb, 4, a7, reps);
    }
    snprintf(impls, len, "conv %s / %s / %s, bnorm %s / %s, pool %s", impl(fwd), impl(bwdd), impl(bwdw), impl(bf), impl(bb), pf ? impl(pf) : "-");
    return total;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    omp_set_num_threads(threads);
    CHECK(dnnl_engine_create(&engine, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));
    printf("oneDNN on %s, %d threads; ms per layer: conv fwd + bwd-data + bwd-weights + bnorm(ReLU) fwd + bwd + maxpool fwd + bwd (best of 3)\n",
           dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa()), threads);
    struct { int c, h; } shapes[] = {{16, 314}, {32, 154}, {64, 74}, {128, 34}, {256, 14}};
    struct { dnnl_format_tag_t tag; const char *name; } layouts[] = {{dnnl_nChw16c, "nChw16c"}, {dnnl_nChw8c, "nChw8c"}, {dnnl_nhwc, "NHWC"}};
    double sums[3] = {0};
    for (int s = 0; s < 5; ++s) {
        for (int l = 0; l < 3; ++l) {
            char impls[512];
            double ms = layer(4, shapes[s].c, shapes[s].h, layouts[l].tag, 3, impls, sizeof impls);
            if (ms < 0 || sums[l] < 0) sums[l] = -1; else sums[l] += ms;
            printf("%4d ch %3d²  %-8s %8.1f ms  %s\n", shapes[s].c, shapes[s].h, layouts[l].name, ms, impls);
        }
    }
    for (int l = 0; l < 3; ++l) {
        if (sums[l] < 0) printf("total %-8s reference convolution, not timed\n", layouts[l].name);
        else printf("total %-8s %8.1f ms\n", layouts[l].name, sums[l]);
    }
    return 0;
}
