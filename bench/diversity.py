"""Does a detector trained on many generators work on generators it never saw? (issue 25, RESULTS 27-29)

    python bench/diversity.py --data DIR --fresh DIR2 --unseen DIR3 --unseen2 DIR4 --unseen3 DIR5 --keep OUT
    python bench/diversity.py --section 28 ... --unseen4 DIR6 --keep OUT2            # RESULTS 28
    python bench/diversity.py --section 29 ... --unseen4 DIR6 --unseen5 DIR7 --keep OUT3  # RESULTS 29
    python bench/diversity.py --quick     # CI: tiny random images in those layouts, sections 28 and 29

The folders are those of bench/generalize.py (DIR: RESULTS 23's sets, DIR2: the fresh ones of RESULTS 24, DIR3 and
DIR4: the unseen ones of RESULTS 25 and 26), DIR5, DIR6 and DIR7, generator families never used before (UNSEEN3,
UNSEEN4, UNSEEN5). Every AI image of RESULTS 23-25 (17 generators and 10 GANs, at most CAP a generator) is trained
on, beside three quarters of every real photo set; the last quarter of each (every fourth file by name) is the pooled
reals everything is scored against. Section 27: RESULTS 26's four families (DALL-E 3, FLUX.1, Imagen 4, Grok-2) are
left out of training; they choose between the candidates (recipes of CANDIDATES) by their mean ROC AUC; only then is
UNSEEN3 scored, the pick first. Section 28: the pick (npr) trained on those and UNSEEN3 too, UNSEEN4 scored. Section
29: the candidates trained on section 27's sets and RESULTS 26's families, chosen on UNSEEN3 and UNSEEN4; the pick
trained again with those added, UNSEEN5 scored. Every AI image that is not a JPEG is stored first as one of the real
photos was (`--match-history` of generalize.py), and every image prepared alike (256 px, JPEG q95).
"""
import argparse, tempfile
from pathlib import Path
from typing import NamedTuple

import numpy as np, pandas as pd
from aigen_detect.data import BadImage, load_rgb, square
from aigen_detect.files import atomic_path

from generalize import (RECIPE, TEST_GANS, TRAIN_GANS, files_of, held_out_rows, held_out_table, link_files,
                        photo_histories, prepare_set, print_prediction_speed, toy_data, trained_detector)

CAP = 150  # AI images a source folder (SD 1.4 has two), evenly spaced by name, so that its 1,200 do not dominate
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
UNSEEN4 = {g: [('unseen4', f'{s}/fake/{g}')] for s, g in (  # /work/notes/fresh5-sets.md
    ('ideogram4', 'ideogram-4.0'), ('sentry-if', 'deepfloyd-if'), ('janus-bestdpf', 'janus-pro-7b'))}
UNSEEN5_FAMILIES = {  # /work/notes/fresh6a-sets.md (sdsamples: SD.Next's gallery, 36 prompts a model, 1024 px JPEG q85)
    **{f'hunyuan-dit-v1.{v}{d}': 'Hunyuan-DiT' for v in (1, 2) for d in ('', '-distilled')},
    **{g: 'F-Lite' for g in ('f-lite', 'f-lite-7b', 'f-lite-texture')},
    'cogview3-plus': 'CogView', 'cogview4': 'CogView', 'sana1.5-1.6b': 'Sana', 'sana1.5-4.8b': 'Sana',
    'qwen-image': 'Qwen-Image', 'qwen-image-lightning': 'Qwen-Image', 'auraflow-v0.2': 'AuraFlow',
    'auraflow-v0.3': 'AuraFlow', 'cosmos-predict2-2b': 'Cosmos-Predict2', 'cosmos-predict2-14b': 'Cosmos-Predict2',
    'omnigen-v1': 'OmniGen', 'omnigen2': 'OmniGen', 'lumina-next-sft': 'Lumina', 'lumina-image-2.0': 'Lumina',
    'kolors': 'Kolors', 'stable-cascade': 'Stable Cascade', 'hidream-i1-full': 'HiDream-I1', 'bria-3.2': 'BRIA',
    'meissonic': 'Meissonic', 'chroma1-base': 'Chroma',
    'krea-2-turbo': 'Krea 2', 'z-image-turbo': 'Z-Image'}  # /work/notes/fresh6b-sets.md: WebP 1024 px, PNG 512 px
