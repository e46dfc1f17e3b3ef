"""A small GPT-style transformer language model.

The GPT-2 layout: token embeddings plus learned position embeddings (or fixed sinusoidal ones, see
:class:`TransformerLM`), ``layers`` pre-LN blocks
``x + Attn(LN(x))`` then ``x + MLP(LN(x))`` with causal multi-head attention (Q, K, V and output
projections, d x d each) and an MLP d -> d_ff -> d (GELU), a final LayerNorm, and an output layer
that shares the token embedding (``tied``, no bias) or has its own V x d matrix.

:func:`attention` is the one scaled dot-product attention; :class:`MultiHeadAttention` splits
the heads, calls it and merges them. The ``attention`` and ``transformer_params`` problem types
compute through these modules.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, scale: float | None = None,
              causal: bool = False) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Scaled dot-product attention over the last two axes (rows are positions).

    ``scores = scale * Q K^T`` (``scale`` default ``1/sqrt(d_k)``), masked above the diagonal
    when ``causal`` (-inf: a position sees itself and the past); ``weights`` = softmax of each
    ROW (over the keys); ``output = weights V``. Returns ``(scores, weights, output)``.
    """
    d_k = q.shape[-1]
    s = 1.0 / math.sqrt(d_k) if scale is None else scale
    scores = (q @ k.transpose(-2, -1)) * s
    if causal:
        tq, tk = scores.shape[-2], scores.shape[-1]
        mask = torch.ones(tq, tk, dtype=torch.bool, device=q.device).triu(1)
        scores = scores.masked_fill(mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return scores, weights, weights @ v


def split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    """(..., T, d) -> (..., heads, T, d/heads): head h takes columns h*d_k .. (h+1)*d_k - 1."""
    *lead, t, d = x.shape
    if d % heads:
        raise ValueError(f"heads ({heads}) must divide the width ({d})")
    return x.reshape(*lead, t, heads, d // heads).transpose(-3, -2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """(..., heads, T, d_k) -> (..., T, heads*d_k): the heads' outputs concatenated."""
    *lead, h, t, dk = x.shape
    return x.transpose(-3, -2).reshape(*lead, t, h * dk)


def multi_head(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, heads: int, scale: float | None = None,
               causal: bool = False) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Attention of projected Q, K, V (..., T, d) with ``heads`` heads: (scores, weights) per head
    (..., heads, T, T) and the concatenated output (..., T, d)."""
    scores, weights, out = attention(split_heads(q, heads), split_heads(k, heads), split_heads(v, heads),
                                     scale=scale, causal=causal)
    return scores, weights, merge_heads(out)


class MultiHeadAttention(nn.Module):
    """Causal multi-head self-attention: Q, K, V and output projections, d x d each."""

    def __init__(self, d_model: int, heads: int, bias: bool = True):
        super().__init__()
        if d_model % heads:
            raise ValueError(f"heads ({heads}) must divide d_model ({d_model})")
        self.heads = heads
        self.q = nn.Linear(d_model, d_model, bias=bias)
        self.k = nn.Linear(d_model, d_model, bias=bias)
        self.v = nn.Linear(d_model, d_model, bias=bias)
        self.o = nn.Linear(d_model, d_model, bias=bias)

    def forward(self, x: torch.Tensor, causal: bool = True) -> torch.Tensor:
        _, _, out = multi_head(self.q(x), self.k(x), self.v(x), self.heads, causal=causal)
        return self.o(out)


class Block(nn.Module):
    """Pre-LN transformer block: x + Attn(LN(x)), then x + MLP(LN(x))."""

    def __init__(self, d_model: int, heads: int, d_ff: int, bias: bool = True, dropout: float = 0.0):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = MultiHeadAttention(d_model, heads, bias=bias)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, d_ff, bias=bias), nn.GELU(), nn.Linear(d_ff, d_model, bias=bias))
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.drop(self.attn(self.ln1(x)))
        return x + self.drop(self.mlp(self.ln2(x)))


def sinusoidal(length: int, d: int) -> torch.Tensor:
    """Vaswani et al.'s fixed positions: PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(..)."""
    pos = torch.arange(length, dtype=torch.float32)[:, None]
    freq = torch.exp(-math.log(10000.0) * torch.arange(0, d, 2, dtype=torch.float32) / d)
    pe = torch.zeros(length, d)
    pe[:, 0::2] = torch.sin(pos * freq)
    pe[:, 1::2] = torch.cos(pos * freq)[:, : d // 2]
    return pe


class TransformerLM(nn.Module):
    """GPT-style language model.

    ``context``: the longest sequence; ``learned_positions`` True (GPT-2: a context x d table) or
    False (sinusoidal, no parameters). ``tied``: the output layer is the token embedding (no
    bias); untied: its own V x d matrix (no bias). ``bias``: biases of the linear layers (the
    LayerNorms always have their weight and bias).
    """

    def __init__(self, vocab: int, context: int = 64, d_model: int = 128, heads: int = 4, d_ff: int | None = None,
                 layers: int = 2, tied: bool = True, bias: bool = True, learned_positions: bool = True,
                 dropout: float = 0.0):
        super().__init__()
        d_ff = 4 * d_model if d_ff is None else d_ff
        self.config = {"vocab": vocab, "context": context, "d_model": d_model, "heads": heads, "d_ff": d_ff,
                       "layers": layers, "tied": tied, "bias": bias, "learned_positions": learned_positions,
                       "dropout": dropout}
        self.tok = nn.Embedding(vocab, d_model)
        if learned_positions:
            self.pos = nn.Embedding(context, d_model)
        else:
            self.pos = None
            self.register_buffer("pe", sinusoidal(context, d_model), persistent=False)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(Block(d_model, heads, d_ff, bias=bias, dropout=dropout) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d_model)
        self.head = None if tied else nn.Linear(d_model, vocab, bias=False)
        self.apply(self._init)

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear) and m.bias is not None:
                nn.init.zeros_(m.bias)

    @property
    def context(self) -> int:
        return self.config["context"]

    def features(self, ids: torch.Tensor) -> torch.Tensor:
        """The final (layer-normed) hidden states (B, T, d) of ids (B, T)."""
        t = ids.shape[-1]
        if t > self.context:
            raise ValueError(f"sequence of {t} tokens is longer than the context ({self.context})")
        pos = self.pos.weight[:t] if self.pos is not None else self.pe[:t]
        x = self.drop(self.tok(ids) + pos)
        for b in self.blocks:
            x = b(x)
        return self.ln_f(x)

    def logits(self, h: torch.Tensor) -> torch.Tensor:
        """The output layer: hidden states (..., d) -> next-token logits (..., vocab)."""
        return h @ self.tok.weight.T if self.head is None else self.head(h)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Logits (B, T, vocab) of the next token at every position of ids (B, T)."""
        return self.logits(self.features(ids))

    def loss(self, ids: torch.Tensor) -> torch.Tensor:
        """Mean next-token cross-entropy (nats) of ids (B, T): positions 0..T-2 predict 1..T-1."""
        logits = self(ids[:, :-1])
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))

    def parameter_counts(self) -> dict[str, int]:
        """``embedding`` (tokens + positions), ``per_layer`` (one block), ``total`` (all, once each:
        a tied output adds nothing), counted from the built modules."""
        count = lambda m: sum(p.numel() for p in m.parameters())
        emb = count(self.tok) + (count(self.pos) if self.pos is not None else 0)
        per = count(self.blocks[0]) if len(self.blocks) else 0
        return {"embedding": emb, "per_layer": per, "total": count(self)}

    @torch.no_grad()
    def generate(self, ids: list[int], max_tokens: int = 30, temperature: float = 1.0, seed: int = 0,
                 stop: int | None = None) -> list[int]:
        g = torch.Generator().manual_seed(seed)
        out = list(ids)
        for _ in range(max_tokens):
            x = torch.tensor([out[-self.context:]])
            logits = self(x)[0, -1] / temperature
            nxt = int(torch.multinomial(torch.softmax(logits, -1), 1, generator=g))
            if stop is not None and nxt == stop:
                break
            out.append(nxt)
        return out
