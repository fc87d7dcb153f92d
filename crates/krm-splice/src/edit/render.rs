//! Rendering each edit as text that matches its surroundings.

use super::*;

impl<'t, 'a> Editor<'t, 'a> {
    // ---------------------------------------------------------------- rendering

    pub(super) fn render(
        &self,
        slot: &Slot,
        item: &Item,
        k: usize,
    ) -> Result<Vec<Splice>, EditError> {
        let node = self.tree.node(slot.node);
        match (&slot.kind, item) {
            (Kind::Append, Item::Value(v)) => self.render_append(node, v, k).map(|s| vec![s]),
            (Kind::Insert, Item::Entry(key, v)) => self.render_insert(node, key, v, k),
            (Kind::Replace, Item::Value(v)) => self.render_replace(node, v, slot.anchor.as_deref()),
            (Kind::ReplaceEntry, Item::Rename(new_key, v)) => {
                let key = self.tree.node(slot.key.unwrap_or(slot.node));
                self.render_rename(node, key, new_key, v).map(|s| vec![s])
            }
            (Kind::Remove, Item::Remove) => {
                let key = self.tree.node(slot.key.unwrap_or(slot.node));
                self.render_remove(node, key).map(|s| vec![s])
            }
            _ => Err(EditError::Invalid {
                message: "internal: an edit of the wrong shape".into(),
            }),
        }
    }

    fn render_append(&self, seq: Node, v: &Value, k: usize) -> Result<Splice, EditError> {
        let text = self.tree.text();
        if seq.is_flow() {
            let sep = if k > 0 || !seq.is_empty() { ", " } else { "" };
            let at = match seq.last_child() {
                Some(last) => last.end(),
                None => seq.start() + 1,
            };
            return Ok(insert_at(at, value::flow_after(sep, v)));
        }
        let dash = layout::dash_column(text, &seq).ok_or_else(|| {
            self.layout_err(seq.start(), "cannot tell the indentation of the list")
        })?;
        let first = seq
            .first_child()
            .ok_or_else(|| self.layout_err(seq.start(), "an empty block list"))?;
        let lines = if first.is_map() && first.is_flow() {
            vec![format!("{}- {}", " ".repeat(dash), value::flow(v))]
        } else {
            let key_col = if first.is_map() {
                layout::key_column(text, &first)
            } else {
                dash + 2
            };
            value::block_item(v, dash, key_col, self.indent(&seq))
        };
        let (pos, join) = layout::after(text, &seq);
        self.check_end_of_line(&seq, pos, join)?;
        Ok(insert_at(
            pos,
            layout::lines(&lines, join, text.eol_at(pos)),
        ))
    }

    fn render_insert(
        &self,
        map: Node,
        key: &str,
        v: &Value,
        k: usize,
    ) -> Result<Vec<Splice>, EditError> {
        let text = self.tree.text();
        if map.is_flow() {
            let sep = if k > 0 || !map.is_empty() { ", " } else { "" };
            let at = match map.last_child() {
                Some(last) => last.end(),
                None => map.start() + 1,
            };
            let t = value::flow_after(&format!("{sep}{}: ", value::quoted(key)), v);
            return Ok(vec![insert_at(at, t)]);
        }
        if map.is_empty() {
            return Err(self.layout_err(map.start(), "an empty block mapping"));
        }
        let col = layout::key_column(text, &map);
        let lines = value::block_entry(key, v, col, self.indent(&map));
        if self.tree.docs.iter().any(|d| d.root == Some(map.id())) {
            return self.render_root_insert(map, lines);
        }
        let (pos, join) = layout::after(text, &map);
        self.check_end_of_line(&map, pos, join)?;
        Ok(vec![insert_at(
            pos,
            layout::lines(&lines, join, text.eol_at(pos)),
        )])
    }

