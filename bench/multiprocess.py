"""Several processes against one: generation and training under `torchrun` (as `accelerate launch` runs them on
several GPUs), here on the CPU with the gloo backend, side by side with one process in the same run.

Generation must give the same files (same sha256, same seeds) with 2 processes as with 1: each image's seed is
its own, whatever process makes it. Training splits each epoch's batches between the processes (`--bs` is per
process): the detector differs from one process's, so the run compares what it was trained on and its time.

    python bench/multiprocess.py            # 24 photos x 2 variations; training 2 x 4 epochs on 400 toy images
    python bench/multiprocess.py --quick    # 6 photos, 1 epoch on 80 toy images, for CI
"""
import argparse, json, os, platform, subprocess, sys, tempfile, time
from pathlib import Path

import pandas as pd


def timed(cmd, env=None):
    "Run `cmd` (one CPU thread per process); return its wall time in seconds, or stop with its output."
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, 'OMP_NUM_THREADS': '1', **(env or {})})
    if p.returncode: sys.exit(f"{' '.join(map(str, cmd))} failed:\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}")
    return time.perf_counter() - t


def launch(processes, script):
    "The command that runs `script` in `processes` processes (torchrun for more than one)."
    if processes == 1: return [sys.executable, str(script)]
    return [sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', str(processes),
            str(script)]


def generated(ds):
    "The generated rows of the dataset `ds`: path relative to it, sha256 and seed, sorted."
    from aigen_detect.data import read_manifest
    m = read_manifest(ds/'manifest.csv')
    ai = m[m.label == 'ai'].assign(path=lambda d: [Path(p).relative_to(ds.resolve()).as_posix() for p in d.path])
    return ai[['path', 'sha256', 'seed']].sort_values('path').reset_index(drop=True)


def generation(work, photos, processes):
    "Seconds to make 2 tiny sd-variations of each of `photos` photos with `processes` processes, and the rows made."
    from aigen_detect.data import sample_photos
    from aigen_detect.prepare import prepare
    ds = work/f'gen{processes}'
    prepare(sample_photos(work/'raw', n=photos), ds, dataset='sample', size=64, workers=1)
    script = ds/'run.py'
    script.write_text("import torch; torch.set_num_threads(1); from aigen_detect.generate import generate; "
                      f"generate({str(ds)!r}, 'sd-variations', model='tiny', n=2, steps=6, batch_size=2, "
                      "progress=False, device='cpu')")
    return timed(launch(processes, script)), generated(ds)


def training(work, images, epochs, processes):
    "Seconds to train resnet8s1 on `images` toy images with `processes` processes, and its config."
    from aigen_detect.prepare import prepare
    from aigen_detect.train import toy_images
    ds, out = work/'toy', work/f'model{processes}'
    if not ds.exists(): prepare(toy_images(work/'toy-raw', n=images // 2), ds, dataset='toy', size=32, workers=1)
    script = work/f'train{processes}.py'
    script.write_text("import torch; torch.set_num_threads(1); from aigen_detect.train import train; "
                      f"train({str(ds)!r}, {str(out)!r}, arch='resnet8s1', pretrained=False, epochs={epochs}, "
                      "lr=1e-2, bs=16, num_workers=0)")
    return timed(launch(processes, script)), json.loads((out/'config.json').read_text())


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--quick', action='store_true', help='tiny sizes, for CI')
    a = p.parse_args()
    photos, images, epochs = (6, 80, 1) if a.quick else (24, 400, 4)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (g1, rows1), (g2, rows2) = generation(work, photos, 1), generation(work, photos, 2)
        pd.testing.assert_frame_equal(rows1, rows2)  # the same images, whichever process made them
        (t1, c1), (t2, c2) = training(work, images, epochs, 1), training(work, images, epochs, 2)
        assert (c1['manifest_sha256'], c1['n_train']) == (c2['manifest_sha256'], c2['n_train'])
    print(f'generation, {len(rows1)} tiny sd-variations images: 1 process {g1:.1f} s, 2 processes {g2:.1f} s '
          f'({g1 / g2:.2f}x); outputs identical (sha256 and seed of every image)')
    acc = lambda c: c['metrics']['valid']['accuracy']
    print(f'training, resnet8s1, {c1["n_train"]} + {c1["n_valid"]} toy images, {epochs} epochs: 1 process {t1:.1f} s '
          f'(valid accuracy {acc(c1):.3f}), 2 processes {t2:.1f} s ({t1 / t2:.2f}x, valid accuracy {acc(c2):.3f}); '
          'same training images')
    print(f'machine: {platform.machine()}, {os.cpu_count()} cores, 1 thread per process, '
          f'Python {platform.python_version()}')


if __name__ == '__main__': main()
