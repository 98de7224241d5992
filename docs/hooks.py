"""MkDocs hooks: the site's pages are the notebooks in `nbs/` and one API page per module of `aigen_detect/`.

Both lists are read at build time, so a notebook that is added or renamed, or a module that is new, needs no
edit here or in `mkdocs.yml`. The notebooks are stored without outputs, so with `AIGEN_DETECT_DOCS_EXECUTE=1` (CI
sets it) each is first executed as `nbdev-test` executes it (`execute_notebook`), in a process of its own, and the
site shows its outputs (tables, figures); without it (a quick `mkdocs serve`) the pages show code and prose only.
Then the nbdev directives are applied the way `nbdev-docs` applies them: `#| hide` cells and `#| default_exp` cells
are dropped, `#| echo: false` hides a cell's code, `#| output: false` its outputs, and directive lines are removed.
"""
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
NBS, LIB = ROOT/'nbs', ROOT/'aigen_detect'
PROCESSED = ROOT/'.cache'/'docs-nbs'  # the notebooks as the site shows them (git-ignored)
EXECUTED = ROOT/'.cache'/'docs-executed'  # the notebooks with outputs, by content hash (git-ignored)
log = logging.getLogger('mkdocs.hooks.aigen_detect')
_directive = re.compile(r'^\s*#\s*\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')

def _directives(src):
    "The `#| name value` directives at the top of a cell's source, and the source without them."
    lines, ds = src.splitlines(keepends=True), {}
    while lines and (m := _directive.match(lines[0])):
        ds[m[1].lower()] = m[2].lower()
        lines.pop(0)
    return ds, ''.join(lines)

def _falsy(v): return v in ('false', 'no', '0')

def process_notebook(nb):
    "`nb` (a notebook dict) as `nbdev-docs` shows it."
    cells = []
    for c in nb['cells']:
        if c['cell_type'] != 'code':
            cells.append(c)
            continue
        ds, src = _directives(''.join(c['source']))
        if 'hide' in ds or 'default_exp' in ds or _falsy(ds.get('include', '')): continue
        if 'export' in ds and not src.strip(): continue
        meta = {k: v for k, v in c.get('metadata', {}).items() if k != 'execution'}  # CaptureShell's timings
        c = dict(c, source=src.rstrip('\n'), metadata=meta)
        if _falsy(ds.get('echo', '')): c['metadata'] = dict(c.get('metadata', {}), tags=['hide-input'])
        if _falsy(ds.get('output', '')): c['outputs'] = []
        cells.append(c)
    return dict(nb, cells=cells)

def execute_notebook(src, dest):
    "Run notebook `src` as `nbdev-test` does and write it, with its outputs, to `dest`; raise if a cell fails."
    from execnb.shell import CaptureShell
    from fastcore.nbio import write_nb
    from nbdev.config import get_config
    from nbdev.process import NBProcessor
    from nbdev.test import _skip_cell  # test_nb's own predicate: `tst_flags` (`#| slow`) and `#| eval: false` cells
    src, cfg = Path(src).absolute(), get_config(ROOT)
    skip = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else cfg.tst_flags
    nb = NBProcessor(src, rm_directives=False, process=True).nb
    os.environ['IN_TEST'] = '1'
    sys.path.insert(0, str(ROOT))
    shell, cwd = CaptureShell(src, profile=bool(cfg.exec_profile)), os.getcwd()
    os.chdir(src.parent)
    try: shell.run_all(nb, exc_stop=True, preproc=_skip_cell(nb, skip), cell_timeout=cfg.cell_timeout or None)
    except Exception:
        import traceback
        sys.stderr.write((shell.prettytb(fname=src) or traceback.format_exc()) + '\n')
        raise SystemExit(1)
    finally: os.chdir(cwd)
    write_nb(nb, dest)

def _digest(nb):
    "What a notebook's outputs depend on: its text, the library's files, the project's config and this file."
    h = hashlib.sha256(nb.read_bytes())
    for p in sorted(LIB.rglob('*')) + [ROOT/'pyproject.toml', Path(__file__)]:
        if p.is_file() and '__pycache__' not in p.parts: h.update(str(p.relative_to(ROOT)).encode() + p.read_bytes())
    return h.hexdigest()[:16]

