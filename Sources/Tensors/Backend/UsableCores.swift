#if canImport(Glibc)
import Glibc
#endif

/// The cores this process may actually use: the CPUs of its affinity mask (`taskset`, a batch
/// scheduler's binding, `mpirun --bind-to`), further capped by a cgroup CPU quota (a container
/// given `--cpus 2` on a 64-core host still sees 64 CPUs). The default compute thread count:
/// more threads than usable cores make OpenMP's barriers wait on descheduled threads.
public enum UsableCores {
    /// min(affinity mask, ⌈cgroup quota⌉), at least 1.
    public static var count: Int {
        var cores = affinityCount ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        if let quota = cgroupQuota { cores = min(cores, quota) }
        return max(1, cores)
    }

    /// CPUs in the calling thread's affinity mask (threads inherit it from the process), from
    /// `/proc/thread-self/status` (`sched_getaffinity` is not in Swift's Glibc module).
    static var affinityCount: Int? {
        guard let status = readFile("/proc/thread-self/status") ?? readFile("/proc/self/status") else { return nil }
        return cpus(fromStatus: status)
    }

    /// The number of CPUs in the `Cpus_allowed:` mask of a `/proc/…/status` text (hex words
    /// separated by commas).
    static func cpus(fromStatus status: String) -> Int? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else { return nil }
        var count = 0
        for c in line.dropFirst("Cpus_allowed:".count) where c != "," && !c.isWhitespace {
            guard let nibble = c.hexDigitValue else { return nil }
            count += nibble.nonzeroBitCount
        }
        return count > 0 ? count : nil
    }

    /// The cgroup CPU quota in whole cores (rounded up), when one is set: cgroup v2's `cpu.max`,
    /// else cgroup v1's `cpu.cfs_quota_us` / `cpu.cfs_period_us`.
    static var cgroupQuota: Int? {
        if let v2 = readFile("/sys/fs/cgroup/cpu.max") { return cores(fromCPUMax: v2) }
        if let quota = readFile("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"),
           let period = readFile("/sys/fs/cgroup/cpu/cpu.cfs_period_us") {
            return cores(quota: quota, period: period)
        }
        return nil
    }

    /// Cores from cgroup v2's `cpu.max` ("max 100000" or "QUOTA PERIOD").
    static func cores(fromCPUMax text: String) -> Int? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count >= 2 else { return nil }
        return cores(quota: String(fields[0]), period: String(fields[1]))
    }

    /// ⌈quota / period⌉, or nil when there is no quota ("max", -1) or the text is not a number.
    static func cores(quota: String, period: String) -> Int? {
        func number(_ text: String) -> Int? { Int(text.filter { !$0.isWhitespace }) }
        guard let quota = number(quota), let period = number(period), quota > 0, period > 0 else { return nil }
        return max(1, (quota + period - 1) / period)
    }

    /// A small text file of /proc or /sys (at most 64 KiB), or nil.
    private static func readFile(_ path: String) -> String? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 65536 {
            let n = fread(&buffer, 1, buffer.count, f)
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
