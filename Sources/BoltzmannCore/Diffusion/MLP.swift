import Glibc

/// The scalars a network computes in: Float for use, Double for the gradient
/// check of the very same code.
public protocol NetworkScalar: BinaryFloatingPoint, Sendable {
    /// C = alpha op(A) op(B) + beta C, row-major, as cblas_?gemm; in tiles on the
    /// engine's threads when `tiled` (see `BLAS.sgemm`), on the calling thread otherwise.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     b: UnsafePointer<Self>, ldb: Int, beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int, tiled: Bool)
    static func exponential(_ x: Self) -> Self
    /// a[k] = SiLU(y[k]) = y s(y), s the logistic function, and when `slopes`,
    /// y[k] <- SiLU'(y[k]) = s (1 + y (1 - s)) (what backward needs).
    static func silu(_ y: UnsafeMutablePointer<Self>, _ a: UnsafeMutablePointer<Self>, count: Int, slopes: Bool)
}

extension NetworkScalar {
    @inline(__always)
    static func silu(_ y: UnsafeMutablePointer<Self>, _ a: UnsafeMutablePointer<Self>, at k: Int, slopes: Bool) {
        let value = y[k], s = 1 / (1 + exponential(-value))
        a[k] = value * s
        if slopes { y[k] = s * (1 + value * (1 - s)) }
    }
}

extension Float: NetworkScalar {
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, tiled: Bool) {
        BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                   tiled: tiled)
    }
    public static func exponential(_ x: Float) -> Float { UnitKernels.exp(x) }

    /// Eight lanes at a time where AVX2 runs (`VectorUnit`), four elsewhere.
    public static func silu(_ y: UnsafeMutablePointer<Float>, _ a: UnsafeMutablePointer<Float>, count: Int, slopes: Bool) {
        VectorUnit.silu(y, a, count: count, slopes: slopes)
    }
}

extension Double: NetworkScalar {
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
                            b: UnsafePointer<Double>, ldb: Int, beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int, tiled: Bool) {
        BLAS.dgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
    public static func exponential(_ x: Double) -> Double { Glibc.exp(x) }

    public static func silu(_ y: UnsafeMutablePointer<Double>, _ a: UnsafeMutablePointer<Double>, count: Int, slopes: Bool) {
        for k in 0..<count { silu(y, a, at: k, slopes: slopes) }
    }
}

/// A multilayer perceptron: layers y_l = a_{l-1} W_l + b_l (W_l in x out, row-major),
/// a_l = SiLU(y_l) = y_l sigmoid(y_l) on the hidden layers, the last layer linear.
/// Batches are rows. All parameters live in one flat array (W_1, b_1, W_2, b_2, ...),
/// so an optimiser sees one vector; forward keeps what backward needs in a
/// `Workspace` sized once per batch size (no allocation per step).
public struct MLP<Scalar: NetworkScalar>: Sendable {
    /// Layer widths: inputs, hidden widths..., outputs.
    public let widths: [Int]
    public var parameters: [Scalar]
    /// Where each layer's W and b start in `parameters`.
    public let weightOffsets: [Int], biasOffsets: [Int]

    public var layerCount: Int { widths.count - 1 }

    /// He-style initialisation: W ~ N(0, 1/fan_in) from stream (seed, 0), b = 0.
    public init(widths: [Int], seed: UInt64) throws(EngineError) {
        guard widths.count >= 2, widths.allSatisfy({ $0 >= 1 && $0 <= Limit.width.value }) else {
            throw .invalid("widths must list at least an input and an output width, each in [1, 2^16], got \(widths)")
        }
        self.widths = widths
        var weights: [Int] = [], biases: [Int] = [], total = 0
        for l in 0..<(widths.count - 1) {
            weights.append(total); total += widths[l] * widths[l + 1]
            biases.append(total); total += widths[l + 1]
        }
        weightOffsets = weights
        biasOffsets = biases
        var random = RandomStream(seed: seed, stream: 0)
        var values = [Scalar](repeating: 0, count: total)
        for l in 0..<(widths.count - 1) {
            let scale = 1 / Double(widths[l]).squareRoot()
            for k in 0..<(widths[l] * widths[l + 1]) { values[weights[l] + k] = Scalar(scale * random.normal()) }
        }
        parameters = values
    }

