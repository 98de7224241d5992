"""The markdown table of leaveout_detector.py runs: validation (training generators) and each held-out generator.

    python bench/explore/leaveout_table.py /tmp/lo/base /tmp/lo/gens ...

Mean interval: normal approximation from the per-set 95% intervals (independent sets, se = width / 3.92).
"""
import json, sys
from pathlib import Path

import numpy as np


def main():
    runs = {Path(d).name: json.loads((Path(d)/'results.json').read_text()) for d in sys.argv[1:]}
    sets = list(next(iter(runs.values()))['test'])
    print('| set | ' + ' | '.join(runs) + ' |\n|---|' + '---|' * len(runs))
    print('| **validation, mean AUC (7 training generators)** | '
          + ' | '.join(f"**{r['valid_mean_auc']:.3f}**" for r in runs.values()) + ' |')
    for s in sets:
        print(f'| {s} | ' + ' | '.join(f"{r['test'][s]['auc']:.2f} [{r['test'][s]['auc_lo']:.2f}, "
                                       f"{r['test'][s]['auc_hi']:.2f}]" for r in runs.values()) + ' |')
    cells = []
    for r in runs.values():
        t = r['test'].values()
        se = np.sqrt(sum(((x['auc_hi'] - x['auc_lo']) / 3.92) ** 2 for x in t)) / len(t)
        cells.append(f"**{r['test_mean_auc']:.3f}** [{r['test_mean_auc'] - 1.96 * se:.3f}, "
                     f"{r['test_mean_auc'] + 1.96 * se:.3f}]")
    print(f'| **mean AUC, {len(sets)} held-out sets** | ' + ' | '.join(cells) + ' |')
    print('| mean of the 4 family means | ' + ' | '.join(f"{r['test_family_mean_auc']:.3f}"
                                                        for r in runs.values()) + ' |')
    print('| train s (600 steps, 1 thread, shared) | ' + ' | '.join(f"{r['train_s']:.0f}" for r in runs.values())
          + ' |')


if __name__ == '__main__': main()
