#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check-deny.py MODULE_C SRC PATCHDIR NAME [--flip FN]: the module's deny
list against the kernel source.

The series opts exporters out with no_sgt_cache; on a kernel without it the
module must deny the same exporters, which it recognises by the name of
their map_dma_buf() callback (exp_name is not stable: a CMA heap's is its
area's name, which the command line or a device-tree node chooses). For
every struct dma_buf_ops the series sets no_sgt_cache in (PATCHDIR/*.patch:
the struct named in the hunk above the added line, in a file the series
does not create), this finds the callback in the pristine source SRC.

Every one of those callbacks must be on sgt_cache_deny_default[] of
MODULE_C, and every callback on the list that an exporter of SRC uses must
be one of them: the list is the union of all series' opt-outs, and a name
that another kernel's series needs may be missing from this one's source,
but never in it without its opt-out. A callback renamed in a kernel or an
opt-out added to the series fails; so does a listed name that this kernel's
exporters use without an opt-out. Prints one "result:" line for NAME; exits
0 either way. The negative controls (scripts/harness/check-flip.sh), which must
fail: --flip FN reads the list without FN; --flip series:FN pretends the
series does not opt out the exporter that maps with FN.
"""

import glob
import os
import re
import sys

OPS = re.compile(r'struct dma_buf_ops\s+(\w+)\s*(?:\[\])?\s*=\s*\{')


def deny_list(module_c):
    text = open(module_c).read()
    m = re.search(r'sgt_cache_deny_default\[\]\s*=\s*\{(.*?)\};', text, re.S)
    if not m:
        sys.exit(f'error: no sgt_cache_deny_default[] in {module_c}')
    return re.findall(r'"([^"]*)"', m.group(1))


def opted_out(patchdir):
    """(file, ops name) for each ops in which the series sets no_sgt_cache."""
    found, problems = [], []
    for p in sorted(glob.glob(os.path.join(patchdir, '*.patch'))):
        current, new_file, ops = None, False, None
        for line in open(p, errors='replace'):
            if line.startswith('--- '):
                new_file = line.strip() == '--- /dev/null'
            elif line.startswith('+++ b/'):
                current, ops = line[6:].strip(), None
            elif line.startswith('@@'):
                m = OPS.search(line)
                ops = m.group(1) if m else None
            elif current and not new_file:
                m = OPS.search(line)
                if m and not line.startswith('-'):
                    ops = m.group(1)
                if re.match(r'^\+\s*\.no_sgt_cache\s*=\s*true', line):
                    if ops:
                        found.append((current, ops))
                    else:
                        problems.append(f'{os.path.basename(p)}: no struct dma_buf_ops '
                                        f'above the opt-out in {current}')
    return found, problems


# an initializer's .map_dma_buf, its callback in group 1
MAP_RE = re.compile(r'\.map_dma_buf\s*=\s*(\w+)')


def map_callback(src, path, ops):
    """The .map_dma_buf of struct dma_buf_ops OPS in SRC/path, or None."""
    text = open(os.path.join(src, path), errors='replace').read()
    m = re.search(r'struct dma_buf_ops\s+' + ops + r'\s*=\s*\{(.*?)\n\};', text, re.S)
    if not m:
        return None
    fn = MAP_RE.search(m.group(1))
    return fn.group(1) if fn else None


def map_callbacks(src):
    """Every .map_dma_buf callback of SRC's drivers, sound and samples."""
    found = set()
    for top in ('drivers', 'sound', 'samples'):
        for root, _, files in os.walk(os.path.join(src, top)):
            for f in files:
                if not f.endswith('.c'):
                    continue
                text = open(os.path.join(root, f), errors='replace').read()
                if 'map_dma_buf' in text:
                    found.update(MAP_RE.findall(text))
    return found


def main():
    args = sys.argv[1:]
    flip = None
    if len(args) == 6 and args[4] == '--flip':
        flip = args[5]
        args = args[:4]
    if len(args) != 4:
        sys.exit('usage: check-deny.py MODULE_C SRC PATCHDIR NAME [--flip [series:]FN]')
    module_c, src, patchdir, name = args
    deny = deny_list(module_c)
    flip_series = None
    if flip and flip.startswith('series:'):
        flip_series = flip[len('series:'):]
    elif flip:
        if flip not in deny:
            sys.exit(f'error: --flip {flip}: not on the deny list')
        deny.remove(flip)
    found, problems = opted_out(patchdir)
    if not found:
        problems.append(f'no no_sgt_cache opt-out in {patchdir}')
    wanted = set()
    for path, ops in found:
        fn = map_callback(src, path, ops)
        if not fn:
            problems.append(f'{path}: no .map_dma_buf in struct dma_buf_ops {ops}')
            continue
        if fn == flip_series:
            continue
        wanted.add(fn)
        if fn not in deny:
            problems.append(f'{path}: {ops} maps with {fn}, not on the deny list')
    used = map_callbacks(src)
    for fn in deny:
        if fn not in wanted and fn in used:
            problems.append(f'deny list names {fn}, which an exporter of this kernel '
                            f'maps with and the series does not opt out')
    if problems:
        print(f'result: FAIL {name} -- {"; ".join(problems)}')
    else:
        print(f'result: PASS {name} -- {len(found)} opted-out exporters, each denied by '
              f'its map_dma_buf callback ({", ".join(sorted(wanted))}); '
              f'{len(set(deny) - wanted)} more names for other kernels')
    return 0


if __name__ == '__main__':
    sys.exit(main())
