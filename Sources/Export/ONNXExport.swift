import Training

/// A checkpoint as an ONNX model: the graph of `UNetGraph` and the metadata of `ExportMetadata`.
public enum ONNXExport {
    public static func model(from checkpoint: Checkpoint, output: UNetGraph.Output) throws -> ONNXModel {
        // Building the network checks every tensor's name and shape against the configuration.
        _ = try checkpoint.makeModel()
        // Protobuf messages are limited to 2 GiB; larger models would need ONNX external data.
        let bytes = checkpoint.tensors.filter { Checkpoint.isModelTensor($0.key) }.values.reduce(0) { $0 + 4 * $1.count }
        if bytes >= (1 << 31) - (1 << 20) {
            throw ExportError.unsupported("\(checkpoint.source): the weights take \(bytes >> 20) MiB; an ONNX file holds at most 2 GiB (external weight files are not written)")
        }
        var model = try UNetGraph.build(configuration: checkpoint.info.configuration, weights: checkpoint.tensors,
                                        source: checkpoint.source, output: output)
        model.metadata = ExportMetadata.properties(for: checkpoint.info, output: output)
        model.docString = "U-Net (\(checkpoint.info.configuration.block.rawValue) blocks, depth \(checkpoint.info.configuration.depth)) exported by unet; "
            + "classes: \(checkpoint.info.classNames.joined(separator: ", "))."
        return model
    }
}
