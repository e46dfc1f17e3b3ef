r"""CoVe: contextual word vectors from a machine-translation encoder (McCann et al., 2017).

Architecture (the paper's, sizes configurable):

- inputs: frozen static word vectors (ours: the GloVe trainer's), ``GloVe(w)`` in
  :math:`\mathbb{R}^{d}`; unknown words and padding are the zero vector;
- the MT-LSTM: a 2-layer bidirectional LSTM over the sentence,
  :math:`\mathrm{CoVe}(w_1..w_n) = \mathrm{MT\text{-}LSTM}(\mathrm{GloVe}(w_1..w_n)) \in \mathbb{R}^{n \times 2h}`;
  the contextual vector of token ``t`` is the encoder's output at position ``t``;
- the downstream representation is :math:`[\mathrm{GloVe}(w_t);\ \mathrm{CoVe}(w)_t]`
  (:meth:`CoVe.embed`).

Objectives that train the MT-LSTM:

- ``translation`` (the default when a parallel corpus is given; :class:`TranslationModel`): the
  MT-LSTM is the encoder of an attentional sequence-to-sequence model. A 2-layer LSTM decoder
  (initial state from the mean of the encoder outputs) reads the target prefix; global
  "general" attention :math:`\alpha_{tj} = \mathrm{softmax}_j(s_t^\top W_a h_j)` over the real
  (unpadded) source positions gives the context :math:`c_t = \sum_j \alpha_{tj} h_j`;
  :math:`\tilde s_t = \tanh(W_c [s_t; c_t])` and :math:`p(y_{t+1}) = \mathrm{softmax}(W_o \tilde s_t)`.
  (The paper also feeds :math:`\tilde s_{t-1}` back into the decoder; we leave that out so that
  the decoder runs over the whole target in one call, which is several times faster on a CPU.)
- ``bilm`` (for when only monolingual text exists; :class:`BiLM`): the two directions are
  separate 2-layer LSTMs (``split_directions=True``: a joint bidirectional stack would let the
  second layer see the word it must predict); the forward state at ``t`` predicts ``w_{t+1}``
  and the backward state predicts ``w_{t-1}`` (sentence boundaries predict ``<s>``).

Padding: sequences are packed (:func:`torch.nn.utils.rnn.pack_padded_sequence`), so the
outputs at real positions do not depend on how much padding a batch carries, and the outputs
at padded positions are exactly zero.

Training: both objectives are models of :mod:`adlkit.train` (Adam, gradient-norm clipping in
``train_step``, held-out loss per predicted token) and train through :func:`adlkit.train.fit` on
length-bucketed batches (:meth:`CoVeObjective.batches`), with its early stopping, wall-clock
budget, NaN stop, checkpoints and resume.

Checkpoints are safetensors files whose metadata holds the constructor arguments and the
vocabularies (JSON); no pickle. The loop's ``last.pt`` / ``best.pt`` hold the same model
(:func:`adlkit.train.load_model` rebuilds it from :meth:`~CoVeObjective.get_config`; the frozen
vectors come back with the state dict). Example::

    >>> cove = CoVe.from_vectors(words, vectors, hidden_size=150)
    >>> vecs = cove.encode([["the", "river", "bank"], ["the", "bank", "account"]])
    >>> vecs[0].shape                                # (3, 300)
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from adlkit.embeddings import _safetensors
from adlkit.embeddings.keyedvectors import KeyedVectors
from adlkit.train import StepContext, held_out_totals
from adlkit.train.batches import LengthBuckets, pad_sequences

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<s>", "</s>"
FORMAT = "adlkit.CoVe/1"


# ----------------------------------------------------------------------------- helpers
def lengths_mask(lengths: torch.Tensor, max_len: int) -> torch.Tensor:
    """(B, T) bool, True at real positions."""
    return torch.arange(max_len, device=lengths.device)[None, :] < lengths[:, None]


def reverse_padded(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse each sequence of ``x`` (B, T, ...) within its length; padding stays in place."""
    B, T = x.shape[:2]
    t = torch.arange(T, device=x.device)[None, :].expand(B, T)
    idx = torch.where(t < lengths[:, None], lengths[:, None] - 1 - t, t)
    return x.gather(1, idx.view(B, T, *([1] * (x.dim() - 2))).expand_as(x))


