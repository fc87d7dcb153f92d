//! Which way each edit is verified: in a small window around it when that can be read alone;
//! in its object when the window cannot; in the whole text when neither stands alone (an
//! alias to an anchor outside them).

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
          image: IMAGE
";

fn list(labels: &str, image: &str, extra: &str) -> String {
    format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{extra}{}",
        ITEM.replace("LABELS", labels).replace("IMAGE", image)
    )
}

const OTHER: &str = "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c\n    labels: &l {app: ui}\n  data:\n    image: &i x\n";

#[test]
fn an_edit_is_verified_in_a_window_around_it() {
    let (o, _) = common::run_checked(list("{app: ui}", "x", "").as_bytes(), &Options::default());
    assert_eq!(o.exit_code, 0);
    assert_eq!((o.verified.local, o.verified.whole), (1, 0));
}

#[test]
fn an_alias_elsewhere_in_the_object_does_not_matter_to_the_window() {
    let (o, out) = common::run_checked(list("*l", "x", OTHER).as_bytes(), &Options::default());
    assert_eq!(o.exit_code, 0);
    assert_eq!((o.verified.local, o.verified.whole), (1, 0));
    assert!(String::from_utf8(out).unwrap().contains("labels: *l\n"));
}

#[test]
fn an_alias_in_the_window_to_another_item_is_verified_in_the_whole_text() {
    let (o, out) = common::run_checked(list("*l", "*i", OTHER).as_bytes(), &Options::default());
    assert_eq!(o.exit_code, 0);
    assert_eq!(
        (o.verified.local, o.verified.items, o.verified.whole),
        (0, 0, 1)
    );
    assert!(String::from_utf8(out).unwrap().contains("image: *i\n"));
}
