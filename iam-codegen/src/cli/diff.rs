//! `iam-codegen diff OLD NEW`: the change in access between two models, computed by the
//! evaluator ([`iam_model::eval::diff`]).
use std::io::{self, Write};
use std::path::PathBuf;

use clap::Args;
use iam_model::eval::diff::{AccessDiff, Change, Rename};

use super::access::{Loaded, load};
use super::{CliError, ExitStatus, Format};
use crate::escape::terminal;

/// Arguments of `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The model before the change.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The model after the change.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Markdown for a pull-request comment instead of text (ignored with `--format json`).
    #[arg(long)]
    pub markdown: bool,
}

/// Run `diff`. Exit 0 when no access is added, 5 when some is, 3 when a model has
/// validation errors, 1 when one cannot be read.
pub fn run(
    args: &DiffArgs,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, CliError> {
    let Loaded::Model(old) = load(&args.old, format, out, err)? else {
        return Ok(ExitStatus::Invalid);
    };
    let Loaded::Model(new) = load(&args.new, format, out, err)? else {
        return Ok(ExitStatus::Invalid);
    };
    let result = iam_model::eval::diff::diff(&old, &new);
    let text = match (format, args.markdown) {
        (Format::Json, _) => json(&result),
        (Format::Text, false) => text(&result),
        (Format::Text, true) => markdown(&result),
    };
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(CliError::Write(e)),
    }
    Ok(if result.grants_access() {
        ExitStatus::NewAccess
    } else {
        ExitStatus::Success
    })
}

/// `group `old` -> `new``, `iam-role `old` -> `new` in `account``, then ` (and changed)`
/// when its definition changed too.
fn rename_text(r: &Rename) -> String {
    let changed = if r.changed { " (and changed)" } else { "" };
    match &r.account {
        Some(account) => format!(
            "{} `{}` -> `{}` in `{account}`{changed}",
            r.kind, r.old, r.new
        ),
        None => format!("{} `{}` -> `{}`{changed}", r.kind, r.old, r.new),
    }
}

fn counts(d: &AccessDiff) -> (usize, usize) {
    let granted = d.changes.iter().filter(|c| c.grants()).count();
    (granted, d.changes.len() - granted)
}

fn context_text(c: &Change) -> String {
    if c.context.is_empty() {
        String::new()
    } else {
        let pairs: Vec<String> = c.context.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!(" with {}", pairs.join(", "))
    }
}

/// One line per change (`+` granted, `-` revoked) with its deciding statements, then the
/// fence changes and the new administrators.
pub fn text(d: &AccessDiff) -> String {
    let (granted, revoked) = counts(d);
    let mut s: String = d
        .renames
        .iter()
        .map(|r| format!("renamed: {}\n", terminal(&rename_text(r))))
        .collect();
    if d.changes.is_empty() && d.fences.is_empty() {
        s.push_str("no access change\n");
        return s;
    }
    s.push_str(&format!(
        "{granted} granted, {revoked} revoked, {} SCP/RCP changes\n",
        d.fences.len()
    ));
    for c in &d.changes {
        s.push_str(&format!(
            "{} {} in `{}`: {} on `{}`{} ({}): {} -> {}\n",
            if c.grants() { "+" } else { "-" },
            terminal(&c.principal),
            terminal(&c.account),
            terminal(&c.action),
            terminal(&c.resource),
            terminal(&context_text(c)),
            c.subject.label(),
            c.before,
            c.after
        ));
        for a in &c.allowed_by {
            s.push_str(&format!("    allowed by: {}\n", terminal(a)));
        }
        for a in &c.denied_by {
            s.push_str(&format!("    denied by: {}\n", terminal(a)));
        }
    }
    for f in &d.fences {
        s.push_str(&format!(
            "fence: {} `{}` {} in `{}`\n",
            f.kind.to_ascii_uppercase(),
            terminal(&f.policy),
            f.change,
            terminal(&f.account)
        ));
    }
    for (principal, account) in d.new_admins() {
        s.push_str(&format!(
            "new admin: {} in `{}`\n",
            terminal(principal),
            terminal(account)
        ));
    }
    s
}

/// Markdown text for a table cell or a list item ([`crate::escape::markdown`]).
fn cell(text: &str) -> String {
    crate::escape::markdown(text).into_owned()
}

/// A pull-request comment: a summary line, a table of the changes with their deciding
/// statements, the fence changes and the new administrators.
pub fn markdown(d: &AccessDiff) -> String {
    let (granted, revoked) = counts(d);
    let mut s = "### Access review\n\n".to_string();
    if !d.renames.is_empty() {
        if d.renames.iter().any(|r| r.changed) {
            s.push_str("**Renamed** (what else changed is below, under the new name)\n\n");
        } else {
            s.push_str("**Renamed** (no access change of their own)\n\n");
        }
        for r in &d.renames {
            let account = r
                .account
                .as_deref()
                .map(|a| format!(" in {}", cell(a)))
                .unwrap_or_default();
            s.push_str(&format!(
                "- {} {} → {}{account}{}\n",
                r.kind,
                cell(&r.old),
                cell(&r.new),
                if r.changed { " (and changed)" } else { "" }
            ));
        }
        s.push('\n');
    }
    if d.changes.is_empty() && d.fences.is_empty() {
        s.push_str("No access change.\n");
        return s;
    }
    s.push_str(&format!(
        "**{granted} granted**, {revoked} revoked, {} SCP/RCP changes.\n\n",
        d.fences.len()
    ));
    if !d.changes.is_empty() {
        s.push_str("| | Principal | Account | What | Action | Resource | Before | After | Deciding statements |\n");
        s.push_str("|---|---|---|---|---|---|---|---|---|\n");
        for c in &d.changes {
            let mut why: Vec<String> = c
                .allowed_by
                .iter()
                .map(|a| format!("allowed by {}", cell(a)))
                .collect();
            why.extend(c.denied_by.iter().map(|a| format!("denied by {}", cell(a))));
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {}{} | {} | {} | {} |\n",
                if c.grants() { "➕" } else { "➖" },
                cell(&c.principal),
                cell(&c.account),
                cell(&c.subject.label()),
                cell(&c.action),
                cell(&c.resource),
                cell(&context_text(c)),
                c.before,
                c.after,
                why.join("<br>")
            ));
        }
    }
    if !d.fences.is_empty() {
        s.push_str("\n**SCP/RCP changes**\n\n");
        for f in &d.fences {
            s.push_str(&format!(
                "- {} {} {} in {}\n",
                f.kind.to_ascii_uppercase(),
                cell(&f.policy),
                f.change,
                cell(&f.account)
            ));
        }
    }
    let admins = d.new_admins();
    if !admins.is_empty() {
        s.push_str("\n**New administrators**\n\n");
        for (principal, account) in admins {
            s.push_str(&format!("- {} in {}\n", cell(principal), cell(account)));
        }
    }
    s
}

fn json(d: &AccessDiff) -> String {
    let admins: Vec<serde_json::Value> = d
        .new_admins()
        .into_iter()
        .map(|(p, a)| serde_json::json!({"principal": p, "account": a}))
        .collect();
    iam_model::json::to_pretty(&serde_json::json!({
        "version": 1,
        "new_access": d.grants_access(),
        "changes": d.changes,
        "fences": d.fences,
        "renames": d.renames,
        "new_admins": admins,
    }))
}
