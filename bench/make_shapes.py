#!/usr/bin/env python3
"""Inputs of unusual shape for bench/shapes.py (issue 9, class 7: cost must stay linear on them).

Every input starts from the real ml-pipeline-ui Deployment of a Kubeflow build (KFP 2.5.0
frontend, from kubeflow-manifests-v1.10.2) and is written at text level, in the layout
`kpt fn source` gives a ResourceList (items at column 0 as `- `, kpt's path and index
annotations), except the JSON shape, which is one line.

  make_shapes.py gen SHAPE N SRC.yaml OUT EXPECT.json
      Write the input of SHAPE at size N to OUT and what the function must do to EXPECT.json.
  make_shapes.py verify SHAPE INPUT OUTPUT EXPECT.json
      Check the function's output against EXPECT.json; prints one line, exits 1 when wrong.

Shapes (N is the number of targets, or of env entries for env-*):

  alias       N ml-pipeline-ui Deployments (namespaces kubeflow-00000, ...) in one ResourceList.
              Item 0 anchors its containers list (`containers: &c`); items 1..N-1 say
              `containers: *c`.  Every alias site is a target given the same edit, so the
              function must edit the anchored list once: the anchored env has no
              DISABLE_GKE_METADATA (KFP < 2.5.0 style), so the expected output is the input
              plus 2 lines appended to that one env list.
  alias-env   N ml-pipeline-ui Deployments, each with its own containers list and its own env
              (no sharing at the edit point), but everything around the edit point is shared:
              item 0 anchors metadata labels, the container's ports, probes, resources,
              securityContext and volumeMounts, the pod's securityContext and volumes, and
              every other item aliases them (11 aliases per target).  Each target's
              DISABLE_GKE_METADATA entry varies as in make_inputs.py: "true" kept (i % 3 == 0),
              "false" rewritten (1), removed so 2 lines are appended (2).
  json        One-line (minified) JSON ResourceList: N copies of [ml-pipeline-ui Deployment
              (target), ml-pipeline-ui Service, ml-pipeline-ui ServiceAccount (non-targets,
              same name)], copy i in namespace kubeflow-i; DISABLE_GKE_METADATA varied by i % 3
              as above.  Checked by parsing the output as JSON.
  env-append  One ml-pipeline-ui Deployment whose container has its 14 real env entries
              (DISABLE_GKE_METADATA removed) then N more (EXTRA_VAR_0000001: "extra-0000001");
              the function must append 2 lines at the end of the list.
  env-last    As env-append, then `- name: DISABLE_GKE_METADATA` / `value: "false"` as the
              last entry; the function must rewrite that one value (1 line).
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_inputs  # noqa: E402  (split_docs, top_level_meta, is_target, find_env_entry, cmd_verify)

SHAPES = ("alias", "alias-env", "json", "env-append", "env-last")
ENV = make_inputs.ENV_NAME
HEADER = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"


def real_objects(src):
    """The ml-pipeline-ui Deployment, Service and ServiceAccount documents of SRC, as text."""
    found = {}
    for doc in make_inputs.split_docs(open(src, encoding="utf-8").read()):
        lines = doc.rstrip("\n").split("\n")
        name_i, _ = make_inputs.top_level_meta(lines)
        if name_i is None or lines[name_i] != "  name: ml-pipeline-ui":
            continue
        for kind in ("Deployment", "Service", "ServiceAccount"):
            if "kind: " + kind in lines and kind not in found:
                found[kind] = lines
    if "Deployment" not in found:
        sys.exit("make_shapes: no ml-pipeline-ui Deployment in %s" % src)
    dep = found["Deployment"]
    entry = make_inputs.find_env_entry(dep)
    if entry is None:
        sys.exit("make_shapes: the ml-pipeline-ui Deployment of %s has no %s entry" % (src, ENV))
    return found


def line_index(lines, text, start=0):
    for i in range(start, len(lines)):
        if lines[i] == text:
            return i
    sys.exit("make_shapes: expected line %r in the source Deployment" % text)


def block_end(lines, i):
    """Index after the block that starts with key line i (lines deeper than it, or `- ` items at its column)."""
    ind = len(lines[i]) - len(lines[i].lstrip(" "))
    j = i + 1
    while j < len(lines):
        s = lines[j]
        sind = len(s) - len(s.lstrip(" "))
        if s.strip() and (sind < ind or (sind == ind and not s.lstrip(" ").startswith("- "))):
            break
        j += 1
    return j


def as_item(lines, index, path):
    """Document lines -> ResourceList item text, with kpt's annotations under metadata."""
    out = list(lines)
    _, ns_i = make_inputs.top_level_meta(out)
    ann = [
        "  annotations:",
        "    config.kubernetes.io/index: '0'",
        "    config.kubernetes.io/path: '%s'" % path,
        "    internal.config.kubernetes.io/index: '0'",
        "    internal.config.kubernetes.io/path: '%s'" % path,
        "    internal.config.kubernetes.io/seqindent: 'compact'",
    ]
    out[ns_i + 1 : ns_i + 1] = ann
    return "- " + out[0] + "\n" + "".join(("  " + l if l else l) + "\n" for l in out[1:])


