//! PATHs: files and directories edited in place.
//!
//! Each file is one run of the function (a plain stream, a `kind: List` or a ResourceList),
//! planned and verified on its own, spread over the machine's cores. A file the function
//! cannot read as YAML (a Helm template, a comment-only file) is reported and left alone. A
//! file it refuses (a target it cannot edit safely) fails the run. Only when every file is
//! planned does anything get written ([`super::write`]): all, or none.
//!
//! A file without a target is normal among many: each file runs with `requireMatch` off, and
//! the run as a whole applies it (see [`match_rule`]).

use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use disable_gke_metadata::config::{Mode, Overrides};
use disable_gke_metadata::{run as run_function, KrmResult, Limits, Options, Outcome, Severity};

use super::args::Cli;
use super::output::{is_broken_pipe, Out};
use super::write::{self, Pending, Snapshot};
use super::{diff, error_code, read_bounded, read_config, stream, OK, REFUSED, USAGE};

/// A tiny input without a target: what the run says of it tells whether the config is valid
/// and whether `requireMatch` is on, before any file is read.
const PROBE: &[u8] =
    b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: disable-gke-metadata-probe\n";

/// Stack of each planning thread: the main thread's usual size, as the stdin run has.
const STACK: usize = 8 << 20;

/// A file to process.
#[derive(Clone, Debug)]
pub struct Entry {
    /// As found: the PATH given, joined with the walk's names.
    pub shown: PathBuf,
    /// What is read and replaced (a symbolic link named as a PATH, resolved).
    pub real: PathBuf,
}

/// The files the PATHs name.
#[derive(Debug, Default)]
pub struct Gathered {
    /// In order: the PATHs' order, each directory's files sorted.
    pub files: Vec<Entry>,
    /// PATHs and directories that could not be read.
    pub errors: Vec<String>,
    /// Things left out, worth a line.
    pub notes: Vec<String>,
}

/// What planning decided for one file.
#[derive(Debug)]
pub enum Verdict {
    /// The function changes it.
    Changed {
        input: Vec<u8>,
        output: Vec<u8>,
        snapshot: Snapshot,
    },
    /// Nothing to change; `targeted`: some result names an object of the file.
    Unchanged { targeted: bool },
    /// Not readable as YAML: left alone, with why.
    Skipped(String),
    /// Refused or unreadable: the run fails.
    Failed(Vec<String>),
}

/// One file's plan and what to say about it.
#[derive(Debug)]
pub struct Planned {
    pub verdict: Verdict,
    /// Result lines about its objects, and its errors.
    pub lines: Vec<(Severity, String)>,
    /// Result lines about the run (config warnings, "no target"): said once, when every file
    /// says them.
    pub run_level: Vec<(Severity, String)>,
}

impl Planned {
    fn failed(message: String) -> Planned {
        Planned {
            verdict: Verdict::Failed(vec![message]),
            lines: Vec::new(),
            run_level: Vec::new(),
        }
    }
}

