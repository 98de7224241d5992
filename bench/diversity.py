"""Does a detector trained on many generators work on generators it never saw? (issue 25, RESULTS 27-28)

    python bench/diversity.py --data DIR --fresh DIR2 --unseen DIR3 --unseen2 DIR4 --unseen3 DIR5 --keep OUT
        [--inputs rgb npr]
    python bench/diversity.py --final ... --unseen4 DIR6 --keep OUT2   # RESULTS 28
    python bench/diversity.py --quick     # CI: tiny random images in those layouts, both modes

The folders are those of bench/generalize.py (DIR: RESULTS 23's sets, DIR2: the fresh ones of RESULTS 24, DIR3 and
DIR4: the unseen ones of RESULTS 25 and 26), DIR5 and DIR6, generator families never used before (UNSEEN3, UNSEEN4).
Every AI image of RESULTS 23-25 (17 generators and 10 GANs, at most CAP a generator) is trained on, beside three
quarters of every real photo set; the last quarter of each (every fourth file by name) is the pooled reals everything
is scored against. RESULTS 26's four families (DALL-E 3, FLUX.1, Imagen 4, Grok-2) are left out of training: they
choose between the candidates (one a `--inputs` value, the bench's recipe otherwise), by their mean ROC AUC. Only
then is UNSEEN3 scored, the pick first. `--final` trains the pick (npr) on those and UNSEEN3 too and scores UNSEEN4.
Every AI image that is not a JPEG is stored first as one of the real photos was (`--match-history` of generalize.py),
and every image prepared alike (256 px, JPEG q95).
"""
import argparse, tempfile
from pathlib import Path

from generalize import (RECIPE, TEST_GANS, TRAIN_GANS, files_of, held_out_rows, held_out_table, link_files,
                        photo_histories, prepare_set, print_prediction_speed, toy_data, trained_detector)

CAP = 150  # AI images a generator, evenly spaced by name, so that SD 1.4's 1,200 do not make up the training set
REALS = {'imagenet': ('data', 'photos/real/imagenet'), 'genimage': ('data', 'genimage-sd14/real/imagenet'),
         'unsplash': ('data', 'portraits/real/unsplash'), 'bsds500': ('unseen', 'bsds500/real/bsds500'),
         'camera': ('unseen2', 'metadata-extractor/real/camera-jpeg')}  # split by file: 3/4 trained on, 1/4 scored
GANS = {f'gan-{g}': [('data', f'gans/{c}/{g}') for c in ('fake', 'real')]  # all 10, each beside its own reals
        for g in TRAIN_GANS + TEST_GANS}
TRAIN_AI = {'sd14': [('data', 'sd14-portraits/fake/sd14'), ('data', 'genimage-sd14/fake/sd14')],
            **{g: [('data', f'sd-family/fake/{g}')] for g in ('sd21', 'sdxl', 'dalle2')},
            **{g: [('data', f'gpt-image/fake/{g}')] for g in ('gpt-4o', 'gpt-image-1')},
            **{g: [('fresh', f'dcsan-imagen/fake/{g}')] for g in ('midjourney-2022', 'latent-diffusion',
                                                                   'glid-3-xl', 'dalle-mini', 'disco-diffusion',
                                                                   'stabAI-fast-2022')},
            **{g: [('unseen', f'{s}/fake/{g}')] for s, g in (
                ('mj-explore', 'midjourney-v8'), ('ai-bingo', 'midjourney-v4-2023'), ('seedream5-x', 'seedream-5-pro'),
                ('nbpro-gallery', 'gemini-3-pro-image'), ('flux2-mlx', 'flux2'))}}
CHOOSING_FAMILIES = {'dalle3': 'DALL-E 3', 'flux1-dev': 'FLUX.1', 'imagen4': 'Imagen', 'grok2-image': 'Grok'}
CHOOSING = {'dalle3': [('unseen2', 'bias5/fake/dalle3'), ('unseen2', 'dalle3-chatgpt/fake/dalle3')],
            **{g: [('unseen2', f'bias5/fake/{g}')] for g in ('flux1-dev', 'imagen4', 'grok2-image')}}
