//! Writing planned files: all or none.
//!
//! Two phases. First every new content is written to a temporary file beside its file (same
//! directory, so the rename below cannot cross filesystems), with the file's mode (and owner,
//! where it differs and can be kept), and fsynced; a file that changed since it was read, that
//! the user cannot write, or whose temporary file fails, stops everything here and every
//! temporary file is removed: no file was touched. Then each temporary file is renamed over
//! its file (atomic: a reader sees the old or the new content, never a mix), and each
//! directory is fsynced. A rename that fails part-way puts the files already renamed back to
//! their old content (kept in memory), so that the run still writes none.
//! `--keep-going` writes every file it can instead, and reports the others.

use std::fs::{self, File, Metadata, OpenOptions, Permissions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What a file was when it was read: writing it fails if it is no longer that.
#[derive(Clone, Debug)]
pub struct Snapshot {
    len: u64,
    modified: Option<SystemTime>,
    permissions: Permissions,
    #[cfg(unix)]
    ids: (u64, u64, u32, u32),
}

impl Snapshot {
    /// From the metadata of the open file that was read.
    pub fn of(m: &Metadata) -> Snapshot {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Snapshot {
            len: m.len(),
            modified: m.modified().ok(),
            permissions: m.permissions(),
            #[cfg(unix)]
            ids: (m.dev(), m.ino(), m.uid(), m.gid()),
        }
    }

    fn still(&self, path: &Path) -> Result<(), String> {
        let m = fs::metadata(path).map_err(|e| format!("cannot stat it: {e}"))?;
        let now = Snapshot::of(&m);
        #[cfg(unix)]
        let same_file = now.ids == self.ids;
        #[cfg(not(unix))]
        let same_file = true;
        if now.len != self.len || now.modified != self.modified || !same_file {
            return Err("it changed after it was read; run again".into());
        }
        Ok(())
    }
}

/// One file to write.
pub struct Pending<'a> {
    /// The path to replace (a symbolic link named on the command line is resolved first).
    pub path: &'a Path,
    /// The new content.
    pub new: &'a [u8],
    /// The content read (put back if a later rename fails).
    pub old: &'a [u8],
    /// The file as it was read.
    pub snapshot: &'a Snapshot,
}

/// What [`commit`] did, by index into its input.
#[derive(Debug, Default)]
pub struct Report {
    /// Files replaced with their new content.
    pub written: Vec<usize>,
    /// Files not written, with why.
    pub failed: Vec<(usize, String)>,
    /// Files written and then put back to their old content after a later failure.
    pub restored: Vec<usize>,
    /// Files that could not be put back (they hold the new content): with why.
    pub not_restored: Vec<(usize, String)>,
}

/// Write every file, all or none (or as many as possible with `keep_going`).
pub fn commit(items: &[Pending], keep_going: bool) -> Report {
    let mut report = Report::default();
    // Phase 1: every new content in a temporary file beside its file.
    let mut staged: Vec<(usize, PathBuf)> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match stage(item.path, item.new, item.snapshot) {
            Ok(tmp) => staged.push((i, tmp)),
            Err(e) => {
                report.failed.push((i, e));
                if !keep_going {
                    for (_, tmp) in &staged {
                        let _ = fs::remove_file(tmp);
                    }
                    return report;
                }
            }
        }
    }
    // Phase 2: rename each over its file.
    let mut dirs: Vec<PathBuf> = Vec::new();
    for (k, (i, tmp)) in staged.iter().enumerate() {
        let item = &items[*i];
        let swapped = item
            .snapshot
            .still(item.path)
            .and_then(|()| fault("rename", item.path).map_err(|e| e.to_string()))
            .and_then(|()| {
                fs::rename(tmp, item.path).map_err(|e| format!("cannot replace it: {e}"))
            });
        match swapped {
            Ok(()) => {
                report.written.push(*i);
                if let Some(d) = parent(item.path) {
                    if !dirs.contains(&d) {
                        dirs.push(d);
                    }
                }
            }
            Err(e) => {
                let _ = fs::remove_file(tmp);
                report.failed.push((*i, e));
                if !keep_going {
                    for (_, rest) in &staged[k + 1..] {
                        let _ = fs::remove_file(rest);
                    }
                    for j in std::mem::take(&mut report.written) {
                        let back = &items[j];
                        match write_temp(back.path, back.old, back.snapshot)
                            .and_then(|t| fs::rename(&t, back.path).map_err(|e| e.to_string()))
                        {
                            Ok(()) => report.restored.push(j),
                            Err(e) => report.not_restored.push((j, e)),
                        }
                    }
                    break;
                }
            }
        }
    }
    // The renames themselves are durable once their directories are synced. Not every
    // filesystem can sync a directory; the data itself was synced already.
    for d in dirs {
        if let Ok(f) = File::open(&d) {
            let _ = f.sync_all();
        }
    }
    report
}

