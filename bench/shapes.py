#!/usr/bin/env python3
"""Cost on unusual input shapes (issue 9, class 7): bench/run.sh --shapes, and a small
version inside --quick.  See BENCHMARKS.md, "Shapes".

  shapes.py --bin BIN --src SRC.yaml --tmp DIR [--quick] [--timeout S] [--only SHAPE,...]
            [--sizes SHAPE=N,N,...]... [--results FILE.jsonl] [--targets]
  shapes.py --report FILE.jsonl [--targets]     print the tables of an earlier run again

For each shape (bench/make_shapes.py) and each size, smallest first: generate the input,
run BIN on it (stdin from the file, stdout to a file) under GNU time, up to 3 times (once
if a run takes more than 2 s, once in --quick), each run cut off after --timeout seconds of
CPU time (default 60; 30 in --quick; RLIMIT_CPU set by util-linux prlimit, and a wall-clock
backstop of 3x that kills its process group); then check the output with make_shapes.py
verify.  A size that is cut off is a FAIL, and the larger sizes of that shape
are not run (they would only take longer).

Wall time is the median, measured from spawn to exit; CPU time is user+sys of the function
(GNU time's process and its child, from wait4); peak RSS is GNU time's %M (KiB), the maximum
over the runs.  A start-up cost (median of 5 runs on a one-Deployment list) is measured first
and subtracted from CPU time where growth is fitted.

Targets (issue 9), per shape:
  - time linear in the input: the growth exponent of CPU time in input size (least-squares
    slope of log(CPU - start-up) on log(bytes) over the sizes) at most 1.1, and every size
    done (exit 0 within the cap; a refusal is fast and proves nothing, so it counts as not
    done).  The end-to-end ratio (CPU ratio / size ratio, smallest to largest size) and the
    exponent between successive sizes are printed too;
  - at least 20 MB/s on every size of 1 MB or more, judged on CPU time (input bytes / median
    user+sys; the function is single-threaded, so on an idle machine this is its wall-time
    speed, and on a shared one wall time also measures the neighbours); both are printed;
  - peak RSS at most 4 x input + 50 MB on every size;
  - and the output is what the function must write (make_shapes.py verify), exit 0.
With --targets the exit status is 3 when any target is missed; without it, 0 whenever the
benchmark itself ran (CI's --quick only checks that it keeps working).  In every mode it is 4
when the function crashed (an exit status other than 0 or 1: a panic, a signal).
"""
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

MB = 1e6
TIME = os.environ.get("GNU_TIME", "/usr/bin/time")
PRLIMIT = os.environ.get("PRLIMIT", "prlimit")  # util-linux
HERE = os.path.dirname(os.path.abspath(__file__))
MAKE = os.path.join(HERE, "make_shapes.py")

# Sizes: targets (alias, alias-env, json) or extra env entries (env-*).  Chosen so that today's
# superlinear cost shows within the time cap and the largest sizes are several MB.
FULL = {
    # alias stops at 3,000 targets: at 10,000, go-yaml v3 (kubectl, kustomize when decoding)
    # refuses the list as "excessive aliasing", though kyaml's node reader (kpt) takes it.
    "alias": [100, 300, 1000, 3000],
    "alias-env": [30, 100, 300, 1000, 3000],
    "json": [100, 300, 1000, 3000, 10000],
    "env-append": [10000, 30000, 100000, 300000, 1000000],
    "env-last": [10000, 30000, 100000, 300000, 1000000],
}
QUICK = {
    "alias": [30, 100],
    "alias-env": [10, 30],
    "json": [30, 100],
    "env-append": [1000, 3000],
    "env-last": [1000, 3000],
}
EXPONENT_MAX = 1.1  # fitted growth exponent of CPU time in size (1 linear, 2 quadratic)
MBPS_MIN = 20.0
RSS_X, RSS_PLUS = 4.0, 50 * MB
SLOW_RUN = 2.0  # seconds: a run longer than this is not repeated


