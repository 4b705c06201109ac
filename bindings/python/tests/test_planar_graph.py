"""The planar Pfaffian on general planar graphs (IsingModel.with_embedding).

Exact references: enumeration on random planar graphs (Delaunay triangulations with
edges removed: faces of every length, bridges, trees, several components), the
frontier transfer matrix on a triangular strip too wide to enumerate, and the square
lattice's own nested dissection on the same couplings.
"""

import itertools
import pickle

import numpy as np
import pytest

import boltzmann as bz

scipy_spatial = pytest.importorskip("scipy.spatial")


def random_planar(seed, n, keep):
    """Spins at random points, the Delaunay triangulation's edges kept with probability ``keep``."""
    rng = np.random.default_rng(seed)
    xy = rng.random((n, 2))
    pairs = set()
    for simplex in scipy_spatial.Delaunay(xy).simplices:
        for a, b in itertools.combinations(sorted(simplex), 2):
            pairs.add((int(a), int(b)))
    pairs = sorted(p for p in pairs if rng.random() < keep)
    couplings = rng.normal(size=len(pairs)) if seed % 2 else rng.choice([-1.0, 1.0], len(pairs))
    return bz.IsingModel.from_edges(n, [(a, b, j) for (a, b), j in zip(pairs, couplings)]), xy


def triangular(rows, columns, seed, distribution="gaussian"):
    """A rows x columns triangular lattice (squares with one diagonal) and its drawing."""
    site = lambda r, c: r * columns + c  # noqa: E731
    pairs = [(site(r, c), site(r, c + 1)) for r in range(rows) for c in range(columns - 1)]
    pairs += [(site(r, c), site(r + 1, c)) for r in range(rows - 1) for c in range(columns)]
    pairs += [(site(r, c), site(r + 1, c + 1)) for r in range(rows - 1) for c in range(columns - 1)]
    rng = np.random.default_rng(seed)
    couplings = rng.normal(size=len(pairs)) if distribution == "gaussian" else rng.choice([-1.0, 1.0], len(pairs))
    xy = [(c - 0.5 * r, -r) for r in range(rows) for c in range(columns)]
    return bz.IsingModel.from_edges(rows * columns, [(a, b, j) for (a, b), j in zip(pairs, couplings)]), xy


def enumerated_correlations(model, beta):
    n = model.n_spins
    states = np.array(list(itertools.product([-1, 1], repeat=n)))
    i, j, v = model.couplings
    products = states[:, i] * states[:, j]
    energy = -(products * v).sum(axis=1)
    w = np.exp(-beta * (energy - energy.min()))
    return (products * w[:, None]).sum(axis=0) / w.sum()


