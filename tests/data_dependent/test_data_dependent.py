"""Data-dependent smoothing: sigma optimisation, anisotropic certificates, memory-based certification."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import torch

from smoothcert import Gaussian, SmoothedClassifier
from smoothcert.data_dependent import (MemoryCertifier, anisotropic_radius, certify_data_dependent, evaluate_proxy,
                                      load_sigma_file, optimize_sigma, radius_proxy, save_sigma_file)
from smoothcert.cli import main as cli_main
from smoothcert.data import default_model, load_digits_split
from smoothcert.noises import AnisotropicGaussian, AnisotropicUniform
from smoothcert.results import read_results

mpmath.mp.dps = 40


@pytest.fixture(scope="module")
def model() -> torch.nn.Module:
    return default_model()


@pytest.fixture(scope="module")
def digits() -> torch.Tensor:
    return load_digits_split("test")[0][:16]


# ------------------------------------------------------------------ optimisation
@pytest.mark.parametrize("norm,sigma0", [("l2", 0.05), ("l1", 0.1)])
def test_optimisation_increases_proxy(model, digits, norm, sigma0):
    res = optimize_sigma(model, digits, sigma0=sigma0, norm=norm, iterations=60, samples=32)
    assert torch.all(res.sigma > 0) and torch.all(torch.isfinite(res.sigma))
    # Common random numbers (same stream, same step) for both scales: the difference is the
    # effect of the scale, not of fresh noise.
    before = evaluate_proxy(model, digits, sigma0, norm=norm, samples=1000, seed=7)
    after = evaluate_proxy(model, digits, res.sigma, norm=norm, samples=1000, seed=7)
    diff = (after - before).double()
    # Mean improvement significantly positive (> 3 standard errors over the 16 inputs).
    assert diff.mean() > 3 * diff.std() / math.sqrt(diff.numel())
    assert (diff > 0).float().mean() >= 0.75


def test_anisotropic_optimisation_increases_proxy(model, digits):
    x = digits[:8]
    res = optimize_sigma(model, x, sigma0=0.05, anisotropic=True, iterations=40, lr=0.5, samples=32)
    assert res.sigma.shape == x.shape and torch.all(res.sigma > 0)
    before = evaluate_proxy(model, x, torch.full_like(x, 0.05), samples=1000, seed=7)
    after = evaluate_proxy(model, x, res.sigma, samples=1000, seed=7)
    assert torch.all(after > before)


def test_sigma_stays_positive_under_huge_steps(model, digits):
    res = optimize_sigma(model, digits[:4], sigma0=1e-3, lr=50.0, iterations=5, samples=8)
    assert torch.all(res.sigma > 0) and torch.all(torch.isfinite(res.sigma))


def test_batch_does_not_change_an_inputs_trajectory(model, digits):
    together = optimize_sigma(model, digits[:4], sigma0=0.1, iterations=15, samples=16, index=3)
    for b in range(4):
        alone = optimize_sigma(model, digits[b:b + 1], sigma0=0.1, iterations=15, samples=16, index=3 + b)
        torch.testing.assert_close(alone.sigma[0], together.sigma[b], rtol=1e-5, atol=0)
        assert alone.iterations[0] == together.iterations[b]


def test_stopping_rule_stops_early_on_a_flat_proxy():
    # Probabilities (1/2, 1/2) whatever the input: the proxy is 0 for every sigma, so the first
    # step sets the best value and the next `patience` steps cannot improve on it.
    flat = lambda z: torch.zeros(z.shape[0], 2, dtype=z.dtype)  # noqa: E731
    res = optimize_sigma(flat, torch.zeros(3, 4), iterations=100, patience=5, samples=4)
    assert torch.all(res.converged) and torch.all(res.iterations == 6)


def test_logits_and_probabilities(model, digits):
    x = digits[:4]
    probs_model = lambda z: torch.softmax(model(z), dim=1)  # noqa: E731
    kwargs = dict(sigma0=0.1, iterations=10, samples=16, patience=100)
    from_logits = optimize_sigma(model, x, outputs="logits", **kwargs)
    from_probs = optimize_sigma(probs_model, x, outputs="probabilities", **kwargs)
    torch.testing.assert_close(from_logits.sigma, from_probs.sigma, rtol=1e-4, atol=0)
    # Softmax applied to probabilities flattens them: a different (wrong) proxy.
    wrong = optimize_sigma(probs_model, x, outputs="logits", **kwargs)
    assert not torch.allclose(wrong.proxy, from_probs.proxy, rtol=1e-2)
    with pytest.raises(ValueError, match="outputs='probabilities'"):
        optimize_sigma(model, x, outputs="probabilities", **kwargs)


def test_radius_proxy_formulas():
    psi = torch.tensor([[0.7, 0.2, 0.1], [0.5, 0.5, 0.0]], dtype=torch.float64)
    sigma = torch.tensor([0.5, 2.0], dtype=torch.float64)
    from scipy.stats import norm
    l2 = radius_proxy(psi, sigma, norm="l2")
    assert l2[0].item() == pytest.approx(0.25 * (norm.ppf(0.7) - norm.ppf(0.2)), rel=1e-12)
    assert l2[1].item() == 0.0
    l1 = radius_proxy(psi, sigma, norm="l1")
    assert l1[0].item() == pytest.approx(0.5 * 0.5, rel=1e-12)
    theta = torch.tensor([[0.5, 2.0, 1.0, 4.0]] * 2, dtype=torch.float64)
    aniso = radius_proxy(psi, theta, norm="l1", min_weight=1.0)
    geo = (0.5 * 2.0 * 1.0 * 4.0) ** 0.25
    assert aniso[0].item() == pytest.approx((geo + 0.5) * 0.5, rel=1e-12)
    # Clamp keeps Phi^{-1}(1) finite.
    assert torch.isfinite(radius_proxy(torch.tensor([[1.0, 0.0]]), torch.tensor([1.0]))).all()


# ------------------------------------------------------------------ certificates
def _mp_ppf(p: float) -> mpmath.mpf:
    return mpmath.sqrt(2) * mpmath.erfinv(2 * mpmath.mpf(p) - 1)


@pytest.mark.parametrize("p_a", [0.5 + 1e-12, 0.51, 0.9, 0.999, 1 - 1e-10])
@pytest.mark.parametrize("theta_scale", [1e-4, 0.25, 30.0])
def test_anisotropic_l2_radius_against_mpmath(p_a, theta_scale):
    rng = np.random.default_rng(0)
    theta = theta_scale * rng.uniform(0.5, 2.0, size=257)
    r = anisotropic_radius(theta, p_a)
    exact = mpmath.mpf(float(theta.min())) * _mp_ppf(p_a)
    assert mpmath.mpf(float(r)) <= exact
    assert float((exact - mpmath.mpf(float(r))) / exact) < 1e-12
    p_b = 0.3 * (1 - p_a)
    r2 = anisotropic_radius(theta, p_a, p_b)
    exact2 = mpmath.mpf(float(theta.min())) * (_mp_ppf(p_a) - _mp_ppf(p_b)) / 2
    assert mpmath.mpf(float(r2)) <= exact2
    assert float((exact2 - mpmath.mpf(float(r2))) / exact2) < 1e-12
    # The noise class gives the same min-theta certificate (Cohen form, p_B = 1 - p_A).
    assert AnisotropicGaussian(theta).certify([p_a])[0] <= exact


@pytest.mark.parametrize("p_a", [0.5 + 1e-12, 0.75, 1.0])
def test_anisotropic_l1_radius_against_mpmath(p_a):
    theta = np.array([0.3, 0.7, 0.11, 5.0])
    exact = 2 * mpmath.mpf(0.11) * (mpmath.mpf(p_a) - mpmath.mpf("0.5"))
    for r in (anisotropic_radius(theta, p_a, norm="l1"), AnisotropicUniform(theta).certify([p_a], "l1")[0]):
        assert mpmath.mpf(float(r)) <= exact
        assert float((exact - mpmath.mpf(float(r))) / exact) < 1e-12


def test_anisotropic_radius_abstains_and_validates():
    assert np.isnan(anisotropic_radius([1.0, 2.0], 0.5))
    assert np.isnan(anisotropic_radius([1.0, 2.0], 0.6, 0.6))
    with pytest.raises(ValueError, match="theta"):
        anisotropic_radius([1.0, 0.0], 0.9)
    with pytest.raises(ValueError, match="p_a_lower"):
        anisotropic_radius([1.0], 1.5)
    with pytest.raises(ValueError, match="norm"):
        anisotropic_radius([1.0], 0.9, norm="linf")


def test_anisotropic_noise_moments_and_determinism():
    theta = np.array([0.1, 1.0, 3.0, 0.5])
    x = torch.zeros(2, 4, dtype=torch.float64)
    n = 20_000
    g = AnisotropicGaussian(theta).sample_batch(x, n, seed=3)
    std = g.std(dim=1)[0].numpy()
    # sd of a sample standard deviation ~ theta / sqrt(2 (n - 1)); 5 sd.
    assert np.all(np.abs(std - theta) < 5 * theta / math.sqrt(2 * (n - 1)))
    u = AnisotropicUniform(theta).sample_batch(x, n, seed=3)
    assert torch.all(u.abs() <= torch.as_tensor(theta))
    # Var(U^2) for U ~ U(-t, t) is 4 t^4 / 45; the sample mean of U^2 estimates t^2 / 3.
    m2 = (u ** 2).mean(dim=1)[0].numpy()
    assert np.all(np.abs(m2 - theta ** 2 / 3) < 5 * np.sqrt(4 * theta ** 4 / 45 / n))
    # Row b is input index + b, whatever the batch.
    alone = AnisotropicUniform(theta).sample_batch(x[1:], 7, seed=3, index=1)
    torch.testing.assert_close(alone[0], AnisotropicUniform(theta).sample_batch(x, 7, seed=3)[1], rtol=0, atol=0)


def test_constant_sigma_matches_plain_certification(model, digits):
    x = digits[:5]
    plain = SmoothedClassifier(model, Gaussian(0.25), 10, seed=1).certify(x, 50, 500, 0.01, index=20)
    dd = certify_data_dependent(model, x, np.full(5, 0.25), num_classes=10, n0=50, n=500, alpha=0.01, seed=1,
                                index=20)
    np.testing.assert_array_equal(plain.prediction, dd.prediction)
    np.testing.assert_array_equal(plain.radius, dd.radius)


def test_per_element_sigma_uses_min_theta(model, digits):
    x = digits[:3]
    theta = torch.full_like(x, 0.4)
    theta[:, 0, 0, 0] = 0.2
    res = certify_data_dependent(model, x, theta, num_classes=10, n0=50, n=500, alpha=0.01)
    ok = ~res.abstained
    expected = anisotropic_radius(theta.reshape(3, -1).numpy(), res.p_a_lower)
    np.testing.assert_array_equal(res.radius[ok], expected[ok])


# ------------------------------------------------------------------ memory
def test_memory_shrinks_conflicts_and_depends_on_order():
    a, b = np.array([0.0, 0.0]), np.array([1.5, 0.0])
    mem = MemoryCertifier()
    assert mem.query(a, 0, 1.0).action == "kept"
    dec = mem.query(b, 1, 1.0)
    assert dec.action == "shrunk" and dec.conflicts == (0,)
    assert 0.5 * (1 - 1e-12) <= dec.radius <= 0.5
    # Reverse order: the first-come input keeps its radius.
    rev = MemoryCertifier()
    assert rev.query(b, 1, 1.0).radius == 1.0
    assert 0.5 * (1 - 1e-12) <= rev.query(a, 0, 1.0).radius <= 0.5
    # Same class: overlapping regions are fine.
    assert mem.query(np.array([0.0, 1.2]), 0, 1.0).action == "kept"


def test_memory_adopts_the_class_of_a_containing_region():
    mem = MemoryCertifier()
    mem.query(np.array([0.0, 0.0]), 0, 1.0)
    dec = mem.query(np.array([0.2, 0.0]), 1, 2.0)
    assert dec.prediction == 0 and dec.action == "adopted"
    assert 0.8 * (1 - 1e-12) <= dec.radius <= 0.8
    # A fresh abstention inside a certified region must answer that region's class too.
    assert mem.query(np.array([-0.5, 0.0]), -1, float("nan")).prediction == 0
    # Repeating a query returns the stored answer, not a fresh one.
    rep = mem.query(np.array([0.2, 0.0]), 3, 5.0)
    assert (rep.prediction, rep.radius, rep.action) == (dec.prediction, dec.radius, "repeat")


def test_memory_abstentions_are_points_of_their_own_class():
    mem = MemoryCertifier()
    mem.query(np.array([1.0, 0.0]), -1, float("nan"))
    dec = mem.query(np.array([0.0, 0.0]), 2, 3.0)
    assert dec.action == "shrunk" and 1 - 1e-12 <= dec.radius <= 1.0


def test_memory_abstain_policy():
    mem = MemoryCertifier(policy="abstain")
    mem.query(np.array([0.0, 0.0]), 0, 1.0)
    dec = mem.query(np.array([1.5, 0.0]), 1, 1.0)
    assert dec.action == "abstained" and dec.prediction == -1 and math.isnan(dec.radius)
    # Inside a same-class region abstaining would break that region: it shrinks instead.
    mem.query(np.array([5.0, 0.0]), 2, 3.0)
    dec = mem.query(np.array([3.0, 0.0]), 2, 2.0)
    # Nearest conflict: the abstention stored at (1.5, 0), 1.5 away.
    assert dec.prediction == 2 and dec.action == "shrunk"
    assert 1.5 * (1 - 1e-12) <= dec.radius <= 1.5


@pytest.mark.parametrize("norm", ["l2", "l1"])
@pytest.mark.parametrize("policy", ["shrink", "abstain"])
def test_memory_answers_are_consistent(norm, policy):
    """The guarantee: a query inside another's returned region got the same class; regions of
    different classes (abstentions being points) never intersect."""
    rng = np.random.default_rng(11)
    mem = MemoryCertifier(norm=norm, policy=policy)
    pts = rng.uniform(-3, 3, size=(300, 3))
    answers = []
    for p in pts:
        c = int(rng.integers(-1, 3))
        r = float("nan") if c == -1 else float(rng.exponential(0.8))
        answers.append(mem.query(p, c, r))
    cls = np.array([a.prediction for a in answers])
    rad = np.nan_to_num(np.array([a.radius for a in answers]))
    diff = pts[:, None, :] - pts[None, :, :]
    dist = np.sqrt((diff ** 2).sum(-1)) if norm == "l2" else np.abs(diff).sum(-1)
    other = cls[:, None] != cls[None, :]
    assert np.all(dist[other] >= (rad[:, None] + rad[None, :])[other])
    assert (cls == -1).sum() < len(cls)
    np.testing.assert_array_equal(mem.predictions, cls)


def test_certify_with_memory_is_consistent(model, digits):
    x = digits[:8]
    sigma = optimize_sigma(model, x, sigma0=0.25, iterations=5, samples=16).sigma
    mem = MemoryCertifier()
    res = certify_data_dependent(model, x, sigma, num_classes=10, n0=50, n=300, alpha=0.01, memory=mem)
    assert res.method.endswith("+memory") and len(mem) == 8
    flat = x.reshape(8, -1).double().numpy()
    dist = np.linalg.norm(flat[:, None] - flat[None], axis=-1)
    rad = np.nan_to_num(res.radius)
    other = res.prediction[:, None] != res.prediction[None, :]
    assert np.all(dist[other] >= (rad[:, None] + rad[None, :])[other])


# ------------------------------------------------------------------ files and CLI
def test_sigma_files_round_trip(tmp_path):
    save_sigma_file(tmp_path / "s.tsv", [0, 3], [0.2, 0.7], 5)
    assert {k: float(v) for k, v in load_sigma_file(tmp_path / "s.tsv").items()} == {0: 0.2, 3: 0.7}
    save_sigma_file(tmp_path / "s.npy", [1], np.full((1, 2, 2), 0.3), 4)
    loaded = load_sigma_file(tmp_path / "s.npy")
    assert list(loaded) == [1] and loaded[1].shape == (2, 2)
    with pytest.raises(ValueError, match="per-element"):
        save_sigma_file(tmp_path / "a.tsv", [1], np.full((1, 2), 0.3), 4)
    (tmp_path / "bad.tsv").write_text("idx\tsigma\n0\t-1.0\n")
    with pytest.raises(ValueError, match="input 0"):
        load_sigma_file(tmp_path / "bad.tsv")


def test_cli_optimize_then_certify(tmp_path):
    sig = tmp_path / "sigma.tsv"
    assert cli_main(["optimize-sigma", "--max", "4", "--iterations", "5", "--samples", "8", "--out", str(sig)]) == 0
    loaded = load_sigma_file(sig)
    assert sorted(loaded) == [0, 1, 2, 3] and all(v > 0 for v in loaded.values())
    out = tmp_path / "r.tsv"
    assert cli_main(["certify", "--sigma-file", str(sig), "--max", "4", "--n0", "20", "--n", "200",
                     "--out", str(out), "--no-progress"]) == 0
    rows = read_results(out)
    x = load_digits_split("test")[0][:4]
    # Row 0 has no earlier memory: it is exactly its own fixed-sigma certificate.
    own = SmoothedClassifier(default_model(), Gaussian(float(loaded[0])), 10).certify(x[:1], 20, 200, 0.001)
    assert rows["predict"][0] == own.prediction[0]
    if not own.abstained[0]:
        assert rows["radius"][0] == own.radius[0]


# ------------------------------------------------------------------ bad input
def test_bad_input_raises(model, digits):
    x = digits[:2]
    with pytest.raises(ValueError, match="sigma0"):
        optimize_sigma(model, x, sigma0=0.0)
    with pytest.raises(ValueError, match="sigma0"):
        optimize_sigma(model, x, sigma0=[0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="norm"):
        optimize_sigma(model, x, norm="linf")
    with pytest.raises(ValueError, match="outputs"):
        optimize_sigma(model, x, outputs="scores")
    with pytest.raises(ValueError, match="iterations"):
        optimize_sigma(model, x, iterations=0)
    with pytest.raises(ValueError, match="lr"):
        optimize_sigma(model, x, lr=-1.0)
    with pytest.raises(ValueError, match="x contains NaN"):
        optimize_sigma(model, torch.full_like(x, float("nan")))
    with pytest.raises(ValueError, match="sigma"):
        certify_data_dependent(model, x, [0.1, -0.2], num_classes=10, n0=10, n=10, alpha=0.01)
    with pytest.raises(ValueError, match="sigma"):
        certify_data_dependent(model, x, [0.1], num_classes=10, n0=10, n=10, alpha=0.01)
    with pytest.raises(ValueError, match="theta"):
        AnisotropicGaussian([0.1, 0.0])
    with pytest.raises(ValueError, match="policy"):
        MemoryCertifier(policy="defer")
    mem = MemoryCertifier()
    with pytest.raises(ValueError, match="radius"):
        mem.query(np.zeros(2), 0, -1.0)
    with pytest.raises(ValueError, match="radius"):
        mem.query(np.zeros(2), 0, float("nan"))
    mem.query(np.zeros(2), 0, 1.0)
    with pytest.raises(ValueError, match="elements"):
        mem.query(np.zeros(3), 0, 1.0)
