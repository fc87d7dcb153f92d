//! No PATH: stdin → the function → stdout, exactly as the KRM function has always run under
//! kpt and kustomize; `--check` and `--diff` instead print nothing of the output.

use std::io::{BufWriter, Write};

use disable_gke_metadata::config::{Mode, Overrides};
use disable_gke_metadata::{run as run_function, Options, Outcome, Wrapper};
use krm_splice::{Limits, Path as DocPath, Seg};

use super::args::Cli;
use super::output::{is_broken_pipe, Out};
use super::{diff, error_code, read_bounded, read_config, OK, REFUSED};

/// The name `--diff` gives stdin in its headers.
const STDIN_NAME: &[u8] = b"stdin";

/// Run on stdin.
pub fn run(cli: &Cli, mut overrides: Overrides, mut out: Out) -> u8 {
    let err = error_code(cli);
    let limits = Limits::default();
    let config = match &cli.config {
        Some(p) => match read_config(p, &limits) {
            Ok(b) => Some(b),
            Err(m) => {
                out.error(&m);
                return err;
            }
        },
        None => None,
    };
    let input = match read_bounded(std::io::stdin().lock(), &limits) {
        Ok(i) => i,
        Err(e) => {
            out.error(&format!("reading stdin: {e}"));
            return err;
        }
    };
    let dry = cli.check || cli.diff;
    if dry {
        // What a fix would do, decided here from its outcome (a config's `mode: check` would
        // make the run refuse instead).
        overrides.mode = Some(Mode::Fix);
        overrides.emit_patch = Some(false);
    }
    let mut options = Options::new(config, limits);
    options.overrides = overrides;
    let outcome = run_function(&input, &options);
    let krm = outcome.wrapper == Some(Wrapper::ResourceList);
    if krm {
        // Under kpt and kustomize: their lines, as they always were.
        out.prefix = false;
    }
    if let Some(p) = &cli.changes {
        let json = if outcome.emit {
            outcome.changes_json()
        } else {
            krm_splice::changes_json(&[])
        };
        if let Err(e) = std::fs::write(p, json) {
            out.error(&format!("writing --changes {}: {e}", p.display()));
            return err;
        }
    }
    if dry {
        return check_or_diff(cli, &outcome, &input, out);
    }
    // Nothing reaches stdout before the whole output is decided and verified.
    let written = outcome.write_output(
        &input,
        BufWriter::with_capacity(1 << 16, std::io::stdout().lock()),
    );
    out.engine(&outcome.stderr);
    match written {
        Ok(()) => u8::try_from(outcome.exit_code).unwrap_or(REFUSED),
        // `| head`: the reader has what it wanted. Non-zero, since the output is cut, but
        // quiet, as cat and ripgrep are. Under kpt, a closed stdout is worth a line.
        Err(e) if !krm && is_broken_pipe(&e) => REFUSED,
        Err(e) => {
            out.error(&format!("writing stdout: {e}"));
            REFUSED
        }
    }
}

fn check_or_diff(cli: &Cli, outcome: &Outcome, input: &[u8], out: Out) -> u8 {
    let err = error_code(cli);
    if outcome.exit_code != 0 {
        out.engine(&outcome.stderr);
        return err;
    }
    let output = outcome.output(input);
    let would = would_change(outcome, input, &output);
    if cli.diff {
        let d = diff::unified(input, &output, STDIN_NAME);
        let mut w = std::io::stdout().lock();
        if let Err(e) = w.write_all(&d).and_then(|()| w.flush()) {
            out.engine(&outcome.stderr);
            if is_broken_pipe(&e) {
                return err;
            }
            out.error(&format!("writing stdout: {e}"));
            return err;
        }
    }
    out.engine(&outcome.stderr);
    if !cli.check {
        return OK;
    }
    if would {
        out.line("would change stdin");
        REFUSED
    } else {
        out.info("nothing to change");
        OK
    }
}

/// Whether the run changes the input: an edit of an object (for a ResourceList, the results
/// it always gets do not count).
pub fn would_change(outcome: &Outcome, input: &[u8], output: &[u8]) -> bool {
    let krm = outcome.wrapper == Some(Wrapper::ResourceList);
    let results = DocPath::root().child(Seg::key("results"));
    outcome
        .changes
        .iter()
        .any(|c| !(krm && c.doc == 0 && c.path.starts_with(&results)))
        || (!krm && output != input)
}
