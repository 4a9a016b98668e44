/// A 64-byte aligned float buffer, recycled through `BufferPool`.
public final class Storage {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int
    /// Bytes actually reserved (a recycled buffer may be somewhat larger than asked for).
    let capacity: Int

    package init(count: Int) {
        self.count = count
        (pointer, capacity) = BufferPool.shared.take(bytes: max(count, 1) * MemoryLayout<Float>.stride)
    }

    deinit { BufferPool.shared.give(pointer, capacity: capacity) }
}
