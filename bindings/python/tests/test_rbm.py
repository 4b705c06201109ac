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
    rbm = bz.RBM(nh).initialize(nv)
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
    rbm = bz.RBM(16, n_iter=1000, batch_size=14, learning_rate=0.1, final_learning_rate=0.0, k=5, random_state=1)
    before = float(rbm.initialize(9).log_likelihood(data))  # the parameters fit starts from
    seen = []
    rbm.fit(np.tile(data, (10, 1)), callback=lambda epoch, metric: seen.append((epoch, metric)))
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
    rbm = bz.RBM(8, n_iter=100, random_state=1)
    data = np.tile(bars_and_stripes(3), (10, 1))
    assert rbm.fit(data, progress=lambda done, total: done < 3) is rbm
    assert len(rbm.metrics_) == 3 and np.all(np.isfinite(rbm.metrics_))
    assert np.isfinite(rbm.log_likelihood(data).value)
    assert not np.allclose(rbm.weights_, bz.RBM(8, random_state=1).initialize(9).weights_)
    seen = []
    rbm.fit(data, callback=lambda epoch, metric: seen.append(metric) or epoch < 5)
    assert len(seen) == 5 and np.array_equal(rbm.metrics_, seen)
    with pytest.raises(bz.Cancelled):
        rbm.sample(4, steps=10**6, progress=lambda done, total: done < 3)


def test_errors_are_named_and_leave_the_machine_unchanged():
    rbm = bz.RBM(2, random_state=1).fit([[0, 1, 1]])
    w = rbm.weights_
    with pytest.raises(ValueError, match="X has 2 features, but RBM is expecting 3"):
        rbm.transform(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="Input X contains NaN"):
        rbm.fit([[0, 1, np.nan]])
    with pytest.raises(ValueError, match="Expected 2D array"):
        rbm.transform([0, 1, 1])
    for bad, match in ((dict(batch_size=0), "batch_size"), (dict(metric="accuracy"), "metric"), (dict(k=0), "k must"),
                       (dict(n_iter=0), "n_iter"), (dict(visible="poisson"), "visible"),
                       (dict(n_components=0), "n_hidden")):
        with pytest.raises(bz.InvalidArgument, match=match):
            rbm.set_params(**bad).fit([[0, 1, 1], [1, 1, 0]])
        rbm.set_params(**{name: bz.RBM().get_params()[name] for name in bad})
    np.testing.assert_array_equal(rbm.weights_, w)  # a failed fit leaves the machine it had
    assert rbm.n_features_in_ == 3
    with pytest.warns(UserWarning, match=r"outside \[0, 1\]; they are clipped"):
        clipped = rbm.transform([[0, 1, 2], [-1, 0.5, 1]])
    np.testing.assert_array_equal(clipped, rbm.transform([[0, 1, 1], [0, 0.5, 1]]))
    with pytest.raises(bz.NotFittedError, match="not fitted"):
        bz.RBM(2).free_energy([[0, 1]])
    with pytest.raises(bz.LimitExceeded, match="AIS"):
        bz.RBM(33).initialize(40).log_partition()
    with pytest.raises(bz.InvalidArgument, match="n_visible"):
        bz.RBM(3).initialize(0)
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
    gaussian = bz.RBM(2, visible="gaussian", random_state=1).initialize(3)
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
    existing = bz.RBM(5, random_state=9).initialize(7)
    before = existing.to_bytes()
    with pytest.raises(bz.FormatError, match={"truncated": "truncated", "flipped": "checksum", "magic": "magic"}[damage]):
        bz.RBM.load(path)
    with pytest.raises(bz.FormatError):
        bz.RBM.from_bytes(bad)
    assert existing.to_bytes() == before and np.isfinite(existing.free_energy(np.zeros((1, 7)))).all()
    with pytest.raises(bz.BoltzmannIOError):
        bz.RBM.load(tmp_path / "missing.rbm")


