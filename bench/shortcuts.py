"""What matched compression changes: the demo paper run with and without it, the file probes beside the detectors.

The demo (`aigen-detect reproduce --demo`: sample photos saved once as JPEG, tiny random generators, small
detectors) runs twice in temporary folders, once as shipped (`match_compression = true`) and once with it off; for
each test set it prints the detectors' accuracy and the best shortcut-audit probe on the test set's files, and the
audit of each dataset (metadata, recompression, high-pass). With `--cifake` (or $AIGEN_DETECT_CIFAKE) it also reads
the JPEG history (quality, chroma subsampling, size) of CIFAKE's files, class by class.

    python bench/shortcuts.py                  # the demo both ways (about a minute on 2 cores)
    python bench/shortcuts.py --cifake PATH    # and CIFAKE's file histories
    python bench/shortcuts.py --quick          # the demo both ways, as CI runs it
"""
import argparse, collections, contextlib, io, os, tempfile, tomllib
from pathlib import Path

import pandas as pd


def demo_run(root, match_compression):
    "(results table, shortcut audit) of the demo run under `root` with `match_compression`."
    from aigen_detect.pipeline import CONFIGS, reproduce
    setting = f'match_compression = {str(match_compression).lower()}'
    text = (CONFIGS/'demo.toml').read_text().replace('[generate]\n', f'[generate]\n{setting}\n')
    assert tomllib.loads(text)['generate']['match_compression'] is match_compression
    (root/'demo.toml').write_text(text)
    with contextlib.redirect_stdout(io.StringIO()): table = reproduce(root/'demo.toml', root=root)
    return table, pd.read_csv(root/'paper'/'tables'/'demo_shortcut_audit.csv')


def file_histories(folder, n=2000):
    "{class folder: Counter of (format, JPEG quality, subsampling, size)} of the first `n` files of each class."
    from PIL import Image, JpegImagePlugin
    from aigen_detect.data import jpeg_quality
    out = {}
    for d in sorted(p for p in Path(folder).rglob('*') if p.is_dir() and p.name.lower() in ('real', 'fake')):
        c = collections.Counter()
        for f in sorted(d.iterdir())[:n]:
            with Image.open(f) as im: c[(im.format, jpeg_quality(im), JpegImagePlugin.get_sampling(im), im.size)] += 1
        out[d.relative_to(folder).as_posix()] = c
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--quick', action='store_true', help='as CI runs it (the same demo: it is small)')
    p.add_argument('--cifake', default=os.environ.get('AIGEN_DETECT_CIFAKE'), help='a CIFAKE folder')
    a = p.parse_args()
    pd.set_option('display.width', 160)
    for match in (True, False):
        with tempfile.TemporaryDirectory() as tmp:
            table, audit = demo_run(Path(tmp), match)
        print(f'\n== demo, match_compression = {match}')
        print(table[['test_set', 'model', 'n', 'accuracy', 'probe', 'probe_accuracy', 'probe_lo', 'probe_hi',
                     'probe_chance']]
              .round(3).to_string(index=False))
        print(audit.pivot(index='dataset', columns='probe', values='accuracy').round(3).to_string())
    if a.cifake:
        for cls, c in file_histories(a.cifake).items():
            print(f'CIFAKE {cls}: ' + ', '.join(f'{n} x {fmt} q{q} subsampling {s} {w}x{h}'
                                                for (fmt, q, s, (w, h)), n in c.most_common(3)))


if __name__ == '__main__': main()
