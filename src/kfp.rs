//! What the function knows about Kubeflow Pipelines: which images are its UI server, and
//! what `DISABLE_GKE_METADATA` means for each version of it.
//!
//! # The version table
//!
//! [`ERAS`] is the one place the version facts live. Each row holds from its first version to
//! the next row's. Checked against kubeflow/pipelines at every release tag from 0.2.4 to
//! [`CHECKED_THROUGH`] (`frontend/server/configs.ts`, `frontend/server/handlers/gke-metadata.ts`,
//! `frontend/server/app.ts`, `frontend/server/package.json`, `frontend/Dockerfile`):
//!
//! | KFP | UI server | variable's default | off GKE, when it reads as false |
//! |---|---|---|---|
//! | < 0.2.5 | Node 12 | not read | the failed call is logged |
//! | 0.2.5 – 2.2.x | Node 12, then 14 (1.8.0); Express 4 | `'false'` | the failed call is logged (#3070, #10877) |
//! | 2.3.0 | Node 18, Express 4 | `'false'` | **crash** (#11247, #11565, #11653) |
//! | 2.4.0 – 2.14.x | Node 22, Express 4 | `'true'` (#11403) | **crash** (same code as 2.3.0) |
//! | 2.15.0 – | Node 22, Express 5 (#12045) | `'true'` | HTTP 500, no crash — *inferred* |
//!
//! Sources, and what could not be confirmed:
//! - The variable: `configs.ts` reads it since 0.2.5 (PR #3118); `asBool` takes `true` (any
//!   case) or `1` as true. Default `'false'` through 2.3.0, `'true'` from 2.4.0 (commit
//!   23f718d, PR #11403; 2.4.0 is the first tag holding it).
//! - The failure: `gke-metadata.ts` awaits `fetch('http://metadata/computeMetadata/v1/...')`
//!   in an `async` handler with no catch (the file is the same from 1.8.5 to 2.15.0; 2.16.0
//!   uses Node's own `fetch`). Express 4 ignores the promise a handler returns, so the
//!   rejection is unhandled: Node 14 and older only log it (the default before Node 15), Node
//!   15 and later end the process. `frontend/Dockerfile`: Node 12.14.1 up to 1.7.x, 14 from
//!   1.8.0, 18.18.2 in 2.3.0 (PR #10794), 22 from 2.4.0.
//! - Crash reports: 2.3.0 only (#11247, #11565 on EKS, #11653: `getaddrinfo ENOTFOUND
//!   metadata` / `EAI_AGAIN` from node-fetch, then `Node.js v18.18.2`). #11472 (2.3.0,
//!   "failed to retrieve list of pipelines") is cited by the project's notes, but what was
//!   read of it shows no such trace: left out. An older UI logs the same rejection as an
//!   `UnhandledPromiseRejectionWarning` and goes on (#10877). 2.4.0–2.14.x run the same
//!   handler on Node 22 with Express 4: a crash when the variable reads as false follows
//!   from the code; **no report found** for those versions.
//! - 2.15.0 moved to Express 5 (PR #12045), which passes a rejected handler promise to its
//!   error handler (expressjs.com, "Error Handling"): an HTTP 500 instead of a crash. The
//!   handlers are registered directly (`app.ts`, `registerHandler`). **Inferred from the code
//!   and Express's documentation, not confirmed by a run or a report.**
//! - On GKE with 2.4.0 and later the UI loses its cluster name and project id unless the
//!   variable reads as false (#11573); the gcp overlay sets `'false'` from 2.4.0.
//! - Pre-releases: upstream tagged none of 2.3.0, 2.4.0 or 2.15.0, where the behaviour
//!   changes; a tag such as `2.4.0-rc.1` there is someone's own build: version unknown.
//!   Elsewhere a suffix (`2.0.0-alpha.7`, `1.8.0-rc.1`) reads as its version's row.
//! - Versions after [`CHECKED_THROUGH`] are read as the last row, and the result says so.
//!
//! # The UI image
//!
//! Upstream publishes `gcr.io/ml-pipeline/frontend` (through 2.3.0) and
//! `ghcr.io/kubeflow/kfp-frontend` (from 2.4.0; `manifests/kustomize/base/pipeline`). Mirrors
//! and distributions change the registry and the path before it, so [`UI_IMAGES`] match the
//! end of the repository path. Upstream's base manifests carry the tag `dummy`, which
//! kustomize's `images:` replaces with the version.