    /// A new key of a document's root mapping goes after everything the document holds (its
    /// trailing comments too), on lines of its own.
    fn render_root_insert(&self, map: Node, lines: Vec<String>) -> Result<Vec<Splice>, EditError> {
        let text = self.tree.text();
        let src = text.src();
        let doc = self
            .tree
            .docs
            .iter()
            .position(|d| d.root == Some(map.id()))
            .ok_or_else(|| self.layout_err(map.start(), "internal: not a document root"))?;
        let first_key = map.first_child().map_or(map.start(), |k| k.full_start());
        let key_at = layout::explicit_indicator(text, first_key).unwrap_or(first_key);
        let end = self.tree.document_end(doc);
        // The document's content ends at a line start (before `...` or `---`) or at the end
        // of the text.
        let (pos, join) = if end < src.len() {
            (text.line_start(end), Join::LineStart)
        } else if src.ends_with(['\n', '\r']) {
            (end, Join::LineStart)
        } else {
            (end, Join::LineEnd)
        };
        // Without a final line break, a block scalar that ends the text would gain one; the
        // new key then goes before the first key instead.
        // A document that ends in a block scalar without a final line break: the new key goes
        // first, as a line after the scalar would change its value.
        let before_first = join == Join::LineEnd && map.ends_in_block_scalar();
        if before_first || pos < map.end() {
            if !layout::indented_only(text, key_at) {
                return Err(self.layout_err(key_at, "cannot tell where the document's keys start"));
            }
            let at = text.indent_start(key_at);
            return Ok(vec![insert_at(
                at,
                layout::lines(&lines, Join::LineStart, text.eol_at(at)),
            )]);
        }
        Ok(vec![insert_at(
            pos,
            layout::lines(&lines, join, text.eol_at(pos)),
        )])
    }

    /// New lines after `node` must not split what follows it on its line, nor end a block
    /// scalar that ends the text without a final line break (it would gain one).
    fn check_end_of_line(&self, node: &Node, pos: usize, join: Join) -> Result<(), EditError> {
        let text = self.tree.text();
        if join == Join::LineEnd && pos == text.len() && node.ends_in_block_scalar() {
            return Err(self.layout_err(
                node.end(),
                "a block scalar ends the text without a final line break; a line added after \
                 it would change its value (end the file with a line break)",
            ));
        }
        if join == Join::LineEnd && !layout::blank_or_comment(text, node.end(), pos) {
            return Err(self.layout_err(node.end(), "unexpected text after the last value"));
        }
        Ok(())
    }

    fn render_replace(
        &self,
        site: Node,
        v: &Value,
        anchor: Option<&str>,
    ) -> Result<Vec<Splice>, EditError> {
        let text = self.tree.text();
        if let Some(at) = self.anchor_used_outside(site.full_start(), site.raw_end()) {
            if anchor.is_none() || at != site.full_start() {
                return Err(self.layout_err(
                    at,
                    "the replaced value defines an anchor that an alias elsewhere refers to",
                ));
            }
        }
        let map = site
            .parent()
            .ok_or_else(|| self.layout_err(site.start(), "not a mapping value"))?;
        let key = key_of(map, site.id())
            .ok_or_else(|| self.layout_err(site.start(), "not a mapping value"))?;
        let prefix = anchor.map(|a| format!("&{a} ")).unwrap_or_default();
        if layout::colon_after(text, key.end()).is_none() && !map.is_flow() {
            return self.render_explicit_key_value(&map, &key, &site, v);
        }
        if map.is_flow() || !v.is_collection() {
            let rendered = if map.is_flow() {
                value::flow(v)
            } else {
                value::block_scalar(v)
            };
            let (s, e) = if map.is_flow() && site.is_null() && site.start() == site.end() {
                let colon = layout::colon_after(text, key.end()).ok_or_else(|| {
                    self.layout_err(key.end(), "cannot find the ':' after the key")
                })?;
                (colon + 1, colon + 1)
            } else {
                layout::value_range(text, &key, &site).map_err(|(at, m)| self.layout_err(at, m))?
            };
            let t = format!("{prefix}{rendered}");
            let t = if s == e { format!(" {t}") } else { t };
            return Ok(vec![Splice {
                start: s,
                end: e,
                text: t,
            }]);
        }
        // A block collection in place of a null: the null goes, what followed it on the line
        // (a comment) stays, and the collection starts on the next line.
        if !site.is_null() {
            return Err(self.layout_err(
                site.start(),
                "only a null value can be replaced by a block collection",
            ));
        }
        if !prefix.is_empty() {
            return Err(self.layout_err(
                site.start(),
                "an anchored null cannot become a block collection",
            ));
        }
        let colon = layout::colon_after(text, key.end())
            .ok_or_else(|| self.layout_err(key.end(), "cannot find the ':' after the key"))?;
        let (end, line_end) = layout::null_tail(text, colon, &site).ok_or_else(|| {
            self.layout_err(site.start(), "the null value is not alone on its line")
        })?;
        let key_col = match layout::explicit_indicator(text, key.full_start()) {
            Some(q) => text.column(q),
            None => text.column(key.full_start()),
        };
        let ind = self.indent(&map);
        let lines: Vec<String> = match v {
            Value::Seq(items) => {
                let dash = key_col + ind.seq_offset;
                items
                    .iter()
                    .flat_map(|i| value::block_item(i, dash, dash + 2, ind))
                    .collect()
            }
            Value::Map(entries) => entries
                .iter()
                .flat_map(|(k, cv)| value::block_entry(k, cv, key_col + ind.map_step, ind))
                .collect(),
            _ => Vec::new(),
        };
        let mut out = Vec::new();
        if end > colon + 1 {
            out.push(Splice {
                start: colon + 1,
                end,
                text: String::new(),
            });
        }
        out.push(insert_at(
            line_end,
            layout::lines(&lines, Join::LineEnd, text.eol_at(line_end)),
        ));
        Ok(out)
    }

