//! Writing generated files into a directory: all or nothing, with a manifest.
//!
//! - [`plan`] compares the generated files with the directory and the manifest
//!   (`DIR/.iam-codegen-manifest.json`, the sorted list of paths the generator wrote last
//!   time) and says what would change: `A` added, `M` modified, `D` removed. It refuses a
//!   path that exists but is not in the manifest (a file the generator never wrote) unless
//!   forced, and any symbolic link on the way to a file it would write: links are never
//!   followed for writes.
//! - [`apply`] stages every new file as a temporary file next to its target, then renames
//!   them into place, the manifest last. When anything fails, the steps already taken are
//!   undone in reverse and the staged files and created directories removed, so the
//!   directory is left as it was. (This protects against errors, not against power loss:
//!   files are not synced to disk.)
//! - Files the generator wrote before and does not write now are removed, and the
//!   directories that removal leaves empty; files it never wrote are never touched.
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The manifest's file name in the output directory.
pub const MANIFEST: &str = ".iam-codegen-manifest.json";

/// Errors from writing the output directory.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// A file or directory cannot be read.
    #[error("cannot read `{}`", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A file or directory cannot be written.
    #[error("cannot write `{}`", path.display())]
    Write {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A path on the way to an output file is a symbolic link.
    #[error("`{}` is a symbolic link; iam-codegen does not write through links", path.display())]
    Symlink {
        /// The path.
        path: PathBuf,
    },
    /// A path where a directory is needed is something else.
    #[error("`{}` is not a directory", path.display())]
    NotDirectory {
        /// The path.
        path: PathBuf,
    },
    /// A path where a file would be written is a directory or a special file.
    #[error("`{}` is not a regular file", path.display())]
    NotFile {
        /// The path.
        path: PathBuf,
    },
    /// A file would be overwritten that the generator did not write.
    #[error("`{}` exists and was not written by iam-codegen (it is not in `{MANIFEST}`); move it away, or pass `--force` to overwrite it", path.display())]
    Unmanaged {
        /// The path.
        path: PathBuf,
    },
    /// The manifest cannot be read as one.
    #[error("`{}` is not an iam-codegen manifest ({reason}); remove it to start over", path.display())]
    Manifest {
        /// The manifest's path.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// What would happen to one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// A new file.
    Added,
    /// A file whose bytes change.
    Modified,
    /// A file the generator wrote before and does not write now.
    Deleted,
}

impl Change {
    /// `A`, `M` or `D`.
    pub fn letter(self) -> char {
        match self {
            Self::Added => 'A',
            Self::Modified => 'M',
            Self::Deleted => 'D',
        }
    }
}

/// What writing the files would do to the directory.
#[derive(Debug)]
pub struct Plan {
    dir: PathBuf,
    /// Relative path (with `/`) → change, the manifest included.
    changes: BTreeMap<String, Change>,
    /// The bytes to write for added and modified paths.
    writes: BTreeMap<String, Vec<u8>>,
    /// How many generated files are already as they should be.
    unchanged: usize,
}

impl Plan {
    /// The changes in path order.
    pub fn changes(&self) -> impl Iterator<Item = (&str, Change)> {
        self.changes.iter().map(|(p, c)| (p.as_str(), *c))
    }

    /// Whether nothing would change.
    pub fn is_clean(&self) -> bool {
        self.changes.is_empty()
    }

    /// How many generated files already have the right bytes.
    pub fn unchanged(&self) -> usize {
        self.unchanged
    }
}

/// The manifest file: the paths the generator wrote, sorted.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    version: u32,
    files: BTreeSet<String>,
}

fn join(dir: &Path, rel: &str) -> PathBuf {
    rel.split('/').fold(dir.to_path_buf(), |p, c| p.join(c))
}

/// What is at a path, without following a link there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Missing,
    File,
    Dir,
    Link,
    Other,
}

