/// Why an NVIDIA library could not be used. The message names the library and every place
/// searched, so that a missing install can be fixed from the message alone.
public enum CUDALibraryError: Error, Equatable, CustomStringConvertible {
    /// One place tried: the path (or bare name for the loader's own search) and, when the file
    /// was there but did not load, the loader's reason.
    public struct Attempt: Equatable, Sendable {
        public let path: String
        public let problem: String?
    }

    /// No candidate could be opened.
    case notFound(library: String, attempts: [Attempt])
    /// The library opened but lacks a function the backend calls (too old a version).
    case missingSymbol(library: String, path: String, symbol: String)

    public var description: String {
        switch self {
        case .notFound(let library, let attempts):
            let searched = attempts.map { a in
                let place = a.path.contains("/") ? a.path : "\(a.path) on the loader's path (LD_LIBRARY_PATH, ldconfig)"
                return a.problem.map { "\(place) (\($0))" } ?? place
            }.joined(separator: ", ")
            if library.hasPrefix("libcuda.so") { return "no NVIDIA driver found (\(library): searched \(searched))" }
            return "\(library) not found; searched \(searched); set \(LibrarySearch.overrideVariable) to the folder that holds it"
        case .missingSymbol(let library, let path, let symbol):
            return "\(library) at \(path) lacks \(symbol) (too old a version?)"
        }
    }
}
