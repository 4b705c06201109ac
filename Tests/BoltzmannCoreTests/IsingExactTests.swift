import Glibc
import Testing

@testable import BoltzmannCore

private func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(b))
}

@Suite("Ising exact solutions")
struct IsingExactTests {
    /// J = 0: Z = prod_i 2 cosh(beta h_i) falls out of the general enumeration.
    @Test func paramagnetFactorises() throws {
        var random = RandomStream(seed: 11)
        let h = (0..<10).map { _ in random.normal() }
        let model = try IsingModel(spinCount: 10, edges: [], fields: h)
        let betas = [0.0, 0.3, 1, 4]
        let exact = try IsingEnumeration.thermodynamics(model, betas: betas)
        for (k, beta) in betas.enumerated() {
            let logZ = h.reduce(0) { $0 + log(2 * cosh(beta * $1)) }
            let u = h.reduce(0) { $0 - $1 * tanh(beta * $1) }
            let m = h.reduce(0) { $0 + tanh(beta * $1) } / 10
            #expect(close(exact.table.logZ[k], logZ, 1e-13))
            #expect(close(exact.table.energy[k], u, 1e-13))
            #expect(close(exact.magnetization[k], m, 1e-13))
        }
    }

    /// Chain transfer matrix = enumeration, N <= 16, real-valued J and h, both boundaries.
    @Test func chainTransferMatrixEqualsEnumeration() throws {
        let betas = [-0.7, 0.0, 0.4, 1.3, 3.0]
        for periodic in [false, true] {
            for n in [2, 3, 7, 16] {
                let (j, h) = (0.8, -0.35)
                let model = try IsingModel.chain(n, coupling: j, field: h, periodic: periodic)
                let brute = try IsingEnumeration.thermodynamics(model, betas: betas)
                let exact = try IsingChain.exact(length: Int64(n), coupling: j, field: h, periodic: periodic, betas: betas)
                for k in betas.indices {
                    let what = "n \(n) periodic \(periodic) beta \(betas[k])"
                    #expect(close(exact.table.logZ[k], brute.table.logZ[k], 1e-13), "log Z \(what)")
                    #expect(close(exact.table.energy[k], brute.table.energy[k], 1e-12), "U \(what)")
                    #expect(close(exact.table.heatCapacity[k], brute.table.heatCapacity[k], 1e-11), "C \(what)")
                    #expect(close(exact.magnetization[k], brute.magnetization[k], 1e-12), "m \(what)")
                }
            }
        }
    }

