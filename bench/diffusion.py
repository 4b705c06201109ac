"""Score-based diffusion: Boltzmann beside PyTorch on the CPU, same network, same batch,
same threads, in one run.

The network: s_theta(x, t) on [x, e(t)] for 2D data, 16 Gaussian Fourier time features,
three hidden layers of 128 SiLU units, predicting the added noise (35,714 parameters).

(1) Denoising score matching training: steps per second at batch 256 on eight
    Gaussians under the VP process; each step draws rows, times and noise, runs forward
    and backward, clips the gradient to norm 1, takes an Adam step and updates an EMA
    of the weights (decay min(0.999, t / (t + 9)) at step t). PyTorch does the same with
    torch.nn, torch.optim.Adam (its fused kernel, PyTorch's fastest on CPU: about 8% more
    steps/s than the default), clip_grad_norm_ and a foreach lerp for the EMA.
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
2 threads >= 1.7x our 1 thread. After the 2-thread figures the bench prints how fast the
machine hands written memory between cores (bench/_cores.py). On a VM that cost moves
with the vCPUs' placement, and when it is slow every 2-thread training figure drops.

(4) Real data (issue 24): a class-conditional network on scikit-learn's 8 x 8 digits in
    [-1, 1] (1200 train, 597 held out): [x, e(t), onehot(y)] (64 + 32 Fourier features + 11
    label slots, the last "no label") -> 3 x 256 SiLU -> 64, EDM's preconditioning on the VP
    process (sigma_data 0.6), label dropout 0.1, 8000 Adam steps at batch 256 (warm-up 100,
    rate 1e-3 falling linearly to 1e-5, clipping at 1, EMA 0.999), the same in PyTorch, at
    1 and at 2 threads. Each then draws 2000 digits (200 per label) with classifier-free guidance
    w = 2 by 50 DDIM steps and a final denoising step (102 network evaluations a sample;
    PyTorch batches the conditional and unconditional halves in one call, as diffusers
    does). Printed: training steps/s and sample throughput with their ratios; at 1 thread,
    the step's matrix products alone as whole-batch sgemm calls (the OpenBLAS the engine
    links, one thread) and the share of that rate each library's whole step reaches; the share
    of samples a logistic regression fitted on the real training digits gives the
    requested label; Frechet distances to the held-out digits in raw pixels and in the
    classifier's 10 logits, beside the training digits' own distance (the floor a perfect
    model would reach with these sample sizes); and the test log-likelihood of the
    held-out digits under our model (the 1-thread models for quality; probability-flow ODE, Hutchinson's divergence,
    bits per dimension of the continuous density; the pixels' 17 grey levels are not
    dequantised).

Usage: python bench/diffusion.py [--quick]   (--quick: 100 sampling steps, 2000 digit steps)
"""

import math
import os
import subprocess
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # numpy's own BLAS threads would spin beside ours

import numpy as np  # noqa: E402

import boltzmann as bz
from _cores import describe as describe_handover  # noqa: E402
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


