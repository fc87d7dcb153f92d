//! Parse-only peer for bench/run.sh: reads all of stdin, iterates every
//! granit-parser event (with spans), and prints the event count to stderr.
//! It does what any span-based editor has to do at minimum: read once, parse once.
//! Parser options are those of the function (src/spanned.rs): anchor events on, comment
//! events off.  `--comments` turns comment events on (granit-parser's default).
use std::io::Read;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("granit-parse-only: cannot read stdin: {e}");
        return ExitCode::from(1);
    }
    let mut events: u64 = 0;
    let mut scalar_bytes: u64 = 0;
    let mut options = granit_parser::Options::default();
    options.emit_anchor_events = true;
    options.emit_comments = std::env::args().any(|a| a == "--comments");
    for next in granit_parser::Parser::new_from_str_with_options(&input, options) {
        match next {
            Ok((event, span)) => {
                events += 1;
                if let Some((value, _style)) = event.scalar() {
                    scalar_bytes += value.len() as u64;
                }
                std::hint::black_box(span.byte_range());
            }
            Err(e) => {
                eprintln!("granit-parse-only: {e}");
                return ExitCode::from(1);
            }
        }
    }
    eprintln!("granit-parse-only: {events} events, {scalar_bytes} scalar bytes");
    ExitCode::SUCCESS
}
