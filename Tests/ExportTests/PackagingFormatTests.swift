import XCTest
import TestSupport
import Datasets
@testable import Export

/// The small formats a bioimage.io package is made of: YAML, zip, citations, preprocessing.
final class PackagingFormatTests: XCTestCase {
    override class func setUp() { super.setUp(); TestBackend.install() }

    func testYAMLBlockStyleQuotingAndNumbers() {
        let doc = YAMLValue.map([
            ("name", .string("a \"b\"\nc")),
            ("n", .int(-3)),
            ("x", .float(1e-05)),
            ("y", .float(2)),
            ("list", .list([.map([("type", .string("batch"))]), .map([("id", .string("y")), ("size", .map([("min", .int(44))]))]), .string("s")])),
            ("empty", .list([])),
        ])
        XCTAssertEqual(doc.rendered(), """
            name: "a \\"b\\"\\nc"
            n: -3
            x: 1.0e-05
            y: 2.0
            list:
              - type: "batch"
              - id: "y"
                size:
                  min: 44
              - "s"
            empty: []

            """)
        XCTAssertEqual(YAMLValue.number(0.00392156862745098), "0.00392156862745098")
        XCTAssertEqual(YAMLValue.number(1e20), "1.0e+20")
    }

    func testStoredZipLayout() throws {
        var zip = ZipArchive()
        zip.add("rdf.yaml", Array("hello".utf8))
        zip.add("a/b.npy", [])
        let bytes = try zip.encoded()
        XCTAssertEqual(CRC32.checksum(Array("hello".utf8)), 0x3610_A686)
        XCTAssertEqual(Array(bytes[0..<4]), [0x50, 0x4B, 0x03, 0x04])
        // Local header: CRC at 14, sizes at 18 and 22, name length at 26, name at 30, then the data.
        XCTAssertEqual(Array(bytes[14..<18]), [0x86, 0xA6, 0x10, 0x36])
        XCTAssertEqual(Array(bytes[30..<38]), Array("rdf.yaml".utf8))
        XCTAssertEqual(Array(bytes[38..<43]), Array("hello".utf8))
        // End of central directory: 22 bytes, two entries.
        let end = Array(bytes.suffix(22))
        XCTAssertEqual(Array(end[0..<4]), [0x50, 0x4B, 0x05, 0x06])
        XCTAssertEqual(end[10], 2)
    }

    func testCitationsNeedADOIOrURL() throws {
        let doi = try BioImageCitation(parsing: "Ronneberger et al. 2015 10.1007/978-3-319-24574-4_28")
        XCTAssertEqual(doi, BioImageCitation(text: "Ronneberger et al. 2015", doi: "10.1007/978-3-319-24574-4_28", url: nil))
        XCTAssertEqual(try BioImageCitation(parsing: "Paper https://doi.org/10.1234/x").doi, "10.1234/x")
        // bioimage.io's validator wants 10. and four digits: a shorter registrant is refused here.
        for bad in ["10.1/x", "https://doi.org/10.12/x", "10.12a4/x", "10.1234"] {
            XCTAssertThrowsError(try BioImageCitation(parsing: "Paper \(bad)"), bad) { error in
                XCTAssertTrue("\(error)".contains("is not a DOI as bioimage.io reads one"), "\(error)")
            }
        }
        XCTAssertEqual(try BioImageCitation(parsing: "Site https://example.org/u").url, "https://example.org/u")
        XCTAssertThrowsError(try BioImageCitation(parsing: "Just a title")) { error in
            XCTAssertEqual("\(error)", "--cite \"Just a title\": its last word 'title' is neither a DOI (10.…/…) nor an http(s) URL; bioimage.io needs one of them")
        }
    }

    func testRequiredDescriptionFieldsNameTheirOption() {
        func problem(name: String = "A model", summary: String = "s", authors: [String] = ["A"], license: String? = "MIT",
                     cite: [String] = ["T 10.1234/x"]) -> String {
            do {
                _ = try BioImageDescription(name: name, summary: summary, authors: authors, license: license, citations: cite)
                return "accepted"
            } catch { return "\(error)" }
        }
        XCTAssertEqual(problem(), "accepted")
        XCTAssertTrue(problem(authors: []).hasPrefix("--author: missing; a bioimage.io model description needs at least one author"))
        XCTAssertTrue(problem(license: nil).hasPrefix("--license: missing;"))
        XCTAssertTrue(problem(cite: []).hasPrefix("--cite: missing;"))
    }

