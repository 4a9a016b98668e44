extension SafeTensorsFile {
    /// The canonical encoding of this file.
    ///
    /// Header: compact JSON with every object's keys in sorted (byte) order,
    /// `__metadata__` omitted when empty, padded with spaces so the data starts
    /// at an 8-byte boundary. Data: tensors laid out back to back in sorted name order.
    /// Throws `invalidTensor` for an empty name or the reserved name `__metadata__`.
    public func serialized() throws -> [UInt8] {
        let names = self.names
        var entries: [(key: String, json: String)] = []
        var offset = 0
        for name in names {
            guard !name.isEmpty else { throw SafeTensorsError.invalidTensor(name: name, reason: "empty tensor name") }
            guard name != "__metadata__" else {
                throw SafeTensorsError.invalidTensor(name: name, reason: "'__metadata__' is reserved")
            }
            guard let t = tensors[name] else { continue }
            let end = offset + t.bytes.count
            let shape = t.shape.map(String.init).joined(separator: ",")
            entries.append((name, "{\"data_offsets\":[\(offset),\(end)],\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":[\(shape)]}"))
            offset = end
        }
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted(by: SafeTensorsFile.byteOrder).map {
                JSONWriter.quoted($0) + ":" + JSONWriter.quoted(metadata[$0] ?? "")
            }
            entries.append(("__metadata__", "{" + pairs.joined(separator: ",") + "}"))
        }
        entries.sort { SafeTensorsFile.byteOrder($0.key, $1.key) }
        var header = Array(("{" + entries.map { JSONWriter.quoted($0.key) + ":" + $0.json }.joined(separator: ",") + "}").utf8)
        while (8 + header.count) % 8 != 0 { header.append(UInt8(ascii: " ")) }

        var out: [UInt8] = []
        out.reserveCapacity(8 + header.count + offset)
        var length = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for name in names {
            if let t = tensors[name] { out.append(contentsOf: t.bytes) }
        }
        return out
    }

    /// Writes `serialized()` to `path` atomically (temporary file in the same
    /// directory, fsync, rename over `path`, fsync of the directory).
    public func write(to path: String) throws {
        try FileIO.writeAtomically(try serialized(), to: path)
    }

    /// Orders strings by their UTF-8 bytes (what "sorted keys" means on every platform).
    static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Tensor names sorted by UTF-8 bytes.
    public var names: [String] { tensors.keys.sorted(by: SafeTensorsFile.byteOrder) }
}