def with_namespace(lines, ns):
    out = list(lines)
    _, ns_i = make_inputs.top_level_meta(out)
    out[ns_i] = "  namespace: " + ns
    return out


def vary_entry(lines, variant):
    """variant 0: keep (value "true"), 1: set "false", 2: remove the entry.  Returns new lines."""
    out = list(lines)
    s, e = make_inputs.find_env_entry(out)
    if variant == 1:
        out[s + 1] = out[s + 1][: out[s + 1].index("value:")] + 'value: "false"'
    elif variant == 2:
        del out[s:e]
    return out


def expect_lines(variants):
    set_false = variants.count(1)
    removed = variants.count(2)
    return {"diff_removed_lines": set_false, "diff_added_lines": set_false + 2 * removed}


def gen_alias(objs, n):
    dep = vary_entry(objs["Deployment"], 2)
    c = line_index(dep, "      containers:")
    end = block_end(dep, c)
    parts = [HEADER]
    for i in range(n):
        lines = with_namespace(dep, "kubeflow-%05d" % i)
        if i == 0:
            lines[c] = "      containers: &c"
        else:
            lines[c : end] = ["      containers: *c"]
        parts.append(as_item(lines, i, "ns-%05d/deployment.yaml" % i))
    expect = {"targets": n, "min_results": 1, "diff_removed_lines": 0, "diff_added_lines": 2}
    return "".join(parts), expect


def gen_alias_env(objs, n):
    base = objs["Deployment"]
    parts = [HEADER]
    variants = []
    for i in range(n):
        v = i % 3 if i else 0
        variants.append(v)
        lines = with_namespace(vary_entry(base, v), "kubeflow-%05d" % i)
        c = line_index(lines, "      containers:")
        keys = [  # (index of the key line, anchor name)
            (line_index(lines, "  labels:"), "labels"),
            (line_index(lines, "    matchLabels:"), "labels"),
            (line_index(lines, "      labels:"), "labels"),
            (line_index(lines, "        livenessProbe:", c), "lp"),
            (line_index(lines, "        ports:", c), "ports"),
            (line_index(lines, "        readinessProbe:", c), "rp"),
            (line_index(lines, "        resources:", c), "res"),
            (line_index(lines, "        securityContext:", c), "csc"),
            (line_index(lines, "        volumeMounts:", c), "vm"),
            (line_index(lines, "      securityContext:", c), "psc"),
            (line_index(lines, "      volumes:", c), "vol"),
        ]
        labels = [[l.strip() for l in lines[k + 1 : block_end(lines, k)]] for k, a in keys if a == "labels"]
        if any(b != labels[0] for b in labels):
            sys.exit("make_shapes: the Deployment's labels, matchLabels and template labels differ")
        # The first occurrence of each in item 0 is anchored, every other one is an alias.
        marks = []
        seen = set()
        for k, anchor in sorted(keys):
            marks.append((k, ("&" if i == 0 and anchor not in seen else "*") + anchor))
            seen.add(anchor)
        # Bottom up, so that the indices of the keys above stay valid.
        for k, mark in sorted(marks, reverse=True):
            if mark[0] == "&":
                lines[k] = lines[k] + " " + mark
            else:
                lines[k : block_end(lines, k)] = [lines[k] + " " + mark]
        parts.append(as_item(lines, i, "ns-%05d/deployment.yaml" % i))
    expect = {"targets": n, "min_results": n}
    expect.update(expect_lines(variants))
    return "".join(parts), expect


