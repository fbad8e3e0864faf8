#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""lockdep-diff.py CASES LOGS VERSION...: the differential lockdep suite's gate.

Reads every guest console log (LOGS/*.log) for the steps of
tests/lockdep/sgt_lockdep.c, which say which configuration they ran in
("# sgt_lockdep: config=stock|patched|module case=NAME"), and gives each a
verdict: "report" when lockdep's first report of the boot came from that
step, "none" when lockdep was still on after it and reported nothing in it.
A step after the boot's first report has no verdict (lockdep is off).

For each VERSION, every case that CASES lists for it must have run once in
each configuration it lists, the stock verdict must be the one CASES gives
(else the case does not exercise what it claims), and the patched and module
verdicts must equal the stock one. Prints the table of verdicts to
LOGS/lockdep-diff.txt (and stdout) and one "result:" line per version.

--flip CONFIG:CASE pretends that CONFIG's verdict of CASE is the other one:
the negative control (scripts/check.sh) requires that to fail.
"""

import argparse
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gate  # noqa: E402  (its report patterns are the ones every guest is judged by)

CONFIGS = ['stock', 'patched', 'module']
IDENT = re.compile(r'^# sgt_lockdep: config=(\w+) case=(\w+)$')
BOOT = re.compile(r'^harness: boot (\d+\.\d+)\.')


def read_cases(path):
    """CASES -> {case: (versions, configs, stock verdict)}, in file order."""
    cases = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            words = line.split('#', 1)[0].split()
            if not words:
                continue
            if (len(words) != 4 or words[3] not in ('report', 'none')
                    or not set(words[2].split(',')) <= set(CONFIGS)):
                sys.exit(f'error: {path}:{n}: want "case versions configs report|none"')
            cases[words[0]] = (words[1].split(','), words[2].split(','), words[3])
    return cases


def verdicts(log):
    """One log -> [(version, config, case, verdict, log)]. As gate.py does, a
    report belongs to the step begun last before it (printk can lag behind
    the step's end line). A step whose own KTAP checks did not all pass (it
    did not exercise what it claims) gets the verdict "ktap-failed"."""
    lockdep = dict(gate.REPORTS)['lockdep']
    steps = []          # [version, config, case, verdict, checks ok] per step
    version = None
    reported = False    # lockdep reported earlier in this boot
    with open(log, errors='replace') as f:
        for raw in f:
            line = gate.PREFIX.sub('', raw.rstrip('\n'))
            m = BOOT.match(line)
            if m:
                version = m.group(1)
            if gate.BEGIN.match(line):
                steps.append([version, None, None, 'off' if reported else 'none', False])
                continue
            m = IDENT.match(line.strip())
            if m and steps:
                steps[-1][1:3] = m.groups()
                steps[-1][4] = True
            if steps and line.strip().startswith('not ok '):
                steps[-1][4] = False
            if lockdep.search(line) and not reported:
                reported = True
                if steps:
                    steps[-1][3] = 'report'
    return [(v, config, case, verdict if ok else 'ktap-failed', log)
            for v, config, case, verdict, ok in steps if config]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--flip', metavar='CONFIG:CASE', help='negative control')
    ap.add_argument('cases')
    ap.add_argument('logs')
    ap.add_argument('versions', nargs='+', metavar='VERSION[:CONFIG,...]',
                    help='a version, and the configurations that ran for it where not all '
                         '(7.3:stock,module before its series exists)')
    args = ap.parse_args()
    cases = read_cases(args.cases)
    ran = {}
    for i, v in enumerate(args.versions):
        version, _, only = v.partition(':')
        ran[version] = only.split(',') if only else CONFIGS
        if not set(ran[version]) <= set(CONFIGS) or 'stock' not in ran[version]:
            sys.exit(f'error: {v}: want VERSION[:stock,CONFIG...]')
        args.versions[i] = version

    found = {}
    for log in sorted(glob.glob(os.path.join(args.logs, '*.log'))):
        for version, config, case, verdict, where in verdicts(log):
            found.setdefault((version, config, case), []).append((verdict, where))
    if args.flip:
        config, _, case = args.flip.partition(':')
        for version in args.versions:
            for i, (v, w) in enumerate(found.get((version, config, case), [])):
                found[(version, config, case)][i] = (
                    {'report': 'none', 'none': 'report'}.get(v, v), w)

    lines = ['Lockdep verdicts per case (stock: the exporter called on every map; '
             'patched: the series; module: stock + dma-buf-sgt-cache.ko)',
             f"{'version':<8} {'case':<14} {'stock':<8} {'patched':<8} {'module':<8} "
             'verdict']
    results = []
    for version in args.versions:
        bad = []
        n = 0
        for case, (versions, configs, want) in cases.items():
            if version not in versions:
                continue
            configs = [c for c in configs if c in ran[version]]
            n += 1
            cells = {}
            for config in configs:
                got = found.get((version, config, case), [])
                if len(got) != 1:
                    cells[config] = 'missing' if not got else f'{len(got)} runs'
                    bad.append(f'{case} {config}: {cells[config]}')
                    continue
                cells[config] = got[0][0]
                if got[0][0] == 'off':
                    bad.append(f'{case} {config}: lockdep was off ({os.path.basename(got[0][1])})')
                if got[0][0] == 'ktap-failed':
                    bad.append(f'{case} {config}: its KTAP checks failed '
                               f'({os.path.basename(got[0][1])})')
            stock = cells.get('stock', want)
            if stock in ('report', 'none') and stock != want:
                bad.append(f'{case} stock: {stock}, built to give {want}')
            for config in configs:
                if config != 'stock' and cells[config] != stock:
                    bad.append(f'{case} {config}: {cells[config]}, stock: {stock}')
            same = all(cells[c] == stock for c in configs) and stock == want
            lines.append(f"{version:<8} {case:<14} "
                         + ' '.join(f"{cells.get(c, '-'):<8}" for c in CONFIGS)
                         + (' same as stock' if same else ' DIFFERS'))
        name = f'lockdep-diff-{version}'
        if not n:
            results.append(f'result: FAIL {name} -- {args.cases} lists no case for {version}')
        elif bad:
            results.append(f"result: FAIL {name} -- {'; '.join(bad)}")
        else:
            which = '' if ran[version] == CONFIGS else f' ({"+".join(ran[version])} only)'
            results.append(f'result: PASS {name} -- {n} cases{which}: every verdict equals '
                           'stock\'s (report where stock reports, none where it has none)')
    table = '\n'.join(lines) + '\n'
    if not args.flip:
        with open(os.path.join(args.logs, 'lockdep-diff.txt'), 'w') as f:
            f.write(table)
    print(table + '\n'.join(results))


if __name__ == '__main__':
    main()
