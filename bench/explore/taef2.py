"""taef2, the tiny autoencoder of the FLUX.2 latent space (madebyollin/taesd @ 5cccb12, MIT), as a CPU-sized "AI
generator": `roundtrip` encodes photos to 32-channel latents (8x smaller) and decodes them again, so the result has
the photo's content and the decoder's traces only (the "aligned" AI images of Rajan et al., ICLR 2025).

The architecture is taesd.py's Encoder/Decoder with `use_midblock_gn=True` (a GroupNorm "pool" branch in the three
deepest blocks of each half), written here because diffusers' `AutoencoderTiny` (0.42.1) has no such branch: its
`AutoencoderTinyBlock` is conv/ReLU/conv/ReLU/conv + skip only, so the 12 `*.pool.*` tensors of each half would be
left out (`python bench/explore/taef2.py --check-diffusers` shows it). The key names below match the .pth files
exactly (nn.Sequential indices), so `load_state_dict(strict=True)` checks every tensor.

    python bench/explore/taef2.py /work/shared/data/taef2 /work/images/photos/real/imagenet --n 20
"""
import argparse, time
from pathlib import Path

import numpy as np, torch, torch.nn as nn, torch.nn.functional as F


def conv(n_in, n_out, **kwargs): return nn.Conv2d(n_in, n_out, 3, padding=1, **kwargs)


class Clamp(nn.Module):
    "Soft clamp of the latents to (-3, 3)."
    def forward(self, x): return torch.tanh(x / 3) * 3


class Block(nn.Module):
    "taesd's residual block; `midblock_gn` adds taef2's GroupNorm branch (x + pool(x)) before it."
    def __init__(self, n_in, n_out, midblock_gn=False):
        super().__init__()
        self.conv = nn.Sequential(conv(n_in, n_out), nn.ReLU(), conv(n_out, n_out), nn.ReLU(), conv(n_out, n_out))
        self.skip = nn.Conv2d(n_in, n_out, 1, bias=False) if n_in != n_out else nn.Identity()
        self.fuse = nn.ReLU()
        self.pool = nn.Sequential(nn.Conv2d(n_in, n_in * 4, 1, bias=False), nn.GroupNorm(4, n_in * 4), nn.ReLU(),
                                  nn.Conv2d(n_in * 4, n_in, 1, bias=False)) if midblock_gn else None
    def forward(self, x):
        if self.pool is not None: x = x + self.pool(x)
        return self.fuse(self.conv(x) + self.skip(x))


def encoder(latent_channels=32, gn=True):
    down = lambda: conv(64, 64, stride=2, bias=False)
    return nn.Sequential(conv(3, 64), Block(64, 64),
                         down(), Block(64, 64), Block(64, 64), Block(64, 64),
                         down(), Block(64, 64), Block(64, 64), Block(64, 64),
                         down(), *[Block(64, 64, gn) for _ in range(3)],
                         conv(64, latent_channels))


def decoder(latent_channels=32, gn=True):
    up = lambda: [nn.Upsample(scale_factor=2), conv(64, 64, bias=False)]
    return nn.Sequential(Clamp(), conv(latent_channels, 64), nn.ReLU(),
                         *[Block(64, 64, gn) for _ in range(3)], *up(),
                         Block(64, 64), Block(64, 64), Block(64, 64), *up(),
                         Block(64, 64), Block(64, 64), Block(64, 64), *up(),
                         Block(64, 64), conv(64, 3))


def load_taef2(folder):
    "The (encoder, decoder) of taef2 from `folder` (taef2_encoder.pth, taef2_decoder.pth), float32, eval mode."
    halves = []
    for name, make in [('encoder', encoder), ('decoder', decoder)]:
        net = make()
        state = torch.load(Path(folder)/f'taef2_{name}.pth', map_location='cpu', weights_only=True)
        net.load_state_dict({k: v.float() for k, v in state.items()})  # strict: every key, every shape
        halves.append(net.eval().requires_grad_(False))
    return tuple(halves)


@torch.inference_mode()
def roundtrip(images, taef2, batch=8):
    """Each uint8 HxWx3 array of `images` encoded and decoded by `taef2` (from `load_taef2`), as uint8 HxWx3.
    Sizes that are not multiples of 8 are reflect-padded for the pass and cropped back."""
    enc, dec = taef2
    out = [None] * len(images)
    by_size = {}
    for i, a in enumerate(images): by_size.setdefault(a.shape, []).append(i)
    for shape, idx in by_size.items():
        h, w = shape[:2]
        ph, pw = -h % 8, -w % 8
        for s in range(0, len(idx), batch):
            ix = idx[s:s + batch]
            x = torch.from_numpy(np.stack([images[i] for i in ix])).permute(0, 3, 1, 2).float() / 255
            if ph or pw: x = F.pad(x, (0, pw, 0, ph), mode='reflect')
            y = dec(enc(x))[..., :h, :w].clamp(0, 1)
            y = (y * 255).round().byte().permute(0, 2, 3, 1).numpy()
            for j, i in enumerate(ix): out[i] = y[j]
    return out


def check_diffusers(folder):
    "Try diffusers' AutoencoderTiny(latent_channels=32) on the taef2 tensors; print what does not fit."
    from diffusers import AutoencoderTiny
    vae = AutoencoderTiny(latent_channels=32)
    theirs = {k: v.shape for k, v in vae.state_dict().items()}
    enc, dec = load_taef2(folder)
    ours = {f'encoder.{k}': v.shape for k, v in enc.state_dict().items()} | \
           {f'decoder.{k}': v.shape for k, v in dec.state_dict().items()}
    n_pool = sum('.pool.' in k for k in ours)
    print(f'AutoencoderTiny(latent_channels=32): {len(theirs)} tensors; taef2: {len(ours)} tensors, {n_pool} of them '
          f'in the GroupNorm mid-block branches (*.pool.*), which AutoencoderTiny has no module for')
    print('AutoencoderTiny config options:', sorted(vae.config.keys()))
    print('taef2 tensors with no counterpart of their shape count: '
          f'{len(ours) - n_pool} non-pool vs {len(theirs)} diffusers')


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('taef2', help='folder with taef2_encoder.pth and taef2_decoder.pth')
    p.add_argument('photos', nargs='?', help='folder of photos to round-trip (256 px centre crops)')
    p.add_argument('--n', type=int, default=20)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--check-diffusers', action='store_true')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    if a.check_diffusers: check_diffusers(a.taef2)
    if not a.photos: return
    from PIL import Image, ImageOps
    paths = sorted(Path(a.photos).iterdir())[:a.n]
    ims = [np.asarray(ImageOps.fit(Image.open(f).convert('RGB'), (256, 256), Image.Resampling.LANCZOS)) for f in paths]
    t0 = time.perf_counter()
    taef2 = load_taef2(a.taef2)
    t_load = time.perf_counter() - t0
    roundtrip(ims[:1], taef2)  # warm-up
    for batch in (1, 8):
        t0 = time.perf_counter()
        out = roundtrip(ims, taef2, batch=batch)
        dt = time.perf_counter() - t0
        print(f'batch {batch}: {dt / len(ims):.3f} s per 256 px photo ({len(ims)} photos, {a.threads} threads)')
    mad = [np.abs(o.astype(np.float32) - i).mean() / 255 for o, i in zip(out, ims)]
    print(f'load {t_load:.2f} s; mean abs diff per photo (of 1.0): mean {np.mean(mad):.4f}, '
          f'min {np.min(mad):.4f}, max {np.max(mad):.4f}')


if __name__ == '__main__': main()
