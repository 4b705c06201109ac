import COpenBLAS

/// Thin entry points into OpenBLAS, the engine's dense linear algebra.
///
/// OpenBLAS picks different kernels for the same product depending on how many
/// threads it may use (measured: a 64 x 300 x 1000 sgemm rounds differently on one
/// thread and on two), which would make results depend on the thread count. So the
/// engine keeps OpenBLAS single-threaded and threads products itself: `sgemm` cuts
/// C into a number of tiles fixed by the shape and the machine, and runs them on
/// `Parallel.forEach`. Each tile is computed the same way whichever thread runs it.
enum BLAS {
    /// OpenBLAS on one thread, once per process: touched by `sgemm` and by every
    /// engine function that calls OpenBLAS directly.
    static let singleThreaded: Void = openblas_set_num_threads(1)

    /// The most tiles a product is cut into: the machine's processors, from 2 to 8
    /// (one tile per processor: at 784 x 500 two tiles on two processors run the
    /// training's products 10-15% faster than four).
    /// A property of the machine, not of `bz_set_num_threads`, so the rounding does
    /// not change with the thread bound (it changes across machines anyway, with
    /// OpenBLAS's choice of kernel for the processor).
    static let maxTiles = max(2, min(8, Parallel.hardwareThreads))

    /// Products below this many multiply-adds run as one tile.
    static let tileWork = 1 << 21

    /// C = alpha op(A) op(B) + beta C, row-major (op(A) m x k, op(B) k x n, C m x n),
    /// as `cblas_sgemm`, cut along C's longer side into at most `maxTiles` tiles of at least
    /// 16 columns (or rows), in parallel when there is more than one; one tile when
    /// not `tiled` (for callers that are themselves parallel tasks).
    static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                      a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                      beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, tiled: Bool = true) {
        _ = singleThreaded
        guard m > 0, n > 0 else { return }
        let byColumns = n >= m, side = byColumns ? n : m
        let tiles = tiled ? max(1, min(maxTiles, side / 16, m * n * max(k, 1) / tileWork)) : 1
        let width = (side + tiles - 1) / tiles
        let a = UncheckedPointer(a), b = UncheckedPointer(b), c = SharedPointer(c)
        Parallel.forEach(tiles, parallel: tiles > 1) { tile in
            let start = tile * width, count = min(width, side - start)
            guard count > 0 else { return }
            // The tile's slices: columns of op(B) and C, or rows of op(A) and C.
            let aTile = byColumns ? a.base : (transA ? a.base + start : a.base + start * lda)
            let bTile = byColumns ? (transB ? b.base + start * ldb : b.base + start) : b.base
            let cTile = byColumns ? c.base + start : c.base + start * ldc
            cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                        dimension(byColumns ? m : count), dimension(byColumns ? count : n), dimension(k), alpha,
                        aTile, dimension(lda), bTile, dimension(ldb), beta, cTile, dimension(ldc))
        }
    }
}

/// The engine's only door to OpenBLAS besides `sgemm` above: every dimension is
/// narrowed to BLAS's 32-bit integers here, checked, and vector operations longer
/// than 2^31 - 1 elements (an N x N Hopfield matrix at N = 46341, an RBM's n_v n_h
/// weights at the library's limit of 2^31) run in pieces. The arguments'
/// validation keeps every single dimension within range; a product of two never
/// reaches a BLAS integer.
extension BLAS {
    /// Elements per piece of a long vector operation (a parameter so that tests can
    /// exercise the splitting on small arrays).
    static let vectorPiece = 1 << 30

    /// A dimension for BLAS. Every caller's dimensions are bounded by validation far
    /// below 2^31 (see `Limits`), so a failure here is a defect, reported as one.
    @inline(__always)
    static func dimension(_ x: Int) -> Int32 {
        precondition(x >= 0 && x <= Int(Int32.max), "BLAS dimension \(x) outside 32 bits (a validation defect)")
        return Int32(x)
    }

    /// Ranges covering 0..<count in pieces of at most `piece` elements.
    static func pieces(_ count: Int, piece: Int = vectorPiece) -> [Range<Int>] {
        stride(from: 0, to: count, by: piece).map { $0..<min(count, $0 + piece) }
    }

