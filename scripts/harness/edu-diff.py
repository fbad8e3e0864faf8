#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""edu-diff.py LOGS VERSION...: the byte-level gate of QEMU's edu DMA engine.

Reads the cells that tests/guest/sgt-edu.c printed into the guest console
logs (LOGS/*.log):

  # edu: KIND EXPORTER CONFIG bytes=... stray=... cache=A/B/C calls=M:U/M:U/M:U

(one attachment per direction set; A, B, C: attach, lazy or none, from the
exporter's own calls; M:U its map and unmap calls before each detach)

For each VERSION, every (KIND, EXPORTER) cell must have run once in each
configuration (stock, patched, module), and:

  - bytes: what the device read and what the CPU read back, transfer by
    transfer, must be stock's in the patched and the module configuration;
  - stray (the device writing into a mapping made for it to read) must be
    stock's, except where the table is cached behind an IOMMU: a cached
    table is mapped DMA_BIDIRECTIONAL from attach to detach, so the write
    that stock's IOMMU blocks lands. That is the trade-off the contract
    documents (Documentation/contract.rst, "Which tables are cached"); the
    table shows it;
  - cache: never "attach" on stock; in the patched and module
    configurations "attach" for all three attachments exactly where the
    policy says (policy() below), and stock's own (none, or lazy for the
    exporters that set cache_sgt_mapping) everywhere else: the cache must
    not be lost where it is invisible, nor kept where it is not.

Prints the table to LOGS/edu-diff.txt (and stdout; with --flip to stdout
only) and one "result:" line per version. --flip CONFIG:KIND:EXPORTER pretends CONFIG's first transfer of that
cell went the other way: the negative control requires that to fail.
"""

import argparse
import glob
import os
import re
import sys

CONFIGS = ['stock', 'patched', 'module']
CELL = re.compile(r'^# edu: (\S+) (\S+) (stock|patched|module) bytes=([ox/]*) stray=(\S+) '
                  r'cache=(\S+) calls=(\S+)$')
BOOT = re.compile(r'^harness: boot (\d+\.\d+)\.')

# Device kinds where a map and an unmap do nothing but hand out the table,
# so the series and the module cache it; the system heap opts out.
CACHING_KINDS = {'direct', 'iommu-strict', 'iommu-lazy'}
OPTED_OUT = {'system'}
IOMMU_KINDS = {'iommu-strict', 'iommu-lazy', 'untrusted'}


def policy(kind, exporter, config):
    """Whether CONFIG must cache the table of EXPORTER for a device of KIND."""
    return config != 'stock' and kind in CACHING_KINDS and exporter not in OPTED_OUT


def read_cells(logs):
    """{version: {(kind, exporter): {config: (bytes, stray, cache, calls, log)}}}"""
    cells = {}
    dups = []
    for log in sorted(glob.glob(os.path.join(logs, '*.log'))):
        version = None
        with open(log, errors='replace') as f:
            for line in f:
                line = line.rstrip('\n')
                m = BOOT.match(line)
                if m:
                    version = m.group(1)
                    continue
                m = CELL.match(line)
                if not m or not version:
                    continue
                kind, exp, config = m.group(1), m.group(2), m.group(3)
                per = cells.setdefault(version, {}).setdefault((kind, exp), {})
                if config in per:
                    dups.append(f'{version} {kind} {exp} {config}')
                per[config] = (m.group(4), m.group(5), m.group(6), m.group(7),
                               os.path.basename(log))
    return cells, dups


def judge(version, cells, flip, configs):
    """The table's rows and the problems of one version (CONFIGS: those that ran)."""
    rows, problems = [], []
    if not cells:
        return rows, [f'no edu cells in the logs of {version}']
    for (kind, exp), per in sorted(cells.items()):
        missing = [c for c in configs if c not in per]
        if missing:
            problems.append(f'{kind} {exp}: no result for {",".join(missing)}')
            continue
        if flip:
            fc, fk, fe = flip
            if (fk, fe) == (kind, exp) and fc in per and per[fc][0][:1] in ('o', 'x'):
                b = per[fc][0]
                per[fc] = (('x' if b[0] == 'o' else 'o') + b[1:],) + per[fc][1:]
        ref = per['stock']
        row = [kind, exp]
        for c in CONFIGS:
            if c not in configs:
                row.append('-')
                continue
            b, stray, cache, calls, _ = per[c]
            cached = cache == 'attach/attach/attach'
            note = ''
            if c != 'stock':
                if b != ref[0]:
                    problems.append(f'{kind} {exp} {c}: bytes {b}, stock: {ref[0]}')
                    note = ' BYTES DIFFER'
                if stray != ref[1]:
                    if (cached and kind in IOMMU_KINDS and ref[1] == 'blocked'
                            and stray == 'landed'):
                        note += ' (stray: cached bidirectional mapping, documented)'
                    else:
                        problems.append(f'{kind} {exp} {c}: stray {stray}, stock: {ref[1]}')
                        note += ' STRAY DIFFERS'
            want = 'attach/attach/attach' if policy(kind, exp, c) else ref[2]
            if cache != want or (c == 'stock' and 'attach' in cache):
                problems.append(f'{kind} {exp} {c}: cache {cache}, the policy says {want}')
                note += ' CACHE POLICY'
            row.append(f'{b} {stray} {cache} {calls}{note}')
        rows.append(row)
    return rows, problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--flip', help='CONFIG:KIND:EXPORTER (negative control)')
    ap.add_argument('logs')
    ap.add_argument('versions', nargs='+', metavar='VERSION[:CONFIG,...]',
                    help='a version, and the configurations that ran for it where not all '
                         '(7.3:stock,module before its series exists)')
    a = ap.parse_args()
    flip = None
    if a.flip:
        flip = tuple(a.flip.split(':'))
        if len(flip) != 3 or flip[0] not in CONFIGS:
            sys.exit('error: --flip CONFIG:KIND:EXPORTER')
    cells, dups = read_cells(a.logs)
    out = []
    results = []
    for v in a.versions:
        v, _, only = v.partition(':')
        configs = only.split(',') if only else CONFIGS
        if not set(configs) <= set(CONFIGS) or 'stock' not in configs:
            sys.exit(f'error: {v}:{only}: want VERSION[:stock,CONFIG...]')
        rows, problems = judge(v, cells.get(v, {}), flip, configs)
        problems += [f'ran twice: {d}' for d in dups if d.startswith(v + ' ')]
        out.append(f'edu byte table, {v} (bytes: o arrived, x did not; per attachment: '
                   'to+from DMA_BIDIRECTIONAL / DMA_TO_DEVICE / DMA_FROM_DEVICE; '
                   'stray: a device write into a DMA_TO_DEVICE mapping; cache: attach, '
                   'lazy (cache_sgt_mapping) or none, by the exporter\'s map:unmap calls '
                   'before each detach)')
        w = [max([len(r[i]) for r in rows] + [4]) for i in range(2)]
        out.append(f'  {"kind":<{w[0]}} {"exporter":<{w[1]}} ' + ' | '.join(CONFIGS))
        for r in rows:
            out.append(f'  {r[0]:<{w[0]}} {r[1]:<{w[1]}} ' + ' | '.join(r[2:]))
        n = len(rows)
        if problems:
            results.append(f'result: FAIL edu-diff-{v} -- {len(problems)} problems in {n} '
                           f'cells: {"; ".join(problems[:4])}')
        else:
            cached = sum(1 for (k, e) in cells[v] if policy(k, e, 'patched'))
            which = ' and '.join(c for c in configs if c != 'stock')
            results.append(f'result: PASS edu-diff-{v} -- {n} cells: {which} bytes '
                           f'equal to stock\'s; cached in {cached} of {n} as the policy says')
    text = '\n'.join(out)
    # the negative control's table is not the run's: it goes to stdout only
    if not flip:
        with open(os.path.join(a.logs, 'edu-diff.txt'), 'w') as f:
            f.write(text + '\n')
    print(text)
    print('\n'.join(results))
    return 0


if __name__ == '__main__':
    sys.exit(main())
