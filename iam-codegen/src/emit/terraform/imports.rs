//! `import` blocks for the IAM resources of each module (`<dir>/imports.tf.json`), for a
//! model imported from a live account (`iam-codegen import`): the first `terraform plan`
//! adopts what exists instead of creating it.
//!
//! Read from the rendered modules, so it follows whatever resources and names the emitter
//! writes: each IAM resource gets the import id its provider documentation gives (a name,
//! an ARN, or `holder/policy-arn`, `holder:policy`, `user/group1/group2` for attachments,
//! inline policies and memberships). Organizations, Identity Center and budget resources
//! have ids the model does not hold (OU, policy, permission set and group ids), so they get
//! none; member accounts get theirs from the management module
//! ([`super::TerraformOptions::import_accounts`]).
use serde_json::{Map, Value, json};

use crate::emit::{Artifacts, EmitError};

/// The file next to each `main.tf.json`.
pub const FILE: &str = "imports.tf.json";

fn unescape(text: &str) -> String {
    text.replace("$${", "${").replace("%%{", "%{")
}

/// The module's resources: type → name → body.
struct Resources<'a> {
    resources: &'a Map<String, Value>,
    account: String,
}

impl Resources<'_> {
    fn body(&self, ty: &str, name: &str) -> Option<&Map<String, Value>> {
        self.resources.get(ty)?.get(name)?.as_object()
    }

    fn attr(&self, body: &Map<String, Value>, key: &str) -> Option<String> {
        self.value(body.get(key)?.as_str()?)
    }

    /// A literal, or the value a `${type.name.attribute}` reference stands for.
    fn value(&self, text: &str) -> Option<String> {
        let Some(inner) = text.strip_prefix("${").and_then(|t| t.strip_suffix('}')) else {
            return Some(unescape(text));
        };
        let mut parts = inner.split('.');
        let (ty, name, attribute) = (parts.next()?, parts.next()?, parts.next()?);
        let body = self.body(ty, name)?;
        match (ty, attribute) {
            (_, "name") => self.attr(body, "name"),
            ("aws_iam_policy", "arn") => Some(self.policy_arn(body)?),
            _ => None,
        }
    }

    fn policy_arn(&self, body: &Map<String, Value>) -> Option<String> {
        let path = self.attr(body, "path").unwrap_or_else(|| "/".to_string());
        let name = self.attr(body, "name")?;
        Some(format!("arn:aws:iam::{}:policy{path}{name}", self.account))
    }

    /// The import id of one resource, if it is an IAM resource.
    fn id(&self, ty: &str, body: &Map<String, Value>) -> Option<String> {
        let attr = |k: &str| self.attr(body, k);
        match ty {
            "aws_iam_role" | "aws_iam_user" | "aws_iam_group" | "aws_iam_instance_profile" => {
                attr("name")
            }
            "aws_iam_policy" => self.policy_arn(body),
            "aws_iam_openid_connect_provider" => {
                let url = attr("url")?;
                let host = url.strip_prefix("https://").unwrap_or(&url).to_string();
                Some(format!(
                    "arn:aws:iam::{}:oidc-provider/{host}",
                    self.account
                ))
            }
            "aws_iam_saml_provider" => Some(format!(
                "arn:aws:iam::{}:saml-provider/{}",
                self.account,
                attr("name")?
            )),
            "aws_iam_role_policy" => Some(format!("{}:{}", attr("role")?, attr("name")?)),
            "aws_iam_user_policy" => Some(format!("{}:{}", attr("user")?, attr("name")?)),
            "aws_iam_group_policy" => Some(format!("{}:{}", attr("group")?, attr("name")?)),
            "aws_iam_role_policy_attachment" => {
                Some(format!("{}/{}", attr("role")?, attr("policy_arn")?))
            }
            "aws_iam_user_policy_attachment" => {
                Some(format!("{}/{}", attr("user")?, attr("policy_arn")?))
            }
            "aws_iam_group_policy_attachment" => {
                Some(format!("{}/{}", attr("group")?, attr("policy_arn")?))
            }
            "aws_iam_user_group_membership" => {
                let mut id = attr("user")?;
                for g in body.get("groups")?.as_array()? {
                    id.push('/');
                    id.push_str(&self.value(g.as_str()?)?);
                }
                Some(id)
            }
            "aws_iam_account_password_policy" => Some("iam-account-password-policy".to_string()),
            _ => None,
        }
    }
}

/// Add `<dir>/imports.tf.json` next to every `<dir>/main.tf.json` that has IAM resources.
///
/// # Errors
///
/// [`EmitError::Collision`] when the module directory already has the file.
pub fn add(artifacts: &mut Artifacts) -> Result<(), EmitError> {
    let mut out = Vec::new();
    for (path, bytes) in artifacts.iter() {
        let Some(dir) = path.strip_suffix("/main.tf.json") else {
            continue;
        };
        let Ok(module) = serde_json::from_slice::<Value>(bytes) else {
            continue;
        };
        let account = module
            .pointer("/provider/aws/allowed_account_ids/0")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let Some(resources) = module.get("resource").and_then(Value::as_object) else {
            continue;
        };
        let module = Resources { resources, account };
        let mut blocks = Vec::new();
        for (ty, named) in resources {
            let Some(named) = named.as_object() else {
                continue;
            };
            for (name, body) in named {
                let Some(body) = body.as_object() else {
                    continue;
                };
                if let Some(id) = module.id(ty, body) {
                    blocks.push(json!({"to": format!("{ty}.{name}"), "id": id}));
                }
            }
        }
        if !blocks.is_empty() {
            out.push((
                format!("{dir}/{FILE}"),
                iam_model::json::to_pretty(&json!({"import": blocks})),
            ));
        }
    }
    for (path, text) in out {
        artifacts.insert(path, text)?;
    }
    Ok(())
}
