extension TrainingState {
    /// Counters above this are refused: 2^40 steps is over 30 years at 1000 steps a second, and
    /// products such as epoch × steps per epoch stay far from overflowing.
    public static let maxCount = 1 << 40

    /// Everything wrong with a saved run state (from a checkpoint: hostile input), each as
    /// `field: problem`; empty when a run can resume from it.
    public var problems: [String] {
        var p: [String] = []
        func count(_ field: String, _ value: Int) {
            if !(0...Self.maxCount).contains(value) { p.append("\(field) is \(value); it must be between 0 and 2^40") }
        }
        count("step", step)
        count("epoch", epoch)
        count("optimizerSteps", optimizerSteps)
        if let n = epochStepCount { count("epochStepCount", n) }
        if p.isEmpty && epoch > step { p.append("epoch is \(epoch) but only \(step) steps were done; every epoch takes at least one step") }
        if let best = bestEpoch, !(0...max(epoch, 0)).contains(best) {
            p.append("bestEpoch is \(best); it must be between 0 and epoch (\(epoch))")
        }
        if let iou = bestMeanIoU, !(iou >= 0 && iou <= 1) { p.append("bestMeanIoU is \(iou); it must be in [0, 1]") }
        if let sum = epochLossSum, !sum.isFinite { p.append("epochLossSum is \(sum); it must be a finite number") }
        // xoshiro256** has four words of state, and all zeros is its one fixed point.
        if dropoutRNG.count != 4 {
            p.append("dropoutRNG has \(dropoutRNG.count) words; the dropout generator's state has 4")
        } else if dropoutRNG.allSatisfy({ $0 == 0 }) {
            p.append("dropoutRNG is all zeros, which is not a generator state")
        }
        return p
    }
}
