//! The `disable-gke-metadata` binary: stdin → run → stdout, with exit codes 0 and 1.

use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use disable_gke_metadata::{run, Limits, Options};

/// Set DISABLE_GKE_METADATA on the Kubeflow Pipelines ml-pipeline-ui Deployment.
///
/// Reads a KRM ResourceList (YAML or JSON), a `kind: List`, or a stream of YAML documents on
/// stdin and writes it to stdout with only that env entry changed. Exit 0 on success, 1 on
/// any error.
#[derive(Parser, Debug)]
#[command(version, about, long_about)]
struct Cli {
    /// functionConfig file (a ConfigMap or a DisableGkeMetadata object), for use outside
    /// kpt and kustomize; it takes the place of the ResourceList's functionConfig.
    #[arg(long, value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    /// Write what the run changed to FILE, as JSON Patch operations per YAML document.
    #[arg(long, value_name = "FILE")]
    changes: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match go(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // Never eprintln!: it panics when stderr cannot be written.
            let _ = writeln!(std::io::stderr().lock(), "error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn go(cli: &Cli) -> Result<u8> {
    let limits = Limits::default();
    let config = match &cli.config {
        Some(p) => {
            let f = std::fs::File::open(p)
                .with_context(|| format!("reading --config {}", p.display()))?;
            Some(
                read_bounded(f, &limits)
                    .with_context(|| format!("reading --config {}", p.display()))?,
            )
        }
        None => None,
    };
    let input = read_bounded(std::io::stdin().lock(), &limits).context("reading stdin")?;
    let options = Options::new(config, limits);
    let outcome = run(&input, &options);
    if let Some(p) = &cli.changes {
        let json = if outcome.emit {
            outcome.changes_json()
        } else {
            krm_splice::changes_json(&[])
        };
        std::fs::write(p, json).with_context(|| format!("writing --changes {}", p.display()))?;
    }
    // Nothing reaches stdout before the whole output is decided and verified.
    let stdout = std::io::stdout();
    let w = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let written = outcome.write_output(&input, w);
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(outcome.stderr.as_bytes());
    written.context("writing stdout")?;
    Ok(outcome.exit_code as u8)
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
