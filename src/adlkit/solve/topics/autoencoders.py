"""Concept topics of module 3 (autoencoders): short prose answers, written by us."""

from __future__ import annotations

from adlkit.solve.topics import Concept

MODULE = 3

TOPICS: dict[str, Concept] = {
    "denoising_autoencoder": Concept(
        "What is a denoising autoencoder, why does it learn useful features, and what does it learn "
        "about the data distribution?",
        "A denoising autoencoder is trained to reconstruct the clean input x from a corrupted copy "
        "x_tilde ~ C(x_tilde | x) (Gaussian noise, masking noise that zeroes a fraction of the inputs, "
        "salt-and-pepper). The loss compares the reconstruction g(f(x_tilde)) with x, not with x_tilde, "
        "so copying the input is no longer a solution even when the code is as wide as the input (an "
        "overcomplete code): the network must learn the dependencies between the inputs to undo the "
        "corruption, which makes its features robust to the noise. For small Gaussian noise of variance "
        "sigma^2 and a squared-error loss, the optimal reconstruction r(x) satisfies "
        "r(x) - x ~ sigma^2 grad log p(x): the autoencoder learns the score of the data density, a vector "
        "field pointing back towards the data manifold (Alain and Bengio 2014; Vincent 2011, the link "
        "to denoising score matching).",
        (
            ("corrupt the input, reconstruct the clean one",
             r"\tilde x \sim C(\tilde x\mid x),\quad L = \mathbb E\,\|x - g(f(\tilde x))\|^2"),
            ("copying is not a solution: the target is x, the input x_tilde", ""),
            ("small Gaussian noise: the reconstruction estimates the score",
             r"r(x) - x \approx \sigma^2 \nabla_x \log p(x)"),
        ),
    ),
    "undercomplete_autoencoder": Concept(
        "What does an undercomplete autoencoder learn, and how does a linear one relate to PCA?",
        "An undercomplete autoencoder has a code h = f(x) narrower than its input, so it cannot copy x "
        "and must keep the directions that matter most for reconstruction: the bottleneck is the "
        "regulariser. With a linear encoder and decoder and the squared error, the optimal code spans "
        "the same subspace as the top-k principal components (the weights need not be orthogonal or "
        "equal to the eigenvectors, only their span is fixed: Baldi and Hornik 1989). Non-linear "
        "encoders and decoders learn a curved manifold instead, a non-linear generalisation of PCA; "
        "with too much capacity they can still memorise the training set, so the code size alone does "
        "not guarantee useful features.",
        (
            ("a bottleneck code, reconstruction loss", r"h = f(x) \in \mathbb R^k,\ k < D,\quad L = \|x - g(h)\|^2"),
            ("linear f and g with squared error: the span of the top-k principal components", ""),
            ("non-linear f and g: a curved manifold (non-linear PCA)", ""),
        ),
    ),
    "sparse_vs_contractive": Concept(
        "How do sparse and contractive autoencoders regularise an overcomplete code?",
        "Both allow a code at least as wide as the input and add a penalty that stops the identity map. "
        "A sparse autoencoder penalises the activations, e.g. lambda sum_j |h_j| or the KL divergence "
        "between a target activation rate rho and each unit's mean activation, so that few units fire "
        "for any one input. A contractive autoencoder penalises the squared Frobenius norm of the "
        "encoder's Jacobian, ||df/dx||_F^2, so the code changes little when the input moves off the "
        "data manifold; a denoising autoencoder gets a similar robustness by training on corrupted "
        "inputs instead of by an analytic penalty.",
        (
            ("sparse: penalise the code", r"L + \lambda \sum_j |h_j|\ \text{ or }\ L + \beta\sum_j \mathrm{KL}(\rho\,\|\,\hat\rho_j)"),
            ("contractive: penalise the encoder's Jacobian", r"L + \lambda\left\|\partial f(x)/\partial x\right\|_F^2"),
        ),
    ),
}
