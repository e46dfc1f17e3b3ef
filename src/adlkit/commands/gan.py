"""``adlkit train gan``, ``sample gan``, ``eval gan``, ``explain wgan-gp`` and
``explain optimal-discriminator``: GANs on real targets and the sheet's questions 3A, 4B, 4C
measured on trained models."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from adlkit.commands._common import fail, load_checkpoint, nonfinite_exit, output_dir, output_file, parse_widths
from adlkit.gan import CRITIC_NORMS, GENERATOR_LOSSES, LOSSES, LR_DECAYS, TARGETS
from adlkit.gan.defaults import DATA_DEFAULTS

# the library's names as choices (an Enum member's name and value are the name itself)
Loss = Enum("Loss", [(n, n) for n in LOSSES], type=str)
Target = Enum("Target", [(n, n) for n in TARGETS], type=str)
GenLoss = Enum("GenLoss", [(n, n) for n in GENERATOR_LOSSES], type=str)
CriticNorm = Enum("CriticNorm", [(n, n) for n in CRITIC_NORMS], type=str)
LrDecay = Enum("LrDecay", [(n, n) for n in LR_DECAYS], type=str)


def _load_gan(checkpoint: Path):
    return load_checkpoint(checkpoint, "GANModule", "GAN")


def _print_eval(m: dict) -> None:
    typer.echo(f"exact W1 (generated vs held-out, n={m['n']}): {m['w1']:.4f}   "
               f"floor (held-out vs held-out, same n): {m['w1_floor']:.4f}")
    if "mode_coverage" in m:
        c = m["mode_coverage"]
        typer.echo(f"modes covered: {c['modes']}/{c['n_modes']} (a mode needs >= {c['min_share']:g} of its fair "
                   f"share as samples within 3 std)   high-quality samples: {100 * c['high_quality']:.1f} %")
    if "nearest_neighbour" in m:
        g, r = m["nearest_neighbour"], m["nearest_neighbour_real_val"]
        typer.echo(f"nearest-neighbour distances (pixels in [0,1)): generated->train {g['gen_to_train']:.3f} "
                   f"(real val->train {r['gen_to_train']:.3f}); held-out->generated {g['heldout_to_gen']:.3f} "
                   f"(held-out->real val {r['heldout_to_gen']:.3f})")


def _per_data(what) -> str:
    """'8gaussians 3000, ...': one default of :data:`adlkit.gan.defaults.DATA_DEFAULTS` per data set."""
    return ", ".join(f"{name} {what(d)}" for name, d in DATA_DEFAULTS.items())


def _wgan_gp(d, key: str, paper: str) -> str:
    """The data set's WGAN-GP setting ``key``, or the paper's value (a string) where it has none."""
    v = d.by_loss.get("wgan-gp", {}).get(key)
    return paper if v is None else (v if isinstance(v, str) else f"{v:g}")


def train_gan(
    loss: Loss = typer.Option(Loss("wgan-gp"), "--loss", help="Objective: " + " | ".join(LOSSES) + "."),
    data: Target = typer.Option(Target("8gaussians"), "--data", "-d", help="Target data set."),
    iters: Optional[int] = typer.Option(None, min=1, help="Generator iterations (each with n_critic critic updates; "
                                        "default per data set: " + _per_data(lambda d: d.iters) + ")."),
    batch_size: Optional[int] = typer.Option(None, min=2, help="Real samples per critic update (default per data set: "
                                             + _per_data(lambda d: d.batch_size) + ")."),
    hidden: Optional[str] = typer.Option(None, help="Hidden widths of both networks, e.g. 512,512,512 (default per "
                                         "data set: " + _per_data(lambda d: ",".join(map(str, d.model["hidden"]))) + ")."),
    lr: Optional[float] = typer.Option(None, min=0.0, help="Learning rate (default: the paper's for the loss; for wgan-gp "
                                       "per data set: " + _per_data(lambda d: _wgan_gp(d, "lr", "1e-4")) + ")."),
    n_critic: Optional[int] = typer.Option(None, min=1, help="Critic updates per generator update (default: 1 gan, 5 wgan/wgan-gp)."),
    generator_loss: GenLoss = typer.Option(GenLoss("nonsaturating"), help="Generator loss for --loss gan."),
    clip: float = typer.Option(0.01, min=0.0, help="WGAN weight-clipping bound c."),
    gp_lambda: Optional[float] = typer.Option(None, min=0.0, help="WGAN-GP penalty weight lambda (default per data set: "
                                              + _per_data(lambda d: _wgan_gp(d, "gp_lambda", "10")) + "; 10 is the "
                                              "paper's, 0.1 its toy script's)."),
    lr_decay: Optional[LrDecay] = typer.Option(None, "--lr-decay", help="none (constant learning rates) | linear (both "
                                               "fall linearly to 0 over --iters); default for wgan-gp per data set: "
                                               + _per_data(lambda d: _wgan_gp(d, "lr_decay", "none")) + "; otherwise none."),
    critic_norm: CriticNorm = typer.Option(CriticNorm("none"), "--critic-norm",
                                           help="Critic normalization: none | spectral (SN-GAN: every layer divided by "
                                                "its power-iteration spectral norm; replaces clipping for wgan)."),
    seed: int = typer.Option(0),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default: runs/gan-<loss>-<data>)."),
    resume: bool = typer.Option(False, help="Resume from OUT/last.pt."),
    eval_n: int = typer.Option(2000, min=0, help="Points for the final exact W1 (0: skip the evaluation)."),
    threads: int = typer.Option(1, min=1, help="torch threads (default 1: these small networks train fastest on one, "
                                             "far faster than on two where the machine is busy)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Train a GAN, WGAN or WGAN-GP through the shared loop; write checkpoints, sample plots
    over training (samples.png) and metrics.json to OUT. Options not given take the data set's
    defaults (adlkit.gan.defaults), then the loss's."""
    overrides: dict = {"clip": clip, "generator_loss": generator_loss.value, "critic_norm": critic_norm.value}
    if gp_lambda is not None:
        overrides["gp_lambda"] = gp_lambda
    if hidden is not None:
        overrides["hidden"] = parse_widths(hidden)
    if lr is not None:
        if not lr > 0:
            raise typer.BadParameter("must be > 0", param_hint="--lr")
        overrides["lr"] = lr
    if n_critic is not None:
        overrides["n_critic"] = n_critic
    if lr_decay is not None:
        overrides["lr_decay"] = lr_decay.value
    if loss.value == "wgan" and not clip > 0:
        raise typer.BadParameter("must be > 0 for --loss wgan", param_hint="--clip")
    out = output_dir(out or Path("runs") / f"gan-{loss.value}-{data.value}")
    import torch

    from adlkit.gan.pipeline import train_and_evaluate
    from adlkit.train import NonFiniteLossError

    if threads:
        torch.set_num_threads(threads)
    try:
        report = train_and_evaluate(loss.value, data.value, iters=iters, batch_size=batch_size, seed=seed,
                                    out_dir=out, resume=resume, eval_n=eval_n, progress=not quiet, log=typer.echo,
                                    **overrides)
    except NonFiniteLossError as e:
        nonfinite_exit(e)
    except ValueError as e:
        fail(str(e))
    if "eval" in report.metrics:
        _print_eval(report.metrics["eval"])
        cov = report.metrics["eval"].get("mode_coverage")
        if loss.value == "wgan-gp" and cov is not None and cov["modes"] < cov["n_modes"]:
            typer.echo("note: not every mode is covered yet. What this data set's defaults (adlkit.gan.defaults) "
                       "reached on seeds 0-4 is in bench/RESULTS.md, section \"GAN defaults that work (#15)\"; "
                       "away from them the training can oscillate for a seed-dependent number of iterations "
                       "before it settles. Try more --iters, another --seed, or leave out the options you changed.")
    typer.echo(f"wrote {out}/best.pt, last.pt, samples.png (samples over training), snapshots.npz, metrics.json")


