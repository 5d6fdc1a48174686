"""The training loop: staged schedule, progress with speed and time left, periodic checkpoints, exact resume,
loss curves, CPU or CUDA (mixed precision), one process or several through torchrun."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sized
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch.utils.data import DataLoader, Dataset

from core.atomic import write_text_atomic
from core.errors import Cancelled
from core.train import distributed as ddp
from core.train import state as st
from core.train.config import TrainConfig, config_to_toml
from core.train.curves import LossLog, plot_curves, read_csv
from core.train.data import make_dataset, to_device
from core.train.errors import TrainingError
from core.train.models import build_discriminators, build_generator, generator_config, is_full_size
from core.train.sampling import BatchPlan
from core.train.steps import Amp, KeypointStep, LossKit, PoseStep
from core.train.steps_dance import DanceStep
from core.train.vgg import VGG_MISSING_WARNING, load_vgg19

Progress = Callable[[int, int, str], None]


@dataclass
class TrainResult:
    iterations: int  # global iterations done
    checkpoint: Path  # latest_net_G.safetensors
    last_losses: dict[str, float] = field(default_factory=dict)


def format_duration(s: float) -> str:
    s = int(max(0, s))
    return f"{s // 3600} h {s % 3600 // 60:02d} min" if s >= 3600 else (f"{s // 60} min {s % 60:02d} s" if s >= 60 else f"{s} s")


class Trainer:
    """Train ``cfg``'s model; ``dataset`` overrides the config's (fine-tuning passes a video's pairs)."""

    def __init__(self, cfg: TrainConfig, dataset: Dataset | None = None, echo: Callable[[str], None] = print,
                 progress: Progress | None = None, cancel: Callable[[], bool] | None = None,
                 on_iteration: Callable[[int, dict[str, float]], None] | None = None) -> None:
        from core.render import resolve_device

        self.cfg, self.echo, self.progress, self.cancel, self.on_iteration = cfg, echo, progress, cancel, on_iteration
        self.device = torch.device(resolve_device(cfg.device))
        self.dist = ddp.init_from_env(self.device.type)
        if self.device.type == "cuda" and self.dist.enabled:
            self.device = torch.device("cuda", self.dist.local_rank)
        torch.backends.cudnn.benchmark = not cfg.deterministic
        torch.manual_seed(cfg.seed)
        self.out = Path(cfg.out_dir)
        self.ckpt = self.out / "checkpoints"
        self.G = build_generator(cfg).to(self.device).train()
        if cfg.init_weights:
            from core.gfla.checkpoint import load_model

            self.G.load_state_dict(load_model(cfg.init_weights, kind=cfg.kind, config=generator_config(cfg)).model.state_dict())
        self.Ds = {k: v.to(self.device).train() for k, v in build_discriminators(cfg).items()}
        vgg = load_vgg19(cfg.vgg19, self.device) if cfg.kind != "dance_keypoint" else None
        if vgg is None and cfg.kind != "dance_keypoint":
            flow_only = any(s.trains == "flow" for s in cfg.stages)
            self.echo(VGG_MISSING_WARNING + ("; the flow stage then learns from the regulariser alone" if flow_only else ""))
        gcfg = generator_config(cfg)
        attn = tuple(getattr(gcfg, "attn_layer", ()))
        kz = dict(getattr(gcfg, "extractor_kz", ()))
        self.kit = LossKit(vgg, attn, kz, cfg.optim.gan_mode)
        self.amp = Amp(self.device, cfg.amp)
        self.rng = torch.Generator().manual_seed(cfg.seed + 7919 * self.dist.rank)
        self.nets: dict[str, torch.nn.Module] = {"G": self.G, **self.Ds}
        if cfg.kind.startswith("pose"):
            self.step = PoseStep(cfg, self.nets, self.kit, self.amp)
        elif cfg.kind == "dance_keypoint":
            self.step = KeypointStep(cfg, self.nets, self.kit, self.amp)
        else:
            self.step = DanceStep(cfg, self.nets, self.kit, self.amp, self.rng)
        self.dataset = dataset if dataset is not None else make_dataset(cfg)
        self.losslog = LossLog(self.step.loss_names, cfg.schedule.print_every)
        self.iteration, self.stage_index, self.flow_module = 0, -1, None
        self.running: float | None = None  # running mean of the total loss (stop_below)

    # ----- stages -----------------------------------------------------------------------------
    def _enter_stage(self, index: int) -> None:
        stage = self.cfg.stages[index]
        self.stage_index = index
        self.step.setup(stage)
        self.running = None
        if stage.trains == "flow":
            self.flow_module = ddp.wrap(self.G.get_submodule("flow_net"), self.dist, self.device)
            self.nets["G"] = self.G
        else:
            if self.flow_module is not None and self.dist.enabled:
                self.flow_module = None
                gc.collect()  # drop the flow stage's DDP wrapper (and its gradient hooks) before wrapping G
            self.flow_module = None
            self.nets["G"] = ddp.wrap(self.G, self.dist, self.device)
            for k, v in self.Ds.items():
                self.nets[k] = ddp.wrap(v, self.dist, self.device)

    def _loader(self, start: int) -> DataLoader:
        if not isinstance(self.dataset, Sized):
            raise TrainingError(f"the training set {type(self.dataset).__name__} has no length to plan batches over")
        plan = BatchPlan(len(self.dataset), self.cfg.data.batch_size, self.cfg.seed, start, self.dist.rank, self.dist.world)
        workers = self.cfg.data.workers
        return DataLoader(self.dataset, batch_sampler=plan, num_workers=workers, pin_memory=self.device.type == "cuda",
                          persistent_workers=False, prefetch_factor=2 if workers else None)

    # ----- checkpoints ------------------------------------------------------------------------
    def save(self, numbered: bool = False) -> Path:
        if not self.dist.is_main:
            return self.ckpt / "latest_net_G.safetensors"
        self.ckpt.mkdir(parents=True, exist_ok=True)
        kind = self.cfg.kind if is_full_size(self.cfg) else None
        meta = {"iteration": str(self.iteration)}
        names = ["latest"] + ([str(self.iteration)] if numbered else [])
        for name in names:
            st.save_network(self.G, self.ckpt / f"{name}_net_G.safetensors", kind, meta)
            for k, d in self.Ds.items():
                st.save_network(d, self.ckpt / f"{name}_net_{k}.safetensors", None, meta)
        st.save_state(self.ckpt, {
            "kind": self.cfg.kind, "iteration": self.iteration, "stage": self.stage_index,
            "optimizers": {k: o.state_dict() for k, o in self.step.optimizers.items()},
            "scalers": {k: s.state_dict() for k, s in self.amp.scalers.items()},
            "rng": st.rng_state(), "trainer_rng": self.rng.get_state(), "losslog": self.losslog.state(),
            "running": self.running, "config": config_to_toml(self.cfg),
        })
        self.losslog.write_csv(self.out / "losses.csv")
        return self.ckpt / "latest_net_G.safetensors"

    def resume(self) -> None:
        state = st.load_state(self.ckpt)
        if state.get("kind") != self.cfg.kind:
            raise TrainingError(f"cannot resume: {self.ckpt} holds a {state.get('kind')} run, the config trains {self.cfg.kind}")
        st.load_network(self.G, self.ckpt / "latest_net_G.safetensors")
        stage_index = int(state["stage"])
        for k, d in self.Ds.items():
            path = self.ckpt / f"latest_net_{k}.safetensors"
            if path.is_file():
                st.load_network(d, path)
        self.iteration = int(state["iteration"])
        if stage_index >= 0:
            self._enter_stage(stage_index)
            for k, sd in state["optimizers"].items():
                if k in self.step.optimizers:
                    self.step.optimizers[k].load_state_dict(sd)
        for k, sd in state.get("scalers", {}).items():
            if k in self.amp.scalers and sd:
                self.amp.scalers[k].load_state_dict(sd)
        st.set_rng_state(state["rng"])
        self.rng.set_state(state["trainer_rng"])
        self.running = state.get("running")
        self.losslog.restore(read_csv(self.out / "losses.csv", self.iteration), state.get("losslog", {}))
        self.echo(f"resumed {self.cfg.kind} at iteration {self.iteration:,}")

    # ----- the loop ---------------------------------------------------------------------------
    def run(self, resume: bool = False, stop_after: int | None = None) -> TrainResult:
        """Train to the end of the last stage (or to global iteration ``stop_after``), then save."""
        cfg = self.cfg
        if resume:
            self.resume()
        else:
            torch.manual_seed(cfg.seed + self.dist.rank)
        if self.dist.is_main:
            self.out.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self.out / "config.toml", config_to_toml(cfg))
        end = min(cfg.total_iterations, stop_after or cfg.total_iterations)
        last: dict[str, float] = {}
        speed, started = None, time.perf_counter()
        try:
            while self.iteration < end:
                index, stage = cfg.stage_at(self.iteration)
                if index != self.stage_index:
                    self._enter_stage(index)
                batches = iter(self._loader(self.iteration))
                stage_end = min(end, cfg.stage_start(index) + stage.iterations)
                while self.iteration < stage_end:
                    if self.cancel is not None and self.cancel():
                        raise Cancelled("training cancelled")
                    t0 = time.perf_counter()
                    batch = to_device(next(batches), self.device)
                    last = self.step.run(batch, stage, self.flow_module)
                    if not all(v == v and abs(v) != float("inf") for v in last.values()):
                        raise TrainingError(f"the losses diverged at iteration {self.iteration + 1}: {last}")
                    self.iteration += 1
                    dt = time.perf_counter() - t0
                    speed = dt if speed is None else 0.9 * speed + 0.1 * dt
                    self._after_iteration(stage.name, last, dt, speed, end)
                    if stage.stop_below is not None and self.running is not None and self.running < stage.stop_below \
                            and self.iteration - cfg.stage_start(index) >= 100:
                        self.echo(f"stage {stage.name}: loss {self.running:.4g} < {stage.stop_below}, moving on")
                        self.iteration = stage_end if stage_end == end else cfg.stage_start(index + 1)
                        break
        except (Cancelled, KeyboardInterrupt):
            if self.iteration:
                self.save()
                self.echo(f"stopped at iteration {self.iteration:,}; checkpoint saved (continue with --resume)")
            ddp.shutdown(self.dist)
            raise
        path = self.save(numbered=True)
        if self.dist.is_main and self.iteration >= cfg.total_iterations:
            self.losslog.flush(self.iteration, cfg.stages[self.stage_index].name if self.stage_index >= 0 else "")
            self.losslog.write_csv(self.out / "losses.csv")
        if self.dist.is_main:
            plot_curves(self.losslog.rows, self.losslog.names, self.out / "losses.png", f"{cfg.kind} · {self.iteration:,} it")
            self.echo(f"{'done' if self.iteration >= cfg.total_iterations else 'paused'}: {self.iteration:,} iterations "
                      f"in {format_duration(time.perf_counter() - started)}; weights: {path}")
        ddp.barrier(self.dist)
        ddp.shutdown(self.dist)
        return TrainResult(self.iteration, path, last)

    def _after_iteration(self, stage: str, losses: dict[str, float], dt: float, speed: float, end: int) -> None:
        it, sch = self.iteration, self.cfg.schedule
        total = losses.get("total", 0.0)
        self.running = total if self.running is None else 0.98 * self.running + 0.02 * total
        if self.on_iteration is not None:
            self.on_iteration(it, losses)
        row = self.losslog.add(it, stage, losses, dt)
        left = format_duration((end - it) * speed)
        text = f"[{stage}] it {it:,}/{end:,} · {1 / max(speed, 1e-9):.2f} it/s · {left} left"
        if self.progress is not None:
            self.progress(it, end, text)
        if row is not None and self.dist.is_main:
            shown = " · ".join(f"{k} {v:.4g}" for k, v in row.items() if isinstance(v, float) and k != "seconds_per_iteration")
            self.echo(f"{text} · {shown}")
        if self.dist.is_main:
            if it % sch.save_every == 0:
                self.save(numbered=True)
            elif it % sch.save_latest_every == 0:
                self.save()
            if it % sch.curves_every == 0:
                self.losslog.write_csv(self.out / "losses.csv")
                plot_curves(self.losslog.rows, self.losslog.names, self.out / "losses.png", self.cfg.kind)
