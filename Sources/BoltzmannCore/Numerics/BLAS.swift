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
                        Int32(byColumns ? m : count), Int32(byColumns ? count : n), Int32(k), alpha,
                        aTile, Int32(lda), bTile, Int32(ldb), beta, cTile, Int32(ldc))
        }
    }
}

/// A read-only pointer handed to parallel tasks.
struct UncheckedPointer<Element>: @unchecked Sendable {
    let base: UnsafePointer<Element>
    init(_ base: UnsafePointer<Element>) { self.base = base }
}
