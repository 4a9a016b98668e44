import Foundation

/// This machine's memory, to bound options that size allocations (`--memory-budget`, the
/// memory a training run needs).
enum PhysicalMemory {
    static var megabytes: Int? {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? (pages * size) >> 20 : nil
    }

    /// The memory this process may use, in MiB: the machine's, or its control group's limit
    /// (cgroup v2 `memory.max`, v1 `memory.limit_in_bytes`) when that is lower.
    static var usableMegabytes: Int? {
        var limit = megabytes
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                  let bytes = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes > 0 else { continue }
            limit = min(limit ?? Int.max, bytes >> 20)
        }
        return limit
    }
}