def test_partial_fit_pseudo_likelihood_and_sampling():
    data = bz.datasets.bars_and_stripes(3)
    rbm = bz.RBM(16, learning_rate=0.1, k=5, momentum=0.5, random_state=1)
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
    rbm = bz.RBM(6, visible="gaussian", n_iter=60, batch_size=20, learning_rate=0.01, persistent=50, random_state=1)
    before = float(rbm.initialize(4).log_likelihood(x))
    rbm.fit(x)
    after = rbm.log_likelihood(x)
    assert after.value > before + 0.5
    ais = rbm.log_partition("ais", runs=200, betas=np.linspace(0, 1, 2001), seed=2)
    assert abs(ais.value - rbm.log_partition().value) < 3 * ais.stderr + 1e-3
    with pytest.raises(bz.Unsupported, match="Bernoulli"):
        rbm.pseudo_log_likelihood(x)
    with pytest.raises(bz.InvalidArgument, match="visible"):
        bz.RBM(2, visible="poisson").initialize(4)


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
    bm = bz.BoltzmannMachine(random_state=1).fit(data)
    assert isinstance(bm.model_, bz.IsingModel) and bm.gradient_ < 1e-6 and bm.n_iter_ > 0
    assert np.abs(bm.couplings_ - J).max() < 0.06 and np.abs(bm.fields_ - h).max() < 0.06
    np.testing.assert_array_equal(bm.couplings_, bm.model_.coupling_matrix())
    # Exact log-likelihoods: -E(s) - log Z over the 2^6 states, against numpy.
    minus_e_fit = 0.5 * np.einsum("si,ij,sj->s", states, bm.couplings_, states) + states @ bm.fields_
    log_z = np.log(np.exp(minus_e_fit).sum())
    np.testing.assert_allclose(bm.score_samples(states[:5]), minus_e_fit[:5] - log_z, rtol=1e-12)
    assert bm.score(states[:5]) == pytest.approx(np.mean(minus_e_fit[:5] - log_z), rel=1e-12)
    # Pseudo-log-likelihood: sum_i log p(s_i | s_-i) from the exact conditionals.
    expected = np.zeros(5)
    for i in range(n):
        flipped = states[:5].copy()
        flipped[:, i] *= -1
        expected += bm.score_samples(states[:5]) - np.logaddexp(bm.score_samples(states[:5]), bm.score_samples(flipped))
    np.testing.assert_allclose(bm.pseudo_log_likelihood(states[:5]), expected, rtol=1e-10)
    with pytest.raises(ValueError, match="spins"):
        bz.BoltzmannMachine().fit(np.zeros((3, 4)))
    zero_one = bz.BoltzmannMachine(binarize=0.5).fit((data > 0).astype(float))
    np.testing.assert_allclose(zero_one.couplings_, bm.couplings_, atol=1e-5)  # the same spins, thresholded
    # Heat-bath samples of the learned model reproduce its exact moments (4 SE).
    samples = bm.sample(4000, sweeps=50, seed=2).astype(float)
    exact = np.exp(minus_e_fit - log_z) @ states
    assert np.all(np.abs(samples.mean(axis=0) - exact) < 4 * samples.std(axis=0) / np.sqrt(4000))


def test_ais_on_digits_matches_exact_log_z():
    """A 20-hidden RBM trained on binarised digits (so far from its start): AIS with the
    paper's schedule, from the data's base rates, within 3 standard errors and 0.1 nats
    of the exact log Z (2^20 hidden states)."""
    pytest.importorskip("sklearn")
    x, _ = bz.datasets.digits()
    rbm = bz.RBM(20, n_iter=20, batch_size=20, learning_rate=0.05, k=1, persistent=100, random_state=1).fit(x)
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
    # Hyper-parameters left None are the library's defaults; BernoulliRBM's own keep its values.
    rbm = bz.RBM(2, learning_rate=None, batch_size=None, random_state=1).initialize(3)
    assert rbm.training_options() == defaults
    sklearn_defaults = {**defaults, "learning_rate": float(np.float32(0.1)), "batch_size": 10}
    assert bz.RBM(2).initialize(3).training_options() == sklearn_defaults
    rbm.set_params(k=3, batch_size=7, final_learning_rate=0.0, warm_start=True).fit([[0, 1, 1]])
    changed = {**defaults, "k": 3, "batch_size": 7, "final_learning_rate": 0.0}
    assert rbm.training_options() == changed
    with pytest.raises(bz.InvalidArgument, match="momentum"):
        rbm.set_params(k=9, momentum=1.0).fit([[0, 1, 1]])  # one bad option: nothing changes
    assert rbm.training_options() == changed
    with pytest.raises(ValueError, match="Invalid parameter 'schedule'"):
        rbm.set_params(schedule="linear")
    with pytest.raises(bz.InvalidArgument, match="k must be an integer"):
        rbm.set_params(k=2.5, momentum=None).fit([[0, 1, 1]])
    rbm.set_params(k=3)
    copy = pickle.loads(pickle.dumps(rbm))
    assert copy.training_options() == changed and copy.get_params() == rbm.get_params()


def test_limits_are_the_ones_the_library_enforces():
    limits = bz.limits()
    assert set(limits) == set(bz.LIMITS) and limits["count"] == 2**40
    rbm = bz.RBM(2, k=limits["steps"], batch_size=limits["batch"], random_state=1).initialize(3)
    assert rbm.training_options()["k"] == limits["steps"]
    with pytest.raises(bz.InvalidArgument, match=r"k must be in \[1, 2\^20\]"):
        rbm.set_params(k=limits["steps"] + 1).initialize(3)
    with pytest.raises(bz.InvalidArgument, match="n_chains"):
        rbm.sample(limits["batch"] + 1, steps=0)
    with pytest.raises(bz.InvalidArgument, match="n_hidden"):
        bz.diffusion.MLPScore(2, hidden=[4] * (limits["layers"] + 1))
