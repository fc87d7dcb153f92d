//! Typed errors for input that the function refuses, and the limits that bound its work.

use std::fmt;

/// A 1-based line and column (columns count characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Bounds on the work one input may ask for. None is reachable by real Kubernetes manifests:
/// the deepest real CRD nests about 43 levels and a full Kubeflow install is 12 MB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest input accepted, in bytes.
    pub max_input_bytes: usize,
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most nodes that aliases may stand for, per document, counted as if expanded.
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

/// Why an input cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    Empty,
    TooLarge {
        size: usize,
        limit: usize,
    },
    NotUtf8 {
        at: Position,
    },
    Syntax {
        at: Position,
        message: String,
    },
    DuplicateKey {
        key: String,
        at: Position,
        first: Position,
    },
    Limit {
        at: Position,
        what: String,
    },
    UnresolvedAlias {
        at: Position,
    },
    Shape {
        message: String,
    },
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
