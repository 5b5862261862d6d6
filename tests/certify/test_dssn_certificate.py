"""Split noise certificates and DSSN enumeration (Levine & Feizi 2021).

The SSN radius is checked against an mpmath twin at 50 digits and the original CIFAR-10 run; the
DSSN radius against a brute-force vote-moving twin and the original derandomized run.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import torch

import smoothcert as sc
from smoothcert.certify import dssn
from smoothcert.certify.dssn import dssn_levels

mpmath.mp.dps = 50


# ---------------------------------------------------------------------- SSN closed form
def ssn_twin(lambd: float, p: float) -> mpmath.mpf:
    return mpmath.mpf(lambd) * (2 * mpmath.mpf(p) - 1)


def sweep_p() -> np.ndarray:
    rng = np.random.default_rng(0)
    tail = 1.0 - np.logspace(-12, np.log10(0.5), 400)
    near_half = 0.5 + np.logspace(-16, -1, 200)
    p = np.unique(np.concatenate([rng.uniform(0.5, 1.0, 2000), tail, near_half, [0.5 + 2**-53, 1.0]]))
    return p[p > 0.5]


@pytest.mark.parametrize("scale", [{"sigma": 1e-6}, {"sigma": 0.12}, {"lambd": 1.0}, {"sigma": 3.7e5}])
def test_ssn_radius_sound_and_tight_against_mpmath(scale):
    noise = sc.SSN(**scale)
    p = sweep_p()
    r = noise.certify(p, norm="l1")
    twin = [ssn_twin(noise.lambd, float(q)) for q in p]
    for ri, ti in zip(r, twin):
        assert mpmath.mpf(float(ri)) <= ti
        if ti > 0:
            # One rounding to nearest plus one step down: below 1.5 ulp, i.e. 2^-52 * 1.5 < 4.5e-16.
            assert abs(mpmath.mpf(float(ri)) - ti) / ti <= 4.5e-16
    # Abstain (NaN) at p <= 1/2, radius 0 never confused with it.
    out = noise.certify([0.0, 0.3, 0.5], norm="l1")
    assert np.isnan(out).all()
    with pytest.raises(ValueError):
        noise.certify([1.2], norm="l1")
    with pytest.raises(ValueError):
        noise.certify([0.7], norm="l2")


def test_ssn_reproduces_original_cifar_run(reference_dir):
    run = reference_dir / "dssn" / "cifar_split_1.0"
    p = np.load(run / "prob_lb.npy")
    ref = np.load(run / "radius_l1.npy")  # float32 values of sqrt(3) sigma (2p - 1), sigma = 1
    ours = sc.SSN(sigma=1.0).certify(p, norm="l1")
    cert = p > 0.5
    assert np.isnan(ours[~cert]).all()  # the original reports negative radii there
    spacing = np.spacing(np.abs(ref[cert]).astype(np.float32)).astype(np.float64)
    assert np.all(np.abs(ours[cert] - ref[cert]) <= spacing)
    lambd = math.sqrt(3.0)
    for i in np.flatnonzero(cert)[::97]:
        assert mpmath.mpf(float(ours[i])) <= ssn_twin(lambd, float(p[i]))


# ---------------------------------------------------------------------- DSSN certificate
def brute_force_votes(counts: np.ndarray) -> int:
    """Largest k such that moving any k votes cannot change the argmax (lowest index on ties)."""
    a = int(np.argmax(counts))
    k = 0
    while True:
        nxt = k + 1
        for b in range(len(counts)):
            if b == a:
                continue
            moved = counts.astype(np.int64).copy()
            take = min(nxt, moved[a])
            moved[a] -= take
            moved[b] += take
            if int(np.argmax(moved)) != a:
                return k
        k = nxt


def test_dssn_matches_brute_force_twin():
    rng = np.random.default_rng(3)
    levels = dssn_levels(0.4)
    for _ in range(300):
        c = rng.integers(2, 7)
        counts = rng.multinomial(levels, rng.dirichlet(np.full(c, 0.5)))
        r = dssn(counts, lambd=0.4)
        k = brute_force_votes(counts)
        assert Fraction(float(r)) <= Fraction(k, 255)
        assert round(float(r) * 255) == k
    # Ties: the lower index wins. A tied top pair certifies k = 0; A one vote above a
    # lower-index rival also k = 0 (one moved vote makes a tie that the rival wins).
    levels = dssn_levels(0.2)
    assert levels == 102
    assert dssn([51, 51, 0], lambd=0.2) == 0.0
    assert dssn([50, 51, 1], lambd=0.2) == 0.0
    r = float(dssn([53, 49, 0], lambd=0.2))
    assert round(r * 255) == 2 and Fraction(r) <= Fraction(2, 255)


def test_dssn_levels_and_inputs():
    assert dssn_levels(math.sqrt(3.0)) == 883  # sigma = 1: int(2 sqrt(3) 255)
    counts = np.zeros((2, 10), dtype=np.int64)
    counts[:, 3] = 883
    r = dssn(counts, sigma=1.0)
    assert r.shape == (2,) and np.all(r == r[0]) and abs(r[0] - 441 / 255) < 1e-15
    assert dssn(counts / 883.0, sigma=1.0).tolist() == r.tolist()  # frequencies
    assert dssn(counts.astype(np.float64), sigma=1.0).tolist() == r.tolist()  # float counts
    for bad in (counts[:, :3], counts - 1, np.full((2, 10), 0.1), np.full((2, 10), np.nan), counts[0, :0]):
        with pytest.raises(ValueError):
            dssn(bad, sigma=1.0)
    with pytest.raises(ValueError):
        dssn(counts, sigma=1.0, lambd=1.0)
    with pytest.raises(ValueError):
        dssn(counts, sigma=-1.0)


def test_dssn_reproduces_original_cifar_run(reference_dir):
    run = reference_dir / "dssn" / "cifar_split_derandomized_1.0"
    freqs = np.load(run / "preds.npy")
    ref = np.load(run / "radius_l1.npy")
    pred_ref = np.load(run / "predicted_labels.npy")
    ours = dssn(freqs, sigma=1.0)
    # The original divides the integer margin k by 255 in float32; ours is the same k, with k/255
    # rounded toward -inf in float64. Same k for every input, and ours never above k/255.
    k_ref = np.rint(ref * 255).astype(np.int64)
    k_ours = np.rint(ours * 255).astype(np.int64)
    assert np.array_equal(k_ours, k_ref)
    for k in np.unique(k_ours):
        assert Fraction(float(ours[k_ours == k][0])) <= Fraction(int(k), 255)
    # The stored float32 radii lie up to ~1.2 float32 ulps from k/255 (mostly above it: the
    # original over-reports by rounding); ours differ from them by no more than that.
    assert np.all(np.abs(ours - ref) <= 2 * np.spacing(ref.astype(np.float32)))
    counts = np.rint(freqs * 883).astype(np.int64)
    assert np.array_equal(np.argmax(counts, axis=1), pred_ref.astype(np.int64))


def test_dssn_p_bound_certificate_is_below_exact():
    noise = sc.DSSN(sigma=0.5)
    rng = np.random.default_rng(1)
    for _ in range(200):
        counts = rng.multinomial(noise.levels, rng.dirichlet(np.full(4, 0.3)))
        a = int(np.argmax(counts))
        p = counts[a] / noise.levels
        if p <= 0.5:
            continue
        assert noise.certify([p], norm="l1")[0] <= noise.certify_counts(counts)


# ---------------------------------------------------------------------- DSSN enumeration
def split_twin(a: np.ndarray, b: np.ndarray, levels: int) -> np.ndarray:
    """Clipped midpoint of the bin containing x = a/255 when the split lattice is
    (b + 1/2)/255 + (L/255) Z (the paper's ceil formulation, in exact rationals)."""
    out = np.empty(np.broadcast(a, b).shape)
    for idx in np.ndindex(out.shape):
        ai, bi = int(np.broadcast_to(a, out.shape)[idx]), int(np.broadcast_to(b, out.shape)[idx])
        s = Fraction(2 * bi + 1, 510)
        w = Fraction(levels, 255)
        u = w * math.ceil((Fraction(ai, 255) - s) / w) + s
        out[idx] = float((min(u, Fraction(1)) + max(u - w, Fraction(0))) / 2)
    return out


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_dssn_enumerates_every_shift_once(dtype):
    noise = sc.DSSN(sigma=0.05)  # L = int(2 sqrt(3) 0.05 255) = 44 shifts
    levels = noise.levels
    assert levels == 44
    a = np.array([[0, 1, 37, 128, 200, 254, 255, 43]])
    x = torch.tensor(a / 255.0, dtype=dtype)
    out = noise.sample_batch(x, levels, seed=9)[0].double().numpy()  # [L, 8]
    # Over all shifts each coordinate meets every split value once: the multiset of what the
    # classifier sees equals the twin's over b = 0 ... L-1, whatever the offset.
    b = np.arange(levels)[:, None]
    twin = split_twin(a, b, levels)
    tol = 1e-6 if dtype == torch.float32 else 1e-14
    np.testing.assert_allclose(np.sort(out, axis=0), np.sort(twin, axis=0), rtol=0, atol=tol)
    # Shift t is one rotation of the shift-0 offsets: out[t] is the twin at b = (o + t) mod L.
    for e in range(a.shape[1]):
        cands = [o for o in range(levels)
                 if np.allclose(out[:, e], split_twin(a[0, e], (o + np.arange(levels)) % levels, levels), atol=tol)]
        assert cands


def test_dssn_offsets_shared_across_inputs_roles_and_batches():
    noise = sc.DSSN(sigma=0.1)
    gen = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (3, 20), generator=gen).double() / 255
    full = noise.sample_batch(x, noise.levels, seed=4)
    assert torch.equal(noise.sample_batch(x[1:2], noise.levels, seed=4, index=17, role=1)[0], full[1])
    part = noise.sample_batch(x, 10, seed=4, sample_offset=20)
    assert torch.equal(part, full[:, 20:30])
    assert not torch.equal(noise.sample_batch(x, noise.levels, seed=5), full)