/// Run on PATHs.
pub fn run(cli: &Cli, mut overrides: Overrides, out: Out) -> u8 {
    let limits = Limits::default();
    let config = match &cli.config {
        Some(p) => match read_config(p, &limits) {
            Ok(b) => Some(b),
            Err(m) => {
                out.error(&m);
                return error_code(cli);
            }
        },
        None => None,
    };
    // A config file with `mode: check` (a kpt validator's) on files is `--check`.
    let check = cli.check
        || config
            .as_deref()
            .is_some_and(|c| disable_gke_metadata::config_file_mode(c, limits) == Mode::Check);
    let err = if check { USAGE } else { error_code(cli) };
    let dry = check || cli.diff;
    // A file is edited in place, never replaced by a patch.
    overrides.emit_patch = Some(false);
    if dry {
        overrides.mode = Some(Mode::Fix);
    }
    let mut options = Options::new(config, limits);
    options.overrides = overrides;

    // The config, checked once rather than once per file.
    let require_match = match match_rule(
        |rm| {
            let mut o = options.clone();
            o.overrides.require_match = rm;
            run_function(PROBE, &o)
        },
        options.overrides.require_match,
    ) {
        Ok(r) => r,
        Err(config_errors) => {
            out.engine(&config_errors);
            return err;
        }
    };

    let gathered = gather(&cli.paths);
    for n in &gathered.notes {
        out.info(n);
    }
    for e in &gathered.errors {
        out.error(e);
    }
    let files = gathered.files;
    let jobs = cli
        .jobs
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let mut each = options.clone();
    each.overrides.require_match = Some(false);
    let planned = plan_all(&files, &each, jobs);

    // requireMatch over the whole run.
    let mut no_match: Option<Vec<KrmResult>> = None;
    if let Some(errors) = require_match {
        let any_changed = planned
            .iter()
            .any(|p| matches!(p.verdict, Verdict::Changed { .. }));
        if !any_changed {
            let order = candidates(&planned);
            let matched = order.iter().any(|&i| {
                read_input(&files[i], &limits)
                    .map(|(input, _)| run_function(&input, &options).exit_code == 0)
                    .unwrap_or(false)
            });
            if !matched {
                no_match = Some(errors);
            }
        }
    }

    // What each file said.
    let mut tally = Tally::default();
    let mut charts = Charts::default();
    for (f, p) in files.iter().zip(&planned) {
        let name = show(&f.shown);
        match &p.verdict {
            Verdict::Skipped(why) => {
                tally.skipped += 1;
                if !charts.add(&f.shown) {
                    out.info(&format!("{name}: left alone: {why}"));
                }
            }
            Verdict::Failed(msgs) => {
                tally.failed += 1;
                for m in msgs {
                    out.line(&format!("{name}: {m}"));
                }
            }
            Verdict::Changed { .. } | Verdict::Unchanged { .. } => {
                match p.verdict {
                    Verdict::Changed { .. } => tally.changed += 1,
                    Verdict::Unchanged { targeted: false } => tally.no_target += 1,
                    _ => tally.unchanged += 1,
                }
                for (sev, line) in &p.lines {
                    let text = format!("{name}: {line}");
                    if *sev == Severity::Info {
                        out.info(&text);
                    } else {
                        out.line(&text);
                    }
                }
            }
        }
    }
    for (chart, n) in &charts.templates {
        out.info(&format!(
            "{}: left alone: {n} Helm template{} (YAML only once rendered)",
            show(chart),
            plural(*n)
        ));
    }
    for (sev, line) in said_by_all(&planned) {
        if sev == Severity::Info {
            out.info(&line);
        } else {
            out.line(&line);
        }
    }
    if let Some(errors) = &no_match {
        for r in errors {
            out.line(&r.to_line());
        }
        out.error(&format!(
            "no target in any of the {} files; nothing changed (--require-match false makes \
             this a warning)",
            files.len()
        ));
    }
    let failures = tally.failed + gathered.errors.len();

    if dry {
        if cli.diff {
            if let Err(e) = print_diffs(&files, &planned) {
                if is_broken_pipe(&e) {
                    return err;
                }
                out.error(&format!("writing stdout: {e}"));
                return err;
            }
        }
        if check {
            for (f, p) in files.iter().zip(&planned) {
                if matches!(p.verdict, Verdict::Changed { .. }) {
                    out.line(&format!("would change {}", show(&f.shown)));
                }
            }
        }
        out.info(&tally.summary(files.len(), "would change"));
        return if failures > 0 || no_match.is_some() {
            err
        } else if check && tally.changed > 0 {
            REFUSED
        } else {
            OK
        };
    }

    if no_match.is_some() {
        return REFUSED;
    }
    if failures > 0 && !cli.keep_going {
        out.error(&format!(
            "{failures} file{} failed; nothing was written (--keep-going writes the others)",
            plural(failures)
        ));
        return REFUSED;
    }
    let changed: Vec<(&Entry, &[u8], &[u8], &Snapshot)> = files
        .iter()
        .zip(&planned)
        .filter_map(|(f, p)| match &p.verdict {
            Verdict::Changed {
                input,
                output,
                snapshot,
            } => Some((f, input.as_slice(), output.as_slice(), snapshot)),
            _ => None,
        })
        .collect();
    let pending: Vec<Pending> = changed
        .iter()
        .map(|(f, old, new, snapshot)| Pending {
            path: &f.real,
            new,
            old,
            snapshot,
        })
        .collect();
    let report = write::commit(&pending, cli.keep_going);
    for &i in &report.written {
        out.info(&format!("changed {}", show(&changed[i].0.shown)));
    }
    for (i, why) in &report.failed {
        out.line(&format!(
            "{}: error: not written: {why}",
            show(&changed[*i].0.shown)
        ));
    }
    for &i in &report.restored {
        out.line(&format!(
            "{}: put back as it was",
            show(&changed[i].0.shown)
        ));
    }
    for (i, why) in &report.not_restored {
        out.error(&format!(
            "{}: written, and could not be put back as it was: {why}",
            show(&changed[*i].0.shown)
        ));
    }
    if !report.failed.is_empty() && !cli.keep_going {
        if report.not_restored.is_empty() {
            out.error("a file could not be written; nothing was written");
        } else {
            out.error("a file could not be written, and some files written before it could not be put back (listed above)");
        }
        return REFUSED;
    }
    tally.changed = report.written.len();
    tally.failed += report.failed.len();
    out.info(&tally.summary(files.len(), "changed"));
    if failures > 0 || !report.failed.is_empty() {
        REFUSED
    } else {
        OK
    }
}