    /// y += alpha x over `count` contiguous elements.
    static func saxpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, piece: Int = vectorPiece) {
        _ = singleThreaded
        for r in pieces(count, piece: piece) { cblas_saxpy(dimension(r.count), alpha, x + r.lowerBound, 1, y + r.lowerBound, 1) }
    }

    /// x *= alpha over `count` contiguous elements.
    static func sscal(count: Int, alpha: Float, x: UnsafeMutablePointer<Float>, piece: Int = vectorPiece) {
        _ = singleThreaded
        for r in pieces(count, piece: piece) { cblas_sscal(dimension(r.count), alpha, x + r.lowerBound, 1) }
    }

    /// y = alpha A x + beta y, A m x n row-major (leading dimension lda), contiguous x and y.
    static func sgemv(m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
                      beta: Float, y: UnsafeMutablePointer<Float>) {
        _ = singleThreaded
        cblas_sgemv(CblasRowMajor, CblasNoTrans, dimension(m), dimension(n), alpha, a, dimension(lda), x, 1, beta, y, 1)
    }

    /// A += alpha x y^T, A m x n row-major (leading dimension lda).
    static func sger(m: Int, n: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafePointer<Float>, a: UnsafeMutablePointer<Float>, lda: Int) {
        _ = singleThreaded
        cblas_sger(CblasRowMajor, dimension(m), dimension(n), alpha, x, 1, y, 1, a, dimension(lda))
    }

    /// C = alpha op(A) op(B) + beta C in double precision, row-major, on the calling
    /// thread (single-threaded OpenBLAS).
    static func dgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
                      b: UnsafePointer<Double>, ldb: Int, beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        _ = singleThreaded
        guard m > 0, n > 0 else { return }
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, dimension(m), dimension(n),
                    dimension(k), alpha, a, dimension(lda), b, dimension(ldb), beta, c, dimension(ldc))
    }

    /// LU with partial pivoting of the m x m column-major matrix at `a` (leading
    /// dimension lda), in place, as LAPACK's dgetrf: P A = L U, pivots 1-based.
    /// Returns LAPACK's info (> 0: U's diagonal entry info - 1 is exactly zero).
    static func dgetrf(_ m: Int, _ a: UnsafeMutablePointer<Double>, lda: Int, pivots: UnsafeMutablePointer<Int32>) -> Int {
        dgetrf(rows: m, columns: m, a, lda: lda, pivots: pivots)
    }

    /// LU with partial pivoting of a rows x columns column-major panel, in place
    /// (min(rows, columns) pivots, 1-based, relative to the panel's first row).
    static func dgetrf(rows m: Int, columns n: Int, _ a: UnsafeMutablePointer<Double>, lda: Int,
                       pivots: UnsafeMutablePointer<Int32>) -> Int {
        _ = singleThreaded
        var (rows, columns, stride, info) = (dimension(m), dimension(n), dimension(lda), Int32(0))
        dgetrf_(&rows, &columns, a, &stride, pivots, &info)
        return Int(info)
    }

    /// A^-1 in place from dgetrf's factors of the m x m column-major matrix at `a`.
    /// Returns LAPACK's info (> 0: singular).
    static func dgetri(_ m: Int, _ a: UnsafeMutablePointer<Double>, lda: Int, pivots: UnsafePointer<Int32>) -> Int {
        _ = singleThreaded
        guard m > 0 else { return 0 }
        var (n, stride, info) = (dimension(m), dimension(lda), Int32(0))
        var size = dimension(max(1, 64 * m))
        var work = [Double](repeating: 0, count: Int(size))
        dgetri_(&n, a, &stride, pivots, &work, &size, &info)
        return Int(info)
    }

    /// B = op(A)^-1 B for A's lower unit (`lower`) or upper non-unit triangle, A m x m
    /// and B m x n, column-major, on the calling thread.
    static func dtrsmColumnMajor(lower: Bool, m: Int, n: Int, a: UnsafePointer<Double>, lda: Int,
                                 b: UnsafeMutablePointer<Double>, ldb: Int) {
        _ = singleThreaded
        guard m > 0, n > 0 else { return }
        cblas_dtrsm(CblasColMajor, CblasLeft, lower ? CblasLower : CblasUpper, CblasNoTrans, lower ? CblasUnit : CblasNonUnit,
                    dimension(m), dimension(n), 1, a, dimension(lda), b, dimension(ldb))
    }

    /// B = A^-1 B from dgetrf's factors of the m x m column-major A (pivots 1-based),
    /// B m x n column-major, in place: the row swaps, then the two triangles.
    static func dgetrsColumnMajor(m: Int, n: Int, factors a: UnsafePointer<Double>, lda: Int, pivots: UnsafePointer<Int32>,
                                  b: UnsafeMutablePointer<Double>, ldb: Int) {
        guard m > 0, n > 0 else { return }
        for i in 0..<m where Int(pivots[i]) - 1 != i {
            let p = Int(pivots[i]) - 1
            for j in 0..<n { let t = b[i + j * ldb]; b[i + j * ldb] = b[p + j * ldb]; b[p + j * ldb] = t }
        }
        dtrsmColumnMajor(lower: true, m: m, n: n, a: a, lda: lda, b: b, ldb: ldb)
        dtrsmColumnMajor(lower: false, m: m, n: n, a: a, lda: lda, b: b, ldb: ldb)
    }

    /// C += alpha A op(B), column-major (A m x k, op(B) k x n: B itself, or B^T when
    /// `transposeB` with B n x k), on the calling thread.
    static func dgemmColumnMajor(m: Int, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
                                 b: UnsafePointer<Double>, ldb: Int, transposeB: Bool = false,
                                 c: UnsafeMutablePointer<Double>, ldc: Int) {
        _ = singleThreaded
        guard m > 0, n > 0, k > 0 else { return }
        cblas_dgemm(CblasColMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans, dimension(m), dimension(n),
                    dimension(k), alpha, a, dimension(lda), b, dimension(ldb), 1, c, dimension(ldc))
    }
}

/// A read-only pointer handed to parallel tasks.
struct UncheckedPointer<Element>: @unchecked Sendable {
    let base: UnsafePointer<Element>
    init(_ base: UnsafePointer<Element>) { self.base = base }
}
