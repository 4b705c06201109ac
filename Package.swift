// swift-tools-version:6.0
// Boltzmann: a statistical-physics and energy-based-model engine.
// Layout and ABI rules: see docs/DESIGN.md and README.md.
import PackageDescription

/// Export only the `bz_*` functions the header declares from libboltzmann.so. lld (it
/// ships with Swift) resolves the engine's internal GOT references at link time; gold
/// would leave them as local entries in the dynamic symbol table.
let exportsMap = "\(Context.packageDirectory)/Sources/Boltzmann/exports.map"
let exportOnlyTheHeader: [String] = ["-use-ld=lld", "-Xlinker", "--version-script=\(exportsMap)"]

/// Swift's `Float.squareRoot()` reaches C's `sqrtf` through a header, and under C's
/// default (math-errno) each root becomes a branch to `sqrtf` for negative inputs, so
/// no loop with a root vectorises. Without errno the root is one `sqrtps` lane, the
/// same correctly rounded value.
let noMathErrno: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-fno-math-errno"])]

/// The second build of the elementwise kernels (Sources/BoltzmannKernels/VectorKernels.swift,
/// linked into BoltzmannKernelsAVX2): AVX2, eight lanes per instruction, called only on
/// processors that have it. Elsewhere both builds are the same code.
#if arch(x86_64)
let avx2Kernels: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])] + noMathErrno
#else
let avx2Kernels: [SwiftSetting] = noMathErrno
#endif

let package = Package(
    name: "Boltzmann",
    products: [
        // The shared library behind include/boltzmann.h (C, Python, ...).
        .library(name: "boltzmann", type: .dynamic, targets: ["Boltzmann"]),
        // The engine itself, for Swift users.
        .library(name: "BoltzmannCore", targets: ["BoltzmannCore"]),
    ],
    targets: [
        // The hand-written public header and the thread-local error buffer.
        .target(
            name: "CBoltzmann",
            path: ".",
            sources: ["Sources/CBoltzmann"],
            publicHeadersPath: "include"
        ),
        .systemLibrary(
            name: "COpenBLAS",
            path: "Sources/COpenBLAS",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // Whether the processor and OS run AVX2 (the engine's one question for C).
        .target(name: "CCPUFeatures"),
        // System calls Swift's Glibc module does not declare (gettid).
        .target(name: "CSystem"),
        // The hottest elementwise loops, compiled for the baseline processor and for AVX2;
        // the engine picks one at run time (BoltzmannCore's VectorUnit).
        .target(name: "BoltzmannKernels", swiftSettings: noMathErrno),
        .target(name: "BoltzmannKernelsAVX2", swiftSettings: avx2Kernels),
        // The engine: pure Swift, no C-ABI concerns.
        .target(
            name: "BoltzmannCore",
            dependencies: ["COpenBLAS", "CCPUFeatures", "CSystem", "BoltzmannKernels", "BoltzmannKernelsAVX2"],
            swiftSettings: noMathErrno
        ),
        // The C ABI: validation, handles, statuses; `@c @implementation` of the header.
        .target(
            name: "Boltzmann",
            dependencies: ["CBoltzmann", "BoltzmannCore"],
            exclude: ["exports.map"],
            linkerSettings: [.unsafeFlags(exportOnlyTheHeader)]
        ),
        .testTarget(
            name: "BoltzmannCoreTests",
            dependencies: ["BoltzmannCore", "BoltzmannKernels", "BoltzmannKernelsAVX2"]
        ),
    ]
)
