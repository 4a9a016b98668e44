import Foundation
import XCTest

/// Compiles `source` into a shared library `name` in `folder` with the system C compiler (the
/// stand-in NVIDIA libraries of the loading and fake-driver tests); skips the test without one.
func buildStandInLibrary(named name: String, in folder: String, source: String) throws {
    guard let compiler = ["/usr/bin/cc", "/usr/bin/clang", "/usr/bin/gcc"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw XCTSkip("no C compiler to build a stand-in library")
    }
    let file = folder + "/" + name + ".c"
    try source.write(toFile: file, atomically: true, encoding: .utf8)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: compiler)
    p.arguments = ["-shared", "-fPIC", "-w", "-o", folder + "/" + name, file]
    try p.run()
    p.waitUntilExit()
    struct BuildFailure: Error, CustomStringConvertible { let description: String }
    if p.terminationStatus != 0 { throw BuildFailure(description: "\(compiler) could not build the stand-in \(name) from \(file)") }
}
