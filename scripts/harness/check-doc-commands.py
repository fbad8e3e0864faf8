#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check-doc-commands.py ROOT: every shell command the docs show is tested.

Reads the literal blocks of ROOT/README.md (indented by four spaces) and of
ROOT/Documentation/*.rst (after a "::" line), takes the lines that start
with a shell command, and looks each up in RUNS below, which says for each
command the file of `make check` that runs it, and how:

  verbatim     the file holds the documented command itself, as shown, and
               make check runs that line;
  equivalent   the file runs something else the table names: the same
               target through its script (make demo), the same module and
               guest steps with small parameters (make bench, make stress),
               the same operation in a scratch tree (quilt, git am, DKMS);
               the file must still hold the text given.

A command the table does not know, or whose file no longer holds the text,
fails the check: a new command in the docs needs a test. The result line
counts each kind. Its negative control, first: a README.md showing a
command no test runs must fail the check. Prints "result:" lines for
scripts/harness/summary.py; exits 0.
"""

import glob
import os
import re
import sys
import tempfile

COMMANDS = ('make', 'cd', 'git', 'quilt', 'QUILT_PATCHES=', 'scripts/', 'dkms', 'cp',
            'modprobe', 'insmod', 'bash', 'apt-get', 'dpkg', 'dpkg-buildpackage', 'lintian',
            './tools/')

# (pattern of the documented command, file that runs it, what that file must
# hold: None for the documented command itself, verbatim, or the text of its
# equivalent)
RUNS = [
    (r'^make check$', '.ci/run', None),
    (r'^make demo\b', 'scripts/check.sh', 'scripts/demo.sh'),
    # The long runs are their own targets; make check runs the same module and
    # guest steps with small parameters on every debug kernel.
    (r'^make bench\b', 'scripts/check.sh', 'sgt_bench@sizes='),
    (r'^make stress\b', 'scripts/check.sh', 'fault-sweep@'),
    # the module's kbuild, as any external module (check-dkms.sh: from a clean
    # copy, without HOME; modules_install into a staging root)
    (r'^make -C .+ M=\$PWD$', 'scripts/package/check-dkms.sh', 'make -C "$kdir" M="$src" modules'),
    (r'^make -C .+ M=\$PWD modules_install$', 'scripts/package/check-dkms.sh', 'modules_install'),
    # the worked example, built by its own Makefile (build-example.sh)
    (r'^make -C examples/importer KDIR=', 'scripts/harness/build-example.sh',
     'make -C "$out" KDIR="$kdir"'),
    # the Debian package (check-deb.sh: built, lintian, installed into a
    # throw-away root, purged)
    (r'^dpkg-buildpackage -b -uc -us$', 'scripts/package/check-deb.sh', 'dpkg-buildpackage -b -uc -us'),
    (r'^lintian \.\./dma-buf-sgt-cache_', 'scripts/package/check-deb.sh', 'lintian --fail-on error,warning'),
    (r'^dpkg -i \.\./dma-buf-sgt-cache-dkms_', 'scripts/package/check-deb.sh', 'dpkg -i /pkg.deb'),
    (r'^dpkg --purge dma-buf-sgt-cache-dkms$', 'scripts/package/check-deb.sh', 'dpkg --purge dma-buf-sgt-cache-dkms'),
    (r'^cp -r \. /usr/src/dma-buf-sgt-cache-', 'scripts/package/check-dkms.sh', 'dma-buf-sgt-cache-$ver'),
    (r'^dkms (add|build|install) -m dma-buf-sgt-cache', 'scripts/package/check-dkms.sh',
     'for step in add build install'),
    (r'^modprobe dma-buf-sgt-cache deny=', 'tests/guest/module-params', None),
    (r'^(cd linux-source-6\.1.*&& )?QUILT_PATCHES=\S+ quilt push -a', 'scripts/series/patch-tree.sh',
     'quilt push -a'),
    (r'^cd linux-source-6\.12?$', 'scripts/series/patch-tree.sh', 'quilt push -a'),
    (r'^git am \$\(sed ', 'scripts/series/check-series.sh', ' am -q "${patches[@]/#/$pdir/}"'),
    (r'^scripts/series/export-series\.sh ', 'scripts/series/check-series.sh', 'scripts/series/export-series.sh'),
    (r'^scripts/series/gen-kunit-test\.sh ', 'scripts/series/check-series.sh', 'gen-kunit-test.sh'),
    (r'^\./tools/testing/kunit/kunit\.py run --kunitconfig=drivers/dma-buf$',
     'scripts/series/kunit-run.sh', 'tools/testing/kunit/kunit.py run --kunitconfig=drivers/dma-buf'),
]


def literal_lines(path):
    """Yield the lines of the literal blocks of a README.md or .rst file."""
    rst = path.endswith('.rst')
    in_block = not rst
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if rst and line.rstrip().endswith('::'):
            in_block = True
            continue
        if rst and line and not line.startswith(' '):
            in_block = False
        if in_block and line.startswith('    '):
            yield line[4:].strip()


def commands(root):
    files = [os.path.join(root, 'README.md')]
    files += sorted(glob.glob(os.path.join(root, 'Documentation', '*.rst')))
    for path in files:
        for line in literal_lines(path):
            cmd = line.split(' #', 1)[0].strip()
            # a layout table ("scripts/     one job per script") is no command
            if cmd.startswith(COMMANDS) and not re.search(r'\S\s{2,}\S', cmd):
                yield os.path.relpath(path, root), cmd


def check(root):
    """Return (commands run verbatim, commands run by an equivalent, problems)."""
    verbatim, equivalent, bad = [], [], []
    for doc, cmd in commands(root):
        rule = next((r for r in RUNS if re.search(r[0], cmd)), None)
        if rule is None:
            bad.append(f'{doc}: "{cmd}" is run by no test')
            continue
        runner = os.path.join(root, rule[1])
        text = rule[2] or cmd
        if not os.path.exists(runner) or text not in open(runner).read():
            bad.append(f'{doc}: "{cmd}": {rule[1]} no longer holds "{text}"')
            continue
        (equivalent if rule[2] else verbatim).append(cmd)
    return verbatim, equivalent, bad


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: check-doc-commands.py ROOT')
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, 'README.md'), 'w') as f:
            f.write('Run it:\n\n    make check\n    make frobnicate   # no test runs this\n')
        os.makedirs(os.path.join(tmp, '.ci'))
        with open(os.path.join(tmp, '.ci', 'run'), 'w') as f:
            f.write('make check\n')
        _, _, bad = check(tmp)
    if bad == ['README.md: "make frobnicate" is run by no test']:
        print('result: PASS lint-control-docs-commands -- tripped: ' + bad[0])
    else:
        print(f'result: FAIL lint-control-docs-commands -- did not trip as expected: {bad}')
    verbatim, equivalent, bad = check(sys.argv[1])
    if bad:
        print(f'result: FAIL docs-commands -- {"; ".join(bad)}')
    else:
        print(f'result: PASS docs-commands -- {len(verbatim) + len(equivalent)} commands shown '
              f'in README.md and Documentation/: {len(verbatim)} run verbatim, '
              f'{len(equivalent)} by the equivalent scripts/harness/check-doc-commands.py names')


if __name__ == '__main__':
    main()
