import Glibc
import Testing

@testable import BoltzmannCore

/// The planar Pfaffian on general planar graphs (`PlanarEmbedding`, `PlanarGraphIsing`)
/// against enumeration, and the embedding's checks. (The Python suite covers random
/// planar graphs, the transfer matrix on wide strips and networkx's embeddings.)
@Suite("Planar graphs")
struct PlanarGraphTests {
    /// A model and its rotation system from spins at `xy` (a drawing without
    /// crossings): each spin's neighbours ordered by angle.
    static func embedded(_ xy: [(Double, Double)], _ edges: [(Int, Int, Double)]) throws -> IsingModel {
        let model = try IsingModel(spinCount: xy.count, edges: edges)
        var lists = [[Int]](repeating: [], count: xy.count)
        for (i, j, _) in edges { lists[i].append(j); lists[j].append(i) }
        for i in lists.indices {
            lists[i].sort { atan2(xy[$0].1 - xy[i].1, xy[$0].0 - xy[i].0) < atan2(xy[$1].1 - xy[i].1, xy[$1].0 - xy[i].0) }
        }
        return try embed(model, lists)
    }

    static func embed(_ model: IsingModel, _ lists: [[Int]]) throws(EngineError) -> IsingModel {
        var start = [0]
        for list in lists { start.append(start.last! + list.count) }
        return try model.withEmbedding(neighbourStart: start, neighbours: lists.flatMap { $0 })
    }

    /// A rows x columns triangular lattice (squares with one diagonal) with couplings from `coupling(k)`.
    static func triangular(_ rows: Int, _ columns: Int, _ coupling: (Int) -> Double) throws -> IsingModel {
        var edges: [(Int, Int, Double)] = []
        for r in 0..<rows {
            for c in 0..<columns {
                let s = r * columns + c
                if c + 1 < columns { edges.append((s, s + 1, coupling(edges.count))) }
                if r + 1 < rows { edges.append((s, s + columns, coupling(edges.count))) }
                if r + 1 < rows, c + 1 < columns { edges.append((s, s + columns + 1, coupling(edges.count))) }
            }
        }
        return try embedded((0..<(rows * columns)).map { (Double($0 % columns) - 0.5 * Double($0 / columns), -Double($0 / columns)) }, edges)
    }

    /// A pseudo-random coupling: Gaussian-like for odd `kind`, +-1 otherwise.
    static func coupling(_ k: Int, kind: Int) -> Double {
        let x = sin(Double(k) * 12.9898 + Double(kind) * 78.233) * 43758.5453
        let u = x - x.rounded(.down)
        return kind % 2 == 1 ? 2.4 * (u - 0.5) : (u < 0.5 ? -1 : 1)
    }

