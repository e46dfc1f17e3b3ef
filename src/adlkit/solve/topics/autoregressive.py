"""Concept topics of module 4 (autoregressive models): short prose answers, written by us.

Each entry is a :class:`~adlkit.solve.topics.Concept`: the question, a summary that answers it,
and the points (text, LaTeX or "") that the worked solution lists as steps.
"""

from __future__ import annotations

from adlkit.solve.topics import Concept

MODULE = 4

TOPICS: dict[str, Concept] = {
    "autoregressive_vs_flow": Concept(
        "Compare autoregressive models with normalizing flows: how does each compute the likelihood, "
        "and what is fast and slow in each?",
        "Both give an exact log-likelihood. An autoregressive model factorises p(x) by the chain rule into "
        "conditionals p(x_i | x_<i) in a fixed order; with masks (MADE, PixelCNN) all conditionals are "
        "evaluated in one parallel pass, so training and density evaluation are fast, but sampling is "
        "sequential: D passes, one per variable. A flow maps x to z = f(x) through an invertible network and "
        "adds log|det df/dx|; it works on continuous data (discrete data must be dequantized), and both "
        "directions are one pass when the inverse is cheap (coupling layers). The two meet: an autoregressive "
        "model with Gaussian conditionals is a flow (MAF); MAF is fast to evaluate and slow to sample, and "
        "its inverse, IAF, the reverse. Autoregressive models handle discrete data directly and are usually "
        "the stronger likelihood models; flows give a latent space and one-pass sampling.",
        (
            ("autoregressive: the chain rule, one conditional per variable",
             r"\log p(x) = \sum_{i=1}^{D} \log p(x_i \mid x_{<i})"),
            ("flow: change of variables through an invertible f",
             r"\log p(x) = \log p_Z(f(x)) + \log\left|\det \frac{\partial f}{\partial x}\right|"),
            ("cost: autoregressive sampling takes D sequential passes; a coupling flow samples in one", ""),
            ("a Gaussian autoregressive model is a flow: MAF (fast density) and IAF (fast sampling)",
             r"x_i = \mu_i(x_{<i}) + \sigma_i(x_{<i}) z_i"),
        ),
    ),
    "pixelcnn_blind_spot": Concept(
        "What is the blind spot of PixelCNN, and how is it removed?",
        "Stacking masked convolutions (mask A, then mask B) lets pixel i see only earlier pixels, but the "
        "receptive field grows as a staircase that never covers a wedge of pixels above and to the right of i: "
        "those pixels come before i in raster order, so p(x_i | x_<i) should use them, yet no path of masked "
        "kernels reaches them, however deep the stack. Gated PixelCNN (van den Oord et al., 2016) removes it "
        "with two stacks: a vertical stack that sees every row above (an unmasked k x k kernel shifted down by "
        "one row) and a horizontal stack that sees the pixels left of i on its row, with the vertical stack "
        "feeding the horizontal one (never the reverse). PixelCNN++ and attention-based models (PixelSNAIL) "
        "are other answers.",
        (
            ("mask A (first layer) hides the centre; mask B keeps it", ""),
            ("the union of the masked kernels' receptive fields misses pixels above-right of i: the blind spot", ""),
            ("fix: a vertical stack (all rows above) and a horizontal stack (the row to the left), vertical "
             "feeding horizontal: Gated PixelCNN", ""),
        ),
    ),
    "made_masks_why": Concept(
        "Why does MADE mask the weights of an autoencoder, and how are the masks chosen?",
        "An ordinary autoencoder's output x_hat_d may depend on x_d itself, so it can copy its input and its "
        "outputs are not a normalised distribution. MADE (Germain et al., 2015) turns it into an "
        "autoregressive model by zeroing weights: each input gets a degree m(d) (its place in the ordering), "
        "each hidden unit a degree in 1..D-1; a hidden unit may connect to units of degree at most its own "
        "(m^l(k) >= m^(l-1)(k')), and output d only to units of degree strictly less than m(d). Then output d "
        "depends only on inputs of smaller degree, the outputs are the conditionals p(x_d | x_<d), and their "
        "product is a normalised p(x) that one forward pass evaluates exactly. The strict > at the output is "
        "what prevents output d from seeing x_d; degrees below D keep every unit useful (a unit of degree D "
        "could feed no output). Several orderings and degree draws can be trained as an ensemble.",
        (
            ("hidden layers", r"M^{l}_{k k'} = [\, m^{l}(k) \ge m^{l-1}(k') \,]"),
            ("output layer (strict)", r"M^{\mathrm{out}}_{d k} = [\, m(d) > m^{L}(k) \,]"),
            ("result: output d sees only inputs of smaller degree; exact likelihood in one pass",
             r"\log p(x) = \sum_d \log p(x_d \mid x_{m < m(d)})"),
        ),
    ),
    "teacher_forcing": Concept(
        "What is teacher forcing in training autoregressive models, and what is its drawback?",
        "Teacher forcing trains every conditional p(x_i | x_<i) on the true previous values x_<i from the "
        "data, not on the model's own samples. It is exactly maximum likelihood (the log-likelihood is the "
        "sum of these conditionals), and with masks or causal attention all positions train in parallel in one "
        "pass. At generation time, however, the model conditions on its own samples, which it never saw in "
        "training: an early mistake leads it into inputs unlike the data and errors compound (exposure bias). "
        "Remedies include scheduled sampling (feeding the model's own predictions with growing probability), "
        "sequence-level training, and simply larger models and data.",
        (
            ("train on the data's prefixes (maximum likelihood, parallel)",
             r"\max_\theta \sum_i \log p_\theta(x_i \mid x_{<i}^{\mathrm{data}})"),
            ("generate from the model's own prefixes, sequentially", r"\hat x_i \sim p_\theta(\cdot \mid \hat x_{<i})"),
            ("the mismatch is exposure bias; scheduled sampling is one remedy", ""),
        ),
    ),
    "nade_weight_sharing": Concept(
        "How does NADE differ from FVSBN, and why does it share weights?",
        "FVSBN gives each conditional its own logistic regression on the earlier variables: n(n+1)/2 "
        "parameters for n binary variables, and each conditional is only linear in its inputs. NADE inserts a "
        "hidden layer h_i = sigma(c + W_{:,<i} x_{<i}) whose weight matrix W is shared across all the "
        "conditionals (conditional i uses the first i-1 columns), then p(x_i = 1 | x_<i) = sigma(b_i + V_i h_i). "
        "Sharing W makes the conditionals nonlinear while keeping 2nd + n + d parameters (linear in n), and "
        "the hidden pre-activations are computed for all i in O(nd) by a running sum.",
        (
            ("FVSBN", r"p(x_i = 1 \mid x_{<i}) = \sigma\left(b_i + \textstyle\sum_{j<i} W_{ij} x_j\right)"),
            ("NADE", r"h_i = \sigma(c + W_{:,<i} x_{<i}),\quad p(x_i = 1 \mid x_{<i}) = \sigma(b_i + V_i h_i)"),
            ("running sum", r"a_{i+1} = a_i + W_{:,i} x_i"),
        ),
    ),
}
