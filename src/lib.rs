//! disable-gke-metadata: a KRM function that sets `DISABLE_GKE_METADATA` on the Kubeflow
//! Pipelines `ml-pipeline-ui` Deployment, changing no other byte of its input.
//!
//! The data flow, top to bottom: read bytes ([`text`]) → parse into a spanned view
//! ([`spanned`]) → find objects ([`resources`]) and the config ([`config`]) → plan edits, pure
//! ([`plan`], [`layout`], [`results`]) → check the spliced output by re-parsing ([`verify`]) →
//! write (the binary). Output is always the input plus precise splices; no YAML is ever
//! re-serialized.
#![forbid(unsafe_code)]

pub mod changes;
pub mod config;
pub mod error;
pub mod krm;
pub mod layout;
pub mod plan;
pub mod resources;
pub mod results;
pub mod scalar;
pub mod select;
pub mod spanned;
pub mod text;
pub mod verify;

use std::io::{self, Write};

pub use error::{InputError, Limits};
pub use krm::{KrmResult, Severity};
pub use plan::Splice;
pub use resources::Wrapper;

use resources::Resources;
use spanned::BuildOptions;
use text::Text;

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// A functionConfig file's bytes (`--config`), used instead of the ResourceList's own.
    pub config: Option<Vec<u8>>,
    pub limits: Limits,
    /// Test builds only: corrupt the first splice, so that verification must refuse it.
    #[cfg(feature = "fault-injection")]
    pub inject_bad_splice: bool,
    /// Test builds only: put the results one column off, so that verification must refuse.
    #[cfg(feature = "fault-injection")]
    pub inject_bad_results: bool,
    /// Test builds only: put the results before an edit at the same offset (the end of the
    /// list), so that the last item's new lines land in the results; verification must refuse.
    #[cfg(feature = "fault-injection")]
    pub inject_results_before_edits: bool,
}

impl Options {
    pub fn new(config: Option<Vec<u8>>, limits: Limits) -> Options {
        Options {
            config,
            limits,
            #[cfg(feature = "fault-injection")]
            inject_bad_splice: false,
            #[cfg(feature = "fault-injection")]
            inject_bad_results: false,
            #[cfg(feature = "fault-injection")]
            inject_results_before_edits: false,
        }
    }
}

/// What a run decided: the splices that turn the input into the output, or a refusal.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// 0: success; 1: refused.
    pub exit_code: i32,
    /// Sorted, non-overlapping edits of the input. Empty when `emit` is false.
    pub splices: Vec<Splice>,
    /// Whether anything is written to stdout (a refused plain stream writes nothing).
    pub emit: bool,
    /// Human-readable lines for stderr.
    pub stderr: String,
    pub results: Vec<KrmResult>,
    /// What the input was, when it could be read.
    pub wrapper: Option<Wrapper>,
    /// Edited objects verified by re-parsing their own text, and by re-parsing the whole
    /// stream (when their text could not stand alone).
    pub verified: (usize, usize),
    /// What the output changed, for `--changes` (see [`changes`]).
    pub ops: Vec<changes::Op>,
}

impl Outcome {
    fn refused(message: String) -> Outcome {
        Outcome {
            exit_code: 1,
            splices: Vec::new(),
            emit: false,
            stderr: format!("error: {message}\n"),
            results: vec![KrmResult::new(Severity::Error, message)],
            wrapper: None,
            verified: (0, 0),
            ops: Vec::new(),
        }
    }

    /// The output bytes.
    pub fn output(&self, input: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(input.len() + 1024);
        // Writing to a Vec cannot fail.
        let _ = self.write_output(input, &mut out);
        out
    }

    /// Write the output: the input's own bytes between the splices.
    pub fn write_output<W: Write>(&self, input: &[u8], mut w: W) -> io::Result<()> {
        if !self.emit {
            return Ok(());
        }
        let mut at = 0;
        for s in &self.splices {
            w.write_all(&input[at..s.start])?;
            w.write_all(s.text.as_bytes())?;
            at = s.end;
        }
        w.write_all(&input[at..])?;
        w.flush()
    }
}