UNSEEN5_SHOWN = ('chroma1-base',)  # FLUX.1 schnell's derivative: FLUX.1 is trained on; shown, not in the means
UNSEEN5 = {g: [('unseen5', f'sdsamples/fake/{g}')] for g in UNSEEN5_FAMILIES} | {  # but for these three:
    'qwen-image': [('unseen5', 'sdsamples/fake/qwen-image'), ('unseen5', 'illus-styles/fake/qwen-image')],
    'krea-2-turbo': [('unseen5', 'krea2-wc/fake/krea-2-turbo')],
    'z-image-turbo': [('unseen5', 'mlbench-zimage/fake/z-image-turbo')]}
DECODERS = {  # UNSEEN5's generators by autoencoder, as the notes and model cards give them (not verified here)
    'shared': ('hunyuan-dit-v1.1', 'hunyuan-dit-v1.1-distilled', 'hunyuan-dit-v1.2', 'hunyuan-dit-v1.2-distilled',
               'lumina-next-sft', 'auraflow-v0.2', 'auraflow-v0.3', 'kolors', 'omnigen-v1',  # SDXL-type
               'lumina-image-2.0', 'hidream-i1-full', 'omnigen2', 'z-image-turbo'),  # FLUX.1-type, 16 channels
    'unused': ('sana1.5-1.6b', 'sana1.5-4.8b', 'qwen-image', 'qwen-image-lightning', 'cosmos-predict2-2b',
               'cosmos-predict2-14b', 'stable-cascade', 'meissonic', 'cogview3-plus', 'cogview4'),
    'unknown': ('f-lite', 'f-lite-7b', 'f-lite-texture', 'bria-3.2', 'krea-2-turbo')}
STORAGE_CONTROLS = {  # the test reals stored as sdsamples stores (1,024 px, JPEG q85 4:2:0), at their own size, and
    'reals-as-jpeg-q85-1024': dict(side=1024, format='JPEG', quality=85, subsampling=2),  # as krea2-wc (WebP, its
    'reals-as-jpeg-q85': dict(side=None, format='JPEG', quality=85, subsampling=2),  # quality not stated)
    'reals-as-webp-q80-1024': dict(side=1024, format='WEBP', quality=80)}
ROOTS = ('data', 'fresh', 'unseen', 'unseen2', 'unseen3', 'unseen4', 'unseen5')
CANDIDATES = {'rgb': dict(inputs='rgb'), 'npr': dict(inputs='npr'),  # each a change to generalize's RECIPE
              'npr-robust': dict(inputs='npr', augment='robust'), 'npr-8': dict(inputs='npr', epochs=8)}


class Section(NamedTuple):
    "What a section of RESULTS.md trained on, chose by and scored: sets ({generator: folders}) and their families."
    trained: dict  # beside the reals and the GANs, each generator capped at CAP images
    choosing: tuple | None  # (sets, families, name): the candidates' pick is the best mean over these families
    retrain: bool  # the pick trained again with the choosing sets (capped) added, and scored as the section's result
    scored: tuple  # (sets, families, name): the never-seen families
    candidates: tuple  # the default candidates (keys of CANDIDATES), the first one the pick where nothing chooses
    shown_only: tuple = ()  # scored generators shown but left out of the means
    controls: dict | None = None  # {name: `stored_like` options}: the test reals stored so, scored as if AI (shown)
    decoders: dict | None = None  # {group: scored generators}: the mean of family means of each group, shown


SECTIONS = {27: Section(TRAIN_AI, (CHOOSING, CHOOSING_FAMILIES, 'choosing'), False,
                        (UNSEEN3, UNSEEN3_FAMILIES, 'unseen3'), ('rgb', 'npr')),
            28: Section(TRAIN_AI | CHOOSING | UNSEEN3, None, False, (UNSEEN4, UNSEEN4_FAMILIES, 'unseen4'), ('npr',)),
            29: Section(TRAIN_AI | CHOOSING, (UNSEEN3 | UNSEEN4, UNSEEN3_FAMILIES | UNSEEN4_FAMILIES, 'rounds3-4'),
                        True, (UNSEEN5, UNSEEN5_FAMILIES, 'unseen5'), ('npr', 'npr-robust', 'npr-8'), UNSEEN5_SHOWN,
                        STORAGE_CONTROLS, DECODERS)}
