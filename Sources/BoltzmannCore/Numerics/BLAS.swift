import COpenBLAS

/// Thin entry points into OpenBLAS, the engine's dense linear algebra.
enum BLAS {
    /// Bound OpenBLAS's own thread pool, so `bz_set_num_threads` covers BLAS calls.
    static func setThreads(_ n: Int) {
        openblas_set_num_threads(Int32(clamping: n))
    }
}
