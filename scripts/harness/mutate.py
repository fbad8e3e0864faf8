#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mutate.py SPEC --list [VERSION] | SPEC NAME SRC DST: deliberate bugs.

SPEC holds mutants, each a header line and edits:

    ## NAME [VERSION ...] [last=STEP]: what the bug is -- what must catch it
    - a line of the source, exactly (one or more "- " lines: the text)
    + what replaces it (zero or more "+ " lines)

and more "-"/"+" groups for more edits of the same mutant. Each "-" text
must occur exactly once in the source, or the mutant is refused: a mutant
that no longer applies says so instead of testing nothing. Without
VERSIONs a mutant is for every kernel. last= names the guest step that must
end its test boot (the one lockdep case that can report; the harness has a
default).

--list prints "NAME LAST" for the mutants of VERSION (all without it; LAST
is "-" when not given). With NAME, writes SRC with the mutant's edits to DST
(a new file renamed into place: DST may be a hard link to a pristine tree).
Exit status 1 on error.
"""

import os
import re
import sys

HEAD = re.compile(r'^## ([\w-]+)((?: [\d.]+)*)(?: last=(\S+))?: (.+)$')


def read(spec):
    mutants, cur = [], None
    with open(spec) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            m = HEAD.match(line)
            if m:
                cur = {'name': m.group(1), 'versions': m.group(2).split(),
                       'last': m.group(3) or '-', 'why': m.group(4), 'edits': []}
                mutants.append(cur)
            elif line.startswith(('- ', '+ ')) or line in ('-', '+'):
                if cur is None:
                    sys.exit(f'error: {spec}:{n}: an edit before any "## NAME: ..." line')
                sign, text = line[0], line[2:]
                if sign == '-' and (not cur['edits'] or cur['edits'][-1][1]):
                    cur['edits'].append([[], []])
                elif sign == '+' and not cur['edits']:
                    sys.exit(f'error: {spec}:{n}: "+" before "-"')
                cur['edits'][-1][0 if sign == '-' else 1].append(text)
            elif line.strip() and not line.startswith('#'):
                sys.exit(f'error: {spec}:{n}: not a mutant line: {line}')
    for m in mutants:
        if not m['edits']:
            sys.exit(f'error: {spec}: mutant {m["name"]} has no edits')
    return mutants


def main():
    args = sys.argv[1:]
    if len(args) >= 2 and args[1] == '--list':
        for m in read(args[0]):
            if len(args) < 3 or not m['versions'] or args[2] in m['versions']:
                print(m['name'], m['last'])
        return
    if len(args) != 4:
        sys.exit('usage: mutate.py SPEC --list [VERSION] | mutate.py SPEC NAME SRC DST')
    spec, name, src, dst = args
    m = next((m for m in read(spec) if m['name'] == name), None)
    if m is None:
        sys.exit(f'error: {spec}: no mutant {name}')
    text = open(src).read()
    for old, new in m['edits']:
        old, new = '\n'.join(old) + '\n', '\n'.join(new) + ('\n' if new else '')
        if text.count(old) != 1:
            sys.exit(f'error: mutant {name}: "{old.splitlines()[0].strip()}" occurs '
                     f'{text.count(old)} times in {src}, not once')
        text = text.replace(old, new)
    with open(dst + '.tmp', 'w') as f:
        f.write(text)
    os.replace(dst + '.tmp', dst)


if __name__ == '__main__':
    main()
