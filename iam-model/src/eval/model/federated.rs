//! Federated callers: web identity (OIDC) and SAML callers of the model's roles.
//!
//! A federated caller is named by the identity provider that signs its token or assertion
//! (see [`crate::eval::RequestPrincipal::Federated`]). At model level it is
//! `oidc:[ACCOUNT/]NAME` or `saml:[ACCOUNT/]NAME` for a provider of the model (its ARN is
//! `arn:aws:iam::ACCOUNT-ID:oidc-provider/HOST` or `…:saml-provider/NAME`, as IAM names
//! them), or `federated:PROVIDER` for a provider ARN or a well-known provider name outside
//! the model (`accounts.google.com`). Its only path is the caller itself: no identity-based
//! policies, no SCPs (it is no principal of an account); the role's trust policy decides
//! `sts:AssumeRoleWithWebIdentity` and `sts:AssumeRoleWithSAML`, with the provider's claims
//! (`token.actions.githubusercontent.com:sub`, `SAML:aud`, …) from the query's context.
use super::{
    AccessPath, AccountParts, ModelEvaluator, ModelPrincipal, PathKind, ResolveError, suggest,
};
use crate::eval::RequestPrincipal;
use crate::model::names::AccountName;
use crate::policy::{Effect, FederatedPrincipal, Principal, PrincipalClause};

/// The kind of identity provider a federated caller comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FederationKind {
    /// An OpenID Connect provider (`AssumeRoleWithWebIdentity`).
    Oidc,
    /// A SAML 2.0 provider (`AssumeRoleWithSAML`).
    Saml,
}

impl FederationKind {
    /// `oidc` or `saml`, as in principal names.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Oidc => "oidc",
            Self::Saml => "saml",
        }
    }
}

/// One condition a federated caller must meet: operator, key and values as the trust
/// policy writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerCondition {
    /// The operator with its qualifiers (`StringLike`, `ForAnyValue:StringEquals`).
    pub operator: String,
    /// The condition key (`token.actions.githubusercontent.com:sub`).
    pub key: String,
    /// The values, one of which must match.
    pub values: Vec<String>,
}

/// A trust policy statement that lets a federated caller assume a role of the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederatedCaller<'m> {
    /// The role's account.
    pub account: &'m AccountName,
    /// The role name.
    pub role: &'m str,
    /// The role ARN (with its path), the resource of the assume-role request.
    pub role_arn: String,
    /// The caller as a model principal (`oidc:ACCOUNT/NAME`, `saml:ACCOUNT/NAME` for a
    /// provider of the model, else `federated:PROVIDER`).
    pub principal: ModelPrincipal,
    /// The provider as the trust policy names it (an ARN or a provider name).
    pub provider: String,
    /// The statement's index in the trust policy.
    pub statement: usize,
    /// The statement's actions as written (`sts:AssumeRoleWithWebIdentity`, …).
    pub actions: Vec<String>,
    /// Whether `actions` is a `NotAction` list (every action but those).
    pub not_action: bool,
    /// The conditions the caller must meet, in the order written (all must hold).
    pub conditions: Vec<CallerCondition>,
}

