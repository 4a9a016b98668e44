import Foundation

/// The sample dataset shipped in `Data/`: found from the working directory or beside the executable.
enum SampleData {
    static let relative = "Data/isbi2012-em"

    static func locate() -> String? {
        var candidates = [FileManager.default.currentDirectoryPath]
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.path)
            dir = dir.deletingLastPathComponent()
        }
        for base in candidates {
            let path = (base as NSString).appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("images")) { return path }
        }
        return nil
    }
}
