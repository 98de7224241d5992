"""Prediction speed against its limit, in one process, on the same images and batch size:

(a) `load_detector(...).predict(folder)`: decode, preprocess and score, end to end;
(b) the bare model forward on pre-decoded, pre-normalised tensors (the limit);
(c) a loop of fastai's `learn.predict` (what users write by default).

For the CIFAKE detectors (patchcnn, the recipe's, and resnet8s1, the earlier one: 32 px, on CIFAKE's test images) and
resnet34 at 224 px (on 256 px JPEGs made from scikit-learn's sample photos), random weights (speed does not depend on
them). Target: (a)/(b) >= 0.9 at 32 px (issue 13), >= 0.8 at 224 px. (a) and (b) run in turn, five rounds, and the
ratio is the median of the rounds' ratios: this VM's speed drifts by a third within a minute.
The peak memory of (a) must not grow with the number of images: measured in fresh processes at 2k and 20k images.

    python bench/predict.py            # needs ../shared/data/cifake for the CIFAKE rows
    python bench/predict.py --quick    # a few images, for CI
"""
import argparse, os, platform, subprocess, sys, tempfile, time
from pathlib import Path

import pandas as pd, torch

CIFAKE = Path(__file__).resolve().parents[2]/'shared'/'data'/'cifake'


def make_detector(arch, size, folder):
    "A detector folder with random weights: `arch` at `size` px."
    from aigen_detect.detect import build_model, export_detector
    from aigen_detect.train import detector_config
    rows = pd.DataFrame(dict(sha256=['x'], path=['x'], label=['ai'], split=['train'], dataset=['bench'],
                             generator=['random']))
    return export_detector(build_model(arch), detector_config(arch, size, rows, {}, {}), folder)


def photo_folder(folder, n, size=256):
    "`n` prepared-like photos: `size` px crops of scikit-learn's sample images, JPEG 95."
    from aigen_detect.data import sample_photos, save_jpeg, square
    from PIL import Image
    raw = sample_photos(Path(folder)/'raw', n=n, size=(300, 300))
    for i, p in enumerate(sorted(raw.rglob('*.jpg'))):
        save_jpeg(square(Image.open(p), size), Path(folder)/'photos'/f'{i:05d}.jpg')
    return Path(folder)/'photos'


def rate(fn, n, repeat=2):
    "Images per second of `fn()` on `n` images: the best of `repeat` runs after a warm-up."
    fn()
    best = min(_timed(fn) for _ in range(repeat))
    return n / best


def paired(fn_a, fn_b, n, rounds=5):
    "(images/s of `fn_a`, of `fn_b`, median ratio a/b of the rounds): run in turn each round, after a warm-up."
    # in turn, not one after the other: this VM's speed drifts by a third within a minute, which a ratio of two
    # measurements made a minute apart would read as a difference between them
    fn_a(), fn_b()
    times = [(_timed(fn_a), _timed(fn_b)) for _ in range(rounds)]
    ratios = sorted(tb / ta for ta, tb in times)
    return n / min(t for t, _ in times), n / min(t for _, t in times), ratios[len(ratios) // 2]


def _timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def measure(name, model_dir, folder, n_loop, bs=64, quick=False):
    "(a), (b) and (c) for one detector on the images of `folder`."
    from fastai.learner import Learner
    from fastai.losses import CrossEntropyLossFlat
    from aigen_detect.detect import image_tensor, load_detector
    from aigen_detect.train import detector_dataloaders
    det = load_detector(model_dir)
    files = sorted(str(p) for p in Path(folder).rglob('*.jpg'))
    x = torch.stack([image_tensor(f, det.size, det.spec.resize) for f in files])
    batches = [det.normalize(x[i:i + bs]) for i in range(0, len(x), bs)]
    def bare():
        with torch.inference_mode():
            for b in batches: det.model(b).softmax(1)
    a, b, ratio = paired(lambda: det.predict(folder, bs=bs), bare, len(files), rounds=2 if quick else 5)
    rows = pd.DataFrame(dict(path=files[:4], label=['real', 'ai'] * 2, split=['train', 'train', 'valid', 'valid'],
                             width=det.size, height=det.size, dataset='bench', status='ok'))
    learn = Learner(detector_dataloaders(rows, det.size, bs=2, augment='paper', in_memory=False, num_workers=0),
                    det.model, loss_func=CrossEntropyLossFlat())
    def loop():
        with learn.no_bar(), learn.no_logging():
            for f in files[:n_loop]: learn.predict(f)
    c = rate(loop, min(n_loop, len(files)), repeat=1)
    print(f'{name}: (a) predict(folder) {a:.0f} img/s, (b) bare forward {b:.0f} img/s, '
          f'(c) learn.predict loop {c:.0f} img/s; (a)/(b) = {ratio:.2f} (median of rounds run in turn; target >= 0.9 '
          f'at 32 px, 0.8 at 224), '
          f'(a)/(c) = {a / c:.1f}x  '
          f'[{len(files)} images, bs {bs}]', flush=True)
    return ratio


def peak_memory(model_dir, folder, n):
    "Peak RSS (MiB) of a fresh process that predicts the first `n` images of `folder`."
    code = ("import resource, sys; from pathlib import Path; from aigen_detect.detect import load_detector; "
            f"files = sorted(str(p) for p in Path({str(folder)!r}).rglob('*.jpg'))[:{n}]; "
            f"df = load_detector({str(model_dir)!r}).predict(files); assert len(df) == {n}; "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    res = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    if res.returncode: sys.exit(res.stderr[-3000:])
    return float(res.stdout.split()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--quick', action='store_true', help='a few images, for CI')
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if CIFAKE.exists():
            folder = CIFAKE/'test'
            if a.quick:
                folder = tmp/'cifake'
                folder.mkdir()
                for f in sorted((CIFAKE/'test'/'real').iterdir())[:128]: (folder/f.name).symlink_to(f)
            for arch in ('patchcnn', 'resnet8s1'):  # the CIFAKE recipe's net, and the earlier recipe's
                measure(f'CIFAKE {arch} 32 px', make_detector(arch, 32, tmp/arch), folder, 64 if a.quick else 500,
                        quick=a.quick)
            if not a.quick:
                m2, m20 = peak_memory(tmp/'patchcnn', CIFAKE, 2000), peak_memory(tmp/'patchcnn', CIFAKE, 20000)
                print(f'peak RSS of predict: {m2:.0f} MiB at 2,000 images, {m20:.0f} MiB at 20,000 images')
        else: print(f'skip the CIFAKE rows: no CIFAKE at {CIFAKE}')
        photos = photo_folder(tmp/'photos', 64 if a.quick else 512)
        measure('resnet34 224 px', make_detector('resnet34', 224, tmp/'m224'), photos, 16 if a.quick else 64,
                quick=a.quick)
    print(f'machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, '
          f'{torch.get_num_threads()} threads, Python {platform.python_version()}')


if __name__ == '__main__': main()