    /// What backward needs of every layer, for batches of up to `rows` rows,
    /// allocated once: the slopes SiLU'(y_l), the activations and the deltas.
    public final class Workspace {
        public let rows: Int
        let slopes: [UnsafeMutablePointer<Scalar>]       // y_l, then SiLU'(y_l) (hidden layers), rows x widths[l+1]
        let activations: [UnsafeMutablePointer<Scalar>]  // a_l (the last is the output)
        let deltas: [UnsafeMutablePointer<Scalar>]       // dL/dy_l

        public init(network: MLP, rows: Int) {
            self.rows = rows
            let sizes = (1..<network.widths.count).map { rows * network.widths[$0] }
            func buffers() -> [UnsafeMutablePointer<Scalar>] {
                sizes.map { size in
                    let buffer = UnsafeMutablePointer<Scalar>.allocate(capacity: max(size, 1))
                    buffer.initialize(repeating: 0, count: max(size, 1))
                    return buffer
                }
            }
            slopes = buffers()
            activations = buffers()
            deltas = buffers()
        }

        deinit {
            for buffer in slopes + activations + deltas { buffer.deallocate() }
        }

        /// The last forward pass's outputs (rows x outputs, rows as passed to `forward`).
        public var output: UnsafePointer<Scalar> { UnsafePointer(activations[activations.count - 1]) }
    }

    /// Forward pass of `input` (rows x widths[0]; rows defaults to the workspace's
    /// capacity) into `workspace`, keeping what `backward` needs unless not
    /// `forTraining`. Products run in tiles on the engine's threads, or on the
    /// calling thread when not `tiled` (for callers that are parallel tasks).
    public func forward(_ input: UnsafePointer<Scalar>, _ workspace: Workspace, rows: Int? = nil, tiled: Bool = true,
                        forTraining: Bool = true) {
        let rows = min(rows ?? workspace.rows, workspace.rows)
        parameters.withUnsafeBufferPointer { p in
            for l in 0..<layerCount {
                let inputs = widths[l], outputs = widths[l + 1]
                let previous = l == 0 ? input : UnsafePointer(workspace.activations[l - 1])
                let y = workspace.slopes[l], a = workspace.activations[l]
                for r in 0..<rows { (y + r * outputs).update(from: p.baseAddress! + biasOffsets[l], count: outputs) }
                Scalar.gemm(transA: false, transB: false, m: rows, n: outputs, k: inputs, alpha: 1, a: previous, lda: inputs,
                            b: p.baseAddress! + weightOffsets[l], ldb: outputs, beta: 1, c: y, ldc: outputs, tiled: tiled)
                if l == layerCount - 1 {
                    a.update(from: y, count: rows * outputs)
                } else {
                    // a = y s(y); the slope SiLU'(y) replaces y for backward.
                    Scalar.silu(y, a, count: rows * outputs, slopes: forTraining)
                }
            }
        }
    }

    /// dL/d(input) (rows x widths[0]) given dL/d(output) (rows x outputs) for the last
    /// forward pass of `rows` rows (made `forTraining`): the vector-Jacobian product
    /// u^T (d output / d input) for each row's u, through the deltas of `backward`.
    public func inputGradient(_ outputGradient: UnsafePointer<Scalar>, _ workspace: Workspace, rows: Int,
                              into out: UnsafeMutablePointer<Scalar>, tiled: Bool = true) {
        parameters.withUnsafeBufferPointer { p in
            for l in stride(from: layerCount - 1, through: 0, by: -1) {
                propagateDelta(layer: l, outputGradient, workspace, rows: rows, parameters: p.baseAddress!, tiled: tiled)
            }
            // dL/d(input) = delta_0 W_0^T.
            Scalar.gemm(transA: false, transB: true, m: rows, n: widths[0], k: widths[1], alpha: 1, a: workspace.deltas[0], lda: widths[1],
                        b: p.baseAddress! + weightOffsets[0], ldb: widths[1], beta: 0, c: out, ldc: widths[0], tiled: tiled)
        }
    }

