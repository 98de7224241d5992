"""A small CNN that tells real photos from their taef2 round trips (issue 24's cpu mode), and how it transfers to
generators it never saw (issue 25). Reads the folders that bench/explore/roundtrip_prepare.py writes (every image
256 px, JPEG q95, both classes alike). One run on 2 CPU threads: train on the pairs of 800 photos (split by photo,
seeded), score the 200 held-out pairs, then every transfer set, in both layouts (resized to 256 px; native-resolution
centre crop). Prints JSON lines and writes OUT/model.safetensors, OUT/results.json and OUT/scores.csv.

    python bench/explore/roundtrip_detector.py /work/images/prepared /tmp/rt/npr --input npr
    python bench/explore/roundtrip_detector.py /work/images/prepared /tmp/rt/rgb --input rgb
    python bench/explore/roundtrip_detector.py /work/images/prepared /tmp/rt/npr-aug --input npr --augment blur-jpeg

Input `npr`: the upsampling residual x - nearest_up(avgpool2(x)) (NPR, Tan et al. CVPR 2024), computed on the whole
image so its 2x2 grid is the image's; `rgb`: the normalised image. Training: random 64 px crops, each photo's crop and
its round trip's crop at the same place in a batch. Scoring: the mean logit of the 64 px tiles of an image.
"""
import argparse, csv, io, json, time
from pathlib import Path

import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from PIL import Image, ImageFilter
from safetensors.torch import save_file
from sklearn.metrics import roc_auc_score

CROP = 64
REAL_REFERENCE = ('genimage-sd14', 'real', 'imagenet')  # the real photos beside AI-only sets (ImageNet val, 200)
TRANSFER = {  # name: (AI images, real images), each (set, label, generator); generator None = every one of the set
    'sd14 (GenImage)': (('genimage-sd14', 'fake', 'sd14'), REAL_REFERENCE),
    'sd14 portraits': (('sd14-portraits', 'fake', 'sd14'), ('portraits', 'real', 'unsplash')),
    'sd21': (('sd-family', 'fake', 'sd21'), REAL_REFERENCE),
    'sdxl': (('sd-family', 'fake', 'sdxl'), REAL_REFERENCE),
    'dalle2': (('sd-family', 'fake', 'dalle2'), REAL_REFERENCE),
    'gpt-4o': (('gpt-image', 'fake', 'gpt-4o'), REAL_REFERENCE),
    'gpt-image-1': (('gpt-image', 'fake', 'gpt-image-1'), REAL_REFERENCE),
    **{f'gan:{g}': (('gans', 'fake', g), ('gans', 'real', g)) for g in
       ['biggan', 'crn', 'cyclegan', 'deepfake', 'gaugan', 'imle', 'san', 'seeingdark', 'stargan', 'stylegan']},
}


def npr(x):
    "The upsampling residual of a batch (N, 3, H, W) with even H, W."
    return x - F.interpolate(F.avg_pool2d(x, 2), scale_factor=2, mode='nearest')


def to_input(x, kind):
    "The net's input from images in [0, 1]: the NPR residual (x16, to keep it near unit scale) or normalised RGB."
    return npr(x) * 16 if kind == 'npr' else (x - 0.5) / 0.25


def conv_bn_relu(c_in, c_out, stride=1):
    return [nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]


def small_cnn(width=32):
    "5 conv layers (the first at full resolution, three stride 2), global average pool, one logit."
    w = width
    return nn.Sequential(*conv_bn_relu(3, w), *conv_bn_relu(w, 2 * w, 2), *conv_bn_relu(2 * w, 4 * w, 2),
                         *conv_bn_relu(4 * w, 4 * w, 2), *conv_bn_relu(4 * w, 4 * w),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4 * w, 1))


