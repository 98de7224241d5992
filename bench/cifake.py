"""Accuracy on real AI images: a from-scratch detector on CIFAKE (CIFAR-10 photos vs Stable Diffusion 1.4, 32x32).

Every setting was chosen on the validation split that `aigen-detect prepare` carves from CIFAKE's train folder
(20%, by group, seeded); the final detector is then refit on train and valid images together (`--refit`, 36 epochs:
about the optimizer steps of the chosen 44 on train alone, 28,116 vs 27,500), and the test folder is read once, at
the end, to report. The recipe is one `aigen-detect train` invocation, run here as a subprocess, so users get
exactly this detector:

    python bench/cifake.py            # the full recipe
    python bench/cifake.py --quick    # 400 training images, 1 epoch, 400 test images: the same code path, for CI

The recipe's cost is reported as a ratio, not minutes (CPUs differ by 2-4x): in the same run, a plain fastai
detector is trained on the same training folder with fastai's defaults (`ImageDataLoaders.from_folder`, 20%
validation, `Resize(32)`, `vision_learner(dls, resnet18, pretrained=False)`, `fit_one_cycle(3)`), and the recipe's
training time is printed as a multiple of its time.

CIFAKE is read from ../shared/data/cifake beside the checkout when it is there, else from $AIGEN_DETECT_CIFAKE or
data/raw/cifake, else downloaded there with kagglehub (Kaggle credentials needed), never copied into the project.
"""
import argparse, json, os, platform, random, shutil, subprocess, tempfile, time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent/'shared'/'data'/'cifake'  # this project's shared copy, read in place
RECIPE = ['--arch', 'resnet8s1', '--no-pretrained', '--schedule', 'one-cycle', '--epochs', '36', '--lr', '3e-3',
          '--bs', '128', '--wd', '0.05', '--label-smoothing', '0.1', '--augment', 'shift', '--precision',
          'auto', '--tta', '--refit']


def subset(src, dst, n, seed=0):
    "A labelled folder `dst` of copies of `n` random files of src/real and src/fake: prepare reads no links out."
    rng = random.Random(seed)
    for label in ('real', 'fake'):
        (dst/label).mkdir(parents=True)
        for f in rng.sample(sorted((src/label).iterdir()), n // 2): shutil.copyfile(f, dst/label/f.name)
    return dst


def cifake_folder(quick=False):
    "CIFAKE: the shared copy, else `aigen_detect.data.cifake` (its env variable, data/raw/cifake, or a download)."
    from aigen_detect.data import cifake
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


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--quick', action='store_true', help='tiny subset and 1 epoch, for CI')
    p.add_argument('--keep', help='keep the prepared data and the model in this folder')
    a = p.parse_args()
    if not (data := cifake_folder(a.quick)): return
    from aigen_detect.data import file_sha256, read_manifest
    from aigen_detect.detect import classification_metrics, load_detector
    from aigen_detect.results import duplicates

    scratch = None if a.keep else tempfile.TemporaryDirectory()
    work = Path(a.keep or scratch.name)
    train_dir, test_dir = data/'train', data/'test'
    recipe = RECIPE
    if a.quick:
        train_dir, test_dir = subset(data/'train', work/'raw-train', 400), subset(data/'test', work/'raw-test', 400)
        recipe = [*RECIPE[:RECIPE.index('--epochs')], '--epochs', '1', *RECIPE[RECIPE.index('--epochs') + 2:]]
    run(['aigen-detect', 'prepare', train_dir, work/'cifake-train', '--keep', '--dataset', 'cifake-train'])
    seconds = run(['aigen-detect', 'train', work/'cifake-train', *recipe, '--out', work/'model'])
    plain_s, plain_acc = plain_fastai(train_dir, epochs=1 if a.quick else 3)

    det = load_detector(work/'model')
    t = time.perf_counter()
    preds = det.predict(test_dir)
    predict_s = time.perf_counter() - t
    preds['y'] = [int(Path(p).parent.name == 'fake') for p in preds.path]
    preds['cifar_class'] = [int(Path(p).stem.split('_')[1]) for p in preds.path]
    assert (preds.error == '').all(), preds[preds.error != ''].head()
    m = classification_metrics(preds.y, preds.p_ai)
    config = json.loads((work/'model'/'config.json').read_text())
    history = pd.read_csv(work/'model'/'history.csv')
    trained = read_manifest(work/'cifake-train'/'manifest.csv')
    dup = duplicates(preds.assign(sha256=[file_sha256(p) for p in preds.path]), trained[trained.status == 'ok'])
    unique = classification_metrics(preds.y[~dup], preds.p_ai[~dup])
    print(f"\nCIFAKE test ({len(preds)} images, AI positive), after {'1 quick epoch' if a.quick else 'the recipe'}:")
    shown = ('accuracy', 'precision', 'recall', 'f1', 'roc_auc')
    print('  ' + ', '.join(f'{k} {100 * v:.2f}%' for k, v in m.items() if k in shown))
    print(f'  without the {dup.sum()} test images that duplicate a training image (same bytes or pHash within 4 bits): '
          f"accuracy {100 * unique['accuracy']:.2f}% on {unique['n']} images")
    if valid := config['metrics']['valid']:
        print(f"  validation accuracy {100 * valid['accuracy']:.2f}% ({config['n_valid']} images)")
    else: print(f"  no validation accuracy: refit on the {config['n_valid']} validation images too")
    print(f'  training: {seconds / 60:.1f} min for the whole `aigen-detect train` call '
          f"({len(history)} epochs; train + valid rows {config['n_train']} + {config['n_valid']})")
    print(f'  the same training folder with fastai\'s defaults (resnet18 from scratch, 32 px, fit_one_cycle): '
          f'{plain_s / 60:.1f} min, validation accuracy {100 * plain_acc:.2f}%; the recipe took '
          f'{seconds / plain_s:.2f}x its time')
    print(f'  prediction: {len(preds) / predict_s:.0f} images/s end to end (load_detector().predict(folder))')
    per_class = preds.assign(right=(preds.p_ai > 0.5).astype(int) == preds.y).groupby('cifar_class').right.mean()
    print('  accuracy per CIFAR-10 class (K in the file names): '
          + ', '.join(f'{k}: {100 * v:.1f}%' for k, v in per_class.items()))
    threads = __import__('torch').get_num_threads()
    print(f'machine: {platform.machine()}, {os.cpu_count()} cores, torch threads {threads}, '
          f'Python {platform.python_version()}')


if __name__ == '__main__': main()
