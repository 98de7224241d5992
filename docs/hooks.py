"""MkDocs hooks: the site's pages are the notebooks in `nbs/` and one API page per module of `aigen_detect/`.

Both lists are read at build time, so a notebook that is added or renamed, or a module that is new, needs no
edit here or in `mkdocs.yml`. Nothing is executed: the pages show the outputs stored in the notebooks (the stage
notebooks' Run sections, saved by `python docs/save_outputs.py`). The nbdev directives are applied the way
`nbdev-docs` applies them: `#| hide` cells and `#| default_exp` cells are dropped, `#| echo: false` hides a cell's
code, `#| output: false` its outputs, and directive lines are removed.
"""
import json
import logging
import re
import shutil
from pathlib import Path
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
NBS, LIB = ROOT/'nbs', ROOT/'aigen_detect'
PROCESSED = ROOT/'.cache'/'docs-nbs'  # the notebooks as the site shows them (git-ignored)
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
    for nb in nbs:
        d = process_notebook(json.loads(nb.read_text(encoding='utf-8')))
        (PROCESSED/nb.name).write_text(json.dumps(d), encoding='utf-8')
        files.append(File(nb.name, str(PROCESSED), config['site_dir'], config['use_directory_urls']))
    for m in modules():
        files.append(File.generated(config, f'api/{m}.md', content=f'# aigen_detect.{m}\n\n::: aigen_detect.{m}\n'))
    return files
