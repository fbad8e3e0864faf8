#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""gate.py: judge one guest console log.

Usage: gate.py --kunit KUNIT_PY [--expect EXPECT] [--cases STEP=FILE]
               [--skips FILE --guest NAME] [--rc N] [--json OUT] LOG

Findings, one per gate that tripped:
  lockdep  a lockdep report (circular/recursive locking, bad unlock, ...)
  kasan    a KASAN report
  leak     a kmemleak "unreferenced object" after the final scan, allocated
           at or after the jiffy of "harness: kmemleak since jiffies N"
           (what boot left behind is counted, not reported); a report
           without that line trips the test gate
  warn     a WARN()/WARN_ON() splat ("WARNING: CPU: ..." or, since 7.x,
           "WARNING: FILE:LINE at FN, CPU#N: ...")
  bug      BUG:, kernel BUG at, invalid opcode, Oops, a panic, a general
           protection or double fault, UBSAN, a stack-protector report,
           an RCU stall, a hung task
  test     a KTAP segment that kunit.py parse rejects (failed, crashed or
           missing cases), a step without KTAP, a step that exited non-zero,
           an insmod or rmmod that failed, a TAP/KTAP result with a SKIP
           directive that --skips does not list
  timeout  the guest did not finish its plan (QEMU stopped at its timeout,
           or no "harness: done" line)

The KTAP of every step (between "harness: begin" and "harness: end") is
parsed by the kernel's own tools/testing/kunit/kunit.py parse.