    /// An explicit key with no value (`? env`): it becomes `env:` with the value after it.
    fn render_explicit_key_value(
        &self,
        map: &Node,
        key: &Node,
        site: &Node,
        v: &Value,
    ) -> Result<Vec<Splice>, EditError> {
        let text = self.tree.text();
        let q = layout::explicit_indicator(text, key.full_start())
            .ok_or_else(|| self.layout_err(key.end(), "cannot find the ':' after the key"))?;
        if !site.is_null() || site.start() < key.end() && site.start() != site.end() {
            return Err(self.layout_err(key.end(), "cannot find the ':' after the key"));
        }
        let line_end = text.line_end(key.end());
        if !layout::blank_or_comment(text, key.end(), line_end) {
            return Err(self.layout_err(key.end(), "an explicit key shares its line"));
        }
        let key_text = &text.src()[key.full_start()..key.end()];
        if !v.is_collection() {
            return Ok(vec![Splice {
                start: q,
                end: key.end(),
                text: format!("{key_text}: {}", value::block_scalar(v)),
            }]);
        }
        let col = text.column(q);
        let ind = self.indent(map);
        let lines: Vec<String> = match v {
            Value::Seq(items) => {
                let dash = col + ind.seq_offset;
                items
                    .iter()
                    .flat_map(|i| value::block_item(i, dash, dash + 2, ind))
                    .collect()
            }
            Value::Map(entries) => entries
                .iter()
                .flat_map(|(k, cv)| value::block_entry(k, cv, col + ind.map_step, ind))
                .collect(),
            _ => Vec::new(),
        };
        Ok(vec![
            Splice {
                start: q,
                end: key.end(),
                text: format!("{key_text}:"),
            },
            insert_at(
                line_end,
                layout::lines(&lines, Join::LineEnd, text.eol_at(line_end)),
            ),
        ])
    }

