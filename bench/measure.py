#!/usr/bin/env python3
"""Timing and memory harness for bench/run.sh.

  measure.py run RESULTS.jsonl --group G --size BYTES [--warmup W] [--stdin FILE]
                 [--stdout FILE] -- NAME RUNS CMD ARGS... [::: NAME RUNS CMD ARGS...]...
      Run each tool's CMD RUNS times (after W warm-up runs each when RUNS > 3; the timed runs of the
      tools are interleaved round-robin) with stdin from FILE (default /dev/null) and
      stdout to FILE (default /dev/null).  Each run is started with posix_spawn and reaped
      with wait4, so the wall time covers process start to exit.  Then 1 run (3 when
      RUNS > 3) under `/usr/bin/time -f %M` gives the peak RSS (the process and its
      children).  Appends one JSON line per tool to RESULTS.jsonl with the median/min/max
      wall time, median user+sys CPU time and the highest peak RSS.
      Exits 1 if any run exits non-zero (its stderr is shown).

  measure.py report RESULTS.jsonl [--targets]
      Print a Markdown table per group with throughput and ratios against the peers
      (`cat`, `parse-only`, `kpt fn source`) measured in the same invocation, and,
      with --targets, the pass/fail lines for the performance targets.
"""
import json
import os
import statistics
import sys
import tempfile
import time

MB = 1e6  # throughput and sizes in decimal megabytes
TIME = os.environ.get("GNU_TIME", "/usr/bin/time")


