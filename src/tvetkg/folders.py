"""Writing an output folder whole or not at all: assembled beside its place, then swapped in."""

import os
import shutil
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replaced_folder(out_dir: Path):
    """Yield a fresh `<out_dir>.partial` to fill; on success it replaces `out_dir`, on any error it is removed
    and `out_dir` stays as it was."""
    out_dir = Path(out_dir)
    staging = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = out_dir.with_name(out_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    shutil.rmtree(old, ignore_errors=True)