    @Test func chainLimitsAndCorrelations() throws {
        // N = 1e12 periodic, h = 0: log Z / N -> log(2 cosh K), nearest-neighbour tanh K.
        let r = try IsingChain.exact(length: 1_000_000_000_000, coupling: 1, field: 0, periodic: true, betas: [0.5])
        #expect(close(r.table.logZ[0] / 1e12, log(2 * cosh(0.5)), 1e-13))
        #expect(close(r.nearestNeighbour[0], tanh(0.5), 1e-12))
        #expect(close(r.table.energy[0] / 1e12, -tanh(0.5), 1e-12))
        // Infinite chain at h = 0: <s_0 s_r> = tanh(K)^r (seed 004 writes tanh^(r-1); r = 1 is tanh K).
        let c = try IsingChain.correlation(length: 0, coupling: 1, field: 0, beta: 0.7, distances: [0, 1, 2, 5, 40])
        for (k, d) in [0, 1, 2, 5, 40].enumerated() { #expect(close(c[k], pow(tanh(0.7), Double(d)), 1e-14)) }
        // Finite periodic ring with a field: against brute force over 2^10 states.
        let (n, j, h, beta) = (10, 0.9, 0.25, 0.8)
        let model = try IsingModel.chain(n, coupling: j, field: h, periodic: true)
        let ring = try IsingChain.correlation(length: Int64(n), coupling: j, field: h, beta: beta, distances: [1, 3, 5])
        for (k, d) in [1, 3, 5].enumerated() {
            var z = 0.0, corr = 0.0
            for bits in 0..<(1 << n) {
                let s = spins(bits, n)
                let e = try s.withUnsafeBufferPointer { try model.energies(spins: $0)[0] }
                z += exp(-beta * e); corr += exp(-beta * e) * Double(s[0]) * Double(s[d])
            }
            #expect(close(ring[k], corr / z, 1e-13), "r = \(d)")
        }
    }

    /// Kaufman = enumeration on small tori (the 2 x 3 one has doubled vertical bonds).
    @Test(arguments: [(2, 3), (3, 3), (4, 4), (4, 5), (5, 5)])
    func kaufmanEqualsEnumeration(_ size: (Int, Int)) throws {
        let (m, n) = size
        let betas = [0.05, 0.3, 0.4406867935, 0.6, 1.5, 4]
        let model = try IsingModel.square(m, n, coupling: 1, field: 0, periodic: true)
        let brute = try IsingEnumeration.thermodynamics(model, betas: betas)
        let exact = try IsingSquare.kaufman(rows: m, columns: n, coupling: 1, betas: betas)
        for k in betas.indices {
            #expect(close(exact.logZ[k], brute.table.logZ[k], 1e-13), "log Z \(m)x\(n) beta \(betas[k])")
            #expect(close(exact.energy[k], brute.table.energy[k], 1e-11), "U \(m)x\(n) beta \(betas[k])")
            #expect(close(exact.heatCapacity[k], brute.table.heatCapacity[k], 1e-10), "C \(m)x\(n) beta \(betas[k])")
        }
    }

    @Test func kaufmanApproachesOnsager() throws {
        let betas = [0.3, 0.4406867935097715, 0.6]
        let onsager = try IsingSquare.onsager(coupling: 1, betas: betas)
        for k in betas.indices {
            var previous = Double.infinity
            for l in [4, 8, 16, 32, 64] {
                let t = try IsingSquare.kaufman(rows: l, columns: l, coupling: 1, betas: [betas[k]])
                let error = abs(t.freeEnergy[0] / Double(l * l) - onsager.freeEnergy[k])
                #expect(error < previous, "error shrinks with L at beta \(betas[k]), L \(l)")
                previous = error
            }
            #expect(previous < (k == 1 ? 1e-3 : 1e-12) + (k == 2 ? log(2.0) / (0.6 * 4096) : 0), "beta \(betas[k]): L = 64 error \(previous)")
        }
        // Below T_c the two ordered phases give f_L = f_inf - ln 2 / (beta N), up to exponentially small terms.
        for l in [32, 64] {
            let t = try IsingSquare.kaufman(rows: l, columns: l, coupling: 1, betas: [0.6])
            let n = Double(l * l)
            #expect(abs(t.freeEnergy[0] / n + log(2.0) / (0.6 * n) - onsager.freeEnergy[2]) < 1e-12, "L = \(l)")
        }
        // Stability: a 10^4 x 10^4 torus at beta = 10 and at T_c gives finite numbers.
        let big = try IsingSquare.kaufman(rows: 10_000, columns: 10_000, coupling: 1, betas: [10, 0.4406867935097715])
        #expect(big.logZ.allSatisfy(\.isFinite) && big.heatCapacity.allSatisfy(\.isFinite))
        #expect(close(big.energy[0] / 1e8, -2, 1e-12))
    }

    /// Onsager's u, c against derivatives of his f (central differences, error ~h^2).
    @Test func onsagerIsSelfConsistent() throws {
        let tc = try IsingSquare.criticalTemperature(coupling: 1)
        #expect(close(tc, 2.269185314213022, 1e-15))
        for beta in [0.2, 0.35, 0.5, 0.9] {
            let d = 1e-4
            let r = try IsingSquare.onsager(coupling: 1, betas: [beta - d, beta, beta + d])
            let betaF = zip([beta - d, beta, beta + d], r.freeEnergy).map { $0 * $1 }
            #expect(close((betaF[2] - betaF[0]) / (2 * d), r.energy[1], 1e-7), "u at \(beta)")
            #expect(close(-beta * beta * (r.energy[2] - r.energy[0]) / (2 * d), r.heatCapacity[1], 1e-6), "c at \(beta)")
        }
        let m = try IsingSquare.onsager(coupling: 1, betas: [0.3, 0.5, 2])
        #expect(m.magnetization[0] == 0 && close(m.magnetization[1], pow(1 - pow(sinh(1.0), -4), 0.125), 1e-15))
        #expect(close(m.magnetization[2], pow(1 - pow(sinh(4.0), -4), 0.125), 1e-15))
    }

    @Test func densityOfStatesCountsEveryState() throws {
        let model = try IsingModel.square(4, 4, coupling: 1, field: 1, periodic: true)
        let dos = try IsingEnumeration.densityOfStates(model, byMagnetization: true)
        #expect(dos.counts.reduce(0, +) == 1 << 16)
        #expect(dos.countsByMagnetization!.reduce(0, +) == 1 << 16)
        // Ground state: all up, E = -32 - 16.
        #expect(dos.counts[-48 - dos.minEnergy] == 1 && dos.counts[0..<(-48 - dos.minEnergy)].allSatisfy { $0 == 0 })
        // The histogram route and the direct route agree.
        let betas = [-0.5, 0.2, 0.44, 1.0]
        let a = try IsingEnumeration.thermodynamics(model, betas: betas, method: .densityOfStates)
        let b = try IsingEnumeration.thermodynamics(model, betas: betas, method: .direct)
        for k in betas.indices {
            #expect(close(a.table.logZ[k], b.table.logZ[k], 1e-13))
            #expect(close(a.table.heatCapacity[k], b.table.heatCapacity[k], 1e-11))
            #expect(close(a.absMagnetization[k], b.absMagnetization[k], 1e-12))
            #expect(close(a.magnetizationSquared[k], b.magnetizationSquared[k], 1e-12))
        }
    }

    /// Pairwise summation: error O(log n) ulps, so the reference below is good to ~1e-15.
    private func pairwiseSum(_ x: ArraySlice<Double>) -> Double {
        x.count <= 8 ? x.reduce(0, +) : pairwiseSum(x.prefix(x.count / 2)) + pairwiseSum(x.suffix(x.count - x.count / 2))
    }

    /// Brute-force sums over model.energies: log Z (log-sum-exp), U, C (two-pass), <m>, <|m|>, <m^2>.
    private func bruteForce(_ model: IsingModel, _ beta: Double) throws -> [Double] {
        let n = model.spinCount
        var all: [Int8] = []
        for bits in 0..<(1 << n) { all += spins(bits, n) }
        let energies = try all.withUnsafeBufferPointer { try model.energies(spins: $0) }
        let shift = energies.map { -beta * $0 }.max()!
        let w = energies.map { exp(-beta * $0 - shift) }
        let sum = { (x: [Double]) in self.pairwiseSum(x[...]) }
        let z = sum(w)
        let u = sum(zip(w, energies).map { $0 * $1 }) / z
        let variance = sum(zip(w, energies).map { $0 * ($1 - u) * ($1 - u) }) / z
        let m = (0..<(1 << n)).map { Double(2 * $0.nonzeroBitCount - n) / Double(n) }
        func mean(_ f: (Double) -> Double) -> Double { sum(zip(w, m).map { $0 * f($1) }) / z }
        return [log(z) + shift, u, beta * beta * variance, mean { $0 }, mean(abs), mean { $0 * $0 }]
    }

    /// The Taylor-binned and the direct sums against brute force, with zero fields (the
    /// mirrored enumeration) and with fields, for betas of both signs; and past the bins'
    /// cell budget `.automatic` falls back to the direct sums.
    @Test(arguments: [0.0, 0.3])
    func binnedAndDirectSumsEqualBruteForce(_ field: Double) throws {
        let model = try IsingModel.sherringtonKirkpatrick(17, scale: 1, field: field, seed: 3)
        let betas = [-1.5, 0, 0.3, 1, 4]
        let binned = try IsingEnumeration.thermodynamics(model, betas: betas, method: .binned)
        let direct = try IsingEnumeration.thermodynamics(model, betas: betas, method: .direct)
        for (k, beta) in betas.enumerated() {
            let exact = try bruteForce(model, beta)
            for r in [binned, direct] {
                #expect(close(r.table.logZ[k], exact[0], 1e-13), "log Z at \(beta)")
                #expect(close(r.table.energy[k], exact[1], 1e-12), "U at \(beta)")
                #expect(close(r.table.heatCapacity[k], exact[2], 1e-10), "C at \(beta)")
                #expect(abs(r.magnetization[k] - exact[3]) <= 1e-13, "<m> at \(beta)")
                #expect(close(r.absMagnetization[k], exact[4], 1e-13), "<|m|> at \(beta)")
                #expect(close(r.magnetizationSquared[k], exact[5], 1e-13), "<m^2> at \(beta)")
            }
        }
        #expect(TaylorBins(lowest: -model.energyBound, highest: model.energyBound, maxAbsBeta: 1e6, columns: 18) == nil)
        let cold = try IsingEnumeration.thermodynamics(model, betas: [1e6])
        #expect(close(cold.table.energy[0], try IsingEnumeration.groundState(model).energy, 1e-13))
        #expect(throws: EngineError.self) { try IsingEnumeration.thermodynamics(model, betas: [1e6], method: .binned) }
    }

    /// Zero fields: the mirrored enumeration's g(E, M) against a brute-force count.
    @Test func mirroredDensityOfStatesEqualsBruteForce() throws {
        let model = try IsingModel.edwardsAnderson([4, 4], distribution: .bimodal, scale: 1, field: 0, periodic: true, seed: 2)
        let dos = try IsingEnumeration.densityOfStates(model, byMagnetization: true)
        var expected = [Int64](repeating: 0, count: dos.binCount * 17)
        for bits in 0..<(1 << 16) {
            let e = try spins(bits, 16).withUnsafeBufferPointer { try model.energies(spins: $0)[0] }
            expected[(Int(e) - dos.minEnergy) * 17 + bits.nonzeroBitCount] += 1
        }
        #expect(dos.countsByMagnetization! == expected)
        let g = try IsingEnumeration.densityOfStates(model, byMagnetization: false)
        #expect(g.counts == dos.counts)
    }

    @Test func groundStates() throws {
        let chain = try IsingModel.chain(12, coupling: 1, field: 0, periodic: false)
        let g = try IsingEnumeration.groundState(chain)
        #expect(g.energy == -11 && g.degeneracy == 2 && Set(g.spins).count == 1)
        // A frustrated antiferromagnetic triangle: 6 ground states at E = -1.
        let triangle = try IsingModel(spinCount: 3, edges: [(0, 1, -1), (1, 2, -1), (0, 2, -1)])
        let t = try IsingEnumeration.groundState(triangle)
        #expect(t.energy == -1 && t.degeneracy == 6)
        // An SK instance: the reported state has the reported energy, the minimum over all.
        let sk = try IsingModel.sherringtonKirkpatrick(18, scale: 1, field: 0, seed: 5)
        let s = try IsingEnumeration.groundState(sk)
        #expect(s.degeneracy == 2)  // the spin-flip pair
        let energies = try (0..<(1 << 18)).map { try spins($0, 18).withUnsafeBufferPointer { try sk.energies(spins: $0)[0] } }
        #expect(close(energies.min()!, s.energy, 1e-13))
    }

    @Test func progressCallbackCancels() throws {
        let model = try IsingModel.square(4, 5, coupling: 1, field: 0, periodic: true)
        var calls = 0
        let monitor = WorkMonitor { done, total, _ in
            calls += 1
            #expect(total == 1 << 20 && done <= total)
            return done < 1 << 17
        }
        #expect(throws: EngineError(.cancelled, "cancelled by the progress callback")) {
            try IsingEnumeration.thermodynamics(model, betas: [1], method: .direct, monitor: monitor)
        }
        #expect(calls >= 2)
    }

