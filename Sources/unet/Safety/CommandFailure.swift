/// An error found while a command runs (a refused output, a file that cannot be used): printed
/// as `Error: MESSAGE` with exit status 1. Unlike `ValidationError`, which is for option
/// mistakes found while parsing, it is not followed by the usage text.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
