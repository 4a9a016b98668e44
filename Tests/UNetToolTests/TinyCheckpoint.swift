import Foundation
import NN
import SafeTensors
import Training

/// A tiny untrained model's checkpoint (depth 1, width 2, gray input, 2 classes), optionally
/// with its `unet.model` metadata edited, for tests of what the tool does with checkpoints.
enum TinyCheckpoint {
    static func write(to path: String, editModel edit: ((inout [String: Any]) -> Void)? = nil) throws {
        var c = UNetConfiguration()
        c.depth = 1
        c.baseWidth = 2
        c.padding = .same
        let info = ModelInfo(configuration: c, classNames: ["background", "cell"], normalization: .identity(channels: 1))
        try Checkpoint(model: UNet(c), info: info).write(to: path)
        guard let edit else { return }
        var file = try SafeTensorsFile(contentsOf: path)
        var json = try JSONSerialization.jsonObject(with: Data(file.metadata["unet.model"]!.utf8)) as! [String: Any]
        edit(&json)
        file.metadata["unet.model"] = String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
        try file.write(to: path)
    }
}