def run_once(argv, stdin_path, stdout_path, err_fd):
    fin = os.open(stdin_path, os.O_RDONLY)
    fout = os.open(stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.lseek(err_fd, 0, os.SEEK_SET)
    os.ftruncate(err_fd, 0)
    actions = [
        (os.POSIX_SPAWN_DUP2, fin, 0),
        (os.POSIX_SPAWN_DUP2, fout, 1),
        (os.POSIX_SPAWN_DUP2, err_fd, 2),
    ]
    t0 = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
    _, status, ru = os.wait4(pid, 0)
    t1 = time.perf_counter_ns()
    os.close(fin)
    os.close(fout)
    code = os.waitstatus_to_exitcode(status)
    return (t1 - t0) / 1e9, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, code


def cmd_run(args):
    results = args.pop(0)
    opts = {"--warmup": "1", "--stdin": "/dev/null", "--stdout": "/dev/null"}
    while args and args[0] != "--":
        opts[args[0]] = args[1]
        args = args[2:]
    # Tools: NAME RUNS CMD ARGS... separated by ':::'.
    tools, cur = [], []
    for a in args[1:] + [":::"]:
        if a == ":::":
            if cur:
                tools.append({"tool": cur[0], "runs": int(cur[1]), "argv": cur[2:], "walls": [], "cpus": [], "rss": 0})
            cur = []
        else:
            cur.append(a)
    warm = int(opts["--warmup"])
    err = tempfile.TemporaryFile()

    def once(t, argv):
        wall, cpu, _, code = run_once(argv, opts["--stdin"], opts["--stdout"], err.fileno())
        if code != 0:
            err.seek(0)
            sys.stderr.write(err.read().decode(errors="replace")[-3000:])
            sys.exit("measure: %s exited %d on %s" % (" ".join(argv), code, opts["--stdin"]))
        return wall, cpu

    # Warm-up, then the timed runs interleaved round-robin across the tools, so that a
    # change in machine load during the group hits every tool alike.
    for t in tools:
        for _ in range(warm if t["runs"] > 3 else 0):  # no warm-up for slow peers run <= 3 times
            once(t, t["argv"])
    for i in range(max(t["runs"] for t in tools)):
        for t in tools:
            if i < t["runs"]:
                wall, cpu = once(t, t["argv"])
                t["walls"].append(wall)
                t["cpus"].append(cpu)
    # Peak RSS: separate runs under GNU time.  ru_maxrss from wait4 above cannot be used:
    # a child forked or vforked from this Python process starts with Python's own high-water
    # mark (~15 MB), which exec does not reset.  GNU time forks from a ~2 MB process.
    rss_out = tempfile.NamedTemporaryFile(prefix="rss", delete=False)
    rss_out.close()
    for t in tools:
        for _ in range(3 if t["runs"] > 3 else 1):
            once(t, [TIME, "-f", "%M", "-o", rss_out.name] + t["argv"])
            t["rss"] = max(t["rss"], int(open(rss_out.name).read().split()[-1]))
    os.unlink(rss_out.name)
    for t in tools:
        rec = {
            "group": opts["--group"],
            "tool": t["tool"],
            "size": int(opts["--size"]),
            "runs": t["runs"],
            "median_s": statistics.median(t["walls"]),
            "min_s": min(t["walls"]),
            "max_s": max(t["walls"]),
            "cpu_s": statistics.median(t["cpus"]),
            "rss_kb": t["rss"],
            "cmd": " ".join(t["argv"]),
            "load": os.getloadavg()[0],
        }
        with open(results, "a") as f:
            f.write(json.dumps(rec) + "\n")
        print(
            "  %-12s %-21s %8.4f s (min %.4f, max %.4f, n=%d)  %8.1f MB peak RSS"
            % (rec["group"], rec["tool"], rec["median_s"], rec["min_s"], rec["max_s"], rec["runs"], rec["rss_kb"] / 1024),
            flush=True,
        )


def fmt_time(s):
    return "%.1f ms" % (s * 1e3) if s < 1 else "%.2f s" % s


def ratio(a, b):
    if not a or not b:
        return "-"
    r = a / b
    return "%.1fx" % r if r >= 10 else "%.2fx" % r


def cmd_report(args):
    results = args[0]
    targets = "--targets" in args
    recs = [json.loads(l) for l in open(results)]
    groups = []
    for r in recs:
        if r["group"] not in groups:
            groups.append(r["group"])
    by = {(r["group"], r["tool"]): r for r in recs}
    print("| input | size | tool | median wall | min–max | CPU (user+sys) | throughput | peak RSS | RSS / input | wall vs `cat` | wall vs parse-only | `kpt fn source` / this |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for g in groups:
        cat = by.get((g, "cat"))
        parse = by.get((g, "parse-only"))
        # The plain stream is the same package: its kpt peer is the list's.
        kpt = by.get((g, "kpt fn source")) or by.get((g.replace("stream", "list", 1), "kpt fn source"))
        for r in recs:
            if r["group"] != g:
                continue
            size_mb = r["size"] / MB
            rss_mb = r["rss_kb"] * 1024 / MB
            print(
                "| %s | %s | %s | %s | %s–%s | %s | %.0f MB/s | %.1f MB | %.2fx | %s | %s | %s |"
                % (
                    g,
                    "%.1f MB" % size_mb if size_mb >= 1 else "%.1f KB" % (r["size"] / 1e3),
                    r["tool"],
                    fmt_time(r["median_s"]),
                    fmt_time(r["min_s"]),
                    fmt_time(r["max_s"]),
                    fmt_time(r["cpu_s"]),
                    size_mb / r["median_s"],
                    rss_mb,
                    rss_mb / size_mb,
                    ratio(r["median_s"], cat and cat["median_s"]),
                    ratio(r["median_s"], parse and parse["median_s"]),
                    ratio(kpt and kpt["median_s"], r["median_s"]),
                )
            )
    print()
    loads = [r["load"] for r in recs if "load" in r]
    if loads:
        print("1-minute load average at the end of each group: %.2f–%.2f (on %d CPUs)." % (min(loads), max(loads), os.cpu_count()))
        print()
    # Growth with size: the synthetic series.
    series = sorted(
        (r for r in recs if r["tool"] == "disable-gke-metadata" and r["group"].startswith("list-")),
        key=lambda r: r["size"],
    )
    if len(series) >= 2:
        print("Growth with size (disable-gke-metadata on the ResourceList series):")
        print()
        print("| input | size | median wall | wall µs per KB | CPU (user+sys) | CPU µs per KB | peak RSS | RSS / input |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in series:
            print(
                "| %s | %.1f MB | %s | %.2f | %s | %.2f | %.1f MB | %.2fx |"
                % (
                    r["group"],
                    r["size"] / MB,
                    fmt_time(r["median_s"]),
                    r["median_s"] * 1e6 / (r["size"] / 1e3),
                    fmt_time(r["cpu_s"]),
                    r["cpu_s"] * 1e6 / (r["size"] / 1e3),
                    r["rss_kb"] * 1024 / MB,
                    r["rss_kb"] * 1024 / r["size"],
                )
            )
        a, b = series[0], series[-1]
        size_x = b["size"] / a["size"]
        print()
        print(
            "From %s to %s: size x%.2f, wall time x%.2f, CPU time x%.2f, peak RSS x%.2f"
            " (CPU time ratio / size ratio = %.2f; 1.00 is exactly linear)."
            % (a["group"], b["group"], size_x, b["median_s"] / a["median_s"], b["cpu_s"] / a["cpu_s"],
               b["rss_kb"] / a["rss_kb"], b["cpu_s"] / a["cpu_s"] / size_x)
        )
        print()
    if not targets:
        return 0
    failed = 0

    def check(ok, text):
        nonlocal failed
        failed += 0 if ok else 1
        print("- %s %s" % ("PASS" if ok else "FAIL", text))

    print("Targets:")
    print()
    me = lambda g: by.get((g, "disable-gke-metadata"))
    ten = me("list-10MB")
    if ten:
        kpt = by.get(("list-10MB", "kpt fn source"))
        if kpt:
            check(
                kpt["median_s"] >= 5 * ten["median_s"],
                "10 MB list at least 5x faster than `kpt fn source`: %.1fx (%s vs %s)"
                % (kpt["median_s"] / ten["median_s"], fmt_time(ten["median_s"]), fmt_time(kpt["median_s"])),
            )
        tput = ten["size"] / MB / ten["median_s"]
        check(tput >= 50, "10 MB list at least 50 MB/s: %.0f MB/s" % tput)
    for r in recs:
        if r["tool"] == "disable-gke-metadata" and r["size"] >= 1e6:
            x = r["rss_kb"] * 1024 / r["size"]
            check(x <= 3, "%s peak memory at most 3x input: %.1f MB for %.1f MB (%.2fx)"
                  % (r["group"], r["rss_kb"] * 1024 / MB, r["size"] / MB, x))
    big = me("list-100MB")
    if big:
        check(big["median_s"] < 3, "100 MB list under 3 s: %s" % fmt_time(big["median_s"]))
    tiny = me("tiny")
    if tiny:
        check(tiny["median_s"] < 0.005, "tiny list a few milliseconds (< 5 ms), process start included: %s"
              % fmt_time(tiny["median_s"]))
    if len(series) >= 3:
        a, b = series[0], series[-1]
        # CPU time, not wall time: on a shared 2-core machine wall time also measures the neighbours.
        lin = (b["cpu_s"] / a["cpu_s"]) / (b["size"] / a["size"])
        check(0.7 <= lin <= 1.3, "cost grows linearly: CPU time ratio / size ratio from %s to %s = %.2f (accepted 0.7–1.3)"
              % (a["group"], b["group"], lin))
    print()
    print("%d target(s) missed." % failed if failed else "All targets met.")
    return 1 if failed else 0


def main(argv):
    if len(argv) > 2 and argv[1] == "run":
        cmd_run(argv[2:])
    elif len(argv) > 2 and argv[1] == "report":
        sys.exit(cmd_report(argv[2:]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
