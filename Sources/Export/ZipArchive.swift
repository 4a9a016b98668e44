/// A zip archive of stored (uncompressed) files: the package formats that take zips (bioimage.io)
/// only need the container, and the ONNX weights, the bulk of a package, barely compress.
/// Timestamps are fixed (1980-01-01), so the same files give the same bytes.
public struct ZipArchive {
    public private(set) var entries: [(name: String, bytes: [UInt8])] = []

    public init() {}

    public mutating func add(_ name: String, _ bytes: [UInt8]) {
        precondition(!name.isEmpty && !name.hasPrefix("/") && !name.contains(".."), "[ZipArchive] bad entry name \(name)")
        entries.append((name, bytes))
    }

    /// The archive's bytes: a local header and data per file, then the central directory.
    /// Without ZIP64 each file and the whole archive must stay under 4 GiB.
    public func encoded() throws -> [UInt8] {
        var out: [UInt8] = [], central: [UInt8] = []
        for (name, data) in entries {
            guard data.count < Int(UInt32.max), out.count < Int(UInt32.max) else {
                throw ExportError.unsupported("\(name): zip files without ZIP64 hold at most 4 GiB; write the package to a folder instead")
            }
            let nameBytes = Array(name.utf8), crc = CRC32.checksum(data), offset = out.count
            // Version 2.0, flag bit 11 (UTF-8 names), method 0 (stored), time 0, date 1980-01-01.
            let common: [UInt8] = le16(20) + le16(1 << 11) + le16(0) + le16(0) + le16(0x21)
                + le32(crc) + le32(UInt32(data.count)) + le32(UInt32(data.count)) + le16(UInt16(nameBytes.count)) + le16(0)
            out += le32(0x0403_4B50) + common + nameBytes + data
            central += le32(0x0201_4B50) + le16(20) + common + le16(0) + le16(0) + le16(0) + le32(0) + le32(UInt32(offset)) + nameBytes
        }
        let start = out.count
        out += central
        out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(entries.count)) + le16(UInt16(entries.count))
            + le32(UInt32(central.count)) + le32(UInt32(start)) + le16(0)
        return out
    }

    private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
}

/// CRC-32 (IEEE 802.3, the zip and PNG checksum).
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
