"""Prepare speed: images/s of `aigen-detect prepare` (decode, crop, resize 256, JPEG) with 1 worker vs all cores.

Photo-like inputs: 800x600 JPEGs cut and rescaled from scikit-learn's sample photos, colour-jittered so no two
files are alike. Peak memory is the high-water RSS of the preparing processes; it must not grow with the number
of images, so the full run measures it at N and 2N images.

    python bench/prepare.py            # 3,000 images (and 6,000 for the memory check)
    python bench/prepare.py --quick    # 40 images, for CI
"""
import argparse, os, platform, subprocess, sys, tempfile
from pathlib import Path

import numpy as np
from PIL import Image
from sklearn.datasets import load_sample_images


def make_photos(folder, n, size=(800, 600), seed=0):
    "Write `n` distinct photo-like `size` JPEGs into `folder`."
    rng = np.random.default_rng(seed)
    photos = load_sample_images().images
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        a = photos[i % len(photos)]
        h, w = rng.integers(200, a.shape[0]), rng.integers(260, a.shape[1])
        y, x = rng.integers(0, a.shape[0] - h + 1), rng.integers(0, a.shape[1] - w + 1)
        crop = a[y:y + h, x:x + w].astype(np.float32) * rng.uniform(0.8, 1.2, 3)
        Image.fromarray(crop.clip(0, 255).astype(np.uint8)).resize(size, Image.Resampling.BICUBIC).save(
            folder/f'{i:05d}.jpg', quality=int(rng.integers(70, 98)))
    return folder


def run_prepare(raw, out, workers):
    "Time `aigen-detect prepare` in a fresh process; return (seconds, peak RSS MiB of it and its workers)."
    code = ("import resource, sys, time; from aigen_detect.prepare import prepare; t = time.perf_counter(); "
            f"df = prepare({str(raw)!r}, {str(out)!r}, workers={workers}); dt = time.perf_counter() - t; "
            "assert (df.status == 'ok').all(), df[df.status != 'ok'].reason.tolist(); "
            "peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
            "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
            "print(dt, peak / 1024)")
    res = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    if res.returncode: sys.exit(res.stderr[-3000:])
    dt, peak = map(float, res.stdout.split()[-2:])
    return dt, peak


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--quick', action='store_true', help='a few images, for CI')
    p.add_argument('--n', type=int, default=3000, help='images in the speed run')
    a = p.parse_args()
    n = 40 if a.quick else a.n
    cores = os.cpu_count()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        raw = make_photos(tmp/'raw', n)
        rows = []
        for workers in (1, cores):
            dt, peak = run_prepare(raw, tmp/f'out{workers}', workers)
            rows.append((workers, n / dt, peak))
            print(f'{n} images, {workers} worker(s): {n / dt:.1f} images/s, peak RSS {peak:.0f} MiB', flush=True)
        print(f'speed-up with {cores} cores: {rows[1][1] / rows[0][1]:.2f}x (target >= 1.7x with 2 cores)')
        if not a.quick:
            big = make_photos(tmp/'raw2', 2 * n, seed=1)
            _, peak2 = run_prepare(big, tmp/'out_big', cores)
            print(f'peak RSS with {cores} workers: {rows[1][2]:.0f} MiB at {n} images, {peak2:.0f} MiB at '
                  f'{2 * n} images')
    print(f'machine: {platform.processor() or platform.machine()}, {cores} cores, Python {platform.python_version()}')


if __name__ == '__main__': main()
