//! stderr for people: every line starts with the program's name (so that it can be told
//! apart from kubectl's in a pipeline), `--quiet` drops the info lines, and a stderr that
//! cannot be written is never a panic. Under kpt and kustomize (a ResourceList on stdin) the
//! engine's lines are kept as they always were.

use std::io::{self, Write};

/// The program's name, the prefix of every line in CLI mode.
pub const NAME: &str = "disable-gke-metadata";

/// Where human messages go.
#[derive(Clone, Copy, Debug)]
pub struct Out {
    /// Prefix lines with [`NAME`].
    pub prefix: bool,
    /// Drop info lines.
    pub quiet: bool,
}

impl Out {
    /// CLI mode.
    pub fn new(quiet: bool) -> Out {
        Out {
            prefix: true,
            quiet,
        }
    }

    /// A line shown whatever `--quiet` says.
    pub fn line(&self, text: &str) {
        write_stderr(&self.render(text));
    }

    /// An info line (dropped by `--quiet`).
    pub fn info(&self, text: &str) {
        if !self.quiet {
            self.line(text);
        }
    }

    /// `error: ...`.
    pub fn error(&self, text: &str) {
        self.line(&format!("error: {text}"));
    }

    /// `warning: ...`.
    pub fn warning(&self, text: &str) {
        self.line(&format!("warning: {text}"));
    }

    /// The engine's stderr lines (`[info] ...`, `[warning] ...`, `error: ...`), filtered and
    /// prefixed as this `Out` says.
    pub fn engine(&self, stderr: &str) {
        write_stderr(&self.render_engine(stderr));
    }

    fn render(&self, text: &str) -> String {
        let mut s = String::with_capacity(text.len() + NAME.len() + 3);
        for line in text.lines() {
            if self.prefix {
                s.push_str(NAME);
                s.push_str(": ");
            }
            s.push_str(line);
            s.push('\n');
        }
        s
    }

    fn render_engine(&self, stderr: &str) -> String {
        let mut s = String::with_capacity(stderr.len());
        let mut dropping = false;
        for line in stderr.split_inclusive('\n') {
            // A line that does not start a new message continues the one before it.
            let starts = line.starts_with('[') || line.starts_with("error:");
            if starts {
                dropping = self.quiet && line.starts_with("[info]");
            }
            if dropping {
                continue;
            }
            if self.prefix {
                s.push_str(NAME);
                s.push_str(": ");
            }
            s.push_str(line);
        }
        s
    }
}

/// Write to stderr, ignoring failures: there is nowhere left to report them, and `eprintln!`
/// would panic.
pub fn write_stderr(s: &str) {
    let _ = io::stderr().lock().write_all(s.as_bytes());
}

/// Whether an error is a closed pipe (the reader went away, as `| head` does).
pub fn is_broken_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENGINE: &str =
        "[info] Deployment ml-pipeline-ui spec.x: set A\n[warning]: no B\nerror: bad\n";

    #[test]
    fn cli_lines_carry_the_name() {
        let o = Out::new(false);
        assert_eq!(
            o.render_engine(ENGINE),
            "disable-gke-metadata: [info] Deployment ml-pipeline-ui spec.x: set A\n\
             disable-gke-metadata: [warning]: no B\n\
             disable-gke-metadata: error: bad\n"
        );
        assert_eq!(
            o.render("a\nb"),
            "disable-gke-metadata: a\ndisable-gke-metadata: b\n"
        );
    }

    #[test]
    fn quiet_drops_info_only() {
        let o = Out::new(true);
        assert_eq!(
            o.render_engine("[info] a\n  more of a\n[warning]: b\n  more of b\nerror: c\n"),
            "disable-gke-metadata: [warning]: b\ndisable-gke-metadata:   more of b\n\
             disable-gke-metadata: error: c\n"
        );
    }

    #[test]
    fn krm_mode_keeps_the_lines() {
        let o = Out {
            prefix: false,
            quiet: false,
        };
        assert_eq!(o.render_engine(ENGINE), ENGINE);
        assert_eq!(o.render_engine("no final newline"), "no final newline");
    }
}
