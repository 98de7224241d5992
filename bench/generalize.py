"""Does the detector work on generators it never saw? (issue 25) Train on some generators, score the others.

    python bench/generalize.py --data DIR --keep OUT [--taef2 ../shared/data/taef2] [--photos N] [--input npr|rgb]
        [--crop PX] [--augment flip|robust] [--round-trips-only] [--layout resize|crop] [--native] [--match-history]
        [--fresh DIR2] [--unseen DIR3 [--unseen2 DIR4]]
    python bench/generalize.py --quick     # CI: tiny random images in DIR's layout, a random tiny autoencoder, matched

DIR as ../shared/tools/extract-images.py leaves it (DIR/SET/{real,fake}/GENERATOR/). The split of generators, fixed
before any test number was looked at (RESULTS 23; the GANs halved alphabetically):
- training (80% trained on, 20% validation, the threshold chosen there): the ImageNet sample photos and their round
  trips through taef2 (the library's `vae-roundtrip` generator), SD 1.4 (sd14-portraits and GenImage's SD 1.4
  fakes, Unsplash portraits) and five GANs (biggan, crn, cyclegan, deepfake, gaugan, each with its own reals);
- held out (scored only): SD 2.1, SDXL, DALL-E 2, GPT-4o, gpt-image-1, each an AI-only dataset that `evaluate`
  scores against the pooled reals of its split: GenImage's 200 ImageNet photos, one real-only dataset never trained
  on; and five GANs (imle, san, seeingdark, stargan, stylegan, each beside its own reals).
Each set is prepared by the library (`prepare`: 256 px, JPEG q95, both classes alike) from hard links of its folders
under OUT/raw; the generator of each fake/GENERATOR folder is the manifest's `generator`. A run resumes: prepared
sets, round trips and a detector at OUT/model trained as asked are kept. Prints the table of the held-out generators
(`evaluate`'s ROC AUC, recall and false-positive rate with 95% intervals, its best shortcut-audit probe and flag) and
leaves the detector at OUT/model: `aigen-detect predict OUT/model FILES` scores any image.

The held-out generators above have been looked at (RESULTS 23): they are now the development set. Fresh ones, scored
with `--fresh DIR2` (FRESH below: Midjourney, LDM, GLID-3-XL, DALL-E mini, Disco Diffusion, and SD's 2022 beta,
shown but not averaged), confirm a recipe chosen before their numbers exist: of the candidates (`--input npr` or
`rgb`, whole images for 4 epochs or `--crop 64 --epochs 16`, all with `--match-history`), the one with the highest
development mean ROC AUC over its 10 sets (RESULTS 24). It picked `rgb` in 64 px windows, at chance on the fresh
generators (0.497 mean ROC AUC); the residual (`npr`) scored 0.71-0.74 there and stays the default: a choice made
on the fresh numbers, so those sets are spent for choosing too.
Unseen modern generators (`--unseen DIR3`: Midjourney v8 and ~v4, Seedream 5, Gemini 3 Pro Image, FLUX.2, against
BSDS500's and GenImage's photos) tested the next rule, committed before their numbers (RESULTS 25): the highest
round-trip validation AUC, then the development mean over 15 sets. It picked `npr` on all 1,000 photos (the
defaults): 0.430 mean ROC AUC there, below chance; its scores follow how much each image was resized to 256 px.
`--layout crop` cuts every image out at its own resolution instead, so that no image is resampled. `--native` makes
the round trips from each photo's own file, then prepares them like the photo (the library's `vae-roundtrip-native`),
so that both classes are resized once alike: with it the detector cannot tell a photo from its round trip, and the
recipe chosen beforehand is at chance on four more unseen families (`--unseen2 DIR4`: DALL-E 3, FLUX.1, Imagen 4,
Grok-2; RESULTS 26).
`--match-history` stores each AI image that is not a JPEG as one of its dataset's real photos was stored (their side,
their JPEG tables; the library's `match_history`) before `prepare`, in training and test alike, so that neither the
detector nor the figures can lean on the file's history (most AI images are PNG, the photos JPEG).
"""
import argparse, os, shutil, tempfile, time, zlib
from pathlib import Path

