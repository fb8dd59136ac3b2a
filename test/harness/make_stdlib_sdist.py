#!/usr/bin/env python3
"""Builds an sdist that pip can build and install with no network and no
build tools: its PEP 517 backend is in the tree (backend-path) and uses the
standard library only, and it requires nothing to build (`requires = []`).

Why not test/fixtures/make_dist.py's sdists: they build with setuptools, and
the setuptools that a fresh Python 3.11 venv carries (65.x) needs the
`wheel` package for `bdist_wheel`, which the venv lacks and PyPI (offline)
can not supply. Those sdists upload fine; this one is for `pip install` and
`pip download` from source.

The package looks like make_dist.py's: module <norm name> with __version__
and NAME, the same core metadata (Name, Version, Summary, Requires-Python,
Requires-Dist).

usage: make_stdlib_sdist.py OUTDIR NAME VERSION [--requires REQ ...] [--requires-python SPEC]
Prints the path of the file it wrote.
"""
import argparse, io, os, re, tarfile

BACKEND = r'''
"""A stdlib-only PEP 517 backend for test sdists: wheels of PKG-INFO + the package."""
import base64, hashlib, os, re, zipfile

def _read(path):
    with open(path, "rb") as f:
        return f.read()

def _info():
    meta = _read("PKG-INFO")
    fields = dict(l.split(": ", 1) for l in meta.decode().splitlines() if ": " in l)
    norm = re.sub(r"[-_.]+", "_", fields["Name"]).lower()
    return meta, norm, f"{norm}-{fields['Version']}"

WHEEL = b"Wheel-Version: 1.0\nGenerator: stdlib_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"

def get_requires_for_build_wheel(config_settings=None):
    return []

def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    meta, _, dist = _info()
    info = os.path.join(metadata_directory, f"{dist}.dist-info")
    os.makedirs(info, exist_ok=True)
    for name, data in (("METADATA", meta), ("WHEEL", WHEEL)):
        with open(os.path.join(info, name), "wb") as f:
            f.write(data)
    return f"{dist}.dist-info"

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    meta, norm, dist = _info()
    info = f"{dist}.dist-info"
    files = {}
    for root, _, names in os.walk(norm):
        for n in sorted(names):
            path = os.path.join(root, n)
            files[path.replace(os.sep, "/")] = _read(path)
    files[f"{info}/METADATA"] = meta
    files[f"{info}/WHEEL"] = WHEEL
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    name = f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in files.items():
            z.writestr(path, data)
    return name
'''


def norm(name):
    return re.sub(r"[-_.]+", "_", name).lower()


def metadata(a):
    lines = ["Metadata-Version: 2.1", f"Name: {a.name}", f"Version: {a.version}", f"Summary: test package {a.name}"]
    if a.requires_python:
        lines.append(f"Requires-Python: {a.requires_python}")
    lines += [f"Requires-Dist: {r}" for r in a.requires]
    return "\n".join(lines) + "\n\n"


p = argparse.ArgumentParser()
p.add_argument("outdir")
p.add_argument("name")
p.add_argument("version")
p.add_argument("--requires", action="append", default=[])
p.add_argument("--requires-python")
a = p.parse_args()
os.makedirs(a.outdir, exist_ok=True)
base = f"{norm(a.name)}-{a.version}"
files = {
    "PKG-INFO": metadata(a).encode(),
    "pyproject.toml": b'[build-system]\nrequires = []\nbuild-backend = "stdlib_backend"\nbackend-path = ["_backend"]\n',
    "_backend/stdlib_backend.py": BACKEND.lstrip().encode(),
    f"{norm(a.name)}/__init__.py": f'__version__ = "{a.version}"\nNAME = "{a.name}"\n'.encode(),
}
out = os.path.join(a.outdir, f"{base}.tar.gz")
with tarfile.open(out, "w:gz") as t:
    for path, data in files.items():
        ti = tarfile.TarInfo(f"{base}/{path}")
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
print(out)
