"""Accuracy on real AI images: a from-scratch detector on CIFAKE (CIFAR-10 photos vs Stable Diffusion 1.4, 32x32).

Two recipes, each one `aigen-detect train` invocation (run here as a subprocess once per seed; the mean of two seeds
is the figure), so users get exactly these detectors:

- `fast` (the default): `patchcnn`, batch 256, lr 5e-3, flips, 16 epochs (bench/RESULTS.md section 15);
- `accurate`: `resnet8s1`, batch 128, lr 3e-3, shift + flips, 36 epochs (sections 1 and 13): a point more accurate
  for about six times the training time.

Every setting of both was chosen on the validation split that `aigen-detect prepare` carves from CIFAKE's train
folder (20%, by group, seeded); the detector is then refit on train and valid images together (`--refit`, the epochs
giving about the optimizer steps of the number chosen on train alone), and the test folder is read once, at the end,
to report.

    python bench/cifake.py                       # the fast recipe, seeds 42 and 1
    python bench/cifake.py --recipe accurate     # the accurate one
    python bench/cifake.py --quick               # 400 training images, 1 epoch, 400 test images, one seed: for CI

The recipe's cost is reported as a ratio, not minutes (CPUs differ by 2-4x): in the same run, a plain fastai
detector is trained on the same training folder with fastai's defaults (`ImageDataLoaders.from_folder`, 20%
validation, `Resize(32)`, `vision_learner(dls, resnet18, pretrained=False)`, `fit_one_cycle(3)`), and each training
of the recipe (the whole `aigen-detect train` call) is printed as a multiple of its time.

CIFAKE is read from ../shared/data/cifake beside the checkout when it is there, else from $AIGEN_DETECT_CIFAKE or
data/raw/cifake, else downloaded there with kagglehub (Kaggle credentials needed), never copied into the project.
"""
import argparse, json, os, platform, random, shutil, subprocess, tempfile, time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent/'shared'/'data'/'cifake'  # this project's shared copy, read in place
_COMMON = ['--no-pretrained', '--schedule', 'one-cycle', '--wd', '0.05', '--label-smoothing', '0.1',
           '--precision', 'auto', '--tta', '--refit']
RECIPES = {  # each chosen on the validation split (bench/RESULTS.md sections 1 and 15)
    'fast': ['--arch', 'patchcnn', '--epochs', '16', '--lr', '5e-3', '--bs', '256', '--augment', 'flip', *_COMMON],
    'accurate': ['--arch', 'resnet8s1', '--epochs', '36', '--lr', '3e-3', '--bs', '128', '--augment', 'shift',
                 *_COMMON]}