UNSEEN3_FAMILIES = {'pixart-alpha-512': 'PixArt', 'pixart-alpha-1024': 'PixArt', 'kandinsky3': 'Kandinsky',
                    'playground-v2': 'Playground', 'sd3-medium': 'SD 3'}  # /work/notes/fresh4-sets.md
UNSEEN3 = {**{g: [('unseen3', f't2icmp/fake/{g}')] for g in UNSEEN3_FAMILIES if g != 'sd3-medium'},
           'sd3-medium': [('unseen3', 'r2f-sd3/fake/sd3-medium')]}
UNSEEN4_FAMILIES = {'ideogram-4.0': 'Ideogram', 'deepfloyd-if': 'DeepFloyd IF', 'janus-pro-7b': 'Janus-Pro'}
UNSEEN4 = {g: [('unseen4', f'{s}/fake/{g}')] for s, g in (  # /work/notes/fresh5-sets.md; --final only (RESULTS 28)
    ('ideogram4', 'ideogram-4.0'), ('sentry-if', 'deepfloyd-if'), ('janus-bestdpf', 'janus-pro-7b'))}
ROOTS = ('data', 'fresh', 'unseen', 'unseen2', 'unseen3', 'unseen4')


def staged(roots, out, root, rel, part=None, n=None):
    "Folder `rel` of `roots`[`root`] staged under `out`/staged by hard links: its `part` of the files ('train': three "
    "in four, 'test': every fourth) or `n` of them evenly spaced; its path there, relative to `out`/staged."
    s, label, gen = Path(rel).parts
    files = files_of(roots[root]/rel, n)
    if part: files = [f for i, f in enumerate(files) if (i % 4 == 3) == (part == 'test')]
    name = f'{s}-{part}/{label}/{gen}' if part else rel
    link_files(files, out/'staged'/name)
    return name


def candidate_rows(model_dir, train_dirs, sets, out, families, n_boot, robustness_n):
    "`evaluate`'s rows of the model at `model_dir` for the AI-only datasets `sets` against the pooled test reals."
    return held_out_rows(model_dir, train_dirs, {out.name: sets}, out.parent, families, n_boot, robustness_n)[0]


def family_mean(table, families):
    "The mean over the families of `table`'s generators of each family's mean ROC AUC."
    return float(table.roc_auc.groupby(table.generator.map(families)).mean().mean())


