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
//! - [`lock`] takes an exclusive lock on `DIR/.iam-codegen.lock` (`flock`, released by the
//!   kernel when the process ends, however it ends) for the whole run; a second run fails
//!   fast instead of waiting. The lock file is removed at the end of the run (a killed run
//!   leaves it, unlocked, and the next run takes it over).
//! - Before the first visible change, [`apply`] writes a journal
//!   (`DIR/.iam-codegen-journal.json`: every temporary, backup and new file it will use) and
//!   syncs it; it is removed when the run is done. A run that was killed (SIGKILL, power
//!   loss of the process) leaves the journal, and the next run's [`recover`] rolls the
//!   directory back to the old generation from it (or finishes the clean-up when the kill
//!   came after the last rename). SIGINT/SIGTERM ([`Hooks::interrupted`]) roll back at once.
//!   [`leftovers`] lists what a killed run left, for `--check`.
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The manifest's file name in the output directory.
pub const MANIFEST: &str = ".iam-codegen-manifest.json";
/// The lock file's name in the output directory.
pub const LOCK: &str = ".iam-codegen.lock";
/// The journal's file name in the output directory: present only while a run changes the
/// directory, or after one was killed.
pub const JOURNAL: &str = ".iam-codegen-journal.json";

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
    /// Another run holds the directory's lock.
    #[error("`{}` is being written by another iam-codegen run (it holds `{}`{}); wait for it to end and run again", dir.display(), lock.display(), holder.map(|p| format!(", pid {p}")).unwrap_or_default())]
    Locked {
        /// The output directory.
        dir: PathBuf,
        /// The lock file.
        lock: PathBuf,
        /// The process id written in the lock file, when readable.
        holder: Option<u32>,
    },
    /// The run was interrupted (SIGINT or SIGTERM); everything it did was undone.
    #[error("interrupted: every change to `{}` was undone", dir.display())]
    Interrupted {
        /// The output directory.
        dir: PathBuf,
    },
    /// The journal of an interrupted run cannot be read as one.
    #[error("`{}` is not an iam-codegen journal ({reason}); compare the directory with the manifest and remove it by hand", path.display())]
    Journal {
        /// The journal's path.
        path: PathBuf,
        /// What is wrong.
        reason: String,
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

/// The generator's own files in the directory, never artifacts.
fn is_reserved(rel: &str) -> bool {
    [MANIFEST, LOCK, JOURNAL].contains(&rel)
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

/// The text of `dir/name`: `None` when it does not exist; a link, directory or other entry
/// in its place is an error (the run's own bookkeeping files are never followed).
fn read_own_file(dir: &Path, name: &str) -> Result<Option<(PathBuf, String)>, OutputError> {
    let path = dir.join(name);
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
    Ok(Some((path, text)))
}

fn read_manifest(dir: &Path) -> Result<Option<Manifest>, OutputError> {
    let Some((path, text)) = read_own_file(dir, MANIFEST)? else {
        return Ok(None);
    };
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
        .find(|f| !crate::emit::is_safe_relative_path(f) || is_reserved(f))
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
        if !crate::emit::is_safe_relative_path(rel) || is_reserved(rel) {
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

/// The exclusive lock of an output directory, held until dropped; dropping it removes the
/// lock file (and the directory, when the lock created it and nothing else is in it).
#[derive(Debug)]
pub struct Lock {
    _file: fs::File,
    path: PathBuf,
    created_dir: Option<PathBuf>,
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held: a run waiting on the old file finds it gone (see `lock`).
        let _ = fs::remove_file(&self.path);
        if let Some(dir) = &self.created_dir {
            let _ = fs::remove_dir(dir);
        }
    }
}

/// Take the exclusive lock of `dir` (`DIR/.iam-codegen.lock`, an advisory `flock` that the
/// kernel releases when the process ends, however it ends), failing fast when another run
/// holds it. With `create`, a missing `dir` is created first (with its parents); without, a
/// missing `dir` needs no lock and gives `None`.
pub fn lock(dir: &Path, create: bool) -> Result<Option<Lock>, OutputError> {
    use std::os::unix::fs::MetadataExt as _;
    let mut created_dir = None;
    match entry(dir)? {
        Entry::Missing if !create => return Ok(None),
        Entry::Missing => {
            fs::create_dir_all(dir).map_err(|source| OutputError::Write {
                path: dir.to_path_buf(),
                source,
            })?;
            created_dir = Some(dir.to_path_buf());
        }
        // The directory itself may be a link: the user named it.
        Entry::Dir | Entry::Link if dir.is_dir() => {}
        _ => {
            return Err(OutputError::NotDirectory {
                path: dir.to_path_buf(),
            });
        }
    }
    let path = dir.join(LOCK);
    let write_err = |source| OutputError::Write {
        path: path.clone(),
        source,
    };
    let undo = |created: &Option<PathBuf>| {
        if let Some(d) = created {
            let _ = fs::remove_dir(d);
        }
    };
    // A lock file removed by its holder between our open and our lock is a stale inode:
    // open again (a holder removes it only when done, so a few tries are enough).
    for _ in 0..100 {
        if entry(&path)? == Entry::Link {
            undo(&created_dir);
            return Err(OutputError::Symlink { path });
        }
        let opened = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path);
        let mut file = match opened {
            Ok(file) => file,
            Err(e) => {
                undo(&created_dir);
                return Err(write_err(e));
            }
        };
        if !fs4::fs_std::FileExt::try_lock_exclusive(&file).map_err(write_err)? {
            let holder = fs::read_to_string(&path)
                .ok()
                .and_then(|t| t.trim().parse().ok());
            return Err(OutputError::Locked {
                dir: dir.to_path_buf(),
                lock: path,
                holder,
            });
        }
        let same = match (file.metadata(), fs::symlink_metadata(&path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        };
        if !same {
            continue;
        }
        // Who holds it, for the message of a run that finds it taken.
        file.set_len(0).map_err(write_err)?;
        writeln!(file, "{}", std::process::id()).map_err(write_err)?;
        return Ok(Some(Lock {
            _file: file,
            path,
            created_dir,
        }));
    }
    Err(OutputError::Locked {
        dir: dir.to_path_buf(),
        lock: path,
        holder: None,
    })
}

/// Test and interrupt hooks of [`apply`].
#[derive(Debug, Clone, Default)]
pub struct Hooks {
    /// Set by the SIGINT/SIGTERM handlers: the run rolls back at its next step.
    pub interrupted: Option<Arc<AtomicBool>>,
    /// Pause at a phase until a file appears (`IAM_CODEGEN_TEST_PAUSE`), for tests that
    /// interrupt a run at a known point.
    pub pause: Option<Pause>,
}

/// A test pause: at `phase` (`after-lock`, `after-stage`, `mid-place`, `before-commit`,
/// `mid-commit`), create `DIR/PHASE.reached` and wait until `DIR/PHASE.continue` exists or
/// the run is interrupted.
#[derive(Debug, Clone)]
pub struct Pause {
    /// The phase names to pause at.
    pub phases: Vec<String>,
    /// Where the `.reached`/`.continue` files are.
    pub dir: PathBuf,
}

impl Pause {
    /// From `IAM_CODEGEN_TEST_PAUSE=PHASE[,PHASE]` and `IAM_CODEGEN_TEST_PAUSE_DIR=DIR`; `None`
    /// unless both are set.
    pub fn from_env() -> Option<Self> {
        let phases = std::env::var("IAM_CODEGEN_TEST_PAUSE").ok()?;
        let dir = std::env::var_os("IAM_CODEGEN_TEST_PAUSE_DIR")?;
        Some(Self {
            phases: phases.split(',').map(str::to_string).collect(),
            dir: PathBuf::from(dir),
        })
    }
}

impl Hooks {
    fn is_interrupted(&self) -> bool {
        self.interrupted
            .as_ref()
            .is_some_and(|f| f.load(Ordering::SeqCst))
    }

    /// Wait at `phase` when a test asked to.
    pub fn pause_at(&self, phase: &str) {
        let Some(pause) = self
            .pause
            .as_ref()
            .filter(|p| p.phases.iter().any(|x| x == phase))
        else {
            return;
        };
        let _ = fs::write(pause.dir.join(format!("{phase}.reached")), b"");
        let go = pause.dir.join(format!("{phase}.continue"));
        while !go.exists() && !self.is_interrupted() {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
}

/// The phase a journal was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Phase {
    /// Files are being staged and renamed: a kill rolls back.
    Apply,
    /// Every file is in place; backups are being removed: a kill rolls forward.
    Commit,
}

/// One path of the journal, relative to the directory.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct JournalEntry {
    /// `A`, `M` or `D`.
    change: char,
    target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    temp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    backup: Option<String>,
}

/// What a run is about to do, written before its first visible change.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Journal {
    version: u32,
    pid: u32,
    phase: Phase,
    entries: Vec<JournalEntry>,
    /// Directories the run creates, parents first.
    dirs: Vec<String>,
}

fn rel_of(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn write_journal(dir: &Path, journal: &Journal) -> Result<(), OutputError> {
    let path = dir.join(JOURNAL);
    let temp = dir.join(format!("{JOURNAL}.{}.tmp", std::process::id()));
    let write = || -> io::Result<()> {
        let mut file = fs::File::create(&temp)?;
        file.write_all(iam_model::json::to_pretty(journal).as_bytes())?;
        file.sync_all()?;
        fs::rename(&temp, &path)?;
        // The rename itself must reach the disk before any file is touched.
        fs::File::open(dir)?.sync_all()
    };
    write().map_err(|source| {
        let _ = fs::remove_file(&temp);
        OutputError::Write {
            path: path.clone(),
            source,
        }
    })
}

fn read_journal(dir: &Path) -> Result<Option<Journal>, OutputError> {
    let Some((path, text)) = read_own_file(dir, JOURNAL)? else {
        return Ok(None);
    };
    let journal: Journal = serde_json::from_str(&text).map_err(|e| OutputError::Journal {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    let paths = journal
        .entries
        .iter()
        .flat_map(|e| [Some(&e.target), e.temp.as_ref(), e.backup.as_ref()])
        .flatten()
        .chain(&journal.dirs);
    for rel in paths {
        if !crate::emit::is_safe_relative_path(rel) || rel == JOURNAL || rel == LOCK {
            return Err(OutputError::Journal {
                path,
                reason: format!("`{rel}` is not a relative path inside the directory"),
            });
        }
    }
    if journal.version != 1 {
        return Err(OutputError::Journal {
            path,
            reason: format!("version {} is not 1", journal.version),
        });
    }
    Ok(Some(journal))
}

/// What a killed run left in `dir`, by the journal: the journal itself and every temporary
/// or backup file of it that exists, as relative paths. Empty when the last run ended.
pub fn leftovers(dir: &Path) -> Result<Vec<String>, OutputError> {
    let Some(journal) = read_journal(dir)? else {
        return Ok(Vec::new());
    };
    let mut found = vec![JOURNAL.to_string()];
    for e in &journal.entries {
        for rel in [&e.temp, &e.backup].into_iter().flatten() {
            if entry(&join(dir, rel))? != Entry::Missing {
                found.push(rel.clone());
            }
        }
    }
    found.sort();
    Ok(found)
}

/// What [`recover`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// The process id of the killed run.
    pub pid: u32,
    /// Whether the old generation was restored (`false`: the kill came after the last
    /// rename, and the new generation was kept).
    pub rolled_back: bool,
}

/// Undo what a killed run left (its journal), so that `dir` holds the generation before it;
/// when the journal says every file was in place, finish its clean-up instead. `None` when
/// there is no journal. Call it with the directory's [`lock`] held.
pub fn recover(dir: &Path) -> Result<Option<Recovered>, OutputError> {
    let Some(journal) = read_journal(dir)? else {
        return Ok(None);
    };
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| OutputError::Write { path, source }
    };
    let exists = |path: &Path| -> Result<bool, OutputError> { Ok(entry(path)? != Entry::Missing) };
    let rolled_back = journal.phase == Phase::Apply;
    for e in journal.entries.iter().rev() {
        let target = join(dir, &e.target);
        if let Some(temp) = &e.temp {
            let temp = join(dir, temp);
            if exists(&temp)? {
                fs::remove_file(&temp).map_err(write_err(&temp))?;
            }
        }
        let backup = e.backup.as_ref().map(|b| join(dir, b));
        match (rolled_back, backup) {
            // Roll forward: the new file is in place; the old one goes.
            (false, Some(backup)) => {
                if exists(&backup)? {
                    fs::remove_file(&backup).map_err(write_err(&backup))?;
                }
            }
            (false, None) => {}
            // Roll back a modified or deleted file: the backup is the old file.
            (true, Some(backup)) => {
                if exists(&backup)? {
                    fs::rename(&backup, &target).map_err(write_err(&target))?;
                }
            }
            // Roll back an added file: it was not there before.
            (true, None) => {
                if e.change == 'A' && entry(&target)? == Entry::File {
                    fs::remove_file(&target).map_err(write_err(&target))?;
                }
            }
        }
    }
    // Directories the run created (rolled back), or that its deletions emptied (rolled
    // forward), deepest first; only empty ones go.
    let mut dirs: Vec<PathBuf> = if rolled_back {
        journal.dirs.iter().map(|d| join(dir, d)).collect()
    } else {
        journal
            .entries
            .iter()
            .filter(|e| e.change == 'D')
            .flat_map(|e| {
                join(dir, &e.target)
                    .ancestors()
                    .skip(1)
                    .map(Path::to_path_buf)
                    .collect::<Vec<_>>()
            })
            .filter(|d| d.starts_with(dir) && d != dir)
            .collect()
    };
    dirs.sort();
    dirs.dedup();
    for d in dirs.iter().rev() {
        let _ = fs::remove_dir(d);
    }
    let path = dir.join(JOURNAL);
    fs::remove_file(&path).map_err(write_err(&path))?;
    Ok(Some(Recovered {
        pid: journal.pid,
        rolled_back,
    }))
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

/// A name for a temporary file in `dir` that does not exist yet and is not taken by this run.
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
struct Transaction<'h> {
    steps: Vec<Step>,
    hooks: &'h Hooks,
    dir: PathBuf,
    #[cfg(test)]
    fail_after: Option<usize>,
}

impl Transaction<'_> {
    fn check_fault(&mut self, path: &Path) -> Result<(), OutputError> {
        if self.hooks.is_interrupted() {
            return Err(OutputError::Interrupted {
                dir: self.dir.clone(),
            });
        }
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

    fn stage(&mut self, target: &Path, temp: &Path, bytes: &[u8]) -> Result<(), OutputError> {
        let parent = target.parent().unwrap_or(Path::new("."));
        self.create_dirs(parent)?;
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
        match write(temp) {
            Ok(()) => {
                self.steps.push(Step::Staged {
                    temp: temp.to_path_buf(),
                });
                Ok(())
            }
            Err(source) => {
                // create_new made it or nothing; remove what may be there.
                let _ = fs::remove_file(temp);
                // Name the file the user knows, not the temporary one.
                Err(OutputError::Write {
                    path: target.to_path_buf(),
                    source,
                })
            }
        }
    }

    fn move_aside(&mut self, target: &Path, backup: &Path) -> Result<(), OutputError> {
        self.check_fault(target)?;
        fs::rename(target, backup).map_err(|source| OutputError::Write {
            path: target.to_path_buf(),
            source,
        })?;
        self.steps.push(Step::MovedAside {
            target: target.to_path_buf(),
            backup: backup.to_path_buf(),
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

/// Make the directory what the plan says: all changes or none. `dir` must exist (see
/// [`lock`]).
pub fn apply(plan: &Plan, hooks: &Hooks) -> Result<(), OutputError> {
    apply_with(
        plan,
        Transaction {
            steps: Vec::new(),
            hooks,
            dir: plan.dir.clone(),
            #[cfg(test)]
            fail_after: None,
        },
    )
}

/// The names a run uses, fixed before the journal is written.
struct Names {
    journal: Journal,
    /// (relative path, temp, target, backup when the target is replaced), in plan order.
    writes: Vec<(String, PathBuf, PathBuf, Option<PathBuf>)>,
    /// (target, backup) of deleted files.
    deletes: Vec<(PathBuf, PathBuf)>,
}

fn names(plan: &Plan) -> Result<Names, OutputError> {
    let mut counter = 0;
    let mut entries = Vec::new();
    let mut writes = Vec::new();
    let mut deletes = Vec::new();
    let mut dirs = BTreeSet::new();
    for rel in plan.writes.keys() {
        let target = join(&plan.dir, rel);
        let parent = target.parent().unwrap_or(Path::new("."));
        let mut cursor = Some(parent);
        while let Some(d) = cursor.filter(|d| d.starts_with(&plan.dir) && *d != plan.dir) {
            if entry(d)? != Entry::Missing {
                break;
            }
            dirs.insert(rel_of(&plan.dir, d));
            cursor = d.parent();
        }
        let temp = free_name(parent, &mut counter, "tmp");
        let modified = plan.changes.get(rel) == Some(&Change::Modified);
        let backup = modified.then(|| free_name(parent, &mut counter, "old"));
        entries.push(JournalEntry {
            change: if modified { 'M' } else { 'A' },
            target: rel.clone(),
            temp: Some(rel_of(&plan.dir, &temp)),
            backup: backup.as_ref().map(|b| rel_of(&plan.dir, b)),
        });
        writes.push((rel.clone(), temp, target, backup));
    }
    for (rel, change) in &plan.changes {
        if *change == Change::Deleted {
            let target = join(&plan.dir, rel);
            let parent = target.parent().unwrap_or(Path::new("."));
            let backup = free_name(parent, &mut counter, "old");
            entries.push(JournalEntry {
                change: 'D',
                target: rel.clone(),
                temp: None,
                backup: Some(rel_of(&plan.dir, &backup)),
            });
            deletes.push((target, backup));
        }
    }
    Ok(Names {
        journal: Journal {
            version: 1,
            pid: std::process::id(),
            phase: Phase::Apply,
            entries,
            dirs: dirs.into_iter().collect(),
        },
        writes,
        deletes,
    })
}

fn apply_with(plan: &Plan, mut tx: Transaction<'_>) -> Result<(), OutputError> {
    if let Err(e) = tx.create_dirs(&plan.dir) {
        tx.roll_back();
        return Err(e);
    }
    let journaled = names(plan).and_then(|names| {
        write_journal(&plan.dir, &names.journal)?;
        Ok(names)
    });
    let mut names = match journaled {
        Ok(names) => names,
        Err(e) => {
            tx.roll_back();
            return Err(e);
        }
    };
    match run(plan, &names, &mut tx) {
        Ok(deleted) => {
            // Every file is in place: from here a kill rolls forward.
            names.journal.phase = Phase::Commit;
            write_journal(&plan.dir, &names.journal)?;
            tx.hooks.pause_at("mid-commit");
            tx.commit(&deleted, &plan.dir);
            remove_journal(&plan.dir)
        }
        Err(e) => {
            tx.roll_back();
            // The journal goes last: until the roll back is done, it is what undoes the run.
            let _ = remove_journal(&plan.dir);
            Err(e)
        }
    }
}

fn remove_journal(dir: &Path) -> Result<(), OutputError> {
    let path = dir.join(JOURNAL);
    fs::remove_file(&path).map_err(|source| OutputError::Write { path, source })
}

fn run(plan: &Plan, names: &Names, tx: &mut Transaction<'_>) -> Result<Vec<PathBuf>, OutputError> {
    // Stage every new file first: most failures (space, permissions) happen here, before
    // anything visible has changed. The manifest sorts first (`.`) but is placed last.
    for (rel, temp, target, _) in &names.writes {
        let bytes = plan.writes.get(rel).map(Vec::as_slice).unwrap_or_default();
        tx.stage(target, temp, bytes)?;
    }
    tx.hooks.pause_at("after-stage");
    let mut deleted = Vec::new();
    for (target, backup) in &names.deletes {
        tx.move_aside(target, backup)?;
        deleted.push(target.clone());
    }
    let (manifest, files): (Vec<_>, Vec<_>) =
        names.writes.iter().partition(|(rel, ..)| rel == MANIFEST);
    let half = files.len() / 2;
    for (i, (_, temp, target, backup)) in files.into_iter().chain(manifest).enumerate() {
        if i == half {
            tx.hooks.pause_at("mid-place");
        }
        if let Some(backup) = backup {
            tx.move_aside(target, backup)?;
        }
        tx.place(temp, target)?;
    }
    tx.hooks.pause_at("before-commit");
    // The last chance to undo: an interrupt that came while paused (or just now) rolls back.
    tx.check_fault(&plan.dir)?;
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
        apply(&plan, &Hooks::default()).unwrap();
        fs::write(dir.join("mine.txt"), "user\n").unwrap();
        assert!(super::plan(&dir, &first, false).unwrap().is_clean());

        let second = files(&[("a/x.json", "1 changed\n"), ("z.txt", "3\n")]);
        let plan = super::plan(&dir, &second, false).unwrap();
        assert_eq!(
            changes(&plan),
            ["M .iam-codegen-manifest.json", "D a/b/y.json", "M a/x.json"]
        );
        assert_eq!(plan.unchanged(), 1);
        apply(&plan, &Hooks::default()).unwrap();
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
        apply(&plan(&dir, &first, false).unwrap(), &Hooks::default()).unwrap();
        fs::write(dir.join("mine.txt"), "user\n").unwrap();
        let before = snapshot(&dir);
        let second = files(&[
            ("a/x.json", "changed\n"),
            ("c/d/new.json", "4\n"),
            ("z.txt", "3\n"),
        ]);
        let plan = plan(&dir, &second, false).unwrap();
        // Count the steps of a full run, then fail at each one in turn.
        let hooks = Hooks::default();
        let mut n = 0;
        loop {
            let tx = Transaction {
                steps: Vec::new(),
                hooks: &hooks,
                dir: dir.clone(),
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