impl<'m> ModelEvaluator<'m> {
    // The provider ARN of a model provider, looked up like IAM users and roles: in
    // `account` if given, else in `fallback`, else in the only account that has one.
    fn provider_arn(
        &self,
        kind: FederationKind,
        account: Option<&str>,
        name: &str,
        fallback: &str,
    ) -> Result<String, ResolveError> {
        let arn = |parts: &AccountParts<'m>| -> Option<String> {
            let iam = parts.account.iam();
            let id = parts.account.id();
            match kind {
                FederationKind::Oidc => iam
                    .oidc_providers()
                    .iter()
                    .find(|(n, _)| n.as_str() == name)
                    .map(|(_, p)| format!("arn:aws:iam::{id}:oidc-provider/{}", p.host())),
                FederationKind::Saml => iam
                    .saml_providers()
                    .keys()
                    .find(|n| n.as_str() == name)
                    .map(|n| format!("arn:aws:iam::{id}:saml-provider/{n}")),
            }
        };
        let names = |parts: &AccountParts<'m>| -> Vec<&'m str> {
            let iam = parts.account.iam();
            match kind {
                FederationKind::Oidc => iam.oidc_providers().keys().map(|n| n.as_str()).collect(),
                FederationKind::Saml => iam.saml_providers().keys().map(|n| n.as_str()).collect(),
            }
        };
        let what = match kind {
            FederationKind::Oidc => "OIDC provider",
            FederationKind::Saml => "SAML provider",
        };
        let unknown = |candidates: Vec<&'m str>| ResolveError::UnknownPrincipal {
            what,
            name: name.to_string(),
            suggestion: suggest(name, candidates.into_iter()),
        };
        if let Some(account) = account {
            let parts = self.account(account)?;
            return arn(parts).ok_or_else(|| unknown(names(parts)));
        }
        if let Some(found) = self.accounts.get(fallback).and_then(&arn) {
            return Ok(found);
        }
        let found: Vec<(String, &str)> = self
            .accounts
            .values()
            .filter_map(|p| arn(p).map(|a| (a, p.name.as_str())))
            .collect();
        match found.as_slice() {
            [(one, _)] => Ok(one.clone()),
            [] => Err(unknown(self.accounts.values().flat_map(names).collect())),
            many => Err(ResolveError::Ambiguous {
                what,
                kind: kind.as_str(),
                name: name.to_string(),
                accounts: many.iter().map(|(_, a)| a.to_string()).collect(),
            }),
        }
    }

    /// The path of a federated principal; `None` for other principals.
    pub(super) fn federated_path(
        &self,
        principal: &ModelPrincipal,
        fallback: &str,
    ) -> Option<Result<AccessPath<'_>, ResolveError>> {
        let provider = match principal {
            ModelPrincipal::Oidc { account, name } => {
                self.provider_arn(FederationKind::Oidc, account.as_deref(), name, fallback)
            }
            ModelPrincipal::Saml { account, name } => {
                self.provider_arn(FederationKind::Saml, account.as_deref(), name, fallback)
            }
            ModelPrincipal::Federated(provider) => Ok(provider.clone()),
            _ => return None,
        };
        Some(provider.and_then(|provider| {
            let request =
                RequestPrincipal::federated(&provider).map_err(|_| ResolveError::Syntax {
                    input: principal.to_string(),
                })?;
            Ok(AccessPath {
                kind: PathKind::Federated {
                    provider: provider.clone(),
                },
                principal: request,
                principal_arn: provider,
                identity: Vec::new(),
                boundaries: Vec::new(),
                scps: &[],
                base: std::sync::OnceLock::new(),
            })
        }))
    }

    // The model principal for a provider a trust policy names: the model's provider when
    // one has that ARN, else `federated:PROVIDER`.
    fn caller_principal(&self, provider: &FederatedPrincipal) -> ModelPrincipal {
        if let FederatedPrincipal::Arn(arn) = provider {
            for parts in self.accounts.values() {
                let iam = parts.account.iam();
                let id = parts.account.id();
                for (name, p) in iam.oidc_providers() {
                    if arn.as_str() == format!("arn:aws:iam::{id}:oidc-provider/{}", p.host()) {
                        return ModelPrincipal::Oidc {
                            account: Some(parts.name.to_string()),
                            name: name.as_str().to_string(),
                        };
                    }
                }
                for name in iam.saml_providers().keys() {
                    if arn.as_str() == format!("arn:aws:iam::{id}:saml-provider/{name}") {
                        return ModelPrincipal::Saml {
                            account: Some(parts.name.to_string()),
                            name: name.as_str().to_string(),
                        };
                    }
                }
            }
        }
        ModelPrincipal::Federated(provider.to_string())
    }

    /// Every statement of a trust policy of the model's roles that allows a federated
    /// caller (a `Federated` principal), with the conditions the caller must meet, by
    /// account, role and statement. Who can newly assume what, between two models, is the
    /// difference of these lists; [`ModelEvaluator::evaluate`] with an `oidc:`/`saml:`/
    /// `federated:` principal decides one caller with given claims.
    ///
    /// ```
    /// use iam_model::eval::model::{ModelEvaluator, ModelPrincipal};
    /// let model = iam_model::model::Model::from_json(include_str!("../../../../examples/small-team.json"))?;
    /// let evaluator = ModelEvaluator::new(&model);
    /// let callers = evaluator.federated_callers();
    /// let deploy = callers.iter().find(|c| c.role == "github-deploy").unwrap();
    /// assert_eq!(deploy.account.as_str(), "production");
    /// assert_eq!(deploy.principal.to_string(), "oidc:production/github");
    /// assert!(deploy.conditions.iter().any(|c|
    ///     c.key == "token.actions.githubusercontent.com:sub"
    ///         && c.values == ["repo:example/app:environment:production"]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn federated_callers(&self) -> Vec<FederatedCaller<'m>> {
        let mut out = Vec::new();
        for parts in self.accounts.values() {
            let id = parts.account.id();
            for (role_name, role) in parts.account.iam().roles() {
                let role_arn = format!(
                    "arn:aws:iam::{id}:role{}{}",
                    role.permissions().path().as_str(),
                    role_name.as_str()
                );
                for (index, statement) in role
                    .trust_policy()
                    .document()
                    .statements()
                    .iter()
                    .enumerate()
                {
                    if statement.effect() != Effect::Allow {
                        continue;
                    }
                    let Some(PrincipalClause::Principal(Principal::Typed(map))) =
                        statement.principal()
                    else {
                        continue;
                    };
                    let (not_action, list) = match statement.action() {
                        crate::policy::ActionClause::Action(list) => (false, list),
                        crate::policy::ActionClause::NotAction(list) => (true, list),
                    };
                    let actions: Vec<String> =
                        list.iter().map(|a| a.as_str().to_string()).collect();
                    let conditions: Vec<CallerCondition> = statement
                        .condition()
                        .map(|c| {
                            c.iter()
                                .flat_map(|(operator, keys)| {
                                    keys.iter().map(move |(key, values)| CallerCondition {
                                        operator: operator.to_string(),
                                        key: key.to_string(),
                                        values: values
                                            .iter()
                                            .map(|v| v.as_text().into_owned())
                                            .collect(),
                                    })
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    for provider in map.federated.iter().flatten() {
                        out.push(FederatedCaller {
                            account: parts.name,
                            role: role_name.as_str(),
                            role_arn: role_arn.clone(),
                            principal: self.caller_principal(provider),
                            provider: provider.to_string(),
                            statement: index,
                            actions: actions.clone(),
                            not_action,
                            conditions: conditions.clone(),
                        });
                    }
                }
            }
        }
        out
    }
}
