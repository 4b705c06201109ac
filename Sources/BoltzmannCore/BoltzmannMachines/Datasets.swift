/// Small data sets whose optimum is known, for testing generative models.
public enum Datasets {
    /// Bars and stripes (MacKay 2003): every side x side binary image whose rows are
    /// all constant or whose columns are all constant, once each, in lexicographic
    /// order (2^(side+1) - 2 images; the all-0 and all-1 images are both kinds). A
    /// model that puts equal mass on each has the best possible mean log-likelihood,
    /// -ln(2^(side+1) - 2). Returns images x side^2 values in {0, 1}.
    public static func barsAndStripes(side: Int) throws(EngineError) -> [Float] {
        guard side >= 1, side <= 5 else { throw .invalid("side must be in [1, 5], got \(side)") }
        var patterns: Set<[Float]> = []
        for mask in 0..<(1 << side) {
            patterns.insert((0..<(side * side)).map { Float(mask >> ($0 / side) & 1) })  // constant rows
            patterns.insert((0..<(side * side)).map { Float(mask >> ($0 % side) & 1) })  // constant columns
        }
        return patterns.sorted { $0.lexicographicallyPrecedes($1) }.flatMap { $0 }
    }
}
