//! Append `results` to a ResourceList: after any results already there, in the list's own
//! syntax (block YAML or flow/JSON), as one splice.

use crate::krm::KrmResult;
use crate::layout::{self, Join};
use crate::plan::Splice;
use crate::spanned::{Kind, Node};
use crate::text::Text;

/// The splice that adds `results` to the ResourceList `root`.
pub fn splice(text: &Text, root: &Node, results: &[KrmResult]) -> Result<Splice, String> {
    let eol = text.eol();
    let Kind::Map { flow, entries } = &root.kind else {
        return Err("the ResourceList is not a mapping".into());
    };
    let json_items = || {
        results
            .iter()
            .map(KrmResult::to_json)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let block_items = |dash: usize, key: usize| -> Vec<String> {
        results
            .iter()
            .map(|r| r.to_block_yaml(dash, key, eol))
            .collect()
    };
    match root.entry("results") {
        Some((key, existing)) => match &existing.kind {
            Kind::Seq { flow: true, items } => Ok(match items.last() {
                Some(last) => at(last.end, format!(", {}", json_items())),
                None => at(existing.start + 1, json_items()),
            }),
            Kind::Seq { flow: false, items } => {
                let dash = layout::dash_column(text, existing)
                    .ok_or("cannot tell the indentation of the existing results")?;
                let key_col = match items.first() {
                    Some(first) if matches!(first.kind, Kind::Map { flow: false, .. }) => {
                        layout::key_column(text, first)
                    }
                    _ => dash + 2,
                };
                let (pos, join) = layout::after(text, existing);
                Ok(at(
                    pos,
                    layout::lines(&block_items(dash, key_col), join, eol),
                ))
            }
            _ if existing.is_null() => {
                let colon = layout::colon_after(text, key.end).ok_or("no ':' after results")?;
                if *flow {
                    let s = existing.start.max(colon + 1);
                    return Ok(Splice {
                        start: colon + 1,
                        end: existing.end.max(s),
                        text: format!(" [{}]", json_items()),
                    });
                }
                // `results: ~ # why`: the null goes; what followed it on the line (a
                // comment) stays there, and the list starts on the next line.
                let kc = text.column(key.full_start());
                let (end, line_end) = layout::null_tail(text, colon, existing)
                    .ok_or("the null results is not alone on its line")?;
                let lines = layout::lines(&block_items(kc, kc + 2), Join::LineEnd, eol);
                Ok(Splice {
                    start: colon + 1,
                    end: line_end,
                    text: format!("{}{lines}", &text.src[end..line_end]),
                })
            }
            _ => Err("the ResourceList's results is not a list".into()),
        },
        None if *flow => {
            let last = entries.last().map(|(_, v)| v).ok_or("empty ResourceList")?;
            Ok(at(last.end, format!(", \"results\": [{}]", json_items())))
        }
        None => {
            // The new key goes at the column of the list's own keys, on a line of its own.
            let first_key = entries
                .first()
                .map(|(k, _)| k.full_start())
                .unwrap_or(root.start);
            if !layout::indented_only(text, first_key) {
                return Err("cannot tell the column of the ResourceList's keys".into());
            }
            let kc = layout::key_column(text, root);
            let offset = root
                .entry("items")
                .and_then(|(k, v)| layout::sequence_offset(text, k, v))
                .unwrap_or(0);
            let mut l = vec![format!("{}results:", " ".repeat(kc))];
            l.extend(block_items(kc + offset, kc + offset + 2));
            let (pos, join) = layout::after(text, root);
            if join == Join::LineEnd && !layout::blank_or_comment(text, root.end, pos) {
                return Err("unexpected text after the ResourceList's last value".into());
            }
            Ok(at(pos, layout::lines(&l, join, eol)))
        }
    }
}

fn at(pos: usize, text: String) -> Splice {
    Splice {
        start: pos,
        end: pos,
        text,
    }
}
