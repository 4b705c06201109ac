"""The reproducibility promises of the header's "Reproducibility" convention, through the
binding: (1) same seed, same bits; (2) the thread count never changes a bit; (3) a row's
result does not depend on the other rows of its batch -- bit for bit where rows are
computed apart, to float rounding where they share a BLAS product.

`make test` runs every test marked ``determinism`` (these, and the thread and batch
tests of the other files) once per OpenBLAS core type the machine accepts
(``scripts/blas-coretypes``), since OpenBLAS kernels differ in the order they sum a
product in."""

import numpy as np
import pytest

import boltzmann as bz
from boltzmann import diffusion

pytestmark = pytest.mark.determinism


def on_one_and_two_threads(run):
    previous = bz.get_num_threads()
    try:
        bz.set_num_threads(1)
        one = run()
        bz.set_num_threads(2)
        return one, run()
    finally:
        bz.set_num_threads(previous)


def test_rbm_training_sampling_and_partition_functions():
    rng = np.random.default_rng(0)
    data = (rng.random((600, 40)) < 0.3).astype(np.float32)

    def run():
        rbm = bz.RBM(64, n_iter=3, batch_size=200, persistent=100, random_state=1).fit(data)
        ais = rbm.log_partition("ais", runs=100, betas=np.linspace(0, 1, 200), seed=3)
        return rbm.to_bytes(), rbm.sample(30, steps=20, seed=4), (ais.value, ais.stderr), rbm.transform(data)

    one, two = on_one_and_two_threads(run)
    assert one[0] == two[0]
    np.testing.assert_array_equal(one[1], two[1])
    assert one[2] == two[2]
    np.testing.assert_array_equal(one[3], two[3])
    # Rows share the conditionals' product: another split agrees to rounding only
    # (sums of 40 float products, then a logistic: well within 1e-5 relative).
    rbm = bz.RBM.from_bytes(one[0])
    pieces = np.concatenate([rbm.transform(data[:1]), rbm.transform(data[1:257]), rbm.transform(data[257:])])
    np.testing.assert_allclose(pieces, one[3], rtol=1e-5, atol=1e-7)


def test_learned_score_threads_bits_and_batch_rounding():
    data = bz.datasets.two_moons(500, seed=1)
    sde = diffusion.VPSDE()
    model = diffusion.MLPScore(2, hidden=(32, 32), seed=2).fit(data, sde, steps=50, batch_size=128, seed=3)
    x = np.random.default_rng(5).normal(size=(1100, 2)).astype(np.float32)
    one, two = on_one_and_two_threads(lambda: (model.score(x, 0.3, sde), diffusion.sample(model, sde, 600, steps=20, seed=6)))
    np.testing.assert_array_equal(one[0], two[0])
    np.testing.assert_array_equal(one[1], two[1])
    # Another split: the same to rounding (the Swift suite checks the rigorous bound).
    pieces = np.concatenate([model.score(x[:1], 0.3, sde), model.score(x[1:700], 0.3, sde), model.score(x[700:], 0.3, sde)])
    np.testing.assert_allclose(pieces, one[0], rtol=0, atol=1e-5 * np.abs(one[0]).max())


def test_mixture_samples_do_not_depend_on_the_batch_or_threads():
    score, sde = diffusion.GaussianMixtureScore.eight_gaussians(), diffusion.VESDE(sigma_max=5)
    one, two = on_one_and_two_threads(lambda: diffusion.sample(score, sde, 300, method="pc", steps=30, seed=9))
    np.testing.assert_array_equal(one, two)
    np.testing.assert_array_equal(diffusion.sample(score, sde, 7, method="pc", steps=30, seed=9), one[:7])


def test_hopfield_recall_and_dense_retrieval():
    rng = np.random.default_rng(4)
    patterns = np.where(rng.random((30, 256)) < 0.5, 1, -1).astype(np.int8)
    rows = np.arange(200) % 30
    cues = np.where(rng.random((200, 256)) < 0.15, -patterns[rows], patterns[rows]).astype(np.int8)
    net = bz.Hopfield(256).store(patterns)
    for mode in ("async", "sync", "glauber"):
        one, two = on_one_and_two_threads(lambda: net.recall(cues, mode=mode, temperature=0.2, sweeps=30, seed=5))
        np.testing.assert_array_equal(one, two)
    dense = bz.DenseHopfield(rng.normal(size=(2000, 16)).astype(np.float32), beta=0.5)
    queries = rng.normal(size=(600, 16)).astype(np.float32)
    one, two = on_one_and_two_threads(lambda: dense.retrieve(queries, steps=2))
    np.testing.assert_array_equal(one, two)
