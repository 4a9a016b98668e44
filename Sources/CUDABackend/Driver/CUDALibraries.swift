import Foundation

/// The NVIDIA libraries of this process, each loaded at most once, on first use, from the
/// search of the process's environment. A failure is kept too: it is the answer for the rest
/// of the process (nothing changes the libraries on disk while it runs).
public enum CUDALibraries {
    public static let search = LibrarySearch(environment: ProcessInfo.processInfo.environment)

    public static let driver: Result<CUDADriver, CUDAError> = load { try CUDADriver.load(search: search) }
    public static let nvrtc: Result<NVRTC, CUDAError> = load { try NVRTC.load(search: search) }
    public static let cudnn: Result<CuDNN, CUDAError> = load { try CuDNN.load(search: search) }

    static func load<T>(_ body: () throws -> T) -> Result<T, CUDAError> {
        do { return .success(try body()) } catch let e as CUDAError { return .failure(e) } catch {
            return .failure(.library(.notFound(library: "\(T.self)", attempts: [.init(path: "\(error)", problem: nil)])))
        }
    }
}
