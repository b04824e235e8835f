//! Complete models for the setups the seeds describe, to start from and edit.
//!
//! Each preset exists three times, from one source of truth: the Rust function here (built
//! with the model builders and the safe helpers of [`crate::model::patterns`]), the model
//! file `examples/<name>.json` (written from the function by `UPDATE_GOLDEN=1 cargo test`;
//! a test checks that the file is the function's [`Model::to_json`] byte for byte and that
//! reading it gives an equal model), and the example program `examples/<name>.rs`, which
//! calls the function and prints the file (`cargo run -p iam-model --example small-team`).
//! `iam-codegen init --preset NAME` writes the same file.
//!
//! Account ids are placeholders (`111111111111` management, `222222222222` security,
//! `333333333333` logging, `444444444444` sandbox, `555555555555` development,
//! `666666666666` testing, `777777777777` staging, `888888888888` production,
//! `999999999999` a third party's own account); emails are at `example.com`. Every preset
//! carries the seeds' verification checklist for its roles as `assertions`.
//!
//! ```
//! use iam_model::presets;
//! let names: Vec<&str> = presets::ALL.iter().map(|p| p.name).collect();
//! assert_eq!(names, ["small-team", "single-account", "sandbox", "iam-users", "third-party", "dev-partner", "web-backend"]);
//! let model = presets::find("small-team").map(|p| (p.build)()).unwrap();
//! assert_eq!(model.accounts().len(), 8);
//! ```
mod common;
mod dev_partner;
mod iam_users;
mod sandbox;
mod single_account;
mod small_team;
mod third_party;
mod web_backend;

pub use dev_partner::dev_partner;
pub use iam_users::iam_users;
pub use sandbox::sandbox;
pub use single_account::single_account;
pub use small_team::small_team;
pub use third_party::{CONTRACTOR_EXTERNAL_ID, CONTRACTOR_ROLE, contractor, third_party};
pub use web_backend::web_backend;

use crate::Model;

/// A preset: its name, what it sets up, and the function that builds it.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// The name `iam-codegen init --preset` takes.
    pub name: &'static str,
    /// One line on what it sets up.
    pub summary: &'static str,
    /// The seed it follows.
    pub seed: &'static str,
    /// Build the model.
    pub build: fn() -> Model,
}

/// Every preset, in the order `iam-codegen init --list` shows them.
pub const ALL: [Preset; 7] = [
    Preset {
        name: "small-team",
        summary: "Identity Center groups and permission sets for admins, developers, testers, operators, finance and auditors over management, security, logging, sandbox, development, testing, staging and production accounts; GitHub Actions deploy role; sandbox budget",
        seed: "002_ad9ce9839d213f3b.txt",
        build: small_team,
    },
    Preset {
        name: "single-account",
        summary: "One account, one person: AdminAccess (1 h) and DeveloperAccess (8 h) through Identity Center",
        seed: "002_ad9ce9839d213f3b.txt",
        build: single_account,
    },
    Preset {
        name: "sandbox",
        summary: "Management plus a sandbox account: sandbox developer, tester and read-only access, budget alerts, tags, Region guardrail SCP",
        seed: "002_ad9ce9839d213f3b.txt",
        build: sandbox,
    },
    Preset {
        name: "iam-users",
        summary: "IAM user fallback: groups Admins, Developers, Testers, Operators, Finance, SecurityAuditors, ReadOnlyUsers; MFA enforcement; password policy; a CLI-only developer",
        seed: "002_ad9ce9839d213f3b.txt",
        build: iam_users,
    },
    Preset {
        name: "third-party",
        summary: "A contractor's cross-account role with an ExternalId, MFA and least privilege",
        seed: "003_100fb0b58871ec1a.txt",
        build: third_party,
    },
    Preset {
        name: "dev-partner",
        summary: "A development partner confined to a staging account of the organization, never the organization level",
        seed: "004_0fdacc3d4026ac94.txt",
        build: dev_partner,
    },
    Preset {
        name: "web-backend",
        summary: "One account with a PHP/MySQL backend on EC2 and RDS; a developer with only what deploying it needs",
        seed: "000_16ef227fdb2b895b.txt",
        build: web_backend,
    },
];

/// The preset with this name.
pub fn find(name: &str) -> Option<&'static Preset> {
    ALL.iter().find(|p| p.name == name)
}
