// Sanitizer driver for the safetensors reader and writer (Tools/sanitize), compiled with
// Sources/SafeTensors/*.swift into one module under -sanitize=address: for every file given,
// parses it and its truncations (every cut through the length prefix and the JSON header, 64
// spread over the data), writes what parsed atomically and reads it back.
import Foundation

@main
enum SafeTensorsSanitizerDriver {
    static func main() throws {
        var parses = 0
        let directory = NSTemporaryDirectory() + "safetensors-sanitize-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for path in CommandLine.arguments.dropFirst() {
            let bytes = try FileIO.readAll(path: path)
            var headerEnd = 8
            if bytes.count >= 8 { headerEnd += Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) } % UInt64(bytes.count)) }
            let cuts = Set(Array(0..<min(headerEnd + 16, bytes.count)) + stride(from: 0, to: bytes.count, by: max(1, bytes.count / 64)))
            for cut in cuts.sorted() {
                parses += 1
                _ = try? SafeTensorsFile(bytes: Array(bytes[0..<cut]), path: path)
            }
            parses += 1
            let file = try SafeTensorsFile(bytes: bytes, path: path)
            for name in file.names { _ = try file.tensor(name) }
            let copy = directory + "/copy.safetensors"
            try file.write(to: copy)
            guard try SafeTensorsFile(contentsOf: copy) == file else { fatalError("\(path): write/read round trip differs") }
        }
        print("safetensors driver: \(CommandLine.arguments.count - 1) files, \(parses) parses, no sanitizer reports")
    }
}
