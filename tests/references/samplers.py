"""Plain torch samplers of the noise laws, independent of the compiled kernels.

Each one follows the law's textbook construction with torch's own random numbers. Because no
code is shared with the fused kernels, a statistical comparison with these (the benchmarks'
two-sample tests) checks the law and not only the implementation. They draw from torch's global
generator unless one is passed, so a caller seeds them with ``torch.manual_seed``.
"""

from __future__ import annotations

import torch
import torch.distributions as D


def random_sign(shape: tuple[int, ...]) -> torch.Tensor:
    """Independent signs +-1."""
    return torch.randint(0, 2, shape).float() * 2 - 1


def l2_direction(n: int, dim: int) -> torch.Tensor:
    """n directions uniform on the l2 unit sphere: normalised standard normal vectors (Muller 1959)."""
    z = torch.randn(n, dim)
    return z / z.norm(dim=1, keepdim=True)


def linf_direction(n: int, dim: int) -> torch.Tensor:
    """n directions uniform on the surface of [-1, 1]^dim: a uniform face set to +-1, U(-1, 1) elsewhere."""
    u = torch.rand(n, dim) * 2 - 1
    face = torch.randint(0, dim, (n,))
    u[torch.arange(n), face] = random_sign((n,))
    return u


def l1_direction(n: int, dim: int) -> torch.Tensor:
    """n directions uniform on the l1 unit sphere: signed exponentials divided by their l1 norm."""
    e = D.Exponential(1.0).sample((n, dim)) * random_sign((n, dim))
    return e / e.abs().sum(dim=1, keepdim=True)


def power_uniform_radius(n: int, power: float) -> torch.Tensor:
    """n radii [n, 1] U^power (uniform in the l2 ball of dimension d: power = 1/d)."""
    return torch.rand(n, 1) ** power


def gamma_radius(n: int, shape: float, power: float) -> torch.Tensor:
    """n radii [n, 1] G^power, G ~ Gamma(shape): density ~ r^(d-1-j) exp(-r^k) for shape = (d - j)/k and
    power = 1/k."""
    return D.Gamma(float(shape), 1.0).sample((n, 1)) ** power


def beta_prime(a: float, b: float, n: int) -> torch.Tensor:
    """n draws [n, 1] of BetaPrime(a, b) as the ratio of Gamma(a) and Gamma(b)."""
    return D.Gamma(float(a), 1.0).sample((n, 1)) / D.Gamma(float(b), 1.0).sample((n, 1))


def uniform(x: torch.Tensor, n: int, lambd: float) -> torch.Tensor:
    """n copies of x [1, dim] plus i.i.d. U(-lambda, lambda) coordinates."""
    return x + (torch.rand(n, x.shape[-1]) * 2 - 1) * lambd


def laplace(x: torch.Tensor, n: int, lambd: float) -> torch.Tensor:
    """n copies of x [1, dim] plus i.i.d. Laplace(0, lambda) coordinates."""
    return x + D.Laplace(0.0, lambd).sample((n, x.shape[-1]))


def pareto(x: torch.Tensor, n: int, lambd: float, a: float) -> torch.Tensor:
    """n copies of x [1, dim] plus i.i.d. symmetric Pareto coordinates, |delta| = lambda (U^(-1/a) - 1)."""
    d = x.shape[-1]
    return x + (D.Pareto(lambd, a).sample((n, d)) - lambd) * random_sign((n, d))


def expp(x: torch.Tensor, n: int, lambd: float, p: float) -> torch.Tensor:
    """n copies of x [1, dim] plus i.i.d. coordinates of density ~ exp(-|t / lambda|^p): |t| = lambda G^(1/p),
    G ~ Gamma(1/p)."""
    d = x.shape[-1]
    return x + lambd * D.Gamma(1 / p, 1.0).sample((n, d)) ** (1 / p) * random_sign((n, d))


def radial(x: torch.Tensor, radius: torch.Tensor, direction: torch.Tensor, lambd: float) -> torch.Tensor:
    """Copies x + lambda R u of x [1, dim] for radii R [n, 1] and unit directions u [n, dim] (the polar
    decomposition of a density f(||t / lambda||))."""
    return x + lambd * radius * direction


def split_noise(x: torch.Tensor, n: int, lambd: float) -> torch.Tensor:
    """n SSN copies of x [1, dim] (Levine & Feizi 2021): the midpoint, clipped to [0, 1], of the bin
    of the lattice s + 2 lambda Z that holds x, with split values s ~ U(0, 2 lambda)."""
    s = torch.rand(n, x.shape[-1]) * (2 * lambd)
    u = torch.ceil((x - s) / (2 * lambd)) * (2 * lambd) + s
    return (torch.clamp(u, max=1.0) + torch.clamp(u - 2 * lambd, min=0.0)) / 2


def hierarchical_gaussian(x: torch.Tensor, num: int, p: float, sigma: float, gen: torch.Generator) -> torch.Tensor:
    """num copies of each image of x [B, C, H, W]: each pixel is selected with probability p and gets
    N(0, sigma^2) noise on all its channels; the selection mask is appended as a channel."""
    b, c, h, w = x.shape
    mask = (torch.rand(b, num, 1, h, w, generator=gen) < p).to(x.dtype)
    noise = torch.randn(b, num, c, h, w, generator=gen) * sigma
    noisy = x.unsqueeze(1) + mask * noise
    return torch.cat([noisy, mask], dim=2)
