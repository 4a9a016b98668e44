import ArgumentParser
import Foundation
import ImageCodecs

/// Image files named on the command line (files, or folders searched recursively), with the
/// names their outputs get: a file's base name, or its path below the folder it was found in.
enum ImageFiles {
    struct Entry {
        let path: String
        /// Output name without extension, e.g. `sub/a` for `FOLDER/sub/a.png`.
        let relativeName: String
    }

    static func collect(_ inputs: [String]) throws -> [Entry] {
        var out: [Entry] = []
        let fm = FileManager.default
        for input in inputs {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: input, isDirectory: &isDir) else { throw CommandFailure("\(input): no such file or folder") }
            if !isDir.boolValue {
                out.append(Entry(path: input, relativeName: ((input as NSString).lastPathComponent as NSString).deletingPathExtension))
                continue
            }
            guard let walker = fm.enumerator(atPath: input) else { throw CommandFailure("\(input): cannot list this folder") }
            var found: [String] = []
            for case let rel as String in walker where ImageFormat(pathExtension: (rel as NSString).pathExtension) != nil {
                if (rel as NSString).lastPathComponent.hasPrefix(".") { continue }
                found.append(rel)
            }
            for rel in found.sorted() {
                out.append(Entry(path: (input as NSString).appendingPathComponent(rel), relativeName: (rel as NSString).deletingPathExtension))
            }
        }
        return out
    }
}
