#!/usr/bin/env python3
"""Check a Helm 4 postrenderer/v1 plugin directory and run it as Helm 4 would.

Usage: helm4_plugin.py PLUGIN_DIR [--os linux] [--arch amd64]
                       [--run IN OUT [--post-renderer-arg ARG]...]

No helm binary is available here, so this applies the rules Helm 4's plugin
loader and subprocess runtime follow, as read in helm/helm (v4.2.4 and main):
  internal/plugin/loader.go       plugin.yaml with apiVersion v1 is decoded
                                  strictly: unknown top-level keys are errors;
  internal/plugin/metadata_v1.go  name ^[A-Za-z0-9_-]+$, version strict
                                  SemVer 2, apiVersion "v1", type and runtime set;
  internal/plugin/config.go       `config` is decoded strictly into the type's
                                  config; postrenderer/v1's has no fields;
  internal/plugin/subprocess_commands.go
                                  platformCommand selection (os+arch match
                                  first, then os, then neither), the command
                                  split on spaces, ${VAR} expanded from the
                                  environment plus HELM_PLUGIN_NAME/DIR, the
                                  entry's args (expanded), then the
                                  --post-renderer-args (not expanded);
  internal/plugin/runtime_subprocess.go
                                  manifests on stdin, stdout is the result,
                                  stderr is captured and not shown, a non-zero
                                  exit fails the release;
  pkg/postrenderer/postrenderer.go
                                  output that is only whitespace is an error.
This is an independent restatement of those rules for a test, not Helm's code.
"""
import os
import re
import subprocess
import sys

import yaml

TOP_LEVEL = {'apiVersion', 'name', 'type', 'runtime', 'version', 'sourceURL', 'config', 'runtimeConfig'}
SUBPROCESS_CONFIG = {'platformCommand', 'platformHooks', 'protocolCommands'}
PLATFORM_COMMAND = {'os', 'arch', 'command', 'args'}
NAME = re.compile(r'^[A-Za-z0-9_-]+$')
# SemVer 2.0.0, strict (no leading "v", no missing parts), as Masterminds' StrictNewVersion.
SEMVER = re.compile(
    r'^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)'
    r'(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?'
    r'(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$')
VAR = re.compile(r'\$(?:\{([^}]*)\}|([A-Za-z0-9_]+))')


class PluginError(Exception):
    pass


def load(plugin_dir):
    path = os.path.join(plugin_dir, 'plugin.yaml')
    with open(path, encoding='utf-8') as f:
        text = f.read()
    # Go's yaml.v3 reads YAML 1.2 scalars; a string field given a bare 1.1
    # boolean or number is a trap either way: require strings to be strings.
    meta = yaml.safe_load(text)
    if not isinstance(meta, dict):
        raise PluginError('plugin.yaml is not a mapping')
    unknown = set(meta) - TOP_LEVEL
    if unknown:
        raise PluginError('unknown top-level keys (Helm 4 decodes v1 strictly): %s' % sorted(unknown))
    for key in ('apiVersion', 'name', 'type', 'runtime', 'version'):
        if not isinstance(meta.get(key), str) or not meta[key]:
            raise PluginError('`%s` must be a non-empty string' % key)
    if meta['apiVersion'] != 'v1':
        raise PluginError('apiVersion must be "v1", not %r' % meta['apiVersion'])
    if not NAME.match(meta['name']):
        raise PluginError('invalid plugin name %r' % meta['name'])
    if not SEMVER.match(meta['version']):
        raise PluginError('version %r is not strict SemVer 2' % meta['version'])
    if meta['type'] != 'postrenderer/v1':
        raise PluginError('type must be postrenderer/v1, not %r' % meta['type'])
    if meta['runtime'] != 'subprocess':
        raise PluginError('this check covers runtime "subprocess" only, not %r' % meta['runtime'])
    config = meta.get('config')
    if config not in (None, {}):
        raise PluginError('postrenderer/v1 takes no config keys, got %r' % config)
    rc = meta.get('runtimeConfig')
    if not isinstance(rc, dict):
        raise PluginError('runtimeConfig must be a mapping')
    unknown = set(rc) - SUBPROCESS_CONFIG
    if unknown:
        raise PluginError('unknown runtimeConfig keys: %s' % sorted(unknown))
    cmds = rc.get('platformCommand')
    if not isinstance(cmds, list) or not cmds:
        raise PluginError('runtimeConfig.platformCommand must be a non-empty list')
    for c in cmds:
        if not isinstance(c, dict) or set(c) - PLATFORM_COMMAND:
            raise PluginError('bad platformCommand entry %r' % c)
        if not isinstance(c.get('command'), str) or not c['command']:
            raise PluginError('platformCommand entry without a command: %r' % c)
        for k in ('os', 'arch'):
            if k in c and not isinstance(c[k], str):
                raise PluginError('platformCommand %s must be a string: %r' % (k, c))
        if 'args' in c and not (isinstance(c['args'], list) and all(isinstance(a, str) for a in c['args'])):
            raise PluginError('platformCommand args must be a list of strings: %r' % c)
    return meta