def _run_lstm(lstm: nn.LSTM, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    out, _ = lstm(packed)
    out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    return out


def load_vectors(path: str | os.PathLike[str]) -> tuple[list[str], np.ndarray]:
    """(words, vectors) of a vectors file: adlkit's safetensors form or the word2vec text format
    (:meth:`adlkit.embeddings.keyedvectors.KeyedVectors.load`)."""
    kv = KeyedVectors.load(path)
    return kv.index_to_key, kv.vectors


# ----------------------------------------------------------------------------- the encoder
class MTLSTM(nn.Module):
    """Frozen word vectors -> ``num_layers`` bidirectional LSTM; output (B, T, 2 * hidden_size).

    ``split_directions=False``: one ``nn.LSTM(bidirectional=True)`` stack (CoVe's MT-LSTM: layer
    2 reads both directions of layer 1). ``True``: two separate unidirectional stacks, one per
    direction (needed for the bidirectional language-model objective).
    """

    def __init__(self, n_words: int, input_size: int, hidden_size: int = 150, num_layers: int = 2,
                 dropout: float = 0.0, split_directions: bool = False):
        super().__init__()
        self.n_words, self.input_size, self.hidden_size = n_words, input_size, hidden_size
        self.num_layers, self.dropout, self.split_directions = num_layers, dropout, split_directions
        self.embedding = nn.Embedding(n_words, input_size, padding_idx=0)
        self.embedding.weight.requires_grad_(False)
        if split_directions:
            self.fwd = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True, dropout=dropout)
            self.bwd = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True, dropout=dropout)
        else:
            self.rnn = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True, dropout=dropout,
                               bidirectional=True)

    @property
    def output_size(self) -> int:
        return 2 * self.hidden_size

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """``ids`` (B, T) long (0 = padding), ``lengths`` (B,) >= 1 -> (B, T, 2h), zero at padding."""
        if ids.dim() != 2 or lengths.shape != ids.shape[:1]:
            raise ValueError(f"ids must be (B, T) and lengths (B,), got {tuple(ids.shape)} and {tuple(lengths.shape)}")
        if int(lengths.min()) < 1 or int(lengths.max()) > ids.shape[1]:
            raise ValueError("every length must be in [1, T]")
        x = self.embedding(ids)
        if not self.split_directions:
            return _run_lstm(self.rnn, x, lengths)
        f = _run_lstm(self.fwd, x, lengths)
        b = reverse_padded(_run_lstm(self.bwd, reverse_padded(x, lengths), lengths), lengths)
        return torch.cat([f, b], dim=-1)


