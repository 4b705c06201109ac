"""The progress contract (header, core section): the engine counts the work. The first
report is done = 0 with the call's total, counts never go back, and the last report is
done == total. Each total here is the header's formula for that call."""

import numpy as np
import pytest

import boltzmann as bz


def reports(call):
    seen = []
    call(lambda done, total: seen.append((done, total)) or True)
    return seen


def square():
    return bz.IsingModel.square(4, 4, J=1.0)


CALLS = {
    # chains x (burn_in + sweeps)
    "mc_run": (lambda p: bz.MonteCarlo(square(), 0.4, chains=3).run(50, burn_in=10, progress=p), 3 * 60),
    # replicas x betas x rounds x swap_every: 1 burn-in round (5 sweeps rounded up) + 20 / 5
    "pt_run": (lambda p: bz.ParallelTempering(square(), [0.2, 0.3, 0.4], replicas=2).run(20, burn_in=5, swap_every=5,
                                                                                         progress=p), 6 * 5 * 5),
    # reads x betas x sweeps per beta
    "anneal": (lambda p: bz.anneal(square(), [0.1, 0.2, 0.3, 0.4, 0.5], sweeps=7, reads=2, progress=p), 2 * 5 * 7),
    # 2^N states
    "exact": (lambda p: square().exact(1.0, progress=p), 2**16),
    # epochs
    "rbm_fit": (lambda p: bz.RBM(4, 3, seed=1).fit(np.eye(4), epochs=4, progress=p), 4),
    # 2^(smaller layer) states
    "rbm_exact": (lambda p: bz.RBM(6, 3, seed=1).log_partition(progress=p), 2**3),
    # grid steps
    "diffusion": (lambda p: bz.diffusion.sample(bz.diffusion.GaussianMixtureScore([1.0], [[0.0]], [1.0]),
                                                bz.diffusion.VPSDE(), 5, steps=20, progress=p), 20),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_engine_counts_the_work(name):
    call, total = CALLS[name]
    seen = reports(call)
    assert seen[0] == (0, total)
    assert seen[-1] == (total, total)
    assert all(t == total for _, t in seen)
    assert all(a <= b for (a, _), (b, _) in zip(seen, seen[1:]))