def select(cmds, goos, goarch):
    chosen = None
    found_os = False
    eq = lambda a, b: a.lower() == b.lower()
    for c in cmds:
        os_, arch = c.get('os', ''), c.get('arch', '')
        if eq(os_, goos) and eq(arch, goarch):
            return c
        if (os_ and not eq(os_, goos)) or arch:
            continue
        if not found_os and os_ and eq(os_, goos):
            chosen, found_os = c, True
        elif chosen is None:
            chosen = c
    return chosen


def expand(s, env):
    return VAR.sub(lambda m: env.get(m.group(1) if m.group(1) is not None else m.group(2), ''), s)


def run(plugin_dir, meta, goos, goarch, stdin_path, stdout_path, extra_args):
    plugin_dir = os.path.abspath(plugin_dir)
    c = select(meta['runtimeConfig']['platformCommand'], goos, goarch)
    if c is None:
        raise PluginError('no plugin command is applicable for %s/%s' % (goos, goarch))
    env = dict(os.environ)
    env['HELM_PLUGIN_NAME'] = meta['name']
    env['HELM_PLUGIN_DIR'] = plugin_dir
    parts = c['command'].split(' ')
    main = expand(parts[0], env)
    argv = [expand(p, env) for p in parts[1:]] + [expand(a, env) for a in c.get('args', [])] + list(extra_args)
    with open(stdin_path, 'rb') as f:
        manifests = f.read()
    p = subprocess.run([main] + argv, input=manifests, capture_output=True, env=env)
    # Helm 4 keeps stderr to itself; show it here so a failing check explains itself.
    sys.stderr.write(p.stderr.decode('utf-8', 'replace'))
    if p.returncode != 0:
        raise PluginError('plugin %r exited with error (exit %d)' % (meta['name'], p.returncode))
    if not p.stdout.strip():
        raise PluginError('post-renderer %r produced empty output' % meta['name'])
    with open(stdout_path, 'wb') as f:
        f.write(p.stdout)
    print('ran %s %s: %d bytes in, %d bytes out' % (main, ' '.join(argv), len(manifests), len(p.stdout)))


def main(argv):
    args = argv[1:]
    goos, goarch, io_paths, extra = 'linux', 'amd64', None, []
    plugin_dir = None
    i = 0
    while i < len(args):
        a = args[i]
        if a == '--os':
            goos, i = args[i + 1], i + 2
        elif a == '--arch':
            goarch, i = args[i + 1], i + 2
        elif a == '--run':
            io_paths, i = (args[i + 1], args[i + 2]), i + 3
        elif a == '--post-renderer-arg':
            extra.append(args[i + 1])
            i += 2
        elif plugin_dir is None:
            plugin_dir, i = a, i + 1
        else:
            print(__doc__, file=sys.stderr)
            return 2
    if plugin_dir is None:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        meta = load(plugin_dir)
        print('%s: valid Helm 4 plugin %s %s (%s, %s)' % (plugin_dir, meta['name'], meta['version'], meta['type'], meta['runtime']))
        if io_paths:
            run(plugin_dir, meta, goos, goarch, io_paths[0], io_paths[1], extra)
    except PluginError as e:
        print('%s: %s' % (plugin_dir, e), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