fn parent(path: &Path) -> Option<PathBuf> {
    match path.parent() {
        Some(p) if p.as_os_str().is_empty() => Some(PathBuf::from(".")),
        Some(p) => Some(p.to_path_buf()),
        None => None,
    }
}

/// Write `content` to a new temporary file beside `path`, with `path`'s mode (and owner), and
/// sync it. For the new content, the file must still be as read and writable by the user.
fn stage(path: &Path, content: &[u8], snap: &Snapshot) -> Result<PathBuf, String> {
    snap.still(path)?;
    // The user's permission to write the file itself (a rename only needs the directory's):
    // a read-only file stays read-only. Opened without truncation, nothing is changed.
    OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| format!("cannot write it: {e}"))?;
    fault("stage", path).map_err(|e| e.to_string())?;
    write_temp(path, content, snap)
}

/// The temporary file beside `path` with `content`, `path`'s mode and owner, synced.
fn write_temp(path: &Path, content: &[u8], snap: &Snapshot) -> Result<PathBuf, String> {
    let dir = parent(path).ok_or("it has no directory")?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (tmp, mut f) = create_temp(&dir, &name)
        .map_err(|e| format!("cannot create a temporary file in {}: {e}", dir.display()))?;
    let written = (|| -> io::Result<()> {
        f.write_all(content)?;
        // Owner first: a change of owner clears set-id bits, which the mode then restores.
        keep_owner(&f, snap)?;
        f.set_permissions(snap.permissions.clone())?;
        f.sync_all()
    })();
    match written {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(format!("cannot write its new content: {e}"))
        }
    }
}

/// A new file `.NAME.dgm-PID-N.tmp` in `dir` (hidden, so a directory walk skips it).
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    let mut last = None;
    for n in 0..100u32 {
        let p = dir.join(format!(".{name}.dgm-{pid}-{n}.tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&p) {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary name")))
}

#[cfg(unix)]
fn keep_owner(f: &File, snap: &Snapshot) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let m = f.metadata()?;
    let (_, _, uid, gid) = snap.ids;
    if (m.uid(), m.gid()) == (uid, gid) {
        return Ok(());
    }
    std::os::unix::fs::fchown(f, Some(uid), Some(gid))
        .map_err(|e| io::Error::new(e.kind(), format!("cannot keep its owner {uid}:{gid}: {e}")))
}

#[cfg(not(unix))]
fn keep_owner(_: &File, _: &Snapshot) -> io::Result<()> {
    Ok(())
}

/// Test builds only (feature `fault-injection`): `DISABLE_GKE_METADATA_TEST_FAULT=STEP:SUFFIX`
/// makes step `stage` (writing the temporary file) or `rename` fail for the file whose path
/// ends with SUFFIX — a failure between planning and writing.
#[cfg(feature = "fault-injection")]
fn fault(step: &str, path: &Path) -> io::Result<()> {
    let Ok(spec) = std::env::var("DISABLE_GKE_METADATA_TEST_FAULT") else {
        return Ok(());
    };
    match spec.split_once(':') {
        Some((s, suffix)) if s == step && path.to_string_lossy().ends_with(suffix) => Err(
            io::Error::other(format!("injected fault ({step}) on {}", path.display())),
        ),
        _ => Ok(()),
    }
}