def test_dssn_rejects_off_grid_inputs_and_extra_shifts():
    noise = sc.DSSN(sigma=0.1)
    with pytest.raises(ValueError, match="grid"):
        noise.sample_batch(torch.full((1, 4), 0.5), 3)
    x = torch.full((1, 4), 3 / 255)
    with pytest.raises(ValueError, match="shifts"):
        noise.sample_batch(x, noise.levels + 1)
    with pytest.raises(ValueError, match="shifts"):
        noise.sample_batch(x, 2, sample_offset=noise.levels - 1)
    with pytest.raises(ValueError):
        sc.DSSN(lambd=1e-4)
    # The same checks when the classifier draws its chunks (kernel bound once per batch).
    g = sc.SmoothedClassifier(lambda t: t.reshape(t.shape[0], -1)[:, :2], noise, 2)
    with pytest.raises(ValueError, match="grid"):
        g.sample_counts(torch.full((1, 4), 0.5), 3)
    with pytest.raises(ValueError, match="shifts"):
        g.sample_counts(x, noise.levels + 1, batch_size=noise.levels)
    with pytest.raises(ValueError, match="shifts"):
        g.sample_counts(x, 3, sample_offset=noise.levels - 1)


def test_dssn_end_to_end_certificate_holds_on_the_grid():
    """SmoothedClassifier enumerates the L shifts; no grid point within the certified ℓ1 radius
    changes the DSSN prediction (checked by re-enumerating perturbed inputs)."""
    torch.manual_seed(0)
    d = 16
    model = torch.nn.Linear(d, 3).double()
    noise = sc.DSSN(sigma=0.3)
    g = sc.SmoothedClassifier(model, noise, num_classes=3, seed=2)
    rng = np.random.default_rng(5)
    x = torch.tensor(rng.integers(0, 256, (1, d)) / 255.0)

    def votes(xx: torch.Tensor) -> np.ndarray:
        with torch.no_grad():
            return np.asarray(g.sample_counts(xx, noise.levels, batch_size=50).counts)[0]

    counts = votes(x)
    assert counts.sum() == noise.levels
    radius = float(dssn(counts, sigma=0.3))
    k = round(radius * 255)
    pred = int(np.argmax(counts))
    for _ in range(25):
        # A random grid perturbation with exactly k quanta of ℓ1 mass, spread over coordinates.
        steps = rng.multinomial(k, np.full(d, 1.0 / d)) * rng.choice([-1, 1], d)
        moved = torch.tensor((np.rint(x.numpy() * 255) + steps) / 255.0)
        assert int(np.argmax(votes(moved))) == pred


def test_smoothed_classifier_certifies_dssn_exactly():
    import smoothcert as sc
    from smoothcert.data import default_model, load_digits_split

    x, _ = load_digits_split("test")
    x = torch.round(x[:4] * 255) / 255
    noise = sc.DSSN(sigma=0.25)
    g = sc.SmoothedClassifier(default_model(), noise, 10, seed=2)
    res = g.certify(x, n0=1, n=1, alpha=0.5)
    counts = g.sample_counts(x, noise.exact_draws())
    assert res.method == "exact" and res.n == noise.levels and not res.abstained.any()
    assert np.array_equal(res.radius, sc.certify.dssn(counts.counts, sigma=0.25))
    assert np.array_equal(res.prediction, counts.counts.argmax(1))
