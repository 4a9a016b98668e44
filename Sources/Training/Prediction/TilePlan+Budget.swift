import NN

extension TilePlan {
    /// Why tiles of (about) `tile` pixels (nil: the smallest the network takes), `batch` per
    /// forward pass, do not fit `budgetBytes` of activations, with what would; nil when they fit.
    /// A tile is never allowed past the budget: a `--tile 100000` would otherwise ask for tens
    /// of gigabytes and abort in the allocator.
    public static func budgetProblem(tile: Int?, batch: Int, budgetBytes: Int, configuration c: UNetConfiguration) -> String? {
        let perPixel = bytesPerPixel(c)
        let smallest = TilePlan(configuration: c, tile: 1).inputSize
        let side = tile.map { TilePlan(configuration: c, tile: $0).inputSize } ?? smallest
        let need = Double(batch) * Double(side) * Double(side) * Double(perPixel)
        guard need > Double(budgetBytes) else { return nil }
        let needText = need >= 1e9 ? String(format: "%.1f GB", need / 1e9) : String(format: "%.0f MB", need / 1_048_576)
        let budgetMB = budgetBytes >> 20
        if tile != nil, Double(batch) * Double(smallest * smallest) * Double(perPixel) <= Double(budgetBytes) {
            // The largest valid input side within the budget (a tile is rounded to a valid side,
            // which may be above the raw fit: suggesting that side would be refused in turn).
            let fit = tileSize(for: c, budgetBytes: budgetBytes, batch: batch, height: Int.max / 4, width: Int.max / 4)
            var suggested = fit
            while suggested > 1 && TilePlan(configuration: c, tile: suggested).inputSize > fit { suggested -= 1 }
            return "--tile \(tile!) (input \(side)²) needs about \(needText) of activations for \(batch) tile(s) per pass, over "
                + "--memory-budget \(budgetMB) MB; use --tile \(TilePlan(configuration: c, tile: suggested).inputSize) or less, or raise --memory-budget"
        }
        return "\(batch) tile(s) per pass of the smallest tile this network takes (\(smallest)²) need about \(needText), over "
            + "--memory-budget \(budgetMB) MB; lower --batch-tiles or raise --memory-budget"
    }
}
