"""Every registered noise family, sampled on every backend, against the default CPU path.

The reference is the CPU kernel with its vector lanes, on two threads. Each backend must give the
same noise for the same (seed, role, input index, sample index, element):

- ``cpu-scalar``: the CPU kernels with the vector lanes off, so every value comes from the scalar
  generators, which are the code the CUDA kernels run (csrc/noise/rows_cpu.h). Bit-identical for
  every family and dtype.
- ``cpu-1-thread``: the same kernels on one thread instead of two. Bit-identical.
- ``cuda``: the CUDA kernels. Bit-identical where every operation of the family is exactly rounded
  on both sides. That covers the float32 generators, which use polynomial log, exp and sin/cos
  with an explicit fma (csrc/include/smoothcert/sampling.h), and it covers integer arithmetic. It
  does not cover double-precision calls to libm (log, sin, cos, pow, expm1, erfc) or a different
  summation order. For those the tolerance is in TWINS below, with its derivation.

Families that are sampled in Python on top of another kernel (the anisotropic ones) are included.
A family registered in ``Noise.registry`` without a row in TWINS fails here, so a new family cannot
miss its twin test.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np
import pytest
import torch

import smoothcert as sc
from smoothcert import _core
from smoothcert.noises import Noise

# Element shapes of one input: widths that end a row on each kind of vector step (whole pairs of
# vectors, single vectors, the partial last vector, the partial last 32-block chunk of the radial
# families) and an image, whose entities are pixels for the hierarchical families.
SHAPES = [(1,), (5,), (64,), (67,), (70,), (131,), (203,), (1031,), (3, 32, 32)]
SEED, INDEX, SAMPLE_OFFSET, NUM = 2**40 + 3, 5, 11, 11
# At least twice the kernels' parallel grain (kParallelGrain = 32768 output elements in
# csrc/noise/rows_cpu.h), so that two threads really split the rows.
MIN_ELEMENTS = 2 * 32768

EPS32, EPS64 = 2.0**-23, 2.0**-52  # one ulp of v is at most eps * |v|


@dataclass(frozen=True)
class Tolerance:
    """|device - reference| <= noise_rel * (|reference| + max|x|) + out_ulps * ulp(reference).

    |reference| + max|x| bounds the noise |reference - x| of an additive family, so ``noise_rel``
    is a relative error of the noise; ``out_ulps`` covers the final rounding of the noisy value.
    """

    noise_rel: float
    out_ulps: int
    reason: str


EXACT = None  # torch.equal

# Per-call difference between CUDA's double libm and glibc's, in ulps of the result: CUDA's
# documented maxima (CUDA C++ Programming Guide, double-precision function table: log, expm1 1;
# sin, cos, pow 2) plus glibc's 1 (glibc manual, "Errors in Math Functions", x86_64).
LIBM_ULPS = 3

# Box-Muller in double (sampling.h normal2_d): r = sqrt(-2 log u) differs by LIBM_ULPS / 2 + 1
# (the sqrt halves the log's relative difference and rounds), cos/sin by LIBM_ULPS, then r * cos
# and sigma * n add one rounding each: 1.5 + 1 + 3 + 1 + 1 = 7.5 eps. Laplace (one log) is
# 3 + 1 = 4 eps. Pareto has the longest chain: expm1(-log(u) / a) amplifies the log's 4 eps by the
# condition number of expm1, y / (1 - e^-y) <= 1 + y with y = -log(u) / a <= 37 / 4 for the
# a = 4 used here, giving 4 * 10.25 + LIBM_ULPS + 1 = 45 eps. 64 eps covers every chain.
LIBM_CHAIN = Tolerance(64 * EPS64, 1, "double-precision libm calls (log, sin, cos, expm1) differ "
                                      "between CUDA and glibc by <= 3 ulp each; chain of <= 45 eps")
# Gamma variates (Marsaglia & Tsang, sampling.h gamma) are d v with v = (1 + c x)^3, x a double
# Box-Muller normal (7.5 eps, as above), c = 1 / sqrt(9 d) <= 0.41 for the shapes >= 1/2 used here.
# v's relative difference is A * 7.5 eps with A = 3 |c x| / (1 + c x). A <= 33 when the shape is
# >= 10, because |x| < 8.7 with 53-bit uniforms. A > 2^10 needs 1 + c x < 0.011, so g < 1.4e-6 d.
# There the absolute difference A g 7.5 eps = 22.5 eps c |x| d (1 + c x)^2 is below 0.01 d eps.
# Raised to the radius's power (R = g^(1/k) or g^(1/p), down to g^(1/3) here), it stays within
# 10 eps, far under the max|x| floor of the tolerance. Summing the worst cases gives a budget:
#   - the beta prime radius of Pow2/PowInf (shapes 1 and 10): (2^10 + 33) * 7.5 eps = 7.9e3 eps;
#   - pow and the ratio: a few eps;
#   - a double-precision direction's norm over D <= 3072 terms (csrc/noise/radial_noise_cpu.cpp),
#     summed in the same order on both sides but through libm-dependent normals: each side's sum
#     is within (D - 1) eps / 2 of the exact one, so they differ by <= 3.1e3 eps.
# The total is 1.1e4 eps < 2^14 eps. A factor of 2 for margin gives 2^15 eps = 2^-37.
GAMMA_CHAIN = Tolerance(2.0**-37, 1, "double-precision Gamma radius (libm log, cos, pow inside a "
                                     "rejection sampler) and norm differ by < 2^-37 relative")
# A float32 family whose only double-precision libm step (the radial families' row scale
# lambda R / ||z||, the Expp fallback after a rejected first attempt) is rounded once to float: the
# float factor differs by <= 1 ulp, so the product with z differs by <= 2 eps32 relative, and the
# sum with x rounds once more.
ROUNDED_ONCE = Tolerance(2 * EPS32, 1, "a double-precision libm value rounded once to float32 "
                                       "may land on the neighbouring float")
# A float32 family computed in double and rounded to float32 at the end (the anisotropic uniform's
# x + theta (2 Phi(z) - 1)): two doubles that differ
# by GAMMA_CHAIN round to the same float or to neighbours.
DOUBLE_THEN_FLOAT = Tolerance(2.0**-37, 1, "computed in double (libm, summation order) and "
                                           "rounded once to float32")
# 2 Phi(z) - 1 in double, in absolute terms (it lies in (-1, 1)):
#   - z differs by 7.5 eps relative and |z| phi(z) <= 1/4, so 2 phi(z) dz <= 3.75 eps;
#   - torch's ndtr calls erf or erfc, documented at <= 5 ulp on CUDA and a few ulp in glibc, so
#     <= 10 eps, doubled by the factor 2;
#   - the scaling by theta <= 1/2 and the sum with x round twice.
# That is < 32 eps absolute, and max|x| (about 1 here) is a floor of |reference| + max|x|.
ANISOTROPIC_UNIFORM_F64 = Tolerance(32 * EPS64, 1, "torch's ndtr (erf/erfc) and the double "
                                                   "Box-Muller normals differ between devices")


@dataclass(frozen=True)
class Twin:
    """Test instances of one family and what its CUDA kernels promise per dtype."""

    make: Callable[[tuple[int, ...]], list[Noise]]  # instances for one element shape
    cuda_float32: Tolerance | None
    cuda_float64: Tolerance | None
    binary_inputs: bool = False
    min_elements: int = 1


def _numel(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


def _theta(shape: tuple[int, ...]) -> np.ndarray:
    return np.linspace(0.1, 0.5, _numel(shape))


def _hierarchical_sparse(shape: tuple[int, ...]) -> list[Noise]:
    if len(shape) == 1:
        return [sc.HierarchicalSparse(0.8, 0.1, 0.7, indicator=False)]
    # Entity-leading view of the image: rows (channel, row) of 32 binary features, plus the
    # indicator column.
    return [sc.HierarchicalSparse(0.8, 0.1, 0.7, entity_dim=(0, 1), indicator=True)]


TWINS: dict[str, Twin] = {
    "gaussian": Twin(lambda s: [sc.Gaussian(0.3)], EXACT, LIBM_CHAIN),
    "uniform": Twin(lambda s: [sc.Uniform(sigma=0.3)], EXACT, EXACT),  # lambda (2u - 1): exact ops
    "laplace": Twin(lambda s: [sc.Laplace(sigma=0.3)], EXACT, LIBM_CHAIN),
    "pareto": Twin(lambda s: [sc.Pareto(sigma=0.3, a=4.0)], EXACT, LIBM_CHAIN),
    # p < 1, p between 1 and 2, p > 2: the Gamma shape 1/p + 1 on either side of 2.
    "expp": Twin(lambda s: [sc.Expp(sigma=0.3, p=p) for p in (0.7, 1.5, 3.0)], ROUNDED_ONCE, GAMMA_CHAIN),
    # Split values and the bin midpoint: products, a ceil and an exactly rounded division.
    "ssn": Twin(lambda s: [sc.SSN(sigma=0.3)], EXACT, EXACT),
    # Integer offsets and shifts, one division by 255.
    "dssn": Twin(lambda s: [sc.DSSN(sigma=0.2)], EXACT, EXACT),
    "uniform-ball": Twin(lambda s: [sc.UniformBall(sigma=0.3, dim=_numel(s))], ROUNDED_ONCE, GAMMA_CHAIN),
    # j = 0 and j = 1: Gamma shapes (d - j) / k down to 1/2 at d = 1, where the boost U^(1/shape) is used.
    "exp2": Twin(lambda s: [sc.Exp2(sigma=0.3, dim=_numel(s), k=2.0, j=j) for j in (0.0, 1.0) if j < _numel(s)],
                 ROUNDED_ONCE, GAMMA_CHAIN),
    "pow2": Twin(lambda s: [sc.Pow2(sigma=0.3, dim=_numel(s), k=1.0, a=_numel(s) + 10.0)],
                 ROUNDED_ONCE, GAMMA_CHAIN),
    "exp1": Twin(lambda s: [sc.Exp1(sigma=0.3, dim=_numel(s), k=1.0)], ROUNDED_ONCE, GAMMA_CHAIN),
    "exp-inf": Twin(lambda s: [sc.ExpInf(sigma=0.3, dim=_numel(s), k=1.0)], ROUNDED_ONCE, GAMMA_CHAIN),
    "pow-inf": Twin(lambda s: [sc.PowInf(sigma=0.3, dim=_numel(s), a=_numel(s) + 10.0)],
                    ROUNDED_ONCE, GAMMA_CHAIN),
    "general-gaussian": Twin(lambda s: [sc.GeneralizedGaussian(sigma=0.3, k=_numel(s) // 3, dim=_numel(s))],
                             ROUNDED_ONCE, GAMMA_CHAIN, min_elements=2),
    "general-gaussian-th": Twin(
        lambda s: [sc.ThresholdedGeneralizedGaussian(sigma=0.3, k=_numel(s) // 3, dim=_numel(s), beta=0.5)],
        ROUNDED_ONCE, GAMMA_CHAIN, min_elements=2),
    # Selection by an integer threshold, then the Gaussian generator (exact in float32).
    "hierarchical-gaussian": Twin(lambda s: [sc.HierarchicalGaussian(selection_prob=0.6, sigma=0.3,
                                                                     indicator=len(s) > 1)],
                                  EXACT, LIBM_CHAIN),
    # 64-bit integer thresholds for deletions. Additions use geometric gaps
    # floor(log U / log(1 - p+)), with one libm log. The floor moves only when the quotient lies
    # within 3 ulp of an integer, which has probability < 2^-40 per gap for the gaps (< 2^8) here.
    "hierarchical-sparse": Twin(_hierarchical_sparse, EXACT, EXACT, binary_inputs=True),
    # x + theta * z over the Gaussian kernel: torch's multiply and add are exactly rounded on both devices.
    "anisotropic-gaussian": Twin(lambda s: [sc.AnisotropicGaussian(_theta(s), dim=_numel(s))], EXACT, LIBM_CHAIN),
    "anisotropic-uniform": Twin(lambda s: [sc.AnisotropicUniform(_theta(s), dim=_numel(s))],
                                DOUBLE_THEN_FLOAT, ANISOTROPIC_UNIFORM_F64),
}
# A rejection sampler's accept/reject decision, or a floor, can flip when its two sides lie within
# the tolerance above. That has probability of order 2^-37 per decision, so fewer than 2^-15
# over this test's draws; such a flip would show as one element far off.

CUDA_READY = bool(sc.build_info()["cuda"]) and torch.cuda.is_available()
BACKENDS = [
    "cpu-scalar",
    "cpu-1-thread",
    pytest.param("cuda", marks=pytest.mark.skipif(
        not CUDA_READY, reason="needs smoothcert built with CUDA kernels and a visible CUDA device")),
]


@contextlib.contextmanager
def scalar_generators_only() -> Iterator[None]:
    """Run the block with the CPU kernels' vector lanes off; restore them whatever happens."""
    assert _core.noise.set_vector_lanes(False) is True
    try:
        yield
    finally:
        _core.noise.set_vector_lanes(True)