/// How the files ended.
#[derive(Debug, Default)]
struct Tally {
    changed: usize,
    unchanged: usize,
    no_target: usize,
    skipped: usize,
    failed: usize,
}

impl Tally {
    fn summary(&self, total: usize, verb: &str) -> String {
        let mut s = format!(
            "{total} file{}: {} {verb}, {} unchanged ({} without a target)",
            plural(total),
            self.changed,
            self.unchanged + self.no_target,
            self.no_target
        );
        if self.skipped > 0 {
            s.push_str(&format!(
                ", {} left alone (not readable as Kubernetes YAML)",
                self.skipped
            ));
        }
        if self.failed > 0 {
            s.push_str(&format!(", {} failed", self.failed));
        }
        s
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Helm charts whose templates were left alone: told once per chart, not once per file.
#[derive(Debug, Default)]
struct Charts {
    /// Chart directory, templates left alone.
    templates: Vec<(PathBuf, usize)>,
    /// Directories known to be a chart (`Chart.yaml` inside) or not.
    known: Vec<(PathBuf, bool)>,
}

impl Charts {
    /// Count `file` if it lies under a chart's `templates/` directory.
    fn add(&mut self, file: &Path) -> bool {
        let Some(chart) = file
            .ancestors()
            .skip(1)
            .filter(|a| a.file_name() == Some(OsStr::new("templates")))
            .filter_map(Path::parent)
            .find(|c| self.is_chart(c))
            .map(Path::to_path_buf)
        else {
            return false;
        };
        match self.templates.iter_mut().find(|(c, _)| *c == chart) {
            Some((_, n)) => *n += 1,
            None => self.templates.push((chart, 1)),
        }
        true
    }

    fn is_chart(&mut self, dir: &Path) -> bool {
        if let Some((_, yes)) = self.known.iter().find(|(d, _)| d == dir) {
            return *yes;
        }
        let yes = dir.join("Chart.yaml").is_file();
        self.known.push((dir.to_path_buf(), yes));
        yes
    }
}

/// `requireMatch` for the run, from the probe `run(require_match)` (an input without a
/// target): `Ok(None)` when a run without a target passes (requireMatch off),
/// `Ok(Some(errors))` when it fails for that alone (the errors name what was searched for),
/// `Err(stderr)` when it fails anyway (the config is not valid: the run's own lines say why).
fn match_rule(
    run: impl Fn(Option<bool>) -> Outcome,
    as_given: Option<bool>,
) -> Result<Option<Vec<KrmResult>>, String> {
    let given = run(as_given);
    if given.exit_code == 0 {
        return Ok(None);
    }
    let off = run(Some(false));
    if off.exit_code != 0 {
        return Err(off.stderr);
    }
    Ok(Some(
        given
            .results
            .into_iter()
            .filter(|r| r.severity == Severity::Error)
            .collect(),
    ))
}

/// The files worth running again with `requireMatch` on, most likely match first: those
/// whose results name an object, then the other readable ones.
fn candidates(planned: &[Planned]) -> Vec<usize> {
    let with = |want: bool| {
        planned
            .iter()
            .enumerate()
            .filter(move |(_, p)| matches!(p.verdict, Verdict::Unchanged { targeted } if targeted == want))
            .map(|(i, _)| i)
    };
    with(true).chain(with(false)).collect()
}

/// The run-level lines that every readable file said (in the order first seen).
fn said_by_all(planned: &[Planned]) -> Vec<(Severity, String)> {
    let readable: Vec<&Planned> = planned
        .iter()
        .filter(|p| {
            matches!(
                p.verdict,
                Verdict::Changed { .. } | Verdict::Unchanged { .. }
            )
        })
        .collect();
    let mut counts: Vec<((Severity, String), usize)> = Vec::new();
    for p in &readable {
        let mut seen: HashSet<&str> = HashSet::new();
        for (sev, line) in &p.run_level {
            if !seen.insert(line) {
                continue;
            }
            match counts.iter_mut().find(|(l, _)| l.1 == *line) {
                Some((_, n)) => *n += 1,
                None => counts.push(((*sev, line.clone()), 1)),
            }
        }
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n == readable.len())
        .map(|(l, _)| l)
        .collect()
}

fn print_diffs(files: &[Entry], planned: &[Planned]) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    for (f, p) in files.iter().zip(planned) {
        if let Verdict::Changed { input, output, .. } = &p.verdict {
            w.write_all(&diff::unified(input, output, &diff_path(&f.shown)))?;
        }
    }
    w.flush()
}

/// The path for `--diff` headers: relative to the working directory where it can be (as
/// `git apply` run there reads it), `/`-separated, without a leading `./` or `/`.
fn diff_path(p: &Path) -> Vec<u8> {
    let rel = if p.is_absolute() {
        std::env::current_dir()
            .ok()
            .and_then(|cwd| p.strip_prefix(cwd).ok().map(Path::to_path_buf))
            .unwrap_or_else(|| p.to_path_buf())
    } else {
        p.to_path_buf()
    };
    let parts: Vec<&[u8]> = rel
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.as_encoded_bytes()),
            std::path::Component::ParentDir => Some(&b".."[..]),
            _ => None,
        })
        .collect();
    parts.join(&b'/')
}

