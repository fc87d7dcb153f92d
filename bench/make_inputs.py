#!/usr/bin/env python3
"""Input generator for bench/run.sh.  Text-level only: no YAML library touches the bytes.

  make_inputs.py package SRC.yaml OUTDIR --copies N [--expect FILE.json]
      Write a kpt package directory: copy c (0..N-1) goes to OUTDIR/copy-CC/, one file
      per document.  Copy 0 is SRC unchanged; in copies c >= 1 every object gets
      metadata.name suffixed with "-cC" so that all objects stay distinct, except the
      ml-pipeline-ui Deployment, which keeps its name (it must stay a target) and gets
      its metadata.namespace suffixed instead.  To make the function do real work, the
      DISABLE_GKE_METADATA entry of the target is varied by copy:
          c % 3 == 1  value "false"        -> the function must rewrite 1 line
          c % 3 == 2  entry removed        -> the function must append 2 lines
          c % 3 == 0  left as in SRC       -> already as asked, no change
      The expected numbers of changed lines go to --expect as JSON.

  make_inputs.py tiny SRC.yaml OUTDIR EXPECT.json
      A package with one file: SRC's ml-pipeline-ui Deployment with its
      DISABLE_GKE_METADATA entry removed (so the function appends one entry).

  make_inputs.py wrap PKGDIR OUT.yaml
      Fallback when kpt is not installed: a ResourceList made by indenting every
      document of every file of PKGDIR under `items:` (text level, no annotations).

  make_inputs.py verify INPUT OUTPUT EXPECT.json
      Check the function's output: outside a trailing top-level `results:` block,
      the lines removed/added (GNU diff) must be exactly the expected edits.
"""
import json
import os
import re
import subprocess
import sys

DOC_SEP = re.compile(r"(?m)^---[ \t]*\n")
TARGET_NAME = "ml-pipeline-ui"
ENV_NAME = "DISABLE_GKE_METADATA"


def split_docs(text):
    return [d for d in DOC_SEP.split(text) if d.strip()]


def top_level_meta(lines):
    """Indices of `  name:` and `  namespace:` lines inside the top-level metadata block."""
    name_i = ns_i = None
    in_meta = False
    for i, line in enumerate(lines):
        if line == "metadata:":
            in_meta = True
            continue
        if in_meta and line and not line.startswith(" "):
            in_meta = False
        if in_meta:
            if line.startswith("  name: "):
                name_i = i
            elif line.startswith("  namespace: "):
                ns_i = i
    return name_i, ns_i


def is_target(lines, name_i):
    return "kind: Deployment" in lines and name_i is not None and lines[name_i] == "  name: " + TARGET_NAME


def find_env_entry(lines):
    """(start, end) line range of the `- name: DISABLE_GKE_METADATA` entry and its value line."""
    for i, line in enumerate(lines):
        if line.strip() == "- name: " + ENV_NAME:
            j = i + 1
            if j < len(lines) and lines[j].strip().startswith("value:"):
                return i, j + 1
    return None


def suffix(line, tag):
    key, _, value = line.partition(": ")
    value = value.rstrip()
    if value[:1] in "'\"":
        return "%s: %s%s%s" % (key, value[:-1], tag, value[-1])
    return "%s: %s%s" % (key, value, tag)


def slug(lines, name_i):
    kind = next((l[6:].strip() for l in lines if l.startswith("kind: ")), "doc").lower()
    name = lines[name_i].split(": ", 1)[1].strip("'\" ") if name_i is not None else "noname"
    return re.sub(r"[^a-z0-9.-]+", "-", "%s-%s" % (kind, name.lower()))[:80]


