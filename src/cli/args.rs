//! The command line: flags, help text, and what the flags mean for the run
//! ([`config::Overrides`]). Everything wrong with the arguments themselves is a usage error
//! (exit 2), found here before any input is read.

use std::path::PathBuf;

use clap::builder::BoolValueParser;
use clap::Parser;
use disable_gke_metadata::config::{self, EnvVar, Overrides, Policy};
use krm_splice::{pod_spec_path, LabelSelector, WORKLOAD_KINDS};

const ABOUT: &str = "Set DISABLE_GKE_METADATA on the Kubeflow Pipelines UI (the ml-pipeline-ui \
Deployment), changing no other byte";

const LONG_ABOUT: &str = "\
Set DISABLE_GKE_METADATA on the Kubeflow Pipelines UI (the ml-pipeline-ui Deployment),
changing no other byte.

Without PATH (or with -) it is a filter: a KRM ResourceList (as kpt and kustomize send it),
a `kind: List` or a stream of YAML documents on stdin, the same on stdout with only the
target's env entry changed.

With PATHs it edits files in place: each file named, and every .yaml, .yml and .json file
under each directory (hidden files and directories skipped, symbolic links not followed).
A file that is not Kubernetes YAML (a Helm template, an empty file) is reported and left
alone. Nothing is written until every file is planned and verified; then each file is
replaced atomically (temporary file, fsync, rename), keeping its mode. If any file fails,
none is written (unless --keep-going).";

const AFTER_HELP: &str = "Config keys, exit codes and examples: --help";

const AFTER_LONG_HELP: &str = "\
CONFIG KEYS (--config FILE, or the functionConfig under kpt and kustomize; flags win):
  ConfigMap data     typed spec            flag                 default
  value              value                 --value VALUE        \"true\"
  env.NAME           env: [{name, value}]  --env NAME=VALUE     (none)
  policy             policy                --policy POLICY      override
  kind               targets[].kind        --kind KIND          Deployment
  name               targets[].name        --name NAME          ml-pipeline-ui
  namespace          targets[].namespace   --namespace NS       any
  labelSelector      targets[].labelSel... -l, --selector SEL   none
  containers         targets[].containers  --containers NAMES   ml-pipeline-ui
  images             images                --image PATTERN      the KFP UI images
  mode               mode                  (see --check)        fix
  requireMatch       requireMatch          --require-match BOOL true
  emitPatch          emitPatch             --emit-patch         false
  ConfigMap: apiVersion v1, kind ConfigMap, string values under data. Typed: apiVersion
  disable-gke-metadata.dev/v1alpha1, kind DisableGkeMetadata, fields under spec.
  Policies: override (every entry gets the value, an absent one is added), keep-existing
  (only containers without an entry get one). Names and namespaces take * globs.

EXIT STATUS:
  0  success; with --check: nothing would change
  1  refused (input or config that cannot be handled safely, a failed write; nothing
     written); with --check: something would change
  2  usage error; with --check: any error

EXAMPLES:
  # A filter in a pipe
  kustomize build overlays/prod | disable-gke-metadata > rendered.yaml

  # Helm 3 post-renderer (charts prefix names with the release: match by glob)
  helm install kfp CHART --post-renderer disable-gke-metadata \\
    --post-renderer-args --name --post-renderer-args '*ml-pipeline-ui'

  # A Git repository of manifests, edited in place: only the target lines change
  disable-gke-metadata --value true manifests/
  git diff

  # What would change, as a patch `git apply` accepts; a CI gate
  disable-gke-metadata --diff manifests/ > fix.patch
  disable-gke-metadata --check manifests/       # exit 1 if a file would change

  # kpt: a function run imperatively, or a Kptfile mutator `exec: disable-gke-metadata`
  kpt fn eval pkg/ --exec disable-gke-metadata -- value=true policy=keep-existing
  kpt fn render pkg/ --allow-exec

  # kustomize: a transformer file with a config.kubernetes.io/function annotation
  # (exec: path: disable-gke-metadata), listed under transformers:
  kustomize build --enable-alpha-plugins --enable-exec overlays/prod";

