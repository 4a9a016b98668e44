#if canImport(Glibc)
import Glibc
#endif

/// Where an NVIDIA library is looked for, in order: the folders in `UNET_CUDA_LIBRARY_PATH`
/// (colon-separated), the dynamic loader's own search by bare name (`LD_LIBRARY_PATH`, the
/// ldconfig cache), the CUDA toolkit's folders (`/usr/local/cuda*/lib64`), the driver folders of
/// containers, and the `nvidia/*/lib` folders of Python's NVIDIA wheels (where PyTorch's pip
/// install keeps cuDNN and NVRTC) under the usual site-packages folders.
public struct LibrarySearch: Sendable {
    /// The environment variable naming extra folders, searched first.
    public static let overrideVariable = "UNET_CUDA_LIBRARY_PATH"

    /// One place to try: a full path, or a bare file name for the dynamic loader to resolve.
    public struct Candidate: Equatable, Sendable {
        public let path: String
        /// The folder the library lives in, when the candidate names one (nil: the loader's search).
        public let folder: String?
    }

    public let overrideFolders: [String]
    public let systemFolders: [String]
    /// Whether bare names are handed to the dynamic loader's own search.
    public let usesLoaderPath: Bool

    /// A search of exactly these folders (and the loader's path only when asked): for tests.
    public init(folders: [String], usesLoaderPath: Bool = false) {
        overrideFolders = folders
        systemFolders = []
        self.usesLoaderPath = usesLoaderPath
    }

    /// The search for this process's environment.
    public init(environment: [String: String]) {
        overrideFolders = (environment[Self.overrideVariable] ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
        var folders = ["/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib"]
        folders += Self.glob("/usr/local/cuda-*/lib64").sorted(by: >)
        folders += ["/usr/local/nvidia/lib64", "/usr/local/nvidia/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib/wsl/lib"]
        var sitePackages: [String] = []
        for prefix in [environment["VIRTUAL_ENV"], environment["CONDA_PREFIX"]].compactMap({ $0 }) {
            sitePackages += Self.glob(prefix + "/lib/python3*/site-packages")
        }
        sitePackages += Self.glob("/opt/*/.venv/lib/python3*/site-packages")
        sitePackages += Self.glob("/usr/local/lib/python3*/dist-packages") + Self.glob("/usr/local/lib/python3*/site-packages")
        sitePackages += Self.glob("/usr/lib/python3/dist-packages")
        if let home = environment["HOME"] { sitePackages += Self.glob(home + "/.local/lib/python3*/site-packages") }
        for site in sitePackages { folders += Self.glob(site + "/nvidia/*/lib").sorted() }
        systemFolders = folders
        usesLoaderPath = true
    }

    /// The places to try for a library known by any of `names` (the first name is the one
    /// preferred, e.g. the newest soname), without duplicates.
    public func candidates(for names: [String]) -> [Candidate] {
        var result: [Candidate] = []
        func add(_ c: Candidate) { if !result.contains(c) { result.append(c) } }
        for folder in overrideFolders { for name in names { add(Candidate(path: folder + "/" + name, folder: folder)) } }
        if usesLoaderPath { for name in names { add(Candidate(path: name, folder: nil)) } }
        for folder in systemFolders { for name in names { add(Candidate(path: folder + "/" + name, folder: folder)) } }
        return result
    }

    /// The paths matching a shell pattern (nothing when none match).
    public static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }
    }
}
