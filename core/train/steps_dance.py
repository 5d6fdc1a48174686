"""One optimisation step of the animation model (dance_fashion, dance_iper), as the published dance model does it.

An item of T frames runs as T/K chunks of K frames (K = 6). In a chunk the generator runs recurrently
(frame t's "previous" image is the generated frame t−1, not detached); a chunk's first frame takes the
detached last frame of the previous chunk (the reference for the first chunk). Each chunk makes one
discriminator step (image D on one random frame, temporal D_V on the K frames) and one generator step
(L1, content, style, correctness of both flow branches, regularisation, both adversarial terms).
"""

from __future__ import annotations

import functools
import operator

import torch
import torch.nn as nn

from core.train import losses as L
from core.train.config import Stage, TrainConfig
from core.train.steps import Amp, LossKit, set_requires_grad, unwrap
from core.train.vgg import ALL_LOSS_LAYERS

IPER_CORRECT_WEIGHT = 2.0  # the published λ_correct when foreground masks are used


class DanceStep:
    loss_names = ("rec", "content", "style", "correct_p", "correct_r", "regularization_p", "regularization_r",
                  "ad_gen", "ad_gen_v", "dis_img", "dis_img_v")

    def __init__(self, cfg: TrainConfig, nets: dict[str, nn.Module], kit: LossKit, amp: Amp,
                 generator: torch.Generator) -> None:
        self.cfg, self.nets, self.kit, self.amp, self.rng = cfg, nets, kit, amp, generator
        self.optimizers: dict[str, torch.optim.Optimizer] = {}

    def setup(self, stage: Stage) -> None:
        o = self.cfg.optim
        self.optimizers = {"G": torch.optim.Adam(self.nets["G"].parameters(), lr=o.lr, betas=o.betas)}
        if stage.weights.g:
            d_params = list(self.nets["D"].parameters()) + list(self.nets["D_V"].parameters())
            self.optimizers["D"] = torch.optim.Adam(d_params, lr=o.lr * o.d_lr_ratio, betas=o.betas)

    def _randint(self, n: int) -> int:
        return int(torch.randint(n, (1,), generator=self.rng))

    def run(self, batch: dict[str, torch.Tensor], stage: Stage, flow_module: nn.Module | None = None) -> dict[str, float]:
        images, structures = batch["images"], batch["structures"]  # (B, T, 3, H, W), (B, T, 20, H, W)
        masks = batch.get("masks")
        k = self.cfg.data.chunk
        ref_image, ref_structure = batch["ref_image"], batch["ref_structure"]
        pre_image = pre_structure = None
        pre_gt = ref_image
        sums: dict[str, float] = {}
        n_chunks = images.shape[1] // k
        for c in range(n_chunks):
            sl = slice(c * k, (c + 1) * k)
            gt, bp = images[:, sl], structures[:, sl]
            gt_prev = torch.cat([pre_gt[:, None], gt[:, :-1]], dim=1)  # ground-truth previous frames
            with self.amp.autocast():
                out = self.nets["G"](bp, ref_image, ref_structure, pre_image, pre_structure)
            logs = self._chunk(stage, out, gt, gt_prev, ref_image, None if masks is None else masks[:, sl])
            for name, v in logs.items():
                sums[name] = sums.get(name, 0.0) + v / n_chunks
            pre_image = out["images"][-1].detach()
            pre_structure = bp[:, -1]
            pre_gt = gt[:, -1]
        return sums

    def _chunk(self, stage: Stage, out: dict, gt: torch.Tensor, gt_prev: torch.Tensor, ref_image: torch.Tensor,
               masks: torch.Tensor | None) -> dict[str, float]:
        w, kit, mode = stage.weights, self.kit, self.cfg.optim.gan_mode
        gen = out["images"]  # K × (B, 3, H, W)
        k = len(gen)
        logs: dict[str, float] = {}
        if "D" in self.optimizers:
            d, dv = self.nets["D"], self.nets["D_V"]
            set_requires_grad([d, dv], True)
            i = self._randint(k)
            with self.amp.autocast():
                d_loss = L.discriminator_loss(d(gt[:, i]).float(), d(gen[i].detach()).float(), mode)
                fake_v = torch.stack([g.detach() for g in gen], dim=2)  # (B, 3, K, H, W)
                dv_loss = L.discriminator_loss(dv(gt.transpose(1, 2)).float(), dv(fake_v).float(), mode)
            self.optimizers["D"].zero_grad(set_to_none=True)
            self.amp.step("D", d_loss + dv_loss, self.optimizers["D"])
            logs["dis_img"], logs["dis_img_v"] = float(d_loss.detach()), float(dv_loss.detach())
        terms: dict[str, torch.Tensor] = {}
        use_vgg = kit.vgg is not None
        correct_w = IPER_CORRECT_WEIGHT if (masks is not None and w.correct) else w.correct
        rec = content = style = corr_p = corr_r = reg_p = reg_r = 0.0
        for t in range(k):
            g32, target = gen[t].float(), gt[:, t]
            rec = rec + L.l1(g32, target)
            need = set(ALL_LOSS_LAYERS) if (w.content or w.style) else set(kit.corr_layers)
            real_feats = kit.features(target, need, grad=False) if use_vgg else {}
            if use_vgg and (w.content or w.style):
                c_, s_ = L.content_style(kit.features(g32, ALL_LOSS_LAYERS, grad=True), real_feats)
                content, style = content + c_, style + s_
            flows = out["flows"][t]
            flow_p, flow_r = flows[0::2], flows[1::2]
            mask = None if masks is None else masks[:, t]
            if use_vgg and correct_w:
                corr_r = corr_r + kit.correctness(real_feats, ref_image, flow_r, mask)
                corr_p = corr_p + kit.correctness(real_feats, gt_prev[:, t], flow_p, mask)
            if w.regularization:
                reg_p, reg_r = reg_p + kit.regularization(flow_p), reg_r + kit.regularization(flow_r)
        for name, weight, value in (("rec", w.rec, rec), ("content", w.content, content), ("style", w.style, style),
                                    ("correct_p", correct_w, corr_p), ("correct_r", correct_w, corr_r),
                                    ("regularization_p", w.regularization, reg_p),
                                    ("regularization_r", w.regularization, reg_r)):
            if weight and isinstance(value, torch.Tensor):
                terms[name] = weight * value
        if "D" in self.optimizers:
            d, dv = unwrap(self.nets["D"]), unwrap(self.nets["D_V"])
            set_requires_grad([d, dv], False)
            i = self._randint(k)
            with self.amp.autocast():
                terms["ad_gen"] = w.g * L.generator_gan_loss(d(gen[i]).float(), mode)
                terms["ad_gen_v"] = w.g * L.generator_gan_loss(dv(torch.stack(gen, dim=2)).float(), mode)
        total = functools.reduce(operator.add, terms.values())  # the terms' sum, a tensor
        self.optimizers["G"].zero_grad(set_to_none=True)
        self.amp.step("G", total, self.optimizers["G"])
        logs.update({name: float(v.detach()) for name, v in terms.items()})
        logs["total"] = float(total.detach())
        return logs