def yaml_to_obj(lines):
    """The real documents are plain block YAML; PyYAML is not needed for the three we use,
    but is the simplest correct reader, so use it when present and fail clearly otherwise."""
    try:
        import yaml
    except ImportError:
        sys.exit("make_shapes: the json shape needs PyYAML (python3-yaml) to convert the source objects")
    return yaml.safe_load("\n".join(lines) + "\n")


def gen_json(objs, n):
    deps = [yaml_to_obj(vary_entry(objs["Deployment"], v)) for v in range(3)]
    others = [yaml_to_obj(objs[k]) for k in ("Service", "ServiceAccount") if k in objs]
    # Templates with a namespace placeholder, dumped once: the copies differ only there.
    mark = "@@NS@@"
    tmpl = []
    for v in range(3):
        deps[v]["metadata"]["namespace"] = mark
        group = [deps[v]]
        for o in others:
            o["metadata"]["namespace"] = mark
            group.append(o)
        tmpl.append(",".join(json.dumps(o, separators=(",", ":")) for o in group))
    items = []
    variants = []
    for i in range(n):
        v = i % 3 if i else 0
        variants.append(v)
        items.append(tmpl[v].replace(mark, "kubeflow-%05d" % i))
    text = '{"apiVersion":"config.kubernetes.io/v1","kind":"ResourceList","items":[' + ",".join(items) + "]}\n"
    expect = {"targets": n, "min_results": n, "objects": n * (1 + len(others)),
              "set_false": variants.count(1), "removed": variants.count(2)}
    return text, expect


def gen_env(objs, m, last):
    dep = vary_entry(objs["Deployment"], 2)
    env = line_index(dep, "        - name: VIEWER_TENSORBOARD_POD_TEMPLATE_SPEC_PATH")
    end = block_end(dep, env)  # the first entry's `- ` column: the list runs while items do
    extra = ["        - name: EXTRA_VAR_%07d\n          value: \"extra-%07d\"" % (k, k) for k in range(1, m + 1)]
    if last:
        extra.append("        - name: %s\n          value: \"false\"" % ENV)
    lines = dep[:end] + "\n".join(extra).split("\n") + dep[end:]
    text = HEADER + as_item(lines, 0, "deployment.yaml")
    expect = {"targets": 1, "min_results": 1}
    expect.update({"diff_removed_lines": 1, "diff_added_lines": 1} if last else
                  {"diff_removed_lines": 0, "diff_added_lines": 2})
    return text, expect


def cmd_gen(shape, n, src, out, expect_path):
    objs = real_objects(src)
    if shape == "alias":
        text, expect = gen_alias(objs, n)
    elif shape == "alias-env":
        text, expect = gen_alias_env(objs, n)
    elif shape == "json":
        text, expect = gen_json(objs, n)
    elif shape in ("env-append", "env-last"):
        text, expect = gen_env(objs, n, shape == "env-last")
    else:
        sys.exit("make_shapes: unknown shape %r (one of %s)" % (shape, ", ".join(SHAPES)))
    expect["shape"] = shape
    expect["n"] = n
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    with open(expect_path, "w") as f:
        json.dump(expect, f)


