// swift-tools-version:6.0
// Boltzmann: a statistical-physics and energy-based-model engine.
// Layout and ABI rules: see DESIGN.md in the project's shared notes and README.md.
import PackageDescription

/// Export only the `bz_*` functions the header declares from libboltzmann.so. lld (it
/// ships with Swift) resolves the engine's internal GOT references at link time; gold
/// would leave them as local entries in the dynamic symbol table.
let exportsMap = "\(Context.packageDirectory)/Sources/Boltzmann/exports.map"
let exportOnlyTheHeader: [String] = ["-use-ld=lld", "-Xlinker", "--version-script=\(exportsMap)"]

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
        // The engine: pure Swift, no C-ABI concerns.
        .target(
            name: "BoltzmannCore",
            dependencies: ["COpenBLAS"]
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
            dependencies: ["BoltzmannCore"]
        ),
    ]
)