def subset(src, dst, n, seed=0):
    "A labelled folder `dst` of copies of `n` random files of src/real and src/fake: prepare reads no links out."
    rng = random.Random(seed)
    for label in ('real', 'fake'):
        (dst/label).mkdir(parents=True)
        for f in rng.sample(sorted((src/label).iterdir()), n // 2): shutil.copyfile(f, dst/label/f.name)
    return dst


def cifake_folder(quick=False):
    "CIFAKE: the shared copy, else `aigen_detect.sources.cifake` (its env variable, data/raw/cifake, or a download)."
    from aigen_detect.sources import cifake
    try: return cifake(ROOT/'data'/'raw', path=SHARED if SHARED.exists() else None)
    except (OSError, RuntimeError) as e:
        if quick: return print(f'quick check skipped: no CIFAKE here and none could be fetched ({e})')
        raise SystemExit(f'bench/cifake.py: error: {e}')


def plain_fastai(folder, epochs=3):
    "(seconds, validation accuracy) of fastai's defaults on the labelled `folder`: resnet18 from scratch, 32 px."
    from fastai.vision.all import ImageDataLoaders, Resize, accuracy, resnet18, vision_learner
    t = time.perf_counter()
    dls = ImageDataLoaders.from_folder(folder, valid_pct=0.2, seed=42, item_tfms=Resize(32))
    learn = vision_learner(dls, resnet18, pretrained=False, metrics=accuracy)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(epochs)
    return time.perf_counter() - t, float(learn.validate()[1])


def run(cmd):
    "Run an `aigen-detect` command, echoing it; return its wall time in seconds."
    print('$', ' '.join(map(str, cmd)), flush=True)
    t = time.perf_counter()
    subprocess.run(list(map(str, cmd)), check=True)
    return time.perf_counter() - t


def score(model, test_dir, trained):
    "Test metrics of the detector in `model` (all, and without the test images that duplicate a training image)."
    from aigen_detect.files import file_sha256
    from aigen_detect.detect import classification_metrics, load_detector
    from aigen_detect.results import duplicates
    t = time.perf_counter()
    preds = load_detector(model).predict(test_dir)
    predict_s = time.perf_counter() - t
    assert (preds.error == '').all(), preds[preds.error != ''].head()
    preds['y'] = [int(Path(p).parent.name == 'fake') for p in preds.path]
    preds['cifar_class'] = [int(Path(p).stem.split('_')[1]) for p in preds.path]
    dup = duplicates(preds.assign(sha256=[file_sha256(p) for p in preds.path]), trained[trained.status == 'ok'])
    return preds, dup, predict_s, classification_metrics(preds.y, preds.p_ai), \
        classification_metrics(preds.y[~dup], preds.p_ai[~dup])


def report(seed, seconds, plain_s, model, preds, dup, predict_s, m, unique):
    "Print one seed's detector: test metrics with CIs, its training time against fastai's defaults, per-class accuracy."
    config = json.loads((model/'config.json').read_text())
    history = pd.read_csv(model/'history.csv')
    shown = ('accuracy', 'precision', 'recall', 'f1', 'roc_auc')
    right = (preds.p_ai > 0.5).astype(int) == preds.y
    lo, hi = accuracy_ci(int(right.sum()), len(preds))
    print(f"\nseed {seed}: CIFAKE test ({len(preds)} images, AI positive): "
          + ', '.join(f'{k} {100 * v:.2f}%' for k, v in m.items() if k in shown)
          + f' (accuracy 95% CI {100 * lo:.2f}-{100 * hi:.2f}%)')
    print(f'  without the {dup.sum()} test images that duplicate a training image (same bytes or pHash within 4 bits): '
          f"accuracy {100 * unique['accuracy']:.2f}% on {unique['n']} images")
    if valid := config['metrics']['valid']:
        print(f"  validation accuracy {100 * valid['accuracy']:.2f}% ({config['n_valid']} images)")
    print(f"  training: {seconds / 60:.1f} min for the whole `aigen-detect train` call ({len(history)} epochs; "
          f"train + valid rows {config['n_train']} + {config['n_valid']}; precision {config['training']['precision']}: "
          f"{config['training']['precision_why']}): {seconds / plain_s:.2f}x fastai's defaults")
    print(f'  prediction: {len(preds) / predict_s:.0f} images/s end to end (load_detector().predict(folder))')
    per_class = right.groupby(preds.cifar_class).mean()
    print('  accuracy per CIFAR-10 class (K in the file names): '
          + ', '.join(f'{k}: {100 * v:.1f}%' for k, v in per_class.items()))


def accuracy_ci(right, n):
    "Wilson 95% interval of the accuracy of `right` correct answers out of `n`."
    from scipy.stats import binomtest
    ci = binomtest(right, n).proportion_ci(0.95, method='wilson')
    return ci.low, ci.high


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--quick', action='store_true', help='tiny subset, 1 epoch and the first seed only, for CI')
    p.add_argument('--recipe', choices=RECIPES, default='fast',
                   help='fast: patchcnn, about fastai\'s time; accurate: resnet8s1, 6x longer, a point better')
    p.add_argument('--seeds', type=int, nargs='+', default=[42, 1], help='train the recipe once per seed (42 1)')
    p.add_argument('--keep', help='keep the prepared data and the models in this folder')
    a = p.parse_args()
    if not (data := cifake_folder(a.quick)): return
    from aigen_detect.data import read_manifest

    scratch = None if a.keep else tempfile.TemporaryDirectory()
    work = Path(a.keep or scratch.name)
    train_dir, test_dir = data/'train', data/'test'
    recipe, seeds = RECIPES[a.recipe], list(dict.fromkeys(a.seeds))  # each seed once
    if a.quick:
        train_dir, test_dir = subset(data/'train', work/'raw-train', 400), subset(data/'test', work/'raw-test', 400)
        recipe = [*recipe[:recipe.index('--epochs')], '--epochs', '1', *recipe[recipe.index('--epochs') + 2:]]
        seeds = seeds[:1]
    run(['aigen-detect', 'prepare', train_dir, work/'cifake-train', '--keep', '--dataset', 'cifake-train'])
    trained = read_manifest(work/'cifake-train'/'manifest.csv')
    plain_s, plain_acc = plain_fastai(train_dir, epochs=1 if a.quick else 3)
    print(f"fastai's defaults on the same training folder (resnet18 from scratch, 32 px, fit_one_cycle"
          f"({1 if a.quick else 3})): {plain_s / 60:.1f} min, validation accuracy {100 * plain_acc:.2f}%", flush=True)
    accs, ratios = [], []
    for seed in seeds:
        model = work/f'model-seed{seed}'
        seconds = run(['aigen-detect', 'train', work/'cifake-train', *recipe, '--seed', seed, '--out', model])
        preds, dup, predict_s, m, unique = score(model, test_dir, trained)
        report(seed, seconds, plain_s, model, preds, dup, predict_s, m, unique)
        accs.append(m['accuracy'])
        ratios.append(seconds / plain_s)
    print(f"\nmean over seeds {' '.join(map(str, seeds))}: test accuracy {100 * sum(accs) / len(accs):.2f}% "
          f"({', '.join(f'{100 * x:.2f}%' for x in accs)}); "
          f"training {sum(ratios) / len(ratios):.2f}x fastai's defaults "
          f"({', '.join(f'{x:.2f}x' for x in ratios)})")
    threads = __import__('torch').get_num_threads()
    print(f'machine: {platform.machine()}, {os.cpu_count()} cores, torch threads {threads}, '
          f'Python {platform.python_version()}')


if __name__ == '__main__': main()