/// Run the function on `input`.
pub fn run(input: &[u8], options: &Options) -> Outcome {
    let limits = options.limits;
    let text = match Text::decode(input, &limits) {
        Ok(t) => t,
        Err(e) => return Outcome::refused(e.to_string()),
    };
    let opts = BuildOptions::view(limits);
    let stream = match spanned::parse(&text, &opts) {
        Ok(s) => s,
        Err(e) => return Outcome::refused(e.to_string()),
    };
    let res = match resources::collect(&stream, &text) {
        Ok(r) => r,
        Err(e) => return Outcome::refused(e.to_string()),
    };
    let mut run = Run {
        text,
        res: &res,
        results: Vec::new(),
        stream: &stream,
        options,
        verified: (0, 0),
        ops: Vec::new(),
    };
    run.go()
}

struct Run<'r, 'a> {
    text: Text<'a>,
    res: &'r Resources<'r, 'a>,
    stream: &'r spanned::Stream<'a>,
    results: Vec<KrmResult>,
    options: &'r Options,
    verified: (usize, usize),
    ops: Vec<changes::Op>,
}

impl Run<'_, '_> {
    fn go(&mut self) -> Outcome {
        let parsed = match &self.options.config {
            Some(bytes) => config_file(bytes, self.options.limits),
            None => config::parse(self.res.function_config).map_err(|errors| {
                errors
                    .into_iter()
                    .map(|e| config_result(e, "functionConfig"))
                    .collect()
            }),
        };
        let parsed = match parsed {
            Ok(p) => p,
            Err(results) => return self.fail(results, "the functionConfig is not valid"),
        };
        self.results.extend(parsed.warnings.iter().map(|w| {
            let mut r = config_result(w.clone(), "functionConfig");
            r.severity = Severity::Warning;
            r
        }));
        let config = parsed.config;
        let plan = plan::plan(&self.text, self.res, &self.stream.aliased, &config);
        if plan.failed {
            let errors = plan
                .results
                .into_iter()
                .filter(|r| r.severity == Severity::Error)
                .collect();
            return self.fail(
                errors,
                "a target cannot be edited safely; nothing was changed",
            );
        }
        self.results.extend(plan.results);
        let mut owned = plan.splices;
        #[cfg(feature = "fault-injection")]
        if self.options.inject_bad_splice {
            if let Some((_, s)) = owned.first_mut() {
                s.text.push_str("\"x");
            }
        }
        owned.sort_by_key(|(_, s)| s.start);
        let splices: Vec<Splice> = owned.iter().map(|(_, s)| s.clone()).collect();
        if let Err(e) = verify::check_splices(self.text.src, &splices) {
            return self.fail_internal(e);
        }
        // Verify every edited object.
        let mut objects: Vec<usize> = plan.edits.iter().map(|e| e.object).collect();
        objects.dedup();
        for o in objects {
            let edits: Vec<_> = plan.edits.iter().filter(|e| e.object == o).collect();
            let own: Vec<&Splice> = owned
                .iter()
                .filter(|(i, _)| *i == o)
                .map(|(_, s)| s)
                .collect();
            match verify::object(
                &self.text,
                &self.res.objects[o],
                &edits,
                &own,
                &config.value,
                self.options.limits,
            ) {
                Ok(verify::Checked::Alone) => self.verified.0 += 1,
                Ok(verify::Checked::InStream) => self.verified.1 += 1,
                Err(e) => return self.fail_internal(e),
            }
        }
        self.ops = changes::edit_ops(self.res, &plan.edits, &config.value);
        self.finish(splices, 0)
    }