/// A path for messages, without a leading `./`.
fn show(p: &Path) -> String {
    match p.strip_prefix(".") {
        Ok(rest) if !rest.as_os_str().is_empty() => rest.display().to_string(),
        _ => p.display().to_string(),
    }
}

/// Whether a name found in a directory is one to process.
fn is_manifest(name: &OsStr) -> bool {
    Path::new(name)
        .extension()
        .and_then(OsStr::to_str)
        .is_some_and(|e| {
            ["yaml", "yml", "json"]
                .iter()
                .any(|x| e.eq_ignore_ascii_case(x))
        })
}

fn hidden(name: &OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// The files the PATHs name: files as given (whatever their extension), directories walked.
pub fn gather(paths: &[PathBuf]) -> Gathered {
    let mut g = Gathered::default();
    for p in paths {
        match fs::metadata(p) {
            Err(e) => g.errors.push(format!("{}: {e}", show(p))),
            Ok(m) if m.is_dir() => {
                let from = g.files.len();
                walk(p, &mut g);
                g.files[from..].sort_by(|a, b| a.shown.cmp(&b.shown));
            }
            Ok(m) if m.is_file() => {
                let link = fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
                let real = if link {
                    fs::canonicalize(p).unwrap_or_else(|_| p.clone())
                } else {
                    p.clone()
                };
                g.files.push(Entry {
                    shown: p.clone(),
                    real,
                });
            }
            Ok(_) => g
                .errors
                .push(format!("{}: not a regular file or a directory", show(p))),
        }
    }
    if paths.len() > 1 {
        // The same file named twice (a directory and a file in it) is processed once.
        let mut seen = HashSet::new();
        g.files
            .retain(|e| seen.insert(fs::canonicalize(&e.real).unwrap_or_else(|_| e.real.clone())));
    }
    g
}

/// Every file to process under `root`: hidden names skipped, symbolic links not followed.
fn walk(root: &Path, g: &mut Gathered) {
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let rd = match fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) => {
                g.errors
                    .push(format!("{}: cannot list it: {e}", show(&dir)));
                continue;
            }
        };
        for entry in rd {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    g.errors
                        .push(format!("{}: cannot list it: {e}", show(&dir)));
                    continue;
                }
            };
            let name = entry.file_name();
            if hidden(&name) {
                continue;
            }
            let path = dir.join(&name);
            match entry.file_type() {
                Ok(t) if t.is_dir() => dirs.push(path),
                Ok(t) if t.is_file() => {
                    if is_manifest(&name) {
                        g.files.push(Entry {
                            shown: path.clone(),
                            real: path,
                        });
                    }
                }
                Ok(t) if t.is_symlink() => {
                    if is_manifest(&name) || fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
                        g.notes.push(format!(
                            "{}: left alone: a symbolic link (name it as a PATH to edit its target)",
                            show(&path)
                        ));
                    }
                }
                Ok(_) => {}
                Err(e) => g.errors.push(format!("{}: {e}", show(&path))),
            }
        }
    }
}

