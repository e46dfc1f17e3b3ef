"""The fused coupling (adlkit.flows.fused): the same map and the same gradients as the
op-by-op autograd graph of AffineCoupling.forward_autograd, in float64."""

import pytest
import torch

from adlkit.flows import AffineCoupling, MLPConditioner, RealNVPFlow, split_mask
from adlkit.flows.fused import CouplingStackMLP
from adlkit.flows.layers import ActNorm


def _layer(flip: bool, clamp, hidden, randomize, dim: int = 7, split: int = 3) -> AffineCoupling:
    mask = split_mask(dim, split, flip=flip)
    n_a = int(mask.sum())
    layer = AffineCoupling(mask, MLPConditioner(n_a, dim - n_a, hidden), clamp).double()
    randomize(layer, 0.4)
    return layer


@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("clamp", [None, 2.0])
@pytest.mark.parametrize("hidden", [(), (16,), (16, 12)])
def test_fused_matches_autograd_graph(flip, clamp, hidden, randomize):
    """Outputs, log-dets and the gradients for x and every weight agree with the generic path
    (backward through autograd) for random incoming gradients on both outputs."""
    layer = _layer(flip, clamp, hidden, randomize)
    x = torch.randn(9, 7, dtype=torch.float64, requires_grad=True)
    gy, gl = torch.randn(9, 7, dtype=torch.float64), torch.randn(9, dtype=torch.float64)
    params = [x, *layer.parameters()]
    results = []
    for f in (layer.forward, layer.forward_autograd):
        y, ld = f(x)
        grads = torch.autograd.grad((y * gy).sum() + (ld * gl).sum(), params)
        results.append((y.detach(), ld.detach(), grads))
    (y1, l1, g1), (y2, l2, g2) = results
    assert torch.allclose(y1, y2, atol=1e-14, rtol=0) and torch.allclose(l1, l2, atol=1e-14, rtol=0)
    for a, b in zip(g1, g2):
        assert torch.allclose(a, b, atol=1e-12, rtol=1e-12)


@pytest.mark.parametrize("flip", [False, True])
def test_fused_gradcheck(flip, randomize):
    """torch.autograd.gradcheck (finite differences) on the fused node, all inputs at once."""
    layer = _layer(flip, 1.5, (6, 5), randomize, dim=5, split=2)
    x = torch.randn(4, 5, dtype=torch.float64, requires_grad=True)
    params = layer.conditioner.flat_params()
    fn = lambda x, *ps: CouplingStackMLP.apply(x, (("coupling", 2, not flip, 1.5, 6),), *ps)
    assert torch.autograd.gradcheck(fn, (x, *params))


def test_fused_one_output_used(randomize):
    """Gradients are right when only y or only the log-det reaches the loss."""
    layer = _layer(False, 3.0, (8,), randomize)
    x = torch.randn(5, 7, dtype=torch.float64, requires_grad=True)
    for pick in (0, 1):
        g = [torch.autograd.grad(f(x)[pick].square().sum(), [x, *layer.parameters()])
             for f in (layer.forward, layer.forward_autograd)]
        for a, b in zip(*g):
            assert torch.allclose(a, b, atol=1e-12, rtol=1e-12)


def test_stack_training_gradients_match(randomize):
    """A whole RealNVP (logit, checkerboard permutation, ActNorm): the loss gradient through
    the fused couplings equals the one through the generic couplings."""
    flow = RealNVPFlow(16, n_couplings=4, hidden=(12, 12), mask="checkerboard", image_shape=(4, 4),
                       actnorm=True, logit_alpha=0.05).double()
    randomize(flow, 0.2)
    x = torch.rand(32, 16, dtype=torch.float64)
    g_fused = torch.autograd.grad(-flow.log_prob(x).mean(), list(flow.parameters()))
    for m in flow.layers:
        m.fused = False  # couplings and ActNorm: the op-by-op graph
    g_ref = torch.autograd.grad(-flow.log_prob(x).mean(), list(flow.parameters()))
    for a, b in zip(g_fused, g_ref):
        assert torch.allclose(a, b, atol=1e-12, rtol=1e-10)


def _stack_nodes(t: torch.Tensor) -> int:
    """Number of CouplingStackMLP nodes in the autograd graph that produced ``t``."""
    seen, todo, n = set(), [t.grad_fn], 0
    while todo:
        f = todo.pop()
        if f is None or f in seen:
            continue
        seen.add(f)
        n += f.name() == "CouplingStackMLPBackward"
        todo.extend(g for g, _ in f.next_functions)
    return n


