//! `iam-codegen catalog`: look up actions in the service catalogue.
use std::io::Write;

use clap::{Args, Subcommand};
use iam_catalog::{AccessLevel, KnownAction, Service};
use serde_json::{Value, json};

use super::{CliError, ExitStatus, Format};

/// Arguments of `iam-codegen catalog`.
#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// What to look up.
    #[command(subcommand)]
    pub command: CatalogCommand,
}

/// The `catalog` subcommands.
#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Show one action: access level, resource types (ARN pattern, required), condition keys.
    Action {
        /// `service:Action`, any case.
        name: String,
    },
    /// List the actions an IAM wildcard pattern matches (`s3:Get*`).
    Expand {
        /// `service:Pattern` with `*` and `?`, or `*`.
        pattern: String,
    },
    /// List the actions of a service.
    Actions {
        /// The service prefix (`s3`).
        service: String,
        /// Only actions with this access level (list, read, write, tagging, permissions-management).
        #[arg(long)]
        access: Option<String>,
    },
}

/// Errors of `iam-codegen catalog`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The action is not in the catalogue.
    #[error("unknown action `{name}`{}", did_you_mean(suggestions))]
    Action {
        /// What the user wrote.
        name: String,
        /// Close action names.
        suggestions: Vec<String>,
    },
    /// The service prefix is not in the catalogue.
    #[error("unknown service `{prefix}`{}", did_you_mean(suggestions))]
    Service {
        /// What the user wrote.
        prefix: String,
        /// Close prefixes.
        suggestions: Vec<String>,
    },
    /// The access level is not one AWS uses.
    #[error(
        "unknown access level `{0}`: expected list, read, write, tagging or permissions-management"
    )]
    AccessLevel(String),
}

