import Foundation

/// The parts of a bioimage.io model description that come from the user rather than the
/// checkpoint. Authors, a licence and at least one citation are required by the format.
public struct BioImageDescription: Equatable {
    public var name: String
    public var summary: String
    public var authors: [String]
    public var license: String
    public var citations: [BioImageCitation]

    public init(name: String, summary: String, authors: [String], license: String?, citations: [String]) throws {
        func missing(_ option: String, _ what: String) -> ExportError {
            .badOption(option: option, problem: "missing; a bioimage.io model description needs \(what)")
        }
        let authors = authors.map { $0.trimmingCharacters(in: .whitespaces) }
        guard !authors.isEmpty else { throw missing("--author", "at least one author (repeat --author for several)") }
        if let empty = authors.firstIndex(where: \.isEmpty) { throw ExportError.badOption(option: "--author", problem: "author \(empty + 1) is empty") }
        guard let license, !license.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw missing("--license", "a licence, as an SPDX identifier such as MIT or CC-BY-4.0")
        }
        guard !license.contains(where: \.isWhitespace) else {
            throw ExportError.badOption(option: "--license \"\(license)\"", problem: "an SPDX identifier has no spaces (e.g. MIT, CC-BY-4.0)")
        }
        guard !citations.isEmpty else { throw missing("--cite", "at least one citation: its text followed by a DOI or URL") }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ExportError.badOption(option: "--name", problem: "the name is empty") }
        self.name = name
        self.summary = summary
        self.authors = authors
        self.license = license
        self.citations = try citations.map(BioImageCitation.init(parsing:))
    }
}
