"""Prepare the images of ../shared/data/more-images.md (as extract-images.py leaves them, in SRC/SET/{real,fake}/GEN/)
for bench/explore/roundtrip_detector.py, both classes alike, and make the taef2 round trips of the photos.

Two layouts under OUT, every image saved as the project's one JPEG setting (q95, 4:2:0, no metadata):
- OUT/resize/SET/LABEL/GEN/NAME.jpg: centre-cropped and resized to 256 px (Lanczos), as `aigen-detect prepare` does;
  OUT/resize/photos/fake/taef2/NAME.jpg: the prepared 256 px photo (decoded from its JPEG) round-tripped through taef2.
- OUT/native/SET/LABEL/GEN/NAME.jpg: the centre 256x256 pixels at native resolution (no resampling; smaller sides
  kept), for the no-resize test.
Resumable: existing outputs are kept. Not run by CI (about 12 minutes on 2 cores, mostly the 1,000 round trips):

    python bench/explore/roundtrip_prepare.py /work/images /work/images/prepared --taef2 /work/shared/data/taef2
"""
import argparse, time
from pathlib import Path

import torch
from PIL import Image

from aigen_detect.data import load_rgb, save_jpeg, square
from aigen_detect.roundtrip import load_taef2, round_trip

SIZE = 256


def native_crop(im, size=SIZE):
    "The centre `size` x `size` pixels of `im`, no resampling (a side smaller than `size` is kept whole)."
    w, h = im.size
    cw, ch = min(w, size), min(h, size)
    x, y = (w - cw) // 2, (h - ch) // 2
    return im.crop((x, y, x + cw, y + ch))


def prepare_sets(src, out):
    "Both layouts of every image under `src`; returns the number written."
    n = 0
    for f in sorted(Path(src).glob('*/*/*/*')):
        if Path(out) in f.parents or not f.is_file(): continue
        rel = f.relative_to(src).with_suffix('.jpg')
        for layout, shape in (('resize', square), ('native', native_crop)):
            dst = Path(out)/layout/rel
            if dst.exists(): continue
            dst.parent.mkdir(parents=True, exist_ok=True)
            save_jpeg(shape(load_rgb(f)[0]), dst)
            n += 1
    return n


def roundtrip_photos(out, taef2_folder, batch=8):
    "taef2 round trips of the prepared 256 px photos, saved JPEG q95 too; returns seconds per photo."
    reals = sorted((Path(out)/'resize/photos/real/imagenet').glob('*.jpg'))
    dst = Path(out)/'resize/photos/fake/taef2'
    dst.mkdir(parents=True, exist_ok=True)
    todo = [f for f in reals if not (dst/f.name).exists()]
    taef2 = load_taef2(taef2_folder)  # aigen_detect.roundtrip: the same output as the reference TAESD module
    t0 = time.perf_counter()
    for s in range(0, len(todo), batch):
        fs = todo[s:s + batch]
        for f, im in zip(fs, round_trip(taef2, [Image.open(f).convert('RGB') for f in fs])): save_jpeg(im, dst/f.name)
        if s % 200 == 0: print(f'  {s + len(fs)}/{len(todo)} round trips', flush=True)
    return (time.perf_counter() - t0) / max(len(todo), 1)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('src')
    p.add_argument('out')
    p.add_argument('--taef2', required=True, help='folder with taef2_encoder.pth and taef2_decoder.pth')
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    print(f'prepared {prepare_sets(a.src, a.out)} files in {time.perf_counter() - t0:.0f} s', flush=True)
    print(f'round trips: {roundtrip_photos(a.out, a.taef2):.3f} s per 256 px photo (JPEG decode/encode included)')


if __name__ == '__main__': main()
