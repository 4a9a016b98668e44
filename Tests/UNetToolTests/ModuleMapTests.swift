import Foundation
import XCTest

/// docs/ARCHITECTURE.md's module table says what each module imports; Package.swift decides it.
/// They must agree, for the Swift modules the table lists one per row (C shims and libraries are
/// named in prose there).
final class ModuleMapTests: XCTestCase {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Target → its in-package dependencies, from Package.swift's `.target(name:dependencies:)`.
    func packageDependencies() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        var result: [String: Set<String>] = [:]
        let pattern = try NSRegularExpression(pattern: #"\.(?:target|executableTarget)\(name: "(\w+)"(?:, dependencies: \[([^\]]*)\])?"#)
        for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let name = String(text[Range(m.range(at: 1), in: text)!])
            let list = m.range(at: 2).location == NSNotFound ? "" : String(text[Range(m.range(at: 2), in: text)!])
            result[name] = Set(list.split(separator: ",").compactMap { item -> String? in
                let t = item.trimmingCharacters(in: .whitespaces)
                return t.hasPrefix("\"") ? String(t.dropFirst().dropLast()) : nil
            })
        }
        return result
    }

    func isCModule(_ name: String) -> Bool { name.count > 1 && name.first == "C" && name.dropFirst().first!.isUppercase }

    func testTheArchitectureTableMatchesThePackage() throws {
        let package = try packageDependencies()
        let doc = try String(contentsOf: root.appendingPathComponent("docs/ARCHITECTURE.md"), encoding: .utf8)
        var checked = 0
        for line in doc.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4 else { continue }
            let names = cells[1].components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            guard names.count == 1, let module = names.first, !isCModule(module), module != "unet", let declared = package[module] else { continue }
            let imports = Set(cells[3].components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
                .filter { package[$0] != nil && !isCModule($0) })
            XCTAssertEqual(imports, declared.filter { !isCModule($0) }, "\(module): docs/ARCHITECTURE.md vs Package.swift")
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 11, "the table's rows were found")
    }
}