import numpy as np, pandas as pd
from PIL import Image

from aigen_detect.data import DEFAULT_LAYOUT, LAYOUTS

TRAIN_GANS = ('biggan', 'crn', 'cyclegan', 'deepfake', 'gaugan')
TEST_GANS = ('imle', 'san', 'seeingdark', 'stargan', 'stylegan')
TRAINING = {'photos': ['photos/real/imagenet'],  # + their round trips, made here
            'sd14': ['sd14-portraits/fake/sd14', 'genimage-sd14/fake/sd14', 'portraits/real/unsplash'],
            **{f'gan-{g}': [f'gans/fake/{g}', f'gans/real/{g}'] for g in TRAIN_GANS}}
AI_ONLY = {**{g: [f'sd-family/fake/{g}'] for g in ('sd21', 'sdxl', 'dalle2')},  # scored against REFERENCE's photos
           **{g: [f'gpt-image/fake/{g}'] for g in ('gpt-4o', 'gpt-image-1')}}
REFERENCE = {'genimage-imagenet': ['genimage-sd14/real/imagenet']}  # real photos only, never trained on
OWN_REALS = {f'gan-{g}': [f'gans/fake/{g}', f'gans/real/{g}'] for g in TEST_GANS}  # held out, each with its reals
FAMILIES = {'sd21': 'latent diffusion', 'sdxl': 'latent diffusion', 'dalle2': 'DALL-E 2', 'gpt-4o': 'GPT',
            'gpt-image-1': 'GPT', **{g: 'GAN' for g in TEST_GANS}}  # of each held-out generator
# Fresh held-out generators (--fresh DIR2, DIR2/dcsan-imagen/fake/GENERATOR: /work/notes/fresh-sets.md), brought in
# after the development numbers above were seen, scored once per recipe, never used to choose one (RESULTS 24)
FRESH_FAMILIES = {'midjourney-2022': 'Midjourney', 'latent-diffusion': 'latent diffusion',
                  'glid-3-xl': 'latent diffusion', 'stabAI-fast-2022': 'latent diffusion',
                  'dalle-mini': 'VQGAN, autoregressive', 'disco-diffusion': 'pixel-space diffusion'}
FRESH = {g: [f'dcsan-imagen/fake/{g}'] for g in FRESH_FAMILIES}  # scored against REFERENCE's photos
PARTLY_SEEN = ('stabAI-fast-2022',)  # Stable Diffusion's 2022 beta: SD 1.4's kin, shown but left out of the means
# Unseen generators (--unseen DIR3: /work/notes/fresh2-sets.md), brought in after the fresh ones above had been seen
# (which made them development too), scored once per candidate after the choosing rule was committed (RESULTS 25)
UNSEEN_FAMILIES = {'midjourney-v8': 'Midjourney', 'midjourney-v4-2023': 'Midjourney', 'seedream-5-pro': 'Seedream',
                   'gemini-3-pro-image': 'Gemini', 'flux2': 'FLUX'}
UNSEEN = {g: [f'{s}/fake/{g}'] for s, g in (('mj-explore', 'midjourney-v8'), ('ai-bingo', 'midjourney-v4-2023'),
                                            ('seedream5-x', 'seedream-5-pro'), ('nbpro-gallery', 'gemini-3-pro-image'),
                                            ('flux2-mlx', 'flux2'))}  # scored against REFERENCE's and UNSEEN_REALS'
UNSEEN_REALS = {'bsds500': ['bsds500/real/bsds500']}  # 500 real photos (BSDS500), never trained on
# Unseen generators, round 2 (--unseen2 DIR4: /work/notes/fresh3-sets.md), brought in after RESULTS 25's figures,
# scored once per candidate after RESULTS 26's rule was committed; against the reals of --unseen, REFERENCE and these
UNSEEN2_FAMILIES = {'dalle3': 'DALL-E 3', 'flux1-dev': 'FLUX.1', 'imagen4': 'Imagen', 'grok2-image': 'Grok'}
UNSEEN2 = {'dalle3': ['bias5/fake/dalle3', 'dalle3-chatgpt/fake/dalle3'],
           **{g: [f'bias5/fake/{g}'] for g in ('flux1-dev', 'imagen4', 'grok2-image')}}
