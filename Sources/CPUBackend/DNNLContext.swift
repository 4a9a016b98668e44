import Tensors
import CDNNL
import CDNNLShim

/// One oneDNN CPU engine and stream, plus the cache of primitives keyed by op and shape:
/// a primitive is created the first time a shape is seen and reused on every later step.
/// Every execution is counted by the implementation oneDNN chose (`record`), so a reference
/// kernel cannot run unnoticed.
final class DNNLContext {
    let engine: dnnl_engine_t
    let stream: dnnl_stream_t
    private var cache: [String: DNNLPrimitive] = [:]
    var record = ImplementationRecord()

    init() {
        var e: dnnl_engine_t?
        check(dnnl_engine_create(&e, dnnl_cpu, 0), "engine")
        engine = e!
        var s: dnnl_stream_t?
        check(dnnl_stream_create(&s, engine, dnnl_stream_default_flags.rawValue), "stream")
        stream = s!
    }

    /// The cached primitive for `key`, created by `make` (which returns a primitive descriptor) on first use.
    func primitive(_ key: String, _ make: () -> dnnl_primitive_desc_t) -> DNNLPrimitive {
        if let p = cache[key] { return p }
        let p = DNNLPrimitive(pd: make(), what: key)
        cache[key] = p
        if p.isReference { ReferenceKernelWarning.report(p) }
        return p
    }

    var cachedPrimitiveCount: Int { cache.count }

    /// Executes `primitive` with memories wrapping the given buffers, and waits for it.
    func execute(_ primitive: DNNLPrimitive, _ args: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)]) {
        var memories: [dnnl_memory_t?] = []
        memories.reserveCapacity(args.count)
        var execArgs: [dnnl_exec_arg_t] = []
        for (arg, md, pointer) in args {
            var m: dnnl_memory_t?
            var desc = md
            check(dnnl_memory_create(&m, &desc, engine, pointer), "memory for \(primitive.what)")
            memories.append(m)
            execArgs.append(dnnl_exec_arg_t(arg: arg, memory: m))
        }
        // A primitive created with a user-managed scratchpad gets one from the buffer pool for this call.
        let scratchpad = primitive.scratchpadBytes > 0 ? Storage(count: (primitive.scratchpadBytes + 3) / 4) : nil
        if let scratchpad {
            var m: dnnl_memory_t?
            var desc = primitive.scratchpadMD
            check(dnnl_memory_create(&m, &desc, engine, UnsafeMutableRawPointer(scratchpad.pointer)), "scratchpad for \(primitive.what)")
            memories.append(m)
            execArgs.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: m))
        }
        check(dnnl_primitive_execute(primitive.handle, stream, Int32(execArgs.count), execArgs), "execute \(primitive.what)")
        record.count(primitive)
        check(dnnl_stream_wait(stream), "wait \(primitive.what)")
        for m in memories { dnnl_memory_destroy(m) }
        withExtendedLifetime(scratchpad) {}
    }
}

/// A primitive and its descriptor, destroyed together.
final class DNNLPrimitive {
    let pd: dnnl_primitive_desc_t
    let handle: dnnl_primitive_t
    let what: String
    /// oneDNN's primitive kind (`convolution`, `batch_normalization`, …) and the name of the
    /// implementation it chose (`jit:avx2`, `bnorm_jit:avx512_core`, `ref:any`, …).
    let kind: String
    let implementation: String
    /// The scratchpad the caller provides, and its size in bytes (0 where oneDNN manages it, or none is needed).
    let scratchpadMD: dnnl_memory_desc_t
    let scratchpadBytes: Int

    init(pd: dnnl_primitive_desc_t, what: String) {
        self.pd = pd
        self.what = what
        kind = DNNLPrimitive.kindName(pd)
        implementation = DNNLPrimitive.implementationName(pd)
        var scratch = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0)!.pointee
        scratchpadMD = scratch
        scratchpadBytes = unet_md_size(&scratch)
        var p: dnnl_primitive_t?
        check(dnnl_primitive_create(&p, pd), "primitive \(what)")
        handle = p!
    }

    /// Whether oneDNN fell back to a reference implementation: plain loops, 10–100× slower than its
    /// JIT kernels (`ref:any`, `bnorm_ref:any`, …).
    var isReference: Bool { DNNLPrimitive.isReference(implementation) }

    static func isReference(_ implementation: String) -> Bool {
        implementation.hasPrefix("ref") || implementation.contains("_ref")
    }

    /// oneDNN's name for the implementation a primitive descriptor chose (e.g. `jit_bf16:avx512_core_bf16`).
    static func implementationName(_ pd: const_dnnl_primitive_desc_t) -> String {
        var name: UnsafePointer<CChar>?
        guard dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name) == dnnl_success, let name else { return "" }
        return String(cString: name)
    }

    static func kindName(_ pd: const_dnnl_primitive_desc_t) -> String {
        var kind = dnnl_undefined_primitive
        guard dnnl_primitive_desc_query(pd, dnnl_query_primitive_kind, 0, &kind) == dnnl_success,
              let name = dnnl_prim_kind2str(kind) else { return "unknown" }
        return String(cString: name)
    }

    /// A memory descriptor the primitive chose (weights under `format_tag_any`, workspace).
    func md(_ query: dnnl_query_t, _ index: Int32 = 0) -> dnnl_memory_desc_t {
        dnnl_primitive_desc_query_md(pd, query, index)!.pointee
    }

    deinit {
        dnnl_primitive_destroy(handle)
        dnnl_primitive_desc_destroy(pd)
    }
}

/// oneDNN failures are programmer errors here (unsupported shape or misuse), not user input errors.
@inline(__always)
func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) {
    if status != dnnl_success { fatalError("[oneDNN] \(what()) failed with status \(status.rawValue)") }
}

/// A float32 memory descriptor.
func memoryDesc(_ dims: [Int], _ tag: dnnl_format_tag_t) -> dnnl_memory_desc_t {
    var md = dnnl_memory_desc_t()
    let d = dims.map(Int64.init)
    check(unet_md_f32(&md, Int32(d.count), d, tag), "memory descriptor \(dims)")
    return md
}

/// The descriptor of a tensor as it is stored.
func memoryDesc(_ t: Tensor) -> dnnl_memory_desc_t { memoryDesc(t.shape.dims, formatTag(t.shape.rank, t.layout)) }

func memoryDesc(_ shape: Shape, _ layout: Layout) -> dnnl_memory_desc_t { memoryDesc(shape.dims, formatTag(shape.rank, layout)) }

func formatTag(_ rank: Int, _ layout: Layout) -> dnnl_format_tag_t {
    if layout == .blocked16 { return dnnl_nChw16c }
    if layout == .blocked8 { return dnnl_nChw8c }
    if layout == .channelsLast { precondition(rank == 4, "[cpu] NHWC needs 4 dimensions"); return dnnl_acdb }
    switch rank {
    case 1: return dnnl_a
    case 2: return dnnl_ab
    case 3: return dnnl_abc
    case 4: return dnnl_abcd
    default: fatalError("[oneDNN] no plain format for rank \(rank)")
    }
}

func raw(_ t: Tensor) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(t.pointer) }

/// Passes a pointer to `md`, or nil when absent (an optional argument of the C API).
func withOptionalDesc<R>(_ md: dnnl_memory_desc_t?, _ body: (UnsafePointer<dnnl_memory_desc_t>?) -> R) -> R {
    guard let md else { return body(nil) }
    return withUnsafePointer(to: md) { body($0) }
}
