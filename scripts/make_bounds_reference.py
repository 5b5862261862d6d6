"""Reference Clopper-Pearson bounds at 40 significant digits, for tests/bounds/test_binomial_bounds.py.

How: the lower bound L(k, n, alpha) is the root of I_L(k, n - k + 1) = alpha. I_x(a, b) is
evaluated with mpmath at 40 digits — by ``mpmath.betainc`` where its hypergeometric series
converges (small n), otherwise by the continued fraction of DLMF 8.17.22 in mpmath arithmetic —
and the root is bracketed by bisection to 1e-35 relative. The stored value is the exact bound
rounded *down* to a double (``lower_floor``), so a test asserting ``ours <= lower_floor`` proves
ours is never above the exact bound; the upper bound is stored rounded *up*.

Why precomputed: mpmath at 40 digits takes seconds per bound for n = 10^7, too slow for every CI run.

Usage: python scripts/make_bounds_reference.py  (writes tests/data/clopper_pearson_mpmath.npz)
"""

from __future__ import annotations

from pathlib import Path

import mpmath as mp
import numpy as np

mp.mp.dps = 40


def inc_beta(a: mp.mpf, b: mp.mpf, x: mp.mpf) -> mp.mpf:
    if x <= 0:
        return mp.mpf(0)
    if x >= 1:
        return mp.mpf(1)
    if a + b < 2000:
        return mp.betainc(a, b, 0, x, regularized=True)
    if x > (a + 1) / (a + b + 2):
        return 1 - inc_beta(b, a, 1 - x)
    front = mp.exp(a * mp.log(x) + b * mp.log1p(-x) - (mp.loggamma(a) + mp.loggamma(b) - mp.loggamma(a + b))) / a
    tiny = mp.mpf("1e-300")
    c, d = mp.mpf(1), 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    f = d
    m = 1
    while True:
        num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1 + num * d
        c = 1 + num / c
        d = 1 / d
        f *= d * c
        num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1 + num * d
        c = 1 + num / c
        d = 1 / d
        delta = d * c
        f *= delta
        if abs(delta - 1) < mp.mpf("1e-38"):
            break
        m += 1
    return front * f


def cp_lower(k: int, n: int, alpha: float) -> mp.mpf:
    if k == 0:
        return mp.mpf(0)
    a, b, target = mp.mpf(k), mp.mpf(n - k + 1), mp.mpf(alpha)
    lo, hi = mp.mpf(0), mp.mpf(1)
    # Bisect in log space near 0 so tiny bounds get full relative precision.
    while hi - lo > hi * mp.mpf("1e-35"):
        mid = mp.sqrt(lo * hi) if lo > 0 and hi / lo > 4 else (lo + hi) / 2
        if lo == 0:
            mid = hi / 16 if hi > mp.mpf("1e-300") else hi / 2
        if inc_beta(a, b, mid) <= target:
            lo = mid
        else:
            hi = mid
    return lo


def floor_double(v: mp.mpf) -> float:
    d = float(v)
    return float(np.nextafter(d, -np.inf)) if mp.mpf(d) > v else d


def ceil_double(v: mp.mpf) -> float:
    d = float(v)
    return float(np.nextafter(d, np.inf)) if mp.mpf(d) < v else d


def cases() -> list[tuple[int, int, float]]:
    rng = np.random.default_rng(20261122)
    out: list[tuple[int, int, float]] = []
    for n in (1, 2, 3, 10, 100, 1000):
        for k in sorted({0, 1, n // 2, n - 1, n} - {-1}):
            for alpha in (0.5, 0.05, 1e-3, 1e-10):
                out.append((k, n, alpha))
    for _ in range(150):
        n = int(10 ** rng.uniform(0, 5))
        k = int(rng.integers(0, n + 1))
        alpha = float(10 ** rng.uniform(-10, -0.5))
        out.append((k, n, alpha))
    big = 10**7
    for k in (0, 1, 10, 5_000_000, 9_990_000, 9_999_999, big):
        for alpha in (1e-3, 1e-10):
            out.append((k, big, alpha))
    return out


def main() -> None:
    rows = cases()
    lower = np.array([floor_double(cp_lower(k, n, a)) for k, n, a in rows])
    upper = np.array([ceil_double(1 - cp_lower(n - k, n, a)) if k < n else 1.0 for k, n, a in rows])
    out = Path(__file__).resolve().parents[1] / "tests" / "data" / "clopper_pearson_mpmath.npz"
    np.savez(out, k=np.array([r[0] for r in rows]), n=np.array([r[1] for r in rows]),
             alpha=np.array([r[2] for r in rows]), lower_floor=lower, upper_ceil=upper)
    print(f"wrote {len(rows)} reference bounds to {out}")


if __name__ == "__main__":
    main()
