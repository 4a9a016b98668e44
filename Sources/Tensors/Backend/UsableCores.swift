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

    /// The default compute thread count: the usable cores less those that other processes keep
    /// busy right now (sampled from `/proc/stat` over `sample` seconds), at least 1. A 2-thread
    /// training step beside one busy process ran 2.8–4.0× slower than alone (OpenMP's barriers wait
    /// for the thread that shares its core), 1 thread 1.6–1.9× (PyTorch: 2.5–3.2×).
    public static func idleCount(sample seconds: Double = 0.1) -> Int {
        let usable = count
        guard let allowed = allowedCPUs, let before = readFile("/proc/stat") else { return usable }
        var pause = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        nanosleep(&pause, nil)
        guard let after = readFile("/proc/stat") else { return usable }
        let busy = busyCPUs(before: before, after: after, among: allowed)
        return max(1, min(usable, allowed.count - busy))
    }

    /// How many of `cpus` were more than half busy between two `/proc/stat` snapshots (user, nice,
    /// system, irq, softirq and steal time against the total).
    static func busyCPUs(before: String, after: String, among cpus: Set<Int>) -> Int {
        func times(_ text: String) -> [Int: (busy: Int, total: Int)] {
            var result: [Int: (Int, Int)] = [:]
            for line in text.split(separator: "\n") where line.hasPrefix("cpu") {
                let fields = line.split(separator: " ")
                guard let cpu = Int(fields[0].dropFirst(3)) else { continue }   // "cpu" alone: the sum
                let values = fields.dropFirst().compactMap { Int($0) }
                guard values.count >= 4 else { continue }
                let total = values.prefix(8).reduce(0, +)            // guest time is inside user time
                let idle = values[3] + (values.count > 4 ? values[4] : 0)   // idle + iowait
                result[cpu] = (total - idle, total)
            }
            return result
        }
        let a = times(before), b = times(after)
        return cpus.filter { cpu in
            guard let x = a[cpu], let y = b[cpu], y.total > x.total else { return false }
            return Double(y.busy - x.busy) > 0.5 * Double(y.total - x.total)
        }.count
    }

    /// The CPU numbers of the calling thread's affinity mask.
    static var allowedCPUs: Set<Int>? {
        guard let status = readFile("/proc/thread-self/status") ?? readFile("/proc/self/status"),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return nil }
        return cpuList(String(line.dropFirst("Cpus_allowed_list:".count)))
    }

    /// "0-3,8,10-11" → {0, 1, 2, 3, 8, 10, 11}.
    static func cpuList(_ text: String) -> Set<Int>? {
        var cpus = Set<Int>()
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-").map { Int($0.filter { !$0.isWhitespace }) }
            guard let low = bounds.first ?? nil else { return nil }
            let high = bounds.count > 1 ? bounds[1] : low
            guard let high, high >= low else { return nil }
            cpus.formUnion(low...high)
        }
        return cpus.isEmpty ? nil : cpus
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
