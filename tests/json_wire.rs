//! A JSON ResourceList comes back as JSON that reads as a ResourceList whose results are
//! exactly the ones the run reports.

mod common;

use disable_gke_metadata::Options;
use krm_splice::ResourceList;

#[test]
fn json_list_round_trips_through_serde() {
    let input = std::fs::read("testdata/cases/json-resourcelist/input.yaml").unwrap();
    let (o, out) = common::run_checked(&input, &Options::default());
    assert_eq!(o.exit_code, 0);
    // Each edit was checked on a small part of the text, not by re-parsing the whole list.
    assert_eq!(o.verified.whole, 0);
    assert!(o.verified.local + o.verified.items >= 2, "{:?}", o.verified);
    let before: ResourceList = serde_json::from_slice(&input).unwrap();
    let after: ResourceList = serde_json::from_slice(&out).expect("output is JSON");
    assert_eq!(after.items.len(), before.items.len());
    assert_eq!(after.results, o.results);
    // Per target: how it was found with its version verdict, then the change.
    assert_eq!(after.results.len(), 4);
    let env = &after.items[1]["spec"]["template"]["spec"]["containers"][0]["env"];
    assert_eq!(env[0]["name"], "DISABLE_GKE_METADATA");
    assert_eq!(env[0]["value"], "true");
    // Everything but the edited items and the results is unchanged.
    assert_eq!(after.items[0]["metadata"], before.items[0]["metadata"]);
}

#[test]
fn function_config_example_is_valid() {
    let input = std::fs::read("examples/ml-pipeline-ui-2.3.0.yaml").unwrap();
    let options = Options {
        config: Some(std::fs::read("function-config.yaml").unwrap()),
        ..Options::default()
    };
    let (o, out) = common::run_checked(&input, &options);
    assert_eq!(o.exit_code, 0, "{}", o.stderr);
    assert!(String::from_utf8(out).unwrap().contains("          - name: DISABLE_GKE_METADATA\n            value: \"true\"\n        readinessProbe:"));
}
