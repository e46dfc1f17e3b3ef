"""The word2vec and GloVe objectives of adlkit.embeddings.objectives (what the word2vec_loss and
glove_loss problem types compute) against the training kernels and torch autograd."""

import numpy as np
import pytest
import torch

from adlkit.embeddings import _glove_kernels as gk
from adlkit.embeddings import _w2v_kernels as wk
from adlkit.embeddings.objectives import glove_pair, glove_weight, negative_sampling, softmax_objective

CENTER = np.array([0.3, -0.7, 0.5])
CONTEXT = np.array([0.2, 0.4, -0.6])
NEGATIVES = np.array([[0.5, 0.1, 0.2], [-0.3, 0.8, 0.4]])


def _kernel_step(syn1: np.ndarray, h: np.ndarray, negative_row: int | None):
    """One call of the kernel's prediction (exact sigmoid, learning rate 1): the positive output
    row is 0; with ``negative_row`` one noise word, always that row (a one-hot alias table)."""
    syn1 = syn1.astype(np.float32).copy()
    h_grad = np.zeros(h.size, np.float32)
    weights = np.zeros(syn1.shape[0])
    weights[negative_row if negative_row is not None else 0] = 1.0
    prob, alias = wk.alias_table(weights)
    wk._predict(h.astype(np.float32), h_grad, syn1, 0, 0 if negative_row is None else 1, np.uint64(1), prob, alias,
                np.float32(1.0), True, wk.SIG_TABLE, wk.NLOGSIG_TABLE, 0.0)
    return h_grad, syn1


def test_negative_sampling_gradients_are_the_word2vec_kernels_update_at_learning_rate_1():
    r = negative_sampling(CENTER, CONTEXT, NEGATIVES)
    syn1 = np.vstack([CONTEXT, NEGATIVES])
    g_pos, s_pos = _kernel_step(syn1, CENTER, None)
    update_center = g_pos.astype(np.float64)
    np.testing.assert_allclose(s_pos[0] - syn1[0], -r["grad_context"], atol=1e-6)
    for j in range(len(NEGATIVES)):
        g, s = _kernel_step(syn1, CENTER, j + 1)
        update_center += g - g_pos  # this noise word's share of the update of v_c
        np.testing.assert_allclose(s[j + 1] - syn1[j + 1], -r["grad_negatives"][j], atol=1e-6)
    np.testing.assert_allclose(update_center, -r["grad_center"], atol=1e-6)


def test_negative_sampling_against_torch_autograd():
    v, u, N = (torch.tensor(a, requires_grad=True) for a in (CENTER, CONTEXT, NEGATIVES))
    loss = -torch.nn.functional.logsigmoid(u @ v) - torch.nn.functional.logsigmoid(-(N @ v)).sum()
    loss.backward()
    r = negative_sampling(CENTER, CONTEXT, NEGATIVES)
    assert r["loss"] == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(r["grad_center"], v.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(r["grad_context"], u.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(r["grad_negatives"], N.grad.numpy(), rtol=1e-12)


def test_softmax_objective_against_torch_autograd():
    U = np.vstack([CONTEXT, NEGATIVES])
    v = torch.tensor(CENTER, requires_grad=True)
    loss = torch.nn.functional.cross_entropy((torch.tensor(U) @ v)[None], torch.tensor([2]))
    loss.backward()
    r = softmax_objective(CENTER, U, 2)
    assert r["loss"] == pytest.approx(loss.item(), rel=1e-12)
    assert r["probabilities"].sum() == pytest.approx(1.0)
    np.testing.assert_allclose(r["grad_center"], v.grad.numpy(), rtol=1e-12)


def test_glove_pair_is_twice_the_kernels_cost_and_its_gradient_the_kernels_first_step():
    X = np.array([3.0, 250.0])
    W = np.array([[0.1, 0.2], [0.3, -0.1]])
    C = np.array([[0.5, -0.4], [0.2, 0.2]])
    b, bc = np.array([0.1, -0.2]), np.array([0.05, 0.3])
    r = glove_pair(X, W, C, b, bc)
    assert r["weight"][1] == 1.0 and r["weight"][0] == pytest.approx((3 / 100) ** 0.75)
    for e in range(2):
        args = [a.astype(np.float32).copy() for a in (W, C, b, bc)]
        ones = [np.ones_like(a) for a in args]
        rows, cols = np.array([e], np.int32), np.array([e], np.int32)
        logx = np.log(X[e:e + 1]).astype(np.float32)
        fx = glove_weight(X[e:e + 1]).astype(np.float32)
        cost = gk.train_block(*args, *ones, rows, cols, logx, fx, np.array([0], np.int64), np.float32(1e-3))
        assert 2 * cost == pytest.approx(r["loss"][e], rel=1e-5)
        # AdaGrad's first step (squared-gradient sums 1): w -= eta * f * residual * w~
        step = (args[0][e] - W[e]) / 1e-3
        np.testing.assert_allclose(step, -r["weight"][e] * r["residual"][e] * C[e], rtol=1e-3, atol=1e-5)
