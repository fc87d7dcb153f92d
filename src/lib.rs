//! disable-gke-metadata: a KRM function that sets `DISABLE_GKE_METADATA` (and any other
//! variables asked for) on the Kubeflow Pipelines `ml-pipeline-ui` Deployment, changing no
//! other byte of its input.
//!
//! The function holds only decisions ([`config`]: what is asked; [`fix`]: which objects and
//! containers, which value under which policy, which messages). Reading the input, making
//! the edits exactly and verifying them is the engine's work: [`krm_splice`].
#![forbid(unsafe_code)]

pub mod config;
pub mod fix;
pub mod kfp;
mod patch;

use std::io::{self, Write};

pub use krm_splice::{Change, InputError, KrmResult, Limits, Severity, Splice, Verified, Wrapper};
use krm_splice::{EditError, Editor, Envelope, Keep, Text, Tree};

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// A functionConfig file's bytes (`--config`), used instead of the ResourceList's own.
    pub config: Option<Vec<u8>>,
    /// Bounds on the work an input may ask for.
    pub limits: Limits,
    /// Settings that replace the config's (command-line flags).
    pub overrides: config::Overrides,
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
    /// Options with a config file's bytes and limits.
    #[allow(clippy::needless_update)]
    pub fn new(config: Option<Vec<u8>>, limits: Limits) -> Options {
        Options {
            config,
            limits,
            ..Options::default()
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
    /// The results, in order.
    pub results: Vec<KrmResult>,
    /// What the input was, when it could be read.
    pub wrapper: Option<Wrapper>,
    /// How the edits were verified.
    pub verified: Verified,
    /// The changes made, one per place (JSON Patch operations per document).
    pub changes: Vec<Change>,
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
            verified: Verified::default(),
            changes: Vec::new(),
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
    pub fn write_output<W: Write>(&self, input: &[u8], w: W) -> io::Result<()> {
        if !self.emit {
            return Ok(());
        }
        // By reference: a copy of the splices would hold all the new text twice.
        krm_splice::Splice::write_all(input, &self.splices, w)
    }

    /// The changes file (`{"version": 1, "ops": [...]}`).
    pub fn changes_json(&self) -> String {
        krm_splice::changes_json(&self.changes)
    }
}

/// What the function reads of each object: each workload's containers' names, images and
/// env (other container fields stay spans: their text is never needed).
fn keep() -> Keep {
    let mut k = Keep::new();
    for path in krm_splice::WORKLOAD_KINDS
        .iter()
        .filter_map(|kind| krm_splice::pod_spec_path(kind))
    {
        let base = path.join(".");
        for list in ["containers", "initContainers"] {
            for field in ["name", "image", "env"] {
                k = k.path(&format!("{base}.{list}.{field}"));
            }
        }
    }
    k
}

/// Run the function on `input`.
pub fn run(input: &[u8], options: &Options) -> Outcome {
    let limits = options.limits;
    let text = match Text::decode(input, &limits) {
        Ok(t) => t,
        Err(e) => return Outcome::refused(e.to_string()),
    };
    let tree = match Tree::parse(text, &keep(), &limits) {
        Ok(t) => t,
        Err(e) => return Outcome::refused(e.to_string()),
    };
    let env = match Envelope::read(&tree) {
        Ok(r) => r,
        Err(e) => return Outcome::refused(e.to_string()),
    };
    Run {
        tree: &tree,
        env: &env,
        options,
    }
    .go()
}

struct Run<'t, 'a> {
    tree: &'t Tree<'a>,
    env: &'t Envelope<'t, 'a>,
    options: &'t Options,
}

impl<'t, 'a> Run<'t, 'a> {
    fn editor(&self) -> Editor<'t, 'a> {
        #[allow(unused_mut)]
        let mut ed = Editor::new(self.tree, self.options.limits).with_envelope(self.env);
        #[cfg(feature = "fault-injection")]
        {
            use krm_splice::Fault;
            if self.options.inject_bad_splice {
                ed.inject(Fault::CorruptFirstSplice);
            }
            if self.options.inject_bad_results {
                ed.inject(Fault::ShiftLastEdit);
            }
            if self.options.inject_results_before_edits {
                ed.inject(Fault::ReverseTies);
            }
        }
        ed
    }

    fn go(&self) -> Outcome {
        let parsed = match &self.options.config {
            Some(bytes) => config_file(bytes, self.options.limits),
            None => config::parse(self.env.function_config.as_ref()).map_err(|errors| {
                errors
                    .into_iter()
                    .map(|e| config_result(e, "functionConfig"))
                    .collect()
            }),
        };
        let mut parsed = match parsed {
            Ok(p) => p,
            Err(results) => return self.fail(results, "the functionConfig is not valid"),
        };
        self.options.overrides.apply(&mut parsed.config);
        let emit_patch = parsed.config.emit_patch;
        if emit_patch && parsed.config.mode == config::Mode::Check {
            let r = KrmResult::new(
                Severity::Error,
                "emitPatch and mode check cannot be combined: check mode writes the input back \
                 with its findings, emitPatch writes a patch instead of the input; use one",
            );
            return self.fail(vec![r], "the functionConfig is not valid");
        }
        if let Some(refusal) = emit_patch.then(|| patch::unsupported(self.env)).flatten() {
            return self.fail(vec![refusal], "nothing was changed");
        }
        let mut results: Vec<KrmResult> = parsed
            .warnings
            .iter()
            .map(|w| {
                let mut r = config_result(w.clone(), "functionConfig");
                r.severity = Severity::Warning;
                r
            })
            .collect();
        let mut ed = self.editor();
        let plan = fix::plan(&mut ed, self.env, &parsed.config);
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
        let names: Vec<&str> = parsed.config.env.iter().map(|v| v.name.as_str()).collect();
        let names = names.join(", ");
        results.extend(plan.results);
        if plan.no_match.is_some() && parsed.config.require_match {
            return self.fail(results, "no target found; nothing was changed");
        }
        if parsed.config.mode == config::Mode::Check {
            return self.check(ed, results, plan.would_change, &names);
        }
        let outcome = self.finish(ed, results, 0, &names);
        if parsed.config.emit_patch {
            // The manifests' edits, written as a kustomize patch instead (src/patch.rs).
            return patch::emit(self.env, self.tree.text().len(), outcome);
        }
        outcome
    }

    /// Check mode: the edits a fix would make must be possible (made and verified, then
    /// dropped); the output is the input plus the results, and the exit code 1 when anything
    /// would change.
    fn check(
        &self,
        ed: Editor<'t, 'a>,
        results: Vec<KrmResult>,
        would_change: usize,
        names: &str,
    ) -> Outcome {
        if !ed.is_empty() {
            if let Err(e) = ed.finish() {
                return self.edit_failed(e, names);
            }
        }
        let exit_code = i32::from(would_change > 0);
        let mut o = self.finish(self.editor(), results, exit_code, names);
        if o.exit_code == 1 && would_change > 0 {
            o.stderr.push_str(&format!(
                "error: check failed: {would_change} place(s) would change; nothing was changed\n"
            ));
        }
        o
    }

    /// Add the results (to a ResourceList), verify, and build the outcome.
    fn finish(
        &self,
        mut ed: Editor<'t, 'a>,
        results: Vec<KrmResult>,
        exit_code: i32,
        names: &str,
    ) -> Outcome {
        let wrapper = self.env.wrapper;
        let edits = !ed.is_empty();
        let mut stderr = String::new();
        for r in &results {
            if wrapper != Wrapper::ResourceList || r.severity != Severity::Info {
                stderr.push_str(&r.to_line());
                stderr.push('\n');
            }
        }
        if let (Wrapper::ResourceList, Some(root)) = (wrapper, &self.env.root) {
            if let Err(e) = ed.add_results(root, &results) {
                return self.unchanged(
                    format!("cannot add results to the ResourceList: {e}"),
                    stderr,
                );
            }
        }
        match ed.finish() {
            Ok(edited) => Outcome {
                exit_code,
                splices: edited.splices,
                emit: exit_code == 0 || wrapper == Wrapper::ResourceList,
                stderr,
                results,
                wrapper: Some(wrapper),
                verified: edited.verified,
                changes: edited.changes,
            },
            Err(e) if edits && exit_code == 0 => self.edit_failed(e, names),
            Err(e) => self.unchanged(
                format!("cannot add results to the ResourceList: {e}"),
                stderr,
            ),
        }
    }

    /// Edits that cannot be made or did not verify: exit 1, nothing changed.
    fn edit_failed(&self, e: EditError, names: &str) -> Outcome {
        let (message, summary) = match &e {
            EditError::Verify { .. } => (
                format!("the edited output did not verify ({e}); refusing to write it"),
                "verification failed; nothing was changed",
            ),
            _ => (
                format!("cannot edit {names} safely: {e}"),
                "a target cannot be edited safely; nothing was changed",
            ),
        };
        let result = match &e {
            EditError::SharedAnchor { doc, target, .. }
            | EditError::MergedElsewhere { doc, target, .. } => {
                match self.env.object_at(*doc, target) {
                    Some(obj) => fix::ObjCtx::new(obj).result(
                        Severity::Error,
                        message,
                        target.relative_to(&obj.path()).map(|p| krm_splice::Field {
                            path: p.to_string(),
                            current_value: None,
                            proposed_value: None,
                        }),
                    ),
                    None => KrmResult::new(Severity::Error, message),
                }
            }
            _ => KrmResult::new(Severity::Error, message),
        };
        self.fail(vec![result], summary)
    }

    /// Results cannot be added: exit 1, and a ResourceList comes back as it came (kpt shows
    /// stderr); a stream gets nothing.
    fn unchanged(&self, message: String, stderr: String) -> Outcome {
        let mut o = Outcome::refused(message);
        o.stderr.insert_str(0, &stderr);
        o.wrapper = Some(self.env.wrapper);
        o.emit = self.env.wrapper == Wrapper::ResourceList;
        o
    }

    fn fail(&self, errors: Vec<KrmResult>, summary: &str) -> Outcome {
        let mut o = self.finish(self.editor(), errors, 1, config::ENV_NAME);
        o.stderr.push_str(&format!("error: {summary}\n"));
        o
    }
}

fn config_result(e: config::ConfigError, base: &str) -> KrmResult {
    let mut r = KrmResult::new(Severity::Error, e.message.clone());
    r.field = Some(krm_splice::Field {
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

/// The mode a `--config` file asks for (`fix` when it says nothing, or cannot be read: the
/// run reports that itself).
pub fn config_file_mode(bytes: &[u8], limits: Limits) -> config::Mode {
    config_file(bytes, limits).map_or(config::Mode::Fix, |p| p.config.mode)
}

/// Read a `--config` file (either form).
fn config_file(bytes: &[u8], limits: Limits) -> Result<config::Parsed, Vec<KrmResult>> {
    let one = |m: String| vec![KrmResult::new(Severity::Error, format!("--config: {m}"))];
    let text = Text::decode(bytes, &limits).map_err(|e| one(e.to_string()))?;
    let tree = Tree::parse(text, &Keep::all(), &limits).map_err(|e| one(e.to_string()))?;
    let roots: Vec<_> = (0..tree.documents())
        .filter_map(|d| tree.cursor(d))
        .collect();
    if roots.len() > 1 {
        return Err(one("the config file holds more than one document".into()));
    }
    config::parse(roots.first()).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| config_result(e, "--config"))
            .collect()
    })
}