    /// Add the results (to a ResourceList) and build the outcome.
    fn finish(&mut self, mut splices: Vec<Splice>, exit_code: i32) -> Outcome {
        let results = std::mem::take(&mut self.results);
        let wrapper = self.res.wrapper;
        let mut stderr = String::new();
        for r in &results {
            if wrapper != Wrapper::ResourceList || r.severity != Severity::Info {
                stderr.push_str(&r.to_line());
                stderr.push('\n');
            }
        }
        if let (Wrapper::ResourceList, Some(root)) = (wrapper, self.res.root) {
            let limits = self.options.limits;
            let added = results::splice(&self.text, root, &results);
            #[cfg(feature = "fault-injection")]
            let added = added.map(|mut s| {
                if self.options.inject_bad_results {
                    let at = s.text.find('\n').map_or(0, |i| i + 1);
                    s.text.insert(at, ' ');
                }
                s
            });
            // Usually after every edit; before them when `results` precedes `items`. At the
            // same offset (both at the end of the list), the edit comes first: it belongs to
            // the last item, the results to the list. Then the list's end is re-parsed with
            // every splice in place.
            let ties_first = self.results_before_edits_on_ties();
            let added = added.and_then(|s| {
                let at = splices
                    .partition_point(|e| e.start < s.start || (e.start == s.start && !ties_first));
                splices.insert(at, s);
                verify::check_splices(self.text.src, &splices)?;
                verify::results(&self.text, root, &splices, at, &results, limits)
            });
            match added {
                Ok(()) => self
                    .ops
                    .extend(changes::result_ops(self.stream, root, &results)),
                Err(e) => {
                    let mut o =
                        Outcome::refused(format!("cannot add results to the ResourceList: {e}"));
                    o.stderr.insert_str(0, &stderr);
                    return o;
                }
            }
        }
        Outcome {
            exit_code,
            splices,
            emit: exit_code == 0 || wrapper == Wrapper::ResourceList,
            stderr,
            results,
            wrapper: Some(wrapper),
            verified: self.verified,
            ops: std::mem::take(&mut self.ops),
        }
    }

    /// Where results go against an edit at the same offset: after it, except when a test
    /// build forces the wrong order to prove that verification refuses it.
    #[cfg(feature = "fault-injection")]
    fn results_before_edits_on_ties(&self) -> bool {
        self.options.inject_results_before_edits
    }

    #[cfg(not(feature = "fault-injection"))]
    fn results_before_edits_on_ties(&self) -> bool {
        false
    }

    fn fail(&mut self, errors: Vec<KrmResult>, summary: &str) -> Outcome {
        self.results = errors;
        let mut o = self.finish(Vec::new(), 1);
        o.stderr.push_str(&format!("error: {summary}\n"));
        o
    }

    fn fail_internal(&mut self, why: String) -> Outcome {
        let r = KrmResult::new(
            Severity::Error,
            format!("the edited output did not verify ({why}); refusing to write it"),
        );
        self.fail(vec![r], "verification failed; nothing was changed")
    }
}

fn config_result(e: config::ConfigError, base: &str) -> KrmResult {
    let mut r = KrmResult::new(Severity::Error, e.message.clone());
    r.field = Some(krm::Field {
        path: if e.path.is_empty() {
            base.to_string()
        } else {
            format!("{base}.{}", e.path)
        },
        current_value: None,
        proposed_value: None,
    });
    r
}

/// Read a `--config` file (either form).
fn config_file(bytes: &[u8], limits: Limits) -> Result<config::Parsed, Vec<KrmResult>> {
    let one = |m: String| vec![KrmResult::new(Severity::Error, format!("--config: {m}"))];
    let text = Text::decode(bytes, &limits).map_err(|e| one(e.to_string()))?;
    let opts = BuildOptions::full(limits);
    let stream = spanned::parse(&text, &opts).map_err(|e| one(e.to_string()))?;
    let roots: Vec<_> = stream
        .documents
        .iter()
        .filter_map(|d| d.root.as_ref())
        .collect();
    if roots.len() > 1 {
        return Err(one("the config file holds more than one document".into()));
    }
    config::parse(roots.first().copied()).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| config_result(e, "--config"))
            .collect()
    })
}
