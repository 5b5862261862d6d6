"""Fused samplers of the all-shapes noise families (Yang et al. 2020) and SSN.

Distribution tests are seeded (so deterministic); their thresholds are what a correct sampler
passes with overwhelming probability: KS p-values above 1e-4, moments within 5 standard errors
estimated from the same sample.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as st
import torch

import smoothcert as sc
from smoothcert._native import core
from smoothcert.certify import registry
from smoothcert.certify import shapes as certify_shapes
from smoothcert.noises import Noise

P_MIN = 1e-4

D_SMALL = 48  # dimension of the radial-family distribution tests


def noise_of(x_dim: int, family: str, **kw):
    return Noise.registry[family](dim=x_dim, **kw)


def draw(noise, dim: int, rows: int, *, dtype=torch.float64, seed: int = 7) -> np.ndarray:
    """rows noise vectors (x = 0): [rows, dim] numpy."""
    x = torch.zeros((1, dim), dtype=dtype)
    return noise.sample_batch(x, rows, seed=seed)[0].double().numpy()


# ---------------------------------------------------------------------- construction
ALL = {
    "uniform": {}, "laplace": {}, "pareto": {"a": 5.0}, "expp": {"p": 1.5},
    "uniform-ball": {}, "exp2": {"k": 2.0, "j": 1.0}, "pow2": {"k": 1.0, "a": D_SMALL + 12.0},
    "exp-inf": {"k": 2.0, "j": 0.0}, "pow-inf": {"a": D_SMALL + 12.0}, "exp1": {"k": 1.5},
    "ssn": {},
}


def test_public_names_exported():
    for name in ["Uniform", "Laplace", "Pareto", "UniformBall", "ExpInf", "PowInf", "Exp2", "Pow2",
                 "Exp1", "Expp", "SSN", "DSSN"]:
        assert name in sc.__all__ and hasattr(sc, name)
        assert name in sc.noises.__all__
    for reg in ["uniform", "laplace", "pareto", "uniform-ball", "exp-inf", "pow-inf", "exp2", "pow2",
                "exp1", "expp", "ssn", "dssn"]:
        assert reg in Noise.registry


@pytest.mark.parametrize("family", sorted(ALL))
def test_sigma_lambd_round_trip_and_description(family):
    n = noise_of(D_SMALL, family, sigma=0.37, **ALL[family])
    m = noise_of(D_SMALL, family, lambd=n.lambd, **ALL[family])
    assert m.sigma == pytest.approx(0.37, rel=1e-13)
    rebuilt = Noise.from_description(n.describe())
    assert rebuilt.lambd == n.lambd and rebuilt.sigma == n.sigma


@pytest.mark.parametrize("bad", [
    lambda: sc.Laplace(),
    lambda: sc.Laplace(sigma=1.0, lambd=1.0),
    lambda: sc.Laplace(sigma=-1.0),
    lambda: sc.Laplace(lambd=math.inf),
    lambda: sc.Uniform(sigma=1.0, dim=0),
    lambda: sc.Exp2(sigma=1.0),
    lambda: sc.Exp2(sigma=1.0, dim=10, k=0.0),
    lambda: sc.Exp2(sigma=1.0, dim=10, j=10.0),
    lambda: sc.ExpInf(sigma=1.0, dim=10, k=-1.0),
    lambda: sc.PowInf(sigma=1.0, dim=10),
    lambda: sc.PowInf(sigma=1.0, dim=10, a=9.0),
    lambda: sc.PowInf(sigma=1.0, dim=10, a=11.0),  # finite law, infinite variance
    lambda: sc.Pow2(sigma=1.0, dim=10, k=2.0, a=5.0),
    lambda: sc.Pareto(sigma=1.0, a=2.0),
    lambda: sc.Pareto(lambd=1.0, a=0.0),
    lambda: sc.Expp(sigma=1.0, p=0.0),
    lambda: sc.Exp1(sigma=1.0, dim=3.5),
])
def test_bad_parameters_raise_value_error(bad):
    with pytest.raises(ValueError):
        bad()


def test_infinite_variance_family_built_by_scale():
    n = sc.Pareto(lambd=0.5, a=1.5)
    assert n.sigma == math.inf
    assert torch.isfinite(n.sample_batch(torch.zeros(1, 16), 4)).all()


def test_bad_inputs_raise_value_error():
    n = sc.Exp2(sigma=0.5, dim=12)
    with pytest.raises(ValueError, match="dim=12"):
        n.sample_batch(torch.zeros(2, 13), 3)
    with pytest.raises(ValueError):
        n.sample_batch(torch.zeros(2, 12, dtype=torch.int32), 3)
    with pytest.raises(ValueError):
        n.sample_batch(torch.full((2, 12), math.nan), 3)
    with pytest.raises(ValueError):
        n.sample_batch(torch.zeros(2, 12), -1)
    with pytest.raises(ValueError):
        core.noise.iid_sample(np.zeros((2, 3)), np.zeros((2, 4, 3)), core.noise.IidLaw.uniform,
                               -1.0, 0.0, 0, 0, 0, 0)
    with pytest.raises(ValueError):
        core.noise.radial_sample(np.zeros((2, 3)), np.zeros((2, 4, 4)), core.noise.Direction.l2,
                                  core.noise.RadiusLaw.gamma, 3.0, 0.0, 1.0, 1.0, 0, 0, 0, 0)


# ---------------------------------------------------------------------- sigma formulas
@pytest.mark.parametrize("family,kw", [
    ("uniform", {}), ("laplace", {}), ("pareto", {"a": 9.0}), ("expp", {"p": 0.7}),
    ("expp", {"p": 3.0}), ("uniform-ball", {}), ("exp2", {"k": 1.0, "j": 0.0}),
    ("exp2", {"k": 2.0, "j": 3.0}), ("pow2", {"k": 1.0, "a": D_SMALL + 20.0}),
    ("pow2", {"k": 2.0, "a": D_SMALL / 2 + 12.0}), ("exp-inf", {"k": 1.0, "j": 0.0}),
    ("exp-inf", {"k": 3.0, "j": 2.0}), ("pow-inf", {"a": D_SMALL + 20.0}), ("exp1", {"k": 1.0}),
    ("exp1", {"k": 2.0}), ("ssn", {}),
])
def test_sigma_matches_formula(family, kw):
    n = noise_of(D_SMALL, family, sigma=0.8, **kw)
    if family == "ssn":
        # The classifier sees the bin midpoint; x - midpoint is U(-λ, λ) away from the clipping
        # at 0 and 1, i.e. the uniform noise whose σ SSN reports.
        x = torch.full((1, D_SMALL), 0.5, dtype=torch.float64)
        big = sc.SSN(sigma=0.01)
        d = (big.sample_batch(x, 6000, seed=3)[0] - x[0]).numpy()
        q = (d ** 2).mean(axis=1)
        assert abs(q.mean() - 0.01 ** 2) <= 5 * q.std() / math.sqrt(q.size)
        return
    d = draw(n, D_SMALL, 6000)
    q = (d ** 2).mean(axis=1)  # per-row ||δ||^2 / d; its mean is σ^2
    assert abs(q.mean() - n.sigma ** 2) <= 5 * q.std(ddof=1) / math.sqrt(q.size)


# ---------------------------------------------------------------------- i.i.d. coordinates
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("family,kw,law", [
    ("uniform", {}, lambda lam, kw: st.uniform(-lam, 2 * lam)),
    ("laplace", {}, lambda lam, kw: st.laplace(scale=lam)),
])
def test_iid_coordinates_ks(family, kw, law, dtype):
    n = noise_of(64, family, lambd=0.3, **kw)
    v = draw(n, 64, 1500, dtype=dtype).ravel()
    assert st.kstest(v, law(0.3, kw).cdf).pvalue > P_MIN
    # Sign symmetric: exact binomial test on the number of positive coordinates.
    assert st.binomtest(int((v > 0).sum()), v.size, 0.5).pvalue > P_MIN


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("a", [0.8, 3.0, 7.5])
def test_pareto_ks(a, dtype):
    n = sc.Pareto(lambd=2.0, a=a)
    v = draw(n, 64, 1500, dtype=dtype).ravel()
    assert st.kstest(np.abs(v) / 2.0 + 1.0, st.pareto(a).cdf).pvalue > P_MIN
    assert st.binomtest(int((v > 0).sum()), v.size, 0.5).pvalue > P_MIN


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("p", [0.5, 1.0, 2.0, 4.0])
def test_expp_ks(p, dtype):
    n = sc.Expp(lambd=0.7, p=p)
    v = draw(n, 64, 1000, dtype=dtype).ravel()
    assert st.kstest((np.abs(v) / 0.7) ** p, st.gamma(1.0 / p).cdf).pvalue > P_MIN
    assert st.binomtest(int((v > 0).sum()), v.size, 0.5).pvalue > P_MIN


# ---------------------------------------------------------------------- radius × direction
RADIAL = [
    # family, shape params, norm of the direction, law of the transformed radius
    ("uniform-ball", {}, 2, lambda r, d, kw: (r ** d, st.uniform())),
    ("exp2", {"k": 1.0, "j": 0.0}, 2, lambda r, d, kw: (r, st.gamma(d))),
    ("exp2", {"k": 2.0, "j": 5.0}, 2, lambda r, d, kw: (r ** 2, st.gamma((d - 5) / 2))),
    ("pow2", {"k": 2.0, "a": D_SMALL / 2 + 3.5}, 2,
     lambda r, d, kw: (r ** 2, st.betaprime(d / 2, 3.5))),
    ("exp-inf", {"k": 1.0, "j": 0.0}, math.inf, lambda r, d, kw: (r, st.gamma(d))),
    ("exp-inf", {"k": 0.5, "j": 2.0}, math.inf, lambda r, d, kw: (r ** 0.5, st.gamma((d - 2) / 0.5))),
    ("pow-inf", {"a": D_SMALL + 2.5}, math.inf, lambda r, d, kw: (r, st.betaprime(d, 2.5))),
    ("exp1", {"k": 1.0}, 1, lambda r, d, kw: (r, st.gamma(d))),
    ("exp1", {"k": 3.0}, 1, lambda r, d, kw: (r ** 3, st.gamma(d / 3))),
]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("family,kw,order,law", RADIAL)
def test_radius_law_ks(family, kw, order, law, dtype):
    lam = 0.25
    n = noise_of(D_SMALL, family, lambd=lam, **kw)
    delta = draw(n, D_SMALL, 3000, dtype=dtype)
    r = np.linalg.norm(delta, ord=order, axis=1) / lam
    t, dist = law(r, D_SMALL, kw)
    assert st.kstest(t, dist.cdf).pvalue > P_MIN


@pytest.mark.parametrize("family", ["uniform-ball", "exp2", "pow2"])
def test_l2_direction_uniform_on_sphere(family):
    n = noise_of(D_SMALL, family, sigma=1.0, **ALL[family])
    delta = draw(n, D_SMALL, 3000)
    u = delta / np.linalg.norm(delta, axis=1, keepdims=True)
    # u_i^2 ~ Beta(1/2, (d-1)/2) for a uniform direction; two coordinates, one from each end.
    for i in (0, D_SMALL - 1):
        assert st.kstest(u[:, i] ** 2, st.beta(0.5, (D_SMALL - 1) / 2).cdf).pvalue > P_MIN
    # Mean direction 0: each coordinate has variance 1/d.
    assert np.abs(u.mean(axis=0)).max() <= 5 * math.sqrt(1 / D_SMALL / u.shape[0])


def test_l1_direction_uniform_on_l1_sphere():
    delta = draw(sc.Exp1(sigma=1.0, dim=D_SMALL, k=2.0), D_SMALL, 3000)
    u = delta / np.abs(delta).sum(axis=1, keepdims=True)
    # Dirichlet(1, ..., 1) magnitudes: |u_i| ~ Beta(1, d-1); signs fair.
    for i in (0, 17):
        assert st.kstest(np.abs(u[:, i]), st.beta(1, D_SMALL - 1).cdf).pvalue > P_MIN
    assert st.binomtest(int((u > 0).sum()), u.size, 0.5).pvalue > P_MIN


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_linf_direction_uniform_on_cube_surface(dtype):
    lam = 0.5
    n = sc.ExpInf(lambd=lam, dim=D_SMALL, k=2.0)
    delta = draw(n, D_SMALL, 3000, dtype=dtype)
    r = np.abs(delta).max(axis=1, keepdims=True)
    u = delta / r
    face = np.abs(u).argmax(axis=1)
    # Exactly one coordinate on the face (|u| = 1); its index uniform, its sign fair.
    on_face = np.abs(u) == 1.0
    assert (on_face.sum(axis=1) == 1).all()
    counts = np.bincount(face, minlength=D_SMALL)
    assert st.chisquare(counts).pvalue > P_MIN
    assert st.binomtest(int((u[np.arange(len(u)), face] > 0).sum()), len(u), 0.5).pvalue > P_MIN
    # The other coordinates are U(-1, 1).
    others = u[~on_face]
    assert st.kstest(others, st.uniform(-1, 2).cdf).pvalue > P_MIN


# ---------------------------------------------------------------------- SSN
def test_ssn_split_law_wide_bins():
    # λ >= 1/2 and x in [0, 1]: the classifier sees (1 + s)/2 if x > s, else min(s, 1)/2, with
    # s ~ U(0, 2λ): P(out > 1/2) = x / (2λ), and given x > s, s = 2 out - 1 ~ U(0, x).
    lam = 0.8
    x = torch.tensor([[0.1, 0.35, 0.6, 0.95]], dtype=torch.float64)
    out = sc.SSN(lambd=lam).sample_batch(x, 20000, seed=11)[0].numpy()
    for e in range(4):
        above = out[:, e] > 0.5
        assert st.binomtest(int(above.sum()), out.shape[0], x[0, e].item() / (2 * lam)).pvalue > P_MIN
        s = 2 * out[above, e] - 1
        assert st.kstest(s, st.uniform(0, x[0, e].item()).cdf).pvalue > P_MIN


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_ssn_split_law_narrow_bins(dtype):
    lam = 0.1
    gen = torch.Generator().manual_seed(0)
    x = torch.rand((3, 32), generator=gen, dtype=torch.float64).to(dtype)
    out = sc.SSN(lambd=lam).sample_batch(x, 4000, seed=5).double()
    dev = (out - x[:, None, :].double()).numpy()
    # The bin midpoint (clipped to [0, 1]) is within λ of x.
    assert np.abs(dev).max() <= lam * (1 + 1e-6)
    # Away from the clipping (x in [2λ, 1 - 2λ]), x - midpoint is U(-λ, λ).
    inner = ((x >= 2 * lam) & (x <= 1 - 2 * lam)).numpy()
    sel = np.broadcast_to(inner[:, None, :], dev.shape)
    assert st.kstest(dev[sel], st.uniform(-lam, 2 * lam).cdf).pvalue > P_MIN


# ---------------------------------------------------------------------- determinism
FAMILIES_FOR_DETERMINISM = [
    sc.Uniform(sigma=0.3), sc.Laplace(sigma=0.3), sc.Pareto(sigma=0.3, a=4.0), sc.Expp(sigma=0.3, p=1.5),
    sc.UniformBall(sigma=0.3, dim=70), sc.Exp2(sigma=0.3, dim=70, k=2.0),
    sc.Pow2(sigma=0.3, dim=70, k=1.0), sc.ExpInf(sigma=0.3, dim=70), sc.PowInf(sigma=0.3, dim=70, a=90.0),
    sc.Exp1(sigma=0.3, dim=70, k=1.0), sc.SSN(sigma=0.3),
]


@pytest.mark.parametrize("noise", FAMILIES_FOR_DETERMINISM, ids=lambda n: n.name)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_noise_is_a_function_of_identity(noise, dtype, num_threads):
    gen = torch.Generator().manual_seed(1)
    x = torch.rand((4, 7, 10), generator=gen, dtype=dtype)
    full = noise.sample_batch(x, 9, seed=42, index=3)
    assert full.dtype == dtype and full.shape == (4, 9, 7, 10)
    # Per input, split over samples, other thread counts: identical bits.
    one = noise.sample(x[2], 9, seed=42, index=5)
    assert torch.equal(one, full[2])
    halves = torch.cat([noise.sample_batch(x, 4, seed=42, index=3),
                        noise.sample_batch(x, 5, seed=42, index=3, sample_offset=4)], dim=1)
    assert torch.equal(halves, full)
    num_threads(1)
    single = noise.sample_batch(x, 9, seed=42, index=3)
    assert torch.equal(single, full)
    # A different seed, role or index gives different noise.
    assert not torch.equal(noise.sample_batch(x, 9, seed=43, index=3), full)
    assert not torch.equal(noise.sample_batch(x, 9, seed=42, index=3, role=1), full)
    assert not torch.equal(noise.sample_batch(x, 9, seed=42, index=4), full)


def test_float32_and_float64_agree_in_law():
    # Different precision paths, same distribution: two-sample KS on the noise radius.
    n = sc.Exp2(lambd=1.0, dim=D_SMALL, k=2.0)
    a = np.linalg.norm(draw(n, D_SMALL, 3000, dtype=torch.float32), axis=1)
    b = np.linalg.norm(draw(n, D_SMALL, 3000, dtype=torch.float64, seed=8), axis=1)
    assert st.ks_2samp(a, b).pvalue > P_MIN


# ---------------------------------------------------------------------- certificate delegation
def test_certify_is_the_declared_certificate_scaled_by_lambd():
    entry = registry.certificate(sc.PowInf, "linf")
    assert entry.scale == "lambd" and entry.method == "differential"
    p = np.array([0.4, 0.75, 0.99])
    unit = certify_shapes.powinf_linf(p, dim=20, a=30.0)
    r = sc.PowInf(lambd=2.0, dim=20, a=30.0).certify(p, norm="linf")
    assert math.isnan(r[0])
    # λ times the unit-scale radius, rounded down (never above the exact product).
    np.testing.assert_array_equal(r[1:], np.nextafter(2.0 * unit[1:], -np.inf))
    with pytest.raises(ValueError, match="norm"):
        sc.Exp2(lambd=0.5, dim=20, k=2.0, j=1.0).certify([0.7], norm="l1")


def test_gaussian_accepts_the_scale_lambd():
    assert sc.Gaussian(lambd=0.3).sigma == 0.3
    assert Noise.from_description(sc.Gaussian(lambd=0.3).describe()).sigma == 0.3
    for bad in (lambda: sc.Gaussian(), lambda: sc.Gaussian(0.3, lambd=0.3), lambda: sc.Gaussian(lambd=-1.0)):
        with pytest.raises(ValueError):
            bad()


@pytest.mark.parametrize("noise", [sc.Uniform(sigma=0.3), sc.Laplace(sigma=0.3), sc.Pareto(sigma=0.3, a=4.0),
                                   sc.Expp(sigma=0.3, p=0.7), sc.Expp(sigma=0.3, p=3.0), sc.SSN(sigma=0.3),
                                   sc.Gaussian(0.3)],
                         ids=lambda n: f"{n.name}-{n.params()}")
def test_vector_and_scalar_lanes_agree(noise):
    # Element e's noise depends on (seed, role, input, sample, e) only. A wide input computes the
    # first elements in pairs of vectors; narrower ones reach them through single vectors and the
    # partial last vector (widths 67, 99, 131 cover each path for 4, 8 and 16 lanes of 4 values).
    gen = torch.Generator().manual_seed(2)
    x = torch.rand((2, 1031), generator=gen)
    wide = noise.sample_batch(x, 5, seed=9)
    for width in (67, 99, 131, 200):
        narrow = noise.sample_batch(x[:, :width].contiguous(), 5, seed=9)
        assert torch.equal(wide[..., :width], narrow), width


@pytest.mark.parametrize("make", [lambda d: sc.UniformBall(lambd=1.0, dim=d), lambda d: sc.Exp2(lambd=1.0, dim=d, k=2),
                                  lambda d: sc.Exp1(lambd=1.0, dim=d), lambda d: sc.ExpInf(lambd=1.0, dim=d, k=1),
                                  lambda d: sc.PowInf(lambd=1.0, dim=d, a=d + 10.0)],
                         ids=["uniform-ball", "exp2", "exp1", "exp-inf", "pow-inf"])
def test_radial_directions_agree_between_vector_and_scalar_chunks(make):
    # A radial copy is lambda R z / |z|: for the same element identities the direction values z
    # are the same whether their block lies in a whole 32-block chunk or in the partial last one,
    # so out_wide / out_narrow is one constant per copy (R and |z| differ with the width). The
    # ratio is exact up to the two products' rounding.
    narrow_w, wide_w = 100, 1000
    wide = make(wide_w).sample_batch(torch.zeros(1, wide_w), 6, seed=4)[0, :, :narrow_w].double()
    narrow = make(narrow_w).sample_batch(torch.zeros(1, narrow_w), 6, seed=4)[0].double()
    # The l-infinity families set one random face coordinate to +-1 in each copy: not a z value.
    ratio = wide / narrow
    if make(1).name in ("exp-inf", "pow-inf"):
        ratio = ratio.masked_fill(narrow.abs() == narrow.abs().amax(dim=1, keepdim=True), float("nan"))
        ratio = ratio.masked_fill(wide.abs() == wide.abs().amax(dim=1, keepdim=True), float("nan"))
    ref = torch.nanmedian(ratio, dim=1, keepdim=True).values
    ok = torch.isnan(ratio) | ((ratio - ref).abs() <= 4 * 2.0**-24 * ref.abs())
    assert bool(ok.all())