def verify_json(inp, outp, expect):
    src = json.load(open(inp, encoding="utf-8"))
    try:
        out = json.load(open(outp, encoding="utf-8"))
    except ValueError as e:
        return False, "output is not JSON: %s" % e
    results = out.pop("results", None) or []
    want = src
    done = 0
    for obj in want["items"]:
        if obj.get("kind") != "Deployment" or obj["metadata"].get("name") != "ml-pipeline-ui":
            continue
        for c in obj["spec"]["template"]["spec"]["containers"]:
            if c.get("name") != "ml-pipeline-ui":
                continue
            env = c.setdefault("env", [])
            hits = [e for e in env if e.get("name") == ENV]
            for e in hits:
                e.pop("valueFrom", None)
                e["value"] = "true"
            if not hits:
                env.append({"name": ENV, "value": "true"})
            done += 1
    errors = [r for r in results if r.get("severity") == "error"]
    warnings = [r for r in results if r.get("severity") == "warning"]
    ok = (done == expect["targets"] and out == want and len(results) >= expect["min_results"]
          and not errors and not warnings)
    why = "%d targets, %d objects; output %s the input with the edits; %d results, %d errors, %d warnings" % (
        done, len(want["items"]), "reads as" if out == want else "does NOT read as", len(results), len(errors),
        len(warnings))
    return ok, why


def verify_lines(inp, outp, expect):
    """make_inputs.cmd_verify's line check, with its own results minimum."""
    out = open(outp, "rb").read()
    m = re.search(rb"(?m)^results:", out)
    body = out[: m.start()] if m else out
    stripped = outp + ".body"
    with open(stripped, "wb") as f:
        f.write(body)
    import subprocess

    d = subprocess.run(["diff", inp, stripped], capture_output=True)
    os.unlink(stripped)
    if d.returncode not in (0, 1):
        return False, "diff failed: " + d.stderr.decode(errors="replace")
    removed = [l for l in d.stdout.split(b"\n") if l.startswith(b"< ")]
    added = [l for l in d.stdout.split(b"\n") if l.startswith(b"> ")]
    results = out[m.start():] if m else b""
    n_results = len(re.findall(rb"(?m)^- ", results))
    errors = len(re.findall(rb"(?m)^ *severity: error", results))
    warnings = len(re.findall(rb"(?m)^ *severity: warning", results))
    ok = (
        n_results >= expect["min_results"]
        and not errors
        and not warnings
        and len(removed) == expect["diff_removed_lines"]
        and len(added) == expect["diff_added_lines"]
        and all(b'"false"' in l for l in removed)
        and all(ENV.encode() in l or b"true" in l for l in added)
    )
    why = "changed lines -%d +%d (expected -%d +%d); %d results, %d errors, %d warnings" % (
        len(removed), len(added), expect["diff_removed_lines"], expect["diff_added_lines"], n_results, errors,
        warnings)
    return ok, why


def cmd_verify(shape, inp, outp, expect_path):
    expect = json.load(open(expect_path))
    if not os.path.exists(outp) or os.path.getsize(outp) == 0:
        ok, why = False, "empty output"
    elif shape == "json":
        ok, why = verify_json(inp, outp, expect)
    else:
        ok, why = verify_lines(inp, outp, expect)
    print("%s: %s" % ("OK" if ok else "WRONG", why))
    return 0 if ok else 1


def main(argv):
    if len(argv) == 7 and argv[1] == "gen":
        cmd_gen(argv[2], int(argv[3]), argv[4], argv[5], argv[6])
    elif len(argv) == 6 and argv[1] == "verify":
        sys.exit(cmd_verify(argv[2], argv[3], argv[4], argv[5]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
