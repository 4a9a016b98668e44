/// A `cite` entry of a bioimage.io package from `--cite "TEXT DOI_OR_URL"`: the last word is
/// the reference (a DOI starting `10.` or an http(s) URL), the words before it the text.
public struct BioImageCitation: Equatable {
    public let text: String
    public let doi: String?
    public let url: String?

    public init(text: String, doi: String?, url: String?) {
        self.text = text
        self.doi = doi
        self.url = url
    }

    public init(parsing value: String) throws {
        let words = value.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        func refuse(_ problem: String) -> ExportError { .badOption(option: "--cite \"\(value)\"", problem: problem) }
        guard let last = words.last, words.count >= 2 else {
            throw refuse("give the citation's text followed by its DOI or URL, e.g. --cite \"Ronneberger et al. 2015, U-Net 10.1007/978-3-319-24574-4_28\"")
        }
        text = words.dropLast().joined(separator: " ")
        let doiText = last.hasPrefix("https://doi.org/") ? String(last.dropFirst("https://doi.org/".count)) : last
        if doiText.hasPrefix("10.") {
            // bioimage.io's pattern: 10. and a registrant of at least four digits, then /suffix.
            let registrant = doiText.dropFirst(3).prefix { $0 != "/" }
            guard registrant.count >= 4, registrant.prefix(4).allSatisfy({ $0.isASCII && $0.isNumber }),
                  doiText.dropFirst(3 + registrant.count).count > 1 else {
                throw refuse("'\(last)' is not a DOI as bioimage.io reads one: 10., at least four digits, / and the rest (e.g. 10.1007/978-3-319-24574-4_28)")
            }
            doi = doiText; url = nil
        } else if last.hasPrefix("https://") || last.hasPrefix("http://") {
            doi = nil; url = last
        } else {
            throw refuse("its last word '\(last)' is neither a DOI (10.…/…) nor an http(s) URL; bioimage.io needs one of them")
        }
    }

    var yaml: YAMLValue {
        .map([("text", .string(text))] + (doi.map { [("doi", .string($0))] } ?? []) + (url.map { [("url", .string($0))] } ?? []))
    }
}