    /// delta_l = dL/dy_l of the last forward pass: the output gradient for the last
    /// layer, else (delta_{l+1} W_{l+1}^T) SiLU'(y_l). Layers go from the last down.
    private func propagateDelta(layer l: Int, _ outputGradient: UnsafePointer<Scalar>, _ workspace: Workspace, rows: Int,
                                parameters p: UnsafePointer<Scalar>, tiled: Bool) {
        let outputs = widths[l + 1], delta = workspace.deltas[l]
        if l == layerCount - 1 {
            delta.update(from: outputGradient, count: rows * outputs)
        } else {
            let next = widths[l + 2], slope = workspace.slopes[l]
            Scalar.gemm(transA: false, transB: true, m: rows, n: outputs, k: next, alpha: 1, a: workspace.deltas[l + 1], lda: next,
                        b: p + weightOffsets[l + 1], ldb: next, beta: 0, c: delta, ldc: outputs, tiled: tiled)
            for k in 0..<(rows * outputs) { delta[k] *= slope[k] }
        }
    }

    /// Backward pass: given dL/d(output) (rows x outputs) for the last forward pass on
    /// `input` (made `forTraining`), adds dL/d(parameters) to `gradient` (same layout as `parameters`).
    public func backward(_ input: UnsafePointer<Scalar>, _ outputGradient: UnsafePointer<Scalar>, _ workspace: Workspace,
                         into gradient: UnsafeMutablePointer<Scalar>, tiled: Bool = true) {
        backpropagate(outputGradient, workspace, rows: workspace.rows, tiled: tiled)
        parameterGradient(input, workspace, rows: workspace.rows, into: gradient, adding: true, tiled: tiled)
    }

    /// The deltas dL/dy_l of every layer, from the last down, given dL/d(output) (rows x
    /// outputs) for the last forward pass of `rows` rows (made `forTraining`).
    public func backpropagate(_ outputGradient: UnsafePointer<Scalar>, _ workspace: Workspace, rows: Int, tiled: Bool = true) {
        parameters.withUnsafeBufferPointer { p in
            for l in stride(from: layerCount - 1, through: 0, by: -1) {
                propagateDelta(layer: l, outputGradient, workspace, rows: rows, parameters: p.baseAddress!, tiled: tiled)
            }
        }
    }

    /// dL/d(parameters) summed over `rows` rows from the deltas of `backpropagate`:
    /// dW_l = a_{l-1}^T delta_l (a_{-1} the input), db_l = the column sums of delta_l
    /// (in row order), written into `gradient` (same layout as `parameters`), or added
    /// to it when `adding`.
    public func parameterGradient(_ input: UnsafePointer<Scalar>, _ workspace: Workspace, rows: Int,
                                  into gradient: UnsafeMutablePointer<Scalar>, adding: Bool, tiled: Bool = true) {
        for l in 0..<layerCount {
            let inputs = widths[l], outputs = widths[l + 1], delta = workspace.deltas[l]
            let previous = l == 0 ? input : UnsafePointer(workspace.activations[l - 1])
            Scalar.gemm(transA: true, transB: false, m: inputs, n: outputs, k: rows, alpha: 1, a: previous, lda: inputs,
                        b: delta, ldb: outputs, beta: adding ? 1 : 0, c: gradient + weightOffsets[l], ldc: outputs, tiled: tiled)
            let biasGradient = gradient + biasOffsets[l]
            if !adding { biasGradient.update(repeating: 0, count: outputs) }
            for r in 0..<rows {
                let row = delta + r * outputs
                for j in 0..<outputs { biasGradient[j] += row[j] }
            }
        }
    }
}
