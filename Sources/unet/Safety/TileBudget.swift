import NN
import Training

/// The `--tile`/`--batch-tiles`/`--memory-budget` rule of `predict` and `evaluate`.
enum TileBudget {
    static func check(tile: Int?, batchTiles: Int, memoryBudgetMB: Int, configuration: UNetConfiguration) throws {
        if let problem = TilePlan.budgetProblem(tile: tile, batch: batchTiles, budgetBytes: memoryBudgetMB << 20, configuration: configuration) {
            throw CommandFailure(problem)
        }
    }
}