def run_once(argv, stdin_path, stdout_path, timeout):
    """(wall s, cpu s, peak RSS bytes, exit code or None on timeout, stderr tail).

    The cap is on CPU time (RLIMIT_CPU through prlimit: SIGXCPU at `timeout` seconds,
    SIGKILL a second later), so that a busy machine does not cut off a run that would have
    finished; a wall-clock backstop of 3 x `timeout` kills the process group."""
    rss_file = tempfile.NamedTemporaryFile(prefix="rss", delete=False)
    rss_file.close()
    err = tempfile.TemporaryFile()
    fin = os.open(stdin_path, os.O_RDONLY)
    fout = os.open(stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    actions = [
        (os.POSIX_SPAWN_DUP2, fin, 0),
        (os.POSIX_SPAWN_DUP2, fout, 1),
        (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
    ]
    cap = max(1, int(math.ceil(timeout)))
    full = [TIME, "-f", "%M", "-o", rss_file.name, PRLIMIT, "--cpu=%d:%d" % (cap, cap + 1), "--"] + argv
    t0 = time.perf_counter()
    # Own process group, so that a timeout kills GNU time and the function together.
    pid = os.posix_spawnp(full[0], full, os.environ, file_actions=actions, setpgroup=0)
    timed_out = False
    while True:
        done, status, ru = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.perf_counter() - t0 > 3 * timeout:
            os.killpg(pid, signal.SIGKILL)
            _, status, ru = os.wait4(pid, 0)
            timed_out = True
            break
        time.sleep(0.001 if time.perf_counter() - t0 < 0.5 else 0.05)
    wall = time.perf_counter() - t0
    os.close(fin)
    os.close(fout)
    cpu = ru.ru_utime + ru.ru_stime  # GNU time's own and its reaped child's
    rss = 0
    try:
        report = open(rss_file.name).read()
        words = report.split()
        rss = int(words[-1]) * 1024 if words and words[-1].isdigit() else 0
        # GNU time: "Command terminated by signal 24" (SIGXCPU) or 9 (SIGKILL, the hard limit).
        if "terminated by signal %d" % signal.SIGXCPU in report or (
                "terminated by signal %d" % signal.SIGKILL in report and ru.ru_utime + ru.ru_stime >= cap):
            timed_out = True
    except OSError:
        pass
    os.unlink(rss_file.name)
    err.seek(0)
    tail = err.read().decode(errors="replace")[-600:]
    code = None if timed_out else os.waitstatus_to_exitcode(status)
    if code is not None and code != 0 and "Command exited with non-zero status" in tail:
        tail = tail.split("Command exited with non-zero status")[0]
    return wall, cpu, rss, code, tail


def fmt_time(s):
    return "%.1f ms" % (s * 1e3) if s < 1 else "%.2f s" % s


def fmt_size(b):
    return "%.2f MB" % (b / MB) if b >= MB else "%.0f KB" % (b / 1e3)


def measure(binary, inp, out, runs, timeout):
    walls, cpus, rss = [], [], 0
    code, tail = 0, ""
    for i in range(runs):
        wall, cpu, r, code, tail = run_once([binary], inp, out, timeout)
        if code is None:
            return {"timeout": True, "wall": wall, "cpu": cpu, "rss": r, "code": None, "stderr": tail}
        walls.append(wall)
        cpus.append(cpu)
        rss = max(rss, r)
        if wall > SLOW_RUN:
            break
    return {"timeout": False, "wall": statistics.median(walls), "cpu": statistics.median(cpus),
            "rss": rss, "runs": len(walls), "code": code, "stderr": tail}


def main(argv):
    opts = {"--timeout": None, "--only": None, "--results": None, "--peer": None}
    quick = targets = False
    sizes_override = {}
    args = argv[1:]
    while args:
        a = args.pop(0)
        if a == "--quick":
            quick = True
        elif a == "--targets":
            targets = True
        elif a == "--sizes":
            shape, _, ns = args.pop(0).partition("=")
            sizes_override[shape] = [int(x) for x in ns.split(",") if x]
        elif a == "--report":
            lines = [json.loads(l) for l in open(args.pop(0))]
            head, recs = lines[0], lines[1:]
            return report(recs, head["shapes"], head["startup_cpu"], head["quick"], "--targets" in args, head["timeout"])
        elif a in ("--bin", "--src", "--tmp", "--timeout", "--only", "--results", "--peer"):
            opts[a] = args.pop(0)
        else:
            sys.exit(__doc__)
    for k in ("--bin", "--src", "--tmp"):
        if k not in opts:
            sys.exit("shapes.py: %s is required\n%s" % (k, __doc__))
    binary, src, tmp = opts["--bin"], opts["--src"], opts["--tmp"]
    timeout = float(opts["--timeout"] or (30 if quick else 60))
    sizes = dict(QUICK if quick else FULL)
    sizes.update(sizes_override)
    shapes = [s for s in sizes if not opts["--only"] or s in opts["--only"].split(",")]
    runs = 1 if quick else 3
    results = opts["--results"] or os.path.join(tmp, "shapes.jsonl")  # rewritten each run

    # Start-up cost: the smallest list that holds a target.
    base_in = os.path.join(tmp, "shape-startup.yaml")
    subprocess.run([sys.executable, MAKE, "gen", "env-append", "0", src, base_in, base_in + ".expect.json"], check=True)
    base = [run_once([binary], base_in, os.devnull, timeout) for _ in range(5)]
    c0 = statistics.median(b[1] for b in base)
    w0 = statistics.median(b[0] for b in base)
    print("start-up (one Deployment, %d bytes): wall %s, CPU %s (median of 5)" % (os.path.getsize(base_in), fmt_time(w0), fmt_time(c0)))
    print("cap per run: %.0f s of CPU time (wall-clock backstop %.0f s); runs per size: %d (1 when a run takes more than %.0f s)"
          % (timeout, 3 * timeout, runs, SLOW_RUN))
    print("load average before: %s" % " ".join("%.2f" % x for x in os.getloadavg()))
    print()

    recs = []
    for shape in shapes:
        skipped = False
        for n in sizes[shape]:
            ext = "json" if shape == "json" else "yaml"
            inp = os.path.join(tmp, "shape-%s-%d.%s" % (shape, n, ext))
            exp = inp + ".expect.json"
            outp = os.path.join(tmp, "shape-%s-%d.out" % (shape, n))
            if not os.path.exists(inp):
                subprocess.run([sys.executable, MAKE, "gen", shape, str(n), src, inp, exp], check=True)
            size = os.path.getsize(inp)
            rec = {"shape": shape, "n": n, "size": size, "load": os.getloadavg()[0]}
            if skipped:
                rec.update({"skipped": True})
                print("  %-10s n=%-8d %10s  skipped (a smaller size was cut off)" % (shape, n, fmt_size(size)), flush=True)
                recs.append(rec)
                continue
            m = measure(binary, inp, outp, runs, timeout)
            rec.update(m)
            if opts["--peer"] and not m["timeout"]:
                # The parser alone on the same input, in the same run: the floor.
                rec["peer_cpu"] = measure(opts["--peer"], inp, os.devnull, runs, timeout)["cpu"]
            if m["timeout"]:
                skipped = True
                rec["verify"] = "not checked (cut off)"
                rec["verified"] = False
            else:
                v = subprocess.run([sys.executable, MAKE, "verify", shape, inp, outp, exp], capture_output=True, text=True)
                rec["verified"] = v.returncode == 0 and m["code"] == 0
                rec["verify"] = v.stdout.strip() or v.stderr.strip()
                if m["code"] != 0:
                    lines = [l for l in m["stderr"].splitlines() if l.strip()]
                    errs = [l for l in lines if l.startswith("error")] or lines[-1:]
                    rec["verify"] += "; exit %s: %s" % (m["code"], errs[-1][:160] if errs else "")
            try:
                os.unlink(outp)
            except OSError:
                pass
            recs.append(rec)
            print(
                "  %-10s n=%-8d %10s  %s  CPU %s  RSS %.1f MB  %s"
                % (shape, n, fmt_size(size),
                   ("CUT OFF after %s wall, %s CPU" % (fmt_time(m["wall"]), fmt_time(m["cpu"]))) if m["timeout"] else "wall %s (n=%d)" % (fmt_time(m["wall"]), m["runs"]),
                   fmt_time(m["cpu"]), m["rss"] / MB, rec["verify"]),
                flush=True,
            )
    with open(results, "w") as f:
        f.write(json.dumps({"startup_cpu": c0, "startup_wall": w0, "timeout": timeout, "quick": quick,
                            "shapes": shapes}) + "\n")
        for r in recs:
            f.write(json.dumps(r) + "\n")
    print()
    return report(recs, shapes, c0, quick, targets, timeout)


def report(recs, shapes, c0, quick, targets, timeout):
    print("| shape | n | input | wall | CPU | MB/s (wall) | MB/s (CPU) | parse-only MB/s (CPU) | CPU / parse-only | peak RSS | RSS / input | RSS limit | output | verdict |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    summary = []
    for shape in shapes:
        rows = [r for r in recs if r["shape"] == shape]
        miss = {"time": [], "mbps": [], "rss": [], "output": []}
        for r in rows:
            size = r["size"]
            limit = RSS_X * size + RSS_PLUS
            if r.get("skipped"):
                print("| %s | %d | %s | not run | | | | | | | | %.0f MB | | FAIL (not run: a smaller size was cut off) |"
                      % (shape, r["n"], fmt_size(size), limit / MB))
                miss["time"].append(r["n"])
                continue
            why = []
            mbps = size / MB / r["wall"]
            # Judged on CPU time: on a shared machine wall time also measures the neighbours
            # (the function is single-threaded: on an idle machine the two agree).
            cpu_mbps = size / MB / max(r["cpu"], 1e-6)
            if r["timeout"]:
                why.append("cut off at the cap")
                miss["time"].append(r["n"])
            else:
                if size >= MB and r["code"] == 0 and cpu_mbps < MBPS_MIN:
                    why.append("< %.0f MB/s" % MBPS_MIN)
                    miss["mbps"].append(r["n"])
                if not r["verified"]:
                    why.append("output wrong")
                    miss["output"].append(r["n"])
            if r["rss"] > limit:
                why.append("RSS over limit")
                miss["rss"].append(r["n"])
            gt = "> " if r["timeout"] else ""
            peer = r.get("peer_cpu")
            print(
                "| %s | %d | %s | %s%s | %s | %s%.1f | %s | %s | %s | %.1f MB | %.1fx | %.0f MB | %s | %s |"
                % (shape, r["n"], fmt_size(size), gt, fmt_time(r["wall"]), ("> " if r["timeout"] else "") + fmt_time(r["cpu"]),
                   "< " if r["timeout"] else "", mbps,
                   "–" if r["timeout"] else "%.1f%s" % (cpu_mbps, "" if size >= MB else " (not judged: < 1 MB)"),
                   "%.1f" % (size / MB / max(peer, 1e-6)) if peer else "",
                   "%.2fx" % (r["cpu"] / max(peer, 1e-6)) if peer and not r["timeout"] else "",
                   r["rss"] / MB, r["rss"] / size, limit / MB,
                   "OK" if r["verified"] else ("not checked" if r["timeout"] else r["verify"].replace("|", "/")),
                   "PASS" if not why else "FAIL (%s)" % ", ".join(why))
            )
        # Growth is fitted on the runs that did the job (exit 0): a refusal is fast and proves nothing.
        done = [r for r in rows if not r.get("skipped") and not r["timeout"] and r["code"] == 0]
        steps = []
        for a, b in zip(done, done[1:]):
            ca, cb = max(a["cpu"] - c0, 1e-4), max(b["cpu"] - c0, 1e-4)
            steps.append("%.2f" % (math.log(cb / ca) / math.log(b["size"] / a["size"])))
        lin = slope = None
        if len(done) >= 2:
            a, b = done[0], done[-1]
            ca, cb = max(a["cpu"] - c0, 1e-4), max(b["cpu"] - c0, 1e-4)
            lin = (cb / ca) / (b["size"] / a["size"])
            # Least-squares slope of log(CPU - start-up) on log(size), over every size done:
            # the growth exponent, less at the mercy of one noisy end than the end-to-end ratio.
            xs = [math.log(r["size"]) for r in done]
            ys = [math.log(max(r["cpu"] - c0, 1e-4)) for r in done]
            mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
            slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
        summary.append((shape, rows, done, lin, slope, steps, miss))
    print()
    print("Growth (CPU time minus the start-up cost of %s; exponent 1.00 is linear, 2.00 quadratic) and verdict per shape:" % fmt_time(c0))
    print()
    print("| shape | sizes done (exit 0 within the cap) | growth exponent (fit) | between successive sizes | CPU ratio / size ratio, ends | linear (exponent <= %.2f, all sizes done) | >= %.0f MB/s (CPU, sizes >= 1 MB) | RSS <= 4x + 50 MB | output | shape |"
          % (EXPONENT_MAX, MBPS_MIN))
    print("|---|---|---:|---|---:|---|---|---|---|---|")
    failed = []
    for shape, rows, done, lin, slope, steps, miss in summary:
        complete = len(done) == len(rows)
        lin_ok = complete and slope is not None and slope <= EXPONENT_MAX
        pf = lambda bad: "PASS" if not bad else "FAIL (n=%s)" % ",".join(str(n) for n in bad)
        ok = lin_ok and not miss["mbps"] and not miss["rss"] and not miss["output"] and not miss["time"]
        if not ok:
            failed.append(shape)
        print("| %s | %d of %d (%s) | %s | %s | %s | %s | %s | %s | %s | **%s** |" % (
            shape, len(done), len(rows), ", ".join(str(r["n"]) for r in rows),
            "%.2f" % slope if slope is not None else "–", ", ".join(steps) or "–",
            "%.2f" % lin if lin is not None else "–",
            "PASS" if lin_ok else "FAIL" + ("" if complete else " (not done at n=%s)" % ",".join(
                str(r["n"]) for r in rows if r not in done)),
            pf(miss["mbps"]), pf(miss["rss"]), pf(miss["output"]), "PASS" if ok else "FAIL"))
    print()
    # Exit codes are 0 or 1 by contract; anything else (a panic: 101, a signal) is a bug in
    # any mode, quick included.
    crashed = [r for r in recs if not r.get("skipped") and r.get("code") not in (0, 1, None)]
    for r in crashed:
        print("CRASH: %s n=%d exited %s: %s" % (r["shape"], r["n"], r["code"], r.get("stderr", "")[-300:]))
    if crashed:
        return 4
    if quick:
        print("quick mode: the shapes ran and were checked; targets are printed, not enforced.")
        return 0
    print("Shapes missing a target: %s" % (", ".join(failed) if failed else "none"))
    return 3 if failed and targets else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
