"""The markdown table of runs of bench/explore/roundtrip_detector.py: held-out pairs, then ROC AUC [95% interval] per
transfer set and layout, with the means (diffusion/autoregressive sets; the ten GANs; all).

    python bench/explore/roundtrip_table.py /tmp/rt/npr /tmp/rt/rgb
"""
import json, sys
from pathlib import Path

import numpy as np


def cell(r): return f"{r['auc']:.2f} [{r['auc_lo']:.2f}, {r['auc_hi']:.2f}]"


def main(runs):
    res = {Path(r).name: json.loads((Path(r)/'results.json').read_text()) for r in runs}
    cols = [(name, layout) for name in res for layout in ('resize', 'native') if f'transfer_{layout}' in res[name]]
    print('| set | n AI / real | ' + ' | '.join(f'{n} {lay}' for n, lay in cols) + ' |')
    print('|---|---|' + '---|' * len(cols))
    first = res[cols[0][0]][f'transfer_{cols[0][1]}']
    for how in ['as prepared', 'jpeg75', 'blur1']:
        print(f'| held-out taef2 pairs, {how} | 200 / 200 | ' + ' | '.join(
            f"{cell(res[n]['heldout'][how])}, acc {res[n]['heldout'][how]['acc']:.3f}" for n, lay in cols) + ' |')
    for s, r in first.items():
        print(f"| {s} | {r['n_ai']} / {r['n_real']} | " +
              ' | '.join(cell(res[n][f'transfer_{lay}'][s]) for n, lay in cols) + ' |')
    for label, keep in [('mean, 7 diffusion/AR sets', lambda s: not s.startswith('gan:')),
                        ('mean, 10 GANs', lambda s: s.startswith('gan:')), ('mean, all 17', lambda s: True)]:
        print(f'| **{label}** | | ' + ' | '.join(
            f"**{np.mean([v['auc'] for s, v in res[n][f'transfer_{lay}'].items() if keep(s)]):.3f}**"
            for n, lay in cols) + ' |')


if __name__ == '__main__': main(sys.argv[1:])