    /// What bioimage.io's validator (bioimageio.spec 0.5) rejects is refused before writing,
    /// each naming the option: these packages used to be written and exit 0.
    func testValuesTheValidatorRejectsAreRefused() throws {
        func problem(name: String = "A model", summary: String = "s", authors: [String] = ["A"], license: String = "MIT") -> String {
            do {
                _ = try BioImageDescription(name: name, summary: summary, authors: authors, license: license, citations: ["T 10.1234/x"])
                return "accepted"
            } catch { return "\(error)" }
        }
        XCTAssertEqual(problem(name: "Mito_seg+v2 (EM) - final"), "accepted")
        XCTAssertEqual(problem(name: String(repeating: "a", count: 128)), "accepted")
        XCTAssertEqual(problem(name: "Mitochondria: EM/v2"), "--name \"Mitochondria: EM/v2\": bioimage.io allows only letters A-Z and a-z, digits, "
                       + "spaces and _ + - ( ) in a model's name; it has ':', '/' (e.g. \"Mitochondria- EM-v2\")")
        XCTAssertTrue(problem(name: "Zellkerne ü").contains("it has 'ü'"))
        XCTAssertTrue(problem(name: String(repeating: "a", count: 129)).contains("the name has 129 characters; bioimage.io wants 5 to 128"))
        XCTAssertTrue(problem(name: "abc").contains("the name has 3 characters"))
        XCTAssertTrue(problem(summary: String(repeating: "x", count: 1025)).hasPrefix("--description: 1025 characters; bioimage.io allows at most 1024"))
        XCTAssertEqual(problem(summary: String(repeating: "x", count: 1024)), "accepted")
        XCTAssertTrue(problem(authors: ["A/B"]).hasPrefix("--author \"A/B\": bioimage.io allows no / or \\ in an author's name"))
        XCTAssertEqual(problem(license: "mit"), "--license \"mit\": identifiers are case-sensitive: write MIT")
        XCTAssertTrue(problem(license: "MIT License").hasPrefix("--license \"MIT License\": not an SPDX licence identifier"))
        XCTAssertTrue(problem(license: "Proprietary").contains("not an SPDX licence identifier"))
        for good in ["CC-BY-4.0", "BSD-3-Clause", "Apache-2.0", "GPL-3.0-or-later", "CC0-1.0"] { XCTAssertEqual(problem(license: good), "accepted", good) }
        let deprecated = try BioImageDescription(name: "A model", summary: "s", authors: ["A"], license: "GPL-2.0", citations: ["T 10.1234/x"])
        XCTAssertEqual(deprecated.license, "GPL-2.0")
        XCTAssertTrue(deprecated.notes.first?.contains("SPDX has deprecated this identifier") == true, "\(deprecated.notes)")
        XCTAssertEqual(SPDXLicenseList.current.count, 667)
        XCTAssertTrue(SPDXLicenseList.current.isDisjoint(with: SPDXLicenseList.deprecated))
    }

    func testPreprocessingReproducesTheStoredNormalisation() {
        let n = InputNormalization(mean: [0.5, 0.25], std: [0.25, 0.5])
        let steps = BioImagePreprocessing.steps(for: n, maxValue: 255)
        for (channel, pixel) in [(0, 255.0), (1, 51.0)] {
            let viaSteps = steps.reduce(pixel) { $1.apply($0, channel: channel) }
            let direct = (pixel / 255 - Double(n.mean[channel])) / Double(n.std[channel])
            XCTAssertEqual(viaSteps, direct, accuracy: 1e-12)
        }
        XCTAssertEqual(steps[1].yaml.rendered(), """
            id: "fixed_zero_mean_unit_variance"
            kwargs:
              axis: "channel"
              mean:
                - 0.5
                - 0.25
              std:
                - 0.25
                - 0.5

            """)
        // One channel: scalars, no axis (the spec refuses an axis with scalar values).
        XCTAssertEqual(BioImagePreprocessing.steps(for: .identity(channels: 1), maxValue: 65535)[0].yaml.rendered(), """
            id: "scale_linear"
            kwargs:
              gain: 1.5259021896696422e-05
              offset: 0.0

            """)
    }

    /// The percentile scheme becomes scale_range over y and x (per image and channel), clip to
    /// [0, 1], then the stored standardisation; the 1/max value of `dataset` has no place there.
    func testPercentileNormalisationBecomesScaleRangeAndClip() {
        let n = InputNormalization.percentile(low: 1, high: 99.8, channels: 1)
        let steps = BioImagePreprocessing.steps(for: n, maxValue: 65535)
        XCTAssertEqual(steps, [.scaleRange(minPercentile: 1, maxPercentile: 99.800003051757812), .clip(min: 0, max: 1),
                               .fixedZeroMeanUnitVariance(mean: [0], std: [1])])
        XCTAssertEqual(steps[0].yaml.rendered(), """
            id: "scale_range"
            kwargs:
              axes:
                - "y"
                - "x"
              min_percentile: 1.0
              max_percentile: 99.80000305175781

            """)
        XCTAssertEqual(steps[1].apply(1.5, channel: 0), 1)
        XCTAssertEqual(steps[1].apply(-0.5, channel: 0), 0)
    }
}
