"""Properties every implementation must satisfy, on many random Gaussians (hypothesis,
derandomized): KL >= 0 (Gibbs), JSD symmetric and in [0, log 2] and at most (KL(p||q) +
KL(q||p))/4 (Lin 1991), W_1 <= W_2, |mu_1 - mu_2| <= W_1, and the triangle inequality for W_2."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from adlkit.divergences import Normal, jsd, kl, wasserstein

means = st.floats(-5, 5)
variances = st.floats(0.05, 20)
normals = st.builds(Normal, means, variances)
SETTINGS = settings(derandomize=True, max_examples=40, deadline=None)


@SETTINGS
@given(normals, normals)
def test_kl_nonnegative_and_zero_on_the_diagonal(p, q):
    assert kl(p, q) >= -1e-15
    assert abs(kl(p, p)) <= 1e-15


@SETTINGS
@given(normals, normals)
def test_jsd_symmetric_bounded_and_below_a_quarter_of_the_symmetrised_kl(p, q):
    a, b = jsd(p, q), jsd(q, p)
    assert abs(a - b) <= 1e-9 * max(a, 1e-12)
    assert -1e-12 <= a <= math.log(2) + 1e-12
    assert a <= (kl(p, q) + kl(q, p)) / 4 + 1e-10


@SETTINGS
@given(normals, normals, normals)
def test_wasserstein_metric_properties(p, q, r):
    w1, w2 = wasserstein(p, q, p=1), wasserstein(p, q, p=2)
    assert abs(p.mean - q.mean) - 1e-10 <= w1 <= w2 + 1e-10
    assert wasserstein(p, r) <= wasserstein(p, q) + wasserstein(q, r) + 1e-10