/// A file's bytes and what it was when opened.
fn read_input(e: &Entry, limits: &Limits) -> Result<(Vec<u8>, Snapshot), String> {
    let f = File::open(&e.real).map_err(|e| format!("cannot read it: {e}"))?;
    let m = f.metadata().map_err(|e| format!("cannot read it: {e}"))?;
    if !m.is_file() {
        return Err("not a regular file".into());
    }
    let input = read_bounded(&f, limits).map_err(|e| format!("cannot read it: {e}"))?;
    Ok((input, Snapshot::of(&m)))
}

/// Plan every file, on `jobs` threads.
pub fn plan_all(files: &[Entry], options: &Options, jobs: usize) -> Vec<Planned> {
    let jobs = jobs.clamp(1, files.len().max(1));
    if jobs == 1 {
        return files.iter().map(|f| plan_one(f, options)).collect();
    }
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<Planned>> = Vec::new();
    slots.resize_with(files.len(), || None);
    std::thread::scope(|s| {
        let work = || {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(f) = files.get(i) else {
                    return done;
                };
                done.push((i, plan_one(f, options)));
            }
        };
        let workers: Vec<_> = (0..jobs)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .stack_size(STACK)
                    .spawn_scoped(s, work)
                    .ok()
            })
            .collect();
        if workers.is_empty() {
            // No thread could be started: plan here.
            for (i, p) in work() {
                slots[i] = Some(p);
            }
        }
        for w in workers {
            if let Ok(done) = w.join() {
                for (i, p) in done {
                    slots[i] = Some(p);
                }
            }
        }
    });
    // A thread that stopped (a panic) leaves its files unplanned: they fail, so nothing
    // is written.
    slots
        .into_iter()
        .map(|s| s.unwrap_or_else(|| Planned::failed("error: planning this file stopped".into())))
        .collect()
}

