//! Exact, verified edits of Kubernetes YAML and KRM `ResourceList`s.
//!
//! `krm-splice` edits YAML the way a careful person with a text editor would: it changes the
//! bytes an edit needs and leaves every other byte as it came — comments, quoting, key
//! order, indentation, blank lines, line breaks, a missing final newline. The output is never
//! re-serialized: it is the input plus a few [`Splice`]s (replace bytes `start..end` by new
//! text), and before anything is written, the changed regions are parsed again and compared
//! with what the edits promised.
//!
//! It is the engine of KRM functions (programs that read a `ResourceList` on stdin and write
//! it back on stdout, as kpt and kustomize run them), but it knows nothing of any one
//! function: which objects to change, and how, is the caller's business. The crate reads no
//! file, holds no global state, and has no `unsafe`.
//!
//! # Data flow
//!
//! ```text
//! input bytes
//!   │  Text::decode(bytes, &Limits)              size, UTF-8
//!   ▼
//! Text
//!   │  Tree::parse(text, &Keep, &Limits)         every byte checked; nodes for what Keep names
//!   ▼
//! Tree ── Envelope::read ──▶ Envelope { wrapper, root, objects, function_config }
//!   │
//!   │  Cursors: tree.cursor(doc), object.cursor, .get(key), .items(), .entries()
//!   ▼
//! Editor::new(&tree, limits)                     insert, append, replace, set_str,
//!   │                                            replace_entry, remove, add_results
//!   │  Editor::finish()                          anchors, sort, check, re-read, compare
//!   ▼
//! Edited { splices, changes, verified }
//!   │  Edited::write(input, out)                 the input's bytes between the splices
//!   ▼
//! output bytes          changes_json(&edited.changes): the --changes file
//! ```
//!
//! 1. **Decode.** [`Text::decode`] checks the input's size against [`Limits`] and that it is
//!    UTF-8, and answers questions about its layout (lines, columns, line breaks).
//! 2. **Parse, keeping what the caller reads.** [`Tree::parse`] reads every byte (syntax,
//!    duplicate keys as kyaml refuses them, nesting depth, alias expansion) but builds nodes
//!    only for what a [`Keep`] names: the envelope, each object's identity (`apiVersion`,
//!    `kind`, `metadata.name`, `namespace`, `labels`, `annotations`) and the paths the caller
//!    adds (`spec.template.spec.containers`); everything else is a span. Cursors walk only
//!    kept nodes: to read or edit inside a subtree, keep it.
//! 3. **Envelope and objects.** [`Envelope::read`] says what the input is ([`Wrapper`]: a
//!    `ResourceList` in YAML or JSON, `config.kubernetes.io/v1`, `v1beta1` or `v1alpha1`; a
//!    `kind: List`; a plain stream of documents), and lists every [`Object`] with its
//!    [`ObjectId`], and the `functionConfig`. [`Selector`], [`LabelSelector`] and [`glob`]
//!    pick objects; [`WORKLOAD_KINDS`] and [`pod_spec_path`] find pods.
//! 4. **Read through cursors.** A [`Cursor`] is a place as Kubernetes' readers see it:
//!    aliases resolved, `<<` merge keys applied, with its [`path`](Cursor::path) in that
//!    expanded reading. A [`Node`] is the text as written.
//! 5. **Ask for edits.** An [`Editor`] takes operations on cursors — [`insert`](Editor::insert)
//!    a mapping entry, [`append`](Editor::append) a sequence item,
//!    [`replace`](Editor::replace) a value ([`set_str`](Editor::set_str) for a string),
//!    [`replace_entry`](Editor::replace_entry), [`remove`](Editor::remove) an entry — each
//!    given a [`Value`]. Each operation renders its splices at once, matching its
//!    surroundings, and records the change it makes. [`add_results`](Editor::add_results)
//!    appends [`KrmResult`]s to a `ResourceList`'s `results` the same way.
//! 6. **Finish.** [`Editor::finish`] checks every edit, applies the splices and verifies the
//!    output (below). It returns [`Edited`]: the splices, the [`Change`]s, and how they were
//!    [`Verified`]; or an [`EditError`], and then nothing may be written.
//! 7. **Write.** [`Edited::write`] writes the input's own bytes between the splices through
//!    [`Splice::write_all`], the one place splices are applied (a caller that keeps only the
//!    splices calls it directly). [`changes_json`] renders the changes for a `--changes` file.
//!
//! # What "exact" means
//!
//! - Every byte outside the splices is the input's, and the splices are sorted, on character
//!   boundaries, and do not overlap.
//! - New text takes the form of its place: block or flow like the collection it goes into
//!   (a flow item is written JSON-shaped, `{"name": "A", "value": "1"}`); the indentation
//!   and sequence dash offset of its siblings; the line break of the line it is written on
//!   (`\r\n` stays `\r\n`); a comment after a replaced value stays.
//! - New values read the same to every Kubernetes reader, YAML 1.1 (go-yaml v2: kubectl) and
//!   YAML 1.2 (go-yaml v3: kyaml, kpt, kustomize): a [`Value::Word`] is plain only when every
//!   reader takes it as that string (`platform`), double-quoted otherwise (`"true"`,
//!   `"0644"`, `"a: b"`); a [`Value::Str`] is always double-quoted.
//! - An edit never reaches a place it was not asked for. A node that appears at several
//!   places (an anchor and its aliases) is edited only when every place asks for the same
//!   edit, or no longer shows the node because the alias that leads there is itself
//!   replaced ([`EditError::SharedAnchor`] otherwise); a node reached through a `<<` merge key is
//!   never edited ([`EditError::ThroughMerge`]), nor is one that a merge key merges into
//!   another mapping ([`EditError::MergedElsewhere`]); a document with YAML 1.1 line breaks (NEL,
//!   LS, PS) outside quotes, which the two YAML versions read differently, is not edited
//!   ([`EditError::AmbiguousLineBreak`]). What the editor cannot write exactly (a block
//!   collection in place of a scalar, the only entry of a block mapping removed) is an
//!   [`EditError::Layout`], never an approximation.
//!
//! # How verification works
//!
//! [`Editor::finish`] re-reads the output; it does not trust the rendering. The changed
//! regions of the output are parsed beside the same regions of the input, event by event,
//! and the two streams must be the same except where the recorded changes say, where the
//! output must read as the change's value: a string as a scalar with that text, double-quoted
//! (or plain, for a [`Value::Word`], which the renderer writes plain only where
//! [`plain_safe`] says every reader types it as a string), an integer as a plain number, a
//! collection with exactly the entries or items asked, no new anchor or tag. A region is
//! the smallest window that can be read alone and still shows the change in its context —
//! a flow collection, the last item of a list appended to, the last entry of a mapping
//! inserted into, the entry whose value is replaced — or else the changed object, the end of
//! the document, or the whole text ([`Verified`] counts each kind). Every splice lies in some
//! region. The checker knows only the changes (append, insert, replace, replace an entry,
//! remove), never what they are for, so a new kind of edit needs no new check. Any
//! difference is an [`EditError::Verify`].
//!
//! # The changes record
//!
//! [`Edited::changes`] has one [`Change`] per place changed: a JSON Patch (RFC 6902)
//! operation on one document of the stream, at a path of the expanded reading (an edit made
//! once through an anchor is recorded at every place it shows). [`changes_json`] writes them
//! as `{"version": 1, "ops": [{"doc": 0, "op": "add", "path": "/items/0/...", "value": ...}]}`:
//! enough for an independent reader to apply them to the input and compare with the output,
//! as this repository's go-yaml judge does.
//!
//! # Errors
//!
//! - [`InputError`]: the input cannot be read ([`Text::decode`], [`Tree::parse`],
//!   [`Envelope::read`]): too large, not UTF-8, not YAML, a duplicate key, a [`Limits`]
//!   bound, a shape this crate does not read.
//! - [`EditError`]: an edit cannot be made exactly or safely (from an operation, or from
//!   [`Editor::finish`]).
//!
//! Both carry a [`Location`] (byte offset, 1-based line and column) when they have a place,
//! and their `Display` is a message for the person who wrote the YAML. No input makes the
//! crate panic (the repository fuzzes it): every problem comes back as one of these.
//!
//! # Example
//!
//! Add an annotation and an environment variable to a Deployment of a `ResourceList`, report
//! it in `results`, and write the output:
//!
//! ```
//! use krm_splice::{
//!     changes_json, pod_spec_path, Editor, Envelope, Keep, KrmResult, Limits, Severity, Text,
//!     Tree, Value,
//! };
//!
//! let input = br#"apiVersion: config.kubernetes.io/v1
//! kind: ResourceList
//! items:
//! - apiVersion: apps/v1
//!   kind: Deployment
//!   metadata:
//!     name: web   # the storefront
//!   spec:
//!     template:
//!       spec:
//!         containers:
//!         - name: web
//!           image: nginx:1.27
//!           env:
//!           - name: MODE
//!             value: 'prod'
//! "#;
//! let limits = Limits::default();
//! let text = Text::decode(input, &limits)?;
//! // Keep the containers too: by default only the envelope and the objects' identity are.
//! let tree = Tree::parse(text, &Keep::new().path("spec.template.spec.containers"), &limits)?;
//! let env = Envelope::read(&tree)?;
//! let web = &env.objects[0];
//! assert_eq!(web.id.describe(), "Deployment web");
//!
//! let mut ed = Editor::new(&tree, limits).with_envelope(&env);
//! // metadata has no annotations: insert the entry, with a mapping as its value.
//! let meta = web.cursor.get("metadata").ok_or("no metadata")?;
//! ed.insert(&meta, "annotations", Value::map([("team", Value::word("platform"))]))?;
//! // Append to the env list of the first container.
//! let pod = pod_spec_path(&web.id.kind).ok_or("not a workload")?;
//! let pod = pod.iter().try_fold(web.cursor.clone(), |c, k| c.get(k)).ok_or("no pod spec")?;
//! let container = pod.get("containers").ok_or("no containers")?.item(0).ok_or("no container")?;
//! let list = container.get("env").ok_or("no env")?;
//! let var = Value::map([("name", Value::word("LOG_LEVEL")), ("value", Value::str("debug"))]);
//! ed.append(&list, var)?;
//! // Report it.
//! let root = env.root.as_ref().ok_or("not a ResourceList")?;
//! ed.add_results(root, &[KrmResult::new(Severity::Info, "annotated web")])?;
//!
//! let edited = ed.finish()?; // re-reads the output: nothing is written before this passed
//! let mut out = Vec::new();
//! edited.write(input, &mut out)?;
//! assert_eq!(
//!     String::from_utf8(out)?,
//!     r#"apiVersion: config.kubernetes.io/v1
//! kind: ResourceList
//! items:
//! - apiVersion: apps/v1
//!   kind: Deployment
//!   metadata:
//!     name: web   # the storefront
//!     annotations:
//!       team: platform
//!   spec:
//!     template:
//!       spec:
//!         containers:
//!         - name: web
//!           image: nginx:1.27
//!           env:
//!           - name: MODE
//!             value: 'prod'
//!           - name: LOG_LEVEL
//!             value: "debug"
//! results:
//! - message: "annotated web"
//!   severity: info
//! "#
//! );
//! // What changed, as JSON Patch operations on document 0.
//! let ops: Vec<String> = edited.changes.iter().map(|c| c.pointer()).collect();
//! assert_eq!(
//!     ops,
//!     [
//!         "/items/0/metadata/annotations",
//!         "/items/0/spec/template/spec/containers/0/env/-",
//!         "/results",
//!     ]
//! );
//! assert!(changes_json(&edited.changes).contains(r#""op": "add""#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `examples/set-annotations/` in this repository is a whole KRM function built this way,
//! on this crate's public API alone.
//!
//! # The API at a glance
//!
//! | for | items |
//! | --- | --- |
//! | reading | [`Text`], [`Limits`], [`Keep`], [`Tree`], [`Node`], [`NodeId`], [`NodeKind`], [`Entries`], [`Cursor`], [`Path`], [`Seg`] |
//! | scalars as readers type them | [`Style`], [`Tag`], [`PlainClass`], [`plain_class`], [`plain_is_string_everywhere`], [`plain_safe`], [`reads_as_string`], [`quoted`] |
//! | the input's shape and objects | [`Envelope`], [`Wrapper`], [`RESOURCE_LIST_VERSIONS`], [`Object`], [`ObjectId`], [`Selector`], [`LabelSelector`], [`glob`], [`WORKLOAD_KINDS`], [`pod_spec_path`], [`workload_groups`], [`api_group`] |
//! | editing | [`Editor`], [`Value`], [`Edited`], [`Verified`], [`Splice`] |
//! | the changes record | [`Change`], [`Op`], [`changes_json`] |
//! | KRM wire types | [`KrmResult`], [`Severity`], [`ResourceRef`], [`Field`], [`File`], [`ResourceList`] |
//! | errors | [`InputError`], [`EditError`], [`Location`] |
//!
//! # Features
//!
//! `fault-injection` (tests only) adds `Editor::inject` and `Fault`: faults that
//! verification must refuse, so that tests can prove it does.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

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
pub use value::{quoted, Key, Value};

/// The changes file (`{"version": 1, "ops": [...]}`) for a list of changes: each
/// [`Change`] as `{"doc", "op", "path", "value"}`, in order, pretty-printed. What a function's
/// `--changes FILE` writes.
pub fn changes_json(changes: &[Change]) -> String {
    change::to_json(changes)
}

// The README's example runs as a doctest too.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
