"""RBMs through the binding: exact quantities against numpy brute force."""

import ctypes
import itertools
import pickle

import numpy as np
import pytest

import boltzmann as bz
from boltzmann import _lib


def random_rbm(nv, nh, seed):
    rng = np.random.default_rng(seed)
    rbm = bz.RBM(nv, nh)
    rbm.set_parameters(rng.normal(size=(nv, nh)), rng.normal(0, 0.5, nv), rng.normal(0, 0.5, nh))
    return rbm


def test_log_likelihood_matches_brute_force():
    rbm = random_rbm(6, 5, seed=1)
    w, b, c = (x.astype(np.float64) for x in (rbm.weights_, rbm.visible_bias_, rbm.hidden_bias_))
    v = np.array(list(itertools.product([0, 1], repeat=6)), float)
    h = np.array(list(itertools.product([0, 1], repeat=5)), float)
    minus_e = (v @ b)[:, None] + (h @ c)[None, :] + v @ w @ h.T
    log_z = np.log(np.exp(minus_e - minus_e.max()).sum()) + minus_e.max()
    assert rbm.log_partition().value == pytest.approx(log_z, rel=1e-12)
    data = v[[3, 17, 40, 63]]
    free = -(data @ b) - np.logaddexp(0, c + data @ w).sum(axis=1)
    np.testing.assert_allclose(rbm.free_energy(data), free, rtol=1e-6)
    assert rbm.log_likelihood(data).value == pytest.approx(-free.mean() - log_z, rel=1e-6)
    np.testing.assert_allclose(rbm.transform(data), 1 / (1 + np.exp(-(c + data @ w))), rtol=1e-5)


