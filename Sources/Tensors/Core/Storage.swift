/// A tensor's memory, allocated and owned by the backend of its device (`ComputeBackend.allocate`).
///
/// `address` is a host address for host storage and a device pointer for a device backend; it is
/// visible to the backends of this package only. Everything else reaches values through the
/// tensor's explicit host calls (`scalars`, `integers`, `assign`), which the backend implements by
/// copying (and synchronising) when the storage is not host memory.
public final class Storage {
    public let device: Device
    public let byteCount: Int
    package let address: UnsafeMutableRawPointer
    private let release: (UnsafeMutableRawPointer) -> Void

    /// Storage a backend allocated; `release` gives it back when the last tensor using it is gone.
    package init(device: Device, byteCount: Int, address: UnsafeMutableRawPointer,
                 release: @escaping (UnsafeMutableRawPointer) -> Void) {
        self.device = device
        self.byteCount = byteCount
        self.address = address
        self.release = release
    }

    /// 64-byte aligned host memory from the caching `BufferPool`.
    package static func host(byteCount: Int) -> Storage {
        let (address, capacity) = BufferPool.shared.take(bytes: max(byteCount, 1))
        return Storage(device: .host, byteCount: byteCount, address: address) {
            BufferPool.shared.give($0, capacity: capacity)
        }
    }

    /// Host memory for `count` floats (a host backend's scratch buffers and workspaces).
    package convenience init(count: Int) {
        let (address, capacity) = BufferPool.shared.take(bytes: max(count, 1) * MemoryLayout<Float>.stride)
        self.init(device: .host, byteCount: count * MemoryLayout<Float>.stride, address: address) {
            BufferPool.shared.give($0, capacity: capacity)
        }
    }

    /// The storage as host floats (host backends only).
    package var pointer: UnsafeMutablePointer<Float> {
        precondition(device == .host, "[Storage] host access to \(device) memory")
        return address.assumingMemoryBound(to: Float.self)
    }

    deinit { release(address) }
}