assert all(s.choosing or not s.retrain for s in SECTIONS.values()), 'a section retrains on its choosing sets'


def staged(roots, out, root, rel, part=None, n=None):
    "Folder `rel` of `roots`[`root`] staged under `out`/staged by hard links: its `part` of the files ('train': three "
    "in four, 'test': every fourth) or `n` of them evenly spaced; its path there, relative to `out`/staged."
    s, label, gen = Path(rel).parts
    files = files_of(roots[root]/rel, n)
    if part: files = [f for i, f in enumerate(files) if (i % 4 == 3) == (part == 'test')]
    name = f'{s}-{part}/{label}/{gen}' if part else f'{s}-{n}/{label}/{gen}' if n else rel
    link_files(files, out/'staged'/name)
    return name


def stored_like(folders, dst, side=None, **save):
    "The images of `folders` (each `Path`) cropped square at the center, resized to `side` px (`None`: their short "
    "side) and saved in folder `dst` with the PIL `save` options, as SET-FOLDER__STEM (kept if there): real photos "
    "stored as a gallery stores its AI images."
    bad, n = [], 0
    dst.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        for f in files_of(folder):
            out, n = dst/f'{folder.parent.parent.name}-{folder.name}__{f.stem}.{save["format"].lower()}', n + 1
            if out.exists(): continue
            try: im = load_rgb(f)[0]
            except BadImage as e:
                bad.append(f'{f}: {e}')
                continue
            with atomic_path(out) as tmp: square(im, side or min(im.size)).save(tmp, **save)
    if bad: raise SystemExit(f'{len(bad)} test reals could not be read, so no storage control: ' + '; '.join(bad))
    if (made := len(files_of(dst))) != n: raise SystemExit(f'{dst}: {made} files for {n} test reals: remove it')


def candidate_rows(model_dir, train_dirs, sets, out, families, n_boot, robustness_n):
    "`evaluate`'s rows of the model at `model_dir` for the AI-only datasets `sets` against the pooled test reals."
    return held_out_rows(model_dir, train_dirs, {out.name: sets}, out.parent, families, n_boot, robustness_n)[0]


def family_mean(table, families):
    "The mean over the families of `table`'s generators of each family's mean ROC AUC."
    return float(table.roc_auc.groupby(table.generator.map(families)).mean().mean())


def section_roots(sec):
    "The roots (keys of ROOTS) whose folders `sec` reads."
    sets = (GANS, sec.trained, *(s[0] for s in (sec.choosing, sec.scored) if s))
    return {root for root, _ in REALS.values()} | {root for s in sets for fs in s.values() for root, _ in fs}


def family_mean_interval(predictions, families, n_boot=1000, seed=0):
    "The mean of family means of ROC AUC of the AI test images of `families` ({generator: family}) against the real "
    "test images of `predictions` (`evaluate`'s predictions.csv of one model), with a 95% bootstrap interval: the "
    "reals and each generator's images resampled by source group in each round."
    from sklearn.metrics import roc_auc_score
    test = predictions[(predictions.split == 'test') & (predictions.status == 'ok')]
    reals = test[test.y == 0]
    sets = {g: test[(test.y == 1) & (test.generator == g)] for g in families}
    rng = np.random.default_rng(seed)
    def resampled(rows):  # rows of `rows`' groups, drawn with replacement
        groups = rows.group.unique()
        return rows.set_index('group').loc[rng.choice(groups, len(groups))].p_ai.to_numpy()
    def mean_of_family_means(real_scores, ai_scores):  # of {generator: its AI images' scores}
        auc = lambda a: roc_auc_score(np.r_[np.zeros(len(real_scores)), np.ones(len(a))], np.r_[real_scores, a])
        table = pd.DataFrame({'generator': list(ai_scores), 'roc_auc': [auc(a) for a in ai_scores.values()]})
        return family_mean(table, families)
    point = mean_of_family_means(reals.p_ai.to_numpy(), {g: r.p_ai.to_numpy() for g, r in sets.items()})
    boots = [mean_of_family_means(resampled(reals), {g: resampled(r) for g, r in sets.items()}) for _ in range(n_boot)]
    return point, *np.percentile(boots, [2.5, 97.5])


