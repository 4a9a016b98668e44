import Tensors
#if canImport(Glibc)
import Glibc
#endif

/// One of the three passes of a convolution: each is a separate oneDNN primitive, and each may
/// be computed by a different kernel.
public enum ConvolutionPass: String, Sendable, CaseIterable {
    case forward
    case backwardData = "backward-data"
    case backwardWeights = "backward-weights"
}

/// The kernel that computes one pass of one convolution on the CPU backend.
public enum ConvolutionKernel: String, Sendable, CaseIterable {
    /// float32, direct.
    case direct
    /// float32, Winograd F(4×4, 3×3) (3×3 stride-1 convolutions only).
    case winograd
    /// bfloat16 direct (oneDNN's `jit_bf16`): inputs and weights converted to bfloat16 inside the
    /// pass, products accumulated in float32, float32 results and weight gradients.
    case bf16
}

extension CPUBackend {
    /// The kernels that may compute `pass` of the convolution with weight `w`:
    /// - fp32: Winograd where `convolutionAlgorithm` tries it, else direct (every pass alike, as
    ///   before mixed precision existed).
    /// - bf16, where bf16 kernels apply (`bf16Applies`):
    ///   `.auto`: the float32 default (Winograd or direct) and bf16, timed on first use (`runTimed`);
    ///   `.direct`: bf16 only; `.winograd`: Winograd where it is tried, else bf16.
    /// - bf16 elsewhere: the float32 default.
    public func kernelCandidates(for pass: ConvolutionPass, weight w: Shape, geometry g: ConvGeometry, transposed t: Bool) -> [ConvolutionKernel] {
        let winograd = convolutionAlgorithm.triesWinograd(weight: w, geometry: g, transposed: t) && winogradAvailable
        let float32: ConvolutionKernel = winograd ? .winograd : .direct
        guard convolutionPrecision == .bf16, Self.bf16Applies(weight: w, transposed: t) else { return [float32] }
        switch convolutionAlgorithm {
        case .direct: return [.bf16]
        case .winograd: return winograd ? [.winograd] : [.bf16]
        case .auto: return [float32, .bf16]
        }
    }

    /// bf16 kernels are used for convolutions whose input and output channels are multiples of 16
    /// (both sides in the blocked layout): not for the image-facing first layer or the class head,
    /// which are a small share of the work and whose plain layouts would need extra conversions.
    public static func bf16Applies(weight w: Shape, transposed t: Bool) -> Bool {
        let (cin, cout) = t ? (w[0], w[1]) : (w[1], w[0])
        return cin % 16 == 0 && cout % 16 == 0
    }

    /// Runs one pass with the kernel chosen for `key` (the pass and shapes, without a kernel).
    /// With one candidate, that one. With several, the first call times them — each candidate
    /// three times, round-robin, keeping each one's fastest run, so that runs slowed by page faults
    /// or by other processes on a shared machine are not held against it — then runs the fastest (unless it ran last) so that
    /// the result is the chosen kernel's; later calls of the same key run the choice directly
    /// (`timedChoices`, kept for the process). `body(kernel, timing)` computes the pass with
    /// `kernel`; `timing` is true for the trial runs, whose results are overwritten.
    func runTimed(_ pass: ConvolutionPass, weight w: Shape, geometry g: ConvGeometry, transposed t: Bool, key: String,
                  _ body: (ConvolutionKernel, Bool) -> Void) {
        let candidates = kernelCandidates(for: pass, weight: w, geometry: g, transposed: t)
        guard candidates.count > 1 else { return body(candidates[0], false) }
        let choiceKey = key + "|" + candidates.map(\.rawValue).joined(separator: ",")
        if let chosen = timedChoices[choiceKey] { return body(chosen, false) }
        // Each trial sees the converted-activation cache as the pass would (backward-weights
        // reuses the output gradient that backward-data converted; backward-data converts its own).
        let cached = lastConversion
        var best = [Double](repeating: .infinity, count: candidates.count)
        for _ in 0..<3 {
            for (i, k) in candidates.enumerated() {
                lastConversion = cached
                let start = Self.monotonicSeconds()
                body(k, true)
                best[i] = min(best[i], Self.monotonicSeconds() - start)
            }
        }
        let winner = best.indices.min { best[$0] < best[$1] }!
        timedChoices[choiceKey] = candidates[winner]
        // Weights cached for the losers (inference) would stay resident for nothing; their cache
        // keys are the pass's key with the kernel appended.
        for (i, k) in candidates.enumerated() where i != winner { weightCache[key + "|\(k)"] = nil }
        lastConversion = cached
        body(candidates[winner], false)
    }

    /// Convenience for passes whose trial runs may write their real outputs.
    func runTimed(_ pass: ConvolutionPass, weight w: Shape, geometry g: ConvGeometry, transposed t: Bool, key: String,
                  _ body: (ConvolutionKernel) -> Void) {
        runTimed(pass, weight: w, geometry: g, transposed: t, key: key) { k, _ in body(k) }
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