use krm_splice::glob;

/// The KFP UI server's images: the end of an image's repository path, after any registry or
/// mirror path.
pub const UI_IMAGES: [&str; 2] = ["ml-pipeline/frontend", "kfp-frontend"];

/// The last release the table was checked against.
pub const CHECKED_THROUGH: Version = Version::new(2, 17, 0);

/// An image reference, split: `registry/path/name[:tag][@digest]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Registry and path, without tag or digest.
    pub repository: &'a str,
    /// The tag, if any.
    pub tag: Option<&'a str>,
    /// The digest (`sha256:...`), if any.
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Split a reference as container runtimes read it: the digest after `@`, the tag after
    /// the first `:` that follows the last `/` (a `:` before it is a registry's port; a
    /// name component never holds one, so a malformed `frontend:2.5.0x:1` is still the
    /// `frontend` repository, with a tag that names no version).
    pub fn parse(image: &'a str) -> ImageRef<'a> {
        let (name, digest) = match image.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (image, None),
        };
        let slash = name.rfind('/').map_or(0, |i| i + 1);
        let (repository, tag) = match name[slash..].find(':') {
            Some(i) => (&name[..slash + i], Some(&name[slash + i + 1..])),
            None => (name, None),
        };
        ImageRef {
            repository,
            tag,
            digest,
        }
    }
}

/// Whether an image matches a pattern (`*` matches any run of characters, `/` included). A
/// pattern matches the whole reference or the repository, or their end from any `/` on: so
/// `kfp-frontend` matches `registry.example.com/mirror/kfp-frontend:2.5.0`,
/// `team/ui` matches `registry.example.com/team/ui@sha256:...`, and `*/ui:2.*` matches
/// `registry.example.com/team/ui:2.4.1`.
pub fn image_matches(pattern: &str, image: &str) -> bool {
    let repository = ImageRef::parse(image).repository;
    [image, repository].into_iter().any(|s| {
        glob(pattern, s)
            || s.match_indices('/')
                .any(|(i, _)| glob(pattern, &s[i + 1..]))
    })
}

/// Whether an image is the KFP UI's, by [`UI_IMAGES`] or one of `extra` patterns.
pub fn is_ui_image(image: &str, extra: &[String]) -> bool {
    UI_IMAGES
        .iter()
        .copied()
        .chain(extra.iter().map(String::as_str))
        .any(|p| image_matches(p, image))
}

/// A release version, `MAJOR.MINOR.PATCH`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    /// Major.
    pub major: u32,
    /// Minor.
    pub minor: u32,
    /// Patch.
    pub patch: u32,
}

impl Version {
    /// A version.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Version {
        Version {
            major,
            minor,
            patch,
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// A tag read as a version: `2.3.0`, `v2.3.0`, `2.0.0-alpha.7` (then `true` for the suffix).
fn parse_tag(tag: &str) -> Option<(Version, bool)> {
    let t = tag.strip_prefix('v').unwrap_or(tag);
    let end = t.find(['-', '+']).unwrap_or(t.len());
    let (core, suffix) = t.split_at(end);
    let num = |p: &str| -> Option<u32> {
        let digits = !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !digits || (p.len() > 1 && p.starts_with('0')) {
            return None;
        }
        p.parse().ok()
    };
    let parts: Vec<&str> = core.split('.').collect();
    let [major, minor, patch] = parts[..] else {
        return None;
    };
    let v = Version::new(num(major)?, num(minor)?, num(patch)?);
    if suffix == "-" || suffix == "+" {
        return None;
    }
    Some((v, !suffix.is_empty()))
}

/// What a value that reads as false does, off GKE, on a version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhenFalse {
    /// The variable is not read at all.
    NotRead,
    /// The failed GKE metadata call is logged; the server keeps running.
    Logged,
    /// The server crashes on the first page load.
    Crash,
    /// The failed call answers HTTP 500; no crash (inferred).
    Http500,
}

/// One row of the version table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Era {
    /// The first version of the row.
    pub from: Version,
    /// The server's default when the variable is absent: `None` when it is not read.
    pub default_true: Option<bool>,
    /// What a value that reads as false does off GKE.
    pub when_false: WhenFalse,
    /// What a user needs to know, in words; `{v}` is the version.
    pub says: &'static str,
}

