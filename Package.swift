// swift-tools-version:6.0
// Boltzmann: a statistical-physics and energy-based-model engine.
// Layout and ABI rules: see docs/DESIGN.md and README.md.
import PackageDescription

/// Export only the `bz_*` functions the header declares from libboltzmann.so. lld (it
/// ships with Swift) resolves the engine's internal GOT references at link time; gold
/// would leave them as local entries in the dynamic symbol table.
let exportsMap = "\(Context.packageDirectory)/Sources/Boltzmann/exports.map"
let exportOnlyTheHeader: [String] = ["-use-ld=lld", "-Xlinker", "--version-script=\(exportsMap)"]

/// The second build of the elementwise kernels (Sources/BoltzmannKernels/VectorKernels.swift,
/// linked into BoltzmannKernelsAVX2): AVX2, eight lanes per instruction, called only on
/// processors that have it. Elsewhere both builds are the same code.
#if arch(x86_64)
let avx2Kernels: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let avx2Kernels: [SwiftSetting] = []
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
        .target(name: "BoltzmannKernels"),
        .target(name: "BoltzmannKernelsAVX2", swiftSettings: avx2Kernels),
        // The engine: pure Swift, no C-ABI concerns.
        .target(
            name: "BoltzmannCore",
            dependencies: ["COpenBLAS", "CCPUFeatures", "CSystem", "BoltzmannKernels", "BoltzmannKernelsAVX2"]
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
