import FileSafety
import Foundation
import ImageCodecs

/// The colours of an RGB mask and the classes they stand for, usually loaded from a
/// `classes.json` such as
/// `{"classes": [{"name": "background", "color": [0, 0, 0], "index": 0}, ...]}`
/// (a bare array of entries and the spelling `colour` are accepted too).
public struct ClassMap: Equatable, Sendable {
    /// One class: its name, its mask colour and its index.
    public struct Entry: Equatable, Sendable, Codable {
        /// Human-readable class name.
        public var name: String
        /// The RGB colour of this class in masks.
        public var color: [UInt8]
        /// The class index, 0...255.
        public var index: Int

        /// An entry from its parts.
        public init(name: String, color: [UInt8], index: Int) {
            self.name = name
            self.color = color
            self.index = index
        }

        private enum CodingKeys: String, CodingKey { case name, color, colour, index }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            index = try c.decode(Int.self, forKey: .index)
            color = try c.decodeIfPresent([UInt8].self, forKey: .color) ?? c.decode([UInt8].self, forKey: .colour)
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(color, forKey: .color)
            try c.encode(index, forKey: .index)
        }
    }

    /// The entries, in file order.
    public let entries: [Entry]
    private let lookup: [UInt32: UInt8]

    /// Checks the entries: names safe to print (`ClassNameRules`), three colour components,
    /// index 0...255, no colour listed twice. `path` labels errors.
    public init(entries: [Entry], path: String = "<class map>") throws {
        guard !entries.isEmpty else { throw DatasetError.badClassMap(path: path, reason: "no classes") }
        var lookup: [UInt32: UInt8] = [:]
        // Names first: the messages below quote them.
        for (i, e) in entries.enumerated() {
            if let problem = ClassNameRules.problem(with: e.name) {
                throw DatasetError.badClassMap(path: path, reason: "the name of entry \(i) \(problem)")
            }
        }
        for e in entries {
            guard e.color.count == 3 else {
                throw DatasetError.badClassMap(path: path, reason: "class \"\(e.name)\": colour needs 3 components, got \(e.color.count)")
            }
            guard (0...255).contains(e.index) else {
                throw DatasetError.badClassMap(path: path, reason: "class \"\(e.name)\": index \(e.index) is outside 0...255")
            }
            let key = ClassMap.key(e.color[0], e.color[1], e.color[2])
            guard lookup[key] == nil else {
                throw DatasetError.badClassMap(path: path, reason: "colour \(e.color) is listed twice")
            }
            lookup[key] = UInt8(e.index)
        }
        self.entries = entries
        self.lookup = lookup
    }

    /// The largest classes.json read: 256 classes take a few kilobytes; this leaves room for
    /// many colours per class and keeps a wrong path from filling memory.
    public static let maxFileBytes = 16 << 20

    /// Loads a classes.json file (a regular file of at most `maxFileBytes`).
    public static func load(contentsOf path: String) throws -> ClassMap {
        let data: Data
        do {
            data = Data(try RegularFile.read(path, maxBytes: maxFileBytes))
        } catch let error as RegularFileError {
            throw DatasetError.badClassMap(path: path, reason: error.isSystemError ? "cannot read file (\(error.reason))" : error.reason)
        }
        struct Wrapped: Decodable { let classes: [Entry] }
        let decoder = JSONDecoder()
        if let wrapped = try? decoder.decode(Wrapped.self, from: data) { return try ClassMap(entries: wrapped.classes, path: path) }
        do {
            return try ClassMap(entries: decoder.decode([Entry].self, from: data), path: path)
        } catch let error as DatasetError {
            throw error
        } catch {
            let found = (error as? DecodingError)?.fieldDescription ?? "\(error)"
            throw DatasetError.badClassMap(path: path, reason: "expected {\"classes\": [{\"name\", \"color\": [r, g, b], \"index\"}...]} (\(found))")
        }
    }

    /// The class index of a colour, or nil when it is not in the map.
    public func classIndex(r: UInt8, g: UInt8, b: UInt8) -> UInt8? { lookup[ClassMap.key(r, g, b)] }

    /// One more than the largest index.
    public var classCount: Int { (entries.map(\.index).max() ?? -1) + 1 }

    private static func key(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt32 { UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b) }
}
