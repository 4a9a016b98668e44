import Foundation

/// This machine's memory, to bound options that size allocations (`--memory-budget`).
enum PhysicalMemory {
    static var megabytes: Int? {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? (pages * size) >> 20 : nil
    }
}
