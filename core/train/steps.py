"""One optimisation step of each model family, in the published order: generator forward, discriminator
step on the detached output, then the generator step with the discriminator frozen.

A step owns its optimisers; ``run(batch, stage)`` returns the loss values (already weighted, as the
published code logs them) as floats. Terms whose weight is 0, and the VGG terms when no VGG19 weights
were given, are skipped.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable

import torch
import torch.nn as nn

from core.train import losses as L
from core.train.config import Stage, TrainConfig
from core.train.vgg import ALL_LOSS_LAYERS, VGG19Features


def set_requires_grad(nets: Iterable[nn.Module], flag: bool) -> None:
    for net in nets:
        for p in net.parameters():
            p.requires_grad_(flag)


def unwrap(net: nn.Module) -> nn.Module:
    """The module inside a DistributedDataParallel wrapper (or the module itself)."""
    return getattr(net, "module", net)


class Amp:
    """Mixed precision on CUDA (bfloat16 where supported, else float16 with loss scaling); a no-op on the CPU."""

    def __init__(self, device: torch.device, enabled: bool) -> None:
        self.enabled = enabled and device.type == "cuda"
        self.dtype = torch.bfloat16 if (self.enabled and torch.cuda.is_bf16_supported()) else torch.float16
        scaling = self.enabled and self.dtype == torch.float16
        self.scalers = {name: torch.amp.GradScaler("cuda", enabled=scaling) for name in ("G", "D")}
        self.device_type = device.type

    def autocast(self) -> contextlib.AbstractContextManager:
        if not self.enabled:
            return contextlib.nullcontext()
        return torch.autocast(self.device_type, dtype=self.dtype)

    def step(self, name: str, loss: torch.Tensor, optimizer: torch.optim.Optimizer) -> None:
        scaler = self.scalers[name]
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()


class LossKit:
    """The VGG-based and flow losses with a shared, frozen VGG19 (or none)."""

    def __init__(self, vgg: VGG19Features | None, attn_layers: tuple[int, ...], kz: dict[int, int], gan_mode: str) -> None:
        self.vgg, self.attn_layers, self.kz, self.gan_mode = vgg, attn_layers, kz, gan_mode
        self.corr_layers = L.correctness_feature_names(attn_layers)

    def features(self, image: torch.Tensor, names: Iterable[str], grad: bool) -> dict[str, torch.Tensor]:
        assert self.vgg is not None
        with torch.set_grad_enabled(grad), torch.autocast(image.device.type, enabled=False):
            return self.vgg(image.float(), tuple(names))

    def correctness(self, target_feats: dict, source_image: torch.Tensor, flows: list[torch.Tensor],
                    mask: torch.Tensor | None = None) -> torch.Tensor:
        source_feats = self.features(source_image, self.corr_layers, grad=False)
        with torch.autocast(source_image.device.type, enabled=False):
            return L.correctness(target_feats, source_feats, [f.float() for f in flows], self.attn_layers, mask)

    def regularization(self, flows: list[torch.Tensor]) -> torch.Tensor:
        with torch.autocast(flows[0].device.type, enabled=False):
            return L.multi_affine_regularization([f.float() for f in flows], self.kz)


def _add(terms: dict[str, torch.Tensor], name: str, weight: float, fn: Callable[[], torch.Tensor]) -> None:
    if weight:
        terms[name] = weight * fn()


class PoseStep:
    """Pose transfer (DeepFashion, Market): flow stage (correctness + regularisation on the flow network alone)
    and full stage (L1, correctness, adversarial, regularisation, style, content)."""

    loss_names = ("correct", "regularization", "rec", "content", "style", "ad_gen", "dis_img")

    def __init__(self, cfg: TrainConfig, nets: dict[str, nn.Module], kit: LossKit, amp: Amp) -> None:
        self.cfg, self.nets, self.kit, self.amp = cfg, nets, kit, amp
        self.optimizers: dict[str, torch.optim.Optimizer] = {}

    def setup(self, stage: Stage) -> None:
        """Fresh Adam optimisers for a stage (the published stages run as separate processes)."""
        o = self.cfg.optim
        g = unwrap(self.nets["G"])
        params = g.get_submodule("flow_net").parameters() if stage.trains == "flow" else g.parameters()
        self.optimizers = {"G": torch.optim.Adam([p for p in params if p.requires_grad], lr=o.lr, betas=o.betas)}
        if stage.trains == "all" and stage.weights.g and "D" in self.nets:
            self.optimizers["D"] = torch.optim.Adam(self.nets["D"].parameters(), lr=o.lr * o.d_lr_ratio, betas=o.betas)

    def run(self, batch: dict[str, torch.Tensor], stage: Stage, flow_module: nn.Module | None = None) -> dict[str, float]:
        w, kit = stage.weights, self.kit
        P1, BP1, P2, BP2 = batch["P1"], batch["BP1"], batch["P2"], batch["BP2"]
        use_vgg = kit.vgg is not None
        need = set(kit.corr_layers) if (use_vgg and w.correct) else set()
        if use_vgg and (w.content or w.style) and stage.trains == "all":
            need |= set(ALL_LOSS_LAYERS)
        real_feats = kit.features(P2, need, grad=False) if need else {}
        terms: dict[str, torch.Tensor] = {}
        out_log: dict[str, float] = {}
        if stage.trains == "flow":
            with self.amp.autocast():
                flows, _ = (flow_module or unwrap(self.nets["G"]).get_submodule("flow_net"))(P1, BP1, BP2)
            if use_vgg:
                _add(terms, "correct", w.correct, lambda: kit.correctness(real_feats, P1, flows))
            _add(terms, "regularization", w.regularization, lambda: kit.regularization(flows))
        else:
            with self.amp.autocast():
                out = self.nets["G"](P1, BP1, BP2)
            image, flows = out["image"], out["flows"]
            if "D" in self.optimizers:
                d_net = self.nets["D"]
                set_requires_grad([d_net], True)
                with self.amp.autocast():
                    d_real, d_fake = d_net(P2), d_net(image.detach())
                d_loss = L.discriminator_loss(d_real.float(), d_fake.float(), self.cfg.optim.gan_mode)
                self.optimizers["D"].zero_grad(set_to_none=True)
                self.amp.step("D", d_loss, self.optimizers["D"])
                out_log["dis_img"] = float(d_loss.detach())
            image32 = image.float()
            _add(terms, "rec", w.rec, lambda: L.l1(image32, P2))
            if use_vgg:
                _add(terms, "correct", w.correct, lambda: kit.correctness(real_feats, P1, flows))
            if "D" in self.optimizers:
                d_net = self.nets["D"]
                set_requires_grad([d_net], False)
                with self.amp.autocast():
                    d_gen = unwrap(d_net)(image)  # the plain module: no gradient sync for a frozen D
                terms["ad_gen"] = w.g * L.generator_gan_loss(d_gen.float(), self.cfg.optim.gan_mode)
            _add(terms, "regularization", w.regularization, lambda: kit.regularization(flows))
            if use_vgg and (w.content or w.style):
                gen_feats = kit.features(image32, ALL_LOSS_LAYERS, grad=True)
                content, style = L.content_style(gen_feats, real_feats)
                terms["content"], terms["style"] = w.content * content, w.style * style
        total = sum(terms.values())
        self.optimizers["G"].zero_grad(set_to_none=True)
        if isinstance(total, torch.Tensor):
            self.amp.step("G", total, self.optimizers["G"])
        out_log.update({k: float(v.detach()) for k, v in terms.items()})
        out_log["total"] = float(total.detach()) if isinstance(total, torch.Tensor) else 0.0
        return out_log


class KeypointStep:
    """The Motion Extraction Network: MSE between the cleaned and the ground-truth skeleton tracks."""

    loss_names = ("mse",)

    def __init__(self, cfg: TrainConfig, nets: dict[str, nn.Module], kit: LossKit | None, amp: Amp) -> None:
        self.cfg, self.nets, self.amp = cfg, nets, amp
        self.optimizers: dict[str, torch.optim.Optimizer] = {}

    def setup(self, stage: Stage) -> None:
        o = self.cfg.optim
        self.optimizers = {"G": torch.optim.Adam(self.nets["G"].parameters(), lr=o.lr, betas=o.betas)}

    def run(self, batch: dict[str, torch.Tensor], stage: Stage, flow_module: nn.Module | None = None) -> dict[str, float]:
        with self.amp.autocast():
            pred = self.nets["G"](batch["input"])  # (B, 34, T_out)
        loss = stage.weights.mse * torch.mean((pred.float() - batch["target"]) ** 2)
        self.optimizers["G"].zero_grad(set_to_none=True)
        self.amp.step("G", loss, self.optimizers["G"])
        value = float(loss.detach())
        return {"mse": value, "total": value}
