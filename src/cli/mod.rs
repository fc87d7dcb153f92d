//! The command line around the function: stdin → stdout as a KRM function and filter
//! ([`stream`]), or files and directories edited in place ([`files`]), with `--diff`,
//! `--check` and flags for the config keys ([`args`]).
//!
//! Exit codes: 0 success; 1 refused (or, with `--check`, something would change); 2 usage
//! error (or, with `--check`, any error).

mod args;
mod diff;
mod files;
mod output;
mod stream;
mod write;

use std::io::{IsTerminal, Read};
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use disable_gke_metadata::Limits;

use args::Cli;
use output::{Out, NAME};

/// Success; with `--check`, nothing would change.
pub const OK: u8 = 0;
/// Refused; with `--check`, something would change.
pub const REFUSED: u8 = 1;
/// A usage error; with `--check`, any error.
pub const USAGE: u8 = 2;

/// Run the command line.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) if e.use_stderr() => {
            // clap's message, with the program's name on its first line.
            let text = e.render().to_string();
            output::write_stderr(&format!("{NAME}: {text}"));
            return ExitCode::from(USAGE);
        }
        Err(e) => {
            // --help, --version: on stdout; a closed stdout is nobody's error.
            let _ = e.print();
            return ExitCode::from(OK);
        }
    };
    let out = Out::new(cli.quiet);
    let usage = |m: &str| {
        out.error(m);
        out.line(&format!("Try '{NAME} --help' for more."));
        ExitCode::from(USAGE)
    };
    if let Err(m) = cli.check_combinations() {
        return usage(&m);
    }
    let overrides = match cli.overrides() {
        Ok(o) => o,
        Err(m) => return usage(&m),
    };
    for w in cli.warnings() {
        out.warning(&w);
    }
    let code = if cli.stdin_mode() {
        if args::wants_tty_hint(&cli.paths, std::io::stdin().is_terminal()) {
            output::write_stderr(&format!("{NAME}: {}\n", args::TTY_HINT));
            return ExitCode::from(USAGE);
        }
        stream::run(&cli, overrides, out)
    } else {
        files::run(&cli, overrides, out)
    };
    ExitCode::from(code)
}

/// The exit code of an error: 2 under `--check`, else 1.
fn error_code(cli: &Cli) -> u8 {
    if cli.check {
        USAGE
    } else {
        REFUSED
    }
}

/// Read at most one byte more than the input limit (the run then names the limit), so that
/// an endless source cannot exhaust memory.
fn read_bounded(r: impl Read, limits: &Limits) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.take(limits.max_input_bytes as u64 + 1)
        .read_to_end(&mut buf)?;
    // Growing by doubling leaves up to as much again unused: give it back.
    buf.shrink_to_fit();
    Ok(buf)
}

/// The `--config` file's bytes.
fn read_config(path: &Path, limits: &Limits) -> Result<Vec<u8>, String> {
    std::fs::File::open(path)
        .and_then(|f| read_bounded(f, limits))
        .map_err(|e| format!("reading --config {}: {e}", path.display()))
}
