#!/usr/bin/env python3
"""Helpers for the --emit-patch checks of tests/e2e/run.sh.

  emit_patch.py upstream KIND PATCH BUILD OUT_DIR
      Write OUT_DIR/kustomization.yaml: BUILD (copied into OUT_DIR) as upstream might
      change it under the emitted PATCH, for every object and container the patch touches:
        reorder-env       the container's env rotated (its first entry moved last);
        insert-container  a container inserted before the others.
      The emitted patch, applied on top of that, must make kustomize fail.
  emit_patch.py count PATCH
      Print "P patch(es), O operation(s), T test(s)" for an emitted patch file.
"""
import os
import re
import shutil
import sys

import yaml


def patches_of(path):
    with open(path) as f:
        doc = yaml.safe_load(f)
    assert isinstance(doc, dict) and list(doc) == ['patches'], '%s: not a patches: document' % path
    out = []
    for p in doc['patches']:
        assert set(p) == {'target', 'patch'}, p
        ops = yaml.safe_load(p['patch'])
        assert isinstance(ops, list) and ops, 'a JSON 6902 patch is a list of operations'
        out.append((p['target'], ops))
    return out


def containers(ops):
    """The container pointers an emitted patch guards (its `test .../name` at a container)."""
    seen = []
    for o in ops:
        m = re.fullmatch(r'(.*/(?:containers|initContainers)/\d+)/name', o['path'])
        if o['op'] == 'test' and m and m.group(1) not in seen:
            seen.append(m.group(1))
    return seen


def upstream(kind, patch, build, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    shutil.copy(build, os.path.join(out_dir, 'build.yaml'))
    changes = []
    for target, ops in patches_of(patch):
        cs = containers(ops)
        assert cs, 'the patch guards no container'
        if kind == 'reorder-env':
            upstream_ops = [{'op': 'move', 'from': c + '/env/0', 'path': c + '/env/-'} for c in cs]
        elif kind == 'insert-container':
            lists = sorted({c.rsplit('/', 1)[0] for c in cs})
            upstream_ops = [{'op': 'add', 'path': l + '/0', 'value': {'name': 'upstream-sidecar', 'image': 'busybox'}}
                            for l in lists]
        else:
            raise SystemExit('unknown kind %s' % kind)
        changes.append({'target': target, 'patch': yaml.safe_dump(upstream_ops, sort_keys=False)})
    with open(os.path.join(out_dir, 'kustomization.yaml'), 'w') as f:
        yaml.safe_dump({'resources': ['build.yaml'], 'sortOptions': {'order': 'fifo'}, 'patches': changes},
                       f, sort_keys=False)


def count(patch):
    ps = patches_of(patch)
    ops = [o for _, os_ in ps for o in os_]
    print('%d patch(es), %d operation(s), %d test(s)' % (len(ps), len(ops), sum(o['op'] == 'test' for o in ops)))


def main(argv):
    if len(argv) == 6 and argv[1] == 'upstream':
        upstream(*argv[2:])
    elif len(argv) == 3 and argv[1] == 'count':
        count(argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
