"""Leave generators out (issue 25): train the small NPR CNN of roundtrip_detector.py on taef2 round trips PLUS real
images of some generators, choose on a validation split of those same generators, and score the generators it never
saw. Reads the `resize` layout of bench/explore/roundtrip_prepare.py (every image 256 px JPEG q95, both classes alike).

The split, fixed before any test number was looked at (alphabetical halves of the GANs, no choice by result):
- train (and validation, 20% of each source by file, seeded): taef2 round trips of the ImageNet sample photos (pairs,
  split by photo); SD 1.4 (sd14-portraits' 1,000 and GenImage's 200 fakes; reals: Unsplash portraits and the photos);
  the GANs biggan, crn, cyclegan, deepfake, gaugan (fakes against their own reals).
- test (never trained on, never used to choose): SD 2.1, SDXL, DALL-E 2, GPT-4o, gpt-image-1 (against GenImage's 200
  ImageNet val photos, never trained on) and the GANs imle, san, seeingdark, stargan, stylegan (against their own
  reals).

    python bench/explore/leaveout_detector.py /work/images/prepared /tmp/lo/npr-gens --extra gens --threads 1

Batches: half taef2 pairs (photo and round trip cropped at the same place), half (with `--extra gens`) generator
images: AI crops drawn generator-first (SD 1.4 and each GAN alike), real crops from the training reals.
"""
import json, sys, time
from pathlib import Path

import numpy as np, torch, torch.nn.functional as F
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).parent))
from roundtrip_detector import auc_ci, load_folder, parser, small_cnn, started, to_input  # noqa: E402
from aigen_detect.train import BlurJpeg, TensorImage  # noqa: E402

TRAIN_GANS = ['biggan', 'crn', 'cyclegan', 'deepfake', 'gaugan']
TEST_GANS = ['imle', 'san', 'seeingdark', 'stargan', 'stylegan']
TRAIN_AI = {'sd14': [('sd14-portraits', 'fake', 'sd14'), ('genimage-sd14', 'fake', 'sd14')],
            **{f'gan:{g}': [('gans', 'fake', g)] for g in TRAIN_GANS}}
TRAIN_REAL = {'sd14': [('portraits', 'real', 'unsplash')], **{f'gan:{g}': [('gans', 'real', g)] for g in TRAIN_GANS}}
TEST_REAL = ('genimage-sd14', 'real', 'imagenet')
TEST = {'sd21': (('sd-family', 'fake', 'sd21'), TEST_REAL), 'sdxl': (('sd-family', 'fake', 'sdxl'), TEST_REAL),
        'dalle2': (('sd-family', 'fake', 'dalle2'), TEST_REAL), 'gpt-4o': (('gpt-image', 'fake', 'gpt-4o'), TEST_REAL),
        'gpt-image-1': (('gpt-image', 'fake', 'gpt-image-1'), TEST_REAL),
        **{f'gan:{g}': (('gans', 'fake', g), ('gans', 'real', g)) for g in TEST_GANS}}
FAMILY = {'sd21': 'latent diffusion', 'sdxl': 'latent diffusion', 'dalle2': 'DALL-E 2', 'gpt-4o': 'GPT',
          'gpt-image-1': 'GPT', **{f'gan:{g}': 'GAN' for g in TEST_GANS}}


def split(items, rng, pct=0.2):
    "(train, valid) lists of `items`, `pct` of them to valid."
    items = [items[i] for i in rng.permutation(len(items))]
    n = int(round(len(items) * pct))
    return items[n:], items[:n]


def sources(root, seed):
    "{'pairs': (train, valid), gen: {'ai': (train, valid), 'real': (train, valid)}} of uint8 images."
    rng, base = np.random.default_rng(seed), Path(root)/'resize'
    real, fake = load_folder(base/'photos/real/imagenet'), load_folder(base/'photos/fake/taef2')
    names = sorted(set(real) & set(fake))
    out = {'pairs': tuple([(real[n], fake[n]) for n in part] for part in split(names, rng))}
    for g in TRAIN_AI:
        out[g] = {lab: split([a for k in keys for a in load_folder(base.joinpath(*k)).values()], rng)
                  for lab, keys in (('ai', TRAIN_AI[g]), ('real', TRAIN_REAL[g]))}
    return out


def crop(a, c, rng):
    y, x = rng.integers(0, a.shape[0] - c + 1), rng.integers(0, a.shape[1] - c + 1)
    return y, x