def bars_and_stripes(side):
    patterns = set()
    for mask in range(2**side):
        bits = [(mask >> k) & 1 for k in range(side)]
        patterns.add(tuple(bits[i // side] for i in range(side * side)))
        patterns.add(tuple(bits[i % side] for i in range(side * side)))
    return np.array(sorted(patterns), np.float32)


def test_bars_and_stripes_data_set():
    for side in (1, 2, 3, 4):
        np.testing.assert_array_equal(bz.datasets.bars_and_stripes(side), bars_and_stripes(side))
    assert bz.datasets.bars_and_stripes(3).shape == (14, 9)


def test_training_learns_bars_and_stripes():
    data = bz.datasets.bars_and_stripes(3)
    rbm = bz.RBM(9, 16, seed=1)
    before = float(rbm.log_likelihood(data))
    seen = []
    rbm.fit(np.tile(data, (10, 1)), epochs=1000, batch_size=14, learning_rate=0.1, final_learning_rate=0.0, k=5, seed=2,
            callback=lambda epoch, metric: seen.append((epoch, metric)))
    after = float(rbm.log_likelihood(data))
    assert abs(before + 9 * np.log(2)) < 0.01
    assert after > -np.log(14) - 0.3, after
    assert rbm.metrics_.shape == (1000,) and rbm.metrics_[-1] < rbm.metrics_[0]
    assert [e for e, _ in seen] == list(range(1, 1001)) and seen[-1][1] == rbm.metrics_[-1]
    assert rbm.reconstruct(data).shape == (14, 9)
    # AIS with its error bar agrees with the exact value.
    exact = rbm.log_partition().value
    ais = rbm.log_partition("ais", runs=100, betas=np.linspace(0, 1, 3001), seed=3)
    assert abs(ais.value - exact) < max(3 * ais.stderr, 1e-3) and abs(ais.value - exact) < 0.1, (ais, exact)
    assert 10 < ais.ess <= 100
    estimate = rbm.log_likelihood(data, "ais", runs=50, betas=np.linspace(0, 1, 2001), seed=4)
    assert abs(estimate.value - after) < 0.1 and estimate.stderr > 0


def test_early_stop_returns_a_usable_machine():
    """The binding's one early-stop rule: a callable returning False ends fit normally,
    the machine keeps the batches taken and metrics_ the epochs completed; a sampling
    call stopped the same way has no result and raises Cancelled."""
    rbm = bz.RBM(9, 8, seed=1)
    data = np.tile(bars_and_stripes(3), (10, 1))
    assert rbm.fit(data, epochs=100, progress=lambda done, total: done < 3) is rbm
    assert len(rbm.metrics_) == 3 and np.all(np.isfinite(rbm.metrics_))
    assert np.isfinite(rbm.log_likelihood(data).value)
    assert not np.allclose(rbm.weights_, bz.RBM(9, 8, seed=1).weights_)
    seen = []
    rbm.fit(data, epochs=100, callback=lambda epoch, metric: seen.append(metric) or epoch < 5)
    assert len(seen) == 5 and np.array_equal(rbm.metrics_, seen)
    with pytest.raises(bz.Cancelled):
        rbm.sample(4, steps=10**6, progress=lambda done, total: done < 3)


def test_errors_are_named_and_leave_the_machine_unchanged():
    rbm = bz.RBM(3, 2, seed=1)
    w = rbm.weights_
    with pytest.raises(bz.ShapeError, match="X"):
        rbm.fit(np.zeros((4, 2)))
    with pytest.raises(bz.InvalidArgument, match=r"data\[1, 2\]"):
        rbm.fit([[0, 1, 0], [0, 0, 2]])
    with pytest.raises(bz.NumericError, match="finite"):
        rbm.fit([[0, 1, np.nan]])
    with pytest.raises(bz.InvalidArgument, match="batch_size"):
        rbm.fit([[0, 1, 1]], batch_size=0)
    with pytest.raises(bz.InvalidArgument, match="metric"):
        rbm.fit([[0, 1, 1]], metric="accuracy")
    with pytest.raises(bz.InvalidArgument, match="k must"):
        rbm.fit([[0, 1, 1]], k=0)
    with pytest.raises(bz.InvalidArgument, match="epochs"):
        rbm.fit([[0, 1, 1]], epochs=0)
    np.testing.assert_array_equal(rbm.weights_, w)
    with pytest.raises(bz.LimitExceeded, match="AIS"):
        bz.RBM(40, 33).log_partition()
    with pytest.raises(bz.InvalidArgument, match="n_visible"):
        bz.RBM(0, 3)
    with pytest.raises(bz.NumericError, match="weights"):
        rbm.set_parameters(weights=np.full((3, 2), np.inf))
    with pytest.raises(bz.InvalidArgument, match="runs"):
        rbm.log_partition("ais", runs=0)
    with pytest.raises(bz.InvalidArgument, match="from 0 to 1"):
        rbm.log_partition("ais", betas=[0, 0.5])
    with pytest.raises(bz.InvalidArgument, match="method"):
        rbm.log_partition("bridge")


def test_save_load_and_pickle_are_bit_exact(tmp_path):
    rbm = random_rbm(7, 5, seed=3)
    path = tmp_path / "m.rbm"
    rbm.save(path)
    back = bz.RBM.load(path)
    for a, b in ((rbm.weights_, back.weights_), (rbm.visible_bias_, back.visible_bias_), (rbm.hidden_bias_, back.hidden_bias_)):
        assert a.tobytes() == b.tobytes()
    assert path.read_bytes() == rbm.to_bytes() and path.read_bytes()[:8] == b"BZRBM\r\n\x1a"
    assert pickle.loads(pickle.dumps(rbm)).to_bytes() == rbm.to_bytes()
    gaussian = bz.RBM(3, 2, visible="gaussian", seed=1)
    assert pickle.loads(pickle.dumps(gaussian)).visible == "gaussian"
    assert not list(tmp_path.glob("*.tmp-*"))  # the atomic write leaves no temporary file


@pytest.mark.parametrize("damage", ["truncated", "flipped", "magic"])
def test_damaged_files_are_format_errors_and_touch_nothing(tmp_path, damage):
    rbm = random_rbm(7, 5, seed=3)
    good = rbm.to_bytes()
    bad = {"truncated": good[:-7], "flipped": good[:50] + bytes([good[50] ^ 0x04]) + good[51:],
           "magic": b"PK" + good[2:]}[damage]
    path = tmp_path / "bad.rbm"
    path.write_bytes(bad)
    existing = bz.RBM(7, 5, seed=9)
    before = existing.to_bytes()
    with pytest.raises(bz.FormatError, match={"truncated": "truncated", "flipped": "checksum", "magic": "magic"}[damage]):
        bz.RBM.load(path)
    with pytest.raises(bz.FormatError):
        bz.RBM.from_bytes(bad)
    assert existing.to_bytes() == before and np.isfinite(existing.free_energy(np.zeros(7))).all()
    with pytest.raises(bz.BoltzmannIOError):
        bz.RBM.load(tmp_path / "missing.rbm")


def test_partial_fit_pseudo_likelihood_and_sampling():
    data = bz.datasets.bars_and_stripes(3)
    rbm = bz.RBM(9, 16, seed=1)
    rbm.set_training(learning_rate=0.1, k=5, momentum=0.5)
    for _ in range(3000):
        rbm.partial_fit(data)
    assert float(rbm.log_likelihood(data)) > -np.log(14) - 0.5
    assert rbm.last_error_ < 0.1
    # Pseudo-log-likelihood: sum over units of log p(v_i | v_-i), from free energies.
    v = data[:4]
    expected = np.zeros(4)
    for i in range(9):
        flipped = v.copy()
        flipped[:, i] = 1 - flipped[:, i]
        expected -= np.logaddexp(0, rbm.free_energy(v) - rbm.free_energy(flipped))
    np.testing.assert_allclose(rbm.pseudo_log_likelihood(v), expected, rtol=1e-5, atol=1e-6)
    # Block-Gibbs samples of a trained machine land on the data's images.
    samples = rbm.sample(2000, steps=200, seed=5)
    patterns = {tuple(row) for row in data}
    assert np.mean([tuple(row) in patterns for row in samples]) > 0.8
    assert np.array_equal(rbm.sample(3, 10, seed=1), rbm.sample(3, 10, seed=1))
    means = rbm.sample(3, 10, start=data[:3], means=True, seed=1)
    assert means.shape == (3, 9) and ((means > 0) & (means < 1)).all()


def test_gaussian_visible_units():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(1, 0.4, (300, 4)), rng.normal(-1, 0.4, (300, 4))]).astype(np.float32)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    rbm = bz.RBM(4, 6, visible="gaussian", seed=1)
    before = float(rbm.log_likelihood(x))
    rbm.fit(x, epochs=60, batch_size=20, learning_rate=0.01, persistent=50)
    after = rbm.log_likelihood(x)
    assert after.value > before + 0.5
    ais = rbm.log_partition("ais", runs=200, betas=np.linspace(0, 1, 2001), seed=2)
    assert abs(ais.value - rbm.log_partition().value) < 3 * ais.stderr + 1e-3
    with pytest.raises(bz.Unsupported, match="Bernoulli"):
        rbm.pseudo_log_likelihood(x)
    with pytest.raises(bz.InvalidArgument, match="visible"):
        bz.RBM(4, 2, visible="poisson")


def test_fully_visible_boltzmann_machine():
    # Exact samples of a 6-spin model with known couplings and fields.
    rng = np.random.default_rng(1)
    n = 6
    J = np.triu(rng.normal(0, 0.5, (n, n)), 1)
    J = J + J.T
    h = rng.normal(0, 0.3, n)
    states = np.array(list(itertools.product([-1, 1], repeat=n)), np.int8)
    minus_e = 0.5 * np.einsum("si,ij,sj->s", states, J, states) + states @ h
    p = np.exp(minus_e - minus_e.max())
    data = states[rng.choice(len(states), 40000, p=p / p.sum())]
    model = bz.BoltzmannMachine.fit(data, seed=1)
    assert isinstance(model, bz.IsingModel) and model.fit_gradient_ < 1e-6
    i, j, v = model.couplings
    learned = np.zeros((n, n))
    learned[i, j] = v
    learned = learned + learned.T
    assert np.abs(learned - J).max() < 0.06 and np.abs(model.fields - h).max() < 0.06
    with pytest.raises(bz.InvalidArgument, match="spins"):
        bz.BoltzmannMachine.fit(np.zeros((3, 4)))


def test_ais_on_digits_matches_exact_log_z():
    """A 20-hidden RBM trained on binarised digits (so far from its start): AIS with the
    paper's schedule, from the data's base rates, within 3 standard errors and 0.1 nats
    of the exact log Z (2^20 hidden states)."""
    pytest.importorskip("sklearn")
    x, _ = bz.datasets.digits()
    rbm = bz.RBM(64, 20, seed=1).fit(x, epochs=20, batch_size=20, learning_rate=0.05, k=1, persistent=100, seed=2)
    exact = rbm.log_partition().value
    ais = rbm.log_partition("ais", runs=100, base=bz.rbm.base_rates(x), seed=3)
    assert abs(ais.value - exact) < 3 * ais.stderr and abs(ais.value - exact) < 0.1, (ais, exact)
    ll = rbm.log_likelihood(x)
    assert -40 < ll.value < -15


def test_training_options_come_from_the_library_and_change_as_a_whole():
    raw = _lib.bz_rbm_train_options()
    _lib.lib.bz_rbm_train_options_init(ctypes.byref(raw))
    defaults = bz.RBM.default_training()
    assert (defaults["learning_rate"], defaults["k"], defaults["batch_size"]) == (raw.learning_rate, raw.k, raw.batch_size)
    assert defaults["final_learning_rate"] is None and defaults["metric"] == "reconstruction"
    rbm = bz.RBM(3, 2, seed=1)
    assert rbm.training_options() == defaults
    rbm.set_training(k=3, batch_size=7, final_learning_rate=0.0)
    with pytest.raises(bz.InvalidArgument, match="momentum"):
        rbm.set_training(k=9, momentum=1.0)  # one bad option: nothing changes
    with pytest.raises(bz.InvalidArgument, match="unknown option 'schedule'"):
        rbm.set_training(schedule="linear")
    with pytest.raises(bz.InvalidArgument, match="k must be an integer"):
        rbm.set_training(k=2.5)
    changed = {**defaults, "k": 3, "batch_size": 7, "final_learning_rate": 0.0}
    assert rbm.training_options() == changed
    rbm.fit([[0, 1, 1]], epochs=1)  # fit without options keeps them
    assert rbm.training_options() == changed
    assert pickle.loads(pickle.dumps(rbm)).training_options() == changed


def test_limits_are_the_ones_the_library_enforces():
    limits = bz.limits()
    assert set(limits) == set(bz.LIMITS) and limits["count"] == 2**40
    rbm = bz.RBM(3, 2, seed=1)
    rbm.set_training(k=limits["steps"], batch_size=limits["batch"])
    with pytest.raises(bz.InvalidArgument, match=r"k must be in \[1, 2\^20\]"):
        rbm.set_training(k=limits["steps"] + 1)
    with pytest.raises(bz.InvalidArgument, match="n_chains"):
        rbm.sample(limits["batch"] + 1, steps=0)
    with pytest.raises(bz.InvalidArgument, match="n_hidden"):
        bz.diffusion.MLPScore(2, hidden=[4] * (limits["layers"] + 1))
