//! Checks: findings with a stable code, a severity, a JSON-pointer path, a message and help.
//!
//! Problems in a policy or a model are findings, not errors: every check runs and all
//! findings are collected in a [`Report`].
pub mod catalog;
pub mod model;
pub mod policy;

use std::fmt;

pub use model::validate;
pub use policy::{check_policy, check_policy_json};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// AWS would reject the input, or it does not do what it says.
    Error,
    /// AWS accepts it, but it is risky, outdated or against the seeds' practices.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found by a check.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Finding {
    /// A stable code such as `missing-resource`.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// A JSON pointer into the checked document (`/Statement/2/Action/0`).
    pub path: String,
    /// What is wrong, in one line.
    pub message: String,
    /// Why it matters and how to fix it.
    pub help: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} {}: {}",
            self.path, self.severity, self.code, self.message
        )
    }
}

/// A finding the model accepts (`allow_findings`), with the reason given there.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Allowed {
    /// The finding, as it would have been reported.
    #[serde(flatten)]
    pub finding: Finding,
    /// Why the model's authors accept it.
    pub reason: String,
}

/// The findings of a check, in the order they were found, and the findings the model
/// accepts (serialised as the list of findings alone).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Report {
    findings: Vec<Finding>,
    #[serde(skip)]
    allowed: Vec<Allowed>,
}

impl Report {
    /// An empty report.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a finding.
    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Add an error.
    pub fn error(
        &mut self,
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.push(Finding {
            code,
            severity: Severity::Error,
            path: path.into(),
            message: message.into(),
            help: help.into(),
        });
    }

    /// Add a warning.
    pub fn warning(
        &mut self,
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.push(Finding {
            code,
            severity: Severity::Warning,
            path: path.into(),
            message: message.into(),
            help: help.into(),
        });
    }

    /// Add every finding of another report.
    pub fn extend(&mut self, other: Report) {
        self.findings.extend(other.findings);
    }

    /// Every finding.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The error-severity findings.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }

    /// The warning-severity findings.
    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
    }

    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// Whether there are no findings.
    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }

    /// The findings, consumed.
    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    /// The findings the model accepts, with their reasons; they are not in
    /// [`Report::findings`].
    pub fn allowed(&self) -> &[Allowed] {
        &self.allowed
    }

    /// Accept findings: each one whose `(code, path)` is in `allowances` moves from the
    /// findings to [`Report::allowed`] with the reason given there. Returns, for each
    /// allowance, whether it matched a finding.
    pub fn allow<'a>(
        &mut self,
        allowances: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    ) -> Vec<bool> {
        let allowances: Vec<(&str, &str, &str)> = allowances.into_iter().collect();
        let mut used = vec![false; allowances.len()];
        let mut kept = Vec::with_capacity(self.findings.len());
        for finding in std::mem::take(&mut self.findings) {
            let found = allowances
                .iter()
                .position(|(code, path, _)| *code == finding.code && *path == finding.path);
            match found.and_then(|i| Some((used.get_mut(i)?, allowances.get(i)?))) {
                Some((flag, (_, _, reason))) => {
                    *flag = true;
                    self.allowed.push(Allowed {
                        finding,
                        reason: (*reason).to_string(),
                    });
                }
                None => kept.push(finding),
            }
        }
        self.findings = kept;
        used
    }
}
