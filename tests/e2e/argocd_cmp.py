#!/usr/bin/env python3
"""Run an Argo CD Config Management Plugin's commands as the sidecar would.

Usage: argocd_cmp.py PLUGIN_YAML REPO_DIR APP_PATH OUT
                     [--param NAME=VALUE]... [--env NAME=VALUE]... [--path DIR]...

What Argo CD's CMP server does (argoproj/argo-cd cmpserver/plugin/plugin.go,
docs/operator-manual/config-management-plugins.md, docs/user-guide/
build-environment.md), restated for a test:
  * the repository is unpacked into a work directory and the commands run with
    their working directory at the Application's path inside it;
  * `init` (if any) runs first, its output ignored; then `generate`;
    each is exec'd as command + args, with no shell and no expansion by Argo CD;
  * the environment is the sidecar's own plus the build environment
    (ARGOCD_APP_NAME, ARGOCD_APP_NAMESPACE, ARGOCD_APP_PROJECT_NAME,
    ARGOCD_APP_REVISION(_SHORT, _SHORT_8), ARGOCD_APP_SOURCE_PATH,
    ARGOCD_APP_SOURCE_REPO_URL, ARGOCD_APP_SOURCE_TARGET_REVISION,
    KUBE_VERSION, KUBE_API_VERSIONS), the Application's plugin env prefixed
    with ARGOCD_ENV_, and each parameter as PARAM_<NAME> (upper case, other
    characters as _) plus all of them as JSON in ARGOCD_APP_PARAMETERS;
  * a non-zero exit fails the sync with the stderr shown; stdout is the
    manifests.
The sidecar's own environment here is only PATH (--path entries, then
/usr/bin:/bin), HOME and TMPDIR: nothing leaks in from the test runner.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml


def param_env(name):
    return 'PARAM_' + re.sub(r'[^A-Za-z0-9]', '_', name).upper()


def main(argv):
    args = argv[1:]
    params, extra_env, paths, pos = [], {}, [], []
    i = 0
    while i < len(args):
        if args[i] == '--param':
            n, _, v = args[i + 1].partition('=')
            params.append((n, v))
            i += 2
        elif args[i] == '--env':
            n, _, v = args[i + 1].partition('=')
            extra_env['ARGOCD_ENV_' + n] = v
            i += 2
        elif args[i] == '--path':
            paths.append(os.path.abspath(args[i + 1]))
            i += 2
        else:
            pos.append(args[i])
            i += 1
    if len(pos) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    plugin_yaml, repo_dir, app_path, out = pos
    with open(plugin_yaml, encoding='utf-8') as f:
        plugin = yaml.safe_load(f)
    if plugin.get('apiVersion') != 'argoproj.io/v1alpha1' or plugin.get('kind') != 'ConfigManagementPlugin':
        print('%s: not a ConfigManagementPlugin' % plugin_yaml, file=sys.stderr)
        return 1
    spec = plugin['spec']
    app_dir = os.path.join(os.path.abspath(repo_dir), app_path)
    home = tempfile.mkdtemp(prefix='cmp-home.')
    revision = '0123456789abcdef0123456789abcdef01234567'
    env = {
        'PATH': ':'.join(paths + ['/usr/bin', '/bin']),
        'HOME': home,
        'TMPDIR': home,
        'ARGOCD_APP_NAME': 'kubeflow-pipelines-ui',
        'ARGOCD_APP_NAMESPACE': 'kubeflow',
        'ARGOCD_APP_PROJECT_NAME': 'default',
        'ARGOCD_APP_REVISION': revision,
        'ARGOCD_APP_REVISION_SHORT': revision[:7],
        'ARGOCD_APP_REVISION_SHORT_8': revision[:8],
        'ARGOCD_APP_SOURCE_PATH': app_path,
        'ARGOCD_APP_SOURCE_REPO_URL': 'https://example.invalid/your/gitops-repo.git',
        'ARGOCD_APP_SOURCE_TARGET_REVISION': 'HEAD',
        'KUBE_VERSION': '1.32.4',
        'KUBE_API_VERSIONS': 'v1,apps/v1,batch/v1',
    }
    env.update(extra_env)
    if params:
        env['ARGOCD_APP_PARAMETERS'] = json.dumps([{'name': n, 'string': v} for n, v in params])
        for n, v in params:
            env[param_env(n)] = v
    for step in ('init', 'generate'):
        cmd = spec.get(step)
        if not cmd or not cmd.get('command'):
            continue
        argv_ = list(cmd['command']) + list(cmd.get('args') or [])
        p = subprocess.run(argv_, cwd=app_dir, env=env, capture_output=True)
        sys.stderr.write(p.stderr.decode('utf-8', 'replace'))
        if p.returncode != 0:
            print('%s: `%s` failed with exit %d' % (step, ' '.join(argv_[:2]), p.returncode), file=sys.stderr)
            return 1
        if step == 'generate':
            with open(out, 'wb') as f:
                f.write(p.stdout)
            print('generate: %d bytes of manifests from %s' % (len(p.stdout), app_path))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