fn did_you_mean(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(
            "; did you mean {}?",
            suggestions
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// Run `iam-codegen catalog`.
pub fn run(args: CatalogArgs, format: Format, out: &mut dyn Write) -> Result<ExitStatus, CliError> {
    match args.command {
        CatalogCommand::Action { name } => {
            let action = KnownAction::lookup(&name).ok_or_else(|| CatalogError::Action {
                suggestions: iam_catalog::closest_actions(&name, 3)
                    .into_iter()
                    .map(KnownAction::full_name)
                    .collect(),
                name,
            })?;
            match format {
                Format::Json => {
                    write_json(out, &json!({"version": 1, "action": action_json(action)}))?
                }
                Format::Text => write_action_text(out, action).map_err(CliError::Write)?,
            }
        }
        CatalogCommand::Expand { pattern } => {
            let actions: Vec<KnownAction> = iam_catalog::expand(&pattern).collect();
            write_list(out, format, json!({"pattern": pattern}), &actions)?;
        }
        CatalogCommand::Actions { service, access } => {
            let svc = Service::from_prefix(&service).ok_or_else(|| CatalogError::Service {
                suggestions: iam_catalog::closest_services(&service, 3)
                    .iter()
                    .map(|s| s.prefix().to_owned())
                    .collect(),
                prefix: service.clone(),
            })?;
            let level = match access {
                Some(text) => {
                    Some(AccessLevel::from_name(&text).ok_or(CatalogError::AccessLevel(text))?)
                }
                None => None,
            };
            let actions: Vec<KnownAction> = svc
                .actions()
                .filter(|a| level.is_none_or(|l| a.access_levels().contains(l)))
                .collect();
            let head = json!({"service": svc.prefix(), "name": svc.name(), "access": level.map(AccessLevel::as_str)});
            write_list(out, format, head, &actions)?;
        }
    }
    Ok(ExitStatus::Success)
}

fn action_json(action: KnownAction) -> Value {
    json!({
        "name": action.full_name(),
        "access": action.access_levels().to_string(),
        "resourceTypes": action.resource_types().map(|(rt, required)| json!({
            "name": rt.name(),
            "arn": rt.arn_pattern(),
            "required": required,
        })).collect::<Vec<_>>(),
        "conditionKeys": action.condition_keys().map(|k| json!({
            "name": k.name(),
            "type": k.value_type().as_str(),
        })).collect::<Vec<_>>(),
        "dependentActions": action.dependent_actions().map(KnownAction::full_name).collect::<Vec<_>>(),
        "deprecated": action.is_deprecated(),
        "description": action.description(),
    })
}

fn write_action_text(out: &mut dyn Write, action: KnownAction) -> std::io::Result<()> {
    writeln!(
        out,
        "{action}{}",
        if action.is_deprecated() {
            " (deprecated)"
        } else {
            ""
        }
    )?;
    if let Some(description) = action.description() {
        writeln!(out, "  {description}")?;
    }
    writeln!(out, "access: {}", action.access_levels())?;
    if action.resource_types().len() == 0 {
        writeln!(out, "resource types: none (Resource \"*\")")?;
    } else {
        writeln!(out, "resource types:")?;
        for (rt, required) in action.resource_types() {
            writeln!(
                out,
                "  {}{}  {}",
                rt.name(),
                if required { " (required)" } else { "" },
                rt.arn_pattern()
            )?;
        }
    }
    if action.condition_keys().len() > 0 {
        writeln!(out, "condition keys:")?;
        for key in action.condition_keys() {
            writeln!(out, "  {}  {}", key.name(), key.value_type())?;
        }
    }
    Ok(())
}

fn write_list(
    out: &mut dyn Write,
    format: Format,
    head: Value,
    actions: &[KnownAction],
) -> Result<(), CliError> {
    match format {
        Format::Json => {
            let mut doc = json!({"version": 1});
            if let (Some(doc), Value::Object(head)) = (doc.as_object_mut(), head) {
                doc.extend(head);
                doc.insert(
                    "actions".to_owned(),
                    actions
                        .iter()
                        .map(|a| json!({"name": a.full_name(), "access": a.access_levels().to_string(), "deprecated": a.is_deprecated()}))
                        .collect(),
                );
            }
            write_json(out, &doc)
        }
        Format::Text => {
            for action in actions {
                let note = if action.is_deprecated() {
                    "  (deprecated)"
                } else {
                    ""
                };
                writeln!(out, "{action}  {}{note}", action.access_levels())
                    .map_err(CliError::Write)?;
            }
            Ok(())
        }
    }
}

fn write_json(out: &mut dyn Write, value: &Value) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::Write(e.into()))?;
    writeln!(out, "{text}").map_err(CliError::Write)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::super::{Cli, run as run_cli};
    use super::*;

    fn run_args(args: &[&str]) -> (Result<ExitStatus, CliError>, String) {
        let cli = Cli::try_parse_from(args).expect("parse");
        let mut out = Vec::new();
        let mut err = Vec::new();
        let status = run_cli(cli, &mut out, &mut err);
        (status, String::from_utf8(out).expect("utf8"))
    }

    #[test]
    fn action_text_shows_access_and_resources() {
        let (status, out) = run_args(&["iam-codegen", "catalog", "action", "s3:getobject"]);
        assert_eq!(status.expect("ok"), ExitStatus::Success);
        assert!(out.starts_with("s3:GetObject\n  Grants permission to retrieve objects from Amazon S3\naccess: Read\n"), "{out}");
        assert!(
            out.contains("  object  arn:${Partition}:s3:::${BucketName}/${ObjectName}\n"),
            "{out}"
        );
    }

    #[test]
    fn action_json_is_one_document() {
        let (_, out) = run_args(&[
            "iam-codegen",
            "--format",
            "json",
            "catalog",
            "action",
            "iam:PassRole",
        ]);
        let v: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["version"], 1);
        assert_eq!(v["action"]["name"], "iam:PassRole");
        assert_eq!(v["action"]["resourceTypes"][0]["required"], true);
        assert_eq!(v["action"]["deprecated"], false);
    }

    #[test]
    fn unknown_action_suggests_a_name() {
        let (status, _) = run_args(&["iam-codegen", "catalog", "action", "s3:GetObjet"]);
        let err = status.expect_err("unknown");
        assert_eq!(
            err.to_string(),
            "unknown action `s3:GetObjet`; did you mean `s3:GetObject`, `s3:PutObject`?"
        );
    }

    #[test]
    fn expand_and_actions_list_names() {
        let (_, out) = run_args(&["iam-codegen", "catalog", "expand", "s3:GetObjectT*"]);
        assert_eq!(
            out,
            "s3:GetObjectTagging  Read\ns3:GetObjectTorrent  Read\n"
        );
        let (_, out) = run_args(&[
            "iam-codegen",
            "--format",
            "json",
            "catalog",
            "actions",
            "s3",
            "--access",
            "write",
        ]);
        let v: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["service"], "s3");
        assert!(
            v["actions"]
                .as_array()
                .expect("array")
                .iter()
                .any(|a| a["name"] == "s3:PutObject")
        );
        let (status, _) = run_args(&["iam-codegen", "catalog", "actions", "s4"]);
        assert!(
            status
                .expect_err("unknown")
                .to_string()
                .starts_with("unknown service `s4`; did you mean `s3`")
        );
    }
}
