//! Find the objects in a parsed stream: the items of a `ResourceList` or a `List`, or each
//! document of a plain stream.

use crate::error::InputError;
use crate::spanned::{Kind, Node, Stream};
use crate::text::Text;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wrapper {
    ResourceList,
    List,
    Stream,
}

/// One step of a path from a document root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A Kubernetes object in the input.
#[derive(Debug)]
pub struct Obj<'n, 'a> {
    pub node: &'n Node<'a>,
    pub doc: usize,
    /// From the document root to the object.
    pub path: Vec<Seg>,
}

#[derive(Debug)]
pub struct Resources<'n, 'a> {
    pub wrapper: Wrapper,
    /// The wrapper's root mapping (`ResourceList` or `List`).
    pub root: Option<&'n Node<'a>>,
    pub objects: Vec<Obj<'n, 'a>>,
    pub function_config: Option<&'n Node<'a>>,
}

pub const RESOURCE_LIST_VERSIONS: [&str; 3] = [
    "config.kubernetes.io/v1",
    "config.kubernetes.io/v1beta1",
    "config.kubernetes.io/v1alpha1",
];

pub fn collect<'n, 'a>(
    stream: &'n Stream<'a>,
    text: &Text,
) -> Result<Resources<'n, 'a>, InputError> {
    let roots: Vec<(usize, &Node)> = stream
        .documents
        .iter()
        .enumerate()
        .filter_map(|(i, d)| d.root.as_ref().filter(|r| !r.is_null()).map(|r| (i, r)))
        .collect();
    if roots.is_empty() {
        return Err(InputError::Empty);
    }
    let is_kind = |n: &Node, k: &str| n.str_at("kind") == Some(k);
    if let Some(&(doc, root)) = roots.iter().find(|(_, r)| is_kind(r, "ResourceList")) {
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
        items(root, doc, vec![], "ResourceList", text, &mut objects)?;
        return Ok(Resources {
            wrapper: Wrapper::ResourceList,
            root: Some(root),
            objects,
            function_config: root.get("functionConfig").filter(|n| !n.is_null()),
        });
    }
    let mut objects = Vec::new();
    for &(doc, root) in &roots {
        object(root, doc, vec![], text, &mut objects)?;
    }
    let single_list = roots.len() == 1 && is_kind(roots[0].1, "List");
    Ok(Resources {
        wrapper: if single_list {
            Wrapper::List
        } else {
            Wrapper::Stream
        },
        root: single_list.then_some(roots[0].1),
        objects,
        function_config: None,
    })
}

/// The objects of a wrapper's `items`.
fn items<'n, 'a>(
    root: &'n Node<'a>,
    doc: usize,
    path: Vec<Seg>,
    what: &str,
    text: &Text,
    out: &mut Vec<Obj<'n, 'a>>,
) -> Result<(), InputError> {
    let Some(items) = root.get("items") else {
        return Ok(());
    };
    match &items.kind {
        Kind::Seq { items, .. } => {
            for (i, item) in items.iter().enumerate() {
                let mut p = path.clone();
                p.push(Seg::Key("items".into()));
                p.push(Seg::Index(i));
                object(item, doc, p, text, out)?;
            }
            Ok(())
        }
        _ if items.is_null() => Ok(()),
        _ => Err(InputError::Shape {
            message: format!(
                "{what} items is not a list (at {})",
                text.position(items.start)
            ),
        }),
    }
}

fn object<'n, 'a>(
    node: &'n Node<'a>,
    doc: usize,
    path: Vec<Seg>,
    text: &Text,
    out: &mut Vec<Obj<'n, 'a>>,
) -> Result<(), InputError> {
    if node.str_at("kind") == Some("List") && node.get("items").is_some() {
        return items(node, doc, path, "List", text, out);
    }
    out.push(Obj { node, doc, path });
    Ok(())
}