@pytest.mark.parametrize("seed", range(12))
def test_random_planar_graphs_match_enumeration(seed):
    # log Z to 1e-12 relative, U and C to 1e-9, <s_i s_j> to 1e-10, at five betas
    # (2.0 measures the walls from the annealed state).
    n = 6 + seed % 9
    model, xy = random_planar(seed, n, keep=(1.0, 0.7, 0.45)[seed % 3])
    embedded = model.with_embedding(positions=xy)
    betas = np.array([0.0, 0.4, 1.0, 2.0, -0.6])
    exact = model.exact(betas, method="enumerate")
    planar = embedded.exact(betas, method="planar")
    np.testing.assert_allclose(planar.log_z, exact.log_z, rtol=1e-12)
    np.testing.assert_allclose(planar.energy, exact.energy, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(planar.heat_capacity, exact.heat_capacity, rtol=1e-9, atol=1e-9)
    for beta in betas:
        np.testing.assert_allclose(embedded.edge_correlations(beta), enumerated_correlations(model, beta), atol=1e-10)


@pytest.mark.parametrize("distribution", ["gaussian", "bimodal"])
def test_triangular_strip_matches_transfer_matrix(distribution):
    # 40 x 7 = 280 spins: beyond enumeration; the transfer matrix's 2^8 frontier is
    # exact to rounding. Up to beta J_rms = 2.9, just inside the frustrated limit.
    model, xy = triangular(40, 7, seed=3, distribution=distribution)
    embedded = model.with_embedding(positions=xy)
    betas = np.array([0.3, 1.0, 2.0, 2.9])
    planar = embedded.exact(betas, method="planar")
    reference = model.exact(betas, method="transfer")
    np.testing.assert_allclose(planar.log_z, reference.log_z, rtol=1e-12)
    np.testing.assert_allclose(planar.energy, reference.energy, rtol=1e-10)
    np.testing.assert_allclose(planar.heat_capacity, reference.heat_capacity, rtol=1e-8)
    c = embedded.edge_correlations(1.0)
    assert np.isclose(-(model.couplings[2] * c).sum(), planar.energy[1], rtol=1e-10)  # sum J <s s> = -U


def test_square_lattice_as_a_graph_matches_the_lattice():
    lattice = bz.IsingModel.edwards_anderson((16, 12), distribution="gaussian", periodic=False, seed=5)
    i, j, v = lattice.couplings
    graph = bz.IsingModel.from_edges(lattice.n_spins, np.column_stack([i, j, v]))
    embedded = graph.with_embedding(positions=[(c, -r) for r in range(16) for c in range(12)])
    for beta in (0.7, 2.5):
        a, b = lattice.exact(beta, method="planar"), embedded.exact(beta, method="planar")
        assert np.isclose(a.log_z, b.log_z, rtol=1e-12) and np.isclose(a.heat_capacity, b.heat_capacity, rtol=1e-9)
        np.testing.assert_allclose(lattice.edge_correlations(beta), embedded.edge_correlations(beta), atol=1e-9)


def test_embedding_forms_agree():
    # Positions, neighbour lists (list and dict), networkx's own embedding and "auto"
    # give one answer; the mirror image (clockwise lists) too.
    networkx = pytest.importorskip("networkx")
    model, xy = triangular(5, 5, seed=1)
    by_position = model.with_embedding(positions=xy)
    reference = by_position.exact(1.3, method="planar").log_z
    i, j, _ = model.couplings
    lists = [[] for _ in range(model.n_spins)]
    for a, b in zip(i, j):
        lists[a].append(b)
        lists[b].append(a)
    for a, row in enumerate(lists):
        row.sort(key=lambda b: np.arctan2(xy[b][1] - xy[a][1], xy[b][0] - xy[a][0]))
    graph = networkx.Graph(list(zip(i.tolist(), j.tolist())))
    _, found = networkx.check_planarity(graph)
    for embedded in (model.with_embedding(lists), model.with_embedding(dict(enumerate(lists))),
                     model.with_embedding([row[::-1] for row in lists]), model.with_embedding(found),
                     model.with_embedding("auto")):
        assert np.isclose(embedded.exact(1.3, method="planar").log_z, reference, rtol=1e-12)


def test_front_doors_choose_the_planar_graph():
    # 20 x 20 triangular: 400 spins, a frontier too wide for auto's transfer matrix.
    model, xy = triangular(20, 20, seed=2)
    embedded = model.with_embedding(positions=xy)
    estimate = embedded.log_partition(1.0)
    assert estimate.method == "planar" and estimate.stderr == 0
    assert np.isclose(estimate.value, embedded.exact(1.0, method="planar").log_z, rtol=1e-13)
    auto = embedded.exact(1.0)
    assert np.isclose(auto.log_z, estimate.value, rtol=1e-13)
    # Without an embedding a lattice too wide for the transfer matrix (31 bits) has
    # no exact method; the note says why.
    wide, _ = triangular(30, 30, seed=2)
    fallback = wide.log_partition(1.0, runs=8, n_betas=50)
    assert fallback.method == "ais" and "planar embedding" in fallback.note


@pytest.mark.parametrize("beta, distribution", [(1.0, "gaussian"), (1.5, "bimodal")])
def test_exact_samples_match_the_bond_correlations(beta, distribution):
    # 1,000 exact samples of a 10 x 10 triangular glass (sequential conditioning on its
    # 261 bonds): each bond's sample <s_i s_j> within 4.5 standard errors of the exact
    # value (the errors from the exact variance 1 - <s_i s_j>^2, which a sample of a
    # nearly frozen bond underestimates), their rms in [0.8, 1.25], <E> within 4 of -U.
    model, xy = triangular(10, 10, seed=4, distribution=distribution)
    embedded = model.with_embedding(positions=xy)
    count = 1000
    samples = embedded.exact_sample(count, beta, method="planar", seed=3)
    assert samples.shape == (count, 100) and set(np.unique(samples)) <= {-1, 1}
    i, j, _ = embedded.couplings
    exact = embedded.edge_correlations(beta)
    z = ((samples[:, i] * samples[:, j]).mean(axis=0) - exact) / np.sqrt((1 - exact**2) / count)
    assert np.abs(z).max() < 4.5 and 0.8 <= np.sqrt((z**2).mean()) <= 1.25
    energies = embedded.energy(samples)
    u = embedded.exact(beta, method="planar").energy
    assert abs(energies.mean() - u) < 4 * energies.std(ddof=1) / np.sqrt(count)
    np.testing.assert_array_equal(embedded.exact_sample(5, beta, method="planar", seed=3), samples[:5])


def test_refusals_name_the_cause():
    model, xy = triangular(3, 3, seed=1)
    with pytest.raises(bz.InvalidArgument, match="no planar embedding"):
        model.exact(1.0, method="planar")
    with pytest.raises(bz.InvalidArgument, match="genus"):
        k4 = bz.IsingModel.from_edges(4, [(a, b, 1.0) for a, b in itertools.combinations(range(4), 2)])
        k4.with_embedding([[1, 2, 3], [2, 3, 0], [0, 3, 1], [0, 1, 2]])
    with pytest.raises(bz.InvalidArgument, match="not listed around spin"):
        model.with_embedding([[] for _ in range(9)])
    with pytest.raises(bz.InvalidArgument, match="one of embedding"):
        model.with_embedding()
    with pytest.raises(bz.ShapeError):
        model.with_embedding(positions=np.zeros((4, 2)))
    pytest.importorskip("networkx")
    k5 = bz.IsingModel.from_edges(5, [(a, b, 1.0) for a, b in itertools.combinations(range(5), 2)])
    with pytest.raises(bz.InvalidArgument, match="not planar"):
        k5.with_embedding("auto")
    embedded = model.with_embedding(positions=xy)
    with pytest.raises(bz.InvalidArgument, match="fields"):
        embedded.with_fields(0.1).exact(1.0, method="planar")
    huge, huge_xy = triangular(60, 60, seed=1)  # 3,600 spins: a dense matrix of 21,588 nodes
    with pytest.raises(bz.LimitExceeded, match="16384"):
        huge.with_embedding(positions=huge_xy).log_partition(1.0, method="planar")
    i, j, _ = model.couplings  # the triangular antiferromagnet: every face frustrated
    antiferromagnet = bz.IsingModel.from_edges(9, [(a, b, -1.0) for a, b in zip(i, j)]).with_embedding(positions=xy)
    with pytest.raises(bz.Unsupported, match="frustrated"):
        antiferromagnet.exact(3.5, method="planar")


def test_embedding_survives_pickle_and_fields():
    model, xy = triangular(4, 5, seed=4)
    embedded = model.with_embedding(positions=xy)
    copy = pickle.loads(pickle.dumps(embedded))
    assert copy.exact(0.9, method="planar").log_z == embedded.exact(0.9, method="planar").log_z
    lattice = bz.IsingModel.chain(6, periodic=True).with_embedding([[1, 5], [0, 2], [1, 3], [2, 4], [3, 5], [4, 0]])
    again = pickle.loads(pickle.dumps(lattice.with_fields(0.0)))
    assert np.isclose(again.exact(0.5, method="planar").log_z, lattice.exact(0.5, method="enumerate").log_z, rtol=1e-13)
