//! krm-splice (work in progress)
#![forbid(unsafe_code)]

mod change;
mod edit;
mod envelope;
mod error;
mod keep;
mod krm;
mod layout;
mod object;
mod parse;
mod path;
mod scalar;
mod splice;
mod text;
mod tree;
mod value;
mod verify;

pub use change::{Change, Op};
#[cfg(feature = "fault-injection")]
pub use edit::Fault;
pub use edit::{Edited, Editor, Verified};
pub use envelope::{Envelope, Object, Wrapper, RESOURCE_LIST_VERSIONS};
pub use error::{EditError, InputError, Limits, Location};
pub use keep::Keep;
pub use krm::{Field, File, KrmResult, ResourceList, ResourceRef, Severity};
pub use object::{
    api_group, glob, pod_spec_path, workload_groups, LabelSelector, ObjectId, Selector,
    WORKLOAD_KINDS,
};
pub use path::{Path, Seg};
pub use scalar::{
    plain_class, plain_is_string_everywhere, plain_safe, reads_as_string, PlainClass, Style, Tag,
};
pub use splice::Splice;
pub use text::Text;
pub use tree::{Cursor, Entries, Node, NodeId, NodeKind, Tree};
pub use value::{quoted, Value};

/// The changes file (`{"version": 1, "ops": [...]}`) for a list of changes.
pub fn changes_json(changes: &[Change]) -> String {
    change::to_json(changes)
}
