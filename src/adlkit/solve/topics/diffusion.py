"""Concept topics of module 8 (diffusion models): short prose answers, written by us.

The formulas are those of :mod:`adlkit.diffusion.schedule` (t = 1..T, alpha_bar_t the product of
the per-step alphas).
"""

from __future__ import annotations

from adlkit.solve.topics import Concept

MODULE = 8

TOPICS: dict[str, Concept] = {
    "ddim_vs_ddpm": Concept(
        "How does DDIM differ from DDPM, and why can it sample with far fewer steps?",
        "DDPM (Ho et al., 2020) samples by ancestral steps of the reverse Markov chain: every one of "
        "the T (e.g. 1000) steps goes from x_t to x_{t-1} and adds fresh Gaussian noise. DDIM (Song et "
        "al., 2021) keeps the same training objective and the same trained noise network but uses a "
        "family of non-Markovian forward processes with the same marginals q(x_t | x_0); its reverse "
        "step first predicts x_0 from the noise prediction, then moves to the noise level of the "
        "target step along the predicted noise direction, with a free noise scale sigma = eta * "
        "(posterior std). eta = 1 recovers DDPM's posterior variance; eta = 0 is deterministic (an "
        "ODE-like map from noise to data, so a latent can be inverted and interpolated). Because the "
        "update only needs alpha_bar at the two steps, it can jump between strided time steps "
        "(50 instead of 1000) with little loss in sample quality, 10-50x faster.",
        (
            ("DDPM ancestral step, t -> t-1",
             r"x_{t-1} = \frac{1}{\sqrt{\alpha_t}}\left(x_t - \frac{\beta_t}{\sqrt{1-\bar\alpha_t}}\hat\epsilon\right) + \sigma_t z"),
            ("DDIM step between any two steps t > s (no retraining: the same network)",
             r"x_s = \sqrt{\bar\alpha_s}\,\hat x_0 + \sqrt{1 - \bar\alpha_s - \sigma^2}\,\hat\epsilon + \sigma z,\quad "
             r"\hat x_0 = \frac{x_t - \sqrt{1-\bar\alpha_t}\,\hat\epsilon}{\sqrt{\bar\alpha_t}}"),
            ("the noise scale: eta = 0 deterministic, eta = 1 the DDPM posterior std",
             r"\sigma = \eta\sqrt{\frac{1-\bar\alpha_s}{1-\bar\alpha_t}}\sqrt{1 - \frac{\bar\alpha_t}{\bar\alpha_s}}"),
        ),
    ),
    "noise_prediction": Concept(
        "Why does a DDPM network predict the noise epsilon rather than x_0 or the posterior mean?",
        "The three are equivalent reparameterisations (x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, "
        "so predicting one gives the others), but they weight the loss differently. Written in terms "
        "of the noise, each KL term of the variational bound is a weighted squared error between the "
        "true and the predicted noise; dropping the weights gives L_simple = E ||eps - eps_theta(x_t, "
        "t)||^2, which Ho et al. (2020) found trains more stably and gives better samples. The target "
        "has unit variance at every t (a well-scaled regression for one network shared across all "
        "noise levels), whereas x_0 is nearly unidentifiable at large t and the mean's scale changes "
        "with t. Predicting the noise is also denoising score matching: eps_theta / sqrt(1 - abar_t) "
        "estimates minus the score of the noisy data, linking DDPM to score-based models.",
        (
            ("the bound's term at step t, in terms of the noise",
             r"L_{t-1} = \frac{\beta_t^2}{2\sigma_t^2\alpha_t(1-\bar\alpha_t)}\,\mathbb{E}\|\epsilon - \epsilon_\theta(x_t, t)\|^2 + C"),
            ("the simplified loss (weights dropped, t uniform on 1..T)",
             r"L_{simple} = \mathbb{E}_{t, x_0, \epsilon}\|\epsilon - \epsilon_\theta(\sqrt{\bar\alpha_t}x_0 + \sqrt{1-\bar\alpha_t}\epsilon, t)\|^2"),
            ("the link to the score", r"\nabla_{x_t}\log q(x_t) \approx -\epsilon_\theta(x_t, t)/\sqrt{1-\bar\alpha_t}"),
        ),
    ),
    "classifier_free_guidance": Concept(
        "What is classifier-free guidance, and how does it trade diversity for fidelity?",
        "Classifier guidance (Dhariwal & Nichol, 2021) adds the gradient of a separately trained noisy "
        "classifier log p(y | x_t) to the score. Classifier-free guidance (Ho & Salimans, 2022) needs "
        "no classifier: one network is trained both conditionally and unconditionally (the condition "
        "is replaced by a null token with probability ~10-20%), and at sampling time the two noise "
        "predictions are extrapolated with a guidance weight w. Since the difference of the two "
        "predictions is proportional to the gradient of an implicit classifier log p(y | x_t), this "
        "samples approximately from p(x | y) p(y | x)^w: w = 0 is plain conditional sampling; larger w "
        "gives samples that match the condition better (higher fidelity, e.g. better FID/IS up to a "
        "point, better text alignment) but less diverse, at the cost of two network evaluations per step.",
        (
            ("training: drop the condition with probability p_uncond", r"c \leftarrow \varnothing \text{ with probability } p_{uncond}"),
            ("sampling: extrapolate from the unconditional towards the conditional prediction",
             r"\tilde\epsilon = (1 + w)\,\epsilon_\theta(x_t, t, c) - w\,\epsilon_\theta(x_t, t, \varnothing)"),
            ("the implied guided score", r"\nabla\log p(x_t \mid c) + w\,\nabla\log p(c \mid x_t)"),
        ),
    ),
    "diffusion_elbo": Concept(
        "How is the likelihood of a diffusion model bounded, and how is it reported for discrete images?",
        "The forward process is a fixed encoder, so the model has a variational bound like a "
        "hierarchical VAE with T latents: -log p(x_0) <= L_T + sum_{t=2}^T L_{t-1} + L_0, where L_T = "
        "KL(q(x_T | x_0) || N(0, I)) has no parameters, each L_{t-1} is a KL between two Gaussians "
        "(the forward posterior q(x_{t-1} | x_t, x_0) and the model's step p_theta(x_{t-1} | x_t)), "
        "in closed form, and L_0 = -log p_theta(x_0 | x_1) is the decoder. For discrete data, a "
        "discretized decoder (the Gaussian's mass over each value's bin, Ho et al. 2020) makes L_0 a "
        "probability, so the bound is on the discrete NLL; divided by D ln 2 it is reported in bits per "
        "dimension. Training with L_simple gives good samples but not the best bound; learning the "
        "variances (Nichol & Dhariwal 2021) or continuous time with a learned schedule (VDM) tightens it.",
        (
            ("the bound", r"-\log p_\theta(x_0) \le \mathbb{E}_q\Big[\underbrace{D_{KL}(q(x_T|x_0)\|p(x_T))}_{L_T} + \sum_{t=2}^T \underbrace{D_{KL}(q(x_{t-1}|x_t,x_0)\|p_\theta(x_{t-1}|x_t))}_{L_{t-1}} \underbrace{- \log p_\theta(x_0|x_1)}_{L_0}\Big]"),
            ("bits per dimension", r"\text{bpd} = \frac{\text{NLL (nats)}}{D \ln 2}"),
        ),
    ),
}
