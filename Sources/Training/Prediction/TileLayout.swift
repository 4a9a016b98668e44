import NN

/// How an image is tiled: a `TilePlan` per axis. Tiles may be oblong: on a thin image (a
/// 4×3840 strip, a line scan) a square tile as large as the memory allows would compute
/// hundreds of rows for every real one, so the automatic layout picks each side for the image.
/// Each axis keeps its plan's alignment, so the prediction does not depend on the layout.
public struct TileLayout: Equatable, Sendable {
    public let rows: TilePlan
    public let columns: TilePlan

    public init(rows: TilePlan, columns: TilePlan) {
        self.rows = rows
        self.columns = columns
    }

    /// Square tiles of (about) `tile` pixels per side.
    public init(configuration c: UNetConfiguration, tile: Int) {
        let plan = TilePlan(configuration: c, tile: tile)
        self.init(rows: plan, columns: plan)
    }

    /// Input pixels the network computes to cover a `height`×`width` image.
    public func computedPixels(height: Int, width: Int) -> Int {
        rows.origins(length: height).count * rows.inputSize * columns.origins(length: width).count * columns.inputSize
    }

    /// The layout for a `height`×`width` image with `budgetBytes` of activations for `batch`
    /// tiles per pass: the square tile `TilePlan.tileSize` gives, unless oblong tiles (each
    /// within the budget) compute at least 10% fewer pixels; then, among those within 10% of the
    /// fewest pixels, the one whose passes take least memory.
    public static func automatic(for c: UNetConfiguration, budgetBytes: Int, batch: Int, height: Int, width: Int) -> TileLayout {
        let square = TileLayout(configuration: c, tile: TilePlan.tileSize(for: c, budgetBytes: budgetBytes, batch: batch, height: height, width: width))
        let area = max(1, budgetBytes / max(1, batch) / TilePlan.bytesPerPixel(c))
        let squareCost = square.computedPixels(height: height, width: width)
        var fitting: [(layout: TileLayout, cost: Int, area: Int)] = []
        for r in candidates(c, length: height) {
            for col in candidates(c, length: width) where r.inputSize * col.inputSize <= area {
                let layout = TileLayout(rows: r, columns: col)
                let tiles = r.origins(length: height).count * col.origins(length: width).count
                fitting.append((layout, layout.computedPixels(height: height, width: width), min(batch, tiles) * r.inputSize * col.inputSize))
            }
        }
        guard let cheapest = fitting.map(\.cost).min(), Double(cheapest) < 0.9 * Double(squareCost) else { return square }
        // Within 10% of the fewest pixels, the least memory per pass (tiles in a pass × their
        // area): memory matters more than the last few percent.
        return fitting.filter { Double($0.cost) <= 1.1 * Double(cheapest) }.min { ($0.area, $0.cost) < ($1.area, $1.cost) }!.layout
    }

    /// The distinct tile plans along an axis of `length` pixels, from the smallest the network
    /// takes to the one that covers the axis in one tile.
    static func candidates(_ c: UNetConfiguration, length: Int) -> [TilePlan] {
        let smallest = TilePlan(configuration: c, tile: 1)
        let cover = TilePlan(configuration: c, tile: length + 2 * (c.padding == .valid ? c.borderPerSide : 0) + c.alignment)
        var plans: [TilePlan] = []
        var size = smallest.inputSize
        while size <= cover.inputSize && plans.count < 4096 {
            let plan = TilePlan(configuration: c, tile: size)
            if plans.last?.inputSize != plan.inputSize { plans.append(plan) }
            if plan.inputSize >= cover.inputSize { break }
            size = plan.inputSize + c.alignment
        }
        return plans
    }
}