def sample_gan(
    checkpoint: Path = typer.Argument(..., help="A checkpoint written by `adlkit train gan` (best.pt)."),
    n: int = typer.Option(1000, "-n", min=1, help="Number of samples."),
    seed: int = typer.Option(0),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default: the checkpoint's folder)."),
) -> None:
    """Draw N samples from a trained generator; write gan_samples.npy and a plot."""
    model = _load_gan(checkpoint)
    out = output_dir(out or checkpoint.parent)
    import torch

    from adlkit import plotting

    x = model.sample(n, generator=torch.Generator().manual_seed(seed)).numpy()
    c = model.config
    images = x.shape[1:] if x.ndim == 3 else None
    plotting.write_samples(x, out, "gan_samples", image_shape=images,
                           title=f"{c.loss} samples" if images else f"{c.loss} samples ({c.target})")
    typer.echo(f"wrote {n} samples to {out}/gan_samples.npy and a plot to {out}/gan_samples.png")


def eval_gan(
    checkpoint: Path = typer.Argument(..., help="A checkpoint written by `adlkit train gan`."),
    n: int = typer.Option(2000, "-n", min=10, help="Points for the exact W1 (O(n^3): a few thousand at most)."),
    target: Optional[Target] = typer.Option(None, help="Target data set (default: the one recorded in the checkpoint)."),
    seed: int = typer.Option(0),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
) -> None:
    """Exact W1 against held-out data (POT), mode coverage for the Gaussian mixtures,
    nearest-neighbour distances for digits."""
    model = _load_gan(checkpoint)
    if target is None and model.config.target is None:
        fail(f"{checkpoint} does not record its target data set; pass --target")
    from adlkit.gan.trainer import evaluate

    try:
        m = evaluate(model, target.value if target else None, n=n, seed=seed)
    except (ValueError, ImportError) as e:
        fail(str(e))
    if as_json:
        typer.echo(json.dumps(m))
    else:
        typer.echo(f"{checkpoint}: {m['loss']} on {m['target']}")
        _print_eval(m)