def batch(src, n, c, rng, extra):
    "A uint8 batch (N, 3, c, c) and labels: n/2 (or n with no extra) from the pairs, the rest from the generators."
    ims, ys = [], []
    n_pairs = n // 4 if extra else n // 2
    for i in rng.integers(0, len(src['pairs'][0]), n_pairs):
        r, f = src['pairs'][0][i]
        y, x = crop(r, c, rng)
        ims += [r[y:y + c, x:x + c], f[y:y + c, x:x + c]]
        ys += [0., 1.]
    if extra:
        gens = list(TRAIN_AI)
        for _ in range(n // 4):
            g = src[gens[rng.integers(len(gens))]]
            a = g['ai'][0][rng.integers(len(g['ai'][0]))]
            reals = [src['pairs'][0][rng.integers(len(src['pairs'][0]))][0]] + [g['real'][0][rng.integers(len(
                g['real'][0]))]]  # a real of the same generator's set, or a photo, alike
            r = reals[rng.integers(2)]
            for im, lab in ((a, 1.), (r, 0.)):
                y, x = crop(im, c, rng)
                ims.append(im[y:y + c, x:x + c])
                ys.append(lab)
    return torch.from_numpy(np.stack(ims)).permute(0, 3, 1, 2).contiguous(), torch.tensor(ys)


def fit(net, src, a):
    rng = np.random.default_rng(a.seed)
    aug = BlurJpeg() if a.augment == 'blur-jpeg' else None
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, a.lr, total_steps=a.steps, pct_start=0.2)
    net.train()
    t0 = time.perf_counter()
    for step in range(a.steps):
        x, y = batch(src, a.batch, a.crop, rng, a.extra == 'gens')
        if aug: x = aug.encodes(TensorImage(x)).as_subclass(torch.Tensor)
        loss = F.binary_cross_entropy_with_logits(net(to_input(x.float() / 255, a.input)).squeeze(1), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0 or step == a.steps - 1:
            print(f'  step {step} loss {loss.item():.3f} ({time.perf_counter() - t0:.0f} s)', flush=True)
    return time.perf_counter() - t0


@torch.inference_mode()
def score(net, a, kind, t):
    "Mean logit of the image's t px tiles (the input computed on the whole image)."
    x = to_input(torch.from_numpy(a).permute(2, 0, 1)[None].float() / 255, kind)
    t = min(t, *x.shape[2:])
    tiles = x[0].unfold(1, t, t).unfold(2, t, t).permute(1, 2, 0, 3, 4).reshape(-1, 3, t, t)
    return net(tiles).mean().item()


def auc_row(net, ai, real, a):
    s_ai, s_real = [score(net, x, a.input, a.crop) for x in ai], [score(net, x, a.input, a.crop) for x in real]
    auc, lo, hi = auc_ci(np.r_[np.ones(len(s_ai)), np.zeros(len(s_real))], np.r_[s_ai, s_real])
    return dict(n_ai=len(s_ai), n_real=len(s_real), auc=auc, auc_lo=lo, auc_hi=hi)


def validation(net, src, a):
    "AUC per training generator on its validation images (taef2: held-out pairs; others: their held-out reals)."
    out = {'taef2': auc_row(net, [p[1] for p in src['pairs'][1]], [p[0] for p in src['pairs'][1]], a)}
    for g in TRAIN_AI: out[g] = auc_row(net, src[g]['ai'][1], src[g]['real'][1], a)
    return out


def test(net, root, a):
    cache = {}
    get = lambda k: cache.setdefault(k, list(load_folder(Path(root)/'resize'/k[0]/k[1]/k[2]).values()))
    return {g: auc_row(net, get(ai), get(real), a) | dict(family=FAMILY[g]) for g, (ai, real) in TEST.items()}


def main():
    p = parser(__doc__, [('steps', int, 600), ('batch', int, 64), ('lr', float, 2e-3), ('crop', int, 64),
                         ('seed', int, 0), ('threads', int, 1)])
    p.add_argument('--extra', choices=['none', 'gens'], default='gens', help='add the training generators\' images')
    p.add_argument('--no-test', action='store_true')
    a, out = started(p)
    src = sources(a.root, a.seed)
    net = small_cnn()
    res = dict(vars(a), train_s=fit(net, src, a))
    net.eval()
    save_file(net.state_dict(), out/'model.safetensors')
    res['valid'] = validation(net, src, a)
    res['valid_mean_auc'] = float(np.mean([r['auc'] for r in res['valid'].values()]))
    print(json.dumps(dict(valid_mean_auc=res['valid_mean_auc'], **{k: round(v['auc'], 3)
                                                                   for k, v in res['valid'].items()})), flush=True)
    if not a.no_test:
        res['test'] = test(net, a.root, a)
        res['test_mean_auc'] = float(np.mean([r['auc'] for r in res['test'].values()]))
        fam = {}
        for r in res['test'].values(): fam.setdefault(r['family'], []).append(r['auc'])
        res['test_family_mean_auc'] = float(np.mean([np.mean(v) for v in fam.values()]))
    (out/'results.json').write_text(json.dumps(res, indent=1, default=float))


if __name__ == '__main__': main()
