#!/usr/bin/env python3
"""Write a kustomization applying the patches of a Flux Kustomization (and
check a HelmRelease's postRenderers carry the same ones), so that
`kubectl kustomize` can apply them as Flux's controllers would.

Usage: flux_patches.py FLUX_KUSTOMIZATION HELMRELEASE RESOURCE_DIR OUT_DIR [EMITTED]

EMITTED: what `disable-gke-metadata --emit-patch` printed for the resources;
the Kustomization's patches must be exactly its `patches:`.
"""
import os
import sys

import yaml


def main(argv):
    if len(argv) not in (5, 6):
        print(__doc__, file=sys.stderr)
        return 2
    ks_path, hr_path, resource_dir, out_dir = argv[1:5]
    with open(ks_path) as f:
        ks = yaml.safe_load(f)
    with open(hr_path) as f:
        hr = yaml.safe_load(f)
    assert ks['apiVersion'] == 'kustomize.toolkit.fluxcd.io/v1' and ks['kind'] == 'Kustomization', ks_path
    assert hr['apiVersion'] == 'helm.toolkit.fluxcd.io/v2' and hr['kind'] == 'HelmRelease', hr_path
    patches = ks['spec']['patches']
    hr_patches = [p for r in hr['spec']['postRenderers'] for p in r['kustomize']['patches']]
    if patches != hr_patches:
        print('the HelmRelease postRenderers patches differ from the Kustomization patches', file=sys.stderr)
        return 1
    for p in patches:
        ops = yaml.safe_load(p['patch'])
        assert isinstance(ops, list) and ops, 'a JSON 6902 patch is a list of operations'
        assert any(o['op'] == 'test' for o in ops), 'the patch has no test operation to guard it'
        assert not any('valueFrom' in (o.get('value') or {}) for o in ops if isinstance(o.get('value'), dict))
    if len(argv) == 6:
        with open(argv[5]) as f:
            emitted = yaml.safe_load(f)
        if emitted != {'patches': patches}:
            print('%s: the patches are not what --emit-patch printed (%s): emit them again' % (ks_path, argv[5]),
                  file=sys.stderr)
            return 1
    os.makedirs(out_dir, exist_ok=True)
    rel = os.path.relpath(resource_dir, out_dir)
    with open(os.path.join(out_dir, 'kustomization.yaml'), 'w') as f:
        yaml.safe_dump({'resources': [rel], 'patches': patches}, f, sort_keys=False)
    print('%s: %d patch(es), the same in %s' % (ks_path, len(patches), hr_path))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
