//! What the input is: a KRM `ResourceList` (its items, its functionConfig, its results), a
//! `kind: List`, or a plain stream of documents; and the objects it holds.

use crate::error::InputError;
use crate::object::ObjectId;
use crate::path::Path;
use crate::tree::{Cursor, NodeKind, Tree};

/// The shape of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wrapper {
    /// A KRM `ResourceList`: the only document of its input.
    ResourceList,
    /// A single `kind: List` document (what `kubectl get -o yaml` prints).
    List,
    /// A stream of documents, each an object (or a `List` of objects).
    Stream,
}

/// The `ResourceList` versions this crate reads.
pub const RESOURCE_LIST_VERSIONS: [&str; 3] = [
    "config.kubernetes.io/v1",
    "config.kubernetes.io/v1beta1",
    "config.kubernetes.io/v1alpha1",
];

/// A Kubernetes object of the input.
#[derive(Clone, Debug)]
pub struct Object<'t, 'a> {
    /// The object's node, reached from its document's root.
    pub cursor: Cursor<'t, 'a>,
    /// What identifies it.
    pub id: ObjectId,
}

impl Object<'_, '_> {
    /// Its document.
    pub fn doc(&self) -> usize {
        self.cursor.doc()
    }

    /// Its path from the document root (empty for a document that is the object).
    pub fn path(&self) -> Path {
        self.cursor.path()
    }

    /// An annotation's value (`metadata.annotations`, read as readers read it).
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.cursor
            .get("metadata")?
            .get("annotations")?
            .get(key)?
            .node()
            .scalar()
    }

    /// The file kpt read it from, and its index there (`config.kubernetes.io/path` and
    /// `index`, or their `internal.` forms).
    pub fn file(&self) -> Option<(String, u64)> {
        let get = |k: &str| self.annotation(k);
        let path =
            get("config.kubernetes.io/path").or_else(|| get("internal.config.kubernetes.io/path"));
        let index = get("config.kubernetes.io/index")
            .or_else(|| get("internal.config.kubernetes.io/index"))
            .and_then(|i| i.parse().ok())
            .unwrap_or(0);
        path.map(|p| (p.to_owned(), index))
    }
}

/// The input's shape, its objects, and for a `ResourceList` its functionConfig.
///
/// ```
/// use krm_splice::{Envelope, Keep, Limits, Text, Tree, Wrapper};
/// let limits = Limits::default();
/// // JSON is YAML: a ResourceList as kpt sends it with `--output json` reads the same.
/// let json = r#"{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList",
///   "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a",
///     "annotations": {"config.kubernetes.io/path": "cm.yaml"}}}],
///   "functionConfig": {"kind": "ConfigMap", "data": {"team": "web"}}}"#;
/// let tree = Tree::parse(Text::new(json), &Keep::new(), &limits)?;
/// let env = Envelope::read(&tree)?;
/// assert_eq!(env.wrapper, Wrapper::ResourceList);
/// assert_eq!(env.objects[0].id.name, "a");
/// assert_eq!(env.objects[0].path().to_string(), "items[0]");
/// assert_eq!(env.objects[0].file(), Some(("cm.yaml".to_string(), 0)));
/// let data = env.function_config.as_ref().and_then(|c| c.get("data"));
/// assert_eq!(data.and_then(|d| d.str_at("team")), Some("web"));
///
/// // A plain stream: each document an object (a `kind: List` document holds several).
/// let stream = "kind: A\nmetadata: {name: a}\n---\nkind: List\nitems:\n- kind: B\n- kind: C\n";
/// let tree = Tree::parse(Text::new(stream), &Keep::new(), &limits)?;
/// let env = Envelope::read(&tree)?;
/// assert_eq!(env.wrapper, Wrapper::Stream);
/// let kinds: Vec<&str> = env.objects.iter().map(|o| o.id.kind.as_str()).collect();
/// assert_eq!(kinds, ["A", "B", "C"]);
/// assert_eq!((env.objects[2].doc(), env.objects[2].path().to_string()), (1, "items[1]".into()));
/// # Ok::<(), krm_splice::InputError>(())
/// ```
#[derive(Debug)]
pub struct Envelope<'t, 'a> {
    /// What the input is.
    pub wrapper: Wrapper,
    /// The `ResourceList` or `List` root.
    pub root: Option<Cursor<'t, 'a>>,
    /// Every object, in order.
    pub objects: Vec<Object<'t, 'a>>,
    /// The `ResourceList`'s functionConfig, when it has one that is not null.
    pub function_config: Option<Cursor<'t, 'a>>,
}