/// The command line.
#[derive(Parser, Debug, Default)]
#[command(
    name = "disable-gke-metadata",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP,
    after_long_help = AFTER_LONG_HELP,
    max_term_width = 100
)]
pub struct Cli {
    /// Files or directories to edit in place. None, or -: stdin to stdout.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Print a unified diff of what would change (git-style a/ b/ headers, for `git apply`);
    /// write nothing. Exit 0 (with --check: 1 if anything would change).
    #[arg(long)]
    pub diff: bool,

    /// Write nothing; exit 0 if nothing would change, 1 if something would, 2 on any error.
    #[arg(long)]
    pub check: bool,

    /// With PATHs: write the files that can be written even when others fail (the exit
    /// code is still 1).
    #[arg(long)]
    pub keep_going: bool,

    /// Print only warnings and errors on stderr.
    #[arg(short, long)]
    pub quiet: bool,

    /// Files planned at once with PATHs (default: the number of CPUs).
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// functionConfig file (a ConfigMap or a DisableGkeMetadata object); it takes the place
    /// of a ResourceList's own functionConfig. The flags below override it.
    #[arg(long, value_name = "FILE", help_heading = "Configuration")]
    pub config: Option<PathBuf>,

    /// The value to write for DISABLE_GKE_METADATA (the KFP UI reads true, any case, and 1
    /// as true; anything else as false).
    #[arg(long, value_name = "VALUE", help_heading = "Configuration")]
    pub value: Option<String>,

    /// Another variable to set on the same containers (repeatable).
    #[arg(
        long = "env",
        value_name = "NAME=VALUE",
        help_heading = "Configuration"
    )]
    pub env: Vec<String>,

    /// What to do where a variable is already set.
    #[arg(
        long,
        value_name = "POLICY",
        value_parser = ["override", "keep-existing"],
        help_heading = "Configuration"
    )]
    pub policy: Option<String>,

    /// Kind of object to edit (Deployment, StatefulSet, DaemonSet, ReplicaSet,
    /// ReplicationController, Job, CronJob, Pod).
    #[arg(long, value_name = "KIND", help_heading = "Configuration")]
    pub kind: Option<String>,

    /// Object name, exact or a glob with * (* alone: any).
    #[arg(long, value_name = "NAME", help_heading = "Configuration")]
    pub name: Option<String>,

    /// Namespace, exact or a glob with * (* alone: any).
    #[arg(long, value_name = "NS", help_heading = "Configuration")]
    pub namespace: Option<String>,

    /// Kubernetes label selector (app=ml-pipeline-ui,tier in (web)).
    #[arg(
        short = 'l',
        long = "selector",
        value_name = "SEL",
        help_heading = "Configuration"
    )]
    pub selector: Option<String>,

    /// Comma-separated container names (* for all).
    #[arg(long, value_name = "NAMES", help_heading = "Configuration")]
    pub containers: Option<String>,

    /// An image pattern (glob) that makes a workload's container a target (repeatable).
    #[arg(long = "image", value_name = "PATTERN", help_heading = "Configuration")]
    pub images: Vec<String>,

    /// Whether a run that finds no target at all is an error (true) or a warning.
    #[arg(
        long,
        value_name = "BOOL",
        value_parser = BoolValueParser::new(),
        help_heading = "Configuration"
    )]
    pub require_match: Option<bool>,

    /// Print a kustomize patch that makes the edits instead of the edited input (stdin only).
    #[arg(long, conflicts_with_all = ["diff", "check"], help_heading = "Configuration")]
    pub emit_patch: bool,

    /// Write what the run changed to FILE, as JSON Patch operations per YAML document
    /// (stdin only).
    #[arg(long, value_name = "FILE")]
    pub changes: Option<PathBuf>,
}

impl Cli {
    /// Whether the run reads stdin (no PATH, or `-` alone).
    pub fn stdin_mode(&self) -> bool {
        self.paths.is_empty() || (self.paths.len() == 1 && self.paths[0].as_os_str() == "-")
    }