def run(roots, out, inputs, size=256, recipe=RECIPE, n_boot=1000, seed=42, workers=2, final=False, robustness_n=20):
    "Prepare, train one detector an input of `inputs`, pick one by the CHOOSING families, score UNSEEN3; the tables. "
    "`final` (RESULTS 28): CHOOSING and UNSEEN3 trained on too, one detector on the one input of `inputs` (nothing "
    "chosen), UNSEEN4 scored."
    real_files = [f for root, rel in REALS.values() for f in files_of(roots[root]/rel)]
    histories = photo_histories(real_files)  # every AI image that is not a JPEG is stored like one of these first
    prep = lambda name, folders, role, ai: prepare_set(out/'staged', folders, out, name, role, size, seed,
                                                       workers=workers, histories=histories if ai else None)
    stage = lambda sets, n=None: {name: [staged(roots, out, r, rel, n=n) for r, rel in f] for name, f in sets.items()}
    train_dirs = ([prep('reals', [staged(roots, out, r, rel, 'train') for r, rel in REALS.values()], 'train', False)]
                  + [prep(n, f, 'train', True) for n, f in stage(GANS).items()]
                  + [prep(n, f, 'train', True) for n, f in stage(TRAIN_AI | CHOOSING | UNSEEN3 if final else TRAIN_AI,
                                                                CAP).items()])
    test_reals = [prep('test-reals', [staged(roots, out, r, rel, 'test') for r, rel in REALS.values()], 'test', False)]
    train = lambda inp: trained_detector(train_dirs, out/f'model-{inp}',
                                         recipe | dict(inputs=inp, size=size, seed=seed))
    tables, (unseen_sets, families, name) = {}, ((UNSEEN4, UNSEEN4_FAMILIES, 'unseen4') if final
                                                 else (UNSEEN3, UNSEEN3_FAMILIES, 'unseen3'))
    if final: train(pick := inputs[0])
    else:
        choosing = [prep(n, f, 'test', True) for n, f in stage(CHOOSING).items()] + test_reals
        for inp in inputs:
            train(inp)
            tables[inp] = candidate_rows(out/f'model-{inp}', train_dirs, choosing, out/'evaluation'/inp/'choosing',
                                         CHOOSING_FAMILIES, n_boot, robustness_n)
            print(f'--- {inp}: the choosing families (RESULTS 26 sets)')
            held_out_table(tables[inp], CHOOSING_FAMILIES)
        means = {inp: family_mean(t, CHOOSING_FAMILIES) for inp, t in tables.items()}
        pick = max(means, key=means.get)
        print(f"the rule: mean ROC AUC over the choosing families {', '.join(f'{k} {v:.3f}' for k, v in means.items())}"
              f'; the pick: {pick}', flush=True)
    unseen = [prep(n, f, 'test', True) for n, f in stage(unseen_sets).items()] + test_reals
    for inp in [pick] + [i for i in inputs if i != pick]:  # the pick first, then the others, shown only
        table = candidate_rows(out/f'model-{inp}', train_dirs, unseen, out/'evaluation'/inp/name, families, n_boot,
                               robustness_n)
        print(f"--- {inp}{' (the pick)' if inp == pick else ' (not chosen: shown only)'}: never-seen families")
        held_out_table(table, families)
        tables[f'{inp} {name}'] = table
    print_prediction_speed(out/f'model-{pick}', out, size)
    return tables


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for root in ROOTS: p.add_argument(f'--{root}', type=Path, help=f'the folder of the {root} sets (see above)')
    p.add_argument('--keep', type=Path, help='OUT: staged and prepared data, the detectors (OUT/model-INPUT), results')
    p.add_argument('--inputs', nargs='+', choices=('rgb', 'npr'),
                   help="the candidates (default rgb npr; with --final: RESULTS 27's pick, npr, alone)")
    p.add_argument('--final', action='store_true', help='RESULTS 28: the choosing and UNSEEN3 sets trained on too, '
                   'one detector, UNSEEN4 (--unseen4 DIR6) scored')
    p.add_argument('--quick', action='store_true', help='tiny random data, as CI runs it')
    a = p.parse_args()
    inputs = a.inputs or (['npr'] if a.final else ['rgb', 'npr'])
    if a.final and len(inputs) != 1: p.error('--final trains one detector: one --inputs value')
    if not a.quick:
        needed = [r for r in ROOTS if a.final or r != 'unseen4'] + ['keep']
        if missing := [f'--{r}' for r in needed if getattr(a, r) is None]:
            p.error(f"{', '.join(missing)} needed (or --quick)")
        return run({r: getattr(a, r) for r in ROOTS}, a.keep, inputs, final=a.final)
    print('QUICK: random toy images, to run the code path (both modes); its figures mean nothing')
    with tempfile.TemporaryDirectory() as tmp:
        folders = {rel for _, rel in REALS.values()} | {rel for sets in (GANS, TRAIN_AI, CHOOSING, UNSEEN3, UNSEEN4)
                                                        for folders in sets.values() for _, rel in folders}
        data = toy_data(Path(tmp)/'data', n=8, folders=folders)
        for final in (False, True):
            run(dict.fromkeys(ROOTS, data), (a.keep or Path(tmp))/f"out{'-final' if final else ''}",
                ['npr'] if final else ['rgb', 'npr'], size=32, recipe=RECIPE | dict(epochs=1, num_workers=0), n_boot=50,
                workers=1, final=final, robustness_n=2)


if __name__ == '__main__': main()
