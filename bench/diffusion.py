"""Score-based diffusion: Boltzmann beside PyTorch on the CPU, same network, same batch,
same threads, in one run.

The network: s_theta(x, t) on [x, e(t)] for 2D data, 16 Gaussian Fourier time features,
three hidden layers of 128 SiLU units, predicting the added noise (35,714 parameters).

(1) Denoising score matching training: steps per second at batch 256 on eight
    Gaussians under the VP process; each step draws rows, times and noise, runs forward
    and backward, clips the gradient to norm 1, takes an Adam step and updates an EMA
    of the weights (decay 0.999). PyTorch does the same with torch.nn, torch.optim.Adam,
    clip_grad_norm_ and a foreach lerp for the EMA.
(2) Euler-Maruyama sampling of the reverse SDE: 10^4 samples, 1000 steps, one network
    evaluation per step (PyTorch under inference_mode, the time features computed once
    per step for the batch, as ours are). Reported as sample-steps per second.

Each figure is the best of three runs (sampling: ours and theirs alternating, so a
slow spell of the machine falls on both) at 1 thread and at 2 (torch.set_num_threads,
bz.set_num_threads). Also printed: how our 2-thread figure scales over our 1-thread
one, and (3) the cost of sampling the PyTorch network with our sampler through a Python
callback (bz.diffusion.CallableScore): time per step through the callback beside the
network's own calls on the same batches. Installs torch (CPU wheel) on demand.
Targets (issue 7): training >= 1.5x PyTorch at 1 thread, sampling >= 1.0x, and our
2 threads >= 1.7x our 1 thread.

Usage: python bench/diffusion.py [--quick]   (--quick: 100 sampling steps)
"""

import math
import os
import subprocess
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # numpy's own BLAS threads would spin beside ours

import numpy as np  # noqa: E402

import boltzmann as bz
from _timing import best_time  # noqa: E402

bz.set_progress(False)  # timings, not bars

BATCH, HIDDEN, FEATURES, SCALE = 256, 128, 16, 4.0


def import_torch():
    try:
        import torch
    except ImportError:
        print("installing torch (CPU wheel) ...", flush=True)
        # The dependencies from PyPI, torch itself from PyTorch's CPU index (no CUDA).
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "filelock", "fsspec", "jinja2", "networkx",
                               "sympy", "typing-extensions"])
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "torch", "--index-url",
                               "https://download.pytorch.org/whl/cpu"])
        import torch
    return torch


def best_of_alternating(runs, ours, theirs):
    """Best times of `runs` calls of each, alternating, so a slow spell of a shared
    machine falls on both sides."""
    best = [math.inf, math.inf]
    for _ in range(runs):
        for side, f in enumerate((ours, theirs)):
            best[side] = min(best[side], best_time(1, f, settle=0.5))
    return best


def vp(t):
    """alpha_t, sigma_t, f(t), g(t) of the VP process (beta 0.1 .. 20)."""
    integral = 0.1 * t + 0.5 * (20 - 0.1) * t * t
    beta = 0.1 + t * (20 - 0.1)
    alpha = math.exp(-0.5 * integral) if np.isscalar(t) else np.exp(-0.5 * integral)
    return alpha, np.sqrt(1 - alpha * alpha), -0.5 * beta, np.sqrt(beta)


class TorchDiffusion:
    def __init__(self, torch, data):
        self.torch = torch
        torch.manual_seed(0)
        nn = torch.nn
        self.net = nn.Sequential(nn.Linear(2 + FEATURES, HIDDEN), nn.SiLU(), nn.Linear(HIDDEN, HIDDEN), nn.SiLU(),
                                 nn.Linear(HIDDEN, HIDDEN), nn.SiLU(), nn.Linear(HIDDEN, 2))
        self.params = list(self.net.parameters())
        self.ema = [p.detach().clone() for p in self.params]
        self.optimiser = torch.optim.Adam(self.params, lr=1e-3)
        self.w = torch.randn(FEATURES // 2) * SCALE
        self.data = torch.from_numpy(data)

    def features(self, t):
        angle = 2 * math.pi * t[:, None] * self.w[None]
        return self.torch.cat([self.torch.sin(angle), self.torch.cos(angle)], 1)

    def train(self, steps):
        torch = self.torch
        for _ in range(steps):
            x0 = self.data[torch.randint(0, self.data.shape[0], (BATCH,))]
            t = torch.rand(BATCH) * (1 - 1e-5) + 1e-5
            z = torch.randn(BATCH, 2)
            integral = 0.1 * t + 0.5 * (20 - 0.1) * t * t
            alpha = torch.exp(-0.5 * integral)
            sigma = torch.sqrt(1 - alpha * alpha)
            xt = alpha[:, None] * x0 + sigma[:, None] * z
            loss = ((self.net(torch.cat([xt, self.features(t)], 1)) - z) ** 2).sum(1).mean()
            self.optimiser.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.params, 1.0)
            self.optimiser.step()
            with torch.no_grad():
                torch._foreach_lerp_(self.ema, self.params, 1 - 0.999)

    def sample(self, n, steps, epsilon=1e-3):
        torch = self.torch
        h = (1 - epsilon) / steps
        with torch.inference_mode():
            x = torch.randn(n, 2)
            for i in range(steps):
                t = 1 - i * h
                alpha, sigma, f, g = vp(t)
                e = self.features(torch.tensor([t])).expand(n, FEATURES)
                score = -self.net(torch.cat([x, e], 1)) / sigma
                x = x - (f * x - g * g * score) * h
                if i < steps - 1:
                    x = x + g * math.sqrt(h) * torch.randn(n, 2)
        return x.numpy()

    def score(self, x, t):
        """The network as a score function s(x, t) = -eps(x, t) / sigma_t, for the
        library's samplers (bz.diffusion.CallableScore)."""
        torch = self.torch
        with torch.inference_mode():
            x = torch.from_numpy(x)
            e = self.features(torch.tensor([t])).expand(x.shape[0], FEATURES)
            return (-self.net(torch.cat([x, e], 1)) / vp(t)[1]).numpy()