def _concept_text() -> None:
    """The sheet's answer: the ``concept`` problem type's ``wgan_gp`` entry, solved by the
    engine; printed here in full (the terminal printer shortens answers over 400 characters)."""
    import shutil
    import textwrap

    from adlkit.solve import solve_one
    from adlkit.solve.printers.plain import to_plain

    sol = solve_one("concept", id="q4c", topic="wgan_gp")
    width = min(100, shutil.get_terminal_size((100, 20)).columns)
    typer.echo(f"Question 4C. {sol.steps[0].text}\n")
    typer.echo(textwrap.fill(str(sol.answers["summary"]), width=width))
    for step in sol.steps[1:]:
        typer.echo(f"  - {step.text}: {to_plain(step.math)}" if step.math else f"  - {step.text}")
    typer.echo("  (the sheet answer of `adlkit solve`, problem type concept, topic wgan_gp)")


def _fmt_norms(q: dict) -> str:
    return f"median {q['median']:.3g}, 5-95 % [{q['q05']:.2g}, {q['q95']:.3g}], max {q['max']:.3g}"


def explain_wgan_gp(
    refresh: bool = typer.Option(False, "--refresh", help="Re-run the critic study instead of reusing the cached result."),
    steps: int = typer.Option(500, min=10, help="Critic updates per critic (with --refresh or no cache)."),
    cache: Optional[Path] = typer.Option(None, help="Result file (default: $ADLKIT_DATA or ~/.cache/adlkit, "
                                         "wgan_gp_study.json)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Question 4C (and 3A): the sheet's answer, then measurements on critics trained here with
    weight clipping and with a gradient penalty (about a minute on 2 cores, then cached)."""
    from adlkit.gan import critic_study

    path = output_file(cache) if cache is not None else critic_study.default_cache()  # a given file: checked first
    _concept_text()
    import torch

    torch.set_num_threads(1)  # small nets: one thread is as fast and kinder to a shared machine
    res, cached, cache_error = critic_study.load_or_run(path, steps, refresh=refresh, progress=not quiet,
                                                        log=lambda line: typer.echo(f"\n{line}", err=True))
    if cached:
        where = f"cached in {path} (computed {res.get('provenance', {}).get('computed_at', '?')}; --refresh re-runs)"
    elif cache_error is None:
        where = f"computed now and cached in {path}"
    else:
        where = f"computed now (could not cache: {cache_error})"
    st, c, g = res["settings"], res["clipping"], res["gradient_penalty"]
    typer.echo("")
    typer.echo("Measured here (adlkit.gan.critic_study): two critics, MLP " + "x".join(map(str, st["hidden"]))
               + f" ReLU, same initial weights, {st['steps']} updates of batch {st['batch_size']} against a fixed "
               f"generator ({st['fixed_generator']}) on 8 Gaussians; {where}.")
    typer.echo(f"  clipping: RMSprop 5e-5, weights clamped to +-{st['clip']:g};  gradient penalty: Adam 1e-4 "
               f"(0.5, 0.9), lambda = {st['gp_lambda']:g}. Evaluated on {st['n_eval']} held-out pairs.")
    rows = [
        ("gradient norm on interpolates", _fmt_norms(c["grad_norms"]), _fmt_norms(g["grad_norms"])),
        ("share of norms in [0.9, 1.1]", f"{100 * c['share_norm_0.9_1.1']:.1f} %", f"{100 * g['share_norm_0.9_1.1']:.1f} %"),
        ("weights at the clipping bounds", f"{100 * c['share_at_bounds']:.1f} % at +-{st['clip']:g}",
         f"(no bound; max |w| = {g['max_abs_weight']:.3g})"),
        ("Lipschitz lower bound (max grad norm)", f"{c['lipschitz_lower']:.4g}", f"{g['lipschitz_lower']:.4g}"),
        ("Lipschitz upper bound (spectral product)", f"{c['lipschitz_upper']:.4g}", f"{g['lipschitz_upper']:.4g}"),
        ("Wasserstein estimate / exact W1", f"{c['w_estimate']:.4g} / {res['w1_exact']:.4g} = {c['w_estimate_over_w1']:.3f}",
         f"{g['w_estimate']:.4g} / {res['w1_exact']:.4g} = {g['w_estimate_over_w1']:.3f}"),
    ]
    w0 = max(len(r[0]) for r in rows)
    typer.echo(f"\n  {'':{w0}}  {'weight clipping (WGAN)':<54}  gradient penalty (WGAN-GP)")
    for name, a, b in rows:
        typer.echo(f"  {name:<{w0}}  {a:<54}  {b}")
    edges = critic_study.NORM_BINS
    labels = [f"[{edges[i]:g},{edges[i + 1]:g})" for i in range(len(edges) - 1)]
    typer.echo("\n  histogram of gradient norms on interpolates (counts):")
    typer.echo("  " + " ".join(f"{lab:>9}" for lab in labels))
    typer.echo("  " + " ".join(f"{v:>9}" for v in c["grad_norm_hist"]) + "   clipping")
    typer.echo("  " + " ".join(f"{v:>9}" for v in g["grad_norm_hist"]) + "   gradient penalty")
    from adlkit.lipschitz import lipschitz_constant

    a = lipschitz_constant("exp(x*x)")
    b = lipschitz_constant("x**2", [-1, 1])
    typer.echo(f"\nReading (questions 4C and 3A): WGAN needs a 1-Lipschitz critic (question 3A: e^(x^2) has "
               f"K = {a.constant:g}, x^2 on [-1, 1] has K = {b.constant:g}; only K <= 1 qualifies as is).")
    typer.echo(f"  Clipping keeps K small but not at 1: {100 * c['share_at_bounds']:.0f} % of the weights sit at "
               f"+-{st['clip']:g} and the gradient norms on interpolates are {c['grad_norms']['median']:.2g} (median), "
               f"so the critic is a heavily scaled-down, simple function: its estimate is "
               f"{100 * c['w_estimate_over_w1']:.1f} % of W1.")
    typer.echo(f"  The gradient penalty drives the norms to {g['grad_norms']['median']:.3g} (median) on the "
               f"interpolates, with {100 * g['share_norm_0.9_1.1']:.0f} % within 10 % of 1; its estimate reaches "
               f"{100 * g['w_estimate_over_w1']:.0f} % of W1 after {st['steps']} steps. The spectral product "
               f"({g['lipschitz_upper']:.3g}) is a loose upper bound; the sampled max norm "
               f"({g['lipschitz_lower']:.3g}) a lower one.")


def explain_optimal_discriminator(
    steps: int = typer.Option(1000, min=10, help="Discriminator training steps (batch 2048 per side)."),
    plot: Optional[Path] = typer.Option(None, "--plot", help="Write the D vs D* plot here (PNG)."),
    seed: int = typer.Option(0),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Question 4B on a trained model: a discriminator trained on N(3, 2) vs N(4, 1) samples
    against the closed-form D*(x) and the value -log 4 + 2 JSD (about 20 s)."""
    if plot is not None:
        plot = output_file(plot)
    import torch

    from adlkit.gan import discriminator_check as dc

    torch.set_num_threads(1)  # small nets: one thread is as fast and kinder to a shared machine
    typer.echo("Question 4B: D*(x) = p_data(x) / (p_data(x) + p_g(x)), p_data = N(3, 2), p_g = N(4, 1) "
               "(variances), against a discriminator trained here on samples (MLP 64x64, Adam 2e-3, cosine decay).")
    chk = dc.run(steps=steps, seed=seed, progress=not quiet)
    typer.echo(f"  |D - D*| on the bulk [{chk.bulk[0]:.3f}, {chk.bulk[1]:.3f}] (0.5-99.5 % of the data): "
               f"max {chk.max_gap_bulk:.4f}, mean {chk.mean_gap_bulk:.4f}; max over the plotted range "
               f"[{chk.grid[0]:.2f}, {chk.grid[-1]:.2f}]: {chk.max_gap_all:.4f}")
    typer.echo(f"  value of the game: trained V(D, G) = {chk.value_trained:.5f} nats (quadrature), "
               f"-log 4 + 2 JSD = {chk.value_star:.5f} nats (closed form of adlkit.gan.optimal); "
               f"gap {chk.value_star - chk.value_trained:.2e}")
    if plot is not None:
        dc.plot(chk, plot)
        typer.echo(f"wrote {plot}")


def register(groups: dict) -> None:
    groups["train"].command("gan")(train_gan)
    groups["sample"].command("gan")(sample_gan)
    groups["eval"].command("gan")(eval_gan)
    groups["explain"].command("wgan-gp")(explain_wgan_gp)
    groups["explain"].command("optimal-discriminator")(explain_optimal_discriminator)
