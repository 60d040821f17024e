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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_orphans(folder: Path, prefix: str) -> list[Path]:
    """Remove what a killed tvetkg left in `folder`: entries named `<prefix><pid>...` whose process is gone
    (a kill leaves no chance to clean up; the next run does it). Returns what was removed."""
    removed = []
    if not Path(folder).is_dir():
        return removed
    for entry in Path(folder).iterdir():
        if not entry.name.startswith(prefix):
            continue
        digits = ""
        for char in entry.name[len(prefix):]:
            if not char.isdigit():
                break
            digits += char
        if not digits or _alive(int(digits)):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed
