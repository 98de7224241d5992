"""How bench/cifake.py's fast recipe was chosen (bench/RESULTS.md section 15): one training of a variant net or setting
on the train split of a prepared CIFAKE folder, scored on its valid split (with test-time flips); one JSON line per run.

The split is decoded once into a cache beside this script's output; each run calls the library's own pieces
(`ImageTensors`, `TensorImageDL`, `augmentations`, `detector_learner`, `set_precision`, `fit_one_cycle`) with the net
registered by `register_arch`. Not run by CI (minutes a run):

    aigen-detect prepare ../shared/data/cifake/train /tmp/cifake-train --keep --dataset cifake-train
    python bench/explore/cifake_nets.py /tmp/cifake-train --arch patch --epochs 20 --bs 256 --lr 5e-3 --augment flip
"""
import argparse, copy, json, time
from pathlib import Path

import torch, torch.nn as nn, torch.nn.functional as F
from fastai.vision.all import Callback, DataLoaders, set_seed

from aigen_detect.data import LABELS
from aigen_detect.detect import STATS, register_arch
from aigen_detect.train import (ImageTensors, TensorImageDL, augmentations, batch_tfms, decode_images,
                                detector_learner, set_precision, training_rows)


class HPConv(nn.Module):
    "A 3x3 conv of the image plus one of its high-frequency residual (NPR: x minus its 2x down-up copy)."
    def __init__(self, c_out):
        super().__init__()
        self.conv = nn.Conv2d(3, c_out, 3, padding=1, bias=False)
        self.hp = nn.Conv2d(3, c_out, 3, padding=1, bias=False)
    def forward(self, x):
        return self.conv(x) + self.hp(x - F.interpolate(F.avg_pool2d(x, 2), scale_factor=2, mode='nearest'))


def conv_bn_act(c_in, c_out, act, **conv):
    return [nn.Conv2d(c_in, c_out, bias=False, **conv), nn.BatchNorm2d(c_out), act()]


def airbench(widths=(32, 64, 128), stem=24, act=nn.GELU, patch=False, hp=False, full_res=0):
    "Conv, max-pool, BN, act, conv blocks after a stem: 3x3 full-resolution, NPR (`hp`), or 2x2 stride-2 (`patch`)."
    if hp: layers = [HPConv(stem), nn.BatchNorm2d(stem), act()]
    elif patch:
        first = conv_bn_act(3, full_res, act, kernel_size=3, padding=1) if full_res else []
        layers = first + conv_bn_act(full_res or 3, stem, act, kernel_size=2, stride=2)
    else: layers = conv_bn_act(3, stem, act, kernel_size=3, padding=1)
    c = stem
    for w in widths:
        layers += [nn.Conv2d(c, w, 3, padding=1, bias=False), nn.MaxPool2d(2), nn.BatchNorm2d(w), act(),
                   *conv_bn_act(w, w, act, kernel_size=3, padding=1)]
        c = w
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, 1000))


NETS = {'ab32': dict(), 'ab48': dict(widths=(48, 96, 192)), 'hpab32': dict(hp=True),
        'ab32relu': dict(act=nn.ReLU), 'ab64relu': dict(widths=(64, 128, 256), act=nn.ReLU),
        'patch': dict(widths=(64, 128, 256), stem=32, act=nn.ReLU, patch=True),
        'patch96': dict(widths=(96, 192, 384), stem=48, act=nn.ReLU, patch=True),
        'patch_fullres16': dict(widths=(64, 128, 256), stem=32, act=nn.ReLU, patch=True, full_res=16)}
for _name, _kw in NETS.items():
    def _build(pretrained=False, kw=_kw): return airbench(**kw)
    _build.__name__ = _name
    register_arch(_name, _build, None, f'exploration: {_name}')


class EMA(Callback):
    "An exponential moving average of the weights (and batch norm statistics), updated after every optimizer step."
    order = 100
    def __init__(self, decay): self.decay, self.averaged = decay, None
    def after_step(self):  # not before_fit: `learn.validate()` sends before_fit too
        if self.averaged is None:
            self.averaged = copy.deepcopy(self.model)
            for q in self.averaged.parameters(): q.requires_grad_(False)
        with torch.no_grad():
            for e, m in zip(self.averaged.state_dict().values(), self.model.state_dict().values()):
                if e.dtype.is_floating_point: e.lerp_(m, 1 - self.decay)
                else: e.copy_(m)


def splits(folder, cache):
    "{split: (uint8 images, label indices)} of the prepared dataset `folder`, decoded once into `cache`."
    if not cache.exists():
        rows = training_rows(folder)
        torch.save({s: (decode_images(r.path, 32), torch.tensor([LABELS.index(x) for x in r.label]))
                    for s, r in rows.groupby('split')}, cache)
    return torch.load(cache)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('dataset', type=Path, help='a prepared CIFAKE train folder (manifest.csv)')
    p.add_argument('--arch', default='patch', help=f"one of {', '.join(NETS)}, or any registered arch")
    p.add_argument('--epochs', type=int, default=8)
    p.add_argument('--lr', type=float, default=3e-3)
    p.add_argument('--bs', type=int, default=128)
    p.add_argument('--augment', default='shift')
    p.add_argument('--ema', type=float, default=0, help='also score an EMA of the weights with this decay')
    p.add_argument('--seed', type=int, default=42)
    p.add_argument('--out', type=Path, default=Path('/tmp/cifake-nets'), help='cache, checkpoints and results.jsonl')
    a = p.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    data = splits(a.dataset, a.out/'splits.pt')
    loaders = [TensorImageDL(ImageTensors(*data[s], i), bs=a.bs, shuffle=i == 0, drop_last=i == 0, num_workers=0,
                             after_batch=batch_tfms(STATS, augmentations(a.augment) if i == 0 else ()))
               for i, s in enumerate(('train', 'valid'))]
    set_seed(a.seed)
    learn = detector_learner(DataLoaders(*loaders, device='cpu'), a.arch, a.out, pretrained=False, wd=0.05,
                             label_smoothing=0.1, tta=True)
    set_precision(learn, 'bf16')
    if a.ema: learn.add_cb(ema := EMA(a.ema))
    t = time.perf_counter()
    with learn.no_bar(): learn.fit_one_cycle(a.epochs, lr_max=a.lr)
    run = dict(vars(a), dataset=str(a.dataset), out=str(a.out), seconds=round(time.perf_counter() - t, 1),
               valid_accuracy_tta=float(learn.validate()[1]))
    if a.ema:
        learn.remove_cb(ema)
        learn.model.load_state_dict(ema.averaged.state_dict())
        run['ema_valid_accuracy_tta'] = float(learn.validate()[1])
    print(json.dumps(run))
    with open(a.out/'results.jsonl', 'a') as f: f.write(json.dumps(run) + '\n')


if __name__ == '__main__': main()
