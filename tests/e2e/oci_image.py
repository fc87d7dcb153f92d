#!/usr/bin/env python3
"""Check a multi-arch image written as an OCI layout (`podman manifest push --all LIST oci:DIR`).

Usage: oci_image.py DIR --platform OS/ARCH=BINARY... [--max-bytes N] [--extract OUT]

Checks that the layout holds one image index with exactly the given platforms,
and for each platform's image: the config's os/architecture, user 65534:65534,
the binary as entrypoint, /etc/passwd naming nobody, a total (compressed)
size under N bytes, and /usr/local/bin/disable-gke-metadata byte-identical to
BINARY. With --extract, each platform's binary is written to OUT/OS-ARCH/.
Prints one line per platform with its sizes.
"""
import hashlib
import io
import json
import os
import sys
import tarfile

BIN = 'usr/local/bin/disable-gke-metadata'


def blob(root, digest):
    algo, _, hexd = digest.partition(':')
    with open(os.path.join(root, 'blobs', algo, hexd), 'rb') as f:
        data = f.read()
    if hashlib.new(algo, data).hexdigest() != hexd:
        raise SystemExit('blob %s does not match its digest' % digest)
    return data


def layer_files(data):
    with tarfile.open(fileobj=io.BytesIO(data), mode='r:*') as t:
        out = {}
        for m in t.getmembers():
            name = m.name.lstrip('./')
            out[name] = (m, t.extractfile(m).read() if m.isfile() else None)
        return out


def main(argv):
    args = argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    root, args = args[0], args[1:]
    want, max_bytes, extract = {}, None, None
    i = 0
    while i < len(args):
        if args[i] == '--platform':
            plat, _, path = args[i + 1].partition('=')
            want[plat] = path
        elif args[i] == '--max-bytes':
            max_bytes = int(args[i + 1])
        elif args[i] == '--extract':
            extract = args[i + 1]
        else:
            print(__doc__, file=sys.stderr)
            return 2
        i += 2
    with open(os.path.join(root, 'index.json')) as f:
        top = json.load(f)
    if len(top['manifests']) != 1:
        raise SystemExit('expected one entry in index.json, found %d' % len(top['manifests']))
    index = json.loads(blob(root, top['manifests'][0]['digest']))
    if index.get('mediaType') not in ('application/vnd.oci.image.index.v1+json',
                                      'application/vnd.docker.distribution.manifest.list.v2+json'):
        raise SystemExit('the top entry is not an image index: %s' % index.get('mediaType'))
    seen = {}
    for m in index['manifests']:
        p = m['platform']
        plat = '%s/%s' % (p['os'], p['architecture'])
        if plat in seen:
            raise SystemExit('platform %s twice in the index' % plat)
        seen[plat] = m
    if set(seen) != set(want):
        raise SystemExit('platforms in the index: %s, expected %s' % (sorted(seen), sorted(want)))
    problems = []
    for plat, m in sorted(seen.items()):
        manifest = json.loads(blob(root, m['digest']))
        config = json.loads(blob(root, manifest['config']['digest']))
        os_, arch = plat.split('/')
        if (config.get('os'), config.get('architecture')) != (os_, arch):
            problems.append('%s: config says %s/%s' % (plat, config.get('os'), config.get('architecture')))
        c = config.get('config', {})
        if c.get('User') != '65534:65534':
            problems.append('%s: user %r, expected 65534:65534' % (plat, c.get('User')))
        if c.get('Entrypoint') != ['/' + BIN]:
            problems.append('%s: entrypoint %r' % (plat, c.get('Entrypoint')))
        compressed = manifest['config']['size'] + sum(l['size'] for l in manifest['layers'])
        files = {}
        uncompressed = 0
        for layer in manifest['layers']:
            data = blob(root, layer['digest'])
            for name, (member, content) in layer_files(data).items():
                files[name] = (member, content)
                uncompressed += member.size if member.isfile() else 0
        if BIN not in files:
            problems.append('%s: no %s in the layers' % (plat, BIN))
            continue
        member, content = files[BIN]
        if not member.mode & 0o111:
            problems.append('%s: %s is not executable' % (plat, BIN))
        with open(want[plat], 'rb') as f:
            expected = f.read()
        if content != expected:
            problems.append('%s: the image binary differs from %s' % (plat, want[plat]))
        passwd = files.get('etc/passwd', (None, b''))[1] or b''
        if not any(line.startswith(b'nobody:x:65534:65534:') for line in passwd.splitlines()):
            problems.append('%s: /etc/passwd has no nobody (65534)' % plat)
        if max_bytes is not None and compressed > max_bytes:
            problems.append('%s: %d bytes compressed, over %d' % (plat, compressed, max_bytes))
        if extract:
            d = os.path.join(extract, plat.replace('/', '-'))
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, 'disable-gke-metadata'), 'wb') as f:
                f.write(content)
            os.chmod(os.path.join(d, 'disable-gke-metadata'), 0o755)
        print('%s: %d bytes compressed (%d KiB), %d bytes of files, binary %d bytes, digest %s'
              % (plat, compressed, compressed // 1024, uncompressed, len(content), m['digest']))
    if problems:
        for p in problems:
            print('!! ' + p)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