/// The version table (see the module documentation for the sources of every row).
pub const ERAS: [Era; 5] = [
    Era {
        from: Version::new(0, 0, 0),
        default_true: None,
        when_false: WhenFalse::NotRead,
        says: "KFP {v} does not read DISABLE_GKE_METADATA (it came in 0.2.5); off GKE its \
               UI server only logs the failed GKE metadata calls",
    },
    Era {
        from: Version::new(0, 2, 5),
        default_true: Some(false),
        when_false: WhenFalse::Logged,
        says: "KFP {v} (Node 14 or older) only logs the failed GKE metadata calls off GKE, \
               so it does not need this; \"true\" silences them",
    },
    Era {
        from: Version::new(2, 3, 0),
        default_true: Some(false),
        when_false: WhenFalse::Crash,
        says: "KFP {v} crashes off GKE unless DISABLE_GKE_METADATA reads as true (its \
               default is false, and Node 18 ends the process on the failed GKE metadata \
               call)",
    },
    Era {
        from: Version::new(2, 4, 0),
        default_true: Some(true),
        when_false: WhenFalse::Crash,
        says: "KFP {v} defaults to true, so the entry only makes it explicit; it crashes \
               off GKE only when the variable reads as false (and on GKE only false shows \
               the cluster name and project id)",
    },
    Era {
        from: Version::new(2, 15, 0),
        default_true: Some(true),
        when_false: WhenFalse::Http500,
        says: "KFP {v} defaults to true, so the entry only makes it explicit; with false, \
               off GKE, its Express 5 server answers the failed GKE metadata calls with \
               HTTP 500 instead of crashing (inferred from its code; no report confirms it)",
    },
];

/// What an image says about the KFP version it runs.
#[derive(Clone, Debug, PartialEq)]
pub enum Reading {
    /// A version and its row.
    Known {
        /// The version, as read from the tag.
        version: Version,
        /// The tag as written.
        tag: String,
        /// Its row of [`ERAS`].
        era: &'static Era,
        /// Newer than [`CHECKED_THROUGH`]: read as the last row.
        beyond: bool,
    },
    /// No version: why.
    Unknown(String),
}

impl Reading {
    /// What a value that reads as false does; `None` when the version is unknown.
    pub fn when_false(&self) -> Option<WhenFalse> {
        match self {
            Reading::Known { era, .. } => Some(era.when_false),
            Reading::Unknown(_) => None,
        }
    }

    /// The verdict, in words.
    pub fn says(&self) -> String {
        match self {
            Reading::Known {
                version,
                tag,
                era,
                beyond,
            } => {
                let shown = if tag.as_str() == version.to_string() {
                    tag.clone()
                } else {
                    format!("{version} (tag {tag})")
                };
                let mut s = era.says.replace("{v}", &shown);
                if *beyond {
                    s.push_str(&format!(
                        " [{version} is newer than {CHECKED_THROUGH}, the last release this \
                         was checked against]"
                    ));
                }
                s
            }
            Reading::Unknown(why) => format!("KFP version unknown ({why}), so no verdict"),
        }
    }
}

/// The row of a version.
pub fn era(v: Version) -> &'static Era {
    ERAS.iter().rev().find(|e| e.from <= v).unwrap_or(&ERAS[0])
}