    /// Combinations the parser cannot express.
    pub fn check_combinations(&self) -> Result<(), String> {
        if self.stdin_mode() {
            if self.keep_going {
                return Err("--keep-going applies to PATHs, not to stdin".into());
            }
            return Ok(());
        }
        if self.paths.iter().any(|p| p.as_os_str() == "-") {
            return Err("- (stdin) cannot be combined with other PATHs".into());
        }
        if self.emit_patch {
            return Err(
                "--emit-patch prints a patch on stdout: use it on stdin, not with PATHs".into(),
            );
        }
        if self.changes.is_some() {
            return Err("--changes works on stdin, not with PATHs".into());
        }
        Ok(())
    }

    /// The settings the flags give, checked.
    pub fn overrides(&self) -> Result<Overrides, String> {
        let mut o = Overrides::default();
        if let Some(v) = &self.value {
            o.env.push(EnvVar {
                name: config::ENV_NAME.into(),
                value: v.clone(),
            });
        }
        for e in &self.env {
            let (name, value) = e
                .split_once('=')
                .ok_or_else(|| format!("--env {e:?}: expected NAME=VALUE"))?;
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic() && b != b'=') {
                return Err(format!(
                    "--env {e:?}: {name:?} is not an environment variable name"
                ));
            }
            if o.env.iter().any(|v| v.name == name) {
                return Err(if name == config::ENV_NAME && self.value.is_some() {
                    format!("--env {e:?} and --value both set {name}")
                } else {
                    format!("--env sets {name} twice")
                });
            }
            o.env.push(EnvVar {
                name: name.into(),
                value: value.into(),
            });
        }
        o.policy = match self.policy.as_deref() {
            None => None,
            Some("override") => Some(Policy::Override),
            Some("keep-existing") => Some(Policy::KeepExisting),
            Some(p) => return Err(format!("--policy {p:?}: accepted: override, keep-existing")),
        };
        if let Some(k) = &self.kind {
            if pod_spec_path(k).is_none() {
                return Err(format!(
                    "--kind {k:?} has no pod template; accepted: {}",
                    WORKLOAD_KINDS.join(", ")
                ));
            }
            o.kind = Some(k.clone());
        }
        o.name = self.name.clone();
        o.namespace = self.namespace.clone();
        if let Some(s) = &self.selector {
            o.label_selector =
                Some(LabelSelector::parse(s).map_err(|e| format!("--selector: {e}"))?);
        }
        if let Some(c) = &self.containers {
            let names: Vec<String> = c
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            if names.is_empty() {
                return Err("--containers must name at least one container".into());
            }
            o.containers = Some(names);
        }
        o.images = self.images.clone();
        o.require_match = self.require_match;
        if self.emit_patch {
            o.emit_patch = Some(true);
        }
        Ok(o)
    }

    /// Warnings about flag values that are accepted but likely not meant. (A config file's
    /// value gets the same warning from the run itself.)
    pub fn warnings(&self) -> Vec<String> {
        match &self.value {
            Some(v)
                if !(config::reads_as_true(v) || v.eq_ignore_ascii_case("false") || v == "0") =>
            {
                vec![format!(
                    "--value {v:?} is read as false by the KFP UI server (it is true only for \
                     \"true\" in any case or \"1\"), so the GKE metadata calls stay on"
                )]
            }
            _ => Vec::new(),
        }
    }
}

/// The hint printed instead of waiting for a terminal to type YAML.
pub const TTY_HINT: &str = "\
stdin is a terminal: give Kubernetes YAML on stdin, or PATHs to edit in place
Usage: disable-gke-metadata [OPTIONS] [PATH]...
  kustomize build overlay/ | disable-gke-metadata > out.yaml
  disable-gke-metadata --value true manifests/      # edit files in place
  disable-gke-metadata --diff manifests/            # show what would change
  disable-gke-metadata - < file.yaml                # stdin on purpose
More: disable-gke-metadata --help";

