"""Another BranchDesk holding a data folder, and the environment of a child ``branchdesk``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import branchdesk

REPO_ROOT = Path(branchdesk.__file__).resolve().parents[1]

_HOLDER = """
import sys
from pathlib import Path
from branchdesk.store.lock import DataFolderLock
lock = DataFolderLock(Path(sys.argv[1]), **({"command": sys.argv[2]} if sys.argv[2] else {}))
lock.acquire()
print("held", flush=True)
sys.stdin.readline()  # until the test lets go
lock.release()
print("released", flush=True)
"""


def branchdesk_env(**extra: str) -> dict[str, str]:
    """The environment for a ``python -m branchdesk`` child: this checkout, offscreen Qt."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.update(extra)
    return env


class Holder:
    """A separate process holding a data folder's lock, as an open window does."""

    def __init__(self, folder: Path, command: str = "") -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(folder), command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=branchdesk_env(),
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "held"

    def release(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "released"
        self.process.wait(timeout=30)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
