/// A failure of the CUDA stack, named by the call that failed and the library's own words.
public enum CUDAError: Error, CustomStringConvertible {
    /// A library could not be loaded or lacks a function.
    case library(CUDALibraryError)
    /// A driver API call returned an error (`CUresult`, with its name and text from the driver).
    case driver(call: String, code: Int32, name: String, text: String)
    /// An NVRTC call other than compilation failed.
    case nvrtc(call: String, code: Int32, text: String)
    /// A kernel source did not compile: its name, the target and NVRTC's log.
    case compilation(source: String, target: String, log: String)
    /// A cuDNN call failed.
    case cudnn(call: String, code: Int32, text: String)
    /// The device ordinal asked for does not exist.
    case noSuchDevice(ordinal: Int, count: Int)

    /// The reason in a few words (a missing library by name only), for a one-line note.
    public var summary: String {
        if case .library(.notFound(let library, _)) = self {
            return library.hasPrefix("libcuda.so") ? "no NVIDIA driver found" : "\(library) not found"
        }
        return description
    }

    public var description: String {
        switch self {
        case .library(let e): return e.description
        case .driver(let call, let code, let name, let text): return "\(call) failed: \(name) (\(code)): \(text)"
        case .nvrtc(let call, let code, let text): return "\(call) failed: \(text) (\(code))"
        case .compilation(let source, let target, let log):
            return "NVRTC could not compile the kernel source '\(source)' for \(target):\n\(log)"
        case .cudnn(let call, let code, let text): return "\(call) failed: \(text) (\(code))"
        case .noSuchDevice(let ordinal, let count):
            return count == 0 ? "cuda:\(ordinal): the NVIDIA driver sees no GPU"
                : "cuda:\(ordinal): no such GPU (the driver sees \(count): cuda:0\(count > 1 ? "…cuda:\(count - 1)" : ""))"
        }
    }
}
