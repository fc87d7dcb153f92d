//! Which way each edited object is verified: alone (its own text re-parsed) when it can stand
//! alone, within the whole stream when it refers to an anchor outside itself.

mod common;

use disable_gke_metadata::Options;

const ITEM: &str = "- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: ml-pipeline-ui
    labels: LABELS
  spec:
    template:
      spec:
        containers:
        - name: ml-pipeline-ui
          image: x
";

fn list(labels: &str, extra: &str) -> String {
    format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{extra}{}",
        ITEM.replace("LABELS", labels)
    )
}

#[test]
fn a_self_contained_item_is_verified_alone() {
    let (o, _) = common::run_checked(list("{app: ui}", "").as_bytes(), &Options::default());
    assert_eq!(o.exit_code, 0);
    assert_eq!((o.verified.items, o.verified.whole), (1, 0));
}

#[test]
fn an_item_with_an_alias_to_another_item_is_verified_in_the_stream() {
    let other =
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c\n    labels: &l {app: ui}\n";
    let (o, out) = common::run_checked(list("*l", other).as_bytes(), &Options::default());
    assert_eq!(o.exit_code, 0);
    assert_eq!((o.verified.items, o.verified.whole), (0, 1));
    assert!(String::from_utf8(out).unwrap().contains("labels: *l\n"));
}