def callback_overhead(torch, model, sde, n, steps, threads):
    """(3) The PyTorch network sampled by our Euler-Maruyama sampler through a Python
    callback: seconds per step in all, and of them the network's own (timed inside the
    callback, so on the same thread, batches and times). The callback runs on the
    binding's worker thread, where torch's OpenMP thread count is set again (it is a
    per-thread setting)."""
    spent = []

    def score(x, t):
        torch.set_num_threads(threads)
        start = time.perf_counter()
        out = model.score(x, t)
        spent.append(time.perf_counter() - start)
        return out

    best = None
    for _ in range(3):
        spent.clear()
        start = time.perf_counter()
        bz.diffusion.sample(score, sde, n, steps=steps, seed=1, dim=2, progress=False)
        total = time.perf_counter() - start
        if best is None or total < best[0]:
            best = (total, sum(spent))
    return best[0] / steps, best[1] / steps


def main():
    quick = "--quick" in sys.argv
    sample_steps, n = (100 if quick else 1000), 10_000
    torch = import_torch()
    data = bz.datasets.eight_gaussians(20_000, seed=0)
    sde = bz.diffusion.VPSDE()
    print(f"Score network 2+{FEATURES} -> {HIDDEN} x 3 SiLU -> 2; PyTorch {torch.__version__} on the CPU")
    figures = {}
    for threads in (1, 2):
        bz.set_num_threads(threads)
        torch.set_num_threads(threads)
        ours_model = bz.diffusion.MLPScore(2, hidden=(HIDDEN,) * 3, embedding_size=FEATURES, embedding_scale=SCALE, seed=0)
        theirs_model = TorchDiffusion(torch, data)
        ours_model.fit(data, sde, steps=50, seed=0)  # warm up both
        theirs_model.train(50)
        steps = 1000
        ours = steps / best_time(3, lambda: ours_model.fit(data, sde, steps=steps, batch_size=BATCH), settle=0.5)
        theirs = steps / best_time(3, lambda: theirs_model.train(steps), settle=0.5)
        ours_time, theirs_time = best_of_alternating(
            3, lambda: bz.diffusion.sample(ours_model, sde, n, steps=sample_steps, seed=1),
            lambda: theirs_model.sample(n, sample_steps))
        ours_sample, theirs_sample = n * sample_steps / ours_time, n * sample_steps / theirs_time
        figures[threads] = (ours, ours_sample)
        print(f"\n{threads} thread{'s' if threads > 1 else ''}")
        print(f"  {'(1) DSM training, steps/s (batch 256)':<44} Boltzmann {ours:>10,.0f}   PyTorch {theirs:>10,.0f}"
              f"   ratio {ours / theirs:5.2f}x")
        print(f"  {'(2) EM sampling, sample-steps/s (n = 10^4)':<44} Boltzmann {ours_sample:>10.3g}   PyTorch "
              f"{theirs_sample:>10.3g}   ratio {ours_sample / theirs_sample:5.2f}x")
        through, network = callback_overhead(torch, theirs_model, sde, n, sample_steps, threads)
        print(f"  {'(3) PyTorch net via our EM sampler, ms/step':<44} callback {1e3 * through:>10.3f}   network "
              f"{1e3 * network:>10.3f}   overhead {1e3 * (through - network):.3f} ms/step "
              f"({100 * (through - network) / network:.0f}% of the network)")
    bz.set_num_threads(0)
    print(f"\nBoltzmann, 2 threads over 1: training {figures[2][0] / figures[1][0]:.2f}x, "
          f"sampling {figures[2][1] / figures[1][1]:.2f}x")


if __name__ == "__main__":
    main()
