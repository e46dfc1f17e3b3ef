r"""numba kernel of one CD-k / PCD-k update of a Bernoulli RBM (float64, CPU, one process).

It computes the update of the torch step of :class:`adlkit.ebm.rbm_model.RBMModule` (see
:func:`adlkit.ebm.rbm_model.contrastive_step`, the reference it is tested against) without
torch's per-operation overhead, which dominates batches of ten rows. Conventions:

- ``W`` (n_v, n_h), ``b`` (n_v,), ``c`` (n_h,) are updated in place (they may be the numpy views
  of the module's parameters);
- ``h`` (M, n_h): the chains' hidden states. PCD: the persistent states on entry, the new ones on
  exit (M chains). CD: set from the data, M = B;
- ``u`` (k, M, n_v + n_h): the uniforms; Gibbs step t samples the visible units from
  ``u[t, :, :n_v]`` and the hidden units from ``u[t, :, n_v:]`` (a unit is 1 when its uniform is
  below its probability). CD draws its first hidden states from the data,
  :math:`h = [u_{0,:,n_v:} < p(h\mid v_{pos})]`, and step t < k - 1 its next ones from slot t + 1;
  PCD continues its chains, step t drawing ``h`` from slot t after ``v``;
- the update is one SGD step of size ``lr`` on :math:`\overline{F(v_{pos})} - \overline{F(v_{neg})}`:
  :math:`W \mathrel{+}= lr\,(v_{pos}^\top p(h\mid v_{pos})/B - v_{neg}^\top p(h\mid v_{neg})/M)`,
  b and c likewise; the function returns that objective, evaluated before the update.

Products with a row of binary units skip its zeros (skipping a zero term changes no sum). The
one reduction, :math:`hW^\top`, may be reassociated (``fastmath`` reassoc only) so that it
vectorises; every other operation is in the order written.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, error_model="numpy")
def _hidden_input(v: np.ndarray, W: np.ndarray, c: np.ndarray, a: np.ndarray) -> None:
    """``a = c + v W`` for rows v (M, n_v) -> a (M, n_h)."""
    for r in range(v.shape[0]):
        for j in range(W.shape[1]):
            a[r, j] = c[j]
        for i in range(W.shape[0]):
            x = v[r, i]
            if x != 0.0:
                for j in range(W.shape[1]):
                    a[r, j] += x * W[i, j]


@numba.njit(cache=True, error_model="numpy", fastmath={"reassoc"})
def _visible_input(h: np.ndarray, W: np.ndarray, b: np.ndarray, a: np.ndarray) -> None:
    """``a = b + h W^T`` for rows h (M, n_h) -> a (M, n_v)."""
    for r in range(h.shape[0]):
        for i in range(W.shape[0]):
            s = 0.0
            for j in range(W.shape[1]):
                s += W[i, j] * h[r, j]
            a[r, i] = b[i] + s


@numba.njit(cache=True, error_model="numpy")
def _sample(p: np.ndarray, u: np.ndarray, out: np.ndarray) -> None:
    """``out = [u < p]`` as 0.0 / 1.0."""
    for r in range(p.shape[0]):
        for j in range(p.shape[1]):
            out[r, j] = 1.0 if u[r, j] < p[r, j] else 0.0


@numba.njit(cache=True, error_model="numpy")
def _sample_sigmoid(a: np.ndarray, u: np.ndarray, out: np.ndarray) -> None:
    """``out = [u < sigmoid(a)]`` as 0.0 / 1.0."""
    for r in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[r, j] = 1.0 if u[r, j] < 1.0 / (1.0 + np.exp(-a[r, j])) else 0.0


_CHUNK = 1000  # factors in (1, 2] per product: at most 2^1000, finite in float64


@numba.njit(cache=True, error_model="numpy")
def _free_energy_and_sigmoid(a: np.ndarray, v: np.ndarray, b: np.ndarray) -> float:
    r"""``a`` (M, n_h) holds :math:`c + vW`: returns the rows' mean free energy
    :math:`-b^\top v - \sum_j \operatorname{softplus}(a_j)` and overwrites ``a`` with
    :math:`\sigma(a)`. Both from :math:`e_j = e^{-|a_j|} \in (0, 1]`:
    :math:`\sigma(a_j) = (1 \text{ or } e_j)/(1 + e_j)` and
    :math:`\sum_j \operatorname{softplus}(a_j) = \sum_j \max(a_j, 0) + \log\prod_j (1 + e_j)`, one
    log per row and per ``_CHUNK`` factors (each in (1, 2], so the product stays finite; its
    relative rounding error, at most n_h ulps, is an absolute error of at most n_h ulps in the log)."""
    total = 0.0
    nh = a.shape[1]
    for r in range(a.shape[0]):
        for i in range(v.shape[1]):
            total -= b[i] * v[r, i]
        for j0 in range(0, nh, _CHUNK):
            prod = 1.0
            for j in range(j0, min(nh, j0 + _CHUNK)):
                x = a[r, j]
                e = np.exp(-abs(x))
                d = 1.0 + e
                total -= max(x, 0.0)
                prod *= d
                a[r, j] = (1.0 if x >= 0.0 else e) / d
            total -= np.log(prod)
    return total / a.shape[0]


@numba.njit(cache=True, error_model="numpy")
def _add_gradient(W: np.ndarray, b: np.ndarray, c: np.ndarray, scale: float, v: np.ndarray, p: np.ndarray) -> None:
    """``W += scale * v^T p``, ``b += scale * sum_r v_r``, ``c += scale * sum_r p_r`` for rows
    v (M, n_v), p (M, n_h)."""
    for r in range(v.shape[0]):
        for j in range(W.shape[1]):
            c[j] += scale * p[r, j]
        for i in range(W.shape[0]):
            x = scale * v[r, i]
            if x != 0.0:
                b[i] += x
                for j in range(W.shape[1]):
                    W[i, j] += x * p[r, j]


@numba.njit(cache=True, error_model="numpy")
def contrastive_update(W: np.ndarray, b: np.ndarray, c: np.ndarray, v_pos: np.ndarray, h: np.ndarray,
                       u: np.ndarray, lr: float, persistent: bool) -> float:
    """One CD-k (``persistent`` False) or PCD-k update in place (see the module docstring);
    returns the objective before the update."""
    nv, nh = W.shape
    B, M, k = v_pos.shape[0], h.shape[0], u.shape[0]
    p_pos, p_neg = np.empty((B, nh)), np.empty((M, nh))
    v_neg, a_v = np.empty((M, nv)), np.empty((M, nv))
    _hidden_input(v_pos, W, c, p_pos)
    loss = _free_energy_and_sigmoid(p_pos, v_pos, b)
    if not persistent:
        _sample(p_pos, u[0, :, nv:], h)
    for t in range(k):
        _visible_input(h, W, b, a_v)
        _sample_sigmoid(a_v, u[t, :, :nv], v_neg)
        _hidden_input(v_neg, W, c, p_neg)
        if t < k - 1:
            _sample_sigmoid(p_neg, u[t + 1, :, nv:] if not persistent else u[t, :, nv:], h)
    loss -= _free_energy_and_sigmoid(p_neg, v_neg, b)
    if persistent:
        _sample(p_neg, u[k - 1, :, nv:], h)
    _add_gradient(W, b, c, lr / B, v_pos, p_pos)
    _add_gradient(W, b, c, -lr / M, v_neg, p_neg)
    return loss


@numba.njit(cache=True, error_model="numpy")
def contrastive_updates(W: np.ndarray, b: np.ndarray, c: np.ndarray, v: np.ndarray, batch_size: int,
                        h: np.ndarray, u: np.ndarray, lr: float, persistent: bool) -> float:
    """:func:`contrastive_update` on the consecutive batches of ``batch_size`` rows of ``v`` (the
    last one possibly shorter), update s with the uniforms ``u[s]`` (n_updates, k, M, n_v + n_h);
    CD's batch s of B rows uses the first B chains' uniforms. Returns the mean objective."""
    n = v.shape[0]
    n_updates = (n + batch_size - 1) // batch_size
    total = 0.0
    for s in range(n_updates):
        lo, hi = s * batch_size, min(n, (s + 1) * batch_size)
        m = h.shape[0] if persistent else hi - lo
        total += contrastive_update(W, b, c, v[lo:hi], h[:m], u[s, :, :m], lr, persistent)
    return total / n_updates
