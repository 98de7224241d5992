"""The taef2 round trip (aigen_detect.roundtrip): how close it gives a photo back, and its time a photo.

    python bench/roundtrip.py --taef2 ../shared/data/taef2 [--photos DIR] [--n 32]
    python bench/roundtrip.py --quick      # CI: random weights (no download), the time only

Photos: the JPEGs under --photos (centre-cropped to --size as prepare does), else crops of scikit-learn's two sample
photos. Prints the mean absolute difference (0-1 scale) and seconds a photo, in batches of --bs, on this CPU.
"""
import argparse, time
from pathlib import Path

import numpy as np, torch
from PIL import Image
from aigen_detect.data import square
from aigen_detect.roundtrip import load_taef2, round_trip, tiny_autoencoder


def photos(folder, n, size):
    if folder:
        return [square(Image.open(p).convert('RGB'), size) for p in sorted(Path(folder).rglob('*.JPEG'))[:n]]
    from sklearn.datasets import load_sample_images
    rng, ims = np.random.default_rng(0), load_sample_images().images
    crops = []
    for i in range(n):
        a = ims[i % len(ims)]
        y, x = rng.integers(0, a.shape[0] - size), rng.integers(0, a.shape[1] - size)
        crops.append(Image.fromarray(a[y:y + size, x:x + size]))
    return crops


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--taef2', help='folder with taef2_encoder.pth and taef2_decoder.pth (default: download)')
    p.add_argument('--photos', help='a folder of JPEG photos')
    p.add_argument('--n', type=int, default=32)
    p.add_argument('--size', type=int, default=256)
    p.add_argument('--bs', type=int, default=8)
    p.add_argument('--quick', action='store_true', help='random weights, 4 photos: the code path and the time only')
    a = p.parse_args()
    if a.quick: a.n = 4
    ims = photos(a.photos, a.n, a.size)
    ae = tiny_autoencoder().eval() if a.quick else load_taef2(a.taef2)
    t0 = time.perf_counter()
    out = [o for i in range(0, len(ims), a.bs) for o in round_trip(ae, ims[i:i + a.bs])]
    seconds = (time.perf_counter() - t0) / len(ims)
    diff = np.mean([np.abs(np.asarray(x, float) - np.asarray(y, float)).mean() / 255 for x, y in zip(ims, out)])
    print(f"{'random weights (--quick)' if a.quick else 'taef2'}: {len(ims)} photos of {a.size} px, "
          f"mean abs difference {diff:.4f}, {seconds:.3f} s a photo ({torch.get_num_threads()} threads, bs {a.bs})")


if __name__ == '__main__': main()