class CoVe(nn.Module):
    """The MT-LSTM with its input vocabulary: tokens in, contextual vectors out.

    ``words`` are the static vectors' words (row ``i + 2`` of the embedding; rows 0 and 1 are
    padding and unknown words, both zero). ``vectors=None`` with ``input_size=d`` builds zero
    vectors, to be filled by ``load_state_dict`` (how :func:`adlkit.train.load_model` rebuilds
    a model from :meth:`get_config`).
    """

    def __init__(self, words: Sequence[str], vectors: np.ndarray | torch.Tensor | None = None, hidden_size: int = 150,
                 num_layers: int = 2, dropout: float = 0.0, split_directions: bool = False,
                 input_size: int | None = None):
        super().__init__()
        if vectors is None:
            if input_size is None:
                raise ValueError("give the vectors, or their dimension input_size")
            vectors = np.zeros((len(words), input_size), dtype=np.float32)
        vectors = torch.as_tensor(np.asarray(vectors, dtype=np.float32))
        if vectors.dim() != 2 or vectors.shape[0] != len(words):
            raise ValueError(f"vectors must be (V, d) with V = {len(words)}, got {tuple(vectors.shape)}")
        self.words = [PAD, UNK] + list(words)
        self.index = {w: i for i, w in enumerate(self.words)}
        self.config = {"hidden_size": hidden_size, "num_layers": num_layers, "dropout": dropout,
                       "split_directions": split_directions}
        self.encoder = MTLSTM(len(self.words), vectors.shape[1], hidden_size, num_layers, dropout,
                              split_directions)
        with torch.no_grad():
            self.encoder.embedding.weight.zero_()
            self.encoder.embedding.weight[2:] = vectors

    @classmethod
    def from_vectors(cls, words: Sequence[str], vectors: np.ndarray, **kw) -> CoVe:
        return cls(words, vectors, **kw)

    @classmethod
    def from_keyed_vectors(cls, kv, **kw) -> CoVe:
        """From any object with ``index_to_key`` and ``vectors`` (adlkit's or gensim's KeyedVectors)."""
        return cls(list(kv.index_to_key), np.asarray(kv.vectors), **kw)

    def get_config(self) -> dict[str, Any]:
        """JSON-safe constructor arguments (the vectors themselves are in the state dict)."""
        return {"words": self.words[2:], "input_size": self.input_size, **self.config}

    # -- sizes
    @property
    def input_size(self) -> int:
        return self.encoder.input_size

    @property
    def output_size(self) -> int:
        return self.encoder.output_size

    # -- tokens -> tensors
    def ids(self, tokens: Sequence[str]) -> list[int]:
        return [self.index.get(t, 1) for t in tokens]

    def batch(self, sentences: Sequence[Sequence[str]]) -> tuple[torch.Tensor, torch.Tensor]:
        """Padded ids (B, T) and lengths (B,) of token lists (each at least one token)."""
        if any(len(s) == 0 for s in sentences):
            raise ValueError("every sentence needs at least one token")
        return pad_sequences([self.ids(s) for s in sentences])

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.encoder(ids, lengths)

    def static(self, ids: torch.Tensor) -> torch.Tensor:
        """The frozen input vectors ``GloVe(w)`` of ``ids``."""
        return self.encoder.embedding(ids)

    @torch.no_grad()
    def encode(self, sentences: Sequence[Sequence[str]], batch_size: int = 256,
               include_static: bool = False) -> list[torch.Tensor]:
        """Contextual vectors of each sentence, (len, 2h) each; ``include_static`` prepends the
        static vectors: ``[GloVe(w); CoVe(w)]``, (len, d + 2h). Evaluation mode, no gradients."""
        was = self.training
        self.eval()
        out: list[torch.Tensor] = [torch.empty(0)] * len(sentences)
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        for k in range(0, len(order), batch_size):
            idx = order[k: k + batch_size]
            ids, lengths = self.batch([sentences[i] for i in idx])
            h = self.encoder(ids, lengths)
            if include_static:
                h = torch.cat([self.static(ids), h], dim=-1)
            for j, i in enumerate(idx):
                out[i] = h[j, : lengths[j]].clone()
        self.train(was)
        return out

    def embed(self, sentences: Sequence[Sequence[str]], batch_size: int = 256) -> list[torch.Tensor]:
        """The downstream representation ``[GloVe(w); CoVe(w)]`` of every token."""
        return self.encode(sentences, batch_size, include_static=True)

    # -- persistence
    def metadata(self) -> dict[str, str]:
        return {"format": FORMAT, "config": json.dumps(self.config), "words": "\n".join(self.words[2:])}

    def save(self, path: str | os.PathLike[str]) -> None:
        """safetensors: the encoder's tensors; constructor arguments and words in the metadata."""
        from safetensors.torch import save_file

        _safetensors.write(save_file, {k: v.contiguous() for k, v in self.encoder.state_dict().items()}, path,
                           self.metadata())

    @classmethod
    def from_tensors(cls, tensors: dict[str, torch.Tensor], meta: dict[str, str], prefix: str = "") -> CoVe:
        if meta.get("format") not in (FORMAT, TranslationModel.FORMAT, BiLM.FORMAT):
            raise ValueError(f"not a CoVe checkpoint (format {meta.get('format')!r})")
        cfg = json.loads(meta["config"])
        cfg = {k: cfg[k] for k in ("hidden_size", "num_layers", "dropout", "split_directions")}
        emb = tensors[prefix + "embedding.weight"]
        words = meta["words"].split("\n") if meta["words"] else []
        model = cls(words, emb[2:].numpy(), **cfg)
        model.encoder.load_state_dict({k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)})
        return model

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CoVe:
        """A :meth:`save` file, or the encoder of a :class:`TranslationModel` / :class:`BiLM` file."""
        tensors, meta = _read(path)
        prefix = "cove." if meta.get("format") in (TranslationModel.FORMAT, BiLM.FORMAT) else ""
        return cls.from_tensors(tensors, meta, prefix)