UNSEEN2_REALS = {'camera-jpeg': ['metadata-extractor/real/camera-jpeg']}  # 123 camera JPEGs as shot, never trained on
RECIPE = dict(arch='pixelcnn', inputs='npr', pretrained=False, augment='flip', epochs=4, bs=32, lr=2e-3)


def files_of(src, n=None):
    "The image files of folder `src`, sorted by name; `n`: that many, evenly spaced."
    files = sorted(p for p in src.iterdir() if p.is_file() and not p.name.startswith('.'))
    return files[::max(1, len(files) // n)][:n] if n else files


def link_tree(src, dst, n=None):
    "Hard links (copies across file systems) of the files of folder `src` in `dst`; `n`: that many, evenly spaced."
    link_files(files_of(src, n), dst)


def link_files(files, dst):
    "Hard links (copies across file systems) of `files` in folder `dst`, but for names it holds already."
    dst.mkdir(parents=True, exist_ok=True)
    for f in files:
        if not (dst/f.name).exists(): link_file(f, dst/f.name)


def link_file(f, dst):
    "A hard link of file `f` at `dst` (across file systems: a copy, written whole before it takes the name)."
    from aigen_detect.files import atomic_path
    try: os.link(f, dst)
    except OSError:
        with atomic_path(dst) as tmp: shutil.copy2(f, tmp)


def photo_histories(reals):
    "The `History` of each readable real photo file of `reals`; none readable: a one-line exit."
    from aigen_detect.generate import source_history
    if not (found := [h for f in reals if (h := source_history(f)) is not None]):
        raise SystemExit(f'--match-history: no readable real photo to match the AI images to ({len(reals)} files)')
    return found


def matched_tree(src, dst, histories, seed, layout=DEFAULT_LAYOUT):
    "The AI images of folder `src` in `dst` stored as if kept like a real photo each, of `histories` (drawn by the "
    "file's name and `seed`): the library's `match_history`, center-cropped and resized to that photo's short side "
    "(`layout` 'crop': its own pixels kept) and JPEG-encoded once with its tables, saved losslessly (PNG). An AI "
    "image that is a JPEG already, or that cannot be read (`prepare` lists it, with the reason), is linked as it is."
    from aigen_detect.data import BadImage, load_rgb
    from aigen_detect.files import atomic_path
    from aigen_detect.generate import match_history, source_history
    dst.mkdir(parents=True, exist_ok=True)
    for f in files_of(src):
        out = dst/(f.name if f.suffix.lower() == '.png' else f'{f.name}.png')  # a.png, a.webp: two names
        if out.exists() or (dst/f.name).exists(): continue
        try:
            if (h := source_history(f)) is None or h.qtables: raise BadImage('kept as it is')
            im = load_rgb(f)[0]
        except (BadImage, OSError):
            link_file(f, dst/f.name)
            continue
        pick = np.random.default_rng([seed, zlib.crc32(f.name.encode())]).integers(len(histories))
        with atomic_path(out) as tmp: match_history(im, histories[pick], layout).save(tmp, 'PNG')


def prepare_set(data, folders, out, name, role, size, seed, n=None, workers=2, histories=None, layout=DEFAULT_LAYOUT):
    "Prepare `folders` of `data` (SET/{real,fake}/GENERATOR) as one dataset `name` in `out`/data/`name` (kept if "
    "made), each image made square by `layout`; `histories`: the real photos' storage the AI images are given first "
    "(`matched_tree`)."
    from aigen_detect.prepare import prepare
    matched = lambda label: histories is not None and label == 'fake'
    # what a staged folder was made with is in its name, so that a resumed run with other options is refused
    suffix = lambda label: (('-matched' if matched(label) else f'-{n}' if n else '')
                            + ('' if layout == DEFAULT_LAYOUT else f'-{layout}'))
    raw = out/'raw'/name
    staged = {f'{label}/{s}-{gen}{suffix(label)}' for s, label, gen in (Path(r).parts for r in folders)}
    found = {p.relative_to(raw).as_posix() for p in raw.glob('*/*')}
    prepared = (out/'data'/name/'manifest.csv').exists()
    if found != staged if prepared else found - staged:  # a resumed run: staged (and prepared) from these folders
        raise SystemExit(f"{raw}: staged from other folders or options than {', '.join(folders)} (with "
                         f"--match-history {'on' if histories is not None else 'off'}, --layout {layout}"
                         f"{f', {n} files' if n else ''}): remove it and {out/'data'/name}")
    if prepared: return out/'data'/name
    for rel in folders:
        s, label, gen = Path(rel).parts
        if not (data/rel).is_dir(): raise SystemExit(f"{data/rel}: missing; run ../shared/tools/extract-images.py")
        if matched(label): matched_tree(data/rel, raw/label/f'{s}-{gen}{suffix(label)}', histories, seed, layout)
        else: link_tree(data/rel, raw/label/f'{s}-{gen}{suffix(label)}', n)
    gens = {Path(rel).parts[2] for rel in folders if Path(rel).parts[1] == 'fake'}
    if len(gens) > 1: raise ValueError(f'{name}: one generator a dataset, not {sorted(gens)}')
    prepare(raw, out/'data'/name, dataset=name, size=size, role=role, seed=seed, generator=next(iter(gens), None),
            workers=workers, layout=layout)
    return out/'data'/name


ROUND_TRIPS = ('vae-roundtrip', 'vae-roundtrip-native')  # of the prepared photos, or of their own files (--native)


def round_trips(dataset, generator):
    "The library's round-trip `generator` (one of ROUND_TRIPS, or such a generator object) on every photo of "
    "`dataset`; refused where it holds the other kind of round trips."
    from aigen_detect.data import read_manifest
    from aigen_detect.generate import generate
    kind = getattr(generator, 'kind', generator)
    if (other := set(read_manifest(dataset/'manifest.csv').generator) & (set(ROUND_TRIPS) - {kind})):
        raise SystemExit(f'{dataset}: holds {other.pop()} round trips, not {kind}: use another --keep')
    t0 = time.perf_counter()
    s = generate(dataset, generator=generator, progress=False)
    print(f'round trips: {s}, {time.perf_counter() - t0:.0f} s', flush=True)


def trained_detector(train_dirs, model_dir, recipe):
    "Train the detector into `model_dir` as `recipe` says, unless one trained so on these images is there (kept)."
    from aigen_detect.pipeline import training_differences
    from aigen_detect.train import train, training_rows
    if (model_dir/'model.safetensors').exists():
        if diffs := training_differences(model_dir, recipe, training_rows(train_dirs)):
            raise SystemExit(f"{model_dir} holds a detector trained otherwise ({'; '.join(diffs)}): remove it")
        return print(f'{model_dir}: kept (trained as asked, on these images)', flush=True)
    t0 = time.perf_counter()
    train(train_dirs, model_dir, **recipe)
    print(f'trained in {time.perf_counter() - t0:.0f} s', flush=True)


def held_out_rows(model_dir, training_dirs, evaluations, out, families, n_boot=1000, robustness_n=20):
    "`evaluate`'s rows of the held-out generators of `families`, and of the training generators' validation images "
    "(which alone choose the threshold): each of `evaluations` ({name: dataset dirs}) evaluated into `out`/name "
    "beside `training_dirs`."
    from aigen_detect.results import evaluate
    tables = [evaluate([model_dir], training_dirs + dirs, out=out/name, threshold='valid', n_boot=n_boot,
                       robustness_n=robustness_n) for name, dirs in evaluations.items()]
    table = pd.concat([t[t.generator.isin(families)] for t in tables], ignore_index=True)
    if table.seen.any() or table.threshold.nunique() != 1 or set(table.generator) != set(families):
        raise SystemExit(f'held-out rows not as planned: {table[["test_set", "seen", "threshold"]].to_dict("records")}')
    return table, tables[0][tables[0].seen]


def held_out_table(table, families, left_out=()):
    "Print the held-out generators' `evaluate` rows `table` and the mean ROC AUC over sets and over `families` "
    "(the generators `left_out` shown, not averaged)."
    cell = lambda k, d=2: table.apply(lambda r: f'{r[k]:.{d}f} [{r[k + "_lo"]:.{d}f}, {r[k + "_hi"]:.{d}f}]', axis=1)
    flagged = np.where(table.file_explains.fillna(False).astype(bool), ' (flagged)', '')
    family = table.generator.map(families)
    shown = pd.DataFrame({'held-out generator': table.generator, 'family': family, 'n AI / real':
                          table.n_ai.astype(str) + ' / ' + table.n_real.astype(str), 'reals': table.reals,
                          'ROC AUC': cell('roc_auc'), 'recall': cell('recall'), 'FPR': cell('fpr'),
                          'file probe': table.probe + ' ' + table.probe_accuracy.map('{:.2f}'.format) + flagged})
    print(shown.to_markdown(index=False))
    kept = ~table.generator.isin(left_out)
    by_family = table.roc_auc[kept].groupby(family[kept]).mean()
    print(f"threshold {table.threshold.iloc[0]:.3f} (chosen on the training generators' validation images); mean ROC "
          f"AUC over {kept.sum()} held-out sets {table.roc_auc[kept].mean():.3f}"
          + (f" ({', '.join(left_out)} left out)" if left_out else '') + '; over families '
          + ', '.join(f'{k} {v:.3f}' for k, v in by_family.items())
          + f'; mean of the family means {by_family.mean():.3f}')


def predict_seconds(model_dirs, files, rounds=3):
    "Median seconds an image of `load_detector(d).predict` over `files`, end to end, for each of `model_dirs`, the "
    "models in turn each round (this VM's speed drifts)."
    from aigen_detect.detect import all_read, load_detector
    detectors, seconds = [load_detector(d) for d in model_dirs], [[] for _ in model_dirs]
    for _ in range(rounds):
        for det, times in zip(detectors, seconds):
            t0 = time.perf_counter()
            all_read(det.predict([str(f) for f in files]))
            times.append((time.perf_counter() - t0) / len(files))
    return [float(np.median(t)) for t in seconds]


def print_prediction_speed(model_dir, out, size):
    "Print the seconds an image of the detector at `model_dir` on 100 of `out`'s prepared SD 2.1 images (`size` px)."
    files = sorted((out/'data'/'sd21'/'ai').rglob('*.jpg'))[:100]
    print(f'prediction: {predict_seconds([model_dir], files)[0]:.4f} s an image ({len(files)} SD 2.1 images, '
          f'{size} px)')


def toy_data(root, n=6, side=48, seed=0, folders=None):
    "Random images in extract-images.py's layout, for --quick: `folders` (default: every folder the split names), "
    "`n` images each."
    rng = np.random.default_rng(seed)
    splits = (TRAINING, AI_ONLY, REFERENCE, OWN_REALS, FRESH, UNSEEN, UNSEEN_REALS, UNSEEN2, UNSEEN2_REALS)
    for rel in sorted(folders or {r for sets in splits for f in sets.values() for r in f}):  # sorted: the same images
        (root/rel).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            im = rng.integers(0, 256, (side, side, 3), dtype=np.uint8)
            if '/fake/' in rel: im[::2, ::2] = im[::2, ::2] // 2  # something to learn
            jpeg = '/real/' in rel or rel.startswith('gans/')  # as the real sets: photos and the GANs are JPEGs
            Image.fromarray(im).save(root/rel/f'{i}.{"jpg" if jpeg else "png"}', quality=90)
    return root


def real_files(data, folders):
    "The files of the real/ folders among `folders` of `data`."
    return [f for rel in folders if Path(rel).parts[1] == 'real' for f in files_of(data/rel)]


def run(data, out, size, recipe, round_trip='vae-roundtrip', n_boot=1000, seed=42, photos=None, robustness_n=20,
        workers=2, match=False, fresh=None, round_trips_only=False, unseen=None, layout=DEFAULT_LAYOUT,
        unseen2=None):
    "Prepare, make the round trips, train on the training generators, score the held-out ones; their `evaluate` rows. "
    "`match`: every AI image that is not a JPEG is first stored like one of its dataset's real photos (an AI-only "
    "dataset: like one of REFERENCE's), so that the file's history tells the classes apart no more. `fresh`: the "
    "folder of the FRESH sets, scored too (against REFERENCE's photos), in a table of their own. `round_trips_only`: "
    "trained on the photos and their round trips alone (no SD 1.4, no GANs). `unseen`: the folder of the UNSEEN "
    "sets, scored against REFERENCE's and UNSEEN_REALS' photos. `layout`: how `prepare` makes every image square. "
    "`round_trip`: the round trips' generator (ROUND_TRIPS), or a generator object. `unseen2`: the folder of the "
    "UNSEEN2 sets, scored against the reals of `unseen` (needed), REFERENCE and UNSEEN2_REALS."
    reference = photo_histories(real_files(data, sum(REFERENCE.values(), []))) if match else None  # read once
    histories = lambda folders, root: photo_histories(own) if (own := real_files(root, folders)) else reference
    has_ai = lambda folders: any(Path(rel).parts[1] == 'fake' for rel in folders)
    prep = lambda sets, role, root=data: [prepare_set(root, f, out, n, role, size, seed,
                                                      photos if n == 'photos' else None, workers,
                                                      histories(f, root) if match and has_ai(f) else None, layout)
                                          for n, f in sets.items()]
    train_dirs = prep({'photos': TRAINING['photos']} if round_trips_only else TRAINING, 'train')
    round_trips(train_dirs[0], round_trip)
    # the GANs' reals apart: `evaluate` pools every real of the split for an AI-only set
    evaluations = {'ai-only': prep(AI_ONLY, 'test') + prep(REFERENCE, 'test'), 'own-reals': prep(OWN_REALS, 'test')}
    trained_detector(train_dirs, out/'model', recipe | dict(size=size, seed=seed))
    table, validation = held_out_rows(out/'model', train_dirs, evaluations, out/'evaluation', FAMILIES, n_boot,
                                      robustness_n)
    print('validation ROC AUC (training generators): '
          + ', '.join(f'{g} {v:.3f}' for g, v in validation.groupby('generator').roc_auc.mean().items()))
    held_out_table(table, FAMILIES)
    score = lambda name, sets, families: held_out_rows(out/'model', train_dirs, {name: sets}, out/'evaluation',
                                                       families, n_boot, robustness_n)[0]
    if fresh:
        print("RESULTS 24's fresh generators (development since):")
        fresh_table = score('fresh', prep(FRESH, 'test', fresh) + prep(REFERENCE, 'test'), FRESH_FAMILIES)
        held_out_table(fresh_table, FRESH_FAMILIES, PARTLY_SEEN)
        dev = pd.concat([table, fresh_table[~fresh_table.generator.isin(PARTLY_SEEN)]])
        print(f'development: mean ROC AUC over {len(dev)} sets {dev.roc_auc.mean():.3f}')
    if unseen:
        print('unseen generators (RESULTS 25: never used to choose the recipe):')
        unseen_sets = prep(UNSEEN, 'test', unseen) + prep(REFERENCE, 'test') + prep(UNSEEN_REALS, 'test', unseen)
        held_out_table(score('unseen', unseen_sets, UNSEEN_FAMILIES), UNSEEN_FAMILIES)
    if unseen2:
        print('unseen generators, round 2 (RESULTS 26: never used to choose the recipe):')
        reals = prep(REFERENCE, 'test') + prep(UNSEEN_REALS, 'test', unseen) + prep(UNSEEN2_REALS, 'test', unseen2)
        held_out_table(score('unseen2', prep(UNSEEN2, 'test', unseen2) + reals, UNSEEN2_FAMILIES), UNSEEN2_FAMILIES)
    print_prediction_speed(out/'model', out, size)
    return table


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', help='DIR as extract-images.py leaves it')
    p.add_argument('--keep', help='OUT: prepared data, the detector (OUT/model) and the evaluation')
    p.add_argument('--taef2', help="a folder with taef2's two files (default: $AIGEN_DETECT_TAEF2, else download)")
    p.add_argument('--photos', type=int, help='round trips of this many photos (evenly spaced by name; default all)')
    p.add_argument('--epochs', type=int, default=RECIPE['epochs'])
    p.add_argument('--input', default=RECIPE['inputs'], choices=('npr', 'rgb'),
                   help="the network's input: the upsampling residual (npr) or the image itself (rgb)")
    p.add_argument('--augment', default=RECIPE['augment'], choices=('flip', 'robust'),
                   help="train's augmentation: flips, or flips with random blur and JPEG (Wang et al. 2020)")
    p.add_argument('--crop', type=int, help="train on random PX windows, predict the mean logit of the PX tiles "
                   "(train's `crop`; default: whole images)")
    p.add_argument('--round-trips-only', action='store_true',
                   help='train on the photos and their round trips alone (no SD 1.4, no GANs)')
    p.add_argument('--layout', default=DEFAULT_LAYOUT, choices=LAYOUTS, help="prepare's: every image resized to "
                   "256 px, or its central 256 px cut out at its own resolution ('crop': smaller ones are listed)")
    p.add_argument('--native', action='store_true', help="round trips of each photo's own file at its own size, "
                   "prepared like the photo after (the library's vae-roundtrip-native), not of the prepared photo")
    p.add_argument('--match-history', action='store_true', help="store each AI image that is not a JPEG like a real "
                   "photo of its dataset first (its side, its JPEG tables), as a file-history control")
    p.add_argument('--fresh', help='DIR2: score the FRESH sets of DIR2 too (DIR2/dcsan-imagen/fake/GENERATOR)')
    p.add_argument('--unseen', help='DIR3: score the UNSEEN sets of DIR3 too (DIR3/SET/{fake,real}/GENERATOR)')
    p.add_argument('--unseen2', help='DIR4: score the UNSEEN2 sets of DIR4 too (DIR4/SET/{fake,real}/GENERATOR; '
                   'with --unseen, whose real photos they are scored against too)')
    p.add_argument('--quick', action='store_true', help='tiny random data and autoencoder, as CI runs it')
    a = p.parse_args()
    if not a.quick and not (a.data and a.keep): p.error('--data and --keep are needed (or --quick)')
    if a.unseen2 and not a.unseen: p.error('--unseen2 needs --unseen (its sets are scored against its photos too)')
    if a.taef2:
        from aigen_detect.roundtrip import TAEF2_ENV
        os.environ[TAEF2_ENV] = a.taef2
    recipe = RECIPE | dict(epochs=a.epochs, crop=a.crop, inputs=a.input, augment=a.augment)
    if not a.quick: return run(Path(a.data), Path(a.keep), 256, recipe, ROUND_TRIPS[a.native], photos=a.photos,
                               match=a.match_history, fresh=a.fresh and Path(a.fresh),
                               round_trips_only=a.round_trips_only, unseen=a.unseen and Path(a.unseen), layout=a.layout,
                               unseen2=a.unseen2 and Path(a.unseen2))
    from aigen_detect.roundtrip import NativeRoundTrip, VAERoundTrip
    print('QUICK: random toy images and a random tiny autoencoder, to run the code path (--match-history on); '
          'its figures mean nothing')
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(a.keep) if a.keep else Path(tmp)/'out'
        # one photo: the random autoencoder's round trips are all but the same image, which no two splits may share
        run(toy_data(Path(tmp)/'data'), out, 32, recipe | dict(epochs=1, num_workers=0),
            (NativeRoundTrip if a.native else VAERoundTrip).tiny(), n_boot=50,
            photos=1, robustness_n=2, workers=1, match=True, fresh=Path(tmp)/'data', unseen=Path(tmp)/'data',
            round_trips_only=a.round_trips_only, layout=a.layout, unseen2=Path(tmp)/'data')


if __name__ == '__main__': main()
