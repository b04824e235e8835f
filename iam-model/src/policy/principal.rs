//! `Principal` / `NotPrincipal` values.
//!
//! Mirrors "AWS JSON policy elements: Principal" in the IAM User Guide: `"*"` or a map of
//! `AWS` (account ids, account root / user / role / assumed-role / federated-user ARNs, or
//! `*`), `Service` (`name.amazonaws.com`), `Federated` (an IAM SAML or OIDC provider ARN, or a
//! web identity provider such as `cognito-identity.amazonaws.com`) and `CanonicalUser`.
use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;
use crate::json::OneOrMany;
use crate::policy::{AccountId, Arn};

/// A principal element: everyone, or principals by type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Principal {
    /// `"Principal": "*"`: everyone, including anonymous requests.
    Any,
    /// `"Principal": {"AWS": …, "Service": …}`.
    Typed(PrincipalMap),
}

/// Principals by type. The types are printed in the order `AWS`, `Service`, `Federated`,
/// `CanonicalUser`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PrincipalMap {
    /// `AWS` principals.
    pub aws: Option<OneOrMany<AwsPrincipal>>,
    /// `Service` principals.
    pub service: Option<OneOrMany<ServicePrincipal>>,
    /// `Federated` principals.
    pub federated: Option<OneOrMany<FederatedPrincipal>>,
    /// `CanonicalUser` ids (S3).
    pub canonical_user: Option<OneOrMany<String>>,
}

impl Principal {
    /// A principal of one AWS account (its root, standing for every user and role it allows).
    pub fn account(id: AccountId) -> Self {
        Self::Typed(PrincipalMap {
            aws: Some(OneOrMany::One(AwsPrincipal::Account(id))),
            ..Default::default()
        })
    }

    /// A principal for one IAM or STS ARN.
    pub fn arn(arn: Arn) -> Self {
        Self::Typed(PrincipalMap {
            aws: Some(OneOrMany::One(AwsPrincipal::Arn(arn))),
            ..Default::default()
        })
    }

    /// A service principal such as `lambda.amazonaws.com`.
    pub fn service(service: ServicePrincipal) -> Self {
        Self::Typed(PrincipalMap {
            service: Some(OneOrMany::One(service)),
            ..Default::default()
        })
    }

    /// A federated principal (an identity provider).
    pub fn federated(provider: FederatedPrincipal) -> Self {
        Self::Typed(PrincipalMap {
            federated: Some(OneOrMany::One(provider)),
            ..Default::default()
        })
    }
}

/// An `AWS` principal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AwsPrincipal {
    /// `*`: any AWS principal (authenticated or anonymous).
    Any,
    /// A bare 12-digit account id, the same as its `:root` ARN.
    Account(AccountId),
    /// An IAM or STS ARN (`…:root`, `…:user/x`, `…:role/x`, `…:assumed-role/r/s`).
    Arn(Arn),
}

impl FromStr for AwsPrincipal {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason| ParseError::Principal {
            kind: "AWS",
            input: input.to_string(),
            reason,
        };
        if input == "*" {
            return Ok(Self::Any);
        }
        if let Ok(id) = input.parse::<AccountId>() {
            return Ok(Self::Account(id));
        }
        let arn: Arn = input
            .parse()
            .map_err(|_| err("expected `*`, an account id or an IAM ARN"))?;
        if !matches!(arn.service(), "iam" | "sts") {
            return Err(err("an AWS principal is an IAM or STS ARN"));
        }
        Ok(Self::Arn(arn))
    }
}

impl fmt::Display for AwsPrincipal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("*"),
            Self::Account(id) => f.write_str(id.as_str()),
            Self::Arn(arn) => f.write_str(arn.as_str()),
        }
    }
}

/// A `Service` principal such as `ec2.amazonaws.com`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServicePrincipal(String);

impl ServicePrincipal {
    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ServicePrincipal {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        // Service principals are DNS-like names (`ec2.amazonaws.com`, `ec2.amazonaws.com.cn`,
        // `states.us-east-1.amazonaws.com`); `*` is not one.
        let ok = input.contains('.')
            && !input.starts_with('.')
            && !input.ends_with('.')
            && input
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if ok {
            Ok(Self(input.to_string()))
        } else {
            Err(ParseError::Principal {
                kind: "Service",
                input: input.to_string(),
                reason: "expected a service name such as `ec2.amazonaws.com`",
            })
        }
    }
}

impl fmt::Display for ServicePrincipal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A `Federated` principal: a SAML or OIDC provider ARN, or a web identity provider name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FederatedPrincipal {
    /// An IAM identity provider ARN (`arn:aws:iam::111122223333:oidc-provider/…`, `…:saml-provider/…`).
    Arn(Arn),
    /// A web identity provider name (`cognito-identity.amazonaws.com`, `accounts.google.com`).
    Provider(String),
}

impl FromStr for FederatedPrincipal {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        if input.starts_with("arn:") {
            return input
                .parse()
                .map(Self::Arn)
                .map_err(|_| ParseError::Principal {
                    kind: "Federated",
                    input: input.to_string(),
                    reason: "expected an identity provider ARN",
                });
        }
        let ok = input.contains('.')
            && input
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if ok {
            Ok(Self::Provider(input.to_string()))
        } else {
            Err(ParseError::Principal {
                kind: "Federated",
                input: input.to_string(),
                reason: "expected an identity provider ARN or a provider name such as `accounts.google.com`",
            })
        }
    }
}

impl fmt::Display for FederatedPrincipal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Arn(arn) => f.write_str(arn.as_str()),
            Self::Provider(name) => f.write_str(name),
        }
    }
}
