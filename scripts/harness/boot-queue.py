#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""boot-queue.py QUEUE END JOBS WRITER COMMAND...: check.sh's guest queue.

QUEUE is a file that check.sh appends lines to, one guest boot each: the
arguments of COMMAND (run-boot.sh), split as the shell splits words. This
runs up to JOBS of them at once, in the order queued, their output on this
script's stdout. It ends, once every guest it started has ended, when the
file END exists and every line of QUEUE has been started, or when the
process WRITER (check.sh) is gone: a queue that ends by a file, not by a
pipe's last writer closing it, so that no child of check.sh can keep the
run waiting by holding a descriptor it inherited.

Exit status: 0, or 1 if a command could not be started (summary.py fails
a planned guest without a result either way).
"""

import os
import shlex
import subprocess
import sys
import time


def alive(pid):
    """Whether process PID exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main():
    if len(sys.argv) < 6 or not sys.argv[3].isdigit() or int(sys.argv[3]) < 1 \
            or not sys.argv[4].isdigit():
        sys.exit('usage: boot-queue.py QUEUE END JOBS WRITER COMMAND...')
    queue, end, jobs, writer = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    command = sys.argv[5:]
    offset = 0
    pending = []
    running = []
    status = 0
    while True:
        # END first, then the file: a line appended before END was made is read.
        ended = os.path.exists(end) or not alive(writer)
        with open(queue, 'rb') as f:
            f.seek(offset)
            data = f.read()
        # whole lines only: a writer may be in the middle of one
        data = data[:data.rfind(b'\n') + 1]
        offset += len(data)
        pending += [shlex.split(ln) for ln in data.decode().splitlines() if ln.strip()]
        running = [p for p in running if p.poll() is None]
        while pending and len(running) < jobs:
            args = pending.pop(0)
            try:
                running.append(subprocess.Popen(command + args))
            except OSError as e:
                print(f'boot-queue.py: cannot start {command[0]}: {e}', file=sys.stderr)
                status = 1
        if ended and not pending and not running:
            return status
        time.sleep(0.5)


if __name__ == '__main__':
    sys.exit(main())