#[cfg(not(feature = "fault-injection"))]
fn fault(_step: &str, _path: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("dgm-write-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn snap(p: &Path) -> Snapshot {
        Snapshot::of(&File::open(p).unwrap().metadata().unwrap())
    }

    fn names(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn writes_all_keeping_the_mode() {
        let d = scratch("all");
        let (a, b) = (d.join("a.yaml"), d.join("b.yaml"));
        fs::write(&a, "a: 1\n").unwrap();
        fs::write(&b, "b: 1\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&a, Permissions::from_mode(0o640)).unwrap();
        }
        let (sa, sb) = (snap(&a), snap(&b));
        let items = [
            Pending {
                path: &a,
                new: b"a: 2\n",
                old: b"a: 1\n",
                snapshot: &sa,
            },
            Pending {
                path: &b,
                new: b"b: 2\n",
                old: b"b: 1\n",
                snapshot: &sb,
            },
        ];
        let r = commit(&items, false);
        assert_eq!(r.written, [0, 1]);
        assert!(r.failed.is_empty());
        assert_eq!(fs::read(&a).unwrap(), b"a: 2\n");
        assert_eq!(fs::read(&b).unwrap(), b"b: 2\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&a).unwrap().permissions().mode() & 0o777,
                0o640
            );
        }
        assert_eq!(names(&d), ["a.yaml", "b.yaml"], "no temporary file left");
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_file_changed_after_reading_stops_everything() {
        let d = scratch("changed");
        let (a, b) = (d.join("a.yaml"), d.join("b.yaml"));
        fs::write(&a, "a: 1\n").unwrap();
        fs::write(&b, "b: 1\n").unwrap();
        let (sa, sb) = (snap(&a), snap(&b));
        fs::write(&b, "b: 1 # edited by someone else\n").unwrap();
        let items = [
            Pending {
                path: &a,
                new: b"a: 2\n",
                old: b"a: 1\n",
                snapshot: &sa,
            },
            Pending {
                path: &b,
                new: b"b: 2\n",
                old: b"b: 1\n",
                snapshot: &sb,
            },
        ];
        let r = commit(&items, false);
        assert!(r.written.is_empty());
        assert_eq!(r.failed.len(), 1);
        assert!(r.failed[0].1.contains("changed"), "{:?}", r.failed);
        assert_eq!(fs::read(&a).unwrap(), b"a: 1\n");
        assert_eq!(names(&d), ["a.yaml", "b.yaml"]);
        // --keep-going writes the other one.
        let r = commit(&items, true);
        assert_eq!(r.written, [0]);
        assert_eq!(fs::read(&a).unwrap(), b"a: 2\n");
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_temporary_file_that_cannot_be_made_stops_everything() {
        // A name so long that the temporary name beside it is too long for the filesystem:
        // fails for root too.
        let d = scratch("longname");
        let a = d.join("a.yaml");
        let long = d.join(format!("{}.yaml", "x".repeat(240)));
        fs::write(&a, "a: 1\n").unwrap();
        fs::write(&long, "b: 1\n").unwrap();
        let (sa, sl) = (snap(&a), snap(&long));
        let items = [
            Pending {
                path: &a,
                new: b"a: 2\n",
                old: b"a: 1\n",
                snapshot: &sa,
            },
            Pending {
                path: &long,
                new: b"b: 2\n",
                old: b"b: 1\n",
                snapshot: &sl,
            },
        ];
        let r = commit(&items, false);
        assert!(r.written.is_empty(), "{r:?}");
        assert_eq!(r.failed.len(), 1, "{r:?}");
        assert_eq!(fs::read(&a).unwrap(), b"a: 1\n");
        assert_eq!(
            names(&d).len(),
            2,
            "no temporary file left: {:?}",
            names(&d)
        );
        let _ = fs::remove_dir_all(&d);
    }
}
