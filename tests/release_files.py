#!/usr/bin/env python3
"""Check the release files against the repository: metadata.yaml (kpt
functions catalog format) and .github/workflows/release.yml.

Usage: python3 tests/release_files.py   (from the repository root)

metadata.yaml: the catalog's required fields (image, description, tags,
sourceURL, examplePackageURLs, emails, license) are there; tags and types are
mutator/validator; the image is untagged; sourceURL and every example URL
name the tag vX.Y.Z of Cargo.toml's version; every example is a kpt package
in this repository (a directory with a Kptfile); the license is Cargo.toml's.
release.yml: runs on vX.Y.Z tags only, every `uses:` is pinned to a full
commit, the workflow's own permissions are empty, and the image it pushes is
ghcr.io/<owner>/disable-gke-metadata, the name metadata.yaml gives.
"""
import os
import re
import sys

import yaml

REQUIRED = ['image', 'description', 'tags', 'sourceURL', 'examplePackageURLs', 'emails', 'license']


def cargo_field(name):
    with open('Cargo.toml') as f:
        for line in f:
            m = re.match(r'^%s = "(.*)"$' % name, line.strip())
            if m:
                return m.group(1)
    raise SystemExit('no %s in Cargo.toml' % name)


def main():
    problems = []
    version, license_ = cargo_field('version'), cargo_field('license')
    tag = 'v' + version
    with open('metadata.yaml') as f:
        md = yaml.safe_load(f)
    for k in REQUIRED:
        if k not in md:
            problems.append('metadata.yaml: %s is required' % k)
    if problems:
        return problems
    if not md['tags'] or set(md['tags']) - {'mutator', 'validator'}:
        problems.append('metadata.yaml: tags must be mutator and/or validator: %r' % md['tags'])
    if set(md.get('types', [])) - {'mutator', 'validator'}:
        problems.append('metadata.yaml: types must be mutator and/or validator: %r' % md['types'])
    if ':' in md['image'].rsplit('/', 1)[-1] or '@' in md['image']:
        problems.append('metadata.yaml: image must be untagged (the catalog adds versions): %s' % md['image'])
    if md['license'] != license_:
        problems.append('metadata.yaml: license %s, Cargo.toml says %s' % (md['license'], license_))
    prefix = md['sourceURL'].rstrip('/')
    if not prefix.endswith('/tree/' + tag):
        problems.append('metadata.yaml: sourceURL must point at tag %s: %s' % (tag, md['sourceURL']))
    if not md['examplePackageURLs']:
        problems.append('metadata.yaml: no examplePackageURLs')
    for url in md['examplePackageURLs']:
        if not url.startswith(prefix + '/'):
            problems.append('metadata.yaml: %s is not under %s' % (url, prefix))
            continue
        path = url[len(prefix) + 1:]
        if not os.path.isfile(os.path.join(path, 'Kptfile')):
            problems.append('metadata.yaml: %s is not a kpt package here' % path)

    with open('.github/workflows/release.yml') as f:
        text = f.read()
    wf = yaml.safe_load(text)
    on = wf.get(True, wf.get('on'))  # YAML 1.1 reads the key `on` as true
    if on != {'push': {'tags': ['v[0-9]+.[0-9]+.[0-9]+']}}:
        problems.append('release.yml: must run on vX.Y.Z tags only: %r' % on)
    if wf.get('permissions') != {}:
        problems.append('release.yml: top-level permissions must be {}')
    for job, spec in wf['jobs'].items():
        if 'permissions' not in spec:
            problems.append('release.yml: job %s does not set its permissions' % job)
        for step in spec.get('steps', []):
            uses = step.get('uses')
            if uses and not re.match(r'^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$', uses):
                problems.append('release.yml: %s: not pinned to a commit: %s' % (job, uses))
    owner_image = md['image'].split('/')
    if len(owner_image) != 3 or owner_image[0] != 'ghcr.io' or owner_image[2] != 'disable-gke-metadata':
        problems.append('metadata.yaml: image must be ghcr.io/<owner>/disable-gke-metadata: %s' % md['image'])
    if 'image="ghcr.io/${OWNER,,}/disable-gke-metadata"' not in text:
        problems.append('release.yml: does not push ghcr.io/<owner>/disable-gke-metadata')
    return problems


if __name__ == '__main__':
    problems = main()
    for p in problems:
        print('!! ' + p)
    if problems:
        sys.exit(1)
    print('release files: metadata.yaml and release.yml agree with the repository')