--expect: "none", or a comma-separated list of GATE or GATE=STEP. A plain
GATE must trip, anywhere. GATE=STEP (STEP: the step's item as its "harness:
begin KIND ITEM" line gives it, such as sgt_lockdep@case=cached)
must trip inside that step, and may list several steps: then every finding
of GATE must come from one of them, and each of them must have one. A
report belongs to the step begun last before it (printk can lag behind the
step's end line); a finding of the test or timeout gate to the step it
judges. leak findings belong to no step and cannot be scoped.

--cases STEP=FILE: for the step named STEP, FILE holds lines "GLOB pass|fail|skip"
where some cases must fail (the contract suite on a kernel without the
series). Every case (suite.case or suite.case.param) must match a line and
have its status, and every line must match a case; otherwise the test gate
trips. Other steps are judged as usual.

--skips FILE --guest NAME: every "ok N NAME # SKIP" of every (K)TAP document
of a step must match a line "GUEST STEP TEST -- REASON" of FILE (globs; in
TEST, runs of white space of the result's name are one "_"), or the test
gate trips: a skip nobody expected is a failure. Without --skips no skip is
expected.

Exit status: 0 when the findings are exactly the expected set, each from
its steps, 1 otherwise. The last line is the verdict.
"""

import argparse
import fnmatch
import json
import os
import re
import subprocess
import sys
import tempfile

PREFIX = re.compile(r'^\[\s*\d+\.\d+\]\s?')

# Order matters: the first pattern that matches a line classifies it.
REPORTS = [
    ('kasan', re.compile(r'BUG: KASAN: |KASAN: ')),
    ('lockdep', re.compile(
        r'WARNING: (possible (circular|recursive) locking|inconsistent lock state'
        r'|possible irq lock inversion|suspicious RCU usage|bad unlock balance'
        r'|held lock freed|lock held |Nested lock was not taken'
        r'|bad contention|[A-Z]+IRQ-safe -> [A-Z]+IRQ-unsafe)'
        r'|DEBUG_LOCKS_WARN_ON|INFO: lockdep is turned off')),
    # 6.x: "WARNING: CPU: 0 PID: 1 at FILE:LINE FN"; 7.x: "WARNING: FILE:LINE
    # at FN, CPU#0: COMM/PID"
    ('warn', re.compile(r'WARNING: (CPU: \d+ PID: \d+ at |\S+:\d+ at .*, CPU#\d+: )')),
    # The titles syzkaller's pkg/report/linux.go classifies as crashes, in
    # the forms x86 prints them in 6.1 and 6.12: 6.1 prints a BUG() as
    # "kernel BUG at FILE:LINE!" and "invalid opcode: 0000 [#1]" (6.12:
    # "Oops: invalid opcode"); RCU stalls and hung tasks are INFO lines.
    ('bug', re.compile(r'BUG: |kernel BUG at |invalid opcode: |Oops: |Oops - '
                       r'|Kernel panic - |general protection fault|double fault: '
                       r'|Unable to handle kernel |Internal error: |UBSAN: '
                       r'|stack-protector: |INFO: rcu_\w+ (self-)?detected stall'
                       r'|rcu: INFO: \w+ (self-)?detected stall'
                       r'|INFO: task .* blocked for more than \d+ seconds')),
]
LEAK = re.compile(r'unreferenced object 0x[0-9a-f]+')
BEGIN = re.compile(r'^harness: begin (\S+) (\S+)$')
END = re.compile(r'^harness: end (\S+) (\S+) rc=(-?\d+)( \(\d+\.\d+ s\))?$')
MODCMD = re.compile(r'^harness: (insmod|rmmod) (\S+) rc=(-?\d+)$')
SINCE = re.compile(r'^harness: kmemleak since jiffies (\d*)$')
JIFFIES = re.compile(r'^\s*comm ".*", pid -?\d+, jiffies (\d+)')
SKIP = re.compile(r'^\s*(?:not )?ok \d+ (.*?)\s*#\s*SKIP\b', re.IGNORECASE)
GATES = ['lockdep', 'kasan', 'leak', 'warn', 'bug', 'test', 'timeout']


def kunit_parse(kunit_py, lines):
    """Run kunit.py parse on KTAP lines.

    Returns (ok, passed, failed, skipped, output, leaves), where leaves maps
    "suite.case[.param]" to its status.
    """
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, 'ktap.log')
        out = os.path.join(tmp, 'ktap.json')
        with open(log, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        proc = subprocess.run([sys.executable, kunit_py, 'parse', '--json=' + out, log],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, check=False)
        counts = {'PASS': 0, 'FAIL': 0, 'SKIP': 0}
        leaves = {}
        try:
            with open(out) as f:
                tree = json.load(f)
        except (OSError, ValueError):
            tree = {}

        def walk(group, path):
            for case in group.get('test_cases', []):
                status = case.get('status', 'FAIL')
                status = status if status in counts else 'FAIL'
                counts[status] += 1
                leaves['.'.join(path + [case.get('name', '?')])] = status
            for sub in group.get('sub_groups', []):
                walk(sub, path + [sub.get('name', '?')])
        for top in tree.get('sub_groups', []):
            walk(top, [top.get('name', '?')])
        walk({'test_cases': tree.get('test_cases', [])}, [])
        return (proc.returncode == 0, counts['PASS'], counts['FAIL'], counts['SKIP'],
                proc.stdout, leaves)


def check_cases(expect_file, leaves):
    """Compare case statuses with "GLOB pass|fail|skip" lines; return mismatches."""
    rules = []
    with open(expect_file) as f:
        for line in f:
            line = line.split('#', 1)[0].split()
            if not line:
                continue
            if len(line) != 2 or line[1] not in ('pass', 'fail', 'skip'):
                sys.exit(f'error: {expect_file}: bad line: {" ".join(line)}')
            rules.append((line[0], line[1].upper(), [0]))
    bad = []
    for name, status in sorted(leaves.items()):
        rule = next((r for r in rules if fnmatch.fnmatchcase(name, r[0])), None)
        if rule is None:
            bad.append(f'{name}: no expectation')
            continue
        rule[2][0] += 1
        if status != rule[1]:
            bad.append(f'{name}: {status}, expected {rule[1]}')
    bad += [f'{glob}: matched no case' for glob, _, hits in rules if not hits[0]]
    return bad


def read_skips(path):
    """--skips FILE -> [(guest, step, test)] globs; each line needs a reason."""
    rules = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            words, _, reason = line.partition(' -- ')
            words = words.split()
            if len(words) != 3 or not reason.strip():
                sys.exit(f'error: {path}:{n}: want "GUEST STEP TEST -- REASON"')
            rules.append(tuple(words))
    return rules


def unexpected_skips(lines, step, skips, guest):
    """The names of the SKIP results in a step's lines that no rule lists."""
    bad = []
    for line in lines:
        m = SKIP.match(line)
        if not m:
            continue
        name = re.sub(r'\s+', '_', m.group(1).strip())
        if not any(fnmatch.fnmatchcase(guest or '', g) and fnmatch.fnmatchcase(step, s)
                   and fnmatch.fnmatchcase(name, t) for g, s, t in skips or []):
            bad.append(name)
    return bad


def judge(log_lines, kunit_py, rc, cases=None, skips=None, guest=None):
    """Returns (findings, where, totals): the first finding of each gate that
    tripped, all findings of each as (step item or None, text), and case
    counts."""
    findings = {}
    where = {}
    steps = []
    done = False
    in_leaks = False
    seg = None
    leaks = []          # kmemleak suspects: [first line, jiffies]
    since = None        # the first jiffy after boot
    current = None      # the item of the step begun last

    def find(gate, what, step=None):
        findings.setdefault(gate, what)
        where.setdefault(gate, []).append((step, what))

    for raw in log_lines:
        line = PREFIX.sub('', raw.rstrip('\n'))
        if line == 'harness: done':
            done = True
        elif line == 'harness: kmemleak report begin':
            in_leaks = True
        elif line == 'harness: kmemleak report end':
            in_leaks = False
        m = SINCE.match(line)
        if m and m.group(1):
            since = int(m.group(1))
        if in_leaks and LEAK.search(line):
            leaks.append([line.strip(), None])
        elif in_leaks and leaks and leaks[-1][1] is None:
            m = JIFFIES.match(line)
            if m:
                leaks[-1][1] = int(m.group(1))
        for gate, pat in REPORTS:
            if pat.search(line):
                find(gate, line.strip(), current)
                break
        m = MODCMD.match(line)
        if m and m.group(3) != '0':
            find('test', f'{m.group(1)} {m.group(2)}: exit status {m.group(3)}')
        m = BEGIN.match(line)
        if m:
            seg = {'kind': m.group(1), 'name': m.group(2), 'lines': []}
            current = seg['name']
            continue
        m = END.match(line)
        if m and seg is not None:
            seg['rc'] = int(m.group(3))
            steps.append(seg)
            seg = None
            continue
        if seg is not None:
            seg['lines'].append(line)
    if seg is not None:
        seg['rc'] = None
        steps.append(seg)

    if leaks and since is None:
        find('test', 'kmemleak suspects, but no "harness: kmemleak since jiffies" line')
    in_boot = 0
    for first, j in leaks:
        if since is not None and j is not None and j < since:
            in_boot += 1
        else:
            find('leak', first)
    if in_boot:
        print(f'# kmemleak: {in_boot} suspect(s) allocated during boot '
              f'(jiffies < {since}), ignored')

    totals = [0, 0, 0]
    for step in steps:
        label = f"{step['kind']} {step['name']}"
        here = step['name']
        if step['rc'] is None:
            find('timeout', f'{label}: never finished', here)
            continue
        if step['rc'] != 0:
            find('test', f"{label}: exit status {step['rc']}", here)
        for name in unexpected_skips(step['lines'], here, skips, guest):
            find('test', f'{label}: SKIP of {name}, which --skips does not expect', here)
        ktap = [i for i, l in enumerate(step['lines'])
                if l.lstrip().startswith(('KTAP version', 'TAP version'))]
        if not ktap:
            find('test', f'{label}: printed no KTAP', here)
            continue
        ok, passed, failed, skipped, out, leaves = kunit_parse(kunit_py, step['lines'][ktap[0]:])
        totals[0] += passed
        totals[1] += failed
        totals[2] += skipped
        step['result'] = (passed, failed, skipped)
        print(f'# {label}: {passed} passed, {failed} failed, {skipped} skipped')
        if cases and cases[0] == step['name']:
            bad = check_cases(cases[1], leaves)
            for b in bad:
                print(f'# {label}: {b}')
            if bad:
                find('test', f'{label}: {len(bad)} case(s) differ from '
                     f'{os.path.basename(cases[1])}', here)
            else:
                print(f'# {label}: all {len(leaves)} cases as in {os.path.basename(cases[1])}')
        elif not ok or failed:
            tail = [l for l in out.splitlines() if 'FAILED' in l or 'ERROR' in l or 'missing' in l.lower()]
            find('test', f"{label}: kunit.py parse: "
                 f"{(tail or out.splitlines() or ['?'])[-1].strip()}", here)
    if rc == 124:
        find('timeout', 'QEMU stopped at its timeout')
    elif not done:
        find('timeout', 'no "harness: done" line')
    return findings, where, totals


def parse_expect(text):
    """--expect text -> {gate: [steps]} (no steps: anywhere)."""
    want = {}
    if text == 'none':
        return want
    for item in text.split(','):
        gate, _, step = item.partition('=')
        if gate not in GATES:
            sys.exit(f'error: --expect: unknown gate {gate!r} (gates: {", ".join(GATES)})')
        if step and gate == 'leak':
            sys.exit('error: --expect: leak findings belong to no step')
        want.setdefault(gate, [])
        if step:
            want[gate].append(step)
    return want


def check_steps(want, where):
    """Print each scoped gate's findings; return False if one is outside
    its steps or a step has none."""
    ok = True
    for gate, steps in want.items():
        got = where.get(gate, [])
        if not steps or not got:
            continue
        for step, what in got:
            if step not in steps:
                print(f'# gate {gate}: outside {" ".join(steps)}: {what}')
                ok = False
        for step in steps:
            mine = [what for s, what in got if s == step]
            if mine:
                print(f'# expected {gate} in {step}: {mine[0]}')
            else:
                print(f'# gate {gate}: nothing in step {step}')
                ok = False
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--kunit', required=True, help='path to tools/testing/kunit/kunit.py')
    ap.add_argument('--expect', default='none',
                    help='none, or the comma-separated GATE or GATE=STEP that must trip')
    ap.add_argument('--cases', metavar='STEP=FILE',
                    help='expected status per case of step STEP (GLOB pass|fail|skip lines)')
    ap.add_argument('--skips', help='the SKIP results expected: GUEST STEP TEST -- REASON lines')
    ap.add_argument('--guest', help="the guest's name, for --skips")
    ap.add_argument('--rc', type=int, default=0, help="boot.sh's exit status")
    ap.add_argument('--json', help='write findings and counts here')
    ap.add_argument('log')
    args = ap.parse_args()
    if not os.path.isfile(args.kunit):
        sys.exit(f'error: no kunit.py at {args.kunit}')
    try:
        with open(args.log, errors='backslashreplace') as f:
            lines = f.readlines()
    except OSError as e:
        sys.exit(f'error: cannot read log: {e}')

    cases = None
    if args.cases:
        step, _, path = args.cases.partition('=')
        if not step or not os.path.isfile(path):
            sys.exit(f'error: --cases wants STEP=FILE with an existing FILE: {args.cases}')
        cases = (step, path)
    want = parse_expect(args.expect)
    skips = read_skips(args.skips) if args.skips else []
    findings, where, totals = judge(lines, args.kunit, args.rc, cases, skips, args.guest)
    for gate in GATES:
        if gate in findings:
            print(f'# gate {gate}: {findings[gate]}')
    ok = check_steps(want, where) and set(findings) == set(want)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'findings': findings, 'passed': totals[0], 'failed': totals[1],
                       'skipped': totals[2], 'expect': args.expect, 'ok': ok}, f)
    tripped = ','.join(g for g in GATES if g in findings) or 'none'
    expected = ','.join(want) or 'none'
    print(f"{'PASS' if ok else 'FAIL'}: tripped={tripped} expected={expected} "
          f'cases={totals[0]}/{totals[0] + totals[1]}')
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
