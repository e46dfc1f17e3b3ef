"""The training loop: see :mod:`adlkit.train` for the model interface."""

from __future__ import annotations

import copy
import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from adlkit.train import distributed as D
from adlkit.train.batches import BatchSource, TensorBatches, n_examples
from adlkit.train.checkpoint import load_checkpoint, save_checkpoint


class NonFiniteLossError(RuntimeError):
    """Training produced NaN or inf; the last good checkpoint was kept and reloaded."""


@dataclass
class TrainConfig:
    """Loop settings (the model's own hyperparameters, e.g. learning rates, live in the model).

    ``batch_size`` is the global batch of tensor data: under ``torchrun`` each of W processes
    takes ``batch_size / W`` rows of every batch (a :class:`~adlkit.train.batches.BatchSource`
    has its own batch size). ``patience`` is in epochs without a held-out improvement larger than
    ``min_delta`` (None: no early stopping). ``max_steps`` caps the number of ``train_step`` calls
    in total; ``max_seconds`` the wall-clock time of this call (checked after every step; the
    epoch it cuts short is evaluated and checkpointed, and a resumed run gets a new budget). With
    ``checkpoint_dir``, ``last.pt`` (for resume) and ``best.pt`` (best held-out loss) are written
    at the end of every epoch.
    """

    epochs: int = 100
    batch_size: int = 256
    seed: int = 0
    patience: int | None = 10
    min_delta: float = 0.0
    max_steps: int | None = None
    max_seconds: float | None = None
    checkpoint_dir: str | Path | None = None
    resume: bool = False
    progress: bool = True
    restore_best: bool = True


@dataclass
class TrainResult:
    """What :func:`fit` did. ``history`` has one dict per epoch (``epoch``, ``step``,
    ``train_loss`` and the other train metrics averaged over the epoch, ``val_loss``)."""

    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int | None = None
    best_val_loss: float | None = None
    steps: int = 0
    stopped: str = "epochs"  # "epochs" | "early_stopping" | "max_steps" | "max_seconds"
    checkpoint_dir: Path | None = None
    train_seconds: float = 0.0  # wall time spent in training steps (excludes evaluation)

    def summary(self) -> dict[str, Any]:
        """What a run's ``metrics.json`` reports of the training: ``steps``, ``epochs``,
        ``stopped``, ``best_epoch``, ``train_seconds``."""
        return {"steps": self.steps, "epochs": len(self.history), "stopped": self.stopped,
                "best_epoch": self.best_epoch, "train_seconds": self.train_seconds}


@dataclass
class StepContext:
    """Handed to ``model.train_step``: the optimizers and a ``backward`` that averages
    gradients over processes."""

    optimizers: dict[str, torch.optim.Optimizer]
    world_size: int = 1
    params: list[nn.Parameter] = field(default_factory=list)

    def backward(self, loss: Tensor) -> None:
        loss.backward()
        if self.world_size > 1:
            D.average_gradients(self.params, self.world_size)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def _rng_state(shuffle: torch.Generator) -> dict[str, Any]:
    np_state = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "shuffle": shuffle.get_state(),
        "numpy": {"keys": torch.from_numpy(np_state[1].astype(np.int64)), "pos": int(np_state[2]),
                  "has_gauss": int(np_state[3]), "cached": float(np_state[4])},
        "python": [list(random.getstate()[1])],
    }


def _set_rng_state(state: dict[str, Any], shuffle: torch.Generator) -> None:
    torch.set_rng_state(state["torch"])
    shuffle.set_state(state["shuffle"])
    n = state["numpy"]
    np.random.set_state(("MT19937", n["keys"].numpy().astype(np.uint32), n["pos"], n["has_gauss"], n["cached"]))
    random.setstate((3, tuple(state["python"][0]), None))


def _snapshot(model: nn.Module) -> dict[str, Any]:
    """A copy of ``model.state_dict()`` (tensors cloned, anything else deep-copied): what
    ``copy.deepcopy`` gives, without its per-tensor overhead (about 1 ms a state dict)."""
    return {k: v.detach().clone() if isinstance(v, Tensor) else copy.deepcopy(v) for k, v in model.state_dict().items()}


def _finite_params(model: nn.Module) -> bool:
    return all(bool(torch.isfinite(p).all()) for p in model.parameters())


@torch.no_grad()
def held_out_totals(model: nn.Module, data: BatchSource) -> tuple[float, float]:
    """``(total loss, count)`` of ``model`` over one evaluation pass of ``data`` (eval mode).

    ``model.eval_loss(batch)`` returns either a mean per example (it counts as many times as the
    batch has examples) or a pair ``(sum, count)`` (e.g. the summed token NLL and the number of
    tokens: :func:`evaluate` is then the loss per token, as perplexity needs).
    """
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    for b in data.epoch(None):
        out = model.eval_loss(b)
        if isinstance(out, tuple):
            total += float(out[0])
            count += out[1]
        else:
            w = n_examples(b)
            total += float(out) * w
            count += w
    model.train(was_training)
    return total, count


