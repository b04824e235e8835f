//! `generate --out DIR` interrupted and run concurrently, through the real binary: a large
//! model (the synthetic organization) is generated over an older generation and stopped at
//! each phase by the test hook (`IAM_CODEGEN_TEST_PAUSE=PHASE`, `IAM_CODEGEN_TEST_PAUSE_DIR`:
//! the run creates `PHASE.reached` and waits for `PHASE.continue`), never by timing. After
//! SIGINT the directory is exactly the old generation; after SIGKILL, `--check` reports the
//! leftovers and the next run restores a whole generation. Two runs on one directory: the
//! second fails fast while the first holds the lock.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers: a failure fails the test loudly"
)]
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use iam_model::model::synthetic::organization;

const PHASES: [&str; 5] = [
    "after-lock",
    "after-stage",
    "mid-place",
    "before-commit",
    "mid-commit",
];

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_iam-codegen"))
}

/// Every file under `dir` with its bytes, and every directory as `path/`.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                stack.push(p);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

struct Fixture {
    tmp: tempfile::TempDir,
    old_model: PathBuf,
    new_model: PathBuf,
    old_generation: BTreeMap<String, Vec<u8>>,
    new_generation: BTreeMap<String, Vec<u8>>,
}

/// `generate MODEL --out DIR` to the end; its output.
fn generate(model: &Path, dir: &Path, more: &[&str]) -> Output {
    bin()
        .arg("generate")
        .arg(model)
        .arg("--out")
        .arg(dir)
        .args(more)
        .output()
        .unwrap()
}

impl Fixture {
    /// Two generations that differ by added, modified and removed files: 80 accounts
    /// become 70 (removed templates, modules and profiles), a permission set and 20 users
    /// are added, and the assignments change.
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let old_model = tmp.path().join("old.json");
        let new_model = tmp.path().join("new.json");
        std::fs::write(&old_model, organization(80, 8, 30, 150, 800).to_json()).unwrap();
        std::fs::write(&new_model, organization(70, 9, 30, 170, 850).to_json()).unwrap();
        let reference = |model: &Path, name: &str| {
            let dir = tmp.path().join(name);
            let out = generate(model, &dir, &[]);
            assert_eq!(out.status.code(), Some(0), "{out:?}");
            snapshot(&dir)
        };
        let old_generation = reference(&old_model, "old-reference");
        let new_generation = reference(&new_model, "new-reference");
        assert!(
            old_generation.len() > 1000,
            "{} files",
            old_generation.len()
        );
        let changed = new_generation
            .iter()
            .filter(|(p, b)| old_generation.get(*p).is_some_and(|o| o != *b))
            .count();
        let added = new_generation
            .keys()
            .filter(|p| !old_generation.contains_key(*p))
            .count();
        let removed = old_generation
            .keys()
            .filter(|p| !new_generation.contains_key(*p))
            .count();
        assert!(
            changed > 10 && added > 10 && removed > 10,
            "{changed} {added} {removed}"
        );
        Self {
            tmp,
            old_model,
            new_model,
            old_generation,
            new_generation,
        }
    }

    /// A directory holding the old generation, and an empty directory for the pause files.
    fn old_directory(&self, name: &str) -> (PathBuf, PathBuf) {
        let dir = self.tmp.path().join(name);
        assert_eq!(generate(&self.old_model, &dir, &[]).status.code(), Some(0));
        assert_eq!(snapshot(&dir), self.old_generation);
        let pause = self.tmp.path().join(format!("{name}-pause"));
        std::fs::create_dir(&pause).unwrap();
        (dir, pause)
    }

    /// Start `generate NEW --out dir`, paused at `phase`; returns once it is there.
    fn start_paused(&self, dir: &Path, pause: &Path, phase: &str) -> Child {
        let mut child = bin()
            .arg("generate")
            .arg(&self.new_model)
            .arg("--out")
            .arg(dir)
            .env("IAM_CODEGEN_TEST_PAUSE", phase)
            .env("IAM_CODEGEN_TEST_PAUSE_DIR", pause)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let reached = pause.join(format!("{phase}.reached"));
        let start = Instant::now();
        while !reached.exists() {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the run ended ({status}) before reaching `{phase}`");
            }
            assert!(
                start.elapsed() < Duration::from_secs(300),
                "the run did not reach `{phase}`"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        child
    }
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn sigint_and_sigterm_at_any_phase_leave_a_whole_generation() {
    let f = Fixture::new();
    for (i, phase) in PHASES.iter().enumerate() {
        let name = if i % 2 == 0 { "INT" } else { "TERM" };
        let (dir, pause) = f.old_directory(&format!("int-{phase}"));
        let child = f.start_paused(&dir, &pause, phase);
        signal(&child, name);
        let out = child.wait_with_output().unwrap();
        if *phase == "mid-commit" {
            // Every file was in place: the run finishes with the new generation.
            assert_eq!(out.status.code(), Some(0), "{phase}: {}", stderr(&out));
            assert_eq!(snapshot(&dir), f.new_generation, "{phase}");
        } else {
            assert_eq!(out.status.code(), Some(1), "{phase}: {}", stderr(&out));
            assert_eq!(
                stderr(&out),
                format!(
                    "error: interrupted: every change to `{}` was undone\n",
                    dir.display()
                ),
                "{phase}"
            );
            assert_eq!(snapshot(&dir), f.old_generation, "{phase}");
        }
        // The next run completes.
        assert_eq!(generate(&f.new_model, &dir, &[]).status.code(), Some(0));
        assert_eq!(snapshot(&dir), f.new_generation, "{phase}");
    }
}

#[test]
fn after_sigkill_check_reports_leftovers_and_the_next_run_restores_a_generation() {
    let f = Fixture::new();
    for phase in PHASES {
        let (dir, pause) = f.old_directory(&format!("kill-{phase}"));
        let child = f.start_paused(&dir, &pause, phase);
        signal(&child, "KILL");
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), None, "{phase}: killed by a signal");
        // `--check` (which writes nothing) sees the leftovers as drift.
        let check = generate(&f.old_model, &dir, &["--check"]);
        let listed = String::from_utf8_lossy(&check.stdout).into_owned();
        if phase == "after-lock" {
            // Killed before its journal: nothing was changed but the lock file it left
            // (unlocked; not an artifact).
            assert_eq!(
                (check.status.code(), listed.as_str()),
                (Some(0), ""),
                "{phase}"
            );
        } else {
            assert_eq!(check.status.code(), Some(1), "{phase}");
            assert!(
                listed.contains("X .iam-codegen-journal.json\n"),
                "{phase}: {listed}"
            );
        }
        // The old model's run undoes the killed one and finds the old generation whole.
        let again = generate(&f.old_model, &dir, &[]);
        assert_eq!(again.status.code(), Some(0), "{phase}: {}", stderr(&again));
        let said = stderr(&again);
        match phase {
            "after-lock" => assert!(!said.contains("interrupted run"), "{said}"),
            "mid-commit" => assert!(
                said.starts_with(&format!(
                    "{}: finished the clean-up left by an interrupted run (pid {})\n",
                    dir.display(),
                    out_pid(&said)
                )),
                "{phase}: {said}"
            ),
            _ => {
                assert!(
                    said.starts_with(&format!(
                        "{}: undid the changes left by an interrupted run (pid {})\n",
                        dir.display(),
                        out_pid(&said)
                    )),
                    "{phase}: {said}"
                );
                // Rolled back to the old generation: nothing left to change.
                assert!(
                    said.contains(": 0 added, 0 modified, 0 removed, "),
                    "{phase}: {said}"
                );
            }
        }
        assert_eq!(snapshot(&dir), f.old_generation, "{phase}");
        assert_eq!(generate(&f.new_model, &dir, &[]).status.code(), Some(0));
        assert_eq!(snapshot(&dir), f.new_generation, "{phase}");
    }
}

