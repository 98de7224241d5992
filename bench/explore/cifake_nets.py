"""How bench/cifake.py's fast recipe was chosen, and what was tried after (bench/RESULTS.md sections 15 and 18): one
training of a variant net or setting on the train split of a prepared CIFAKE folder (or a share of it:
`--train-fraction`, for a learning curve), scored on its valid split with test-time views (`VIEWS`: identity, flips,
the 8 symmetries, one-pixel moves); one JSON line per run, and each run's per-view probabilities (`views-*.npy`, to
score ensembles of runs). Also: distillation from saved nets (`--save-model`, then `--teacher ARCH=FILE`), training
on train and valid together (`--refit`), and P(AI) on a test folder (`--test`, `test-*.npy`: once a rule is fixed).

The split is decoded once into a cache beside this script's output; each run calls the library's own pieces
(`ImageTensors`, `TensorImageDL`, `augmentations`, `detector_learner`, `set_precision`, `fit_one_cycle`) with the net
registered by `register_arch`. Not run by CI (minutes a run):

    aigen-detect prepare ../shared/data/cifake/train /tmp/cifake-train --keep --dataset cifake-train
    python bench/explore/cifake_nets.py /tmp/cifake-train --arch patch --epochs 20 --bs 256 --lr 5e-3 --augment flip
"""
import argparse, copy, json, time
from pathlib import Path

import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from safetensors.torch import load_file, save_file
from fastai.vision.all import Callback, DataLoaders, MixUp, TensorImage, Transform, set_seed

from aigen_detect.data import LABELS
from aigen_detect.detect import IMAGENET_RGB, register_arch
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


def dihedral(x, k):
    "The `k`th of the 8 symmetries of a square image batch `x` (0 = identity, 4 = mirrored)."
    return torch.rot90(x.flip(-1) if k >= 4 else x, k % 4, (-2, -1))


class BatchDihedral(Transform):
    "Each training image turned by one of the 8 symmetries of the square, at random."
    split_idx, order = 0, 5
    def encodes(self, x: TensorImage):
        ks, out = torch.randint(0, 8, (len(x),)), x.clone()
        for k in range(8):
            if (m := ks == k).any(): out[m] = dihedral(x[m], k)
        return out


def shifted(x, dx, dy):
    "The batch `x` moved by (`dx`, `dy`) pixels, the edge mirrored into the gap."
    p = max(abs(dx), abs(dy))
    h, w = x.shape[-2:]
    return F.pad(x, (p,) * 4, mode='reflect')[..., p - dy:p - dy + h, p - dx:p - dx + w]


VIEWS = [*(lambda x, k=k: dihedral(x, k) for k in range(8)),  # 0-7: the symmetries (0 itself, 4 mirrored)
         *(lambda x, d=d, m=m: shifted(x.flip(-1) if m else x, *d)  # 8-15: moved a pixel, and mirrored too
           for m in (0, 1) for d in ((1, 0), (-1, 0), (0, 1), (0, -1)))]


class BatchCutout(Transform):
    "Each training image with one random `size` x `size` square set to the mean colour (DeVries & Taylor 2017)."
    split_idx, order = 0, 5
    def __init__(self, size=8): self.size = size
    def encodes(self, x: TensorImage):
        n, _, h, w = x.shape
        y0, x0 = torch.randint(0, h - self.size + 1, (n,)), torch.randint(0, w - self.size + 1, (n,))
        rows, cols = torch.arange(h)[None], torch.arange(w)[None]
        inside = (((rows >= y0[:, None]) & (rows < y0[:, None] + self.size))[:, :, None]
                  & ((cols >= x0[:, None]) & (cols < x0[:, None] + self.size))[:, None, :])
        mean = torch.tensor(IMAGENET_RGB.mean, device=x.device).mul(255).round().to(x.dtype)
        return torch.where(inside[:, None], mean[None, :, None, None], x)


def view_probs(learn, dl=None, views=VIEWS):
    "P(AI) of every image of `dl` (the valid split) under each of `views`, shape (len(views), N), bf16 as in training."
    learn.model.eval()
    out = []
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
        for xb, _ in dl or learn.dls.valid:
            out.append(torch.stack([learn.model(view(xb)).float().softmax(1)[:, 1] for view in views]))
    return torch.cat(out, 1).numpy()


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


class Distill(Callback):
    "Each training loss mixed with a cross-entropy to the `teachers`' averaged P(AI) on the same augmented batch."
    order = 60  # after ChannelsLast and CPUAutocast have set up the batch
    def __init__(self, teachers, weight): self.teachers, self.weight = teachers, weight
    def after_loss(self):
        if not self.training: return
        with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
            target = torch.stack([t(*self.xb).float().softmax(1) for t in self.teachers]).mean(0)
        soft = -(target * self.pred.float().log_softmax(1)).sum(1).mean()
        self.learn.loss_grad = (1 - self.weight) * self.loss_grad + self.weight * soft
        self.learn.loss = self.loss_grad.clone()


def load_teacher(spec, dls, out):
    "The net `arch=weights.safetensors` (saved by `--save-model`), in eval mode, channels-last."
    arch, path = spec.split('=', 1)
    model = detector_learner(dls, arch, out, pretrained=False).model
    model.load_state_dict(load_file(path))
    return model.eval().to(memory_format=torch.channels_last)


