//! Typed errors, each carrying where it happened, and the limits that bound the work one
//! input may ask for.

use std::fmt;

use crate::path::Path;

/// A place in the input: byte offset, and 1-based line and column (columns count
/// characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// Byte offset from the start of the input.
    pub offset: usize,
    /// 1-based line number (line breaks are YAML's: `\r\n`, `\n`, `\r`).
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Bounds on the work one input may ask for. None is reachable by real Kubernetes
/// manifests: the deepest real CRD nests about 43 levels, and a large real install (600
/// objects) is 12 MB.
/// Passing one is an [`InputError`] ([`TooLarge`](InputError::TooLarge) or
/// [`Limit`](InputError::Limit)), never a crash or an unbounded run.
///
/// ```
/// use krm_splice::{InputError, Keep, Limits, Text, Tree};
/// let limits = Limits { max_depth: 3, ..Limits::default() };
/// let deep = Text::new("a: {b: {c: {d: 1}}}\n");
/// let err = Tree::parse(deep, &Keep::all(), &limits).unwrap_err();
/// assert!(matches!(err, InputError::Limit { .. }), "{err}");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest input accepted, in bytes (at most 2 GiB whatever is asked: spans are 32-bit).
    pub max_input_bytes: usize,
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most nodes that aliases may stand for, per document, counted as if expanded (beyond
    /// it, a document may still expand to ten times its own nodes: many objects sharing one
    /// anchor are not a bomb).
    pub max_alias_expansion: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 1 << 30,
            max_depth: 200,
            max_alias_expansion: 100_000,
        }
    }
}

/// The hard ceiling on input size: offsets are stored in 32 bits, and an output may be
/// larger than its input.
pub(crate) const HARD_MAX_INPUT: usize = 1 << 31;

/// Why an input cannot be read.
///
/// ```
/// use krm_splice::{InputError, Keep, Limits, Text, Tree};
/// let src = "metadata:\n  name: a\n  \"name\": b\n"; // one key to kyaml, however quoted
/// let err = Tree::parse(Text::new(src), &Keep::new(), &Limits::default()).unwrap_err();
/// assert!(matches!(err, InputError::DuplicateKey { ref key, .. } if key == "name"));
/// assert_eq!(err.location().map(|l| (l.line, l.column)), Some((3, 3)));
/// assert_eq!(
///     err.to_string(),
///     "duplicate key \"name\" at line 3, column 3 (first at line 2, column 3); refused, as kyaml does"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// No document holds anything.
    Empty,
    /// More bytes than [`Limits::max_input_bytes`].
    TooLarge {
        /// The input's size.
        size: usize,
        /// The limit it passed.
        limit: usize,
    },
    /// Not UTF-8.
    NotUtf8 {
        /// The first invalid byte.
        at: Location,
    },
    /// Not YAML.
    Syntax {
        /// Where the parser stopped.
        at: Location,
        /// The parser's message.
        message: String,
    },
    /// A mapping holds the same key twice, as some Kubernetes reader compares keys.
    DuplicateKey {
        /// The key, as written after unquoting.
        key: String,
        /// The second occurrence.
        at: Location,
        /// The first occurrence.
        first: Location,
    },
    /// A [`Limits`] bound was passed.
    Limit {
        /// Where.
        at: Location,
        /// Which bound, in words that name it.
        what: String,
    },
    /// An alias whose anchor is not in the text (only when re-parsing a fragment).
    UnresolvedAlias {
        /// The alias.
        at: Location,
    },
    /// The input is YAML but not a shape this crate reads (a ResourceList with a second
    /// document, `items` that is not a list, ...).
    Shape {
        /// What is wrong.
        message: String,
    },
}

impl InputError {
    /// Where the error is, when it has a place.
    pub fn location(&self) -> Option<Location> {
        match self {
            InputError::NotUtf8 { at }
            | InputError::Syntax { at, .. }
            | InputError::DuplicateKey { at, .. }
            | InputError::Limit { at, .. }
            | InputError::UnresolvedAlias { at } => Some(*at),
            InputError::Empty | InputError::TooLarge { .. } | InputError::Shape { .. } => None,
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Empty => write!(
                f,
                "empty input: expected a ResourceList, a List or YAML documents on stdin"
            ),
            InputError::TooLarge { size, limit } => write!(
                f,
                "input is {size} bytes, more than the limit of {limit} bytes (max_input_bytes)"
            ),
            InputError::NotUtf8 { at } => write!(f, "input is not UTF-8: invalid byte at {at}"),
            InputError::Syntax { at, message } => write!(f, "malformed YAML at {at}: {message}"),
            InputError::DuplicateKey { key, at, first } => write!(
                f,
                "duplicate key {key:?} at {at} (first at {first}); refused, as kyaml does"
            ),
            InputError::Limit { at, what } => write!(f, "input refused at {at}: {what}"),
            InputError::UnresolvedAlias { at } => {
                write!(f, "alias at {at} refers to an anchor outside its text")
            }
            InputError::Shape { message } => f.write_str(message),
        }
    }
}