def torch_adam(torch, params):
    """Adam at rate 1e-3 in PyTorch's fastest form: the fused kernel (on CPU since
    PyTorch 2.4), else the default."""
    try:
        return torch.optim.Adam(params, lr=1e-3, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.Adam(params, lr=1e-3)


def optimiser_step(torch, loss, optimiser, params, ema, step):
    """Backward, clipping to global norm 1, Adam, and the EMA by a foreach lerp, its decay at
    the call's step t (from 1) min(0.999, t / (t + 9)) as ours (diffusers' EMAModel warm-up)."""
    optimiser.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    optimiser.step()
    with torch.no_grad():
        torch._foreach_lerp_(ema, params, 1 - min(0.999, step / (step + 9)))


class TorchDiffusion:
    def __init__(self, torch, data):
        self.torch = torch
        torch.manual_seed(0)
        nn = torch.nn
        self.net = nn.Sequential(nn.Linear(2 + FEATURES, HIDDEN), nn.SiLU(), nn.Linear(HIDDEN, HIDDEN), nn.SiLU(),
                                 nn.Linear(HIDDEN, HIDDEN), nn.SiLU(), nn.Linear(HIDDEN, 2))
        self.params = list(self.net.parameters())
        self.ema = [p.detach().clone() for p in self.params]
        self.optimiser = torch_adam(torch, self.params)
        self.w = torch.randn(FEATURES // 2) * SCALE
        self.data = torch.from_numpy(data)

    def features(self, t):
        angle = 2 * math.pi * t[:, None] * self.w[None]
        return self.torch.cat([self.torch.sin(angle), self.torch.cos(angle)], 1)

    def train(self, steps):
        torch = self.torch
        for step in range(1, steps + 1):
            x0 = self.data[torch.randint(0, self.data.shape[0], (BATCH,))]
            t = torch.rand(BATCH) * (1 - 1e-5) + 1e-5
            z = torch.randn(BATCH, 2)
            integral = 0.1 * t + 0.5 * (20 - 0.1) * t * t
            alpha = torch.exp(-0.5 * integral)
            sigma = torch.sqrt(1 - alpha * alpha)
            xt = alpha[:, None] * x0 + sigma[:, None] * z
            loss = ((self.net(torch.cat([xt, self.features(t)], 1)) - z) ** 2).sum(1).mean()
            optimiser_step(torch, loss, self.optimiser, self.params, self.ema, step)

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


DIGIT_HIDDEN, DIGIT_FEATURES, SIGMA_DATA, GUIDANCE, DIGIT_SAMPLES = 256, 32, 0.6, 2.0, 2000


def vp_torch(torch, t):
    integral = 0.1 * t + 0.5 * (20 - 0.1) * t * t
    alpha = torch.exp(-0.5 * integral)
    return alpha, torch.sqrt(1 - alpha * alpha)


def edm_coefficients(alpha, sigma):
    """EDM's c_in / alpha, c_skip / alpha and c_out on the VP process (as BZ_PREDICT_EDM)."""
    level = sigma / alpha
    variance = level * level + SIGMA_DATA ** 2
    return 1 / (alpha * variance ** 0.5), SIGMA_DATA ** 2 / (variance * alpha), level * SIGMA_DATA / variance ** 0.5


class TorchDigits:
    """The conditional EDM-preconditioned network of (4) and its training, in PyTorch."""

    def __init__(self, torch, data, labels, steps):
        self.torch = torch
        torch.manual_seed(0)
        nn = torch.nn
        width = 64 + DIGIT_FEATURES + 11
        self.net = nn.Sequential(nn.Linear(width, DIGIT_HIDDEN), nn.SiLU(), nn.Linear(DIGIT_HIDDEN, DIGIT_HIDDEN), nn.SiLU(),
                                 nn.Linear(DIGIT_HIDDEN, DIGIT_HIDDEN), nn.SiLU(), nn.Linear(DIGIT_HIDDEN, 64))
        self.params = list(self.net.parameters())
        self.ema = [p.detach().clone() for p in self.params]
        self.optimiser = torch_adam(torch, self.params)
        self.w = torch.randn(DIGIT_FEATURES // 2) * SCALE
        self.data, self.labels, self.steps = torch.from_numpy(data), torch.from_numpy(labels.astype(np.int64)), steps

    def features(self, t):
        angle = 2 * math.pi * t[:, None] * self.w[None]
        return self.torch.cat([self.torch.sin(angle), self.torch.cos(angle)], 1)

    def onehot(self, labels):
        return self.torch.nn.functional.one_hot(labels, 11).float()

    def train(self):
        torch = self.torch
        for step in range(1, self.steps + 1):
            rows = torch.randint(0, self.data.shape[0], (BATCH,))
            x0, y = self.data[rows], self.labels[rows].clone()
            y[torch.rand(BATCH) < 0.1] = 10
            t = torch.rand(BATCH) * (1 - 1e-5) + 1e-5
            alpha, sigma = vp_torch(torch, t)
            z = torch.randn(BATCH, 64)
            xt = alpha[:, None] * x0 + sigma[:, None] * z
            scale, skip, out = edm_coefficients(alpha, sigma)
            target = (x0 - skip[:, None] * xt) / out[:, None]
            loss = ((self.net(torch.cat([scale[:, None] * xt, self.features(t), self.onehot(y)], 1)) - target) ** 2).sum(1).mean()
            progress = (step - 1) / (self.steps - 1)
            for group in self.optimiser.param_groups:
                group["lr"] = (1e-3 + (1e-5 - 1e-3) * progress) * min(1.0, step / 100)
            optimiser_step(torch, loss, self.optimiser, self.params, self.ema, step)
        with torch.no_grad():
            for p, e in zip(self.params, self.ema):
                p.copy_(e)

    def sample(self, labels, times, seed, guidance=GUIDANCE):
        """Guided DDIM (eta 0) on `times`, then the denoiser at the last time."""
        torch = self.torch
        torch.manual_seed(seed)
        n = len(labels)
        both = self.onehot(torch.cat([torch.from_numpy(labels.astype(np.int64)), torch.full((n,), 10)]))
        with torch.inference_mode():
            def denoise(x, t):
                alpha, sigma = vp_torch(torch, torch.tensor(t, dtype=torch.float64))
                scale, skip, out = (float(c) for c in edm_coefficients(alpha, sigma))
                e = self.features(torch.full((1,), t)).expand(2 * n, DIGIT_FEATURES)
                o = self.net(torch.cat([scale * torch.cat([x, x]), e, both], 1))
                d = skip * torch.cat([x, x]) + out * o
                conditional, unconditional = d[:n], d[n:]
                return unconditional + guidance * (conditional - unconditional)
            x = torch.randn(n, 64)
            for t, s in zip(times[:-1], times[1:]):
                d = denoise(x, float(t))
                (at, st), (as_, ss) = (tuple(float(v) for v in vp_torch(torch, torch.tensor(float(u), dtype=torch.float64)))
                                       for u in (t, s))
                x = (ss / st) * x + (as_ - ss * at / st) * d
            return denoise(x, float(times[-1])).numpy()


def frechet(a, b):
    """|mu_a - mu_b|^2 + tr(C_a + C_b - 2 (C_a C_b)^(1/2)) of two sets of rows; the trace of
    the root is the sum of the square roots of C_a C_b's eigenvalues (real and >= 0, as
    those of C_a^(1/2) C_b C_a^(1/2); the digits' always-blank pixels make both singular)."""
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = np.sqrt(np.clip(np.linalg.eigvals(ca @ cb).real, 0, None)).sum()
    return float(((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(ca + cb) - 2 * root)


def product_floor(widths, batch=BATCH, runs=20):
    """The step's matrix products alone, one product per layer over the whole batch
    (forward, weight gradients, and the deltas below the last layer), on one thread
    through the OpenBLAS the engine links (numpy's when that one cannot be loaded):
    (flop per step, seconds per step, which BLAS)."""
    import ctypes
    rng = np.random.default_rng(0)
    layers = list(zip(widths[:-1], widths[1:]))
    a = [rng.random((batch, i), dtype=np.float32) for i, _ in layers]
    w = [rng.random((i, o), dtype=np.float32) for i, o in layers]
    d = [rng.random((batch, o), dtype=np.float32) for _, o in layers]
    out = np.empty((max(widths), max(widths)), np.float32)
    flops = 2.0 * batch * sum(i * o * (3 if k > 0 else 2) for k, (i, o) in enumerate(layers))
    try:
        blas = ctypes.CDLL("libopenblas.so.0")
        blas.openblas_set_num_threads(1)
        name = "OpenBLAS"
    except OSError:
        blas, name = None, "numpy's"

    def gemm(x, y, m, n, k, trans_x=False, trans_y=False):
        # The arguments of C (m x n) = op(x) op(y), row-major, as cblas_sgemm (made once:
        # ctypes' conversions would cost more than the smaller products).
        return (101, 112 if trans_x else 111, 112 if trans_y else 111, m, n, k, ctypes.c_float(1),
                x.ctypes.data_as(ctypes.c_void_p), x.shape[1], y.ctypes.data_as(ctypes.c_void_p), y.shape[1],
                ctypes.c_float(0), out.ctypes.data_as(ctypes.c_void_p), n)

    products = []
    for k, (i, o) in enumerate(layers):
        products += [gemm(a[k], w[k], batch, o, i), gemm(a[k], d[k], i, o, batch, trans_x=True)]
        if k > 0:
            products.append(gemm(d[k], w[k], batch, i, o, trans_y=True))

    def step():
        if blas is None:
            for k in range(len(layers)):
                a[k] @ w[k]
                a[k].T @ d[k]
                if k > 0:
                    d[k] @ w[k].T
            return
        for arguments in products:
            blas.cblas_sgemm(*arguments)
    return flops, best_time(runs, step, settle=0.5), name


def digits_section(torch, quick):
    """(4): the class-conditional digits model, ours beside PyTorch's."""
    from sklearn.linear_model import LogisticRegression
    steps = 2000 if quick else 8000
    x, y = bz.datasets.digits(binarize=False, signed=True)
    order = np.random.default_rng(0).permutation(len(x))
    train, test = order[:1200], order[1200:]
    classifier = LogisticRegression(max_iter=2000).fit(x[train], y[train])
    sde = bz.diffusion.VPSDE()
    requested = np.arange(DIGIT_SAMPLES) % 10
    times = sde.grid(50, method="ddim")
    print(f"\n(4) Conditional digits: 64+{DIGIT_FEATURES}+11 -> {DIGIT_HIDDEN} x 3 SiLU -> 64, EDM preconditioning, "
          f"{steps} steps; {DIGIT_SAMPLES} samples, guidance w = {GUIDANCE}, DDIM 50 + denoise (102 NFE)")
    models = {}
    for threads in (1, 2):
        bz.set_num_threads(threads)
        torch.set_num_threads(threads)
        ours = bz.diffusion.MLPScore(64, hidden=(DIGIT_HIDDEN,) * 3, embedding_size=DIGIT_FEATURES, embedding_scale=SCALE,
                                     prediction="edm", sigma_data=SIGMA_DATA, n_classes=10, seed=0)
        start = time.perf_counter()
        ours.fit(x[train], sde, labels=y[train], steps=steps, batch_size=BATCH, lr=1e-3, final_lr=1e-5, seed=0)
        ours_train = steps / (time.perf_counter() - start)
        theirs = TorchDigits(torch, x[train], y[train], steps)
        start = time.perf_counter()
        theirs.train()
        theirs_train = steps / (time.perf_counter() - start)
        samples = {}

        def ours_run():
            samples["ours"] = bz.diffusion.sample(ours, sde, DIGIT_SAMPLES, method="ddim", steps=50, labels=requested,
                                                  guidance=GUIDANCE, seed=1)

        def theirs_run():
            samples["theirs"] = theirs.sample(requested, times, seed=1)

        ours_time, theirs_time = best_of_alternating(3, ours_run, theirs_run)
        models.setdefault("ours", (ours, samples["ours"]))
        models.setdefault("theirs", (theirs, samples["theirs"]))
        print(f"  {threads} thread{'s' if threads > 1 else ''}")
        print(f"  {'  training, steps/s (batch 256)':<44} Boltzmann {ours_train:>10,.0f}   PyTorch {theirs_train:>10,.0f}"
              f"   ratio {ours_train / theirs_train:5.2f}x")
        if threads == 1:
            flops, seconds, blas = product_floor([64 + DIGIT_FEATURES + 11, DIGIT_HIDDEN, DIGIT_HIDDEN, DIGIT_HIDDEN, 64])
            print(f"  {'    the products alone':<44} {flops / 1e6:.1f} MFLOP a step, {flops / seconds / 1e9:.0f} GFLOP/s in "
                  f"{blas} sgemm: {1 / seconds:,.0f} steps/s; Boltzmann's step runs at {100 * ours_train * seconds:.0f}% of that, "
                  f"PyTorch's at {100 * theirs_train * seconds:.0f}%")
        print(f"  {'  guided sampling, samples/s':<44} Boltzmann {DIGIT_SAMPLES / ours_time:>10,.0f}   PyTorch "
              f"{DIGIT_SAMPLES / theirs_time:>10,.0f}   ratio {theirs_time / ours_time:5.2f}x")
    print(f"  {describe_handover()}")
    bz.set_num_threads(0)
    (ours, guided_ours), (theirs, guided_theirs) = models["ours"], models["theirs"]
    ours_samples, theirs_samples = [guided_ours], [guided_theirs]
    logits_test = classifier.decision_function(x[test])
    floor = (frechet(x[train], x[test]), frechet(classifier.decision_function(x[train]), logits_test))
    print(f"  {'':<44} {'label acc.':>10}   {'FD pixels':>10}   {'FD logits':>10}")
    print(f"  {'real training digits (the floor)':<44} {classifier.score(x[train], y[train]):>10.3f}   {floor[0]:>10.2f}   "
          f"{floor[1]:>10.2f}")
    # The models trained at 1 thread: the conditional model itself (w = 1, one evaluation a
    # step) beside the guided samples.
    ours_conditional = bz.diffusion.sample(ours, sde, DIGIT_SAMPLES, method="ddim", steps=50, labels=requested,
                                           guidance=1.0, seed=1)
    theirs_conditional = theirs.sample(requested, times, seed=1, guidance=1.0)
    for name, samples in (("Boltzmann, w = 1", ours_conditional), ("PyTorch, w = 1", theirs_conditional),
                          (f"Boltzmann, w = {GUIDANCE:g}", ours_samples[0]), (f"PyTorch, w = {GUIDANCE:g}", theirs_samples[0])):
        accuracy = (classifier.predict(samples) == requested).mean()
        print(f"  {name + ' samples':<44} {accuracy:>10.3f}   {frechet(samples, x[test]):>10.2f}   "
              f"{frechet(classifier.decision_function(samples), logits_test):>10.2f}")
    held_out = x[test][:100 if quick else 300]
    likelihood = bz.diffusion.log_likelihood(ours, sde, held_out, divergence="hutchinson", probes=2, progress=False)
    print(f"  test log-likelihood of {len(held_out)} held-out digits (unconditional slot): "
          f"{likelihood.mean:.1f} +- {likelihood.mean_error:.1f} nats, {likelihood.bits_per_dim.mean():.3f} bits/dim")


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
    print(describe_handover())
    digits_section(torch, quick)


if __name__ == "__main__":
    main()