def test_probs(learn, folder, cache):
    "P(AI) with test-time flips of each image under `folder` (sorted paths; labels in `cache`), as in `view_probs`."
    if not cache.exists():
        files = sorted(folder.rglob('*.jpg'))
        torch.save((decode_images(files, 32), torch.tensor([int(f.parent.name == 'fake') for f in files])), cache)
    x, y = torch.load(cache)
    dl = TensorImageDL(ImageTensors(x, y, 1), bs=256, num_workers=0, after_batch=batch_tfms(IMAGENET_RGB, ()),
                       device=learn.dls.device)
    return view_probs(learn, dl, [VIEWS[0], VIEWS[4]]).mean(0)  # the image and its mirror


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
    p.add_argument('--augment', default='shift',
                   help="one of train.AUGMENTS, 'dihedral' (the 8 symmetries), 'cutout' (and flips)")
    p.add_argument('--mixup', type=float, default=0, help="fastai's MixUp with this alpha")
    p.add_argument('--ema', type=float, default=0, help='also score an EMA of the weights with this decay')
    p.add_argument('--teacher', action='append', default=[], help='arch=weights.safetensors to distill from (repeat)')
    p.add_argument('--distill-weight', type=float, default=0.5, help="the teachers' share of the training loss")
    p.add_argument('--save-model', action='store_true', help='save the trained weights (model-*.safetensors)')
    p.add_argument('--refit', action='store_true', help='train on the train and valid splits together')
    p.add_argument('--test', type=Path, help="score this folder's images too (fake/ = AI): test-*.npy, once a rule")
    p.add_argument('--seed', type=int, default=42)
    p.add_argument('--train-fraction', type=float, default=1.0, help='train on this random share of the train split')
    p.add_argument('--out', type=Path, default=Path('/tmp/cifake-nets'), help='cache, checkpoints and results.jsonl')
    a = p.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    data = splits(a.dataset, a.out/'splits.pt')
    if a.train_fraction < 1:  # a learning curve: how accuracy grows with the number of training images
        keep = torch.randperm(len(data['train'][1]), generator=torch.Generator().manual_seed(0))
        keep = keep[:int(a.train_fraction * len(keep))]
        data['train'] = data['train'][0][keep], data['train'][1][keep]
    if a.refit: data['train'] = tuple(torch.cat([t, v]) for t, v in zip(data['train'], data['valid']))
    extra = {'dihedral': [BatchDihedral()], 'cutout': [BatchCutout(), *augmentations('flip')]}
    train_tfms = extra[a.augment] if a.augment in extra else augmentations(a.augment)
    loaders = [TensorImageDL(ImageTensors(*data[s], i), bs=a.bs, shuffle=i == 0, drop_last=i == 0, num_workers=0,
                             after_batch=batch_tfms(IMAGENET_RGB, train_tfms if i == 0 else ()))
               for i, s in enumerate(('train', 'valid'))]
    set_seed(a.seed)
    learn = detector_learner(DataLoaders(*loaders, device='cpu'), a.arch, a.out, pretrained=False, wd=0.05,
                             label_smoothing=0.1, tta=True)
    set_precision(learn, 'bf16')
    if a.ema: learn.add_cb(ema := EMA(a.ema))
    if a.mixup: learn.add_cb(MixUp(a.mixup))
    if a.teacher: learn.add_cb(Distill([load_teacher(t, learn.dls, a.out) for t in a.teacher], a.distill_weight))
    t = time.perf_counter()
    with learn.no_bar(): learn.fit_one_cycle(a.epochs, lr_max=a.lr)
    run = dict(vars(a), dataset=str(a.dataset), out=str(a.out), test=a.test and str(a.test),
               seconds=round(time.perf_counter() - t, 1),
               valid_accuracy_tta=float(learn.validate()[1]))
    if a.mixup: learn.remove_cbs(MixUp)
    probs, y = view_probs(learn), data['valid'][1].numpy()
    tag = f'{a.arch}-{a.augment}-{a.epochs}-{a.seed}-{a.train_fraction}-{int(t)}'
    np.save(a.out/f'views-{tag}.npy', probs)
    if a.save_model:
        save_file({k: v.contiguous() for k, v in learn.model.state_dict().items()}, a.out/f'model-{tag}.safetensors')
    if a.test: np.save(a.out/f'test-{tag}.npy', test_probs(learn, a.test, a.out/'test.pt'))
    tta = dict(identity=[0], flips=[0, 4], dihedral8=range(8), shifts10=[0, 4, *range(8, 16)])
    for name, views in tta.items():
        run[f'valid_accuracy_{name}'] = float(((probs[list(views)].mean(0) > 0.5) == y).mean())
    if a.ema:
        learn.remove_cb(ema)
        learn.model.load_state_dict(ema.averaged.state_dict())
        run['ema_valid_accuracy_tta'] = float(learn.validate()[1])
    print(json.dumps(run))
    with open(a.out/'results.jsonl', 'a') as f: f.write(json.dumps(run) + '\n')


if __name__ == '__main__': main()