def evaluate(model: nn.Module, data: BatchSource) -> float:
    """The held-out loss: total over count of :func:`held_out_totals` (drives early stopping)."""
    total, count = held_out_totals(model, data)
    if count == 0:
        raise ValueError("no held-out examples")
    return total / count


def _as_source(data: Tensor | BatchSource, batch_size: int) -> BatchSource:
    return TensorBatches(data, batch_size) if isinstance(data, Tensor) else data


def fit(
    model: nn.Module,
    train: Tensor | BatchSource,
    val: Tensor | BatchSource | None = None,
    config: TrainConfig | None = None,
    transform: Callable[[Any], Any] | None = None,
    callback: Callable[[dict[str, Any]], None] | None = None,
    on_epoch: Callable[[dict[str, float]], None] | None = None,
) -> TrainResult:
    """Train ``model`` on ``train``; evaluate on ``val`` after every epoch.

    ``train`` and ``val`` are tensors of rows (N, ...), batched by ``config.batch_size``
    (:class:`~adlkit.train.batches.TensorBatches`), or batch sources of any kind (see
    :mod:`adlkit.train.batches`: variable-length sequences with :class:`LengthBuckets`).
    ``transform`` is applied to every training batch (e.g. fresh dequantization noise; it may
    use the global torch RNG, which is checkpointed). ``callback(info)`` runs after every step
    with ``epoch``, ``step`` and the step's metrics; ``on_epoch(record)`` after every epoch with
    its history record. Under ``torchrun`` (gloo), gradients are averaged across processes and
    rank 0 writes checkpoints and shows the progress bar.
    Raises :class:`NonFiniteLossError` if a loss or a parameter becomes NaN/inf.
    """
    cfg = config or TrainConfig()
    t_start = time.perf_counter()
    rank, world = D.setup()
    B = cfg.batch_size
    if isinstance(train, Tensor):
        if cfg.batch_size % world:
            raise ValueError(f"batch_size {cfg.batch_size} must be divisible by the {world} processes")
        n = train.shape[0]
        B = min(cfg.batch_size, n - n % world) if n >= world else n
    train_src = _as_source(train, max(B, 1))
    if len(train_src) == 0:
        raise ValueError("no training data")
    val_src = _as_source(val, B) if val is not None else None
    ckdir = Path(cfg.checkpoint_dir) if cfg.checkpoint_dir is not None else None
    last_path = ckdir / "last.pt" if ckdir else None
    best_path = ckdir / "best.pt" if ckdir else None

    seed_everything(cfg.seed)
    shuffle = torch.Generator().manual_seed(cfg.seed)
    optimizers = model.configure_optimizers()
    params = [p for p in model.parameters() if p.requires_grad]
    ctx = StepContext(optimizers, world, params)
    result = TrainResult(checkpoint_dir=ckdir)
    bad_epochs, start_epoch, step = 0, 0, 0
    best_state: dict[str, Tensor] | None = None

    if cfg.resume and last_path is not None and last_path.is_file():
        try:
            ck = load_checkpoint(last_path)
            model.load_state_dict(ck["model_state"])
            for name, opt in optimizers.items():
                opt.load_state_dict(ck["optimizers"][name])
        except (RuntimeError, KeyError, ValueError) as err:
            # not an adlkit checkpoint (load_checkpoint's ValueError), or one of another model
            # (load_state_dict's messages run over many lines)
            why = " ".join(str(err).split())[:300] or type(err).__name__
            raise ValueError(f"cannot resume from {last_path}: {why}") from err
        _set_rng_state(ck["rng"], shuffle)
        start_epoch, step, bad_epochs = ck["epoch"], ck["step"], ck["bad_epochs"]
        result.history = list(ck["history"])
        result.best_epoch, result.best_val_loss = ck["best_epoch"], ck["best_val_loss"]
        # best.pt is a held-out selection only when there is held-out data; without it, best.pt
        # holds a previous run's final weights and must not be restored over the resumed run
        if val is not None and best_path is not None and best_path.is_file():
            best_state = load_checkpoint(best_path)["model_state"]
    else:
        if hasattr(model, "data_init"):
            # the first batch of an epoch drawn with the seed, whole (every process alike)
            first = next(iter(train_src.epoch(torch.Generator().manual_seed(cfg.seed))))
            model.data_init(transform(first) if transform is not None else first)
        if world > 1:
            D.broadcast_module(model)
    last_good = _snapshot(model)

    def save_last(epoch: int) -> None:
        if last_path is None or rank != 0:
            return
        save_checkpoint(
            model, last_path,
            optimizers={k: o.state_dict() for k, o in optimizers.items()},
            rng=_rng_state(shuffle), epoch=epoch, step=step, bad_epochs=bad_epochs,
            history=result.history, best_epoch=result.best_epoch, best_val_loss=result.best_val_loss,
            train_config={k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(cfg).items()},
        )

    def fail(what: str, epoch: int) -> None:
        model.load_state_dict(last_good)
        where = f" (last good checkpoint: {last_path})" if last_path is not None and last_path.is_file() else ""
        raise NonFiniteLossError(
            f"{what} at epoch {epoch + 1}, step {step}; stopped and restored the weights of the "
            f"last good epoch{where}. Try a lower learning rate or a tighter scale clamp."
        )

    def out_of_time() -> bool:
        if cfg.max_seconds is None:
            return False
        return D.any_process(time.perf_counter() - t_start > cfg.max_seconds, world)

    stopped = "epochs"
    model.train()
    from tqdm.auto import tqdm

    for epoch in range(start_epoch, cfg.epochs):
        # a resumed run that had already stopped stays stopped
        if cfg.max_steps is not None and step >= cfg.max_steps:
            stopped = "max_steps"
            break
        if val is not None and cfg.patience is not None and bad_epochs >= cfg.patience:
            stopped = "early_stopping"
            break
        if epoch > start_epoch and out_of_time():
            stopped = "max_seconds"
            break
        batches = iter(train_src.epoch(shuffle, rank, world))
        sums: dict[str, float] = {}
        count = 0
        label = getattr(model, "progress_label", "")
        bar = tqdm(total=len(train_src), desc=f"epoch {epoch + 1}/{cfg.epochs}" + (f" {label}" if label else ""),
                   leave=False, disable=not cfg.progress or rank != 0, dynamic_ncols=True)
        while True:
            t0 = time.perf_counter()
            batch = next(batches, _END)
            if batch is _END:
                break
            if transform is not None:
                batch = transform(batch)
            metrics = model.train_step(batch, ctx)
            result.train_seconds += time.perf_counter() - t0
            step += 1
            if not all(math.isfinite(v) for v in metrics.values()):
                bar.close()
                bad = ", ".join(f"{k}={v}" for k, v in metrics.items() if not math.isfinite(v))
                fail(f"non-finite training metric ({bad})", epoch)
            for k, v in metrics.items():
                sums[k] = sums.get(k, 0.0) + v
            count += 1
            if not bar.disable:  # a hidden bar formats nothing
                bar.update(1)
                # running means of every metric the step reports (a GAN: both losses and the
                # critic's Wasserstein estimate), the loss first
                bar.set_postfix({k: f"{sums[k] / count:.4g}" for k in sorted(sums, key=lambda k: k != "loss")},
                                refresh=False)
            if callback is not None:
                callback({"epoch": epoch, "step": step, **metrics})
            if cfg.max_steps is not None and step >= cfg.max_steps:
                stopped = "max_steps"
                break
            if out_of_time():
                stopped = "max_seconds"
                break
        bar.close()
        if count == 0:
            raise ValueError(f"epoch {epoch + 1} had no training batches")
        if not _finite_params(model):
            fail("non-finite parameters", epoch)
        record: dict[str, float] = {"epoch": epoch + 1, "step": step}
        record.update({("train_" + k if k == "loss" else k): v / count for k, v in sums.items()})
        if val_src is not None:
            vl = evaluate(model, val_src)
            if not math.isfinite(vl):
                fail(f"non-finite held-out loss ({vl})", epoch)
            record["val_loss"] = vl
            if result.best_val_loss is None or vl < result.best_val_loss - cfg.min_delta:
                result.best_epoch, result.best_val_loss, bad_epochs = epoch + 1, vl, 0
                best_state = _snapshot(model)
                if best_path is not None and rank == 0:
                    save_checkpoint(model, best_path, epoch=epoch + 1, val_loss=vl)
            else:
                bad_epochs += 1
        result.history.append(record)
        if cfg.progress and rank == 0:
            msg = f"epoch {epoch + 1}/{cfg.epochs}  train {record['train_loss']:.4f}"
            if val is not None:
                msg += f"  held-out {record['val_loss']:.4f}  (best {result.best_val_loss:.4f} @ {result.best_epoch})"
            tqdm.write(msg)
        last_good = _snapshot(model)
        save_last(epoch + 1)
        if on_epoch is not None:
            on_epoch(record)
        if stopped in ("max_steps", "max_seconds"):
            break
        if val is not None and cfg.patience is not None and bad_epochs >= cfg.patience:
            stopped = "early_stopping"
            break

    if val is None and best_path is not None and rank == 0:
        save_checkpoint(model, best_path, epoch=len(result.history), val_loss=None)
    if cfg.restore_best and best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    result.steps, result.stopped = step, stopped
    return result


_END = object()