/// The pid in `… (pid N)` of a message.
fn out_pid(text: &str) -> String {
    text.split("(pid ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_second_run_fails_fast_while_the_first_holds_the_lock() {
    let f = Fixture::new();
    let (dir, pause) = f.old_directory("concurrent");
    let first = f.start_paused(&dir, &pause, "after-stage");
    let second = generate(&f.old_model, &dir, &[]);
    assert_eq!(second.status.code(), Some(1));
    assert_eq!(
        stderr(&second),
        format!(
            "error: `{}` is being written by another iam-codegen run (it holds `{}`, pid {}); wait for it to end and run again\n",
            dir.display(),
            dir.join(".iam-codegen.lock").display(),
            first.id()
        )
    );
    std::fs::write(pause.join("after-stage.continue"), "").unwrap();
    let out = first.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(snapshot(&dir), f.new_generation);

    // Two runs started together: each one either completes or is refused, and the directory
    // is the generation of one of them, whole.
    let runs: Vec<Child> = [&f.old_model, &f.new_model]
        .into_iter()
        .map(|model| {
            bin()
                .arg("generate")
                .arg(model)
                .arg("--out")
                .arg(&dir)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outcomes: Vec<Output> = runs
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for out in &outcomes {
        match out.status.code() {
            Some(0) => {}
            Some(1) => assert!(
                stderr(out).contains("is being written by another iam-codegen run"),
                "{}",
                stderr(out)
            ),
            other => panic!("{other:?}: {}", stderr(out)),
        }
    }
    assert!(outcomes.iter().any(|o| o.status.code() == Some(0)));
    let now = snapshot(&dir);
    assert!(now == f.old_generation || now == f.new_generation);
}
