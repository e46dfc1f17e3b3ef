"""Concept topics of module 2 (PCA variants): short prose answers, written by us."""

from __future__ import annotations

from adlkit.solve.topics import Concept

MODULE = 2

TOPICS: dict[str, Concept] = {
    "kernel_pca": Concept(
        "What is kernel PCA, and when does it help over linear PCA?",
        "Linear PCA finds the orthogonal directions of largest variance, so it can only capture linear structure "
        "(a plane through the data). Kernel PCA (Schölkopf et al., 1998) runs PCA in a feature space phi(x) that is "
        "never built: everything is written with inner products k(x, y) = phi(x)^T phi(y). Centre the n x n Gram "
        "matrix, take its top eigenvectors a_i with eigenvalues lambda_i; the projection of a training point on "
        "component i is sqrt(lambda_i) a_i, and of a new point sum_j a_ij k(x, x_j) / sqrt(lambda_i) (with the same "
        "centring). With an RBF or polynomial kernel it separates non-linear structure (concentric circles become "
        "linearly separable), at the price of an n x n eigenproblem and no direct map back to input space (the "
        "pre-image problem). With the linear kernel it is exactly PCA.",
        (
            ("centre the Gram matrix (1_n: the n x n matrix of 1/n)", r"\tilde K = K - 1_n K - K 1_n + 1_n K 1_n"),
            ("eigenpairs of the centred Gram matrix; unit feature-space directions", r"\tilde K a_i = \lambda_i a_i,\quad v_i = \sum_j \frac{a_{ij}}{\sqrt{\lambda_i}}\phi(x_j)"),
            ("projection of a new point", r"z_i(x) = \frac{1}{\sqrt{\lambda_i}} \sum_j a_{ij}\,\tilde k(x, x_j)"),
        ),
    ),
    "probabilistic_pca": Concept(
        "What is probabilistic PCA, and how does it relate to PCA and factor analysis?",
        "Probabilistic PCA (Tipping and Bishop, 1999) is a linear-Gaussian latent variable model: z ~ N(0, I_k), "
        "x = W z + mu + noise with isotropic noise N(0, sigma^2 I). Its marginal is x ~ N(mu, W W^T + sigma^2 I). The "
        "maximum-likelihood solution is closed-form: W = U_k (Lambda_k - sigma^2 I)^{1/2} R (top-k eigenvectors U_k and "
        "eigenvalues of the sample covariance, any rotation R) and sigma^2 = the mean of the discarded eigenvalues. As "
        "sigma^2 -> 0 the posterior mean of z becomes the PCA projection. Being a density model it gives likelihoods, "
        "handles missing data by EM, and mixes into mixtures of PPCA; factor analysis is the same model with a "
        "diagonal (not isotropic) noise covariance, and the linear VAE recovers PPCA.",
        (
            ("the generative model and its marginal", r"z \sim \mathcal N(0, I_k),\ x = Wz + \mu + \varepsilon,\ \varepsilon \sim \mathcal N(0, \sigma^2 I) \Rightarrow x \sim \mathcal N(\mu, WW^\top + \sigma^2 I)"),
            ("maximum likelihood in closed form", r"W_{ML} = U_k(\Lambda_k - \sigma^2 I)^{1/2}R,\quad \sigma^2_{ML} = \frac{1}{d-k}\sum_{j>k}\lambda_j"),
        ),
    ),
    "pca_svd": Concept(
        "Why is PCA computed with the SVD of the centred data rather than the eigen-decomposition of the covariance?",
        "With X_c = U S V^T the covariance is X_c^T X_c / (n - 1) = V S^2 V^T / (n - 1): the right singular vectors are "
        "the principal directions and s_i^2 / (n - 1) the eigenvalues. The SVD never forms X_c^T X_c, which squares "
        "the condition number (small eigenvalues lose half their significant digits in float64), and it costs "
        "O(n d min(n, d)), cheaper than forming a d x d covariance when d >> n. The scores are U S directly. Either "
        "way an eigenvector is defined only up to sign, so a convention (here: largest-magnitude entry positive) is "
        "needed to compare answers.",
        (
            ("covariance from the SVD", r"X_c = USV^\top \Rightarrow C = \frac{X_c^\top X_c}{n-1} = V\frac{S^2}{n-1}V^\top"),
            ("scores", r"Z = X_c V = US"),
        ),
    ),
}