impl<'t, 'a> Envelope<'t, 'a> {
    /// Read the envelope and the objects of a parsed input.
    pub fn read(tree: &'t Tree<'a>) -> Result<Envelope<'t, 'a>, InputError> {
        let roots: Vec<Cursor> = (0..tree.documents())
            .filter_map(|d| tree.cursor(d))
            .filter(|c| !c.node().is_null())
            .collect();
        if roots.is_empty() {
            return Err(InputError::Empty);
        }
        let is_kind = |c: &Cursor, k: &str| c.str_at("kind") == Some(k);
        if let Some(root) = roots.iter().find(|r| is_kind(r, "ResourceList")) {
            if roots.len() > 1 {
                return Err(InputError::Shape {
                    message: "a ResourceList must be the only document of its input".into(),
                });
            }
            let api = root.str_at("apiVersion").unwrap_or("");
            if !RESOURCE_LIST_VERSIONS.contains(&api) {
                return Err(InputError::Shape {
                    message: format!(
                        "ResourceList apiVersion {api:?} is not supported; accepted: {}",
                        RESOURCE_LIST_VERSIONS.join(", ")
                    ),
                });
            }
            let mut objects = Vec::new();
            items(tree, root, "ResourceList", &mut objects)?;
            return Ok(Envelope {
                wrapper: Wrapper::ResourceList,
                root: Some(root.clone()),
                objects,
                function_config: root.get("functionConfig").filter(|n| !n.node().is_null()),
            });
        }
        let mut objects = Vec::new();
        for root in &roots {
            object(tree, root, &mut objects)?;
        }
        let single_list = roots.len() == 1 && is_kind(&roots[0], "List");
        Ok(Envelope {
            wrapper: if single_list {
                Wrapper::List
            } else {
                Wrapper::Stream
            },
            root: single_list.then(|| roots[0].clone()),
            objects,
            function_config: None,
        })
    }

    /// The object holding the place `path` of document `doc`.
    pub fn object_at(&self, doc: usize, path: &Path) -> Option<&Object<'t, 'a>> {
        self.objects
            .iter()
            .filter(|o| o.doc() == doc)
            .map(|o| (o, o.path()))
            .filter(|(_, p)| path.starts_with(p))
            .max_by_key(|(_, p)| p.segs().len())
            .map(|(o, _)| o)
    }
}

/// The objects of a wrapper's `items`.
fn items<'t, 'a>(
    tree: &'t Tree<'a>,
    root: &Cursor<'t, 'a>,
    what: &str,
    out: &mut Vec<Object<'t, 'a>>,
) -> Result<(), InputError> {
    let Some(items) = root.get("items") else {
        return Ok(());
    };
    match items.node().kind() {
        NodeKind::Seq => {
            for item in items.items() {
                object(tree, &item, out)?;
            }
            Ok(())
        }
        _ if items.node().is_null() => Ok(()),
        _ => Err(InputError::Shape {
            message: format!(
                "{what} items is not a list (at {})",
                tree.text().location(items.node().start())
            ),
        }),
    }
}

fn object<'t, 'a>(
    tree: &'t Tree<'a>,
    node: &Cursor<'t, 'a>,
    out: &mut Vec<Object<'t, 'a>>,
) -> Result<(), InputError> {
    if node.str_at("kind") == Some("List") && node.get("items").is_some() {
        return items(tree, node, "List", out);
    }
    out.push(Object {
        id: ObjectId::of(node),
        cursor: node.clone(),
    });
    Ok(())
}
