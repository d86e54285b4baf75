"""runtime.ipfs as a package: each module declares __all__ and imports alone, and a file built into a
DAG reads back whole. (__all__ itself is checked for every package by tests/test_public_api.py.)"""

import importlib
import pkgutil
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

import runtime.ipfs as ipfs
from runtime.ipfs import build_dag, read_file

MODULES = sorted(m.name for m in pkgutil.iter_modules(ipfs.__path__))


def test_each_module_declares_all():
    for name in MODULES:
        module = importlib.import_module(f"runtime.ipfs.{name}")
        assert isinstance(getattr(module, "__all__", None), list), name


IMPORT_EACH_ALONE = """
import importlib, sys
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "runtime.ipfs" or m.startswith("runtime.ipfs.")]:
        del sys.modules[loaded]
    importlib.import_module("runtime.ipfs." + name)
"""


def test_each_module_imports_alone():
    # A fresh package state per module catches circular imports that one import order hides.
    subprocess.run([sys.executable, "-c", IMPORT_EACH_ALONE, *MODULES], check=True)


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(max_size=3000),
    chunk_size=st.integers(1, 300),
    max_links=st.integers(2, 6),
    cid_version=st.sampled_from([0, 1]),
)
def test_build_then_read_is_identity(data, chunk_size, max_links, cid_version):
    dag = build_dag(data, chunk_size=chunk_size, max_links=max_links, cid_version=cid_version)
    assert dag.filesize == len(data)
    assert read_file(dag.root, dag.block_map().__getitem__) == data
