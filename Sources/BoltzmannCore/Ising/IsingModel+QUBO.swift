/// Exact conversion between the Ising form and QUBO (quadratic unconstrained binary
/// optimisation) over x_i in {0, 1}, with s_i = 2 x_i - 1:
///
///     E_QUBO(x) = x^T Q x + c = E_Ising(s) + offset.
///
/// Ising -> QUBO:  Q_ij = -4 J_ij (i < j, upper triangle),
///                 Q_ii = 2 sum_j J_ij - 2 h_i,
///                 c    = -sum_{i<j} J_ij + sum_i h_i     (so offset = 0).
/// QUBO -> Ising:  J_ij = -(Q_ij + Q_ji) / 4,
///                 h_i  = -Q_ii / 2 - sum_{j != i} (Q_ij + Q_ji) / 4,
///                 offset = c + sum_i Q_ii / 2 + sum_{i<j} (Q_ij + Q_ji) / 4.
extension IsingModel {
    /// The QUBO of this model: the diagonal Q_ii, the off-diagonal Q_ij for each coupled
    /// pair in edge-list order (upper triangle), and the constant c.
    public func qubo() -> (diagonal: [Double], offDiagonal: [Double], constant: Double) {
        var diagonal = fields.map { -2 * $0 }
        var constant = fields.reduce(0, +)
        var offDiagonal = [Double](repeating: 0, count: couplingCount)
        for k in edgeCoupling.indices {
            let j = edgeCoupling[k]
            offDiagonal[k] = -4 * j
            diagonal[Int(edgeFirst[k])] += 2 * j
            diagonal[Int(edgeSecond[k])] += 2 * j
            constant -= j
        }
        return (diagonal, offDiagonal, constant)
    }

    /// The Ising model of a dense N x N QUBO matrix (row-major, any square matrix; only
    /// Q_ii and Q_ij + Q_ji matter) and the offset with E_QUBO(x) = E_Ising(s) + offset
    /// for the QUBO constant c = 0.
    public static func fromQUBO(spinCount n: Int, matrix q: [Double]) throws(EngineError) -> (model: IsingModel, offset: Double) {
        try checkSpinCount(n)
        guard q.count == n * n else {
            throw EngineError(.shapeMismatch, "qubo has \(q.count) entries but an \(n) x \(n) matrix needs \(n * n)")
        }
        try Check.allFinite(q, "qubo")
        var fields = [Double](repeating: 0, count: n)
        var offset = 0.0
        var edges: [(Int, Int, Double)] = []
        for i in 0..<n {
            fields[i] -= q[i * n + i] / 2
            offset += q[i * n + i] / 2
            for j in (i + 1)..<max(i + 1, n) {
                let pair = q[i * n + j] + q[j * n + i]
                guard pair != 0 else { continue }
                edges.append((i, j, -pair / 4))
                fields[i] -= pair / 4
                fields[j] -= pair / 4
                offset += pair / 4
            }
        }
        try Check.allFinite(fields, "fields derived from qubo")
        return (try IsingModel(spinCount: n, edges: edges, fields: fields), offset)
    }
}