def cmd_package(src, outdir, copies, expect_path):
    docs = split_docs(open(src, encoding="utf-8").read())
    expect = {"copies": copies, "targets": 0, "set_false": 0, "removed": 0, "unchanged": 0}
    for c in range(copies):
        cdir = os.path.join(outdir, "copy-%02d" % c)
        os.makedirs(cdir, exist_ok=True)
        tag = "-c%d" % c
        for n, doc in enumerate(docs):
            lines = doc.split("\n")
            name_i, ns_i = top_level_meta(lines)
            target = is_target(lines, name_i)
            fname = "%04d-%s.yaml" % (n, slug(lines, name_i))
            if target:
                expect["targets"] += 1
                entry = find_env_entry(lines)
                if entry is None:
                    sys.exit("make_inputs: target Deployment in %s has no %s entry to vary" % (src, ENV_NAME))
                if lines[entry[0] + 1].strip() not in ('value: "true"', "value: 'true'", "value: true"):
                    sys.exit("make_inputs: %s must already set %s to true (copy 0 is expected unchanged)" % (src, ENV_NAME))
                variant = c % 3 if c else 0
                if variant == 1:
                    line = lines[entry[0] + 1]
                    lines[entry[0] + 1] = line[: line.index("value:")] + 'value: "false"'
                    expect["set_false"] += 1
                elif variant == 2:
                    del lines[entry[0] : entry[1]]
                    expect["removed"] += 1
                else:
                    expect["unchanged"] += 1
            if c:
                if target:
                    if ns_i is None:
                        sys.exit("make_inputs: target Deployment without metadata.namespace")
                    lines[ns_i] = suffix(lines[ns_i], tag)
                elif name_i is not None:
                    lines[name_i] = suffix(lines[name_i], tag)
            with open(os.path.join(cdir, fname), "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
    # Lines diff must show: removed (old) lines and added (new) lines, outside results.
    expect["diff_removed_lines"] = expect["set_false"]
    expect["diff_added_lines"] = expect["set_false"] + 2 * expect["removed"]
    if expect_path:
        with open(expect_path, "w") as f:
            json.dump(expect, f)
    return expect


def cmd_tiny(src, outdir, expect_path):
    for doc in split_docs(open(src, encoding="utf-8").read()):
        lines = doc.split("\n")
        name_i, _ = top_level_meta(lines)
        if is_target(lines, name_i):
            entry = find_env_entry(lines)
            if entry:
                del lines[entry[0] : entry[1]]
            os.makedirs(outdir, exist_ok=True)
            with open(os.path.join(outdir, "deployment.yaml"), "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
            removed = 1 if entry else 0
            expect = {"copies": 1, "targets": 1, "set_false": 0, "removed": removed, "unchanged": 1 - removed,
                      "diff_removed_lines": 0, "diff_added_lines": 2 * removed}
            with open(expect_path, "w") as f:
                json.dump(expect, f)
            return
    sys.exit("make_inputs: no ml-pipeline-ui Deployment in %s" % src)


def cmd_wrap(pkgdir, out):
    parts = ["apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"]
    for root, dirs, files in os.walk(pkgdir):
        dirs.sort()
        for fn in sorted(files):
            if not fn.endswith((".yaml", ".yml")):
                continue
            for doc in split_docs(open(os.path.join(root, fn), encoding="utf-8").read()):
                lines = doc.rstrip("\n").split("\n")
                parts.append("- " + lines[0] + "\n")
                parts.extend(("  " + l if l else l) + "\n" for l in lines[1:])
    with open(out, "w", encoding="utf-8") as f:
        f.write("".join(parts))


def cmd_verify(inp, outp, expect_path):
    expect = json.load(open(expect_path))
    out = open(outp, "rb").read()
    m = re.search(rb"(?m)^results:", out)
    body = out[: m.start()] if m else out
    stripped = outp + ".body"
    with open(stripped, "wb") as f:
        f.write(body)
    d = subprocess.run(["diff", inp, stripped], capture_output=True)
    os.unlink(stripped)
    if d.returncode not in (0, 1):
        sys.exit("verify: diff failed: " + d.stderr.decode())
    removed = [l for l in d.stdout.split(b"\n") if l.startswith(b"< ")]
    added = [l for l in d.stdout.split(b"\n") if l.startswith(b"> ")]
    results = out[m.start():] if m else b""
    n_results = len(re.findall(rb"(?m)^- ", results))
    ok = (
        (not m or (n_results >= expect["targets"] and b"severity: error" not in results))
        and len(removed) == expect["diff_removed_lines"]
        and len(added) == expect["diff_added_lines"]
        and all(b'"false"' in l for l in removed)
        and all(ENV_NAME.encode() in l or b"true" in l for l in added)
    )
    print(
        "verify: %d targets; changed lines: -%d +%d (expected -%d +%d); results block: %s -> %s"
        % (
            expect["targets"],
            len(removed),
            len(added),
            expect["diff_removed_lines"],
            expect["diff_added_lines"],
            "%d results, %d lines" % (n_results, results.count(b"\n")) if m else "none (stderr)",
            "OK" if ok else "FAIL",
        )
    )
    if not ok:
        print(d.stdout.decode(errors="replace")[:4000])
        sys.exit(1)


def main(argv):
    if len(argv) >= 4 and argv[1] == "package":
        copies = 1
        expect = None
        rest = argv[4:]
        while rest:
            if rest[0] == "--copies":
                copies = int(rest[1])
            elif rest[0] == "--expect":
                expect = rest[1]
            else:
                sys.exit("make_inputs: unknown option " + rest[0])
            rest = rest[2:]
        cmd_package(argv[2], argv[3], copies, expect)
    elif len(argv) == 5 and argv[1] == "tiny":
        cmd_tiny(argv[2], argv[3], argv[4])
    elif len(argv) == 4 and argv[1] == "wrap":
        cmd_wrap(argv[2], argv[3])
    elif len(argv) == 5 and argv[1] == "verify":
        cmd_verify(argv[2], argv[3], argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