/// Plan one file.
pub fn plan_one(e: &Entry, options: &Options) -> Planned {
    let (input, snapshot) = match read_input(e, &options.limits) {
        Ok(x) => x,
        Err(m) => return Planned::failed(format!("error: {m}")),
    };
    let outcome = run_function(&input, options);
    let mut lines = Vec::new();
    let mut run_level = Vec::new();
    for r in &outcome.results {
        if r.resource_ref.is_some() || r.severity == Severity::Error {
            lines.push((r.severity, r.to_line()));
        } else {
            run_level.push((r.severity, r.to_line()));
        }
    }
    let verdict = if outcome.exit_code != 0 {
        if outcome.wrapper.is_none() {
            // The input could not be read as YAML documents at all.
            let why = outcome.results.first().map_or_else(
                || "cannot be read".to_string(),
                |r| r.message.trim_end_matches(" on stdin").to_string(),
            );
            return Planned {
                verdict: Verdict::Skipped(why),
                lines: Vec::new(),
                run_level: Vec::new(),
            };
        }
        Verdict::Failed(lines.drain(..).map(|(_, l)| l).collect())
    } else if !outcome.emit {
        Verdict::Failed(vec!["error: the function gave no output".into()])
    } else {
        let output = outcome.output(&input);
        if stream::would_change(&outcome, &input, &output) {
            Verdict::Changed {
                input,
                output,
                snapshot,
            }
        } else {
            Verdict::Unchanged {
                targeted: outcome.results.iter().any(|r| r.resource_ref.is_some()),
            }
        }
    };
    Planned {
        verdict,
        lines,
        run_level,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use disable_gke_metadata::{Verified, Wrapper};

    fn outcome(code: i32, errors: &[&str]) -> Outcome {
        Outcome {
            exit_code: code,
            splices: Vec::new(),
            emit: code == 0,
            stderr: String::new(),
            results: errors
                .iter()
                .map(|m| KrmResult::new(Severity::Error, m.to_string()))
                .collect(),
            wrapper: Some(Wrapper::Stream),
            verified: Verified::default(),
            changes: Vec::new(),
        }
    }

    #[test]
    fn the_match_rule_from_the_probe() {
        // requireMatch off (or not in effect): a run without a target passes.
        assert!(matches!(match_rule(|_| outcome(0, &[]), None), Ok(None)));
        // On: the run without a target fails for that alone; its errors are kept.
        let r = match_rule(
            |rm| match rm {
                Some(false) => outcome(0, &[]),
                _ => outcome(1, &["no Deployment named ml-pipeline-ui found"]),
            },
            None,
        );
        match r {
            Ok(Some(e)) => assert_eq!(e[0].message, "no Deployment named ml-pipeline-ui found"),
            other => panic!("{other:?}"),
        }
        // A config that fails with requireMatch off is not valid.
        assert!(match_rule(|_| outcome(1, &["bad policy"]), None).is_err());
    }

    fn planned(v: Verdict, run_level: &[&str]) -> Planned {
        Planned {
            verdict: v,
            lines: Vec::new(),
            run_level: run_level
                .iter()
                .map(|l| (Severity::Warning, l.to_string()))
                .collect(),
        }
    }

    #[test]
    fn run_level_lines_are_said_once_when_every_file_says_them() {
        let v = |t| Verdict::Unchanged { targeted: t };
        let files = [
            planned(v(false), &["[warning]: no target", "[warning] value yes"]),
            planned(v(true), &["[warning] value yes"]),
            planned(Verdict::Skipped("malformed".into()), &[]),
        ];
        let said: Vec<String> = said_by_all(&files).into_iter().map(|l| l.1).collect();
        assert_eq!(said, ["[warning] value yes"]);
        let none_matched = [
            planned(v(false), &["[warning]: no target"]),
            planned(v(false), &["[warning]: no target"]),
        ];
        assert_eq!(said_by_all(&none_matched).len(), 1);
        // Likely matches first.
        assert_eq!(candidates(&files), [1, 0]);
    }

    #[test]
    fn paths_for_messages_and_diffs() {
        assert_eq!(show(Path::new("./a/b.yaml")), "a/b.yaml");
        assert_eq!(show(Path::new(".")), ".");
        assert_eq!(diff_path(Path::new("./a/./b.yaml")), b"a/b.yaml");
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(diff_path(&cwd.join("x/y.yaml")), b"x/y.yaml");
        assert_eq!(
            diff_path(Path::new("/elsewhere/y.yaml")).first(),
            Some(&b'e')
        );
        assert!(is_manifest(OsStr::new("a.YAML")) && is_manifest(OsStr::new("b.yml")));
        assert!(is_manifest(OsStr::new("c.json")) && !is_manifest(OsStr::new("Kptfile")));
    }

    #[test]
    fn the_walk_skips_hidden_names_and_links() {
        let d = std::env::temp_dir().join(format!("dgm-walk-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        for p in [
            "b/x.yaml",
            "a.yml",
            ".git/c.yaml",
            "b/.hidden.yaml",
            "b/README.md",
            "c.json",
        ] {
            let p = d.join(p);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, "a: 1\n").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(d.join("a.yml"), d.join("link.yaml")).unwrap();
        let g = gather(&[d.clone(), d.join("a.yml")]);
        let names: Vec<String> = g
            .files
            .iter()
            .map(|e| e.shown.strip_prefix(&d).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a.yml", "b/x.yaml", "c.json"]);
        #[cfg(unix)]
        assert_eq!(g.notes.len(), 1, "{:?}", g.notes);
        let g = gather(&[d.join("missing.yaml")]);
        assert_eq!(g.errors.len(), 1);
        let _ = fs::remove_dir_all(&d);
    }
}
