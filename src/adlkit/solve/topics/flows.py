"""Concept topics of module 5 (normalizing flows): short prose answers, written by us.

Each entry is a :class:`~adlkit.solve.topics.Concept`: the question, a summary that answers it,
and the points (text, LaTeX or "") that the worked solution lists as steps.
"""

from __future__ import annotations

from adlkit.solve.topics import Concept

MODULE = 5

TOPICS: dict[str, Concept] = {
    "flow_requirements": Concept(
        "What must a transformation satisfy to be a layer of a normalizing flow, and why?",
        "A flow writes the data as x = f(z) with z from a simple base density and computes the "
        "exact likelihood by the change of variables, log p(x) = log p_Z(f^{-1}(x)) + "
        "log|det d f^{-1}/dx|. That needs three things of every layer: it must be a bijection "
        "(invertible, so every x has exactly one z and no probability mass is lost or doubled); it "
        "must be differentiable with a differentiable inverse (a diffeomorphism, so the Jacobian "
        "exists and is non-singular; z and x then also have the same dimension); and its Jacobian "
        "determinant must be cheap: a general D x D determinant costs O(D^3), so layers are built "
        "with triangular Jacobians (coupling and autoregressive layers: the log-det is a sum of "
        "log-scales) or rank-one updates (planar layers: det(I + u psi^T) = 1 + u^T psi). For "
        "training by maximum likelihood the inverse direction x -> z must be fast; for sampling "
        "(and for variational inference) the forward direction z -> x must be. Layers compose: "
        "log-dets add up.",
        (
            ("bijective: one z for every x (same dimension), so the density is well defined",
             r"x = f(z),\quad z = f^{-1}(x)"),
            ("differentiable both ways, with a non-zero Jacobian determinant: the change of variables",
             r"\log p_X(x) = \log p_Z\!\left(f^{-1}(x)\right) - \log\left|\det \frac{\partial f}{\partial z}\right|_{z = f^{-1}(x)}"),
            ("a determinant that is cheap to compute: triangular Jacobians (coupling, autoregressive)",
             r"\log|\det J| = \textstyle\sum_j s_j"),
            ("or a rank-one update (planar): the matrix determinant lemma",
             r"\det(I + u\,\psi^\top) = 1 + u^\top \psi"),
            ("a composition of such layers is again a flow; the log-dets add",
             r"\log|\det J_{f_K \circ \cdots \circ f_1}| = \textstyle\sum_k \log|\det J_{f_k}|"),
        ),
    ),
    "planar_vs_coupling": Concept(
        "Compare planar flows with affine coupling flows (RealNVP): what does each compute "
        "cheaply, and when would you use which?",
        "A planar layer f(z) = z + u h(w^T z + b) bends space along one direction w; its "
        "log-det log|1 + u^T psi(z)| costs O(D), and the forward map z -> x is one line, so "
        "sampling and evaluating log q at its own samples are cheap: exactly what variational "
        "inference needs (E_q[log q - log p], Rezende and Mohamed 2015). But it has no closed-form "
        "inverse, so the density of a given data point cannot be evaluated, and each layer changes "
        "only one direction: many layers are needed in higher dimensions, and it is invertible only "
        "when w^T u >= -1 (for tanh), enforced by reparameterizing u. An affine coupling layer "
        "(Dinh et al. 2017) keeps half of the coordinates and scales and shifts the other half by "
        "networks of the first half: both directions are one pass and the log-det is the sum of "
        "the log-scales, so it is used for density estimation and sampling of data (maximum "
        "likelihood), with permutations between layers so that every coordinate gets transformed.",
        (
            ("planar: a rank-one bend along w; forward only", r"f(z) = z + u\,h(w^\top z + b),\quad \log|\det J| = \log|1 + u^\top \psi(z)|"),
            ("planar invertibility (tanh) and the reparameterization of u that guarantees it",
             r"w^\top \hat u = -1 + \log(1 + e^{w^\top u}) > -1"),
            ("coupling: half passes through, half is scaled and shifted; both directions exact",
             r"y_b = x_b \odot e^{s(x_a)} + t(x_a),\quad x_b = (y_b - t(y_a)) \odot e^{-s(y_a)}"),
            ("use planar flows for variational posteriors (sample, then score the sample); coupling "
             "flows for density estimation of data (score any x, and sample)", ""),
        ),
    ),
}