impl std::error::Error for InputError {}

/// Why an edit cannot be made, or made safely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// The layout around the edit point is one the editor cannot write into exactly.
    Layout {
        /// Where.
        at: Location,
        /// What the editor could not do.
        message: String,
    },
    /// The edited node is shared through an anchor with a place that is not given the same
    /// edit: editing it would change that place too.
    SharedAnchor {
        /// Where the edit would be made.
        at: Location,
        /// The document.
        doc: usize,
        /// The place the edit was asked for (from the document's root, through aliases).
        target: Path,
        /// The place it would also change.
        other: Path,
        /// Which object holds `other`, when it is an object of the input.
        other_object: Option<String>,
    },
    /// The edited node is (inside) an anchored node that a `<<` merge key merges into
    /// another mapping: editing it would change that mapping too.
    MergedElsewhere {
        /// Where the edit would be made.
        at: Location,
        /// The document.
        doc: usize,
        /// The place the edit was asked for.
        target: Path,
        /// The mapping that merges it (from the document's root, through aliases).
        into: Path,
        /// Which object holds `into`, when it is an object of the input.
        other_object: Option<String>,
    },
    /// The node was reached through a `<<` merge key: an edit would change every mapping
    /// that merges it.
    ThroughMerge {
        /// Where the merged node is.
        at: Location,
        /// The place the edit was asked for.
        target: String,
    },
    /// A YAML 1.1 line break (NEL, LS, PS) outside quoted scalars in an edited document:
    /// YAML 1.1 readers (go-yaml, kubectl, PyYAML) and YAML 1.2 readers would read the
    /// edit differently.
    AmbiguousLineBreak {
        /// The character.
        at: Location,
        /// Its name.
        name: &'static str,
    },
    /// Two edits overlap or touch the same place in different ways.
    Conflict {
        /// Where.
        at: Location,
    },
    /// The spliced output did not read back as planned.
    Verify {
        /// What differs, and where.
        message: String,
    },
    /// The caller asked for something the tree cannot hold (a key that is not a string).
    Invalid {
        /// What.
        message: String,
    },
}

impl EditError {
    /// Where the error is, when it has a place.
    pub fn location(&self) -> Option<Location> {
        match self {
            EditError::Layout { at, .. }
            | EditError::SharedAnchor { at, .. }
            | EditError::ThroughMerge { at, .. }
            | EditError::MergedElsewhere { at, .. }
            | EditError::AmbiguousLineBreak { at, .. }
            | EditError::Conflict { at } => Some(*at),
            EditError::Verify { .. } | EditError::Invalid { .. } => None,
        }
    }
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::Layout { at, message } => write!(f, "{message} (at {at})"),
            EditError::SharedAnchor {
                at,
                target,
                other,
                other_object,
                ..
            } => {
                write!(
                    f,
                    "the node edited for {} (at {at}) is shared through an anchor with {}",
                    target.pointer(),
                    other.pointer()
                )?;
                if let Some(o) = other_object {
                    write!(f, " in {o}")?;
                }
                write!(
                    f,
                    ", which is not given the same edit; editing it would change that too"
                )
            }
            EditError::MergedElsewhere {
                at,
                target,
                into,
                other_object,
                ..
            } => {
                write!(
                    f,
                    "the node edited for {} (at {at}) is merged with `<<` into {}",
                    target.pointer(),
                    into.pointer()
                )?;
                if let Some(o) = other_object {
                    write!(f, " in {o}")?;
                }
                write!(f, "; editing it would change that mapping too")
            }
            EditError::ThroughMerge { at, target } => write!(
                f,
                "{target} comes from a `<<` merge key (the merged node is at {at}); editing it \
                 would change every mapping that merges it"
            ),
            EditError::AmbiguousLineBreak { at, name } => write!(
                f,
                "{name} at {at} is a line break to YAML 1.1 readers (go-yaml in kpt, kustomize \
                 and kubectl) and not to YAML 1.2 readers; they would read an edit of this \
                 document differently"
            ),
            EditError::Conflict { at } => write!(f, "two edits conflict at {at}"),
            EditError::Verify { message } => f.write_str(message),
            EditError::Invalid { message } => f.write_str(message),
        }
    }
}

impl std::error::Error for EditError {}
