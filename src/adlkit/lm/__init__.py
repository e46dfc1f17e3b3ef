"""Language models (course module 10): n-gram models (MLE, add-k, interpolated Kneser-Ney) and a
small GPT-style transformer.

``TransformerLM`` and the attention functions are imported on first use, so that importing this
package (as the exam solver does for :class:`NGram`) does not import torch.
"""

from adlkit.lm.ngram import BOS, EOS, UNK, NGram

_LAZY = {name: "adlkit.lm.transformer" for name in
         ("TransformerLM", "MultiHeadAttention", "attention", "multi_head", "split_heads", "merge_heads")}
_LAZY["split_sentences"] = "adlkit.lm.data"


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'adlkit.lm' has no attribute {name!r}")


__all__ = ["BOS", "EOS", "UNK", "NGram", *_LAZY]
