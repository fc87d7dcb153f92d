#!/usr/bin/env python3
"""Check the Argo CD install patches of examples/argocd, as built by kubectl kustomize.

Usage: argocd_install.py EXEC_INSTALL_BUILD CMP_INSTALL_BUILD EXEC_TRANSFORMER

EXEC_INSTALL_BUILD: examples/argocd/exec/install on the install.yaml stand-in;
CMP_INSTALL_BUILD: the stand-in with examples/argocd/cmp/repo-server-patch.yaml;
EXEC_TRANSFORMER: the app's transformer file, whose exec path must be where
the init container puts the binary.
"""
import sys

import yaml


def objects(path):
    with open(path) as f:
        return {(d['kind'], d['metadata']['name']): d for d in yaml.safe_load_all(f) if d}


def by_name(items):
    return {i['name']: i for i in items or []}


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    problems = []

    def need(cond, msg):
        if not cond:
            problems.append(msg)

    exec_build, cmp_build = objects(argv[1]), objects(argv[2])
    with open(argv[3]) as f:
        transformer = yaml.safe_load(f)
    fn = yaml.safe_load(transformer['metadata']['annotations']['config.kubernetes.io/function'])
    exec_path = fn['exec']['path']

    cm = exec_build[('ConfigMap', 'argocd-cm')]
    opts = cm.get('data', {}).get('kustomize.buildOptions', '').split()
    need('--enable-alpha-plugins' in opts and '--enable-exec' in opts,
         'argocd-cm kustomize.buildOptions lacks --enable-alpha-plugins --enable-exec: %r' % opts)

    pod = exec_build[('Deployment', 'argocd-repo-server')]['spec']['template']['spec']
    vols = by_name(pod['volumes'])
    need('emptyDir' in vols.get('custom-tools', {}), 'no custom-tools emptyDir volume')
    init = by_name(pod['initContainers']).get('disable-gke-metadata')
    need(init is not None, 'no disable-gke-metadata init container')
    if init:
        cmd = init.get('command', [])
        need(cmd[:1] == ['cp'] and cmd[-1] == exec_path,
             'the init container does not copy the binary to %s: %r' % (exec_path, cmd))
        need({m['mountPath']: m['name'] for m in init['volumeMounts']}.get('/custom-tools') == 'custom-tools',
             'the init container does not mount custom-tools at /custom-tools')
        need(init.get('securityContext', {}).get('runAsNonRoot') is True, 'the init container may run as root')
    repo = by_name(pod['containers'])['argocd-repo-server']
    mounts = {m['mountPath']: m['name'] for m in repo['volumeMounts']}
    need(mounts.get('/custom-tools') == 'custom-tools', 'argocd-repo-server does not mount custom-tools')
    need(mounts.get('/tmp') == 'tmp', 'the upstream mounts of argocd-repo-server were lost')
    need(exec_path.startswith('/custom-tools/'), 'the transformer exec path %r is not under /custom-tools' % exec_path)

    pod = cmp_build[('Deployment', 'argocd-repo-server')]['spec']['template']['spec']
    vols = by_name(pod['volumes'])
    side = by_name(pod['containers']).get('disable-gke-metadata')
    need(side is not None, 'no disable-gke-metadata sidecar')
    if side:
        need(side.get('command') == ['/var/run/argocd/argocd-cmp-server'], 'the sidecar does not run argocd-cmp-server')
        sc = side.get('securityContext', {})
        need(sc.get('runAsUser') == 999 and sc.get('runAsNonRoot') is True, 'the sidecar does not run as 999')
        mounts = {m['mountPath']: m['name'] for m in side['volumeMounts']}
        for path, vol in (('/var/run/argocd', 'var-files'), ('/home/argocd/cmp-server/plugins', 'plugins')):
            need(mounts.get(path) == vol and vol in vols, 'the sidecar lacks %s at %s' % (vol, path))
        need(mounts.get('/tmp') not in (None, 'tmp') and mounts.get('/tmp') in vols,
             'the sidecar must have its own /tmp, not the repo-server\'s')
    need('argocd-repo-server' in by_name(pod['containers']), 'the patch replaced the repo-server container')

    for p in problems:
        print('!! ' + p)
    if not problems:
        print('argocd install patches: init container -> %s, buildOptions %s; sidecar runs argocd-cmp-server as 999'
              % (exec_path, ' '.join(opts)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
