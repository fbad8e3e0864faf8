#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""summary.py RESULTS PLAN [LOGS]: the end of `make check`.

RESULTS holds "result: PASS|FAIL|SKIP NAME -- DETAIL" lines; PLAN the guest
boots that were queued (first word: NAME). A planned boot without a result
is a failure. Prints the exporter x importer matrix found in the guest logs
in LOGS (NAME.log, lines "# matrix: ..." from tests/guest/sgt-matrix.c),
the differential lockdep suite's table (LOGS/lockdep-diff.txt), the edu
byte table (LOGS/edu-diff.txt), a table of
all results, the same as TAP (a failure's detail as its YAML diagnostic),
"N passed, M failed" (", K skipped") and last, so that the end of a long
run's output says why, each failure's detail, guest log and
the gate's first findings (LOG.gate); exits 1 if
anything failed.
"""

import glob
import os
import re
import sys
import time

LINE = re.compile(r'^result: (PASS|FAIL|SKIP) (\S+) -- (.*)$')
MATRIX = re.compile(r'^# matrix: (\S+) (\S+) (\S+) cached=(\S+) attach_maps=(\d+) '
                    r'maps=\d+ exporter_maps=(\d+) detach_unmaps=(\d+) data=(\S+) '
                    r'moves=\S+ (ok|FAIL)$')
PREFIX = re.compile(r'^\[\s*\d+\.\d+\]\s?')


def matrix(logs, status):
    """Print exporter x importer per kernel and variant; a cell passes when
    its own checks passed and its guest passed all gates."""
    cells = {}
    columns = []
    for log in sorted(glob.glob(os.path.join(logs, '*.log'))):
        guest = os.path.basename(log)[:-4]
        kernel = guest.split('-')[1] if guest.count('-') >= 2 else '?'
        with open(log, errors='replace') as f:
            for line in f:
                m = MATRIX.match(PREFIX.sub('', line.rstrip('\n')))
                if not m:
                    continue
                exp, imp, variant, cached, at, maps, det, data, ok = m.groups()
                col = f'{kernel} {variant}'
                if col not in columns:
                    columns.append(col)
                good = ok == 'ok' and status.get(guest) == 'PASS'
                what = {'yes': 'cached', 'lazy': 'lazy', 'no': 'per-map', 'n/a': 'import'}[cached]
                cells[(exp, imp, col)] = f"{'PASS' if good else 'FAIL'} {what} {at}/{maps}/{det}"
    if not cells:
        return
    rows = []
    for exp, imp, _ in cells:
        if (exp, imp) not in rows:
            rows.append((exp, imp))
    columns.sort(key=lambda c: (c.split()[0] != '6.12', c.split()[1] != 'patched'))
    print('Exporter x importer (cells: result, table kind, exporter map calls at '
          'attach/during 300 maps/unmaps at detach)')
    head = f"{'exporter':<12} {'importer':<9} " + ' '.join(f'{c:<22}' for c in columns)
    print(head.rstrip())
    print('-' * len(head.rstrip()))
    for exp, imp in rows:
        line = f'{exp:<12} {imp:<9} ' + ' '.join(
            f"{cells.get((exp, imp, c), '-'):<22}" for c in columns)
        print(line.rstrip())
    print()


def yaml_str(text):
    """@text as a YAML double-quoted scalar."""
    return '"' + text.replace('\\', '\\\\').replace('"', '\\"') + '"'


def failure_logs(log):
    """Print where a failed guest's log is and the first findings gate.py
    wrote beside it (run-boot.sh's LOG.gate); nothing for a check that is
    not a guest."""
    if os.path.exists(log):
        print(f'  log: {log}')
    try:
        with open(f'{log}.gate', errors='replace') as f:
            notes = [line.rstrip('\n') for line in f if line.startswith('# ')]
    except OSError:
        notes = []
    for note in notes[:8]:
        print(f'  {note}')


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit('usage: summary.py RESULTS PLAN [LOGS]')
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

    if len(sys.argv) == 4:
        matrix(sys.argv[3], {name: st for st, name, _ in rows})
        # the tables of the differential suites: lockdep's verdicts
        # (scripts/harness/lockdep-diff.py) and the edu DMA engine's bytes
        # (scripts/harness/edu-diff.py)
        for table in ('lockdep-diff.txt', 'edu-diff.txt'):
            try:
                with open(os.path.join(sys.argv[3], table)) as f:
                    print(f.read())
            except OSError:
                pass

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
        if status == 'FAIL':
            print(f'  ---\n  message: {yaml_str(detail)}\n  ...')
    passed = sum(1 for r in rows if r[0] == 'PASS')
    failed = sum(1 for r in rows if r[0] == 'FAIL')
    skipped = sum(1 for r in rows if r[0] == 'SKIP')
    t0 = os.environ.get('HX_T0')
    if t0:
        print(f'# elapsed: {int(time.time()) - int(t0)} s')
    tail = f', {skipped} skipped' if skipped else ''
    print(f'{passed} passed, {failed} failed{tail}')
    for status, name, detail in rows:
        if status != 'FAIL':
            continue
        print(f'FAIL {name} -- {detail}')
        if len(sys.argv) == 4:
            failure_logs(os.path.join(sys.argv[3], f'{name}.log'))
    sys.exit(1 if failed or not rows else 0)


if __name__ == '__main__':
    main()
