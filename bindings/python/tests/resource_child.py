"""Child process of test_resources.py: under an address-space limit (RLIMIT_AS, 8 GiB by
default) makes one absurd request per name given and prints "NAME ERRORCLASS message"
for each (or "NAME ok" if it fitted). An abort or an OOM kill ends the process with a
signal, which the parent reports."""

import resource
import sys

import numpy as np

import boltzmann as bz
from boltzmann import diffusion
from boltzmann._arrays import f64
from boltzmann._lib import bz_progress_fn, lib


def requests():
    square = bz.IsingModel.square
    yield "rbm_10^6_x_10^6", lambda: bz.RBM(10**6).initialize(10**6)
    yield "rbm_at_the_limit", lambda: bz.RBM(2**15).initialize(2**16)  # 2^31 weights: 8 GiB
    yield "lattice_10^10_spins", lambda: square(10**5)
    yield "sk_10^5", lambda: bz.IsingModel.sk(10**5)
    yield "complete_2^16", lambda: bz.IsingModel.complete(2**16)
    yield "chains_x_spins", lambda: bz.MonteCarlo(square(1000), 0.4, chains=65536)
    yield "measurements_2^31", lambda: bz.MonteCarlo(square(8), 0.4, chains=64, seed=1).run(2**31)
    yield "measurements_at_the_limit", lambda: bz.MonteCarlo(square(8), 0.4, chains=64, seed=1).run(2**25)
    yield "samples_10^12", lambda: bz.MonteCarlo(square(32), 0.4).sample(10**12)
    yield "tempering_replicas_betas_spins", lambda: bz.ParallelTempering(square(1000), np.linspace(0.1, 1, 4096), replicas=16)
    yield "anneal_reads_x_spins", lambda: bz.anneal(square(1000), reads=65536)
    # Outputs NULL, so that only the library's own buffers are at stake.
    def anneal_in_the_library():
        model, betas = square(1000), np.array([0.1, 1.0])
        lib.bz_anneal(model._h, f64(betas), 2, 1, 65536, 0, 1, None, None, None, bz_progress_fn(), None)

    yield "anneal_reads_x_spins_in_the_library", anneal_in_the_library
    yield "hopfield_storkey_46341", lambda: bz.Hopfield(46341, rule="storkey").store(np.ones((1, 46341), np.int8))
    yield "hopfield_matrix_2^16", lambda: bz.Hopfield(2**16, storage="matrix").store(np.ones((1, 2**16), np.int8))
    yield "diffusion_samples_2^30", lambda: diffusion.sample(diffusion.GaussianMixtureScore.eight_gaussians(),
                                                             diffusion.VPSDE(), 2**30, steps=1)
    yield "diffusion_samples_2^28", lambda: diffusion.sample(diffusion.GaussianMixtureScore.eight_gaussians(),
                                                             diffusion.VPSDE(), 2**28, steps=1)
    yield "mlp_2^33_parameters", lambda: diffusion.MLPScore(2**16, hidden=(2**16, 2**16))
    yield "sliced_wasserstein_2^20_projections", lambda: bz.metrics.sliced_wasserstein(
        np.zeros((2, 2**12), np.float32), np.zeros((2, 2**12), np.float32), projections=2**20)
    yield "rbm_sample_2^20_chains", lambda: bz.RBM(16).initialize(4096).sample(2**20, steps=1)
    yield "spectrum_compose", lambda: bz.Spectrum(np.arange(10**5, dtype=float)).compose(
        bz.Spectrum(np.arange(10**5, dtype=float) * np.pi), max_levels=10**10)
    yield "microcanonical", lambda: bz.microstates.microcanonical(200, np.arange(60.0), max_states=10**12)


def main(names, limit):
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    for name, call in requests():
        if names and name not in names:
            continue
        print(name, "start", flush=True)
        try:
            call()
            print(name, "ok", flush=True)
        except MemoryError as e:  # numpy's own allocations, and the library's OutOfMemory
            print(name, type(e).__name__, str(e)[:300].replace("\n", " "), flush=True)
        except bz.BoltzmannError as e:
            print(name, type(e).__name__, str(e)[:300].replace("\n", " "), flush=True)


if __name__ == "__main__":
    main(set(sys.argv[2:]), int(sys.argv[1]))