def check_section(out, section):
    "Mark `out` as `section`'s (its prepared sets and detectors are that section's), or refuse another's."
    mark = out/'section.txt'
    if mark.exists() and (made := mark.read_text().strip()) != str(section):
        raise SystemExit(f'{out} holds section {made} of RESULTS.md: use another --keep folder for section {section}')
    out.mkdir(parents=True, exist_ok=True)
    with atomic_path(mark) as tmp: tmp.write_text(f'{section}\n')


def run(roots, out, candidates, section=27, size=256, recipe=RECIPE, n_boot=1000, seed=42, workers=2,
        robustness_n=20):
    "Prepare, train a detector a recipe of `candidates`, pick one by `section`'s choosing families (if it has any), "
    "train the pick on those too (if the section says so), score the section's never-seen families; the tables."
    sec = SECTIONS[section]
    (scored, families, name), controls = sec.scored, sec.controls or {}
    check_section(out, section)
    real_files = [f for root, rel in REALS.values() for f in files_of(roots[root]/rel)]
    histories = photo_histories(real_files)  # every AI image that is not a JPEG is stored like one of these first
    prep = lambda name, folders, role, ai: prepare_set(out/'staged', folders, out, name, role, size, seed,
                                                       workers=workers, histories=histories if ai else None)
    stage = lambda sets, n=None: {name: [staged(roots, out, r, rel, n=n) for r, rel in f] for name, f in sets.items()}
    train_dirs = ([prep('reals', [staged(roots, out, r, rel, 'train') for r, rel in REALS.values()], 'train', False)]
                  + [prep(n, f, 'train', True) for n, f in stage(GANS).items()]
                  + [prep(n, f, 'train', True) for n, f in stage(sec.trained, CAP).items()])
    test_names = [staged(roots, out, r, rel, 'test') for r, rel in REALS.values()]
    test_reals = [prep('test-reals', test_names, 'test', False)]
    train = lambda c, dirs, suffix='': trained_detector(dirs, out/f'model-{c}{suffix}',
                                                        recipe | CANDIDATES[c] | dict(size=size, seed=seed))
    tables, pick = {}, candidates[0]
    if sec.choosing:
        choosing_sets, choosing_families, choosing_name = sec.choosing
        choosing_dirs = [prep(n, f, 'test', True) for n, f in stage(choosing_sets).items()] + test_reals
        for c in candidates:
            train(c, train_dirs)
            tables[c] = candidate_rows(out/f'model-{c}', train_dirs, choosing_dirs, out/'evaluation'/c/choosing_name,
                                       choosing_families, n_boot, robustness_n)
            print(f'--- {c}: the choosing families ({choosing_name})')
            held_out_table(tables[c], choosing_families)
        means = {c: family_mean(t, choosing_families) for c, t in tables.items()}
        pick = max(means, key=means.get)  # on a tie, the first of `candidates`
        print(f"the rule: mean ROC AUC over the choosing families {', '.join(f'{k} {v:.3f}' for k, v in means.items())}"
              f'; the pick: {pick}', flush=True)
    else: train(pick, train_dirs)
    shown = [pick] + [c for c in candidates if c != pick]  # the pick first, then the others, shown only
    dirs = dict.fromkeys(shown, train_dirs)
    if sec.retrain:  # the choosing sets join the training sets, each capped like them; the pick alone trained again
        dirs[f'{pick}-all'] = train_dirs + [prep(f'{n}-train', f, 'train', True)
                                            for n, f in stage(choosing_sets, CAP).items()]
        train(pick, dirs[f'{pick}-all'], '-all')
        shown = [f'{pick}-all'] + shown
    for control, options in controls.items():  # the test reals, stored as a scored set's AI images are
        stored_like([out/'staged'/n for n in test_names], out/'staged'/'controls'/'fake'/control, **options)
    unseen = ([prep(n, f, 'test', True) for n, f in stage(scored).items()]
              + [prep(c, [f'controls/fake/{c}'], 'test', True) for c in controls] + test_reals)
    families = families | dict.fromkeys(controls, 'storage control')
    for c in shown:
        table = candidate_rows(out/f'model-{c}', dirs[c], unseen, out/'evaluation'/c/name, families, n_boot,
                               robustness_n)
        print(f"--- {c}{' (the result)' if c == shown[0] else ' (shown only)'}: never-seen families")
        held_out_table(table, families, left_out=(*sec.shown_only, *controls))
        if c == shown[0]:  # the section's figure, with its interval
            kept = {g: f for g, f in families.items() if g not in (*sec.shown_only, *controls)}
            predictions = pd.read_csv(out/'evaluation'/c/name/'tables'/'predictions.csv')
            point, lo, hi = family_mean_interval(predictions, kept, n_boot, seed)
            print(f'{c}: mean of the {len(set(kept.values()))} family means {point:.3f} [{lo:.3f}, {hi:.3f}] (95%, '
                  'bootstrap of the reals and of each set)')
        for group, gens in (sec.decoders or {}).items():
            mean = family_mean(table[table.generator.isin(gens)], families)
            print(f'decoder {group}: mean of family means {mean:.3f} ({len(gens)} sets)')
        tables[f'{c} {name}'] = table
    print_prediction_speed(out/f'model-{shown[0]}', out, size)
    return tables


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for root in ROOTS: p.add_argument(f'--{root}', type=Path, help=f'the folder of the {root} sets (see above)')
    p.add_argument('--keep', type=Path, help='OUT: staged and prepared data, the detectors (OUT/model-CANDIDATE, '
                   'OUT/model-PICK-all), results')
    p.add_argument('--candidates', nargs='+', choices=CANDIDATES,
                   help="the recipes to choose from (default: the section's; where nothing chooses, one)")
    p.add_argument('--section', type=int, choices=SECTIONS, default=27,
                   help="the RESULTS.md section to make: 27 (choose, score UNSEEN3), 28 (train on those too, score "
                   "UNSEEN4), 29 (choose on UNSEEN3 and UNSEEN4, train the pick on them too, score UNSEEN5)")
    p.add_argument('--quick', action='store_true', help='tiny random data, as CI runs it (sections 28 and 29)')
    a = p.parse_args()
    candidates = a.candidates or SECTIONS[a.section].candidates
    if not SECTIONS[a.section].choosing and len(candidates) != 1:
        p.error(f'section {a.section} chooses nothing: one --candidates value')
    if not a.quick:
        sec = SECTIONS[a.section]
        needed = [r for r in ROOTS if r in section_roots(sec)] + ['keep']
        if missing := [f'--{r}' for r in needed if getattr(a, r) is None]:
            p.error(f"{', '.join(missing)} needed (or --quick)")
        return run({r: getattr(a, r) for r in ROOTS}, a.keep, candidates, a.section)
    print('QUICK: random toy images, to run the code path (sections 28 and 29); its figures mean nothing')
    with tempfile.TemporaryDirectory() as tmp:
        sets = (GANS, TRAIN_AI, CHOOSING, UNSEEN3, UNSEEN4, UNSEEN5)
        folders = {rel for _, rel in REALS.values()} | {rel for s in sets for fs in s.values() for _, rel in fs}
        data = toy_data(Path(tmp)/'data', n=8, folders=folders)
        for section in (28, 29):  # nothing chosen; chosen and trained again (section 27's path is a part of 29's)
            run(dict.fromkeys(ROOTS, data), (a.keep or Path(tmp))/f'out-{section}', SECTIONS[section].candidates[:1],
                section, size=32, recipe=RECIPE | dict(epochs=1, num_workers=0), n_boot=50, workers=1, robustness_n=2)


if __name__ == '__main__': main()
