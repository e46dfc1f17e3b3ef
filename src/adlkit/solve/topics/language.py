"""Concept topics of module 10 (language modelling): short prose answers, written by us.

Each entry is a :class:`~adlkit.solve.topics.Concept`: the question, a summary that answers it,
and the points (text, LaTeX or "") that the worked solution lists as steps.
"""

from __future__ import annotations

from adlkit.solve.topics import Concept

MODULE = 10

TOPICS: dict[str, Concept] = {
    "glove_vs_word2vec": Concept(
        "What is the benefit offered by GloVe over word2vec?",
        "GloVe fits word vectors to the GLOBAL co-occurrence statistics of the whole corpus "
        "(a weighted least-squares fit of log co-occurrence counts), whereas word2vec learns "
        "only from LOCAL context windows, one window at a time. Counting once and fitting the "
        "counts uses the corpus-wide statistics directly and efficiently (training cost scales "
        "with the number of non-zero co-occurrences, not with corpus length), and the ratios of "
        "co-occurrence probabilities it models give vectors with linear analogy structure.",
        (
            ("word2vec: predict a word from its window (CBOW) or the window from the word "
             "(skip-gram), stochastically over every position", ""),
            ("GloVe: build the co-occurrence matrix X once, then fit",
             r"J = \sum_{i,j} f(X_{ij})\,\left(w_i^\top \tilde w_j + b_i + \tilde b_j - \log X_{ij}\right)^2"),
            ("the weighting caps frequent pairs and ignores zero counts",
             r"f(x) = \min\!\left(1, (x/x_{max})^{\alpha}\right),\ x_{max} = 100,\ \alpha = 3/4"),
        ),
    ),
    "cove_vs_static": Concept(
        "What is the benefit offered by CoVe over GloVe or word2vec?",
        "CoVe gives CONTEXTUAL word vectors: each token's vector is the output of a "
        "bidirectional LSTM encoder (pre-trained as the encoder of a machine-translation "
        "model) run over the whole sentence, so the same word gets different vectors in "
        "different sentences. GloVe and word2vec are STATIC: one vector per word type, whatever "
        "the context. CoVe therefore separates word senses (\"bank\" of a river vs a bank "
        "account) and carries sentence context into downstream models; in practice it is used "
        "as [GloVe(w); CoVe(w)].",
        (
            ("static embedding: a lookup, the same for every occurrence", r"v(w) = E[w]"),
            ("CoVe: the MT-LSTM encoder's output at the token's position",
             r"\mathrm{CoVe}(w_1..w_n) = \mathrm{MT\text{-}LSTM}(\mathrm{GloVe}(w_1..w_n))"),
            ("downstream input", r"\tilde w = [\mathrm{GloVe}(w);\ \mathrm{CoVe}(w)]"),
        ),
    ),
    "negative_sampling": Concept(
        "What is negative sampling in word2vec, and why is it used?",
        "Negative sampling replaces word2vec's full softmax over the vocabulary (whose normaliser costs "
        "O(V) per prediction) with k + 1 binary logistic classifications: the observed (centre, context) "
        "pair is pushed towards label 1 and k noise words, drawn from the unigram distribution raised to "
        "the power 3/4, towards label 0. Each update then touches only k + 1 output vectors (k = 5..20 for "
        "small corpora, 2..5 for large ones), so training scales to large vocabularies; the 3/4 power "
        "samples rare words more often than their frequency. It is a simplification of noise-contrastive "
        "estimation: the result is not a normalised language model, but the vectors are as good or better.",
        (
            ("full softmax: the normaliser sums over the whole vocabulary",
             r"p(o \mid c) = \frac{\exp(u_o^\top v_c)}{\sum_{w=1}^{V}\exp(u_w^\top v_c)}"),
            ("negative sampling: one positive and k negative logistic terms",
             r"L = -\log\sigma(u_o^\top v_c) - \sum_{k=1}^{K}\log\sigma(-u_k^\top v_c)"),
            ("noise distribution", r"P_n(w) \propto \mathrm{count}(w)^{3/4}"),
            ("gradients touch K + 1 output rows only",
             r"\nabla_{u_k} L = \sigma(u_k^\top v_c)\,v_c,\quad \nabla_{u_o} L = (\sigma(u_o^\top v_c) - 1)\,v_c"),
        ),
    ),
    "bert_vs_gpt": Concept(
        "How do BERT and GPT differ?",
        "Both are stacks of transformer blocks pre-trained on unlabelled text, but GPT is a DECODER: "
        "causal (masked) self-attention, trained to predict the next token left to right, so it "
        "generates text and is used by prompting or fine-tuning. BERT is an ENCODER: bidirectional "
        "self-attention over the whole sentence, trained by masked-language modelling (predict ~15 % of "
        "tokens that were masked, from both sides) plus next-sentence prediction, so every token's "
        "representation uses left and right context; it is fine-tuned for understanding tasks "
        "(classification, tagging, question answering) but does not generate text left to right.",
        (
            ("GPT: causal language model", r"\max \sum_t \log p(x_t \mid x_{<t})"),
            ("BERT: masked language model", r"\max \sum_{t \in M} \log p(x_t \mid x_{\setminus M})"),
            ("attention mask: GPT sees positions j <= i, BERT all j", ""),
            ("use: GPT generates and is prompted; BERT encodes, a task head is fine-tuned on top", ""),
        ),
    ),
    "self_attention": Concept(
        "What does self-attention compute, and why does it replace recurrence?",
        "Every position of a sequence forms a query, a key and a value (learned projections of its "
        "vector); its output is the average of all values weighted by the softmax of its query's "
        "scaled dot products with every key. Each output therefore mixes information from every "
        "position in ONE step (path length 1, where an RNN needs up to n steps) and all positions are "
        "computed in parallel (no sequential recurrence), at a cost quadratic in the length. The "
        "scaling by 1/sqrt(d_k) keeps the dot products' variance near 1 so the softmax does not "
        "saturate; several heads attend to different relations; a causal mask stops a language model "
        "from seeing the future.",
        (
            ("projections", r"Q = XW_Q,\ K = XW_K,\ V = XW_V"),
            ("scaled dot-product attention, softmax over each row (the keys)",
             r"\mathrm{Attn}(Q, K, V) = \mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}}\right)V"),
            ("multi-head: h heads of width d/h, concatenated, then an output projection",
             r"\mathrm{MHA}(X) = [\mathrm{head}_1, \dots, \mathrm{head}_h]\,W_O"),
            ("cost: O(n^2 d) per layer, parallel over positions; an RNN is O(n d^2) but sequential", ""),
        ),
    ),
    "positional_encoding": Concept(
        "Why does a transformer need positional encodings, and what are the usual choices?",
        "Self-attention is permutation-equivariant: shuffling the input tokens shuffles the outputs the "
        "same way, so without extra information the model cannot tell word order. A position signal is "
        "therefore added to each token embedding. The original transformer uses fixed sinusoids of "
        "geometrically spaced frequencies (no parameters, defined for any length, and a fixed offset is "
        "a linear function of them); GPT and BERT learn a table of one vector per position (context x d "
        "parameters, limited to the trained context length); later models use relative schemes such as "
        "rotary embeddings (RoPE) or ALiBi biases.",
        (
            ("input of the first block", r"x_t = E[w_t] + P[t]"),
            ("sinusoidal", r"P[t, 2i] = \sin(t / 10000^{2i/d}),\ P[t, 2i+1] = \cos(t / 10000^{2i/d})"),
            ("learned: a T x d table trained with the model (GPT-2: 1024 x 768)", ""),
        ),
    ),
    "ngram_smoothing": Concept(
        "Why do n-gram language models need smoothing, and how do add-one and Kneser-Ney differ?",
        "A maximum-likelihood n-gram model gives probability 0 to every n-gram absent from the "
        "training corpus, so one unseen n-gram makes a test sentence impossible and its perplexity "
        "infinite. Add-one (Laplace) adds 1 to every count (V to each context's total): simple, but it "
        "moves too much mass to unseen events. Kneser-Ney subtracts a fixed discount D from every seen "
        "count and gives the freed mass to a lower-order model, interpolated, whose unigram is a "
        "CONTINUATION probability (in how many different contexts a word appears) rather than its "
        "frequency: 'Francisco' is frequent but follows almost only 'San'.",
        (
            ("add-one", r"P(w \mid h) = \frac{c(h, w) + 1}{c(h) + V}"),
            ("interpolated Kneser-Ney",
             r"P(w \mid h) = \frac{\max(c(h, w) - D, 0)}{c(h)} + \frac{D\,N_{1+}(h\,\bullet)}{c(h)}\,P_{KN}(w \mid h')"),
            ("continuation unigram", r"P_{cont}(w) = \frac{N_{1+}(\bullet\,w)}{N_{1+}(\bullet\,\bullet)}"),
            ("perplexity", r"PP = \exp\!\left(-\frac{1}{N}\sum_i \log P(w_i \mid h_i)\right)"),
        ),
    ),
}
