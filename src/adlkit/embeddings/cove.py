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

Checkpoints are safetensors files whose metadata holds the constructor arguments and the
vocabularies (JSON); no pickle. Example::

    >>> cove = CoVe.from_vectors(words, vectors, hidden_size=150)
    >>> vecs = cove.encode([["the", "river", "bank"], ["the", "bank", "account"]])
    >>> vecs[0].shape                                # (3, 300)
"""

from __future__ import annotations

import json
import math
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

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
    """(words, vectors) from a KeyedVectors safetensors file (``adlkit`` format: tensor
    ``vectors``, words in metadata) or a word2vec text file (``V d`` header line)."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"vectors file not found: {p}")
    with open(p, "rb") as fh:
        first = fh.readline(200).split()
    if len(first) == 2 and all(x.isdigit() for x in first):
        n, d = int(first[0]), int(first[1])
        words: list[str] = []
        vecs = np.zeros((n, d), dtype=np.float32)
        with open(p, encoding="utf-8", errors="replace") as fh:
            fh.readline()
            for i, line in enumerate(fh):
                if i >= n:
                    break
                parts = line.rstrip().split(" ")
                words.append(parts[0])
                vecs[i] = np.asarray(parts[1:d + 1], dtype=np.float32)
        return words, vecs[: len(words)]
    from safetensors import safe_open

    try:
        with safe_open(str(p), framework="numpy") as f:
            meta = f.metadata() or {}
            vecs = f.get_tensor("vectors")
    except Exception as err:
        raise ValueError(f"{p}: neither a word2vec text file nor an adlkit vectors file ({err})") from None
    if "words" not in meta:
        raise ValueError(f"{p}: safetensors file without a 'words' list in its metadata")
    return meta["words"].split("\n"), np.asarray(vecs, dtype=np.float32)


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
    padding and unknown words, both zero).
    """

    def __init__(self, words: Sequence[str], vectors: np.ndarray | torch.Tensor, hidden_size: int = 150,
                 num_layers: int = 2, dropout: float = 0.0, split_directions: bool = False):
        super().__init__()
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
        T = max(len(s) for s in sentences)
        ids = torch.zeros(len(sentences), T, dtype=torch.long)
        for i, s in enumerate(sentences):
            ids[i, : len(s)] = torch.tensor(self.ids(s))
        return ids, torch.tensor([len(s) for s in sentences])

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

        save_file({k: v.contiguous() for k, v in self.encoder.state_dict().items()}, str(path),
                  metadata=self.metadata())

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


def _pad(seqs: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    T = max(len(s) for s in seqs)
    ids = torch.zeros(len(seqs), T, dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s, dtype=torch.long)
    return ids, torch.tensor([len(s) for s in seqs])


# ----------------------------------------------------------------------------- translation
class TranslationModel(nn.Module):
    """Attentional encoder-decoder whose encoder is :class:`CoVe` (see the module docstring)."""

    FORMAT = "adlkit.CoVe.translation/1"

    def __init__(self, cove: CoVe, target_words: Sequence[str], target_dim: int = 128, hidden_size: int = 300,
                 num_layers: int = 2, dropout: float = 0.2):
        super().__init__()
        self.cove = cove
        self.target = Vocab(target_words)
        self.tconfig = {"target_dim": target_dim, "hidden_size": hidden_size, "num_layers": num_layers,
                        "dropout": dropout}
        H, E = hidden_size, cove.output_size
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

    def save(self, path: str | os.PathLike[str], extra: dict | None = None) -> None:
        from safetensors.torch import save_file

        tensors = _to_file_keys(self.state_dict())
        meta = self.cove.metadata()
        meta.update({"format": self.FORMAT, "translation_config": json.dumps(self.tconfig),
                     "target_words": "\n".join(self.target.words[4:]), "extra": json.dumps(extra or {})})
        save_file(tensors, str(path), metadata=meta)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> TranslationModel:
        tensors, meta = _read(path)
        if meta.get("format") != cls.FORMAT:
            raise ValueError(f"{path}: not a CoVe translation checkpoint (format {meta.get('format')!r})")
        cove = CoVe.from_tensors(tensors, meta, prefix="cove.")
        tw = meta["target_words"].split("\n") if meta["target_words"] else []
        model = cls(cove, tw, **json.loads(meta["translation_config"]))
        model.load_state_dict(_from_file_keys(tensors))
        return model


# ----------------------------------------------------------------------------- bidirectional LM
class BiLM(nn.Module):
    """Bidirectional language model over :class:`CoVe` with ``split_directions=True``: the
    forward half of the output at ``t`` predicts ``w_{t+1}``, the backward half ``w_{t-1}``.
    The output vocabulary is the ``n_output`` most frequent input words plus ``<unk>`` and ``<s>``
    (its index 0, the sentence boundary)."""

    FORMAT = "adlkit.CoVe.bilm/1"

    def __init__(self, cove: CoVe, output_words: Sequence[str], dropout: float = 0.2):
        super().__init__()
        if not cove.config["split_directions"]:
            raise ValueError("the bidirectional LM objective needs CoVe(split_directions=True)")
        self.cove = cove
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

    def save(self, path: str | os.PathLike[str], extra: dict | None = None) -> None:
        from safetensors.torch import save_file

        tensors = _to_file_keys(self.state_dict())
        meta = self.cove.metadata()
        meta.update({"format": self.FORMAT, "output_words": "\n".join(self.output_words[2:]),
                     "bilm_config": json.dumps({"dropout": self.dropout}), "extra": json.dumps(extra or {})})
        save_file(tensors, str(path), metadata=meta)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> BiLM:
        tensors, meta = _read(path)
        if meta.get("format") != cls.FORMAT:
            raise ValueError(f"{path}: not a CoVe bidirectional-LM checkpoint")
        cove = CoVe.from_tensors(tensors, meta, prefix="cove.")
        ow = meta["output_words"].split("\n") if meta["output_words"] else []
        model = cls(cove, ow, **json.loads(meta["bilm_config"]))
        model.load_state_dict(_from_file_keys(tensors))
        return model


def read_extra(path: str | os.PathLike[str]) -> dict:
    """The ``extra`` metadata (training record) of a translation or BiLM checkpoint."""
    _, meta = _read(path)
    return json.loads(meta.get("extra", "{}"))


# ----------------------------------------------------------------------------- training
def _batches(n: int, lengths: Sequence[int], batch_size: int, rng: np.random.Generator, shuffle: bool
             ) -> list[list[int]]:
    """Length-bucketed batches: sort by length within chunks of 50 batches, shuffle batch order."""
    order = rng.permutation(n) if shuffle else np.arange(n)
    chunk = batch_size * 50
    batches = []
    for k in range(0, n, chunk):
        part = sorted(order[k: k + chunk].tolist(), key=lambda i: lengths[i])
        batches += [part[j: j + batch_size] for j in range(0, len(part), batch_size)]
    if shuffle:
        rng.shuffle(batches)
    return batches


def evaluate_translation(model: TranslationModel, pairs: Sequence[tuple[list[str], list[str]]],
                         batch_size: int = 128) -> dict[str, float]:
    """Held-out per-token negative log-likelihood (nats) and perplexity (``</s>`` counted,
    unknown target words predicted as ``<unk>``)."""
    was = model.training
    model.eval()
    total, count = 0.0, 0
    idx = [i for i, (s, t) in enumerate(pairs) if s]
    with torch.no_grad():
        for b in _batches(len(idx), [len(pairs[i][0]) for i in idx], batch_size, np.random.default_rng(0), False):
            ss = [pairs[idx[i]][0] for i in b]
            src, src_len = model.cove.batch(ss)
            tgt, _ = _pad([model.target.encode(pairs[idx[i]][1]) for i in b])
            nll, n = model.loss(src, src_len, tgt)
            total += float(nll)
            count += n
    model.train(was)
    return {"nll": total / max(count, 1), "perplexity": math.exp(total / max(count, 1)), "tokens": count}


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


def train_translation(model: TranslationModel, train: Sequence[tuple[list[str], list[str]]],
                      valid: Sequence[tuple[list[str], list[str]]], epochs: int = 8, batch_size: int = 64,
                      lr: float = 1e-3, clip: float = 5.0, seed: int = 0, patience: int = 2,
                      max_minutes: float | None = None, progress: bool = True,
                      log: Callable[[str], None] = print) -> dict:
    """Adam on the summed token NLL / tokens, length-bucketed batches, gradient-norm clipping;
    keeps the parameters with the best validation perplexity (early stopping after ``patience``
    epochs without improvement, or when ``max_minutes`` have passed). Returns the history."""
    from tqdm.auto import tqdm

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    data = [(model.cove.ids(s), model.target.encode(t)) for s, t in train if s and t]
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=lr)
    history: list[dict] = []
    best, best_state, bad = float("inf"), None, 0
    t0 = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        batches = _batches(len(data), [len(s) for s, _ in data], batch_size, rng, True)
        tot, cnt = 0.0, 0
        bar = tqdm(batches, desc=f"epoch {epoch}/{epochs}", disable=not progress, unit="batch", leave=False)
        stopped = False
        for b in bar:
            src, src_len = _pad([data[i][0] for i in b])
            tgt, _ = _pad([data[i][1] for i in b])
            nll, n = model.loss(src, src_len, tgt)
            opt.zero_grad()
            (nll / n).backward()
            nn.utils.clip_grad_norm_(params, clip)
            opt.step()
            tot += float(nll.detach())
            cnt += n
            bar.set_postfix(ppl=f"{math.exp(tot / cnt):.1f}")
            if max_minutes is not None and time.perf_counter() - t0 > 60 * max_minutes:
                stopped = True
                break
        ev = evaluate_translation(model, valid)
        rec = {"epoch": epoch, "train_perplexity": math.exp(tot / max(cnt, 1)), "valid_perplexity": ev["perplexity"],
               "seconds": time.perf_counter() - t0, "partial_epoch": stopped}
        history.append(rec)
        log(f"epoch {epoch}: train ppl {rec['train_perplexity']:.2f}  valid ppl {ev['perplexity']:.2f}  "
            f"({rec['seconds']:.0f} s)")
        if ev["perplexity"] < best:
            best, bad = ev["perplexity"], 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            bad += 1
        if stopped or bad >= patience:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    return {"history": history, "best_valid_perplexity": best, "seconds": time.perf_counter() - t0}


def train_bilm(model: BiLM, train: Sequence[list[str]], valid: Sequence[list[str]], epochs: int = 3,
               batch_size: int = 64, lr: float = 1e-3, clip: float = 5.0, seed: int = 0,
               max_minutes: float | None = None, progress: bool = True,
               log: Callable[[str], None] = print) -> dict:
    """Adam on the bidirectional LM loss; keeps the best validation perplexity."""
    from tqdm.auto import tqdm

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    data = [model.cove.ids(s) for s in train if s]
    vdata = [model.cove.ids(s) for s in valid if s]
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=lr)
    history, best, best_state = [], float("inf"), None
    t0 = time.perf_counter()

    def valid_ppl() -> float:
        model.eval()
        tot, cnt = 0.0, 0
        with torch.no_grad():
            for b in _batches(len(vdata), [len(s) for s in vdata], 256, np.random.default_rng(0), False):
                ids, lengths = _pad([vdata[i] for i in b])
                nll, n = model.loss(ids, lengths)
                tot, cnt = tot + float(nll), cnt + n
        model.train()
        return math.exp(tot / max(cnt, 1))

    for epoch in range(1, epochs + 1):
        model.train()
        tot, cnt, stopped = 0.0, 0, False
        bar = tqdm(_batches(len(data), [len(s) for s in data], batch_size, rng, True), desc=f"epoch {epoch}/{epochs}",
                   disable=not progress, unit="batch", leave=False)
        for b in bar:
            ids, lengths = _pad([data[i] for i in b])
            nll, n = model.loss(ids, lengths)
            opt.zero_grad()
            (nll / n).backward()
            nn.utils.clip_grad_norm_(params, clip)
            opt.step()
            tot, cnt = tot + float(nll.detach()), cnt + n
            bar.set_postfix(ppl=f"{math.exp(tot / cnt):.1f}")
            if max_minutes is not None and time.perf_counter() - t0 > 60 * max_minutes:
                stopped = True
                break
        vp = valid_ppl()
        history.append({"epoch": epoch, "train_perplexity": math.exp(tot / max(cnt, 1)), "valid_perplexity": vp,
                        "seconds": time.perf_counter() - t0, "partial_epoch": stopped})
        log(f"epoch {epoch}: train ppl {history[-1]['train_perplexity']:.2f}  valid ppl {vp:.2f}")
        if vp < best:
            best, best_state = vp, {k: v.detach().clone() for k, v in model.state_dict().items()}
        if stopped:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    return {"history": history, "best_valid_perplexity": best, "seconds": time.perf_counter() - t0}
