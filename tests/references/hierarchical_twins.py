"""Independent mpmath twins of the hierarchical certificates (used by the tests only).

Written from the formulas of Scholten et al. (NeurIPS 2023) and Bojchevski et al. (ICML 2020) at 40
significant digits, sharing no code with the compiled implementation.
"""

from __future__ import annotations

import mpmath as mp

mp.mp.dps = 40


def q_delta(p: float, r: int) -> tuple[mp.mpf, mp.mpf]:
    q = mp.mpf(p) ** r
    return q, 1 - q


def gaussian_binary(pa: float, p: float, sigma: float, r: int):
    """Exact eps* or None (not certified)."""
    q, d = q_delta(p, r)
    if mp.mpf(pa) - d <= mp.mpf(1) / 2:
        return None
    if mp.mpf(pa) == 1:
        return mp.inf
    return mp.mpf(sigma) * (mp.sqrt(2) * mp.erfinv(2 * ((mp.mpf(pa) - d) / q) - 1)
                            - mp.sqrt(2) * mp.erfinv(2 * (1 / (2 * q)) - 1))


def _ppf(x):
    return mp.sqrt(2) * mp.erfinv(2 * x - 1)


def gaussian_multiclass(pa: float, pb: float, p: float, sigma: float, r: int):
    """Exact supremum eps of the multiclass condition, or None when it fails at eps = 0."""
    q, d = q_delta(p, r)
    if mp.mpf(pa) - d <= 0 or mp.mpf(pb) / q >= 1:
        return None
    a = _ppf((mp.mpf(pa) - d) / q)
    b = _ppf(mp.mpf(pb) / q) if pb > 0 else -mp.inf

    def h(t):
        return q * mp.ncdf(a - t) - (q * mp.ncdf(b + t) + d)

    if h(0) <= 0:
        return None
    lo, hi = mp.mpf(0), (a - b) / 2 if b != -mp.inf else mp.mpf(60)
    for _ in range(140):  # 2^-140 of the bracket: far below the 40-digit working precision
        mid = (lo + hi) / 2
        if h(mid) > 0:
            lo = mid
        else:
            hi = mid
    return mp.mpf(sigma) * lo


def sparse_regions(ra: int, rd: int, pp: float, pm: float):
    """(px, py) per count m of flipped coordinates agreeing with the perturbed input, by direct sums."""
    pp, pm = mp.mpf(pp), mp.mpf(pm)
    out = []
    for m in range(ra + rd + 1):
        px = py = mp.mpf(0)
        for u in range(max(0, m - rd), min(ra, m) + 1):
            v = m - u
            cu, cv = mp.binomial(ra, u), mp.binomial(rd, v)
            px += cu * pp**u * (1 - pp) ** (ra - u) * cv * pm**v * (1 - pm) ** (rd - v)
            py += cu * (1 - pm) ** u * pm ** (ra - u) * cv * (1 - pp) ** v * pp ** (rd - v)
        out.append((px, py))
    return out


def _sorted(regions, reverse):
    def key(t):
        px, py = t
        return mp.inf if py == 0 else px / py

    regs = [t for t in regions if t[0] > 0 or t[1] > 0]
    return sorted(regs, key=key, reverse=not reverse)


def _fill(regions, t):
    acc_x = acc_y = mp.mpf(0)
    if t <= 0:
        return mp.mpf(0)
    for px, py in regions:
        if acc_x + px >= t:
            return acc_y + (t - acc_x) * py / px
        acc_x += px
        acc_y += py
    return acc_y


def sparse_rho_lower(pa, p, pp, pm, r, ra, rd):
    if r == 0 or ra + rd == 0:
        return mp.mpf(pa)
    q, d = q_delta(p, r)
    return q * _fill(_sorted(sparse_regions(ra, rd, pp, pm), False), (mp.mpf(pa) - d) / q)


def sparse_rho_upper(pb, p, pp, pm, r, ra, rd):
    if r == 0 or ra + rd == 0:
        return mp.mpf(pb)
    q, d = q_delta(p, r)
    return d + q * _fill(_sorted(sparse_regions(ra, rd, pp, pm), True), min(mp.mpf(1), mp.mpf(pb) / q))
