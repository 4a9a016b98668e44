// The few oneDNN calls whose form depends on the library's version (2.x builds primitive
// descriptors from operation descriptors, 3.x creates them directly). Swift calls these and the
// version-stable parts of the C API (memory, primitives, execution, attributes) directly, so a
// oneDNN 3.x build needs only a second implementation of this file.
#pragma once
#include <stdint.h>
#include <oneapi/dnnl/dnnl.h>

/// Which pass a primitive descriptor is for.
typedef enum {
    UNET_FORWARD_TRAINING = 0,
    UNET_FORWARD_INFERENCE = 1,
    UNET_BACKWARD_DATA = 2,
    UNET_BACKWARD_WEIGHTS = 3,
    UNET_BACKWARD = 4,
} unet_pass_t;

/// A plain float32 memory descriptor with the given dims and format tag (or dnnl_format_tag_any).
dnnl_status_t unet_md_f32(dnnl_memory_desc_t *md, int ndims, const int64_t *dims, dnnl_format_tag_t tag);

/// The same descriptor (dims, format tag or `any`) with bfloat16 elements.
dnnl_memory_desc_t unet_md_bf16(const dnnl_memory_desc_t *md);

/// Whether a descriptor's elements are bfloat16.
int unet_md_is_bf16(const dnnl_memory_desc_t *md);

/// The native bfloat16 instructions oneDNN will use on this CPU (its effective ISA, which
/// ONEDNN_MAX_CPU_ISA can lower): none (oneDNN would emulate bf16 slowly), AVX512_BF16, or AMX.
typedef enum {
    UNET_BF16_NONE = 0,
    UNET_BF16_AVX512 = 1,
    UNET_BF16_AMX = 2,
} unet_bf16_isa_t;
unet_bf16_isa_t unet_bf16_isa(void);

/// Convolution (deconv = 0) or transposed convolution (deconv = 1), computed directly
/// (winograd = 0) or by Winograd's F(4×4, 3×3) (winograd = 1: 3×3 stride-1 convolutions only;
/// an unsupported shape returns dnnl_unimplemented). For UNET_BACKWARD_DATA `src` and `dst` are
/// the diff_src and diff_dst descriptors; for UNET_BACKWARD_WEIGHTS `wei` and `bias` are the diff
/// descriptors. `bias` may be NULL. `hint` is the forward descriptor for backward passes.
dnnl_status_t unet_conv_pd(dnnl_primitive_desc_t *pd, dnnl_engine_t engine, unet_pass_t pass, int deconv, int winograd,
                           const dnnl_memory_desc_t *src, const dnnl_memory_desc_t *wei,
                           const dnnl_memory_desc_t *bias, const dnnl_memory_desc_t *dst,
                           const int64_t *strides, const int64_t *pad_l, const int64_t *pad_r,
                           const_dnnl_primitive_attr_t attr, const_dnnl_primitive_desc_t hint);

/// Batch normalisation over `data`; `diff_data` is used by UNET_BACKWARD only.
dnnl_status_t unet_bnorm_pd(dnnl_primitive_desc_t *pd, dnnl_engine_t engine, unet_pass_t pass,
                            const dnnl_memory_desc_t *data, const dnnl_memory_desc_t *diff_data,
                            float epsilon, unsigned flags, const_dnnl_primitive_desc_t hint);

/// 2-D pooling. For UNET_BACKWARD `src`/`dst` are diff_src/diff_dst.
dnnl_status_t unet_pool_pd(dnnl_primitive_desc_t *pd, dnnl_engine_t engine, unet_pass_t pass, dnnl_alg_kind_t alg,
                           const dnnl_memory_desc_t *src, const dnnl_memory_desc_t *dst,
                           const int64_t *strides, const int64_t *kernel,
                           const int64_t *pad_l, const int64_t *pad_r, const_dnnl_primitive_desc_t hint);

/// Elementwise activation; `diff_data` is used by UNET_BACKWARD only.
dnnl_status_t unet_eltwise_pd(dnnl_primitive_desc_t *pd, dnnl_engine_t engine, unet_pass_t pass, dnnl_alg_kind_t alg,
                              const dnnl_memory_desc_t *data, const dnnl_memory_desc_t *diff_data,
                              float alpha, float beta, const_dnnl_primitive_desc_t hint);

/// Elementwise binary operation dst = src0 (op) src1.
dnnl_status_t unet_binary_pd(dnnl_primitive_desc_t *pd, dnnl_engine_t engine, dnnl_alg_kind_t alg,
                             const dnnl_memory_desc_t *src0, const dnnl_memory_desc_t *src1,
                             const dnnl_memory_desc_t *dst);

/// Layout conversion between two descriptors of the same logical tensor.
dnnl_status_t unet_reorder_pd(dnnl_primitive_desc_t *pd, dnnl_engine_t engine,
                              const dnnl_memory_desc_t *src, const dnnl_memory_desc_t *dst);

/// Size in bytes of the memory a descriptor describes.
size_t unet_md_size(const dnnl_memory_desc_t *md);

/// Whether two descriptors describe the same memory layout.
int unet_md_equal(const dnnl_memory_desc_t *a, const dnnl_memory_desc_t *b);

/// Number of OpenMP threads the compute primitives use.
void unet_set_num_threads(int n);
int unet_max_threads(void);

/// Primitive attributes with post-ops: an accumulation into dst (`sum`: dst = op(x) + dst) and
/// then ReLU (`relu`), in that order. Caller destroys the attribute.
dnnl_status_t unet_postops_attr(dnnl_primitive_attr_t *attr, int sum, int relu);

/// Elementwise binary operation with attributes (post-ops).
dnnl_status_t unet_binary_attr_pd(dnnl_primitive_desc_t *pd, dnnl_engine_t engine, dnnl_alg_kind_t alg,
                                  const dnnl_memory_desc_t *src0, const dnnl_memory_desc_t *src1,
                                  const dnnl_memory_desc_t *dst, const_dnnl_primitive_attr_t attr);
