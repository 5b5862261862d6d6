"""SmoothedClassifier end to end: an exact linear case, the digits model, and bad input."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest
import scipy.stats as st
import torch

import smoothcert as sc
from smoothcert import bounds
from smoothcert.data import DEFAULT_SIGMA, default_model, load_digits_split
from smoothcert.noises.base import ROLE_SELECT


class Linear(torch.nn.Module):
    """f(x) = 1 if w.x + b > 0 else 0, as two logits."""

    def __init__(self, w: torch.Tensor, b: float) -> None:
        super().__init__()
        self.w, self.b = w, b

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = x.reshape(x.shape[0], -1) @ self.w + self.b
        return torch.stack([torch.zeros_like(s), s], dim=1)


@pytest.fixture(scope="module")
def linear_case():
    gen = torch.Generator().manual_seed(0)
    d = 20
    w = torch.randn(d, generator=gen, dtype=torch.float64)
    b = 0.3
    x = torch.randn(40, d, generator=gen, dtype=torch.float64) * 0.15
    margin = (x @ w + b).abs() / w.norm()
    return Linear(w, b), x, margin.numpy(), (x @ w + b > 0).long().numpy()


def test_linear_certificates_are_sound_and_tight(linear_case):
    model, x, true_radius, true_class = linear_case
    sigma, n, alpha = 0.5, 20_000, 1e-6
    g = sc.SmoothedClassifier(model, sc.Gaussian(sigma), num_classes=2, seed=3)
    res = g.certify(x, n0=100, n=n, alpha=alpha, batch_size=4096)
    ok = ~res.abstained
    assert ok.sum() >= 30
    assert np.all(res.prediction[ok] == true_class[ok])
    # Soundness: each certificate holds with probability >= 1 - alpha; 40 inputs at alpha = 1e-6.
    assert np.all(res.radius[ok] <= true_radius[ok])
    # Tightness: the count is Binomial(n, p_A); within 5 sd of n p_A the CP radius lies in a band.
    p_true = st.norm.cdf(true_radius / sigma)
    sd = np.sqrt(n * p_true * (1 - p_true))
    k_lo = np.clip(np.floor(n * p_true - 5 * sd), 0, n)
    k_hi = np.clip(np.ceil(n * p_true + 5 * sd), 0, n)
    r_lo = sigma * st.norm.ppf(bounds.clopper_pearson_lower(k_lo, n, alpha))
    r_hi = sigma * st.norm.ppf(bounds.clopper_pearson_lower(k_hi, n, alpha))
    assert np.all((res.radius[ok] >= r_lo[ok] - 1e-12) & (res.radius[ok] <= r_hi[ok] + 1e-12))
    # Abstentions only where p_A is close to 1/2: the estimate abstains only below
    # 1/2 + ~10 sd of p-hat (about 0.535), and n0 = 100 selection draws pick the wrong class with
    # probability P[Bin(100, p) <= 50] < 0.002 once p >= 0.65.
    assert np.all(p_true[~ok] < 0.65)
    assert np.all(np.isnan(res.radius[~ok])) and np.all(res.prediction[~ok] == -1)


def test_multiclass_radius_is_sound_and_at_most_binary(linear_case):
    model, x, true_radius, _ = linear_case
    g = sc.SmoothedClassifier(model, sc.Gaussian(0.5), num_classes=2, seed=4)
    binary = g.certify(x, 100, 20_000, 1e-6, 4096)
    multi = g.certify(x, 100, 20_000, 1e-6, 4096, multiclass=True)
    ok = ~multi.abstained
    assert np.all(multi.radius[ok] <= true_radius[ok])
    assert np.all(multi.p_b_upper[ok] < multi.p_a_lower[ok])
    # Two classes: p_B = 1 - p_A, so the p_A/p_B radius equals the binary one up to the
    # halved alpha of the Bonferroni split (it can only be smaller).
    both = ok & ~binary.abstained
    assert np.all(multi.radius[both] <= binary.radius[both] + 1e-12)
    assert multi.method == "cohen-pa-pb" and binary.method == "cohen"


def test_predict_abstains_on_the_boundary_and_is_right_elsewhere(linear_case):
    model, x, _, true_class = linear_case
    g = sc.SmoothedClassifier(model, sc.Gaussian(0.5), num_classes=2, seed=5)
    w = model.w
    on_boundary = torch.randn(30, w.numel(), dtype=torch.float64)
    on_boundary -= ((on_boundary @ w + model.b) / (w @ w))[:, None] * w[None, :]
    pred = g.predict(on_boundary, n=2000, alpha=0.01)
    # Under H0 (p = 1/2) a prediction is made with probability <= alpha: allow 3 of 30
    # (P[Bin(30, 0.01) >= 3] < 0.004).
    assert (pred != -1).sum() <= 2
    far = x[np.abs(x.numpy() @ w.numpy() + model.b) / w.norm().item() > 0.3]
    pred_far = g.predict(far, n=2000, alpha=0.01)
    expect = (far @ w + model.b > 0).long()
    assert torch.equal(pred_far, expect)


def test_counts_do_not_depend_on_batch_size_and_grouping():
    model = default_model()
    x, _ = load_digits_split("test")
    g = sc.SmoothedClassifier(model, sc.Gaussian(DEFAULT_SIGMA), 10, seed=1)
    a = g.sample_counts(x[:5], 300, batch_size=7, index=20)
    b = g.sample_counts(x[:5], 300, batch_size=5000, index=20)
    c = [g.sample_counts(x[i:i + 1], 300, batch_size=64, index=20 + i) for i in range(5)]
    assert np.array_equal(a.counts, b.counts)
    assert np.array_equal(a.counts, np.concatenate([ci.counts for ci in c]))
    assert np.all(a.n == 300) and list(a.indices) == list(range(20, 25))


def _recording_model() -> tuple[Callable[[torch.Tensor], torch.Tensor], list[tuple[int, torch.Tensor]]]:
    """A 3-class model that records (buffer address, copy) of every batch it receives."""
    seen: list[tuple[int, torch.Tensor]] = []

    def model(t: torch.Tensor) -> torch.Tensor:
        seen.append((t.data_ptr(), t.clone()))
        return t.reshape(t.shape[0], -1)[:, :3]

    return model, seen


@pytest.mark.parametrize("noise", [sc.Gaussian(0.5), sc.Laplace(sigma=0.5), sc.UniformBall(sigma=0.5, dim=16),
                                   sc.GeneralizedGaussian(0.5, k=2.0, dim=16), sc.AnisotropicGaussian(theta=0.5)],
                         ids=lambda n: type(n).__name__)
def test_chunks_reuse_one_buffer_and_the_model_sees_each_chunks_own_noise(noise):
    # Every chunk of an input is sampled into one buffer once the previous chunk's votes are
    # counted (the last, shorter chunk into its front); every batch the model receives must still
    # be that chunk's noise, never stale data.
    x = torch.rand(2, 1, 4, 4, generator=torch.Generator().manual_seed(0))
    model, seen = _recording_model()
    g = sc.SmoothedClassifier(model, noise, 3, seed=4)
    g.sample_counts(x, 43, batch_size=20, index=7, sample_offset=5)  # chunks of 20, 20 and 3 per input
    sizes = [(0, 20), (20, 20), (40, 3)]
    assert len(seen) == 2 * len(sizes)
    for k, (b, (s0, m)) in enumerate((b, c) for b in range(2) for c in sizes):
        want = noise.sample_batch(x[b:b + 1], m, seed=4, index=7 + b, sample_offset=5 + s0)[0]
        assert torch.equal(seen[k][1], want)
    if not isinstance(noise, sc.AnisotropicGaussian):  # a kernel noise writes into the old chunk
        assert seen[0][0] == seen[1][0] == seen[2][0] and seen[3][0] == seen[4][0] == seen[5][0]


def test_certify_passes_share_one_buffer_and_see_their_own_noise():
    # Selection (n0 copies, role 1) and estimation (n copies, role 0) write into one buffer sized for
    # the larger pass; each batch must be exactly its role's noise.
    noise = sc.Gaussian(0.5)
    x = torch.rand(3, 1, 4, 4, generator=torch.Generator().manual_seed(1))
    model, seen = _recording_model()
    g = sc.SmoothedClassifier(model, noise, 3, seed=2)
    g.certify(x, 10, 50, 0.01, batch_size=40, index=3)  # estimation: 40-row chunks; selection: 3 inputs x 10
    for k, (b, s0, m) in enumerate([(b, s0, m) for b in range(3) for s0, m in ((0, 40), (40, 10))]):
        assert torch.equal(seen[k][1], noise.sample_batch(x[b:b + 1], m, seed=2, index=3 + b, sample_offset=s0)[0])
    selection = noise.sample_batch(x, 10, seed=2, index=3, role=ROLE_SELECT).reshape(30, 1, 4, 4)
    assert torch.equal(seen[6][1], selection)
    assert len(seen) == 7 and len({ptr for ptr, _ in seen}) == 1


def test_no_draws_give_zero_counts():
    g = sc.SmoothedClassifier(lambda t: t.reshape(t.shape[0], -1)[:, :3], sc.Gaussian(0.5), 3)
    counts = g.sample_counts(torch.zeros(2, 4), 0)
    assert counts.counts.shape == (2, 3) and not counts.counts.any()


def test_rows_out_reuses_only_a_matching_contiguous_tensor():
    from smoothcert.noises.base import rows_out

    like = torch.zeros(2, 3)
    buf = torch.empty(2, 5, 3)
    assert rows_out(buf, (2, 5, 3), like) is buf
    assert rows_out(None, (2, 5, 3), like).shape == (2, 5, 3)
    for other in (torch.empty(2, 4, 3), torch.empty(2, 5, 3, dtype=torch.float64), torch.empty(2, 3, 5).transpose(1, 2)):
        new = rows_out(other, (2, 5, 3), like)
        assert new is not other and new.shape == (2, 5, 3) and new.dtype == like.dtype and new.is_contiguous()

def test_digits_model_certifies_most_test_inputs():
    model = default_model()
    x, y = load_digits_split("test")
    g = sc.SmoothedClassifier(model, sc.Gaussian(DEFAULT_SIGMA), 10, seed=0)
    res = g.certify(x[:60], n0=100, n=2000, alpha=0.001, batch_size=2000)
    correct = (res.prediction == y[:60].numpy())
    assert correct.mean() > 0.85
    assert np.nanmax(res.radius) <= DEFAULT_SIGMA * st.norm.ppf(0.001 ** (1 / 2000)) + 1e-12
    cert = res[0]
    assert cert.n == 2000 and cert.n0 == 100 and cert.alpha == 0.001 and cert.seed == 0
    assert cert.noise == {"noise": "gaussian", "sigma": DEFAULT_SIGMA, "dim": None}


def test_model_in_training_mode_is_restored():
    model = default_model().train()
    g = sc.SmoothedClassifier(model, sc.Gaussian(0.25), 10)
    g.sample_counts(torch.zeros(1, 1, 8, 8), 10)
    assert model.training


def test_submodule_training_modes_are_restored():
    model = default_model()
    model.net[1].train()
    g = sc.SmoothedClassifier(model, sc.Gaussian(0.25), 10)
    g.sample_counts(torch.zeros(1, 1, 8, 8), 10)
    assert [m.training for m in model.modules()] == [m is model.net[1] for m in model.modules()]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_votes_are_first_argmax_counts_per_input(dtype):
    # Scores with many exact ties (few distinct values) must vote like torch.argmax: first maximum.
    gen = torch.Generator().manual_seed(3)
    table = torch.randint(0, 3, (4 * 37, 5), generator=gen).to(dtype)
    calls = iter(table.split(37))

    def model(t: torch.Tensor) -> torch.Tensor:
        return next(calls)

    g = sc.SmoothedClassifier(model, sc.Gaussian(0.25), 5)
    counts = g.sample_counts(torch.zeros(4, 2), 37, batch_size=37).counts
    expect = np.stack([np.bincount(t.float().argmax(dim=1).numpy(), minlength=5) for t in table.split(37)])
    assert np.array_equal(counts, expect)
    # Several inputs in one forward pass: rows split per input in order.
    calls = iter([table])
    grouped = g.sample_counts(torch.zeros(4, 2), 37, batch_size=4 * 37).counts
    assert np.array_equal(grouped, expect)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "requires_grad"])
@pytest.mark.parametrize("classes", [2, 7, 16, 17, 40])  # the core unrolls 2 .. 16 classes
def test_votes_are_torch_argmax_counts(dtype, layout, classes):
    # Scores with many exact ties (few distinct values): the first maximal class wins, as in torch.argmax.
    gen = torch.Generator().manual_seed(3)
    table = torch.randint(0, 4, (3 * 41, classes), generator=gen).to(dtype)

    def model(t: torch.Tensor) -> torch.Tensor:
        rows = table[:t.shape[0]]
        if layout == "transposed":
            return rows.t().contiguous().t()
        return rows.clone().requires_grad_(True) if layout == "requires_grad" and dtype != torch.float16 else rows

    g = sc.SmoothedClassifier(model, sc.Gaussian(0.5), classes)
    counts = g.sample_counts(torch.zeros(3, 2), 41, batch_size=3 * 41).counts  # one forward for three inputs
    votes = table.float().argmax(dim=1).view(3, 41)
    expect = np.stack([np.bincount(v.numpy(), minlength=classes) for v in votes])
    assert np.array_equal(counts, expect)


def test_nan_model_output_is_an_error():
    g = sc.SmoothedClassifier(lambda t: torch.full((t.shape[0], 10), float("nan")), sc.Gaussian(0.25), 10)
    with pytest.raises(ValueError, match="NaN"):
        g.certify(torch.zeros(1, 1, 8, 8), 10, 100, 0.01)
    half = sc.SmoothedClassifier(lambda t: torch.zeros(t.shape[0], 10, dtype=torch.float16).index_fill_(
        1, torch.tensor([2]), float("nan")), sc.Gaussian(0.25), 10)
    with pytest.raises(ValueError, match="NaN"):
        half.sample_counts(torch.zeros(1, 3), 5)
    for dtype in (torch.float32, torch.float64):  # one NaN in the middle of a chunk
        one = sc.SmoothedClassifier(lambda t, dtype=dtype: torch.zeros(t.shape[0], 4, dtype=dtype).index_fill_(
            0, torch.tensor([t.shape[0] // 2]), float("nan")), sc.Gaussian(0.25), 4)
        with pytest.raises(ValueError, match="NaN"):
            one.sample_counts(torch.zeros(2, 3), 50, batch_size=100)


@pytest.mark.parametrize("kwargs, match", [
    (dict(alpha=0.0), "alpha"), (dict(alpha=1.0), "alpha"), (dict(n0=0), "n0"), (dict(n=0), "n"),
    (dict(n0=500, n=100), "n0"), (dict(batch_size=0), "batch_size"), (dict(n=2.5), "n"),
])
def test_bad_certify_arguments(kwargs, match):
    g = sc.SmoothedClassifier(default_model(), sc.Gaussian(0.25), 10)
    args = dict(n0=10, n=100, alpha=0.01, batch_size=100) | kwargs
    with pytest.raises(ValueError, match=match):
        g.certify(torch.zeros(1, 1, 8, 8), **args)


def test_bad_inputs_and_models():
    g = sc.SmoothedClassifier(default_model(), sc.Gaussian(0.25), 10)
    with pytest.raises(ValueError, match="NaN"):
        g.certify(torch.full((1, 1, 8, 8), float("nan")), 10, 100, 0.01)
    with pytest.raises(ValueError, match="batch"):
        g.certify(torch.zeros(64), 10, 100, 0.01)
    wrong = sc.SmoothedClassifier(lambda t: torch.zeros(t.shape[0], 3), sc.Gaussian(0.25), 10)
    with pytest.raises(ValueError, match="model output"):
        wrong.certify(torch.zeros(1, 1, 8, 8), 10, 100, 0.01)
    with pytest.raises(ValueError, match="noise"):
        sc.SmoothedClassifier(default_model(), "gaussian", 10)
    with pytest.raises(ValueError, match="num_classes"):
        sc.SmoothedClassifier(default_model(), sc.Gaussian(0.25), 1)
    with pytest.raises(ValueError, match="multiclass"):
        sc.SmoothedClassifier(default_model(), sc.Laplace(sigma=0.25), 10).certify(torch.zeros(1, 1, 8, 8), 10, 100, 0.01,
                                                                           multiclass=True)


def test_training_is_deterministic_and_learns():
    from smoothcert.data import train_digits_model

    a = train_digits_model(0.25, epochs=3, seed=1)
    b = train_digits_model(0.25, epochs=3, seed=1)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)
    x, y = load_digits_split("test")
    with torch.no_grad():
        acc = (a(x).argmax(1) == y).float().mean().item()
    assert acc > 0.5  # ten classes: chance is 0.1
    with pytest.raises(ValueError, match="epochs"):
        train_digits_model(0.25, epochs=0)


def test_shipped_models_for_each_sigma():
    from smoothcert.data import load_model, shipped_sigmas

    assert {0.25, 0.5, 1.0} <= set(shipped_sigmas())
    x, y = load_digits_split("test")
    for sigma in shipped_sigmas():
        model = load_model(None, sigma=sigma)
        with torch.no_grad():
            assert (model(x).argmax(1) == y).float().mean() > 0.9


@pytest.mark.parametrize("noise,certified_by", [
    (sc.HierarchicalSparse(0.8, 0.1, 0.7), r"HierarchicalSparse\.certify_perturbation"),
    (sc.ThresholdedGeneralizedGaussian(0.5, 1.0, 16, 0.5), r"smoothcert\.certify\.dsrs"),
])
@pytest.mark.parametrize("norm", [None, "l2"])
def test_certify_refuses_a_noise_without_a_single_radius_certificate(noise, certified_by, norm):
    g = sc.SmoothedClassifier(lambda t: torch.zeros(t.shape[0], 2), noise, 2)
    with pytest.raises(ValueError, match=rf"noise {type(noise).__name__} has no single-radius certificate.*{certified_by}"):
        g.certify(torch.zeros(1, 16), 10, 100, 0.01, norm=norm)


def test_gaussian_certifies_l1_and_linf_from_the_same_counts(linear_case):
    model, x = linear_case[0], linear_case[1]
    d = x[0].numel()
    g = sc.SmoothedClassifier(model, sc.Gaussian(0.5, dim=d), 2, seed=3)
    l2 = g.certify(x[:8], 50, 2000, 1e-3)
    l1 = g.certify(x[:8], 50, 2000, 1e-3, norm="l1")
    linf = g.certify(x[:8], 50, 2000, 1e-3, norm="linf")
    assert l1.norm == "l1" and linf.norm == "linf" and l2.norm == "l2"
    np.testing.assert_array_equal(l1.radius, l2.radius)
    ok = ~l2.abstained
    assert ok.any()
    assert (linf.radius[ok] <= l2.radius[ok] / np.sqrt(d)).all()
    np.testing.assert_allclose(linf.radius[ok], l2.radius[ok] / np.sqrt(d), rtol=1e-15)
    with pytest.raises(ValueError, match="multiclass"):
        g.certify(x[:1], 10, 100, 0.01, norm="linf", multiclass=True)