def executed(nbs):
    "{notebook: its executed copy}: each of `nbs` run in turn in a process of its own, reused while `_digest` holds."
    EXECUTED.mkdir(parents=True, exist_ok=True)
    out = {nb: EXECUTED/f'{nb.stem}-{_digest(nb)}.ipynb' for nb in nbs}
    for p in set(EXECUTED.glob('*.ipynb')) - set(out.values()): p.unlink()
    todo = [nb for nb in nbs if not out[nb].exists()]
    if not todo: return out
    work = Path(tempfile.mkdtemp(prefix='aigen-detect-docs-'))
    # the stage notebooks' Run sections: demo mode, files in a temporary folder (not nbs/aigen-detect)
    env = dict(os.environ, AIGEN_DETECT_ROOT=str(work/'root'), AIGEN_DETECT_MODE='demo')

    def run(nb):
        t0, tmp = time.time(), work/nb.name
        r = subprocess.run([sys.executable, __file__, str(nb), str(tmp)], env=env, cwd=ROOT, capture_output=True,
                           text=True)
        if r.returncode: return f'{nb.name} failed:\n{(r.stderr or r.stdout)[-6000:]}'
        tmp.replace(out[nb])
        log.info(f'Executed {nb.name} in {time.time() - t0:.0f} s')

    try: errors = [e for e in map(run, todo) if e]  # one at a time, like `nbdev-test --n-workers 1`: ROOT is shared
    finally: shutil.rmtree(work, ignore_errors=True)
    if errors: raise PluginError('executing the notebooks for the docs:\n' + '\n'.join(errors))
    return out

def notebooks():
    "The notebooks in `nbs/`, in name order with `index.ipynb` first."
    return sorted(NBS.glob('*.ipynb'), key=lambda p: (p.stem != 'index', p.name))

def modules():
    "The public modules of `aigen_detect/`, in notebook order (the module named in each notebook's `default_exp`)."
    found = {p.stem for p in LIB.glob('*.py') if not p.name.startswith('_')}
    order = []
    for nb in notebooks():
        for c in json.loads(nb.read_text(encoding='utf-8'))['cells']:
            if c['cell_type'] == 'code' and (m := re.search(r'^#\|\s*default_exp\s+(\S+)', ''.join(c['source']), re.M)):
                if m[1] in found and m[1] not in order: order.append(m[1])
    return order + sorted(found - set(order))

def title(nb):
    "The notebook's first `# ` heading up to any colon (`# Data: real photos...` is `Data`), else its name."
    for c in json.loads(nb.read_text(encoding='utf-8'))['cells']:
        if c['cell_type'] == 'markdown':
            for line in ''.join(c['source']).splitlines():
                if line.startswith('# '): return line[2:].split(':')[0].strip()
    return nb.stem

def on_config(config):
    nbs = [{('Home' if nb.stem == 'index' else title(nb)): nb.name} for nb in notebooks()]
    config['nav'] = nbs + [{'API reference': [{f'aigen_detect.{m}': f'api/{m}.md'} for m in modules()]}]
    return config

@event_priority(100)  # before mkdocs-jupyter, which turns the .ipynb files into pages
def on_files(files, config):
    if PROCESSED.exists(): shutil.rmtree(PROCESSED)
    PROCESSED.mkdir(parents=True)
    for f in [f for f in files if f.src_uri.endswith('.ipynb')]: files.remove(f)
    nbs = notebooks()
    src = executed(nbs) if os.environ.get('AIGEN_DETECT_DOCS_EXECUTE') == '1' else {nb: nb for nb in nbs}
    for nb in nbs:
        d = process_notebook(json.loads(src[nb].read_text(encoding='utf-8')))
        (PROCESSED/nb.name).write_text(json.dumps(d), encoding='utf-8')
        files.append(File(nb.name, str(PROCESSED), config['site_dir'], config['use_directory_urls']))
    for m in modules():
        files.append(File.generated(config, f'api/{m}.md', content=f'# aigen_detect.{m}\n\n::: aigen_detect.{m}\n'))
    return files

if __name__ == '__main__': execute_notebook(*sys.argv[1:])  # `executed` runs each notebook so: python hooks.py NB OUT
