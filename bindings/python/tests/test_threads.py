"""Threads: ctypes releases the GIL, so Python threads really run the library at once.
Eight threads on distinct handles of every kind get the serial results bit for bit
(while another thread keeps changing bz_set_num_threads); eight threads hammering one
handle get success or Busy from every call, never a crash or a torn state."""

import threading

import numpy as np
import pytest

import boltzmann as bz
from boltzmann import diffusion

THREADS = 8


def one_of_each(seed):
    """Work on fresh handles of every kind, seeded: the bytes of every result."""
    out = []
    rng = np.random.default_rng(seed)
    out.append(bz.Spectrum(rng.random(50), log_degeneracies=rng.random(50)).thermo([0.5, 1.0]).log_z.tobytes())
    model = bz.IsingModel.sk(12, seed=seed)
    out.append(model.exact([0.7]).log_z.tobytes())
    out.append(bz.MonteCarlo(model, 0.7, "metropolis", "random", chains=3, seed=seed).run(200, series=True).energy_series.tobytes())
    out.append(bz.parallel_tempering(model, [0.4, 0.8], 100, replicas=2, seed=seed, series=True).results[1].energy_series.tobytes())
    out.append(bz.anneal(model, sweeps=5, reads=4, seed=seed).energies.tobytes())
    data = (rng.random((64, 10)) < 0.4).astype(np.float32)
    rbm = bz.RBM(6, n_iter=3, batch_size=16, persistent=8, random_state=seed).fit(data)
    out += [rbm.to_bytes(), rbm.sample(4, steps=10, seed=seed).tobytes(), float(rbm.log_partition("exact")).hex()]
    patterns = np.where(rng.random((4, 32)) < 0.5, 1, -1).astype(np.int8)
    out.append(bz.Hopfield(32, seed=seed).store(patterns).recall(patterns, mode="glauber", temperature=0.3, sweeps=5).tobytes())
    out.append(bz.DenseHopfield(rng.normal(size=(40, 4)).astype(np.float32)).retrieve(rng.normal(size=(5, 4)).astype(np.float32)).tobytes())
    gmm, sde = diffusion.GaussianMixtureScore.eight_gaussians(), diffusion.VPSDE()
    out.append(diffusion.sample(gmm, sde, 30, steps=20, seed=seed).tobytes())
    score = diffusion.MLPScore(2, hidden=(8,), seed=seed).fit(bz.datasets.two_moons(100, seed=seed), sde, steps=10, batch_size=32, seed=seed)
    out.append(score.to_bytes())
    factored = bz.pbits.factor(15, sweeps=200, seed=seed)
    out.append(repr((factored.factors, factored.probability, factored.chains_hit)).encode())
    return out


def run_threads(target, count=THREADS):
    errors, threads = [], []

    def guarded(*args):
        try:
            target(*args)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    for k in range(count):
        threads.append(threading.Thread(target=guarded, args=(k,)))
    for t in threads:
        t.start()
    return threads, errors


def test_distinct_handles_in_eight_threads_equal_serial_runs():
    serial = [one_of_each(seed) for seed in range(THREADS)]
    results = [None] * THREADS
    stop = threading.Event()
    changes = [0]

    def vary_threads():
        while not stop.is_set():
            for n in (1, 2, 3, 0):
                bz.set_num_threads(n)
                changes[0] += 1

    varying = threading.Thread(target=vary_threads)
    varying.start()
    try:
        for _ in range(3):
            threads, errors = run_threads(lambda k: results.__setitem__(k, one_of_each(k)))
            for t in threads:
                t.join()
            assert not errors, errors
            assert results == serial
    finally:
        stop.set()
        varying.join()
        bz.set_num_threads(0)
    print(f"3 rounds x {THREADS} threads x {len(serial[0])} results equal the serial ones; "
          f"bz_set_num_threads changed {changes[0]} times meanwhile")
    assert changes[0] > 100


def test_eight_threads_hammering_one_handle():
    model = bz.IsingModel.square(12)
    mc = bz.MonteCarlo(model, 0.4, "metropolis", "checkerboard", chains=2, seed=1)
    rbm = bz.RBM(8, random_state=1).initialize(16)
    data = (np.random.default_rng(0).random((64, 16)) < 0.5).astype(np.float32)
    score = diffusion.MLPScore(2, hidden=(8,), seed=1)
    sde, moons = diffusion.VPSDE(), bz.datasets.two_moons(200)
    tally = {"ok": 0, "busy": 0}
    lock = threading.Lock()

    def count(call):
        try:
            call()
            outcome = "ok"
        except bz.Busy:
            outcome = "busy"
        with lock:
            tally[outcome] += 1

    def hammer(k):
        for i in range(60):
            count(lambda: mc.run(20))
            count(lambda: mc.results)
            count(lambda: rbm.partial_fit(data[:16]) if (i + k) % 2 else rbm.transform(data))
            count(lambda: rbm.sample(2, steps=5, seed=i))
            count(lambda: score.fit(moons, sde, steps=3, batch_size=16, seed=i) if k % 4 == 0 else score.score(moons, 0.5, sde))
            count(lambda: diffusion.sample(score, sde, 8, steps=4, seed=i))

    threads, errors = run_threads(hammer)
    for t in threads:
        t.join()
    assert not errors, errors
    print(f"{THREADS} threads on one sampler, machine and score: {tally['ok']} calls succeeded, {tally['busy']} were Busy")
    assert tally["ok"] + tally["busy"] == THREADS * 60 * 6 and tally["ok"] > 0
    # Whole, usable state afterwards.
    result = mc.run(50)
    assert np.isfinite(result.energy.mean) and -2 <= result.energy.mean <= 2
    assert np.all(np.isfinite(rbm.weights_)) and np.all(np.isfinite(score.score(moons, 0.5, sde)))
