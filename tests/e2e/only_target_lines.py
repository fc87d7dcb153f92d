#!/usr/bin/env python3
"""Check that AFTER differs from BEFORE only in DISABLE_GKE_METADATA env lines.

Usage: only_target_lines.py BEFORE AFTER [--changes N] [--ignore-cr]

Allowed differences, line by line:
  * a `value:` line directly under an unchanged `- name: DISABLE_GKE_METADATA`
    line replaced by another `value:` line at the same indentation;
  * a new `- name: DISABLE_GKE_METADATA` line followed by its `value:` line,
    inserted as a whole env entry.
Anything else (a reformatted line, a lost comment, a moved entry, a changed
quote elsewhere) is reported and makes the exit status 1. With --changes N,
exactly N such edits must be present (0 means: byte-identical). With
--ignore-cr, a carriage return at the end of a line is not compared: for a
check that judges line ends on its own.
"""
import difflib
import re
import sys

NAME = re.compile(r'^(\s*)- name: ("DISABLE_GKE_METADATA"|\'DISABLE_GKE_METADATA\'|DISABLE_GKE_METADATA)\s*$')
VALUE = re.compile(r'^(\s*)value: \S.*$')


def main(argv):
    args = argv[1:]
    want = None
    ignore_cr = '--ignore-cr' in args
    if ignore_cr:
        args.remove('--ignore-cr')
    if '--changes' in args:
        i = args.index('--changes')
        want = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    before_path, after_path = args
    with open(before_path, 'rb') as f:
        a = f.read().decode('utf-8').split('\n')
    with open(after_path, 'rb') as f:
        b = f.read().decode('utf-8').split('\n')
    if ignore_cr:
        a = [line.removesuffix('\r') for line in a]
        b = [line.removesuffix('\r') for line in b]
    problems = []
    edits = 0
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == 'equal':
            continue
        if tag == 'replace' and i2 - i1 == j2 - j1:
            for k in range(i2 - i1):
                old, new = a[i1 + k], b[j1 + k]
                mo, mn = VALUE.match(old), VALUE.match(new)
                above = a[i1 + k - 1] if i1 + k > 0 else ''
                name = NAME.match(above)
                if mo and mn and name and mo.group(1) == mn.group(1) \
                        and len(mo.group(1)) == len(name.group(1)) + 2:
                    edits += 1
                else:
                    problems.append('changed line %d: %r -> %r' % (i1 + k + 1, old, new))
            continue
        if tag == 'insert' and (j2 - j1) % 2 == 0:
            for k in range(j1, j2, 2):
                n, v = NAME.match(b[k]), VALUE.match(b[k + 1])
                if n and v and len(v.group(1)) == len(n.group(1)) + 2:
                    edits += 1
                else:
                    problems.append('inserted lines %d-%d: %r %r' % (k + 1, k + 2, b[k], b[k + 1]))
            continue
        for k in range(i1, i2):
            problems.append('removed/changed line %d: %r' % (k + 1, a[k]))
        for k in range(j1, j2):
            problems.append('added/changed line %d: %r' % (k + 1, b[k]))
    if want is not None and edits != want:
        problems.append('expected %d DISABLE_GKE_METADATA edit(s), found %d' % (want, edits))
    if problems:
        print('%s -> %s: differences other than DISABLE_GKE_METADATA:' % (before_path, after_path))
        for p in problems:
            print('  ' + p)
        return 1
    print('%s -> %s: %d DISABLE_GKE_METADATA edit(s), nothing else changed' % (before_path, after_path, edits))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
