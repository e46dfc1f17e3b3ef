"""The numba word2vec kernels against independent references: torch autograd for one SGNS and one
CBOW step, an exact alias-table probability check, and the course's context span."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from adlkit.embeddings import _w2v_kernels as K  # noqa: E402
from adlkit.embeddings import windows  # noqa: E402


def _run(sg: int, sentence: list[int], syn0: np.ndarray, syn1: np.ndarray, neg_word: int, negative: int,
         alpha: float, window: int = 1, exact: bool = True, cbow_mean: bool = True):
    """One job over one sentence whose negatives are always ``neg_word`` (a one-point alias table)."""
    v = syn0.shape[0]
    w = np.zeros(v)
    w[neg_word] = 1.0
    prob, alias = K.alias_table(w)
    toks = np.asarray(sentence, dtype=np.int32)
    offs = np.asarray([0, len(sentence)], dtype=np.int64)
    return K.train_job(syn0, syn1, toks, offs, np.arange(v, dtype=np.int32), np.ones(v, np.float32), prob, alias,
                       sg, window, negative, alpha, alpha, np.uint64(7), cbow_mean, exact, K.SIG_TABLE,
                       K.NLOGSIG_TABLE)


def _sgns_loss(u_in, v_pos, v_negs):
    return -torch.nn.functional.logsigmoid(u_in @ v_pos) - sum(
        torch.nn.functional.logsigmoid(-(u_in @ vn)) for vn in v_negs)


@pytest.fixture
def params():
    rng = np.random.default_rng(0)
    syn0 = (rng.standard_normal((5, 8)) * 0.5).astype(np.float32)
    syn1 = (rng.standard_normal((5, 8)) * 0.5).astype(np.float32)
    return syn0, syn1


def test_skipgram_steps_equal_sgd_on_the_sgns_loss_from_autograd(params):
    """Sentence [0, 1], window 1, negative word 4: the kernel makes two predictions in order
    (context 1 -> centre 0, then context 0 -> centre 1); each must be one SGD step of
    -log s(u_ctx.v_centre) - log s(-u_ctx.v_neg) with gradients from torch autograd."""
    syn0, syn1 = params
    alpha = 0.1
    t0 = torch.tensor(syn0, dtype=torch.float64)
    t1 = torch.tensor(syn1, dtype=torch.float64)
    ref_loss = 0.0
    for ctx, centre in [(1, 0), (0, 1)]:
        a = t0.clone().requires_grad_(True)
        b = t1.clone().requires_grad_(True)
        loss = _sgns_loss(a[ctx], b[centre], [b[4]])
        loss.backward()
        ref_loss += float(loss.detach())
        t0 = (a - alpha * a.grad).detach()
        t1 = (b - alpha * b.grad).detach()
    s0, s1 = syn0.copy(), syn1.copy()
    loss, npred, neff = _run(1, [0, 1], s0, s1, neg_word=4, negative=1, alpha=alpha)
    assert (npred, neff) == (2, 2)
    np.testing.assert_allclose(s0, t0.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(s1, t1.numpy(), rtol=1e-5, atol=1e-6)
    assert loss == pytest.approx(ref_loss, rel=1e-5)


def test_cbow_step_equals_autograd_on_the_mean_with_word2vec_context_convention(params):
    """Sentence [0, 1, 3], window 1: three CBOW predictions. Output vectors take exactly the SGD
    step; every context vector moves by -alpha * dL/dh (h = mean of the context), which is
    ``count`` times its own gradient (word2vec.c and gensim with cbow_mean=1)."""
    syn0, syn1 = params
    alpha = 0.05
    sent = [0, 1, 3]
    t0 = torch.tensor(syn0, dtype=torch.float64)
    t1 = torch.tensor(syn1, dtype=torch.float64)
    ref_loss = 0.0
    for i in range(len(sent)):
        lo, hi = windows.context_bounds(i, len(sent), 1)
        ctx = [sent[j] for j in range(lo, hi) if j != i]
        a = t0.clone().requires_grad_(True)
        b = t1.clone().requires_grad_(True)
        h = torch.stack([a[c] for c in ctx]).mean(0)
        h.retain_grad()
        loss = _sgns_loss(h, b[sent[i]], [b[4]])
        loss.backward()
        ref_loss += float(loss.detach())
        new0 = a.detach().clone()
        for c in ctx:
            # autograd's own gradient for a context row is dL/dh / count; check that, then apply
            np.testing.assert_allclose(a.grad[c].numpy(), (h.grad / len(ctx)).numpy(), rtol=1e-12)
            new0[c] -= alpha * h.grad
        t0 = new0
        t1 = (b - alpha * b.grad).detach()
    s0, s1 = syn0.copy(), syn1.copy()
    loss, npred, _ = _run(0, sent, s0, s1, neg_word=4, negative=1, alpha=alpha)
    assert npred == 3
    np.testing.assert_allclose(s0, t0.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(s1, t1.numpy(), rtol=1e-5, atol=1e-6)
    assert loss == pytest.approx(ref_loss, rel=1e-5)


def test_sigmoid_table_agrees_with_exact_within_its_resolution(params):
    """The default table path (2048 bins over [-8, 8]) differs from the exact path by at most
    the table's step in the sigmoid (1/4 * 16/2048 ~ 2e-3) per update."""
    syn0, syn1 = params
    a0, a1 = syn0.copy(), syn1.copy()
    b0, b1 = syn0.copy(), syn1.copy()
    la, *_ = _run(1, [0, 1, 2, 3], a0, a1, neg_word=4, negative=1, alpha=0.1, exact=True)
    lb, *_ = _run(1, [0, 1, 2, 3], b0, b1, neg_word=4, negative=1, alpha=0.1, exact=False)
    assert np.abs(a0 - b0).max() < 5e-3
    assert np.abs(a1 - b1).max() < 5e-3
    assert lb == pytest.approx(la, rel=1e-2)


def test_sigmoid_table_values():
    """Bin centres of the lookup tables hold sigmoid and -log sigmoid."""
    x = -K.MAX_EXP + (np.arange(K.TABLE_SIZE) + 0.5) * (2 * K.MAX_EXP / K.TABLE_SIZE)
    np.testing.assert_allclose(K.SIG_TABLE, 1 / (1 + np.exp(-x)), rtol=1e-6)
    np.testing.assert_allclose(K.NLOGSIG_TABLE, -np.log(1 / (1 + np.exp(-x))), rtol=1e-5)


@pytest.mark.parametrize("weights", [[1, 1, 1, 1], [5, 1, 0, 3, 0.25], list(np.arange(1, 200) ** -0.9)])
def test_alias_table_encodes_the_exact_distribution(weights):
    """Probability of i under the alias table = (prob_i + sum over j aliased to i of 1 - prob_j) / V."""
    w = np.asarray(weights, dtype=np.float64)
    prob, alias = K.alias_table(w)
    v = len(w)
    implied = prob.astype(np.float64).copy()
    np.add.at(implied, alias, 1.0 - prob.astype(np.float64))
    np.testing.assert_allclose(implied / v, w / w.sum(), atol=1e-6)


def test_kernel_compiles_the_course_context_span():
    """The kernel's span function is windows.context_bounds compiled, not a copy."""
    assert K._bounds.py_func is windows.context_bounds
    for n in (1, 2, 7):
        for half in (1, 2, 5):
            for i in range(n):
                assert K._bounds(i, n, half) == windows.context_bounds(i, n, half)
