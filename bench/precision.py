"""Training step time on this CPU in fp32 and under bfloat16 autocast, side by side, and what precision='auto' picks.

One step of the CIFAKE recipe's network (resnet8s1 with fastai's head, channels-last, AdamW) on a batch of 128
random 32 px images, forward + backward + optimizer step, median of the timed steps after warm-up; fp32 and bf16
alternate, so load on the machine affects both alike.

    python bench/precision.py            # 30 timed steps of each
    python bench/precision.py --quick    # 3 timed steps of each, for CI
"""
import argparse, os, platform, statistics, time

import torch


def step_time(model, x, y, bf16, steps):
    "Median seconds of `steps` training steps of `model` on (`x`, `y`), under bfloat16 autocast if `bf16`."
    opt, times = torch.optim.AdamW(model.parameters(), lr=1e-3), []
    for _ in range(steps):
        t = time.perf_counter()
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
            loss = torch.nn.functional.cross_entropy(model(x).float(), y)
        loss.backward()
        opt.step()
        opt.zero_grad()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--quick', action='store_true', help='3 timed steps, for CI')
    a = p.parse_args()
    from aigen_detect.detect import build_model
    from aigen_detect.train import auto_precision, cpu_flags
    torch.manual_seed(0)
    model = build_model('resnet8s1').to(memory_format=torch.channels_last).train()
    x = torch.randn(128, 3, 32, 32).to(memory_format=torch.channels_last)
    y = torch.randint(0, 2, (128,))
    steps = 3 if a.quick else 30
    for bf16 in (False, True): step_time(model, x, y, bf16, 3)  # warm-up: oneDNN picks its kernels
    fp32, bf16 = [], []
    for _ in range(3):  # alternate, so that load hits both alike
        fp32.append(step_time(model, x, y, False, steps))
        bf16.append(step_time(model, x, y, True, steps))
    f, b = min(fp32), min(bf16)
    print(f'resnet8s1 training step, batch 128, 32 px: fp32 {1000 * f:.0f} ms, bf16 autocast {1000 * b:.0f} ms '
          f'(bf16 is {f / b:.2f}x the speed of fp32)')
    flags = sorted(f for f in cpu_flags() if 'bf16' in f or f.startswith('amx'))
    picked, why = auto_precision(cuda=False, timings=lambda: (f, b))
    print(f"bfloat16 flags: {', '.join(flags) or 'none'}; precision='auto' picks {picked} ({why})")
    print(f'machine: {platform.machine()}, {platform.processor() or "cpu"}, {os.cpu_count()} cores, '
          f'torch {torch.__version__} with {torch.get_num_threads()} threads, Python {platform.python_version()}')


if __name__ == '__main__': main()