def _inputs(shape: tuple[int, ...], dtype: torch.dtype, binary: bool) -> torch.Tensor:
    batch = max(3, -(-MIN_ELEMENTS // (NUM * _numel(shape))))
    gen = torch.Generator().manual_seed(_numel(shape))
    if binary:
        return torch.randint(0, 2, (batch, *shape), generator=gen).to(dtype)
    # On the 1/255 grid, as DSSN requires; in [0, 1] like images.
    return (torch.randint(0, 256, (batch, *shape), generator=gen) / 255.0).to(dtype)


def _sample(noise: Noise, x: torch.Tensor) -> torch.Tensor:
    return noise.sample_batch(x, NUM, seed=SEED, index=INDEX, sample_offset=SAMPLE_OFFSET)


def _assert_twins(got: torch.Tensor, ref: torch.Tensor, x: torch.Tensor, tol: Tolerance | None,
                  what: str) -> None:
    assert got.dtype == ref.dtype and got.shape == ref.shape, what
    if tol is EXACT:
        assert torch.equal(got, ref), f"{what}: {int((got != ref).sum())} of {ref.numel()} values differ"
        return
    got64, ref64 = got.double(), ref.double()
    ulp = (torch.nextafter(ref.abs(), torch.tensor(math.inf, dtype=ref.dtype)) - ref.abs()).double()
    bound = tol.noise_rel * (ref64.abs() + float(x.abs().max())) + tol.out_ulps * ulp
    excess = (got64 - ref64).abs() - bound
    assert bool((excess <= 0).all()), (f"{what}: {int((excess > 0).sum())} values beyond the tolerance "
                                       f"({tol.reason}); worst excess {float(excess.max()):.3g}")


def test_every_twin_row_names_a_registered_family():
    assert set(TWINS) <= set(Noise.registry), sorted(set(TWINS) - set(Noise.registry))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("family", sorted(Noise.registry))
def test_backend_gives_the_reference_noise(family, dtype, backend, num_threads):
    if family not in TWINS:
        pytest.fail(f"noise family {family!r} is registered but has no row in TWINS: add its test "
                    "instances and the tolerance its CUDA kernels promise")
    twin = TWINS[family]
    tol = {"cuda": {torch.float32: twin.cuda_float32, torch.float64: twin.cuda_float64}[dtype]}.get(backend, EXACT)
    for shape in SHAPES:
        if _numel(shape) < twin.min_elements:
            continue
        x = _inputs(shape, dtype, twin.binary_inputs)
        for noise in twin.make(shape):
            what = f"{noise!r} on {backend}, {dtype}, input shape {shape}"
            num_threads(2)
            ref = _sample(noise, x)
            if backend == "cpu-scalar":
                with scalar_generators_only():
                    got = _sample(noise, x)
            elif backend == "cpu-1-thread":
                num_threads(1)
                got = _sample(noise, x)
            else:
                got = _sample(noise, x.cuda())
                assert got.device.type == "cuda", what
                got = got.cpu()
            _assert_twins(got, ref, x, tol, what)


def test_set_vector_lanes_returns_the_previous_setting():
    assert _core.noise.set_vector_lanes(True) is True
    with scalar_generators_only():
        assert _core.noise.set_vector_lanes(False) is False
    assert _core.noise.set_vector_lanes(True) is True
