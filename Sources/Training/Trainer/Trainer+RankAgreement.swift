import Tensors

extension Trainer {
    /// Throws on every rank when the ranks do not hold the same model (weights and batch-norm
    /// statistics), before a save: rank 0 would otherwise save a model the others do not have.
    /// One collective of two numbers: each rank's 20-bit fingerprint h, summed with h²; all are
    /// equal exactly when (Σh)² = W·Σh² (equality in Cauchy–Schwarz), and both sums are exact in
    /// double precision for fewer than 8192 ranks.
    func checkRanksAgree() throws {
        let w = reducer.worldSize
        guard w > 1 else { return }
        let h = Double(Trainer.fingerprint(model.state + (average?.model.state ?? [])))
        let sums = reducer.sum([h, h * h])
        guard sums[0] * sums[0] == Double(w) * sums[1] else { throw TrainingError.ranksDisagree(step: state.step) }
    }

    /// A 20-bit FNV-1a hash of the tensors' float bits, in order.
    static func fingerprint(_ tensors: [(name: String, tensor: Tensor)]) -> UInt32 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for (_, t) in tensors {
            for x in t.scalars {
                hash = (hash ^ UInt64(x.bitPattern)) &* 0x0000_0100_0000_01b3
            }
        }
        return UInt32(truncatingIfNeeded: (hash >> 20) ^ hash) & 0xF_FFFF
    }
}