    /// log Z to 1e-12 relative, U and C to 1e-9, and every <s_i s_j> to 1e-11 of
    /// enumeration, from negative beta to beta = 2 (past the gauge's threshold), on:
    /// a frustrated triangular lattice, a honeycomb patch, a tree, a graph with
    /// bridges and a pendant spin, two components and a lone spin, a single bond.
    @Test(arguments: ["triangular", "honeycomb", "tree", "bridges", "components", "bond"])
    func matchesEnumeration(_ shape: String) throws {
        for kind in [1, 2] {
            let model: IsingModel
            let j = { (k: Int) in Self.coupling(k, kind: kind) }
            switch shape {
            case "triangular": model = try Self.triangular(3, 4, j)
            case "honeycomb":
                // Two hexagons sharing an edge, and one more on top: 13 spins.
                let xy: [(Double, Double)] = [(0, 0), (1, 0), (1.5, 0.87), (1, 1.73), (0, 1.73), (-0.5, 0.87),
                                              (2, 0), (2.5, 0.87), (2, 1.73), (0.5, 2.6), (1, 3.46), (1.5, 2.6), (2.5, 2.6)]
                let pairs = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 0), (1, 6), (6, 7), (7, 2), (7, 8), (8, 3),
                             (4, 9), (9, 10), (10, 11), (11, 3), (8, 12), (12, 11)]
                model = try Self.embedded(xy, pairs.enumerated().map { ($0.element.0, $0.element.1, j($0.offset)) })
            case "tree":
                let xy: [(Double, Double)] = [(0, 0), (1, 1), (1, -1), (2, 2), (2, 0.5), (2, -1), (3, -2), (3, 0)]
                let pairs = [(0, 1), (0, 2), (1, 3), (1, 4), (2, 5), (5, 6), (5, 7)]
                model = try Self.embedded(xy, pairs.enumerated().map { ($0.element.0, $0.element.1, j($0.offset)) })
            case "bridges":
                // Two triangles joined by a bridge, a pendant spin on each, a square hanging off one.
                let xy: [(Double, Double)] = [(0, 0), (1, 0), (0.5, 1), (3, 0), (4, 0), (3.5, 1), (-1, -1), (5, 1),
                                              (0.5, 2), (1.5, 2), (1.5, 3), (0.5, 3)]
                let pairs = [(0, 1), (1, 2), (2, 0), (1, 3), (3, 4), (4, 5), (5, 3), (0, 6), (4, 7), (2, 8), (8, 9), (9, 10),
                             (10, 11), (11, 8)]
                model = try Self.embedded(xy, pairs.enumerated().map { ($0.element.0, $0.element.1, j($0.offset)) })
            case "components":
                let xy: [(Double, Double)] = [(0, 0), (1, 0), (1, 1), (0, 1), (5, 5), (3, 0), (4, 0), (3.5, 1), (4.5, 1)]
                let pairs = [(0, 1), (1, 2), (2, 3), (3, 0), (0, 2), (5, 6), (6, 7), (7, 5), (6, 8), (7, 8)]
                model = try Self.embedded(xy, pairs.enumerated().map { ($0.element.0, $0.element.1, j($0.offset)) })
            default:
                model = try Self.embedded([(0, 0), (1, 0)], [(0, 1, j(0))])
            }
            #expect(PlanarIsing.usesEmbedding(model))
            let betas = [0, 0.4, 1.2, 2, -0.7]
            let exact = try IsingEnumeration.thermodynamics(model, betas: betas).table
            let planar = try PlanarIsing.thermodynamics(model, betas: betas)
            for k in betas.indices {
                #expect(abs(planar.logZ[k] - exact.logZ[k]) <= 1e-12 * abs(exact.logZ[k]), "\(shape) kind \(kind) beta \(betas[k])")
                #expect(abs(planar.energy[k] - exact.energy[k]) <= 1e-9 * (1 + abs(exact.energy[k])))
                #expect(abs(planar.heatCapacity[k] - exact.heatCapacity[k]) <= 1e-9 * (1 + exact.heatCapacity[k]))
                let correlations = try PlanarIsing.edgeCorrelations(model, beta: betas[k])
                for (p, e) in zip(correlations, PlanarIsingTests.enumeratedCorrelations(model, beta: betas[k])) {
                    #expect(abs(p - e) <= 1e-11, "\(shape) kind \(kind) beta \(betas[k])")
                }
            }
            let quick = try PlanarIsing.thermodynamics(model, betas: betas, derivatives: false)
            #expect(quick.logZ == planar.logZ)
        }
    }

    /// A square lattice given as a graph with an embedding matches the lattice's own
    /// nested dissection (to 1e-12 of log Z, 1e-9 of C and of the correlations).
    @Test func squareLatticeAsGraph() throws {
        let lattice = try PlanarIsingTests.glass(9, 7, periodic: false, seed: 4)
        let edges = lattice.edgeCoupling.indices.map { (Int(lattice.edgeFirst[$0]), Int(lattice.edgeSecond[$0]), lattice.edgeCoupling[$0]) }
        let graph = try Self.embedded((0..<63).map { (Double($0 % 7), -Double($0 / 7)) }, edges)
        let betas = [0.5, 2.5]
        let a = try PlanarIsing.thermodynamics(lattice, betas: betas), b = try PlanarIsing.thermodynamics(graph, betas: betas)
        for k in betas.indices {
            #expect(abs(a.logZ[k] - b.logZ[k]) <= 1e-12 * abs(a.logZ[k]))
            #expect(abs(a.heatCapacity[k] - b.heatCapacity[k]) <= 1e-9 * a.heatCapacity[k])
            let (ca, cb) = (try PlanarIsing.edgeCorrelations(lattice, beta: betas[k]), try PlanarIsing.edgeCorrelations(graph, beta: betas[k]))
            for (x, y) in zip(ca, cb) { #expect(abs(x - y) <= 1e-9) }
        }
    }

    /// The embedding's checks: a rotation that is not planar (K4 with two spins'
    /// orders swapped embeds on the torus; K5 has none), missing, one-sided,
    /// repeated and out-of-range neighbours; pairs without a coupling are dropped.
    @Test func embeddingChecks() throws {
        let k4 = try IsingModel(spinCount: 4, edges: [(0, 1, 1), (0, 2, 1), (0, 3, 1), (1, 2, 1), (1, 3, 1), (2, 3, 1)])
        // Spin 3 in the middle of triangle 0, 1, 2 (counter-clockwise).
        let planar = [[1, 3, 2], [2, 3, 0], [0, 3, 1], [0, 1, 2]]
        #expect(throws: Never.self) { try Self.embed(k4, planar) }
        func refused(_ model: IsingModel, _ lists: [[Int]], _ words: String) {
            do { _ = try Self.embed(model, lists); Issue.record("accepted \(lists)") } catch {
                #expect(error.kind == .invalidArgument && error.message.contains(words), "\(error.message)")
            }
        }
        refused(k4, [[1, 2, 3], [2, 3, 0], [0, 3, 1], [0, 1, 2]], "genus 1")
        refused(k4, [[1, 3], [2, 3, 0], [0, 3, 1], [0, 1, 2]], "not around spin 0")
        refused(k4, [[1, 3, 2, 1], [2, 3, 0], [0, 3, 1], [0, 1, 2]], "listed twice")
        refused(k4, [[1, 3, 2, 4], [2, 3, 0], [0, 3, 1], [0, 1, 2]], "outside [0, 4)")
        refused(k4, [[1, 3, 2, 0], [2, 3, 0], [0, 3, 1], [0, 1, 2]], "its own neighbour")
        let path = try IsingModel(spinCount: 3, edges: [(0, 1, 1), (1, 2, 1)])
        refused(path, [[1, 2], [0, 2], [1]], "not around spin 2")
        refused(path, [[], [2], [1]], "(0, 1) is not listed around spin 0")
        // (0, 2) listed from both ends without a coupling: dropped.
        let dropped = try Self.embed(path, [[1, 2], [0, 2], [1, 0]])
        #expect(dropped.embedding?.rotation.count == 4)
        let k5 = try IsingModel(spinCount: 5, edges: (0..<5).flatMap { i in ((i + 1)..<5).map { (i, $0, 1.0) } })
        var order = [0, 1, 2, 3]
        var refusedAll = true
        repeat {   // every rotation at spin 0 with the others' in index order: none is planar
            let lists = (0..<5).map { i in i == 0 ? order.map { $0 + 1 } : (0..<5).filter { $0 != i } }
            if (try? Self.embed(k5, lists)) != nil { refusedAll = false }
        } while nextPermutation(&order)
        #expect(refusedAll)
        // A field, and no embedding, are named.
        let field = try Self.embed(k4, planar).withFields([0.1, 0, 0, 0])
        #expect(PlanarIsing.obstacle(field)?.contains("fields") == true)
        #expect(PlanarIsing.obstacle(k4)?.contains("no planar embedding") == true)
        // The Kasteleyn export stays with the square lattice.
        #expect(throws: EngineError.self) { try PlanarIsing.kasteleynMatrix(Self.embed(k4, planar), beta: 1) }
    }

    /// Exact samples of embedded graphs (sequential conditioning on the bonds):
    /// Pearson's chi-square of 10,000 states against enumeration, warm and cold (beta
    /// J_rms past the sampler's gauge threshold), on a triangular glass, a graph with
    /// bridges and pendant spins, and two components with a lone spin; the samples do
    /// not depend on how many are drawn.
    @Test(arguments: [("triangular", 0.8), ("triangular", 2.0), ("bridges", 1.5), ("components", 1.0)])
    func samplesMatchTheWholeDistribution(_ shape: String, _ beta: Double) throws {
        let model: IsingModel
        let j = { (k: Int) in Self.coupling(k, kind: 1) }
        switch shape {
        case "triangular": model = try Self.triangular(3, 4, j)
        case "bridges":
            let xy: [(Double, Double)] = [(0, 0), (1, 0), (0.5, 1), (3, 0), (4, 0), (3.5, 1), (-1, -1), (5, 1), (0.5, 2), (1.5, 2)]
            let pairs = [(0, 1), (1, 2), (2, 0), (1, 3), (3, 4), (4, 5), (5, 3), (0, 6), (4, 7), (2, 8), (8, 9)]
            model = try Self.embedded(xy, pairs.enumerated().map { ($0.element.0, $0.element.1, j($0.offset)) })
        default:
            let xy: [(Double, Double)] = [(0, 0), (1, 0), (1, 1), (0, 1), (5, 5), (3, 0), (4, 0), (3.5, 1), (4.5, 1)]
            let pairs = [(0, 1), (1, 2), (2, 3), (3, 0), (0, 2), (5, 6), (6, 7), (7, 5), (6, 8), (7, 8)]
            model = try Self.embedded(xy, pairs.enumerated().map { ($0.element.0, $0.element.1, j($0.offset)) })
        }
        let spins = try PlanarIsing.samples(model, beta: beta, count: 10_000, seed: 5)
        PlanarSamplingTests.expectPearson(model, beta: beta, spins)
        let few = try PlanarIsing.samples(model, beta: beta, count: 7, seed: 5)
        #expect(Array(spins[0..<few.count]) == few)
    }

    func nextPermutation(_ a: inout [Int]) -> Bool {
        guard var i = a.indices.dropLast().last(where: { a[$0] < a[$0 + 1] }) else { return false }
        let j = a.indices.last { a[$0] > a[i] }!
        a.swapAt(i, j)
        i += 1
        a[i...].reverse()
        return true
    }

    /// Frustration is read from the faces: a triangle of antiferromagnetic bonds is
    /// frustrated and held to beta J_rms = 3; a ferromagnetic one has no limit.
    @Test func frustrationLimit() throws {
        let xy: [(Double, Double)] = [(0, 0), (1, 0), (0.5, 1)]
        let anti = try Self.embedded(xy, [(0, 1, -1), (1, 2, -1), (0, 2, -1)])
        #expect(throws: EngineError.self) { try PlanarIsing.thermodynamics(anti, betas: [3.5]) }
        let ferro = try Self.embedded(xy, [(0, 1, 1), (1, 2, 1), (0, 2, 1)])
        let cold = try PlanarIsing.thermodynamics(ferro, betas: [40])
        #expect(abs(cold.logZ[0] - (log(2) + 120)) < 1e-12 * 120)
    }
}
