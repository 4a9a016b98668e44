// libFuzzer harness for the safetensors reader, compiled by Tools/fuzz together with
// Sources/SafeTensors/*.swift into one module (swiftc -sanitize=fuzzer,address).
// Whatever parses must re-serialize to a file that parses to the same value, and every
// tensor's byte count must match its dtype and shape.

@_cdecl("LLVMFuzzerTestOneInput")
public func safeTensorsFuzzTest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let file = try? SafeTensorsFile(bytes: bytes, path: "fuzz") else { return 0 }
    for name in file.names {
        guard let t = try? file.tensor(name) else { fatalError("listed tensor \(name) cannot be read") }
        precondition(t.bytes.count == t.elementCount * t.dtype.byteSize, "tensor \(name): byte count mismatch")
    }
    guard let again = try? SafeTensorsFile(bytes: file.serialized()), again == file else {
        fatalError("parsed file does not survive a round trip")
    }
    return 0
}
