//! The `disable-gke-metadata` binary: a KRM function on stdin → stdout, and a command line
//! that edits files in place (see [`cli`]).

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
