"""Concept topics of module 7 (GANs): short prose answers, written by us.

Each entry is a :class:`~adlkit.solve.topics.Concept`: the question, a summary that answers it,
and the points (text, LaTeX or "") that the worked solution lists as steps.
"""

from __future__ import annotations

from adlkit.solve.topics import Concept

MODULE = 7

TOPICS: dict[str, Concept] = {
    "wgan_gp": Concept(
        "How are the disadvantages of weight clipping in WGAN eliminated? Which architecture "
        "incorporates this strategy?",
        "WGAN needs a 1-Lipschitz critic and enforces it by clipping every weight to [-c, c]. "
        "Clipping biases the critic towards overly simple functions (weights pile up at +-c, "
        "capacity is wasted) and makes gradients explode or vanish depending on c. WGAN-GP "
        "(Gulrajani et al., 2017) removes clipping and instead adds a gradient penalty that "
        "pushes the norm of the critic's gradient towards 1 on points interpolated between real "
        "and generated samples (a 1-Lipschitz function has gradient norm at most 1 everywhere, "
        "and the optimal critic has norm 1 on those lines). It is trained with Adam and "
        "without batch normalisation in the critic.",
        (
            ("interpolate real and generated samples",
             r"\hat x = \epsilon x + (1-\epsilon)\tilde x,\ \epsilon \sim U[0, 1]"),
            ("critic loss with the gradient penalty (per sample, norm over all dimensions)",
             r"L = \mathbb{E}[D(\tilde x)] - \mathbb{E}[D(x)] + \lambda\,\mathbb{E}_{\hat x}\left[(\|\nabla_{\hat x} D(\hat x)\|_2 - 1)^2\right],\ \lambda = 10"),
        ),
    ),
}
