"""Concept topics of module 9 (energy- and score-based models): short prose answers, written by us."""

from __future__ import annotations

from adlkit.solve.topics import Concept

MODULE = 9

TOPICS: dict[str, Concept] = {
    "score_matching": Concept(
        "What is score matching, and why does denoising score matching make it practical?",
        "An energy-based model p(x) = exp(-E(x))/Z has an intractable Z, but its score grad_x log p(x) = -grad_x E(x) "
        "does not involve Z. Score matching (Hyvärinen, 2005) fits the model's score s_theta to the data's by "
        "minimising the Fisher divergence 1/2 E||s_theta(x) - grad log p_data(x)||^2; integration by parts removes the "
        "unknown data score, leaving E[tr(grad s_theta) + 1/2 ||s_theta||^2], whose trace of the Jacobian costs d "
        "backward passes. Denoising score matching (Vincent, 2011) instead perturbs the data, x~ = x + sigma eps, and "
        "regresses s_theta(x~) on the kernel's score -(x~ - x)/sigma^2 = -eps/sigma: one backward pass, and it learns "
        "the score of the noised density q_sigma. Several noise levels and annealed Langevin sampling (Song and Ermon, "
        "2019) lead to score-based diffusion models.",
        (
            ("the score needs no partition function", r"\nabla_x \log p_\theta(x) = -\nabla_x E_\theta(x)"),
            ("implicit score matching (Hyvärinen)", r"J(\theta) = \mathbb E_{p_{data}}\left[\operatorname{tr}\nabla_x s_\theta(x) + \tfrac12\|s_\theta(x)\|^2\right]"),
            ("denoising score matching", r"\tfrac12\,\mathbb E\left\|s_\theta(x + \sigma\epsilon) + \epsilon/\sigma\right\|^2"),
        ),
    ),
    "contrastive_divergence": Concept(
        "What is contrastive divergence, and how does persistent CD differ?",
        "The log-likelihood gradient of an energy model is -E_data[grad E] + E_model[grad E]: lower the energy of the "
        "data, raise it where the model puts mass. The second expectation needs samples from the model. CD-k "
        "(Hinton, 2002) starts a Markov chain (block Gibbs for an RBM, Langevin for a continuous EBM) at each "
        "training example and runs only k steps, using the end points as negatives: cheap and low-variance, but "
        "biased (it ignores modes far from the data, so spurious modes survive). Persistent CD (Tieleman, 2008) "
        "keeps the chains between parameter updates, so they can travel and approximate the model distribution "
        "better with small learning rates; a replay buffer with occasional restarts is the modern version.",
        (
            ("the likelihood gradient", r"\nabla_\theta \log p_\theta(x) = -\nabla_\theta E_\theta(x) + \mathbb E_{x'\sim p_\theta}[\nabla_\theta E_\theta(x')]"),
            ("RBM update with CD-k", r"\Delta W \propto \langle v h^\top\rangle_{data} - \langle v h^\top\rangle_{k\text{ Gibbs steps}}"),
        ),
    ),
    "intractable_partition_function": Concept(
        "Why is the partition function of an energy-based model intractable, and how do we work around it?",
        "Z = sum_x exp(-E(x)) (or an integral) runs over every configuration: 2^d states for d binary units (an RBM "
        "with 784 visible units has 2^784 terms), and a d-dimensional integral with no closed form for a neural "
        "energy. So the likelihood cannot be evaluated or differentiated directly. Workarounds: estimate gradients "
        "with samples (contrastive divergence), avoid Z altogether (score matching, noise-contrastive estimation, "
        "pseudo-likelihood), or estimate Z itself when a number is needed (annealed importance sampling, exact "
        "enumeration only for tiny models, quadrature in one or two dimensions).",
        (
            ("the normaliser sums over every state", r"Z_\theta = \sum_{x \in \{0,1\}^d} e^{-E_\theta(x)}\quad (2^d\ \text{terms})"),
            ("AIS: anneal from a tractable p_0 through p_t proportional to p_0^{1-beta_t} f^{beta_t}", r"\log Z \approx \log Z_0 + \log \frac1M\sum_m \prod_t \frac{f_{t}(x_{t}^{(m)})}{f_{t-1}(x_{t}^{(m)})}"),
        ),
    ),
    "langevin_dynamics": Concept(
        "What is Langevin dynamics, and how is it used to sample from an energy or score model?",
        "Langevin dynamics follows the score uphill with injected Gaussian noise: x_{t+1} = x_t + (eps/2) grad log p(x_t) "
        "+ sqrt(eps) z_t. It only needs the score, never Z. As eps -> 0 and t -> infinity the chain's law converges "
        "to p; a finite step leaves an O(eps) bias that a Metropolis correction (MALA) removes. It mixes slowly "
        "between separated modes and where the score is poorly learned (low-density regions), which annealed "
        "Langevin fixes by running it over decreasing noise levels sigma_1 > ... > sigma_L with step eps_i "
        "proportional to sigma_i^2.",
        (
            ("the update", r"x_{t+1} = x_t + \frac{\epsilon}{2}\nabla_x \log p(x_t) + \sqrt{\epsilon}\,z_t,\ z_t \sim \mathcal N(0, I)"),
            ("annealed step sizes (Song and Ermon)", r"\epsilon_i = \epsilon\,\sigma_i^2/\sigma_L^2"),
        ),
    ),
    "rbm_vs_dbm": Concept(
        "How does a restricted Boltzmann machine differ from a deep Boltzmann machine?",
        "An RBM is a bipartite undirected model: one visible and one hidden layer, no connections within a layer. So "
        "p(h | v) and p(v | h) factorise into independent sigmoids, block Gibbs sampling is exact per layer, and "
        "the free energy F(v) is closed-form (the hidden units sum out). A DBM stacks several hidden layers, still "
        "undirected: a middle layer depends on both neighbours, so p(h | v) no longer factorises; inference needs "
        "mean-field variational approximations and learning combines them with persistent chains (Salakhutdinov and "
        "Hinton, 2009), usually after greedy layer-wise pretraining. A deep belief net, in contrast, has directed "
        "layers below an RBM on top.",
        (
            ("RBM energy and factorised conditionals", r"E(v,h) = -b^\top v - c^\top h - v^\top Wh,\quad p(h_j = 1\mid v) = \sigma(c_j + W_{:j}^\top v)"),
            ("DBM with two hidden layers", r"E(v, h^1, h^2) = -v^\top W^1 h^1 - {h^1}^\top W^2 h^2 - \ldots"),
        ),
    ),
}
