"""Concept topics of module 11 (time series): short prose answers, written by us."""

from __future__ import annotations

from adlkit.solve.topics import Concept

MODULE = 11

TOPICS: dict[str, Concept] = {
    "timegan": Concept(
        "What is TimeGAN, and why is a plain GAN not enough for time series?",
        "A GAN's discriminator judging whole sequences gives the generator a weak signal about the step-to-step "
        "dynamics, and a supervised autoregressive model captures the dynamics but not the joint distribution. "
        "TimeGAN (Yoon et al., 2019) combines both in a learned latent space: an embedder and a recovery network form "
        "an autoencoder of the sequences; a generator produces latent sequences from noise; a discriminator "
        "separates real from generated latent sequences (adversarial loss); and a supervised loss trains the "
        "generator to predict the next real latent step from the previous ones, so the stepwise conditionals "
        "p(h_t | h_<t) are matched explicitly. The losses are trained jointly (reconstruction, supervised, "
        "unsupervised adversarial).",
        (
            ("reconstruction of the embedding", r"\mathcal L_R = \mathbb E\sum_t \|x_t - \tilde x_t\|^2"),
            ("supervised next-step loss in latent space", r"\mathcal L_S = \mathbb E\sum_t \|h_t - g(h_{t-1}, z_t)\|^2"),
            ("adversarial loss on latent sequences", r"\mathcal L_U = \mathbb E\sum_t \log y_t + \mathbb E\sum_t \log(1 - \hat y_t)"),
        ),
    ),
    "arima": Concept(
        "What is an ARIMA(p, d, q) model, and how do you forecast with it?",
        "ARIMA models a series whose d-th difference is a stationary ARMA(p, q): "
        "phi(B)(1 - B)^d y_t = c + theta(B) e_t, with B the backshift operator. Differencing removes trends (d = 1 "
        "a linear trend, d = 2 a quadratic one); the AR part regresses on past values, the MA part on past shocks. "
        "To forecast: difference the series d times, run the ARMA recursion with future shocks at 0 and unknown "
        "future values replaced by their forecasts, then undo the differencing by cumulative sums starting from the "
        "last observed value of each level. The order is chosen from the ACF/PACF or by AIC; the parameters by "
        "(conditional) maximum likelihood.",
        (
            ("the model", r"\Big(1 - \sum_{i=1}^p \phi_i B^i\Big)(1 - B)^d y_t = c + \Big(1 + \sum_{j=1}^q \theta_j B^j\Big)\varepsilon_t"),
            ("AR forecast on the differenced series", r"\hat w_{n+h} = c + \sum_i \phi_i \hat w_{n+h-i}"),
            ("undo one difference", r"\hat y_{n+h} = y_n + \sum_{s=1}^{h} \hat w_{n+s}"),
        ),
    ),
    "variational_rnn": Concept(
        "What is a variational RNN (VRNN), and how does it differ from an RNN with a VAE on top?",
        "A VRNN (Chung et al., 2015) puts a VAE at every time step of an RNN: a latent z_t with a learned prior "
        "p(z_t | h_{t-1}) that depends on the history, an emission p(x_t | z_t, h_{t-1}), an approximate posterior "
        "q(z_t | x_t, h_{t-1}), and the recurrence h_t = f(h_{t-1}, x_t, z_t). The latent variables thus carry "
        "stochastic structure across time (variability a deterministic RNN can only model through its output "
        "distribution). It is trained with the sum over steps of the per-step ELBO: reconstruction minus the KL of "
        "the posterior from the time-dependent prior. A static VAE over the whole sequence has one latent code and a "
        "fixed N(0, I) prior instead.",
        (
            ("prior, emission, posterior, recurrence", r"p(z_t\mid h_{t-1}),\ p(x_t\mid z_t, h_{t-1}),\ q(z_t\mid x_t, h_{t-1}),\ h_t = f(h_{t-1}, x_t, z_t)"),
            ("the ELBO, summed over time", r"\sum_t \mathbb E_q\left[\log p(x_t\mid z_{\le t}, x_{<t}) - \mathrm{KL}(q(z_t\mid x_{\le t}, z_{<t})\,\|\,p(z_t\mid x_{<t}, z_{<t}))\right]"),
        ),
    ),
}
