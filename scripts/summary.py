#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""summary.py RESULTS PLAN: the end of `make check`.

RESULTS holds "result: PASS|FAIL|SKIP NAME -- DETAIL" lines; PLAN the guest
boots that were queued (first word: NAME). A planned boot without a result
is a failure. Prints a table, the same as TAP, and "N passed, M failed"
(", K skipped"); exits 1 if anything failed.
"""

import os
import re
import sys
import time

LINE = re.compile(r'^result: (PASS|FAIL|SKIP) (\S+) -- (.*)$')


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: summary.py RESULTS PLAN')
    rows = []
    with open(sys.argv[1]) as f:
        for line in f:
            m = LINE.match(line.rstrip('\n'))
            if m:
                rows.append(m.groups())
    seen = {name for _, name, _ in rows}
    with open(sys.argv[2]) as f:
        for line in f:
            name = line.split()[0] if line.split() else None
            if name and name not in seen:
                rows.append(('FAIL', name, 'planned boot left no result'))

    width = max([len(name) for _, name, _ in rows] + [4])
    print(f"{'check'.ljust(width)}  result  detail")
    print(f"{'-' * width}  ------  ------")
    for status, name, detail in rows:
        print(f'{name.ljust(width)}  {status:<6}  {detail}')
    print()
    print('TAP version 13')
    print(f'1..{len(rows)}')
    for i, (status, name, detail) in enumerate(rows, 1):
        ok = 'not ok' if status == 'FAIL' else 'ok'
        skip = ' # SKIP' if status == 'SKIP' else ''
        print(f'{ok} {i} - {name}{skip}')
    passed = sum(1 for r in rows if r[0] == 'PASS')
    failed = sum(1 for r in rows if r[0] == 'FAIL')
    skipped = sum(1 for r in rows if r[0] == 'SKIP')
    t0 = os.environ.get('HX_T0')
    if t0:
        print(f'# elapsed: {int(time.time()) - int(t0)} s')
    tail = f', {skipped} skipped' if skipped else ''
    print(f'{passed} passed, {failed} failed{tail}')
    sys.exit(1 if failed or not rows else 0)


if __name__ == '__main__':
    main()