def load_folder(folder):
    "{stem: uint8 HxWx3} of the .jpg files in `folder` (H, W cut to even)."
    out = {}
    for f in sorted(Path(folder).glob('*.jpg')):
        a = np.asarray(Image.open(f).convert('RGB'))
        out[f.stem] = a[:a.shape[0] // 2 * 2, :a.shape[1] // 2 * 2]
    return out


def jpeg(im, quality):
    "`im` saved as JPEG at `quality` and decoded again."
    buf = io.BytesIO()
    im.save(buf, 'JPEG', quality=quality)
    return Image.open(buf).convert('RGB')


def augment(a, rng):
    "Wang et al. 2020's blur+JPEG, on a uint8 crop: each with p=0.5, blur sigma U(0, 2), JPEG quality U(60, 100)."
    im = Image.fromarray(a)
    if rng.random() < 0.5: im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0, 2)))
    if rng.random() < 0.5: im = jpeg(im, int(rng.integers(60, 101)))
    return np.asarray(im)


def crops(pairs, n, rng, aug):
    "A batch of 64 px crops: n/2 photos and their round trips at the same places; labels 0 real, 1 AI."
    real, fake = [], []
    for i in rng.integers(0, len(pairs), n // 2):
        r, f = pairs[i]
        y, x = rng.integers(0, r.shape[0] - CROP + 1), rng.integers(0, r.shape[1] - CROP + 1)
        real.append(r[y:y + CROP, x:x + CROP])
        fake.append(f[y:y + CROP, x:x + CROP])
    ims = real + fake
    if aug: ims = [augment(a, rng) for a in ims]
    x = torch.from_numpy(np.stack(ims)).permute(0, 3, 1, 2).float() / 255
    return x, torch.tensor([0.] * len(real) + [1.] * len(fake))


def train(net, pairs, kind, steps, batch, lr, aug, seed):
    "AdamW with a one-cycle schedule; returns seconds taken."
    rng = np.random.default_rng(seed)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=steps, pct_start=0.2)
    net.train()
    t0 = time.perf_counter()
    for step in range(steps):
        x, y = crops(pairs, batch, rng, aug)
        loss = F.binary_cross_entropy_with_logits(net(to_input(x, kind)).squeeze(1), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 200 == 0 or step == steps - 1:
            print(f'  step {step} loss {loss.item():.3f} ({time.perf_counter() - t0:.0f} s)', flush=True)
    return time.perf_counter() - t0


@torch.inference_mode()
def score(net, a, kind):
    "P(AI) logit of one uint8 image: the mean logit of its 64 px tiles (the input computed on the whole image)."
    x = to_input(torch.from_numpy(a).permute(2, 0, 1)[None].float() / 255, kind)
    t = min(CROP, *x.shape[2:])  # images smaller than a crop: one tile as large as they allow (even sides)
    tiles = x[0].unfold(1, t, t).unfold(2, t, t).permute(1, 2, 0, 3, 4).reshape(-1, 3, t, t)
    return net(tiles).mean().item()


def auc_ci(y, s, reps=1000, seed=0):
    "ROC AUC and a 95% bootstrap interval (resampling each class)."
    y, s = np.asarray(y), np.asarray(s)
    pos, neg = s[y == 1], s[y == 0]
    rng = np.random.default_rng(seed)
    boot = [roc_auc_score(np.r_[np.ones(len(pos)), np.zeros(len(neg))],
                          np.r_[rng.choice(pos, len(pos)), rng.choice(neg, len(neg))]) for _ in range(reps)]
    return roc_auc_score(y, s), np.percentile(boot, 2.5), np.percentile(boot, 97.5)


def degrade(a, how):
    "Held-out robustness: JPEG q75 again, or Gaussian blur sigma 1."
    im = Image.fromarray(a)
    if how == 'jpeg75': return np.asarray(jpeg(im, 75))
    return np.asarray(im.filter(ImageFilter.GaussianBlur(1)))


def evaluate_heldout(net, pairs, kind):
    "Accuracy (logit > 0), pair accuracy (AI scored above its photo), AUC with interval; also after degradations."
    out = {}
    for how in ['as prepared', 'jpeg75', 'blur1']:
        prep = (lambda a: a) if how == 'as prepared' else (lambda a: degrade(a, how))
        r = np.array([score(net, prep(p[0]), kind) for p in pairs])
        f = np.array([score(net, prep(p[1]), kind) for p in pairs])
        auc, lo, hi = auc_ci(np.r_[np.zeros(len(r)), np.ones(len(f))], np.r_[r, f])
        out[how] = dict(acc=float(((r < 0).sum() + (f > 0).sum()) / (2 * len(r))), pair_acc=float((f > r).mean()),
                        auc=auc, auc_lo=lo, auc_hi=hi)
    return out


def evaluate_transfer(net, root, kind, layout, score_rows):
    "ROC AUC (95% interval), recall of AI and false-positive rate of reals at logit 0, per transfer set."
    cache, out = {}, {}
    get = lambda k: cache.setdefault(k, load_folder(Path(root)/layout/k[0]/k[1]/k[2]))
    for name, (ai, real) in TRANSFER.items():
        s_ai = [score(net, a, kind) for a in get(ai).values()]
        s_real = [score(net, a, kind) for a in get(real).values()]
        score_rows += [(layout, name, 'ai', k, v) for k, v in zip(get(ai), s_ai)]
        score_rows += [(layout, name, 'real', k, v) for k, v in zip(get(real), s_real)]
        auc, lo, hi = auc_ci(np.r_[np.ones(len(s_ai)), np.zeros(len(s_real))], np.r_[s_ai, s_real])
        out[name] = dict(n_ai=len(s_ai), n_real=len(s_real), auc=auc, auc_lo=lo, auc_hi=hi,
                         recall=float(np.mean(np.array(s_ai) > 0)), fpr=float(np.mean(np.array(s_real) > 0)))
    return out


def parser(doc, numbers):
    "The options these explore scripts share (ROOT, OUT, --input, --augment), then `numbers`: (name, type, default)."
    p = argparse.ArgumentParser(description=doc.split('\n')[0])
    p.add_argument('root', help='OUT of roundtrip_prepare.py')
    p.add_argument('out')
    p.add_argument('--input', choices=['npr', 'rgb'], default='npr')
    p.add_argument('--augment', choices=['none', 'blur-jpeg'], default='none')
    for name, kind, default in numbers: p.add_argument(f'--{name}', type=kind, default=default)
    return p


def started(p):
    "Parse `p`'s arguments, set torch's threads and seed, make OUT: `(args, OUT)`."
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    (out := Path(a.out)).mkdir(parents=True, exist_ok=True)
    return a, out


def main():
    p = parser(__doc__, [('steps', int, 1200), ('batch', int, 64), ('lr', float, 2e-3), ('width', int, 32),
                         ('n-train', int, 800), ('seed', int, 0)])
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--no-transfer', action='store_true')
    a, out = started(p)
    real = load_folder(Path(a.root)/'resize/photos/real/imagenet')
    fake = load_folder(Path(a.root)/'resize/photos/fake/taef2')
    names = sorted(set(real) & set(fake))
    order = np.random.default_rng(a.seed).permutation(names)
    split = {'train': sorted(order[:a.n_train]), 'heldout': sorted(order[a.n_train:])}
    pairs = {k: [(real[n], fake[n]) for n in v] for k, v in split.items()}
    net = small_cnn(a.width)
    res = dict(vars(a), params=sum(p.numel() for p in net.parameters()), n_pairs={k: len(v) for k, v in pairs.items()})
    res['train_s'] = train(net, pairs['train'], a.input, a.steps, a.batch, a.lr, a.augment != 'none', a.seed)
    net.eval()
    save_file(net.state_dict(), out/'model.safetensors')
    im = pairs['heldout'][0][0]
    t0 = time.perf_counter()
    for _ in range(20): score(net, im, a.input)
    res['predict_s_per_256px_image'] = (time.perf_counter() - t0) / 20
    res['heldout'] = evaluate_heldout(net, pairs['heldout'], a.input)
    print(json.dumps({k: res[k] for k in ['input', 'augment', 'train_s', 'predict_s_per_256px_image', 'heldout']}),
          flush=True)
    score_rows = []
    if not a.no_transfer:
        for layout in ['resize', 'native']:
            res[f'transfer_{layout}'] = t = evaluate_transfer(net, a.root, a.input, layout, score_rows)
            for name, r in t.items(): print(json.dumps(dict(layout=layout, set=name, **r)), flush=True)
    (out/'results.json').write_text(json.dumps(res, indent=1, default=float))
    with open(out/'scores.csv', 'w', newline='') as f:
        csv.writer(f).writerows([('layout', 'set', 'label', 'name', 'logit'), *score_rows])


if __name__ == '__main__': main()