/// Whether to print [`TTY_HINT`] and stop instead of reading stdin: no PATH was given (a
/// `-` says stdin on purpose) and stdin is a terminal.
pub fn wants_tty_hint(paths: &[PathBuf], stdin_is_terminal: bool) -> bool {
    paths.is_empty() && stdin_is_terminal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("disable-gke-metadata").chain(args.iter().copied()))
    }

    fn overrides(args: &[&str]) -> Result<Overrides, String> {
        cli(args).expect("the arguments parse").overrides()
    }

    #[test]
    fn flags_map_to_overrides() {
        let o = overrides(&[
            "--value",
            "false",
            "--env",
            "APP_SECURE_COOKIES=false",
            "--env",
            "EMPTY=",
            "--policy",
            "keep-existing",
            "--kind",
            "StatefulSet",
            "--name",
            "*ui",
            "--namespace",
            "kubeflow",
            "-l",
            "app=ui,tier in (web)",
            "--containers",
            " a, b ,",
            "--image",
            "*/my-ui",
            "--image",
            "x/*",
            "--require-match",
            "false",
        ])
        .unwrap();
        let env: Vec<(&str, &str)> = o
            .env
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(
            env,
            [
                ("DISABLE_GKE_METADATA", "false"),
                ("APP_SECURE_COOKIES", "false"),
                ("EMPTY", "")
            ]
        );
        assert_eq!(o.policy, Some(Policy::KeepExisting));
        assert_eq!(o.kind.as_deref(), Some("StatefulSet"));
        assert_eq!(o.name.as_deref(), Some("*ui"));
        assert_eq!(o.namespace.as_deref(), Some("kubeflow"));
        assert_eq!(
            o.label_selector.map(|l| l.source).as_deref(),
            Some("app=ui,tier in (web)")
        );
        assert_eq!(o.containers, Some(vec!["a".into(), "b".into()]));
        assert_eq!(o.images, ["*/my-ui", "x/*"]);
        assert_eq!(o.require_match, Some(false));
        assert_eq!(o.emit_patch, None);
        assert!(overrides(&[]).unwrap().is_empty());
        assert_eq!(overrides(&["--emit-patch"]).unwrap().emit_patch, Some(true));
    }

    #[test]
    fn overrides_replace_the_config() {
        let mut c = config::Config::default();
        overrides(&["--value", "1", "--name", "*", "--containers", "*"])
            .unwrap()
            .apply(&mut c);
        assert_eq!(c.value(), Some("1"));
        assert_eq!(c.targets[0].selector.name, None);
        assert_eq!(c.targets[0].containers, ["*"]);
    }

    #[test]
    fn bad_flag_values_are_usage_errors() {
        for args in [
            &["--env", "NOEQUALS"][..],
            &["--env", "=x"],
            &["--env", "A B=x"],
            &["--env", "A=1", "--env", "A=2"],
            &["--value", "1", "--env", "DISABLE_GKE_METADATA=1"],
            &["--kind", "Service"],
            &["-l", "a in b"],
            &["--containers", " , "],
        ] {
            assert!(overrides(args).is_err(), "{args:?}");
        }
        for args in [
            &["--policy", "sometimes"][..],
            &["--require-match", "yes"],
            &["--jobs", "0"],
            &["--emit-patch", "--diff"],
            &["--bogus"],
        ] {
            let e = cli(args).expect_err("refused by the parser");
            assert!(e.use_stderr(), "{args:?}");
        }
    }

    #[test]
    fn combinations() {
        let ok = |a: &[&str]| cli(a).unwrap().check_combinations();
        assert!(ok(&[]).is_ok());
        assert!(ok(&["-"]).is_ok());
        assert!(ok(&["a.yaml", "dir"]).is_ok());
        assert!(ok(&["--keep-going"]).is_err());
        assert!(ok(&["-", "a.yaml"]).is_err());
        assert!(ok(&["--emit-patch", "a.yaml"]).is_err());
        assert!(ok(&["--changes", "c.json", "a.yaml"]).is_err());
        assert!(cli(&["-"]).unwrap().stdin_mode());
        assert!(!cli(&["x"]).unwrap().stdin_mode());
    }

    #[test]
    fn tty_hint_only_without_paths_on_a_terminal() {
        assert!(wants_tty_hint(&[], true));
        assert!(!wants_tty_hint(&[], false));
        assert!(!wants_tty_hint(&[PathBuf::from("-")], true));
        assert!(!wants_tty_hint(&[PathBuf::from("dir")], true));
    }

    #[test]
    fn value_warning() {
        assert!(cli(&["--value", "yes"]).unwrap().warnings().len() == 1);
        for v in ["true", "TRUE", "1", "false", "0"] {
            assert!(cli(&["--value", v]).unwrap().warnings().is_empty(), "{v}");
        }
    }
}
