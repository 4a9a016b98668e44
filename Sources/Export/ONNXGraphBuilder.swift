import Tensors

/// Appends operators and constants to an ONNX graph under unique names; one method per
/// operator the U-Net needs. Values are named by the layer that makes them (`encoder.0.conv1`).
struct ONNXGraphBuilder {
    var model: ONNXModel
    /// The checkpoint's tensors by name, and the file they came from (for messages).
    let weights: [String: Tensor]
    let source: String
    private var used: Set<String> = []
    private var sharedConstants: [String: String] = [:]

    init(graphName: String, weights: [String: Tensor], source: String) {
        model = ONNXModel(graphName: graphName)
        self.weights = weights
        self.source = source
    }

    func tensor(_ name: String) throws -> Tensor {
        guard let t = weights[name] else { throw ExportError.missingTensor(source: source, name: name) }
        return t
    }

    func optionalTensor(_ name: String) -> Tensor? { weights[name] }

    /// `base`, or `base_2`, `base_3`, … when taken.
    mutating func unique(_ base: String) -> String {
        var name = base, k = 1
        while used.contains(name) { k += 1; name = "\(base)_\(k)" }
        used.insert(name)
        return name
    }

    mutating func constant(_ t: ONNXTensor) -> String {
        var t = t
        t.name = unique(t.name)
        model.initializers.append(t)
        return t.name
    }

    /// An int64 constant shared by every node that needs the same values (crop margins, axes).
    mutating func sharedInts(_ base: String, _ values: [Int]) -> String {
        let key = "\(base)\(values)"
        if let name = sharedConstants[key] { return name }
        let name = constant(.int64(base, values))
        sharedConstants[key] = name
        return name
    }

    mutating func node(_ op: String, _ name: String, _ inputs: [String], _ attributes: [(String, ONNXNode.Attribute)] = []) -> String {
        let n = unique(name)
        model.nodes.append(ONNXNode(op, name: n, inputs: inputs, outputs: [n], attributes: attributes))
        return n
    }

    /// Conv with a [Cout, Cin, k, k] weight, a bias, stride 1 and `padding` on every side.
    mutating func conv(_ x: String, _ name: String, weight: [Float], shape: [Int], bias: [Float]?, padding: Int) -> String {
        let w = constant(.float(name + ".weight", dims: shape, weight))
        let b = bias.map { constant(.float(name + ".bias", dims: [shape[0]], $0)) }
        let k = shape[2]
        return node("Conv", name, [x, w] + (b.map { [$0] } ?? []),
                    [("kernel_shape", .ints([k, k])), ("pads", .ints([padding, padding, padding, padding])), ("strides", .ints([1, 1]))])
    }

    mutating func relu(_ x: String, _ name: String) -> String { node("Relu", name, [x]) }

    mutating func add(_ a: String, _ b: String, _ name: String) -> String { node("Add", name, [a, b]) }

    mutating func maxPool2x2(_ x: String, _ name: String) -> String {
        node("MaxPool", name, [x], [("kernel_shape", .ints([2, 2])), ("strides", .ints([2, 2]))])
    }

    mutating func concatChannels(_ parts: [String], _ name: String) -> String { node("Concat", name, parts, [("axis", .int(1))]) }

    /// Removes `top` rows/columns before and `bottom` after, on H and W: constant margins, so any
    /// input size works. An end of −b counts from the end; with nothing to remove at the end, the
    /// end is Int64.max (Slice clamps it to the size).
    mutating func crop(_ x: String, _ name: String, top: Int, bottom: Int) -> String {
        if top == 0 && bottom == 0 { return x }
        let starts = sharedInts("crop_starts", [top, top])
        let ends = sharedInts("crop_ends", bottom == 0 ? [Int(Int64.max), Int(Int64.max)] : [-bottom, -bottom])
        let axes = sharedInts("axes_hw", [2, 3])
        return node("Slice", name, [x, starts, ends, axes])
    }

    /// ConvTranspose with a [Cin, Cout, k, k] weight (PyTorch's layout and ONNX's), stride k.
    mutating func convTranspose(_ x: String, _ name: String, weight: Tensor, bias: Tensor?) -> String {
        let dims = weight.shape.dims
        let w = constant(.float(name + ".weight", dims: dims, weight.scalars))
        let b = bias.map { constant(.float(name + ".bias", dims: [dims[1]], $0.scalars)) }
        return node("ConvTranspose", name, [x, w] + (b.map { [$0] } ?? []),
                    [("kernel_shape", .ints([dims[2], dims[3]])), ("strides", .ints([dims[2], dims[3]]))])
    }

    /// Nearest-neighbour ×2: output pixel (y, x) copies input (⌊y/2⌋, ⌊x/2⌋), as `upsampleNearest2x`.
    mutating func resizeNearest2x(_ x: String, _ name: String) -> String {
        let scales = constant(.float("scales_2x", dims: [4], [1, 1, 2, 2]))
        return node("Resize", name, [x, "", scales],
                    [("coordinate_transformation_mode", .string("asymmetric")), ("mode", .string("nearest")),
                     ("nearest_mode", .string("floor"))])
    }

    /// Inference batch norm as an operator (where no convolution directly precedes it to fold into).
    mutating func batchNorm(_ x: String, _ name: String, _ folding: BatchNormFolding) -> String {
        let c = folding.gamma.count
        let inputs = [x] + [("scale", folding.gamma), ("B", folding.beta), ("mean", folding.mean), ("var", folding.variance)]
            .map { constant(.float(name + "." + $0.0, dims: [c], $0.1)) }
        return node("BatchNormalization", name, inputs, [("epsilon", .float(BatchNormFolding.epsilon))])
    }

    mutating func softmaxChannels(_ x: String, _ name: String) -> String { node("Softmax", name, [x], [("axis", .int(1))]) }

    /// Gives the graph's last value its public name by renaming the node that makes it.
    mutating func rename(_ value: String, to name: String) {
        guard let i = model.nodes.lastIndex(where: { $0.outputs == [value] }) else { preconditionFailure("[ONNXGraphBuilder] no node makes \(value)") }
        model.nodes[i].outputs = [name]
    }
}
