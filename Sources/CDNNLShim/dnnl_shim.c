// oneDNN 2.x implementation of the version-dependent calls (see dnnl_shim.h).
#include "dnnl_shim.h"
// libgomp (which oneDNN is built against) provides these; its header lives in GCC's private include dir.
extern void omp_set_num_threads(int);
extern int omp_get_max_threads(void);

dnnl_status_t unet_md_f32(dnnl_memory_desc_t *md, int ndims, const int64_t *dims, dnnl_format_tag_t tag) {
    dnnl_dims_t d;
    for (int i = 0; i < ndims; ++i) d[i] = dims[i];
    return dnnl_memory_desc_init_by_tag(md, ndims, d, dnnl_f32, tag);
}

dnnl_memory_desc_t unet_md_bf16(const dnnl_memory_desc_t *md) {
    // Strides of a plain descriptor count elements, so they stay valid; `any` has none.
    dnnl_memory_desc_t out = *md;
    out.data_type = dnnl_bf16;
    return out;
}

int unet_md_is_bf16(const dnnl_memory_desc_t *md) { return md->data_type == dnnl_bf16; }

unet_bf16_isa_t unet_bf16_isa(void) {
    // The ISA oneDNN will dispatch to: the CPU's, capped by ONEDNN_MAX_CPU_ISA / DNNL_MAX_CPU_ISA.
    dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
    if ((isa & dnnl_cpu_isa_avx512_core_amx) == dnnl_cpu_isa_avx512_core_amx) return UNET_BF16_AMX;
    if ((isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16) return UNET_BF16_AVX512;
    return UNET_BF16_NONE;
}

static void dims2(dnnl_dims_t out, const int64_t *in) { out[0] = in[0]; out[1] = in[1]; }

dnnl_status_t unet_conv_pd(dnnl_primitive_desc_t *pd, dnnl_engine_t engine, unet_pass_t pass, int deconv, int winograd,
                           const dnnl_memory_desc_t *src, const dnnl_memory_desc_t *wei,
                           const dnnl_memory_desc_t *bias, const dnnl_memory_desc_t *dst,
                           const int64_t *strides, const int64_t *pad_l, const int64_t *pad_r,
                           const_dnnl_primitive_attr_t attr, const_dnnl_primitive_desc_t hint) {
    dnnl_dims_t s, pl, pr;
    dims2(s, strides); dims2(pl, pad_l); dims2(pr, pad_r);
    dnnl_status_t st;
    if (deconv) {
        dnnl_deconvolution_desc_t d;
        if (winograd) return dnnl_unimplemented;
        dnnl_alg_kind_t alg = dnnl_deconvolution_direct;
        switch (pass) {
        case UNET_FORWARD_TRAINING:
        case UNET_FORWARD_INFERENCE:
            st = dnnl_deconvolution_forward_desc_init(&d, pass == UNET_FORWARD_TRAINING ? dnnl_forward_training : dnnl_forward_inference,
                                                      alg, src, wei, bias, dst, s, pl, pr);
            break;
        case UNET_BACKWARD_DATA:
            st = dnnl_deconvolution_backward_data_desc_init(&d, alg, src, wei, dst, s, pl, pr);
            break;
        case UNET_BACKWARD_WEIGHTS:
            st = dnnl_deconvolution_backward_weights_desc_init(&d, alg, src, wei, bias, dst, s, pl, pr);
            break;
        default: return dnnl_invalid_arguments;
        }
        if (st != dnnl_success) return st;
        return dnnl_primitive_desc_create(pd, &d, attr, engine, hint);
    }
    dnnl_convolution_desc_t d;
    dnnl_alg_kind_t alg = winograd ? dnnl_convolution_winograd : dnnl_convolution_direct;
    switch (pass) {
    case UNET_FORWARD_TRAINING:
    case UNET_FORWARD_INFERENCE:
        st = dnnl_convolution_forward_desc_init(&d, pass == UNET_FORWARD_TRAINING ? dnnl_forward_training : dnnl_forward_inference,
                                                alg, src, wei, bias, dst, s, pl, pr);
        break;
    case UNET_BACKWARD_DATA:
        st = dnnl_convolution_backward_data_desc_init(&d, alg, src, wei, dst, s, pl, pr);
        break;
    case UNET_BACKWARD_WEIGHTS:
        st = dnnl_convolution_backward_weights_desc_init(&d, alg, src, wei, bias, dst, s, pl, pr);
        break;
    default: return dnnl_invalid_arguments;
    }
    if (st != dnnl_success) return st;
    return dnnl_primitive_desc_create(pd, &d, attr, engine, hint);
}

dnnl_status_t unet_bnorm_pd(dnnl_primitive_desc_t *pd, dnnl_engine_t engine, unet_pass_t pass,
                            const dnnl_memory_desc_t *data, const dnnl_memory_desc_t *diff_data,
                            float epsilon, unsigned flags, const_dnnl_primitive_desc_t hint) {
    dnnl_batch_normalization_desc_t d;
    dnnl_status_t st;
    switch (pass) {
    case UNET_FORWARD_TRAINING:
    case UNET_FORWARD_INFERENCE:
        st = dnnl_batch_normalization_forward_desc_init(&d, pass == UNET_FORWARD_TRAINING ? dnnl_forward_training : dnnl_forward_inference,
                                                        data, epsilon, flags);
        break;
    case UNET_BACKWARD:
        st = dnnl_batch_normalization_backward_desc_init(&d, dnnl_backward, diff_data, data, epsilon, flags);
        break;
    default: return dnnl_invalid_arguments;
    }
    if (st != dnnl_success) return st;
    return dnnl_primitive_desc_create(pd, &d, NULL, engine, hint);
}

dnnl_status_t unet_pool_pd(dnnl_primitive_desc_t *pd, dnnl_engine_t engine, unet_pass_t pass, dnnl_alg_kind_t alg,
                           const dnnl_memory_desc_t *src, const dnnl_memory_desc_t *dst,
                           const int64_t *strides, const int64_t *kernel,
                           const int64_t *pad_l, const int64_t *pad_r, const_dnnl_primitive_desc_t hint) {
    dnnl_dims_t s, k, dil = {0, 0}, pl, pr;
    dims2(s, strides); dims2(k, kernel); dims2(pl, pad_l); dims2(pr, pad_r);
    dnnl_pooling_v2_desc_t d;
    dnnl_status_t st;
    if (pass == UNET_BACKWARD)
        st = dnnl_pooling_v2_backward_desc_init(&d, alg, src, dst, s, k, dil, pl, pr);
    else
        st = dnnl_pooling_v2_forward_desc_init(&d, pass == UNET_FORWARD_TRAINING ? dnnl_forward_training : dnnl_forward_inference,
                                               alg, src, dst, s, k, dil, pl, pr);
    if (st != dnnl_success) return st;
    return dnnl_primitive_desc_create(pd, &d, NULL, engine, hint);
}

dnnl_status_t unet_eltwise_pd(dnnl_primitive_desc_t *pd, dnnl_engine_t engine, unet_pass_t pass, dnnl_alg_kind_t alg,
                              const dnnl_memory_desc_t *data, const dnnl_memory_desc_t *diff_data,
                              float alpha, float beta, const_dnnl_primitive_desc_t hint) {
    dnnl_eltwise_desc_t d;
    dnnl_status_t st;
    if (pass == UNET_BACKWARD)
        st = dnnl_eltwise_backward_desc_init(&d, alg, diff_data, data, alpha, beta);
    else
        st = dnnl_eltwise_forward_desc_init(&d, pass == UNET_FORWARD_TRAINING ? dnnl_forward_training : dnnl_forward_inference,
                                            alg, data, alpha, beta);
    if (st != dnnl_success) return st;
    return dnnl_primitive_desc_create(pd, &d, NULL, engine, hint);
}

dnnl_status_t unet_binary_pd(dnnl_primitive_desc_t *pd, dnnl_engine_t engine, dnnl_alg_kind_t alg,
                             const dnnl_memory_desc_t *src0, const dnnl_memory_desc_t *src1,
                             const dnnl_memory_desc_t *dst) {
    dnnl_binary_desc_t d;
    dnnl_status_t st = dnnl_binary_desc_init(&d, alg, src0, src1, dst);
    if (st != dnnl_success) return st;
    return dnnl_primitive_desc_create(pd, &d, NULL, engine, NULL);
}

dnnl_status_t unet_reorder_pd(dnnl_primitive_desc_t *pd, dnnl_engine_t engine,
                              const dnnl_memory_desc_t *src, const dnnl_memory_desc_t *dst) {
    return dnnl_reorder_primitive_desc_create(pd, src, engine, dst, engine, NULL);
}

size_t unet_md_size(const dnnl_memory_desc_t *md) { return dnnl_memory_desc_get_size(md); }

int unet_md_equal(const dnnl_memory_desc_t *a, const dnnl_memory_desc_t *b) { return dnnl_memory_desc_equal(a, b); }

void unet_set_num_threads(int n) { if (n > 0) omp_set_num_threads(n); }

int unet_max_threads(void) { return omp_get_max_threads(); }

dnnl_status_t unet_postops_attr(dnnl_primitive_attr_t *attr, int sum, int relu) {
    dnnl_status_t st = dnnl_primitive_attr_create(attr);
    if (st != dnnl_success) return st;
    dnnl_post_ops_t ops;
    st = dnnl_post_ops_create(&ops);
    if (st != dnnl_success) return st;
    if (sum) st = dnnl_post_ops_append_sum(ops, 1.0f);
    if (st == dnnl_success && relu) st = dnnl_post_ops_append_eltwise(ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f);
    if (st == dnnl_success) st = dnnl_primitive_attr_set_post_ops(*attr, ops);
    dnnl_post_ops_destroy(ops);
    return st;
}

dnnl_status_t unet_binary_attr_pd(dnnl_primitive_desc_t *pd, dnnl_engine_t engine, dnnl_alg_kind_t alg,
                                  const dnnl_memory_desc_t *src0, const dnnl_memory_desc_t *src1,
                                  const dnnl_memory_desc_t *dst, const_dnnl_primitive_attr_t attr) {
    dnnl_binary_desc_t d;
    dnnl_status_t st = dnnl_binary_desc_init(&d, alg, src0, src1, dst);
    if (st != dnnl_success) return st;
    return dnnl_primitive_desc_create(pd, &d, attr, engine, NULL);
}
