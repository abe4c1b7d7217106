"""Child process for the restore crash test: restores killed at every file-system step.

Run as ``python restore_killer.py TEMPLATE BACKUP WORKROOT N [N ...]``. For each N it copies
the data folder TEMPLATE to WORKROOT/N and forks a child that restores BACKUP into it and
SIGKILLs itself just before its Nth rename, fsync or directory creation (N = 0: never).
It prints ``N <exit status> <steps taken>`` for each; the imports are done once, before forking.
"""

import os
import shutil
import signal
import sys
from pathlib import Path

from branchdesk.store.restore import restore_backup

STEPS = ("replace", "rename", "fsync", "mkdir")


def _restore_killed_at(data_dir: Path, backup: Path, kill_at: int) -> None:
    taken = 0

    def counted(real):
        def step(*args, **kwargs):
            nonlocal taken
            taken += 1
            if taken == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)

        return step

    for name in STEPS:
        setattr(os, name, counted(getattr(os, name)))
    restore_backup(data_dir, backup)
    sys.stdout.write(f"steps {taken}\n")
    sys.stdout.flush()


def main() -> None:
    template, backup, root = (Path(arg) for arg in sys.argv[1:4])
    for kill_at in (int(arg) for arg in sys.argv[4:]):
        data_dir = root / str(kill_at)
        shutil.copytree(template, data_dir, symlinks=True)
        read, write = os.pipe()
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            os.dup2(write, 1)
            try:
                _restore_killed_at(data_dir, backup, kill_at)
            finally:
                os._exit(0)
        os.close(write)
        with os.fdopen(read) as output:
            said = output.read().split()
        _, status = os.waitpid(pid, 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        steps = said[-1] if said else "-"
        print(f"{kill_at} {code} {steps}", flush=True)


if __name__ == "__main__":
    main()
