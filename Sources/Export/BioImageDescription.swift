import Foundation

/// The parts of a bioimage.io model description that come from the user rather than the
/// checkpoint. Authors, a licence and at least one citation are required by the format; every
/// value is held to the rules bioimage.io's validator applies (bioimageio.spec 0.5), so that a
/// package this tool writes is never one the Model Zoo rejects.
public struct BioImageDescription: Equatable {
    /// The validator's limits: a name of 5 to 128 characters out of letters, digits and `_+- ()`,
    /// a description of at most 1024 characters.
    public static let nameLength = 5...128, summaryLength = 1024
    static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+- ()")

    public var name: String
    public var summary: String
    public var authors: [String]
    public var license: String
    public var citations: [BioImageCitation]
    /// What the package will hold that is allowed but worth a word (a deprecated licence id).
    public private(set) var notes: [String] = []

    public init(name: String, summary: String, authors: [String], license: String?, citations: [String]) throws {
        func missing(_ option: String, _ what: String) -> ExportError {
            .badOption(option: option, problem: "missing; a bioimage.io model description needs \(what)")
        }
        let authors = authors.map { $0.trimmingCharacters(in: .whitespaces) }
        guard !authors.isEmpty else { throw missing("--author", "at least one author (repeat --author for several)") }
        if let empty = authors.firstIndex(where: \.isEmpty) { throw ExportError.badOption(option: "--author", problem: "author \(empty + 1) is empty") }
        if let slashed = authors.first(where: { $0.contains("/") || $0.contains("\\") }) {
            throw ExportError.badOption(option: "--author \"\(slashed)\"", problem: "bioimage.io allows no / or \\ in an author's name")
        }
        guard let license, !license.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw missing("--license", "a licence, as an SPDX identifier such as MIT or CC-BY-4.0")
        }
        guard !citations.isEmpty else { throw missing("--cite", "at least one citation: its text followed by a DOI or URL") }
        self.name = try Self.checkedName(name)
        self.summary = try Self.checkedSummary(summary)
        self.authors = authors
        self.license = try Self.checkedLicense(license, notes: &notes)
        self.citations = try citations.map(BioImageCitation.init(parsing:))
    }

    static func checkedName(_ name: String) throws -> String {
        func refuse(_ problem: String) -> ExportError { .badOption(option: "--name \"\(name)\"", problem: problem) }
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw refuse("the name is empty") }
        var bad: [Character] = []
        for ch in trimmed where !nameCharacters.contains(ch) && !bad.contains(ch) { bad.append(ch) }
        if !bad.isEmpty {
            let shown = bad.prefix(8).map { "'\($0)'" }.joined(separator: ", ")
            throw refuse("bioimage.io allows only letters A-Z and a-z, digits, spaces and _ + - ( ) in a model's name; it has \(shown)"
                         + " (e.g. \"\(String(trimmed.map { nameCharacters.contains($0) ? $0 : "-" }).prefix(nameLength.upperBound))\")")
        }
        guard nameLength.contains(trimmed.count) else {
            throw refuse("the name has \(trimmed.count) characters; bioimage.io wants \(nameLength.lowerBound) to \(nameLength.upperBound)")
        }
        return trimmed
    }

    static func checkedSummary(_ summary: String) throws -> String {
        let trimmed = summary.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw ExportError.badOption(option: "--description", problem: "the description is empty") }
        guard trimmed.count <= summaryLength else {
            throw ExportError.badOption(option: "--description",
                                        problem: "\(trimmed.count) characters; bioimage.io allows at most \(summaryLength) (the README holds the details)")
        }
        return trimmed
    }

    /// An SPDX identifier as bioimage.io spells it; a different case is refused with the right
    /// spelling, a deprecated identifier is kept with a note naming its successor's family.
    static func checkedLicense(_ license: String, notes: inout [String]) throws -> String {
        func refuse(_ problem: String) -> ExportError { .badOption(option: "--license \"\(license)\"", problem: problem) }
        if SPDXLicenseList.current.contains(license) { return license }
        if SPDXLicenseList.deprecated.contains(license) {
            notes.append("--license \(license): SPDX has deprecated this identifier (\(license)-only or \(license)-or-later, where they exist, "
                         + "say which is meant); bioimage.io still accepts it")
            return license
        }
        let all = SPDXLicenseList.current.union(SPDXLicenseList.deprecated)
        if let spelled = all.first(where: { $0.lowercased() == license.lowercased() }) {
            throw refuse("identifiers are case-sensitive: write \(spelled)")
        }
        let near = all.filter { $0.lowercased().hasPrefix(license.lowercased().prefix(3)) }.sorted().prefix(6)
        throw refuse("not an SPDX licence identifier (SPDX list \(SPDXLicenseList.version), as bioimage.io checks it)"
                     + (near.isEmpty ? "; e.g. MIT, BSD-3-Clause, Apache-2.0, CC-BY-4.0" : "; similar: " + near.joined(separator: ", ")))
    }
}
