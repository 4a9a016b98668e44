import CCUDALoader

/// A shared library opened with dlopen and kept open for the life of the process (the function
/// tables bound from it point into it).
public struct DynamicLibrary: @unchecked Sendable {
    public let handle: UnsafeMutableRawPointer
    /// The candidate that opened (a full path, or the bare name the loader resolved).
    public let path: String
    /// The folder it was found in, when it was found in a named folder.
    public let folder: String?

    /// Opens the first candidate that loads. `names` are the file names the library goes by,
    /// the preferred first; `label` names it in errors.
    public static func open(_ names: [String], label: String, search: LibrarySearch, global: Bool = false) throws -> DynamicLibrary {
        var attempts: [CUDALibraryError.Attempt] = []
        for candidate in search.candidates(for: names) {
            var error = [CChar](repeating: 0, count: 512)
            if let handle = unet_dl_open(candidate.path, global ? 1 : 0, &error, error.count) {
                return DynamicLibrary(handle: handle, path: candidate.path, folder: candidate.folder)
            }
            attempts.append(Self.attempt(candidate, String(cString: error)))
        }
        throw CUDALibraryError.notFound(library: label, attempts: attempts)
    }

    /// Opens every file matching `pattern` in `folder` globally, ignoring failures: the
    /// libraries another one loads by bare name at run time (NVRTC's builtins, cuDNN's
    /// sub-libraries), so that they are found even when their folder is not on the loader's path.
    static func preload(folder: String, patterns: [String]) {
        for pattern in patterns {
            for path in LibrarySearch.glob(folder + "/" + pattern).sorted() {
                var error = [CChar](repeating: 0, count: 256)
                _ = unet_dl_open(path, 1, &error, error.count)
            }
        }
    }

    /// A missing file is just its path; a file that is there but failed to load keeps the loader's text.
    static func attempt(_ c: LibrarySearch.Candidate, _ text: String) -> CUDALibraryError.Attempt {
        let absent = text.contains("No such file or directory") || (c.folder == nil && text.contains("cannot open shared object file"))
        return CUDALibraryError.Attempt(path: c.path, problem: absent ? nil : text)
    }
}