/// Read the KFP version of a UI container from its image (`None`: the container has none).
/// `ui_image` says whether the image is a KFP UI image at all: a tag is read as a KFP
/// version only then.
pub fn read(image: Option<&str>, ui_image: bool) -> Reading {
    let Some(image) = image else {
        return Reading::Unknown("the container has no image".into());
    };
    if !ui_image {
        return Reading::Unknown(format!(
            "image {image:?} is not a KFP UI image ({}, or an `images` pattern)",
            UI_IMAGES.join(", ")
        ));
    }
    let r = ImageRef::parse(image);
    if r.digest.is_some() {
        return Reading::Unknown(match r.tag {
            Some(t) => format!("the image is pinned by digest; its tag {t:?} may not match it"),
            None => "the image is pinned by digest".into(),
        });
    }
    let Some(tag) = r.tag else {
        return Reading::Unknown("the image has no tag, so it runs whatever `latest` is".into());
    };
    match tag {
        "latest" => return Reading::Unknown("tag \"latest\" names no version".into()),
        "dummy" => {
            return Reading::Unknown(
                "tag \"dummy\" is the placeholder of KFP's base manifests, which kustomize's \
                 `images:` replaces: run this on the built output"
                    .into(),
            )
        }
        _ => {}
    }
    let Some((version, suffix)) = parse_tag(tag) else {
        return Reading::Unknown(format!("tag {tag:?} is not a version"));
    };
    let era = era(version);
    if suffix && era.from == version {
        return Reading::Unknown(format!(
            "tag {tag:?} is a pre-release or own build of {version}, where the behaviour \
             changed; upstream tagged no pre-release of it"
        ));
    }
    Reading::Known {
        version,
        tag: tag.to_string(),
        era,
        beyond: version > CHECKED_THROUGH,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_as_runtimes_split_them() {
        let p = ImageRef::parse;
        assert_eq!(
            p("gcr.io/ml-pipeline/frontend:2.3.0"),
            ImageRef {
                repository: "gcr.io/ml-pipeline/frontend",
                tag: Some("2.3.0"),
                digest: None
            }
        );
        assert_eq!(p("localhost:5000/kfp-frontend").tag, None);
        assert_eq!(
            p("localhost:5000/kfp-frontend").repository,
            "localhost:5000/kfp-frontend"
        );
        let d = p("reg:5000/a/kfp-frontend:2.5.0@sha256:abc");
        assert_eq!(
            (d.repository, d.tag, d.digest),
            ("reg:5000/a/kfp-frontend", Some("2.5.0"), Some("sha256:abc"))
        );
        assert_eq!(p("kfp-frontend@sha256:abc").tag, None);
        // Malformed (a tag holds no ':'): the repository ends where a name component must.
        let m = p("gcr.io/ml-pipeline/frontend:2.5.0end:2.5.0");
        assert_eq!(
            (m.repository, m.tag),
            ("gcr.io/ml-pipeline/frontend", Some("2.5.0end:2.5.0"))
        );
        assert!(matches!(
            verdict("gcr.io/ml-pipeline/frontend:2.5.0end:2.5.0"),
            Reading::Unknown(_)
        ));
    }

    #[test]
    fn ui_images_under_any_registry() {
        for image in [
            "gcr.io/ml-pipeline/frontend:2.3.0",
            "ghcr.io/kubeflow/kfp-frontend:2.5.0",
            "registry.example.com:5000/mirror/gcr.io/ml-pipeline/frontend:1.8.5",
            "kfp-frontend",
            "docker.io/library/kfp-frontend@sha256:0123",
            "my.registry/kubeflow/kfp-frontend:latest",
        ] {
            assert!(is_ui_image(image, &[]), "{image}");
        }
        for image in [
            "gcr.io/ml-pipeline/frontend-dev:2.3.0",
            "ghcr.io/kubeflow/kfp-frontend-ng:2.5.0",
            "gcr.io/ml-pipeline/visualization-server:2.3.0",
            "ghcr.io/kubeflow/kfp-api-server:2.5.0",
            "example.com/xml-pipeline/frontend:1",
            "frontend:2.3.0",
        ] {
            assert!(!is_ui_image(image, &[]), "{image}");
        }
        let extra = ["team/ui".to_string(), "*/custom-*:2.*".to_string()];
        assert!(is_ui_image("reg.example.com/team/ui:7", &extra));
        assert!(is_ui_image("reg.example.com/x/custom-kfp:2.4.1", &extra));
        assert!(!is_ui_image("reg.example.com/x/custom-kfp:3.0.0", &extra));
        assert!(!is_ui_image("reg.example.com/steam/ui:7", &extra));
    }

    fn verdict(image: &str) -> Reading {
        read(Some(image), is_ui_image(image, &[]))
    }

    fn era_of(image: &str) -> Version {
        match verdict(image) {
            Reading::Known { era, .. } => era.from,
            Reading::Unknown(why) => panic!("{image}: unknown ({why})"),
        }
    }

    #[test]
    fn versions_fall_in_their_rows() {
        let f = "gcr.io/ml-pipeline/frontend:";
        assert_eq!(era_of(&format!("{f}0.2.4")), Version::new(0, 0, 0));
        assert_eq!(era_of(&format!("{f}0.2.5")), Version::new(0, 2, 5));
        assert_eq!(era_of(&format!("{f}1.8.5")), Version::new(0, 2, 5));
        assert_eq!(era_of(&format!("{f}2.2.0")), Version::new(0, 2, 5));
        assert_eq!(era_of(&format!("{f}2.0.0-alpha.7")), Version::new(0, 2, 5));
        assert_eq!(era_of(&format!("{f}2.3.0")), Version::new(2, 3, 0));
        assert_eq!(era_of(&format!("{f}v2.3.0")), Version::new(2, 3, 0));
        let k = "ghcr.io/kubeflow/kfp-frontend:";
        assert_eq!(era_of(&format!("{k}2.4.0")), Version::new(2, 4, 0));
        assert_eq!(era_of(&format!("{k}2.14.4")), Version::new(2, 4, 0));
        assert_eq!(era_of(&format!("{k}2.15.0")), Version::new(2, 15, 0));
        assert_eq!(era_of(&format!("{k}2.17.0")), Version::new(2, 15, 0));
        assert_eq!(
            era_of(&format!("{k}2.10.0-custom.1")),
            Version::new(2, 4, 0)
        );
        match verdict(&format!("{k}3.1.0")) {
            Reading::Known { beyond, .. } => assert!(beyond),
            r => panic!("{r:?}"),
        }
        assert!(!matches!(
            verdict(&format!("{k}2.17.0")),
            Reading::Known { beyond: true, .. }
        ));
    }

    #[test]
    fn no_guess_without_a_version() {
        for image in [
            "ghcr.io/kubeflow/kfp-frontend:latest",
            "ghcr.io/kubeflow/kfp-frontend",
            "ghcr.io/kubeflow/kfp-frontend@sha256:0123",
            "ghcr.io/kubeflow/kfp-frontend:2.5.0@sha256:0123",
            "gcr.io/ml-pipeline/frontend:dummy",
            "gcr.io/ml-pipeline/frontend:master",
            "gcr.io/ml-pipeline/frontend:2.3",
            "gcr.io/ml-pipeline/frontend:2.3.0.1",
            "gcr.io/ml-pipeline/frontend:02.3.0",
            "gcr.io/ml-pipeline/frontend:2.3.0-",
            "gcr.io/ml-pipeline/frontend:2.3.0-rc.1",
            "ghcr.io/kubeflow/kfp-frontend:2.4.0-rc.1",
            "ghcr.io/kubeflow/kfp-frontend:2.15.0-dev",
        ] {
            assert!(matches!(verdict(image), Reading::Unknown(_)), "{image}");
        }
        // A tag is a KFP version only on a KFP UI image.
        assert!(matches!(
            read(Some("busybox:1.36.1"), false),
            Reading::Unknown(_)
        ));
        assert!(matches!(read(None, true), Reading::Unknown(_)));
    }

    #[test]
    fn the_table_is_ordered_and_says_its_version() {
        for w in ERAS.windows(2) {
            assert!(w[0].from < w[1].from);
        }
        for e in &ERAS {
            assert!(e.says.contains("{v}"));
        }
        assert!(era(CHECKED_THROUGH).from <= CHECKED_THROUGH);
    }
}
