"""Concept topics of module 6 (variational inference): short prose answers, written by us."""

from __future__ import annotations

from adlkit.solve.topics import Concept

MODULE = 6

TOPICS: dict[str, Concept] = {
    "reparameterization": Concept(
        "What is the reparameterisation trick and why does a VAE need it?",
        "The ELBO is an expectation over z ~ q_phi(z|x), and we need its gradient with respect to the "
        "encoder's parameters phi. Sampling z directly blocks the gradient (a sample is not a "
        "differentiable function of phi), and the score-function (REINFORCE) estimator has high "
        "variance. The trick writes the sample as a deterministic, differentiable function of phi and of "
        "noise that does not depend on phi: for a Gaussian q, z = mu_phi(x) + sigma_phi(x) * eps with "
        "eps ~ N(0, I) and sigma = exp(logvar / 2). The expectation is then over eps, the gradient moves "
        "inside it, and a single sample gives a low-variance unbiased estimate that backpropagation "
        "computes through mu and sigma. It needs a continuous latent with such a transform (Gaussian, "
        "and other location-scale families); discrete latents need relaxations such as Gumbel-softmax.",
        (
            ("the sample as a function of phi and independent noise",
             r"z = \mu_\phi(x) + \sigma_\phi(x)\odot\varepsilon,\ \varepsilon\sim\mathcal N(0, I)"),
            ("the gradient moves inside the expectation over eps",
             r"\nabla_\phi\,\mathbb E_{q_\phi}[f(z)] = \mathbb E_{\varepsilon}\left[\nabla_\phi f(\mu_\phi + \sigma_\phi\odot\varepsilon)\right]"),
            ("the encoder outputs log-variances", r"\sigma = e^{\frac12\log\sigma^2}"),
        ),
    ),
    "posterior_collapse": Concept(
        "What is posterior collapse in a VAE, why does it happen, and how is it mitigated?",
        "Posterior collapse is the solution where q(z|x) equals the prior p(z) for every x (the KL term "
        "is zero) and the decoder models the data without using z: the latent code carries no "
        "information. It happens when the decoder is powerful enough to model p(x) alone (an "
        "autoregressive decoder such as a PixelCNN or an LSTM) and early in training, when the KL term's "
        "pull to the prior wins before the encoder has learned anything useful; individual latent units "
        "can also collapse (inactive units). Remedies: KL annealing (warm-up of the KL weight from 0 to "
        "1), free bits (no penalty below a minimum KL per unit or group), weaker or "
        "dilated-convolution decoders, word dropout for text decoders, the delta-VAE's lower bound on "
        "the KL, and more aggressive encoder training (lagging inference networks).",
        (
            ("the collapsed solution", r"q_\phi(z\mid x) = p(z)\ \forall x \;\Rightarrow\; \mathrm{KL} = 0,\ p_\theta(x\mid z) = p_\theta(x)"),
            ("cause: a decoder that needs no z, and the KL term's early pull to the prior", ""),
            ("remedies: KL warm-up, free bits, weaker decoders", r"\beta_t = \min(1, t/T),\quad \max(\lambda, \mathrm{KL}_j)"),
        ),
    ),
    "elbo_vs_iwae": Concept(
        "How does the IWAE bound differ from the ELBO, and why is it tighter?",
        "Both bound log p(x) from below with samples z_i ~ q(z|x) and weights w_i = p(x, z_i)/q(z_i|x). "
        "The ELBO is E[log w] (one sample, or the mean of the log-weights); the IWAE bound is "
        "L_k = E[log (1/k) sum_i w_i], the log of the mean weight. By Jensen's inequality "
        "log p(x) >= L_k >= ... >= L_1 = ELBO: L_k increases with k and tends to log p(x) when the "
        "weights are bounded (Burda et al. 2016), because averaging the weights before the log lets a "
        "q that is too narrow be corrected by importance weighting. It is computed stably as "
        "logsumexp(log w) - log k. Held-out likelihoods of VAEs are reported as L_k with large k "
        "(here 5000); training with large k tightens the bound but can weaken the encoder's gradient "
        "signal.",
        (
            ("importance weights", r"w_i = \frac{p(x\mid z_i)\,p(z_i)}{q(z_i\mid x)},\ z_i\sim q(z\mid x)"),
            ("the two bounds", r"\mathrm{ELBO} = \mathbb E[\log w],\quad \mathcal L_k = \mathbb E\left[\log\frac1k\sum_{i=1}^k w_i\right]"),
            ("ordered by Jensen", r"\log p(x) \ge \mathcal L_{k+1} \ge \mathcal L_k \ge \mathcal L_1 = \mathrm{ELBO}"),
        ),
    ),
}
