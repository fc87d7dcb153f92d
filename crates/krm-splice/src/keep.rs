//! Which parts of each object the parser materializes.
//!
//! Parsing checks every byte (syntax, duplicate keys, depth, alias expansion), but a tree is
//! built only for what the caller reads: the paths given here, relative to each object, kept
//! whole below their last segment. Everything else is remembered as a span. The envelope
//! (`items`, `functionConfig`, `results`), each object's `apiVersion`, `kind` and `metadata`
//! identity (`name`, `namespace`, `labels`, `annotations`), and every anchored node are
//! always kept.

/// A set of paths to keep, relative to each object.
///
/// ```
/// use krm_splice::Keep;
/// let keep = Keep::new()
///     .path("spec.template.spec.containers")
///     .path("spec.replicas");
/// # let _ = keep;
/// ```
#[derive(Clone, Debug)]
pub struct Keep {
    nodes: Vec<KeepNode>,
}

#[derive(Clone, Debug, Default)]
struct KeepNode {
    /// Keep everything below.
    all: bool,
    /// Keys (`*` matches any) and the node for their values.
    children: Vec<(String, usize)>,
}

/// What is kept of one node while parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    /// A document root: an object, or a `ResourceList`/`List` envelope.
    Root,
    /// A sequence of objects (`items`).
    Objects,
    /// An object, or a node inside one, at this node of the [`Keep`] trie.
    In(usize),
    /// Everything below.
    All,
    /// Nothing below: only the span.
    Nothing,
}

impl Default for Keep {
    fn default() -> Self {
        Keep::new()
    }
}

impl Keep {
    /// Keep only the envelope and each object's identity.
    pub fn new() -> Keep {
        let k = Keep {
            nodes: vec![KeepNode::default()],
        };
        k.path("apiVersion")
            .path("kind")
            .path("metadata.name")
            .path("metadata.namespace")
            .path("metadata.labels")
            .path("metadata.annotations")
    }

    /// Keep everything (a config file, or a fragment being re-read whole).
    pub fn all() -> Keep {
        Keep {
            nodes: vec![KeepNode {
                all: true,
                children: Vec::new(),
            }],
        }
    }

    /// Also keep the subtree at `path`: keys separated by `.`, `*` for any key. Sequences on
    /// the way are walked through: `spec.containers` keeps every container.
    pub fn path(mut self, path: &str) -> Keep {
        let mut at = 0;
        for seg in path.split('.').filter(|s| !s.is_empty()) {
            at = match self.nodes[at].children.iter().find(|(k, _)| k == seg) {
                Some(&(_, n)) => n,
                None => {
                    self.nodes.push(KeepNode::default());
                    let n = self.nodes.len() - 1;
                    self.nodes[at].children.push((seg.to_owned(), n));
                    n
                }
            };
        }
        self.nodes[at].all = true;
        self
    }

    pub(crate) fn object_level(&self) -> Level {
        if self.nodes[0].all {
            Level::All
        } else {
            Level::In(0)
        }
    }

    /// What to keep of the value of `key` in a mapping kept at `level`.
    pub(crate) fn for_key(&self, level: Level, key: &str) -> Level {
        match level {
            Level::Root => match key {
                "items" => Level::Objects,
                "functionConfig" | "results" => Level::All,
                _ => self.for_key(self.object_level(), key),
            },
            Level::In(n) => {
                if n == 0 && key == "items" {
                    // A `kind: List` nested in a stream holds objects.
                    return Level::Objects;
                }
                if key == "<<" {
                    // What a kept mapping merges is read as part of it.
                    return Level::All;
                }
                let node = &self.nodes[n];
                match node
                    .children
                    .iter()
                    .find(|(k, _)| k == key)
                    .or_else(|| node.children.iter().find(|(k, _)| k == "*"))
                {
                    Some(&(_, c)) if self.nodes[c].all => Level::All,
                    Some(&(_, c)) => Level::In(c),
                    None => Level::Nothing,
                }
            }
            Level::All => Level::All,
            Level::Objects | Level::Nothing => Level::Nothing,
        }
    }

    /// What to keep of an item of a sequence kept at `level`.
    pub(crate) fn for_item(&self, level: Level) -> Level {
        match level {
            Level::Objects => self.object_level(),
            Level::In(n) => Level::In(n),
            Level::All => Level::All,
            Level::Root | Level::Nothing => Level::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_wildcards() {
        let k = Keep::new()
            .path("spec.template.spec.containers")
            .path("x.*.y");
        let obj = k.object_level();
        let spec = k.for_key(obj, "spec");
        assert!(matches!(spec, Level::In(_)));
        let containers = k.for_key(k.for_key(k.for_key(spec, "template"), "spec"), "containers");
        assert_eq!(containers, Level::All);
        assert_eq!(k.for_key(spec, "replicas"), Level::Nothing);
        let y = k.for_key(k.for_key(k.for_key(obj, "x"), "anything"), "y");
        assert_eq!(y, Level::All);
        assert_eq!(k.for_key(Level::Root, "items"), Level::Objects);
        assert_eq!(k.for_key(Level::Root, "results"), Level::All);
        assert_eq!(k.for_key(obj, "kind"), Level::All);
        assert_eq!(k.for_key(k.for_key(obj, "metadata"), "name"), Level::All);
        assert_eq!(k.for_key(k.for_key(obj, "metadata"), "uid"), Level::Nothing);
        assert_eq!(k.for_item(Level::Objects), obj);
        assert_eq!(Keep::all().object_level(), Level::All);
    }
}
