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
    "mode_collapse": Concept(
        "What is mode collapse in a GAN, why does it happen, and how can it be reduced?",
        "Mode collapse: the generator maps many (or all) noise vectors to a few outputs, covering "
        "only some modes of the data (e.g. 1 of the 8 Gaussians of a ring) while each sample still "
        "looks real. The generator is trained against the current discriminator only: in the "
        "minimax game it may place its mass where D is currently weakest, and D then chases that "
        "spot, so the pair cycles between modes instead of converging; with a saturating or "
        "vanishing gradient (JSD of distributions with disjoint supports) nothing pulls the "
        "generator back to the missing modes. Remedies: a Wasserstein critic (WGAN, WGAN-GP), whose "
        "gradient stays informative and which is trained closer to optimality (n_critic steps); "
        "minibatch discrimination or minibatch standard deviation features, so D sees the lack of "
        "diversity; unrolled GANs; spectral normalization; and measuring coverage explicitly (modes "
        "hit, exact W1 to the data) rather than judging samples by eye.",
        (
            ("the generator can win by covering one mode: the objective is an expectation over its own samples",
             r"\min_G \max_D\ \mathbb{E}_{x\sim p_{data}}[\log D(x)] + \mathbb{E}_{z}[\log(1 - D(G(z)))]"),
            ("for disjoint supports the JSD is constant, so its gradient tells G nothing about the missing modes",
             r"\mathrm{JSD}(p_{data}\|p_g) = \log 2 \text{ when the supports do not overlap}"),
            ("a 1-Lipschitz critic estimates W1, which still decreases as mass moves towards a missing mode",
             r"W_1(p_{data}, p_g) = \sup_{\|f\|_L \le 1} \mathbb{E}_{p_{data}}[f] - \mathbb{E}_{p_g}[f]"),
            ("measure it: the fraction of modes with samples nearby, and W1 to the data", ""),
        ),
    ),
    "wgan_n_critic": Concept(
        "Why does WGAN update the critic several times (n_critic) per generator update?",
        "The Wasserstein estimate E f(real) - E f(fake) is W1 only at the optimal 1-Lipschitz "
        "critic (Kantorovich-Rubinstein duality); the generator's gradient is the gradient of W1 "
        "only if the critic is close to that optimum. So WGAN trains the critic n_critic = 5 "
        "times per generator step (Arjovsky et al. 2017, Algorithm 1; also WGAN-GP), keeping it "
        "near-optimal for the slowly moving generator. Unlike the original GAN, a well-trained "
        "critic does not make the generator's gradient vanish (the critic is Lipschitz, its "
        "gradient stays bounded and informative), so training it more is safe and useful; the "
        "critic's loss then also tracks the W1 estimate, a meaningful training curve. The cost is "
        "n_critic critic passes per generator iteration.",
        (
            ("the dual form: the estimate is W1 only at the best 1-Lipschitz critic",
             r"W_1 = \sup_{\|f\|_L \le 1} \mathbb{E}_{p_{data}}[f(x)] - \mathbb{E}_{z}[f(G(z))]"),
            ("per generator iteration: n_critic critic steps, then one generator step",
             r"\text{repeat } n_{critic} = 5: \ \max_f \hat W;\quad \text{then } \min_G -\mathbb{E}_z[f(G(z))]"),
            ("the generator's gradient is that of W1 only when f is (near) optimal",
             r"\nabla_\theta W_1 = -\mathbb{E}_z[\nabla_\theta f^*(G_\theta(z))]"),
        ),
    ),
    "spectral_norm_discriminator": Concept(
        "What is spectral normalization of the discriminator and why does it help?",
        "Spectral normalization (Miyato et al. 2018) divides every weight matrix of the "
        "discriminator by its spectral norm, its largest singular value, so each linear layer is "
        "1-Lipschitz; with 1-Lipschitz activations (ReLU, leaky ReLU) the whole network is then at "
        "most 1-Lipschitz (the product of the layers' constants). The norm is estimated cheaply "
        "by power iteration: one iteration per training step, reusing u from the previous step, "
        "with sigma = u^T W v. It controls the discriminator's Lipschitz constant without weight "
        "clipping's capacity loss and without a gradient penalty's extra backward pass, it does not "
        "depend on the samples (unlike a penalty on interpolates), and it stabilises training "
        "(smoother, bounded gradients for the generator). The estimate approaches sigma from below, "
        "so a layer's norm can be slightly above 1 early on.",
        (
            ("normalize each layer's weight by its largest singular value",
             r"\bar W = W / \sigma(W),\quad \sigma(W) = \max_{\|h\|=1}\|W h\|_2"),
            ("the network's Lipschitz constant is at most the product over layers",
             r"\|f\|_L \le \prod_l \sigma(\bar W_l) \cdot \prod_a L_a = 1"),
            ("power iteration, one step per training step, u kept between steps",
             r"v = \frac{W^\top u}{\|W^\top u\|},\ u = \frac{W v}{\|W v\|},\ \hat\sigma = u^\top W v"),
        ),
    ),
}