def _to_file_keys(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """A wrapper's state dict as stored: the encoder's weights under ``cove.`` (the prefix that
    :meth:`CoVe.from_tensors` reads), everything else under its own name."""
    return {("cove." + k[len("cove.encoder."):] if k.startswith("cove.encoder.") else k): v.contiguous()
            for k, v in state.items()}


def _from_file_keys(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The inverse of :func:`_to_file_keys`: a state dict for the wrapper module."""
    return {("cove.encoder." + k[len("cove."):] if k.startswith("cove.") else k): v
            for k, v in tensors.items()}


def _read(path: str | os.PathLike[str]) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    from safetensors import safe_open

    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"checkpoint not found: {p}")
    try:
        with safe_open(str(p), framework="pt") as f:
            meta = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except Exception as err:
        raise ValueError(f"{p}: not a safetensors checkpoint ({err})") from None
    return tensors, meta


# ----------------------------------------------------------------------------- vocabularies
class Vocab:
    """Target-side vocabulary: ``<pad> <unk> <s> </s>`` then words by decreasing count."""

    def __init__(self, words: Sequence[str]):
        self.words = [PAD, UNK, BOS, EOS] + [w for w in words if w not in (PAD, UNK, BOS, EOS)]
        self.index = {w: i for i, w in enumerate(self.words)}

    @classmethod
    def build(cls, sentences: Iterable[Sequence[str]], max_size: int = 8000, min_count: int = 2) -> Vocab:
        c: Counter[str] = Counter()
        for s in sentences:
            c.update(s)
        ranked = sorted(((n, w) for w, n in c.items() if n >= min_count), key=lambda x: (-x[0], x[1]))
        return cls([w for _, w in ranked[:max_size]])

    def __len__(self) -> int:
        return len(self.words)

    def encode(self, tokens: Sequence[str], bos: bool = True, eos: bool = True) -> list[int]:
        return ([2] if bos else []) + [self.index.get(t, 1) for t in tokens] + ([3] if eos else [])

    def decode(self, ids: Iterable[int]) -> list[str]:
        out = []
        for i in ids:
            if i == 3:
                break
            if i > 2:
                out.append(self.words[i])
            elif i == 1:
                out.append(UNK)
        return out


# ----------------------------------------------------------------------------- objectives
class CoVeObjective(nn.Module):
    """A model that trains CoVe's MT-LSTM (:class:`TranslationModel`, :class:`BiLM`): what both
    share.

    - the :mod:`adlkit.train` interface: Adam (``lr``) on the trainable parameters (the static
      vectors stay frozen); a step minimises the summed NLL over the number of predicted tokens,
      with gradient-norm clipping at ``clip``; ``eval_loss`` is ``(summed NLL, tokens)``, so the
      held-out loss is nats per predicted token and ``exp`` of it the perplexity;
      :meth:`batches` makes the length-bucketed batch source of a data set;
    - the safetensors format: the encoder's tensors under ``cove.``, the rest under their own
      names, the encoder's metadata plus ``FORMAT``, the word lists ``WORD_LISTS`` (one word a
      line) and the other constructor arguments as JSON under ``CONFIG_KEY``.

    A subclass defines ``loss(*batch) -> (summed NLL, count)``, ``head_config()`` (its own
    constructor arguments after ``cove``), ``examples(data)``, ``collate`` and ``example_length``.
    """

    FORMAT: str
    WHAT: str
    CONFIG_KEY: str
    WORD_LISTS: tuple[str, ...]
    progress_label = "nats/token"

    def __init__(self, cove: CoVe | Mapping[str, Any], lr: float, clip: float):
        super().__init__()
        self.cove = cove if isinstance(cove, CoVe) else CoVe(**cove)
        self.lr, self.clip = lr, clip

    def head_config(self) -> dict[str, Any]:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """JSON-safe constructor arguments: :func:`adlkit.train.load_model` rebuilds the model."""
        return {"cove": self.cove.get_config(), **self.head_config(), "lr": self.lr, "clip": self.clip}

    # -- adlkit.train
    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"adam": torch.optim.Adam([p for p in self.parameters() if p.requires_grad], lr=self.lr)}

    def train_step(self, batch: tuple[torch.Tensor, ...], ctx: StepContext) -> dict[str, float]:
        opt = ctx.optimizers["adam"]
        nll, n = self.loss(*batch)
        opt.zero_grad()
        ctx.backward(nll / n)
        nn.utils.clip_grad_norm_(ctx.params, self.clip)
        opt.step()
        total = float(nll.detach())
        # per-step means of nll and tokens over an epoch: their ratio is the token-weighted loss
        return {"loss": total / n, "nll": total, "tokens": float(n)}

    def eval_loss(self, batch: tuple[torch.Tensor, ...]) -> tuple[float, int]:
        nll, n = self.loss(*batch)
        return float(nll), n

    def batches(self, data: Sequence[Any], batch_size: int) -> LengthBuckets:
        """The length-bucketed batch source of ``data`` (see :meth:`examples`)."""
        return LengthBuckets(self.examples(data), batch_size, self.collate, self.example_length)

    # -- persistence
    def save(self, path: str | os.PathLike[str], extra: dict | None = None) -> None:
        """safetensors; ``extra`` (JSON-safe, e.g. the training record) goes into the metadata."""
        from safetensors.torch import save_file

        head = self.get_config()
        del head["cove"]
        words = {k: "\n".join(head.pop(k)) for k in self.WORD_LISTS}
        meta = self.cove.metadata()
        meta.update({"format": self.FORMAT, "extra": json.dumps(extra or {}), **words, self.CONFIG_KEY: json.dumps(head)})
        _safetensors.write(save_file, _to_file_keys(self.state_dict()), path, meta)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CoVeObjective:
        tensors, meta = _read(path)
        if meta.get("format") != cls.FORMAT:
            raise ValueError(f"{path}: not a {cls.WHAT} checkpoint (format {meta.get('format')!r})")
        cove = CoVe.from_tensors(tensors, meta, prefix="cove.")
        words = {k: meta[k].split("\n") if meta[k] else [] for k in cls.WORD_LISTS}
        model = cls(cove, **words, **json.loads(meta[cls.CONFIG_KEY]))
        model.load_state_dict(_from_file_keys(tensors))
        return model


# ----------------------------------------------------------------------------- translation
class TranslationModel(CoVeObjective):
    """Attentional encoder-decoder whose encoder is :class:`CoVe` (see the module docstring).

    A batch is ``(src (B, S), src_len (B,), tgt (B, T))``: source ids, their lengths and the
    target ids ``<s> ... </s>`` padded with 0 (:meth:`collate`)."""

    FORMAT = "adlkit.CoVe.translation/1"
    WHAT = "CoVe translation"
    CONFIG_KEY = "translation_config"
    WORD_LISTS = ("target_words",)

    def __init__(self, cove: CoVe | Mapping[str, Any], target_words: Sequence[str], target_dim: int = 128,
                 hidden_size: int = 300, num_layers: int = 2, dropout: float = 0.2, lr: float = 1e-3,
                 clip: float = 5.0):
        super().__init__(cove, lr, clip)
        self.target = Vocab(target_words)
        self.tconfig = {"target_dim": target_dim, "hidden_size": hidden_size, "num_layers": num_layers,
                        "dropout": dropout}
        H, E = hidden_size, self.cove.output_size
        self.tgt_embedding = nn.Embedding(len(self.target), target_dim, padding_idx=0)
        self.bridge = nn.Linear(E, num_layers * 2 * H)
        self.decoder = nn.LSTM(target_dim, H, num_layers, batch_first=True, dropout=dropout)
        self.attn = nn.Linear(H, E, bias=False)
        self.combine = nn.Linear(H + E, H)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(H, len(self.target))

    def _init_state(self, enc: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean = (enc * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        L, H = self.tconfig["num_layers"], self.tconfig["hidden_size"]
        hc = torch.tanh(self.bridge(mean)).view(-1, L, 2, H)
        return hc[:, :, 0].transpose(0, 1).contiguous(), hc[:, :, 1].transpose(0, 1).contiguous()

    def _attend(self, s: torch.Tensor, enc: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        scores = torch.einsum("btd,bsd->bts", self.attn(s), enc)
        scores = scores.masked_fill(~mask[:, None, :], float("-inf"))
        alpha = scores.softmax(-1)
        ctx = torch.einsum("bts,bsd->btd", alpha, enc)
        return torch.tanh(self.combine(torch.cat([s, ctx], -1))), alpha

    def forward(self, src: torch.Tensor, src_len: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
        """Logits (B, T_tgt, V_tgt) for next-token prediction given the target prefix ``tgt_in``."""
        enc = self.drop(self.cove(src, src_len))
        mask = lengths_mask(src_len, src.shape[1])
        state = self._init_state(enc, mask)
        s, _ = self.decoder(self.drop(self.tgt_embedding(tgt_in)), state)
        h, _ = self._attend(s, enc, mask)
        return self.out(self.drop(h))

    def loss(self, src: torch.Tensor, src_len: torch.Tensor, tgt: torch.Tensor) -> tuple[torch.Tensor, int]:
        """(summed negative log-likelihood in nats, number of predicted target tokens); ``tgt``
        holds ``<s> ... </s>`` padded with 0."""
        logits = self(src, src_len, tgt[:, :-1])
        gold = tgt[:, 1:]
        nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), gold.reshape(-1), ignore_index=0,
                              reduction="sum")
        return nll, int((gold != 0).sum())

    @torch.no_grad()
    def translate(self, sentences: Sequence[Sequence[str]], max_len: int = 60, batch_size: int = 128
                  ) -> list[list[str]]:
        """Greedy decoding of tokenised source sentences -> target tokens."""
        was = self.training
        self.eval()
        out: list[list[str]] = [[] for _ in sentences]
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        for k in range(0, len(order), batch_size):
            idx = order[k: k + batch_size]
            src, src_len = self.cove.batch([sentences[i] if sentences[i] else [UNK] for i in idx])
            enc = self.cove(src, src_len)
            mask = lengths_mask(src_len, src.shape[1])
            state = self._init_state(enc, mask)
            y = torch.full((len(idx), 1), 2, dtype=torch.long)
            steps: list[torch.Tensor] = []
            done = torch.zeros(len(idx), dtype=torch.bool)
            limit = min(max_len, int(src_len.max()) * 2 + 10)
            for _ in range(limit):
                s, state = self.decoder(self.tgt_embedding(y), state)
                h, _ = self._attend(s, enc, mask)
                logits = self.out(h[:, -1])
                logits[:, :3] = float("-inf")  # never <pad>, <unk>, <s>
                y = logits.argmax(-1, keepdim=True)
                steps.append(y[:, 0])
                done |= y[:, 0] == 3
                if bool(done.all()):
                    break
            ys = torch.stack(steps, 1).tolist()
            for j, i in enumerate(idx):
                out[i] = self.target.decode(ys[j])
        self.train(was)
        return out


    # -- the objective's interface
    def head_config(self) -> dict[str, Any]:
        return {"target_words": self.target.words[4:], **self.tconfig}

    def examples(self, pairs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> list[tuple[list[int], list[int]]]:
        """(source ids, target ids ``<s> ... </s>``) of each pair with a non-empty source."""
        return [(self.cove.ids(s), self.target.encode(t)) for s, t in pairs if s]

    @staticmethod
    def collate(examples: list[tuple[list[int], list[int]]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        src, src_len = pad_sequences([e[0] for e in examples])
        tgt, _ = pad_sequences([e[1] for e in examples])
        return src, src_len, tgt

    @staticmethod
    def example_length(example: tuple[list[int], list[int]]) -> int:
        return len(example[0])


# ----------------------------------------------------------------------------- bidirectional LM
class BiLM(CoVeObjective):
    """Bidirectional language model over :class:`CoVe` with ``split_directions=True``: the
    forward half of the output at ``t`` predicts ``w_{t+1}``, the backward half ``w_{t-1}``.
    The output vocabulary is ``output_words`` (e.g. the most frequent input words) plus ``<unk>``
    and ``<s>`` (its index 0, the sentence boundary). A batch is ``(ids (B, T), lengths (B,))``."""

    FORMAT = "adlkit.CoVe.bilm/1"
    WHAT = "CoVe bidirectional-LM"
    CONFIG_KEY = "bilm_config"
    WORD_LISTS = ("output_words",)

    def __init__(self, cove: CoVe | Mapping[str, Any], output_words: Sequence[str], dropout: float = 0.2,
                 lr: float = 1e-3, clip: float = 5.0):
        super().__init__(cove, lr, clip)
        cove = self.cove
        if not cove.config["split_directions"]:
            raise ValueError("the bidirectional LM objective needs CoVe(split_directions=True)")
        self.output_words = [BOS, UNK] + [w for w in output_words if w not in (BOS, UNK)]
        lut = torch.ones(len(cove.words), dtype=torch.long)  # input id -> output id, <unk> = 1
        out_index = {w: i for i, w in enumerate(self.output_words)}
        for i, w in enumerate(cove.words):
            if w in out_index:
                lut[i] = out_index[w]
        self.register_buffer("lut", lut, persistent=False)
        self.drop = nn.Dropout(dropout)
        self.dropout = dropout
        self.head = nn.Linear(cove.config["hidden_size"], len(self.output_words))

    def loss(self, ids: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, int]:
        """(summed NLL of both directions in nats, number of predictions = 2 * tokens)."""
        h = self.drop(self.cove(ids, lengths))
        H = self.cove.config["hidden_size"]
        mask = lengths_mask(lengths, ids.shape[1])
        y = self.lut[ids]
        B = ids.shape[0]
        boundary = torch.zeros(B, 1, dtype=torch.long)
        nxt = torch.cat([y[:, 1:], boundary], 1)
        nxt = torch.where(torch.arange(ids.shape[1])[None] == (lengths[:, None] - 1), 0, nxt)
        prv = torch.cat([boundary, y[:, :-1]], 1)
        lf = F.cross_entropy(self.head(h[..., :H])[mask], nxt[mask], reduction="sum")
        lb = F.cross_entropy(self.head(h[..., H:])[mask], prv[mask], reduction="sum")
        return lf + lb, 2 * int(mask.sum())

    # -- the objective's interface
    def head_config(self) -> dict[str, Any]:
        return {"output_words": self.output_words[2:], "dropout": self.dropout}

    def examples(self, sentences: Sequence[Sequence[str]]) -> list[list[int]]:
        """The input ids of each non-empty sentence."""
        return [self.cove.ids(s) for s in sentences if s]

    collate = staticmethod(pad_sequences)
    example_length = staticmethod(len)


def read_extra(path: str | os.PathLike[str]) -> dict:
    """The ``extra`` metadata (training record) of a translation or BiLM checkpoint."""
    _, meta = _read(path)
    return json.loads(meta.get("extra", "{}"))


# ----------------------------------------------------------------------------- evaluation
def evaluate_translation(model: TranslationModel, pairs: Sequence[tuple[list[str], list[str]]],
                         batch_size: int = 128) -> dict[str, float]:
    """Held-out per-token negative log-likelihood (nats) and perplexity (``</s>`` counted,
    unknown target words predicted as ``<unk>``; pairs with an empty source are skipped)."""
    total, tokens = held_out_totals(model, model.batches(pairs, batch_size))
    nll = total / max(tokens, 1)
    return {"nll": nll, "perplexity": math.exp(nll), "tokens": tokens}


def translation_bleu(model: TranslationModel, pairs: Sequence[tuple[list[str], list[str]]],
                     max_sentences: int | None = None) -> dict:
    """Corpus BLEU (sacreBLEU's formula, exp smoothing) of greedy translations against the
    references, both as lowercased letter tokens (``tokenize=None``)."""
    from adlkit.embeddings.bleu import corpus_bleu

    pairs = [p for p in pairs if p[0]][: max_sentences]
    hyps = model.translate([s for s, _ in pairs])
    b = corpus_bleu([" ".join(h) for h in hyps], [[" ".join(t) for _, t in pairs]], tokenize=None)
    return {"bleu": b.score, "precisions": list(b.precisions), "bp": b.bp, "sentences": len(pairs),
            "examples": [(" ".join(s), " ".join(t), " ".join(h)) for (s, t), h in list(zip(pairs, hyps))[:8]]}
