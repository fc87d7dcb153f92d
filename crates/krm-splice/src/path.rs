//! Paths from a document's root to a node: keys and sequence indexes.

use std::fmt;

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Seg {
    /// A mapping key (its scalar value, after unquoting).
    Key(Box<str>),
    /// A sequence index.
    Index(usize),
}

impl Seg {
    /// A key step.
    pub fn key(k: &str) -> Seg {
        Seg::Key(k.into())
    }
}

/// A path from a document's root (or from an object, when made relative).
///
/// ```
/// use krm_splice::{Path, Seg};
/// let p = Path(vec![Seg::key("metadata"), Seg::key("annotations"), Seg::key("example.com/owner")]);
/// assert_eq!(p.to_string(), "metadata.annotations.example.com/owner");
/// assert_eq!(p.pointer(), "/metadata/annotations/example.com~1owner"); // RFC 6901
/// let item = Path(vec![Seg::key("items"), Seg::Index(3)]).join(p.segs());
/// assert_eq!(item.relative_to(&Path(vec![Seg::key("items"), Seg::Index(3)])), Some(p));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Path(pub Vec<Seg>);

impl Path {
    /// The empty path (the root itself).
    pub fn root() -> Path {
        Path(Vec::new())
    }

    /// This path and one more step.
    pub fn child(&self, seg: Seg) -> Path {
        let mut v = Vec::with_capacity(self.0.len() + 1);
        v.extend_from_slice(&self.0);
        v.push(seg);
        Path(v)
    }

    /// This path followed by `rest`.
    pub fn join(&self, rest: &[Seg]) -> Path {
        let mut v = self.0.clone();
        v.extend_from_slice(rest);
        Path(v)
    }

    /// The steps.
    pub fn segs(&self) -> &[Seg] {
        &self.0
    }

    /// Whether `self` starts with `prefix`.
    pub fn starts_with(&self, prefix: &Path) -> bool {
        self.0.starts_with(&prefix.0)
    }

    /// The rest of this path below `base` (`None` when `base` is not a prefix).
    pub fn relative_to(&self, base: &Path) -> Option<Path> {
        self.0
            .strip_prefix(base.0.as_slice())
            .map(|r| Path(r.to_vec()))
    }

    /// As a JSON Pointer (RFC 6901).
    pub fn pointer(&self) -> String {
        let mut s = String::new();
        for seg in &self.0 {
            s.push('/');
            match seg {
                Seg::Key(k) => {
                    for c in k.chars() {
                        match c {
                            '~' => s.push_str("~0"),
                            '/' => s.push_str("~1"),
                            c => s.push(c),
                        }
                    }
                }
                Seg::Index(i) => s.push_str(&i.to_string()),
            }
        }
        s
    }
}

/// Dotted, with `[i]` for indexes: `spec.template.spec.containers[0].env`.
impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for seg in &self.0 {
            match seg {
                Seg::Key(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let p = Path(vec![
            Seg::key("spec"),
            Seg::key("containers"),
            Seg::Index(0),
            Seg::key("a/b~c"),
        ]);
        assert_eq!(p.to_string(), "spec.containers[0].a/b~c");
        assert_eq!(p.pointer(), "/spec/containers/0/a~1b~0c");
        let base = Path(vec![Seg::key("spec")]);
        assert_eq!(
            p.relative_to(&base).unwrap().to_string(),
            "containers[0].a/b~c"
        );
        assert!(p.starts_with(&base));
    }
}
