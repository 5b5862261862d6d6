from __future__ import annotations

import statistics
import time
from typing import Any, Callable


def paired_speedup(benchmark, ours: Callable[[], Any], baseline: Callable[[], Any], label: str,
                   rounds: int = 30, warmup_rounds: int = 2) -> Any:
    """Benchmark ``ours`` with ``baseline`` timed once just before each of its rounds; returns ours' result.

    The separate baseline and smoothcert rows of a group are measured seconds apart, and a shared
    machine's speed drifts by tens of percent over seconds. Two calls made back to back see the same
    machine, so the median of the per-round ratios baseline / ours is the steadier speed-up. It is
    recorded in the benchmark's ``extra_info`` (``speedup_paired`` with its quartiles) and printed.
    """
    base: list[float] = []

    def time_baseline() -> None:
        t0 = time.perf_counter()
        baseline()
        base.append(time.perf_counter() - t0)

    result = benchmark.pedantic(ours, setup=time_baseline, rounds=rounds, warmup_rounds=warmup_rounds)
    if benchmark.stats is not None:
        ours_times = benchmark.stats.stats.data
        ratios = sorted(b / o for b, o in zip(base[-len(ours_times):], ours_times))
        q1, median, q3 = statistics.quantiles(ratios, n=4)
        benchmark.extra_info.update(speedup_paired=median, speedup_paired_q1=q1, speedup_paired_q3=q3,
                                    baseline_median_ms=statistics.median(base) * 1e3)
        print(f"\n{label}: paired speed-up {median:.2f}x (quartiles {q1:.2f}-{q3:.2f}x), "
              f"baseline median {statistics.median(base) * 1e3:.1f} ms")
    return result