fn entry(path: &Path) -> Result<Entry, OutputError> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Ok(Entry::Link),
        Ok(m) if m.is_file() => Ok(Entry::File),
        Ok(m) if m.is_dir() => Ok(Entry::Dir),
        Ok(_) => Ok(Entry::Other),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Entry::Missing),
        Err(source) => Err(OutputError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Check the directories between `dir` and `rel`'s file: each is a real directory or
/// missing (then so is everything below it). Returns whether all exist.
fn check_parents(dir: &Path, rel: &str) -> Result<bool, OutputError> {
    let mut path = dir.to_path_buf();
    let mut parts: Vec<&str> = rel.split('/').collect();
    parts.pop();
    for part in parts {
        path.push(part);
        match entry(&path)? {
            Entry::Dir => {}
            Entry::Missing => return Ok(false),
            Entry::Link => return Err(OutputError::Symlink { path }),
            Entry::File | Entry::Other => return Err(OutputError::NotDirectory { path }),
        }
    }
    Ok(true)
}

fn read_manifest(dir: &Path) -> Result<Option<Manifest>, OutputError> {
    let path = dir.join(MANIFEST);
    match entry(&path)? {
        Entry::Missing => return Ok(None),
        Entry::File => {}
        Entry::Link => return Err(OutputError::Symlink { path }),
        Entry::Dir | Entry::Other => return Err(OutputError::NotFile { path }),
    }
    let text = fs::read_to_string(&path).map_err(|source| OutputError::Read {
        path: path.clone(),
        source,
    })?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| OutputError::Manifest {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    if manifest.version != 1 {
        return Err(OutputError::Manifest {
            path,
            reason: format!("version {} is not 1", manifest.version),
        });
    }
    if let Some(bad) = manifest
        .files
        .iter()
        .find(|f| !crate::emit::is_safe_relative_path(f) || f.as_str() == MANIFEST)
    {
        return Err(OutputError::Manifest {
            path,
            reason: format!("`{bad}` is not a relative path inside the directory"),
        });
    }
    Ok(Some(manifest))
}

/// Compare the files (relative path → bytes) with what `dir` holds. `force` allows
/// overwriting files the manifest does not list. `dir` need not exist.
pub fn plan(
    dir: &Path,
    files: &BTreeMap<String, Vec<u8>>,
    force: bool,
) -> Result<Plan, OutputError> {
    let dir_exists = match entry(dir) {
        Ok(Entry::Missing) => false,
        // The directory itself may be a link: the user named it.
        Ok(Entry::Dir | Entry::Link) if dir.is_dir() => true,
        Ok(_) => {
            return Err(OutputError::NotDirectory {
                path: dir.to_path_buf(),
            });
        }
        Err(e) => return Err(e),
    };
    let old = if dir_exists {
        read_manifest(dir)?
    } else {
        None
    };
    let managed = old.as_ref().map(|m| &m.files);
    let mut changes = BTreeMap::new();
    let mut writes = BTreeMap::new();
    let mut unchanged = 0;
    for (rel, bytes) in files {
        if !crate::emit::is_safe_relative_path(rel) || rel == MANIFEST {
            return Err(OutputError::NotFile {
                path: join(dir, rel),
            });
        }
        let path = join(dir, rel);
        let exists = dir_exists && check_parents(dir, rel)?;
        let current = if exists {
            entry(&path)?
        } else {
            Entry::Missing
        };
        match current {
            Entry::Missing => {
                changes.insert(rel.clone(), Change::Added);
                writes.insert(rel.clone(), bytes.clone());
            }
            Entry::File => {
                if !force && !managed.is_some_and(|m| m.contains(rel)) {
                    return Err(OutputError::Unmanaged { path });
                }
                let on_disk = fs::read(&path).map_err(|source| OutputError::Read {
                    path: path.clone(),
                    source,
                })?;
                if on_disk == *bytes {
                    unchanged += 1;
                } else {
                    changes.insert(rel.clone(), Change::Modified);
                    writes.insert(rel.clone(), bytes.clone());
                }
            }
            Entry::Link => return Err(OutputError::Symlink { path }),
            Entry::Dir | Entry::Other => return Err(OutputError::NotFile { path }),
        }
    }
    if let Some(old) = &old {
        for rel in old.files.iter().filter(|f| !files.contains_key(*f)) {
            // A stale path behind a link or a non-directory is not ours to follow.
            if !matches!(check_parents(dir, rel), Ok(true)) {
                continue;
            }
            // Removing a link removes the link, never its target; a directory is left alone.
            if matches!(entry(&join(dir, rel))?, Entry::File | Entry::Link) {
                changes.insert(rel.clone(), Change::Deleted);
            }
        }
    }
    let manifest = Manifest {
        version: 1,
        files: files.keys().cloned().collect(),
    };
    let manifest_bytes = iam_model::json::to_pretty(&manifest).into_bytes();
    let manifest_path = dir.join(MANIFEST);
    let manifest_change = match (&old, dir_exists) {
        (None, _) => Some(Change::Added),
        (Some(_), _) => {
            let on_disk = fs::read(&manifest_path).map_err(|source| OutputError::Read {
                path: manifest_path.clone(),
                source,
            })?;
            (on_disk != manifest_bytes).then_some(Change::Modified)
        }
    };
    if let Some(change) = manifest_change {
        changes.insert(MANIFEST.to_string(), change);
        writes.insert(MANIFEST.to_string(), manifest_bytes);
    }
    Ok(Plan {
        dir: dir.to_path_buf(),
        changes,
        writes,
        unchanged,
    })
}

/// One step taken, to undo on failure.
#[derive(Debug)]
enum Step {
    /// A directory was created.
    CreatedDir(PathBuf),
    /// A temporary file holds new bytes for `target`.
    Staged { temp: PathBuf },
    /// An old file was moved aside to `backup`.
    MovedAside { target: PathBuf, backup: PathBuf },
    /// A new file was renamed into place where there was none.
    Placed { target: PathBuf },
}

/// A name for a temporary file in `dir` that does not exist yet.
fn free_name(dir: &Path, counter: &mut u64, suffix: &str) -> PathBuf {
    loop {
        *counter += 1;
        let candidate = dir.join(format!(
            ".iam-codegen-{}-{counter}.{suffix}",
            std::process::id()
        ));
        if matches!(entry(&candidate), Ok(Entry::Missing)) {
            return candidate;
        }
    }
}

/// The transaction: steps taken so far, undone on drop unless committed.
struct Transaction {
    steps: Vec<Step>,
    counter: u64,
    #[cfg(test)]
    fail_after: Option<usize>,
}

impl Transaction {
    fn check_fault(&mut self, path: &Path) -> Result<(), OutputError> {
        #[cfg(test)]
        if let Some(n) = self.fail_after.as_mut() {
            if *n == 0 {
                return Err(OutputError::Write {
                    path: path.to_path_buf(),
                    source: io::Error::other("injected failure"),
                });
            }
            *n -= 1;
        }
        let _ = path;
        Ok(())
    }

    fn create_dirs(&mut self, dir: &Path) -> Result<(), OutputError> {
        let mut missing = Vec::new();
        let mut cursor = Some(dir);
        while let Some(p) = cursor {
            if entry(p)? != Entry::Missing {
                break;
            }
            missing.push(p.to_path_buf());
            // A relative path ends in the empty path, which is the current directory.
            cursor = p.parent().filter(|q| !q.as_os_str().is_empty());
        }
        for path in missing.into_iter().rev() {
            self.check_fault(&path)?;
            match fs::create_dir(&path) {
                Ok(()) => self.steps.push(Step::CreatedDir(path)),
                Err(source) => return Err(OutputError::Write { path, source }),
            }
        }
        Ok(())
    }

    fn stage(&mut self, target: &Path, bytes: &[u8]) -> Result<PathBuf, OutputError> {
        let parent = target.parent().unwrap_or(Path::new("."));
        self.create_dirs(parent)?;
        let temp = free_name(parent, &mut self.counter, "tmp");
        self.check_fault(target)?;
        let write = |temp: &Path| -> io::Result<()> {
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(temp)?;
            file.write_all(bytes)?;
            // Keep the permissions of the file being replaced (an executable script stays
            // executable).
            if let Ok(meta) = fs::symlink_metadata(target)
                && meta.is_file()
            {
                file.set_permissions(meta.permissions())?;
            }
            Ok(())
        };
        match write(&temp) {
            Ok(()) => {
                self.steps.push(Step::Staged { temp: temp.clone() });
                Ok(temp)
            }
            Err(source) => {
                // create_new made it or nothing; remove what may be there.
                let _ = fs::remove_file(&temp);
                // Name the file the user knows, not the temporary one.
                Err(OutputError::Write {
                    path: target.to_path_buf(),
                    source,
                })
            }
        }
    }

    fn move_aside(&mut self, target: &Path) -> Result<(), OutputError> {
        let parent = target.parent().unwrap_or(Path::new("."));
        let backup = free_name(parent, &mut self.counter, "old");
        self.check_fault(target)?;
        fs::rename(target, &backup).map_err(|source| OutputError::Write {
            path: target.to_path_buf(),
            source,
        })?;
        self.steps.push(Step::MovedAside {
            target: target.to_path_buf(),
            backup,
        });
        Ok(())
    }

    fn place(&mut self, temp: &Path, target: &Path) -> Result<(), OutputError> {
        self.check_fault(target)?;
        fs::rename(temp, target).map_err(|source| OutputError::Write {
            path: target.to_path_buf(),
            source,
        })?;
        self.steps.push(Step::Placed {
            target: target.to_path_buf(),
        });
        Ok(())
    }

    /// Undo every step, newest first. Best effort: an undo that fails leaves its file.
    fn roll_back(&mut self) {
        while let Some(step) = self.steps.pop() {
            let _ = match step {
                Step::CreatedDir(path) => fs::remove_dir(path),
                Step::Staged { temp } => match fs::remove_file(&temp) {
                    // It was renamed into place; `Placed` undoes that.
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
                    other => other,
                },
                Step::MovedAside { target, backup } => fs::rename(backup, target),
                Step::Placed { target } => fs::remove_file(target),
            };
        }
    }

    /// Forget the steps: remove the backups, and the directories that removals emptied.
    fn commit(mut self, emptied: &[PathBuf], root: &Path) {
        for step in std::mem::take(&mut self.steps) {
            if let Step::MovedAside { backup, .. } = step {
                let _ = fs::remove_file(backup);
            }
        }
        for file in emptied {
            let mut cursor = file.parent();
            while let Some(dir) = cursor {
                if dir == root || !dir.starts_with(root) || fs::remove_dir(dir).is_err() {
                    break;
                }
                cursor = dir.parent();
            }
        }
    }
}

/// Make the directory what the plan says: all changes or none.
pub fn apply(plan: &Plan) -> Result<(), OutputError> {
    apply_with(
        plan,
        Transaction {
            steps: Vec::new(),
            counter: 0,
            #[cfg(test)]
            fail_after: None,
        },
    )
}

fn apply_with(plan: &Plan, mut tx: Transaction) -> Result<(), OutputError> {
    match run(plan, &mut tx) {
        Ok(deleted) => {
            tx.commit(&deleted, &plan.dir);
            Ok(())
        }
        Err(e) => {
            tx.roll_back();
            Err(e)
        }
    }
}

fn run(plan: &Plan, tx: &mut Transaction) -> Result<Vec<PathBuf>, OutputError> {
    tx.create_dirs(&plan.dir)?;
    // Stage every new file first: most failures (space, permissions) happen here, before
    // anything visible has changed. The manifest sorts first (`.`) but is placed last.
    let mut staged = Vec::new();
    for (rel, bytes) in &plan.writes {
        let target = join(&plan.dir, rel);
        let temp = tx.stage(&target, bytes)?;
        staged.push((rel.as_str(), temp, target));
    }
    let mut deleted = Vec::new();
    for (rel, change) in &plan.changes {
        if *change == Change::Deleted {
            let target = join(&plan.dir, rel);
            tx.move_aside(&target)?;
            deleted.push(target);
        }
    }
    let (manifest, files): (Vec<_>, Vec<_>) =
        staged.into_iter().partition(|(rel, _, _)| *rel == MANIFEST);
    for (rel, temp, target) in files.into_iter().chain(manifest) {
        if plan.changes.get(rel) == Some(&Change::Modified) {
            tx.move_aside(&target)?;
        }
        tx.place(&temp, &target)?;
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        list.iter()
            .map(|(p, b)| ((*p).to_string(), b.as_bytes().to_vec()))
            .collect()
    }

    /// Every file under `dir` with its bytes, hidden files included.
    fn snapshot(dir: &Path) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                if p.is_dir() {
                    out.insert(format!("{rel}/"), String::new());
                    stack.push(p);
                } else {
                    out.insert(rel, fs::read_to_string(&p).unwrap());
                }
            }
        }
        out
    }

    fn changes(plan: &Plan) -> Vec<String> {
        plan.changes()
            .map(|(p, c)| format!("{} {p}", c.letter()))
            .collect()
    }

    #[test]
    fn writes_then_updates_and_removes_stale_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let first = files(&[("a/x.json", "1\n"), ("a/b/y.json", "2\n"), ("z.txt", "3\n")]);
        let plan = plan(&dir, &first, false).unwrap();
        assert_eq!(
            changes(&plan),
            [
                "A .iam-codegen-manifest.json",
                "A a/b/y.json",
                "A a/x.json",
                "A z.txt"
            ]
        );
        apply(&plan).unwrap();
        fs::write(dir.join("mine.txt"), "user\n").unwrap();
        assert!(super::plan(&dir, &first, false).unwrap().is_clean());

        let second = files(&[("a/x.json", "1 changed\n"), ("z.txt", "3\n")]);
        let plan = super::plan(&dir, &second, false).unwrap();
        assert_eq!(
            changes(&plan),
            ["M .iam-codegen-manifest.json", "D a/b/y.json", "M a/x.json"]
        );
        assert_eq!(plan.unchanged(), 1);
        apply(&plan).unwrap();
        assert_eq!(
            snapshot(&dir),
            BTreeMap::from([
                (MANIFEST.to_string(), "{\n  \"version\": 1,\n  \"files\": [\n    \"a/x.json\",\n    \"z.txt\"\n  ]\n}\n".to_string()),
                ("a/".to_string(), String::new()),
                ("a/x.json".to_string(), "1 changed\n".to_string()),
                ("mine.txt".to_string(), "user\n".to_string()),
                ("z.txt".to_string(), "3\n".to_string()),
            ])
        );
    }

    #[test]
    fn a_failure_at_any_step_leaves_the_directory_as_it_was() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let first = files(&[("a/x.json", "1\n"), ("a/b/y.json", "2\n"), ("z.txt", "3\n")]);
        apply(&plan(&dir, &first, false).unwrap()).unwrap();
        fs::write(dir.join("mine.txt"), "user\n").unwrap();
        let before = snapshot(&dir);
        let second = files(&[
            ("a/x.json", "changed\n"),
            ("c/d/new.json", "4\n"),
            ("z.txt", "3\n"),
        ]);
        let plan = plan(&dir, &second, false).unwrap();
        // Count the steps of a full run, then fail at each one in turn.
        let mut n = 0;
        loop {
            let tx = Transaction {
                steps: Vec::new(),
                counter: 0,
                fail_after: Some(n),
            };
            match apply_with(&plan, tx) {
                Err(e) => {
                    assert!(e.to_string().contains("cannot write"), "{e}");
                    assert_eq!(snapshot(&dir), before, "failing at step {n}");
                }
                Ok(()) => break,
            }
            n += 1;
        }
        assert!(n >= 8, "{n} steps");
        assert_eq!(
            snapshot(&dir).get("c/d/new.json").map(String::as_str),
            Some("4\n")
        );
        assert_eq!(snapshot(&dir).get("a/b/"), None);
    }

    #[test]
    fn refuses_unmanaged_files_and_links() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        fs::write(dir.join("x.json"), "mine\n").unwrap();
        let err = plan(dir, &files(&[("x.json", "1\n")]), false).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "`{}` exists and was not written by iam-codegen (it is not in `.iam-codegen-manifest.json`); move it away, or pass `--force` to overwrite it",
                dir.join("x.json").display()
            )
        );
        assert_eq!(
            changes(&plan(dir, &files(&[("x.json", "1\n")]), true).unwrap()),
            ["A .iam-codegen-manifest.json", "M x.json"]
        );
        std::os::unix::fs::symlink(tmp.path().join("elsewhere"), dir.join("l")).unwrap();
        let err = plan(dir, &files(&[("l/y.json", "1\n")]), true).unwrap_err();
        assert!(matches!(err, OutputError::Symlink { .. }), "{err}");
        let err = plan(dir, &files(&[("l", "1\n")]), true).unwrap_err();
        assert!(matches!(err, OutputError::Symlink { .. }), "{err}");
    }

    #[test]
    fn a_manifest_cannot_point_outside_the_directory() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(
            tmp.path().join(MANIFEST),
            r#"{"version": 1, "files": ["../victim"]}"#,
        )
        .unwrap();
        let err = plan(tmp.path(), &files(&[]), false).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "`{}` is not an iam-codegen manifest (`../victim` is not a relative path inside the directory); remove it to start over",
                tmp.path().join(MANIFEST).display()
            )
        );
    }
}
