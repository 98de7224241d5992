"""The file list of github.com/EliSchwartz/imagenet-sample-images at commit bc69043e (the 1,000 ImageNet sample
photos, one a class) with each file's size and sha256, from a bare git snapshot of that repository, for a
download-and-check of each file from raw.githubusercontent.com/EliSchwartz/imagenet-sample-images/COMMIT/NAME
(the list packaged as aigen_detect/configs/imagenet-sample-images.csv, which the `imagenet-sample` source reads):

    python bench/explore/imagenet_sample_csv.py /work/.mirror/EliSchwartz+imagenet-sample-images/repo \
        aigen_detect/configs/imagenet-sample-images.csv
"""
import csv, hashlib, subprocess, sys

COMMIT = 'bc69043e2862758a1906c6a24a792bb28c6bb2ff'


def rows(git_dir, commit=COMMIT):
    "(name, bytes, sha256) of every *.JPEG file at `commit`, checked against git's size."
    git = ['git', f'--git-dir={git_dir}']
    for line in subprocess.run([*git, 'ls-tree', '-r', '-l', commit], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        meta, name = line.split('\t', 1)
        _, kind, blob, size = meta.split()
        if kind != 'blob' or not name.endswith('.JPEG'): continue
        data = subprocess.run([*git, 'cat-file', 'blob', blob], capture_output=True, check=True).stdout
        assert len(data) == int(size), name
        yield name, int(size), hashlib.sha256(data).hexdigest()


if __name__ == '__main__':
    out = list(rows(sys.argv[1]))
    assert len(out) == 1000, len(out)
    with open(sys.argv[2], 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['name', 'bytes', 'sha256'])
        w.writerows(out)
    print(f'{len(out)} files, {sum(r[1] for r in out):,} bytes')
