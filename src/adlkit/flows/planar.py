r"""Planar flows (Rezende and Mohamed, 2015, "Variational Inference with Normalizing Flows").

One layer maps a base point z to

.. math::

    f(z) = z + u\, h(w^\top z + b), \qquad
    \psi(z) = h'(w^\top z + b)\, w, \qquad
    \log|\det \partial f/\partial z| = \log|1 + u^\top \psi(z)|,

with ``h`` one of ``tanh`` (default), ``sigmoid`` or ``identity``. Direction: unlike the RealNVP
layers (data -> latent), a planar layer has no closed-form inverse and is used generatively,
``forward`` maps the base z to x and returns ``(x, log|det dx/dz|)``; the density of x is
``log q(x) = log p(z) - log|det|``.

Invertibility. Along w the layer is the scalar map a -> a + (w^T u) h(a + b) (a = w^T z), which
is strictly increasing (and the layer invertible) exactly when 1 + (w^T u) h'(.) > 0 except at
isolated points. Since h' ranges over (0, 1] for tanh, (0, 1/4] for sigmoid and {1} for the
identity, the condition is (:data:`INVERTIBLE_IF`): tanh ``w^T u >= -1``; sigmoid
``w^T u >= -4``; identity ``w^T u != -1`` (then the layer is linear, I + u w^T). A layer with
w = 0 is a translation, always invertible.

Training uses the reparameterization of u of the paper's appendix (``reparameterize=True``),

.. math::

    \hat u = u + \big(m(w^\top u) - w^\top u\big)\frac{w}{\|w\|^2}, \qquad m(a) = -1 + \log(1 + e^a),

which gives :math:`w^\top \hat u = m(w^\top u) > -1`: every layer is invertible, whatever u.
With ``reparameterize=False`` the given u is used as is (the problem type ``planar_flow``).

Example::

    >>> import torch
    >>> layer = Planar(2, u=[1.0, 0.0], w=[1.0, 1.0], b=0.0, reparameterize=False)
    >>> with torch.no_grad():
    ...     x, log_det = layer(torch.tensor([[0.5, 0.5]]))
    >>> x   # z + u tanh(1)
    tensor([[1.2616, 0.5000]])
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn
from torch.nn import functional as F

#: activation name -> (h, h')
ACTIVATIONS = {
    "tanh": (torch.tanh, lambda a: 1 - torch.tanh(a) ** 2),
    "sigmoid": (torch.sigmoid, lambda a: torch.sigmoid(a) * (1 - torch.sigmoid(a))),
    "identity": (lambda a: a, lambda a: torch.ones_like(a)),
}

#: activation name -> the invertibility condition on w^T u, in words (see the module docstring)
INVERTIBLE_IF = {
    "tanh": "w^T u >= -1 (h' = 1 - tanh^2 takes every value in (0, 1])",
    "sigmoid": "w^T u >= -4 (h' = sigmoid (1 - sigmoid) takes every value in (0, 1/4])",
    "identity": "w^T u != -1 (h' = 1: the layer is the linear map I + u w^T, det = 1 + w^T u)",
}


def u_hat(u: Tensor, w: Tensor) -> Tensor:
    """The reparameterized u of Rezende and Mohamed (2015, appendix A), over the last dimension
    (a (K, D) stack of layers at once): u + (m(w^T u) - w^T u) w / ||w||^2, m(a) = -1 + softplus(a)."""
    wu = (w * u).sum(-1, keepdim=True)
    return u + (F.softplus(wu) - 1 - wu) * w / w.pow(2).sum(-1, keepdim=True).clamp_min(1e-30)


def planar_step(z: Tensor, u: Tensor, w: Tensor, b: Tensor, h: str) -> tuple[Tensor, Tensor]:
    """One planar layer at z (N, D) with the effective u: (x, log|1 + h'(w^T z + b) w^T u|)."""
    a = z @ w + b
    if h == "tanh":
        t = torch.tanh(a)
        ha, dha = t, 1 - t * t
    elif h == "sigmoid":
        t = torch.sigmoid(a)
        ha, dha = t, t * (1 - t)
    else:
        ha, dha = a, torch.ones_like(a)
    x = z + ha.unsqueeze(1) * u
    return x, torch.log(torch.abs(1 + dha * torch.dot(u, w)))


def invertible(u: Tensor, w: Tensor, h: str = "tanh") -> bool:
    """Whether the planar layer with these u and w is invertible (:data:`INVERTIBLE_IF`)."""
    if not bool(torch.any(w != 0)):
        return True  # a translation by u h(b)
    wu = float(torch.dot(w, u))
    if h == "tanh":
        return wu >= -1
    if h == "sigmoid":
        return wu >= -4
    return wu != -1


class Planar(nn.Module):
    """One planar layer on R^dim; ``forward(z) -> (x, log_abs_det)``, shapes (N, dim) and (N,).

    Args:
        dim: the dimension D.
        h: ``tanh``, ``sigmoid`` or ``identity``.
        reparameterize: use u-hat (always invertible) instead of u.
        u, w, b: initial values (default: u uniform in [-sqrt 2, sqrt 2], w in [-sqrt(2/D), sqrt(2/D)], b = 0).
    """

    def __init__(self, dim: int, h: str = "tanh", reparameterize: bool = True,
                 u: Sequence[float] | Tensor | None = None, w: Sequence[float] | Tensor | None = None,
                 b: float | Tensor | None = None, dtype: torch.dtype | None = None):
        super().__init__()
        if h not in ACTIVATIONS:
            raise ValueError(f"h must be one of {', '.join(ACTIVATIONS)}, got {h!r}")
        self.dim, self.h_name, self.reparameterize = int(dim), h, bool(reparameterize)
        dtype = dtype or torch.get_default_dtype()

        def init(v, shape, lim=1.0):
            if v is None:
                return torch.empty(shape, dtype=dtype).uniform_(-lim, lim)
            t = torch.as_tensor(v, dtype=dtype).clone().reshape(shape)
            return t

        # a wide start (the initial q is far from N(0, I)): fewer reverse-KL fits stuck in one mode
        self.u = nn.Parameter(init(u, (dim,), math.sqrt(2.0)))
        self.w = nn.Parameter(init(w, (dim,), math.sqrt(2.0 / dim)))
        self.b = nn.Parameter(torch.zeros((), dtype=dtype) if b is None else init(b, ()))

    @property
    def u_effective(self) -> Tensor:
        """u-hat when ``reparameterize`` (w^T u-hat > -1), else u."""
        return u_hat(self.u, self.w) if self.reparameterize else self.u

    def _pre(self, z: Tensor) -> Tensor:
        return z @ self.w + self.b

    def forward(self, z: Tensor) -> tuple[Tensor, Tensor]:
        # 1 + u^T psi(z) = 1 + h'(a) w^T u, psi = h'(a) w
        return planar_step(z, self.u_effective, self.w, self.b, self.h_name)

    @torch.no_grad()
    def inverse(self, x: Tensor, iterations: int = 100) -> tuple[Tensor, Tensor]:
        """z with f(z) = x, and log|det dz/dx| (= minus the forward log-det at z).

        Along w the layer is the scalar map a -> a + c h(a + b), c = w^T u (a = w^T z); it is
        solved for a by bisection on [w^T x - |c|, w^T x + |c|] (|h| <= 1 for tanh and sigmoid;
        the identity is solved in closed form), then z = x - u h(a + b). Needs an invertible
        layer (:meth:`invertible`)."""
        h, dh = ACTIVATIONS[self.h_name]
        u = self.u_effective
        c = torch.dot(self.w, u)
        s = x @ self.w
        if self.h_name == "identity":
            a = (s - c * self.b) / (1 + c)
        else:
            lo, hi = s - c.abs(), s + c.abs()
            for _ in range(iterations):
                mid = 0.5 * (lo + hi)
                above = mid + c * h(mid + self.b) > s
                hi = torch.where(above, mid, hi)
                lo = torch.where(above, lo, mid)
            a = 0.5 * (lo + hi)
        z = x - h(a + self.b).unsqueeze(1) * u
        return z, -torch.log(torch.abs(1 + dh(a + self.b) * c))

    def psi(self, z: Tensor) -> Tensor:
        """psi(z) = h'(w^T z + b) w, shape (N, D)."""
        _, dh = ACTIVATIONS[self.h_name]
        return dh(self._pre(z)).unsqueeze(1) * self.w

    def jacobian(self, z: Tensor) -> Tensor:
        """The analytic Jacobian dx/dz = I + u psi(z)^T, shape (N, D, D)."""
        u = self.u_effective
        eye = torch.eye(self.dim, dtype=z.dtype, device=z.device)
        return eye + u.view(1, -1, 1) * self.psi(z).unsqueeze(1)

    def invertible(self) -> bool:
        """Whether this layer, with its effective u, is invertible (:data:`INVERTIBLE_IF`).
        With u-hat it always is (w^T u-hat = m(w^T u) > -1 exactly; rounding may put it at -1
        in float64 when w^T u is very negative)."""
        if self.reparameterize:
            return True
        with torch.no_grad():
            return invertible(self.u_effective, self.w, self.h_name)


class PlanarFlow(nn.Module):
    """K planar layers applied in order, z_0 -> z_K; ``forward`` returns ``(x, sum of log-dets)``.

    ``trace(z)`` returns every intermediate point (z_0 .. z_K) and each layer's log-det, for
    worked solutions. ``log_prob_base`` is the standard normal log-density of the base.
    """

    def __init__(self, layers: Sequence[Planar]):
        super().__init__()
        if not layers:
            raise ValueError("a planar flow needs at least one layer")
        self.layers = nn.ModuleList(layers)

    @classmethod
    def random(cls, dim: int, depth: int, h: str = "tanh") -> PlanarFlow:
        return cls([Planar(dim, h=h, reparameterize=True) for _ in range(depth)])

    def forward(self, z: Tensor) -> tuple[Tensor, Tensor]:
        layers = list(self.layers)
        h = layers[0].h_name
        if len(layers) > 1 and all(lay.reparameterize and lay.h_name == h for lay in layers):
            # the same layers with fewer autograd nodes: u-hat of all K layers in one pass
            W = torch.stack([lay.w for lay in layers])
            U = u_hat(torch.stack([lay.u for lay in layers]), W)
            dets = []
            for u, w, lay in zip(U.unbind(0), W.unbind(0), layers):
                z, ld = planar_step(z, u, w, lay.b, h)
                dets.append(ld)
            return z, torch.stack(dets).sum(0)
        total = torch.zeros(z.shape[0], dtype=z.dtype, device=z.device)
        for layer in layers:
            z, ld = layer(z)
            total = total + ld
        return z, total

    def trace(self, z: Tensor) -> tuple[list[Tensor], list[Tensor]]:
        points, dets = [z], []
        for layer in self.layers:
            z, ld = layer(z)
            points.append(z)
            dets.append(ld)
        return points, dets

    @torch.no_grad()
    def inverse(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """z_0 with flow(z_0) = x (each layer inverted in turn, last first) and the forward
        log-det sum at z_0."""
        total = torch.zeros(x.shape[0], dtype=x.dtype, device=x.device)
        for layer in reversed(self.layers):
            x, ld = layer.inverse(x)
            total = total - ld
        return x, total

    @torch.no_grad()
    def log_prob(self, x: Tensor) -> Tensor:
        """log q(x) = log p(z_0) - sum of forward log-dets, z_0 = flow^{-1}(x) (by bisection)."""
        z, ld = self.inverse(x)
        return self.log_prob_base(z) - ld

    def jacobian(self, z: Tensor) -> Tensor:
        """dx/dz of the whole flow: J_K ... J_1, each layer's analytic Jacobian at its input."""
        J = None
        for layer in self.layers:
            Jk = layer.jacobian(z)
            J = Jk if J is None else Jk @ J
            z, _ = layer(z)
        return J

    @staticmethod
    def log_prob_base(z: Tensor) -> Tensor:
        """log N(z; 0, I), summed over coordinates, shape (N,)."""
        return -0.5 * (z.pow(2).sum(1) + z.shape[1] * math.log(2 * math.pi))

    def sample_and_log_prob(self, n: int, generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
        """n samples x ~ q and log q(x) = log p(z_0) - sum log|det|."""
        p = next(self.parameters())
        z = torch.randn(n, self.layers[0].dim, generator=generator, dtype=p.dtype)
        x, ld = self(z)
        return x, self.log_prob_base(z) - ld
