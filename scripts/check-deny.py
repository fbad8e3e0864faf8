#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check-deny.py MODULE_C SRC PATCHDIR NAME: the module's deny list against
the kernel source.

The series opts exporters out with no_sgt_cache; on a kernel without it the
module must deny the same exporters, by the exp_name their dma-bufs carry.
For every file the series sets no_sgt_cache in (PATCHDIR/*.patch), this
works out that name from the pristine source SRC:

  - an exporter that keeps DEFINE_DMA_BUF_EXPORT_INFO's default, or sets
    exp_name = KBUILD_MODNAME: the name of the module the file is built
    into, from the nearest Makefile's obj-$(CONFIG_...) += NAME.o, with '-'
    as '_', as Kbuild does;
  - a DMA-BUF heap (exp_name = dma_heap_get_name()): the system heap's
    literal name, and for the CMA heap the default CMA area's name
    (kernel/dma/contiguous.c). CMA areas from the device tree are named
    after their node, which no source here knows: the deny list's other
    CMA names are reported as such, not checked.

Every such name must be in sgt_cache_deny_default[] of MODULE_C, and every
name there must be one of them or a CMA area name. Prints one "result:"
line for NAME; exits 0 either way.
"""

import glob
import os
import re
import sys

# deny entries that name device-tree CMA areas: not derivable from source
CMA_DT_NAMES = {'linux,cma', 'default_cma_region'}


def deny_list(module_c):
    text = open(module_c).read()
    m = re.search(r'sgt_cache_deny_default\[\]\s*=\s*\{(.*?)\};', text, re.S)
    if not m:
        sys.exit(f'error: no sgt_cache_deny_default[] in {module_c}')
    return re.findall(r'"([^"]*)"', m.group(1))


def opted_out(patchdir):
    """Files in which the series sets no_sgt_cache = true."""
    files = []
    for p in sorted(glob.glob(os.path.join(patchdir, '*.patch'))):
        current = None
        for line in open(p, errors='replace'):
            if line.startswith('+++ b/'):
                current = line[6:].strip()
            elif current and re.match(r'^\+\s*\.no_sgt_cache\s*=\s*true', line):
                files.append(current)
    return files


def module_name(src, path):
    """KBUILD_MODNAME of the module that SRC/path is built into."""
    d = os.path.dirname(path)
    while d:
        mk = os.path.join(src, d, 'Makefile')
        if os.path.exists(mk):
            m = re.search(r'^obj-\$\([A-Z0-9_]+\)\s*[:+]?=\s*([\w-]+)\.o\b', open(mk).read(),
                          re.M)
            if m:
                return m.group(1).replace('-', '_')
        d = os.path.dirname(d)
    return None


def exp_names(src, path):
    """(names, why) that the exporter in SRC/path gives its dma-bufs."""
    text = open(os.path.join(src, path), errors='replace').read()
    if 'dma_heap_get_name(heap)' in text:
        m = re.search(r'exp_info\.name\s*=\s*"([^"]+)"', text)
        if m:
            return [m.group(1)], 'heap name'
        if 'cma_get_name(cma)' in text:
            cont = open(os.path.join(src, 'kernel/dma/contiguous.c')).read()
            m = re.search(r'"(\w+)",\s*res_cma\)', cont)
            return ([m.group(1)] if m else []), 'default CMA area'
        return [], 'heap without a name found'
    if 'DEFINE_DMA_BUF_EXPORT_INFO' in text:
        m = re.search(r'exp_info\.exp_name\s*=\s*([^;]+);', text)
        if m and m.group(1).strip() != 'KBUILD_MODNAME':
            return [], f'exp_name = {m.group(1).strip()}'
        name = module_name(src, path)
        return ([name] if name else []), 'KBUILD_MODNAME'
    return [], 'no DEFINE_DMA_BUF_EXPORT_INFO'


def main():
    if len(sys.argv) != 5:
        sys.exit('usage: check-deny.py MODULE_C SRC PATCHDIR NAME')
    module_c, src, patchdir, name = sys.argv[1:]
    deny = deny_list(module_c)
    problems, wanted = [], set()
    files = opted_out(patchdir)
    if not files:
        problems.append(f'no no_sgt_cache opt-out in {patchdir}')
    for f in files:
        names, why = exp_names(src, f)
        if not names:
            problems.append(f'{f}: exp_name not found ({why})')
        for n in names:
            wanted.add(n)
            if n not in deny:
                problems.append(f'{f} exports as "{n}" ({why}), not on the deny list')
    for n in deny:
        if n not in wanted and n not in CMA_DT_NAMES:
            problems.append(f'deny list names "{n}", which no opted-out exporter uses')
    if problems:
        print(f'result: FAIL {name} -- {"; ".join(problems)}')
    else:
        print(f'result: PASS {name} -- {len(files)} opted-out exporters, each denied by its '
              f'exp_name ({", ".join(sorted(wanted))}); device-tree CMA names not checkable: '
              f'{", ".join(sorted(CMA_DT_NAMES & set(deny)))}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