    fn render_rename(
        &self,
        map: Node,
        key: Node,
        new_key: &str,
        v: &Value,
    ) -> Result<Splice, EditError> {
        let text = self.tree.text();
        let value = value_of(map, key.id())
            .ok_or_else(|| self.layout_err(key.start(), "internal: no value for the key"))?;
        let start = layout::explicit_indicator(text, key.full_start()).unwrap_or(key.full_start());
        if let Some(at) = self.anchor_used_outside(start, value.raw_end()) {
            return Err(self.layout_err(
                at,
                "the replaced entry defines an anchor that an alias elsewhere refers to",
            ));
        }
        let t = if map.is_flow() {
            format!("{}: {}", value::quoted(new_key), value::flow(v))
        } else {
            if v.is_collection() {
                return Err(self.layout_err(
                    key.start(),
                    "cannot write a block collection in place of an entry",
                ));
            }
            format!("{}: {}", value::block_key(new_key), value::block_scalar(v))
        };
        let end = if value.is_null() && value.start() == value.end() {
            layout::colon_after(text, key.end()).map_or(key.end(), |c| c + 1)
        } else {
            value.end()
        };
        Ok(Splice {
            start,
            end,
            text: t,
        })
    }

    fn render_remove(&self, map: Node, key: Node) -> Result<Splice, EditError> {
        let text = self.tree.text();
        let value = value_of(map, key.id())
            .ok_or_else(|| self.layout_err(key.start(), "internal: no value for the key"))?;
        let start = layout::explicit_indicator(text, key.full_start()).unwrap_or(key.full_start());
        if let Some(at) = self.anchor_used_outside(start, value.raw_end()) {
            return Err(self.layout_err(
                at,
                "the removed entry defines an anchor that an alias elsewhere refers to",
            ));
        }
        if map.is_flow() {
            let entries: Vec<(Node, Node)> = map.entries().collect();
            let i = entries
                .iter()
                .position(|(k, _)| k.id() == key.id())
                .ok_or_else(|| self.layout_err(key.start(), "internal: no such entry"))?;
            let (s, e) = if i > 0 {
                (entries[i - 1].1.end(), value.end())
            } else if let Some((next, _)) = entries.get(1) {
                (start, next.full_start())
            } else {
                (start, value.end())
            };
            return Ok(Splice {
                start: s,
                end: e,
                text: String::new(),
            });
        }
        if map.len() == 1 {
            return Err(self.layout_err(
                key.start(),
                "cannot remove the only entry of a block mapping",
            ));
        }
        if !layout::indented_only(text, start) {
            return Err(self.layout_err(key.start(), "the entry does not start its line"));
        }
        let (pos, join) = layout::after(text, &value);
        let end = match join {
            Join::LineStart => pos,
            Join::LineEnd => text.next_line(pos),
        };
        Ok(Splice {
            start: text.indent_start(start),
            end,
            text: String::new(),
        })
    }

    /// An anchor defined in `from..to` that an alias outside that range refers to.
    fn anchor_used_outside(&self, from: usize, to: usize) -> Option<usize> {
        self.tree.anchors.iter().find_map(|(id, def)| {
            let at = def.offset as usize;
            let inside = at >= from && at < to;
            (inside && self.tree.aliases.iter().any(|s| s.anchor == *id)).then_some(at)
        })
    }

    /// Indentation for new block content under `node`, copied from the nearest list that is
    /// a mapping's value (above it, else below it), with mappings indented by 2.
    fn indent(&self, node: &Node) -> Indent {
        let text = self.tree.text();
        let offset_of = |key: Node, v: Node| -> Option<usize> {
            if v.is_seq() && !v.is_flow() {
                layout::sequence_offset(text, &key, &v)
            } else {
                None
            }
        };
        // Above: the nearest ancestor list that is a mapping's value.
        let mut at = Some(*node);
        while let Some(n) = at {
            if let Some(p) = n.parent() {
                if p.is_map() {
                    if let Some(k) = key_of(p, n.id()) {
                        if let Some(o) = offset_of(k, n) {
                            return Indent {
                                seq_offset: o,
                                map_step: 2,
                            };
                        }
                    }
                }
            }
            at = n.parent();
        }
        // Below: the first list value of the node itself.
        if node.is_map() {
            for (k, v) in node.entries() {
                if let Some(o) = offset_of(k, v) {
                    return Indent {
                        seq_offset: o,
                        map_step: 2,
                    };
                }
            }
        }
        Indent {
            seq_offset: 0,
            map_step: 2,
        }
    }
}