    @Test func meanFieldSolutionsAndTransition() throws {
        let (j, z) = (1.0, 4.0)
        #expect(try MeanFieldIsing.criticalTemperature(coupling: j, neighbours: z) == 4)
        for beta in [0.1, 0.24, 0.26, 0.5, 2.0] {
            for h in [0.0, 0.05, -0.3] {
                let all = try MeanFieldIsing.solutions(beta: beta, coupling: j, neighbours: z, field: h)
                for s in all { #expect(abs(s.magnetization - tanh(beta * (z * j * s.magnetization + h))) <= 1e-12) }
                if h == 0 { #expect(all.count == (beta > 0.25 ? 3 : 1)) }
            }
        }
        // Below T_c at h = 0: +-m* stable with equal free energy, 0 unstable.
        let below = try MeanFieldIsing.solutions(beta: 0.5, coupling: j, neighbours: z, field: 0)
        #expect(below.map(\.isStable) == [true, false, true] && close(below[0].freeEnergy, below[2].freeEnergy, 1e-15))
        // Hysteresis at T = 2 < T_c: up sweep jumps once at +h_c, down sweep once at -h_c.
        // The spinodal: m_s = sqrt(1 - T/zJ), h_c = T atanh(m_s) - zJ m_s (negative: 1.0657 in size).
        let ms = (1 - 2 / (z * j)).squareRoot()
        let hc = abs(2 * atanh(ms) - z * j * ms)
        let up = stride(from: -1.5, through: 1.5, by: 0.01).map { $0 }
        let sweep = up + up.reversed()
        let loop = try MeanFieldIsing.hysteresis(beta: 0.5, coupling: j, neighbours: z, fields: sweep)
        let jumps = loop.jumped.enumerated().filter(\.element).map { sweep[$0.offset] }
        #expect(jumps.count == 2)
        #expect(jumps.first! > hc && jumps.first! <= hc + 0.01 && jumps.last! < -hc && jumps.last! >= -hc - 0.01)
    }

    @Test func curieWeissExactMatchesEnumerationAndApproachesMeanField() throws {
        let betas = [0.5, 1.0, 2.0]
        let model = try IsingModel.complete(12, coupling: 1, field: 0.1)
        let brute = try IsingEnumeration.thermodynamics(model, betas: betas)
        let exact = try CurieWeiss.exact(spins: 12, coupling: 1, field: 0.1, betas: betas)
        for k in betas.indices {
            #expect(close(exact.table.logZ[k], brute.table.logZ[k], 1e-13))
            #expect(close(exact.table.heatCapacity[k], brute.table.heatCapacity[k], 1e-11))
            #expect(close(exact.absMagnetization[k], brute.absMagnetization[k], 1e-12))
        }
        // T = 0.5 < T_c = 1: <|m|> -> m_MF as N grows, error shrinking.
        let mf = try MeanFieldIsing.magnetization(beta: 2, coupling: 1, neighbours: 1, field: 0)
        var previous = Double.infinity
        for n in [10, 100, 1000, 10000] {
            let e = try CurieWeiss.exact(spins: n, coupling: 1, field: 0, betas: [2])
            let error = abs(e.absMagnetization[0] - mf)
            #expect(error < previous, "N = \(n)")
            previous = error
        }
        #expect(previous < 1e-3)
    }
}
