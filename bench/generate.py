"""Generation speed: images/s of `sd-variations`, our path (fp16, PyTorch SDPA attention, batches of source photos)
against the paper's (fp32, classic attention, one photo per call), side by side in one run, as a ratio.

The pipeline is the real `StableDiffusionImageVariationPipeline` at the real sizes of
`lambdalabs/sd-image-variations-diffusers` (860M-parameter UNet, SD VAE, CLIP ViT-L/14 image encoder) with random
weights, so nothing is downloaded; speed does not depend on the weights. Both paths run the same steps at 256 and
512 px; images/s scales with 1/steps, the ratio does not.

    python bench/generate.py            # needs a CUDA GPU; prints a skip otherwise
    python bench/generate.py --quick    # the tiny random pipeline on the CPU, fp32 both: seconds, for CI
"""
import argparse, copy, platform, sys, time, warnings

import numpy as np
import torch
from PIL import Image

from aigen_detect.generate import SDVariations, set_attention


def photos(n, size=256, seed=0):
    "`n` random RGB images (content does not change the speed of a diffusion model)."
    rng = np.random.default_rng(seed)
    return [Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8)) for _ in range(n)]


def images_per_s(gen, n, batch):
    "Images/s of `gen` over `n` images in calls of `batch`, after one warm-up call."
    ims, seeds = photos(n), list(range(n))
    sync = torch.cuda.synchronize if gen.pipe.device.type == 'cuda' else (lambda: None)
    gen(ims[:batch], seeds[:batch])
    sync()
    t = time.perf_counter()
    for i in range(0, n, batch): gen(ims[i:i + batch], seeds[i:i + batch])
    sync()
    return n / (time.perf_counter() - t)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--quick', action='store_true', help='tiny random pipeline on the CPU, for CI')
    p.add_argument('--steps', type=int, help='inference steps (default: 20; quick: 4)')
    p.add_argument('--batch', type=int, default=8, help='source photos per call on our path (default: 8; quick: 4)')
    p.add_argument('--n', type=int, help='images per configuration (default: 32; quick: 8)')
    a = p.parse_args()
    warnings.filterwarnings('ignore')  # random fp16 weights overflow; that does not change the speed
    if a.quick:
        torch.set_num_threads(1)  # the CI machine is small and shared
        device, sizes, steps, n, batch = torch.device('cpu'), (32, 64), a.steps or 4, a.n or 8, min(a.batch, 4)
        paper = SDVariations.random_pipeline()
        ours, what = copy.deepcopy(paper), 'tiny random sd-variations on the CPU, fp32 on both paths (fp16 needs CUDA)'
    else:
        if not torch.cuda.is_available():
            print('SKIP: no CUDA GPU here; the full benchmark needs one (use --quick for the CPU smoke run)')
            return
        device, sizes, steps, n, batch = torch.device('cuda'), (256, 512), a.steps or 20, a.n or 32, a.batch
        with device: paper = SDVariations.random_pipeline(full=True)
        ours = copy.deepcopy(paper).to(torch.float16)
        what = f'sd-variations at the real sizes, random weights, on {torch.cuda.get_device_name(0)}'
    set_attention(paper, sdpa=False)
    set_attention(ours, sdpa=True)
    print(f'{what}; {steps} steps, {n} images per row', flush=True)
    print(f"{'px':>4}  {'path':<32} {'images/s':>9}")
    for px in sizes:
        base = images_per_s(SDVariations(paper.to(device), steps=steps, resolution=px), n, 1)
        print(f'{px:>4}  {"paper: fp32, classic attn, batch 1":<32} {base:9.2f}', flush=True)
        fast = images_per_s(SDVariations(ours.to(device), steps=steps, resolution=px), n, batch)
        label = f'ours: {"fp16" if device.type == "cuda" else "fp32"}, SDPA, batch {batch}'
        print(f'{px:>4}  {label:<32} {fast:9.2f}   ratio {fast / base:.2f}x', flush=True)
    print(f'machine: {platform.processor() or platform.machine()}, torch {torch.__version__}, Python '
          f'{platform.python_version()}')


if __name__ == '__main__': sys.exit(main())