@pytest.mark.parametrize("clamp,actnorm", [(None, False), (5.0, False), (5.0, True)])
@pytest.mark.parametrize("unfused", [None, 2])
def test_runs_of_couplings_are_one_node_with_the_autograd_gradients(clamp, actnorm, unfused, randomize):
    """RealNVPFlow runs each maximal run of consecutive fusable layers (couplings, ActNorm)
    as ONE node (5 couplings: one node; with coupling 2 set to op by op: two nodes around it).
    Outputs, log-dets and the gradients for x and every weight, for random incoming gradients,
    equal those of the all-op-by-op flow in float64."""
    flow = RealNVPFlow(10, n_couplings=5, hidden=(12, 9), scale_clamp=clamp, actnorm=actnorm,
                       logit_alpha=0.05).double()
    randomize(flow, 0.3)
    couplings = [m for m in flow.layers if isinstance(m, AffineCoupling)]
    others = [m for m in flow.layers if isinstance(m, ActNorm)]
    if unfused is not None:
        couplings[unfused].fused = False
    x = torch.rand(17, 10, dtype=torch.float64, requires_grad=True)
    gz, gl = torch.randn(17, 10, dtype=torch.float64), torch.randn(17, dtype=torch.float64)
    params = [x, *flow.parameters()]
    z, ld = flow(x)
    assert _stack_nodes(z) == (1 if unfused is None else 2)
    g_fused = torch.autograd.grad((z * gz).sum() + (ld * gl).sum(), params)
    for m in couplings + others:
        m.fused = False
    z2, ld2 = flow(x)
    assert _stack_nodes(z2) == 0
    g_ref = torch.autograd.grad((z2 * gz).sum() + (ld2 * gl).sum(), params)
    assert torch.allclose(z, z2, atol=1e-12, rtol=1e-12) and torch.allclose(ld, ld2, atol=1e-12, rtol=1e-12)
    for a, b in zip(g_fused, g_ref):
        assert torch.allclose(a, b, atol=1e-12, rtol=1e-10)


def test_stack_gradcheck(randomize):
    """torch.autograd.gradcheck on a stack of three couplings (both layouts, different depths)
    with an ActNorm between the second and the third."""
    g = torch.Generator().manual_seed(3)
    specs = (("coupling", 2, True, 1.5, 4), ("coupling", 2, False, None, 2), ("actnorm", 2), ("coupling", 3, True, 2.0, 6))
    # D = 5; each coupling's MLP maps n_a -> ... -> 2 (5 - n_a), W as (out, in)
    shapes = [[(6, 2), (6,), (6, 6), (6,)], [(6, 2), (6,)], [(5,), (5,)], [(5, 3), (5,), (4, 5), (4,), (4, 4), (4,)]]
    params = [(torch.randn(*sh, generator=g, dtype=torch.float64) * 0.5).requires_grad_() for c in shapes for sh in c]
    x = torch.randn(4, 5, dtype=torch.float64, requires_grad=True)
    fn = lambda x, *ps: CouplingStackMLP.apply(x, specs, *ps)
    assert torch.autograd.gradcheck(fn, (x, *params))


def test_fused_double_backward_is_refused(randomize):
    """Second derivatives through the fused node raise instead of returning wrong values."""
    layer = _layer(False, 2.0, (8,), randomize)
    x = torch.randn(3, 7, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(layer(x)[1].sum(), x, create_graph=True)
    with pytest.raises(RuntimeError):
        g.sum().backward()


def test_torch_func_transforms_take_the_autograd_path(randomize):
    """torch.func.jacrev through a RealNVP (which the fused node does not support) works and
    equals the Jacobian that torch.autograd.functional.jacobian computes through the fused node."""
    from torch.autograd.functional import jacobian

    flow = RealNVPFlow(4, n_couplings=3, hidden=(8,)).double()
    randomize(flow, 0.3)
    x = torch.randn(4, dtype=torch.float64)
    f = lambda v: flow(v.unsqueeze(0))[0][0]
    assert torch.allclose(torch.func.jacrev(f)(x), jacobian(f, x), atol=1e-12, rtol=0)


def test_no_grad_runs_the_stack_without_a_node(randomize):
    """Under torch.no_grad the stack runs as plain ops (nothing kept for a backward): the same
    outputs and log-dets as with gradients recorded, no autograd node."""
    flow = RealNVPFlow(6, n_couplings=4, hidden=(8,), actnorm=True).double()
    randomize(flow, 0.3)
    x = torch.randn(11, 6, dtype=torch.float64)
    z, ld = flow(x)
    with torch.no_grad():
        z0, ld0 = flow(x)
    assert z0.grad_fn is None and _stack_nodes(z) == 1
    assert torch.equal(z0, z.detach()) and torch.equal(ld0, ld.detach())
