"""Run the stage notebooks' Run sections as a reader would, and store their outputs in the notebooks.

    python docs/save_outputs.py                  # cpu mode: 01_data ... 04_results, files under ./aigen-detect
    python docs/save_outputs.py --mode demo 03_train --root /tmp/demo

Each notebook runs in a fresh process, in its own folder, from its first cell to the end of its `## Run` section (the
set-up and the stage itself; the explanations and tests after it are not run), with `AIGEN_DETECT_MODE` and
`AIGEN_DETECT_ROOT` set. Those cells' outputs are then written into `nbs/NAME.ipynb`, every other cell's cleared,
with a line under the Run heading saying which command, commit and machine made them. The stages' files stay under
`--root`, so running it again resumes (a finished stage is skipped). GitHub, Colab and the docs site show these stored
outputs: nothing is executed to build the docs. In cpu mode without the network, `AIGEN_DETECT_PHOTOS` and
`AIGEN_DETECT_TAEF2` name local copies of the photos and the autoencoder (see `05_pipeline`).
"""
import argparse, json, os, platform, re, subprocess, sys, time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT/'nbs'
STAGES = ('01_data', '02_generate', '03_train', '04_results')
NOTE_ID = 'saved-outputs'  # the id of the markdown cell, under the Run heading, that says how the outputs were made


def _source(cell): return ''.join(cell['source'])


def run_section(cells):
    "Index range `(start, stop)` of the `## Run` section of `cells` (its heading's cell to the next `## ` heading)."
    heads = [i for i, c in enumerate(cells) if c['cell_type'] == 'markdown'
             and any(line.startswith('## ') for line in _source(c).splitlines())]
    start = next((i for i in heads if any(line.startswith('## Run') for line in _source(cells[i]).splitlines())), None)
    if start is None: raise SystemExit('no `## Run` section in the notebook')
    return start, next((i for i in heads if i > start), len(cells))


def execute(src, dest):
    "Run the cells of notebook `src` up to the end of its Run section, in `src`'s folder; write them to `dest`."
    from fastcore.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    nb = read_nb(src)
    nb.cells = nb.cells[:run_section(nb.cells)[1]]
    os.chdir(Path(src).parent)
    sys.path.insert(0, str(ROOT))
    shell = CaptureShell(src)
    shell.run_all(nb, exc_stop=True, preproc=lambda c: c.cell_type != 'code' or _source(c).startswith('#| hide'))
    write_nb(nb, dest)


def _commit():
    r = subprocess.run(['git', 'describe', '--always', '--dirty'], cwd=ROOT, capture_output=True, text=True)
    return r.stdout.strip() or 'unknown'


def _note(mode, seconds):
    cpu = f'{os.cpu_count()}-core {platform.machine()} CPU'
    return {'cell_type': 'markdown', 'id': NOTE_ID, 'metadata': {},
            'source': [f'*The outputs below were saved by `python docs/save_outputs.py --mode {mode}` on '
                       f'{date.today()}, commit {_commit()}, {cpu}, {seconds:.0f} s for this notebook.*']}


def store(nb_path, executed, mode, seconds):
    "Write the outputs of `executed`'s cells into the notebook at `nb_path`; clear every other cell's; add the note."
    nb = json.loads(nb_path.read_text(encoding='utf-8'))
    outputs = {c['id']: c.get('outputs', []) for c in json.loads(executed.read_text(encoding='utf-8'))['cells']
               if c['cell_type'] == 'code'}
    cells = [c for c in nb['cells'] if c.get('id') != NOTE_ID]
    start, stop = run_section(cells)
    for i, c in enumerate(cells):
        if c['cell_type'] != 'code': continue
        keep = start < i < stop or i < start and outputs.get(c['id'])  # the set-up's messages (mode, folder) too
        c['outputs'] = [o for o in map(_clean, outputs.get(c['id'], [])) if o.get('text', True)] if keep else []
        c['execution_count'] = None
    cells.insert(start + 1, _note(mode, seconds))
    nb['cells'] = cells
    nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')


_PROGRESS = re.compile(r'[^\n]*(?:\||█)[ █-]*\|? *\d+\.\d+% \[[^\n]*')  # a text progress bar (fastprogress, tqdm)
_BAR_LEFT = re.compile(r'Epoch \d+/\d+ :')  # what a finished fastprogress bar leaves on its line


def _clean(output):
    "An output as stored: no execution count (readers do not run it in this order), no text progress bars."
    if output.get('output_type') == 'execute_result': output = dict(output, execution_count=None)
    if output.get('output_type') == 'stream':
        text = ''.join(output['text']).replace('\r', '\n')
        lines = [line for line in _PROGRESS.sub('', text).split('\n')
                 if line.strip() and '█' not in line and not _BAR_LEFT.fullmatch(line.strip())]
        output = dict(output, text='\n'.join(lines) + '\n' if lines else '')
    return output


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('notebooks', nargs='*', default=STAGES, help='stage notebooks, by name (default: all four)')
    p.add_argument('--mode', default='cpu', choices=('cpu', 'demo', 'paper'))
    p.add_argument('--root', default='aigen-detect', help="the run's files (default ./aigen-detect, git-ignored)")
    args = p.parse_args()
    env = dict(os.environ, AIGEN_DETECT_MODE=args.mode, AIGEN_DETECT_ROOT=str(Path(args.root).absolute()))
    scratch = Path(args.root).absolute()/'.executed'
    scratch.mkdir(parents=True, exist_ok=True)
    for name in args.notebooks:
        src, out, t0 = NBS/f'{Path(name).stem}.ipynb', scratch/f'{Path(name).stem}.ipynb', time.time()
        r = subprocess.run([sys.executable, __file__, '--execute', str(src), str(out)], env=env)
        if r.returncode: raise SystemExit(f'{src.name} failed (above); its stored outputs are unchanged')
        store(src, out, args.mode, time.time() - t0)
        print(f'{src.name}: outputs stored ({time.time() - t0:.0f} s)')


if __name__ == '__main__':
    if sys.argv[1:2] == ['--execute']: execute(*sys.argv[2:4])
    else: main()
