"""The benches' one timer: the shortest of several runs, as farm-bench and timeit do.

The minimum is the figure least disturbed by the rest of the machine; the benches print
it beside the peer's minimum, measured in the same run.
"""

import time


def best_of(runs, f, give_up_after=None, settle=0.0):
    """(shortest time in s, last result) of up to `runs` calls of f().

    give_up_after : float, optional
        Stop after a call that took longer than this many seconds (a slow baseline).
    settle : float
        Sleep this long before each call, so the other side's BLAS or OpenMP threads
        stop spinning first (OpenBLAS spins about 0.1 s).
    """
    times, result = [], None
    for _ in range(runs):
        if settle:
            time.sleep(settle)
        start = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - start)
        if give_up_after is not None and times[-1] > give_up_after:
            break
    return min(times), result


def best_time(runs, f, settle=0.0):
    """The shortest time in s of `runs` calls of f()."""
    return best_of(runs, f, settle=settle)[0]
