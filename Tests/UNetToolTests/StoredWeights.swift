import Foundation

/// The float32 tensors of a safetensors file, read without the Training module's checks.
struct StoredWeights {
    let values: [String: [Float]]
    var keys: [String] { values.keys.sorted() }

    init(path: String) throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = Int(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let header = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<8 + headerLength)) as! [String: Any]
        var values: [String: [Float]] = [:]
        for (name, entry) in header where name != "__metadata__" {
            let offsets = (entry as! [String: Any])["data_offsets"] as! [Int]
            let data = bytes.subdata(in: 8 + headerLength + offsets[0]..<8 + headerLength + offsets[1])
            values[name] = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }
        self.values = values
    }
}
