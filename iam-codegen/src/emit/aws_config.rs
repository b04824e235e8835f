//! The `aws-config` target: the AWS CLI configuration the seeds write by hand with
//! `aws configure sso`, generated from the model's Identity Center assignments.
//!
//! - `aws-config/config`: an `[sso-session NAME]` section and one `[profile NAME]` for every
//!   (account, permission set) pair that some group or user is assigned, inside a marked
//!   block ([`BEGIN_MARKER`] … [`END_MARKER`]) that [`merge_managed_block`] can replace inside
//!   an existing `~/.aws/config`, keeping everything outside it byte for byte;
//! - `aws-config/<user>.config`: the same block with only one Identity Center user's profiles
//!   (through the user's groups and direct assignments), for each user
//!   ([`AwsConfigOptions::per_user`]).
//!
//! A model without Identity Center gives no files. Profile names follow [`profile_name`];
//! [`profiles`] resolves collisions and reports renames. The start URL and the SSO region are
//! not in the model: they come from [`AwsConfigOptions`], and when they are missing the file
//! holds the seeds' placeholders ([`PLACEHOLDER_START_URL`], [`PLACEHOLDER_REGION`]) with a
//! comment saying what to put there.
//!
//! The keys are those of "Configuration and credential file settings" in the AWS CLI user
//! guide (`sso_session`, `sso_account_id`, `sso_role_name`, `region`, `output`; in the
//! `sso-session` section `sso_start_url`, `sso_region`, `sso_registration_scopes`).
//!
//! ```
//! use iam_codegen::emit::{aws_config, EmitOptions};
//! let model = iam_model::model::Model::from_json(include_str!("../../../tests/models/valid/organization.json"))?;
//! let mut options = EmitOptions::default();
//! options.aws_config = options.aws_config
//!     .start_url("https://d-1234567890.awsapps.com/start".parse()?)
//!     .sso_region("eu-west-1".parse()?);
//! let files = aws_config::emit(&model, &options)?;
//! let config = String::from_utf8(files.get("config").unwrap_or_default().to_vec())?;
//! assert!(config.contains("[profile dev]\nsso_session = sso\nsso_account_id = 444444444444\nsso_role_name = DeveloperAccess\n"));
//! assert!(files.get("alice@example.com.config").is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

use heck::ToKebabCase;
use iam_model::model::names::{AccountName, PermissionSetName};
use iam_model::model::{AssignmentPrincipal, Environment, Grant, Model};
use serde_json::json;

use crate::emit::{Artifacts, EmitError, EmitOptions};

/// The first line of the managed block.
pub const BEGIN_MARKER: &str = "# BEGIN iam-codegen managed block (do not edit)";
/// The last line of the managed block.
pub const END_MARKER: &str = "# END iam-codegen managed block";
/// The start URL written when none is given: the seeds' example, to be replaced.
pub const PLACEHOLDER_START_URL: &str = "https://d-xxxxxxxxxx.awsapps.com/start";
/// The region written when none is given; not a real region, so a forgotten placeholder
/// fails at `aws sso login` instead of signing in to the wrong place.
pub const PLACEHOLDER_REGION: &str = "xx-xxxx-1";

// Marker prefixes: a line is a marker when, without trailing whitespace, it starts with one
// of these, so a block written by an older wording of the marker is still found.
const BEGIN_PREFIX: &str = "# BEGIN iam-codegen managed block";
const END_PREFIX: &str = "# END iam-codegen managed block";

/// Errors from parsing an option value of this target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AwsConfigOptionError {
    /// A profile or session name has characters the config file cannot hold.
    #[error(
        "invalid profile name `{input}`: expected 1 to 64 ASCII letters, digits, `.`, `_`, `-`, `+` or `@`"
    )]
    Name {
        /// The text given.
        input: String,
    },
    /// A start URL that is not an `https://` URL.
    #[error("invalid start URL `{input}`: expected an `https://` URL without spaces")]
    StartUrl {
        /// The text given.
        input: String,
    },
    /// A region that is not shaped like `eu-west-1`.
    #[error("invalid region `{input}`: expected a region such as `eu-west-1`")]
    Region {
        /// The text given.
        input: String,
    },
    /// An output format the AWS CLI does not know.
    #[error(
        "invalid output format `{input}`: expected `json`, `yaml`, `yaml-stream`, `text` or `table`"
    )]
    Output {
        /// The text given.
        input: String,
    },
}

/// A profile or `sso-session` name: 1 to 64 ASCII letters, digits, `.`, `_`, `-`, `+`, `@`
/// (what fits in `[profile NAME]` without quoting).
///
/// ```
/// use iam_codegen::emit::aws_config::ConfigName;
/// assert_eq!("sandbox-dev".parse::<ConfigName>()?.as_str(), "sandbox-dev");
/// assert_eq!("my profile".parse::<ConfigName>().unwrap_err().to_string(),
///     "invalid profile name `my profile`: expected 1 to 64 ASCII letters, digits, `.`, `_`, `-`, `+` or `@`");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConfigName(String);

impl ConfigName {
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '@')
}

impl FromStr for ConfigName {
    type Err = AwsConfigOptionError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        if input.is_empty() || input.len() > 64 || !input.chars().all(is_name_char) {
            return Err(AwsConfigOptionError::Name {
                input: input.to_string(),
            });
        }
        Ok(Self(input.to_string()))
    }
}

impl fmt::Display for ConfigName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The AWS access portal URL (`https://d-xxxxxxxxxx.awsapps.com/start`): an `https://` URL
/// with no whitespace or control characters.
///
/// ```
/// use iam_codegen::emit::aws_config::StartUrl;
/// assert!("https://d-1234567890.awsapps.com/start".parse::<StartUrl>().is_ok());
/// assert!("http://example.com".parse::<StartUrl>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartUrl(String);

impl StartUrl {
    /// The URL as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for StartUrl {
    type Err = AwsConfigOptionError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let ok = input.len() > "https://".len()
            && input.starts_with("https://")
            && !input.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Self(input.to_string()))
        } else {
            Err(AwsConfigOptionError::StartUrl {
                input: input.to_string(),
            })
        }
    }
}

/// An AWS region name: lowercase words joined by `-`, ending in a number (`eu-west-1`,
/// `ap-northeast-2`, `us-gov-west-1`).
///
/// ```
/// use iam_codegen::emit::aws_config::Region;
/// assert_eq!("ap-northeast-2".parse::<Region>()?.as_str(), "ap-northeast-2");
/// assert!("Europe".parse::<Region>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region(String);

impl Region {
    /// The region as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Region {
    type Err = AwsConfigOptionError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = input.split('-').collect();
        let ok = parts.len() >= 3
            && parts.first().is_some_and(|p| p.len() == 2)
            && parts.last().is_some_and(|p| {
                !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit())
            })
            && parts
                .iter()
                .take(parts.len().saturating_sub(1))
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()));
        if ok {
            Ok(Self(input.to_string()))
        } else {
            Err(AwsConfigOptionError::Region {
                input: input.to_string(),
            })
        }
    }
}

/// The AWS CLI `output` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// `json`, the seeds' choice and the default.
    #[default]
    Json,
    /// `yaml`.
    Yaml,
    /// `yaml-stream`.
    YamlStream,
    /// `text`.
    Text,
    /// `table`.
    Table,
}

impl OutputFormat {
    /// The value written after `output =`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Yaml => "yaml",
            Self::YamlStream => "yaml-stream",
            Self::Text => "text",
            Self::Table => "table",
        }
    }
}

impl FromStr for OutputFormat {
    type Err = AwsConfigOptionError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        [
            Self::Json,
            Self::Yaml,
            Self::YamlStream,
            Self::Text,
            Self::Table,
        ]
        .into_iter()
        .find(|f| f.as_str() == input)
        .ok_or_else(|| AwsConfigOptionError::Output {
            input: input.to_string(),
        })
    }
}

/// AWS CLI config options. Defaults: session name `sso`, no start URL and no SSO region
/// (placeholders are written), profile region = the SSO region, output `json`, no profile
/// name overrides, per-user files on.
///
/// ```
/// use iam_codegen::emit::aws_config::AwsConfigOptions;
/// use iam_model::model::names::{AccountName, PermissionSetName};
/// let options = AwsConfigOptions::default()
///     .session_name("my-aws".parse()?)
///     .sso_region("ap-northeast-2".parse()?)
///     .profile_name(AccountName::from_static("production"),
///         PermissionSetName::from_static("OperatorAccess"), "prod-ops".parse()?);
/// assert_eq!(options.session().as_str(), "my-aws");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AwsConfigOptions {
    session_name: ConfigName,
    start_url: Option<StartUrl>,
    sso_region: Option<Region>,
    region: Option<Region>,
    output: OutputFormat,
    overrides: BTreeMap<(AccountName, PermissionSetName), ConfigName>,
    per_user: bool,
}

impl Default for AwsConfigOptions {
    fn default() -> Self {
        Self {
            session_name: ConfigName("sso".to_string()),
            start_url: None,
            sso_region: None,
            region: None,
            output: OutputFormat::Json,
            overrides: BTreeMap::new(),
            per_user: true,
        }
    }
}

impl AwsConfigOptions {
    /// Set the `sso-session` name (default `sso`).
    pub fn session_name(mut self, name: ConfigName) -> Self {
        self.session_name = name;
        self
    }

    /// Set the AWS access portal URL.
    pub fn start_url(mut self, url: StartUrl) -> Self {
        self.start_url = Some(url);
        self
    }

    /// Set the region of the Identity Center instance.
    pub fn sso_region(mut self, region: Region) -> Self {
        self.sso_region = Some(region);
        self
    }

    /// Set the profiles' default region (default: the SSO region).
    pub fn region(mut self, region: Region) -> Self {
        self.region = Some(region);
        self
    }

    /// Set the profiles' output format (default `json`).
    pub fn output(mut self, output: OutputFormat) -> Self {
        self.output = output;
        self
    }

    /// Name the profile of one permission set in one account, instead of [`profile_name`].
    pub fn profile_name(
        mut self,
        account: AccountName,
        permission_set: PermissionSetName,
        name: ConfigName,
    ) -> Self {
        self.overrides.insert((account, permission_set), name);
        self
    }

    /// Write `<user>.config` for each Identity Center user (default on).
    pub fn per_user(mut self, yes: bool) -> Self {
        self.per_user = yes;
        self
    }

    /// The profiles' region: the one set, else the SSO region, else none.
    pub fn region_or_sso(&self) -> Option<&str> {
        self.region
            .as_ref()
            .or(self.sso_region.as_ref())
            .map(Region::as_str)
    }

    /// The `sso-session` name.
    pub fn session(&self) -> &ConfigName {
        &self.session_name
    }
}

// Words shortened in profile names, as in the seeds (`dev`, `admin`, `sandbox-test`).
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("administrator", "admin"),
    ("administrators", "admin"),
    ("admins", "admin"),
    ("developer", "dev"),
    ("developers", "dev"),
    ("development", "dev"),
    ("tester", "test"),
    ("testers", "test"),
    ("testing", "test"),
    ("production", "prod"),
];

fn words(text: &str) -> Vec<String> {
    text.to_kebab_case()
        .split('-')
        .map(|w| {
            let w: String = w.chars().filter(char::is_ascii_alphanumeric).collect();
            ABBREVIATIONS
                .iter()
                .find(|(long, _)| *long == w)
                .map_or(w, |(_, short)| (*short).to_string())
        })
        .filter(|w| !w.is_empty())
        .collect()
}

fn role_words(permission_set: &str) -> Vec<String> {
    let mut role = words(permission_set);
    if role.len() > 1 && role.last().is_some_and(|w| w == "access") {
        role.pop();
    }
    if role.is_empty() {
        role.push("access".to_string());
    }
    role
}

fn environment_words(environment: &Environment, single_account: bool) -> Vec<String> {
    if single_account || *environment == Environment::Management {
        Vec::new()
    } else {
        words(environment.as_str())
    }
}

/// The profile name of a permission set in an account of an environment, the rule behind
/// the seeds' `dev`, `admin`, `sandbox-dev`:
///
/// 1. the permission set's words (heck's kebab case) without a final `Access`, with
///    `Developer` → `dev`, `Administrator` → `admin`, `Tester` → `test` (also plurals,
///    `Development`, `Testing`, `Production` → `prod`);
/// 2. the environment's words, shortened the same way; none for the management account
///    and none when the model has a single account;
/// 3. the environment words, then the permission set's, unless the permission set's words
///    already start with the environment's (`SandboxDeveloperAccess` on sandbox is
///    `sandbox-dev`, not `sandbox-sandbox-dev`).
///
/// ```
/// use iam_codegen::emit::aws_config::profile_name;
/// use iam_model::model::Environment;
/// assert_eq!(profile_name(&Environment::Development, "DeveloperAccess", false), "dev");
/// assert_eq!(profile_name(&Environment::Management, "AdminAccess", false), "admin");
/// assert_eq!(profile_name(&Environment::Sandbox, "SandboxDeveloperAccess", false), "sandbox-dev");
/// assert_eq!(profile_name(&Environment::Sandbox, "AdminAccess", false), "sandbox-admin");
/// assert_eq!(profile_name(&Environment::Production, "ReadOnlyAccess", false), "prod-read-only");
/// assert_eq!(profile_name(&Environment::Development, "AdminAccess", true), "admin");
/// ```
pub fn profile_name(
    environment: &Environment,
    permission_set: &str,
    single_account: bool,
) -> String {
    let env = environment_words(environment, single_account);
    let role = role_words(permission_set);
    if role.starts_with(&env) {
        role.join("-")
    } else {
        let mut all = env;
        all.extend(role);
        all.join("-")
    }
}

/// The name used when a rule name is taken: the account name's words in place of the
/// environment's (`prod-eu-admin`).
fn account_qualified(account: &str, environment: &Environment, permission_set: &str) -> String {
    let env = environment_words(environment, false);
    let mut role = role_words(permission_set);
    if !env.is_empty() && role.starts_with(&env) {
        role.drain(..env.len());
        if role.is_empty() {
            role = role_words(permission_set);
        }
    }
    let mut all = words(account);
    all.extend(role);
    all.join("-")
}

/// One profile of the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The profile name.
    pub name: String,
    /// The account, by model name.
    pub account: AccountName,
    /// The permission set (its name is the `sso_role_name`).
    pub permission_set: PermissionSetName,
}

/// A profile that did not get the name it wanted, because another profile has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    /// The account.
    pub account: AccountName,
    /// The permission set.
    pub permission_set: PermissionSetName,
    /// The name from [`profile_name`] or the override.
    pub wanted: String,
    /// The name it got.
    pub name: String,
}

/// The profiles of a model with their names, and what the naming had to resolve.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Profiles {
    /// Every profile, by account and permission set.
    pub profiles: Vec<Profile>,
    /// Profiles whose name was taken, with the name they got.
    pub renamed: Vec<Rename>,
    /// Overrides naming an (account, permission set) pair that no assignment grants.
    pub unused_overrides: Vec<(AccountName, PermissionSetName)>,
}

impl Profiles {
    /// The profile name of a permission set in an account.
    pub fn name_of(&self, account: &str, permission_set: &str) -> Option<&str> {
        // INVARIANT: `profiles` is sorted by (account, permission set), as `profiles()` builds it.
        self.profiles
            .binary_search_by(|p| {
                (p.account.as_str(), p.permission_set.as_str()).cmp(&(account, permission_set))
            })
            .ok()
            .and_then(|i| self.profiles.get(i))
            .map(|p| p.name.as_str())
    }
}

fn unique(name: String, taken: &BTreeSet<String>) -> String {
    if !taken.contains(&name) {
        return name;
    }
    (2..)
        .map(|n| format!("{name}-{n}"))
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or(name)
}

/// Name the profile of every (account, permission set) pair the model's assignments grant.
///
/// Overrides come first, in (account, permission set) order; the others get
/// [`profile_name`]. When several pairs want one name, or an override has it, each of them
/// gets the account-qualified name instead (the account name's words in place of the
/// environment's: `prod-eu-admin`); a name still taken gets `-2`, `-3`, …. Every such case is
/// in [`Profiles::renamed`], so the same model always gives the same names.
///
/// ```
/// use iam_codegen::emit::aws_config::{profiles, AwsConfigOptions};
/// let model = iam_model::model::Model::from_json(include_str!("../../../tests/models/valid/organization.json"))?;
/// let plan = profiles(&model, &AwsConfigOptions::default());
/// assert_eq!(plan.name_of("sandbox", "DeveloperAccess"), Some("sandbox-dev"));
/// assert_eq!(plan.name_of("management", "AdminAccess"), Some("admin"));
/// assert!(plan.renamed.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn profiles(model: &Model, options: &AwsConfigOptions) -> Profiles {
    profiles_of(model, &model.grants(), options)
}

/// [`profiles`] with the model's grants at hand.
pub(crate) fn profiles_of(
    model: &Model,
    grants: &[Grant<'_>],
    options: &AwsConfigOptions,
) -> Profiles {
    let pairs: BTreeSet<(&AccountName, &PermissionSetName)> = grants
        .iter()
        .map(|g| (g.account, g.permission_set))
        .collect();
    let single_account = model.accounts().len() == 1;
    let mut taken = BTreeSet::new();
    let mut names: BTreeMap<(&AccountName, &PermissionSetName), String> = BTreeMap::new();
    let mut renamed = Vec::new();

    for &(account, set) in &pairs {
        if let Some(name) = options.overrides.get(&(account.clone(), set.clone())) {
            let wanted = name.as_str().to_string();
            let name = unique(wanted.clone(), &taken);
            if name != wanted {
                renamed.push(Rename {
                    account: account.clone(),
                    permission_set: set.clone(),
                    wanted,
                    name: name.clone(),
                });
            }
            taken.insert(name.clone());
            names.insert((account, set), name);
        }
    }
    let environment = |account: &AccountName| {
        model
            .account(account.as_str())
            .map_or(Environment::Custom(account.as_str().to_string()), |a| {
                a.environment().clone()
            })
    };
    let generated: Vec<((&AccountName, &PermissionSetName), String)> = pairs
        .iter()
        .filter(|pair| !names.contains_key(*pair))
        .map(|&(account, set)| {
            let wanted = profile_name(&environment(account), set.as_str(), single_account);
            ((account, set), wanted)
        })
        .collect();
    let mut wanted_count: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, wanted) in &generated {
        *wanted_count.entry(wanted.as_str()).or_default() += 1;
    }
    for ((account, set), wanted) in &generated {
        let shared = wanted_count
            .get(wanted.as_str())
            .copied()
            .unwrap_or_default()
            > 1;
        let candidate = if shared || taken.contains(wanted) {
            account_qualified(account.as_str(), &environment(account), set.as_str())
        } else {
            wanted.clone()
        };
        let name = unique(candidate, &taken);
        if &name != wanted {
            renamed.push(Rename {
                account: (*account).clone(),
                permission_set: (*set).clone(),
                wanted: wanted.clone(),
                name: name.clone(),
            });
        }
        taken.insert(name.clone());
        names.insert((account, set), name);
    }
    let unused_overrides = options
        .overrides
        .keys()
        .filter(|(a, s)| !pairs.contains(&(a, s)))
        .cloned()
        .collect();
    Profiles {
        profiles: names
            .into_iter()
            .map(|((account, set), name)| Profile {
                name,
                account: account.clone(),
                permission_set: set.clone(),
            })
            .collect(),
        renamed,
        unused_overrides,
    }
}

/// The file name of a user's config: the user name with every character other than ASCII
/// letters, digits, `.`, `_`, `-`, `+` and `@` replaced by `_`.
fn user_file(user: &str) -> String {
    let stem: String = user
        .chars()
        .map(|c| if is_name_char(c) { c } else { '_' })
        .collect();
    format!("{stem}.config")
}

const TEMPLATE: &str = "aws-config/config.hbs";
const PROFILE_TEMPLATE: &str = "aws-config/profile.hbs";

/// The files of this target, relative to its directory: `config`, and `<user>.config` per
/// Identity Center user with at least one profile. No Identity Center, no files.
///
/// Two templates make the text: `aws-config/profile.hbs` renders one `[profile NAME]`
/// section (once per profile, whatever the number of users who have it), and
/// `aws-config/config.hbs` the managed block around the sections of a file: markers,
/// comments, the `sso-session` section, then `profiles`, the file's sections one after the
/// other.
pub fn emit(model: &Model, options: &EmitOptions) -> Result<Artifacts, EmitError> {
    let mut files = Artifacts::new();
    let Some(ic) = model.identity_center() else {
        return Ok(files);
    };
    let opts = &options.aws_config;
    let grants = model.grants();
    let plan = profiles_of(model, &grants, opts);
    let wanted: HashMap<&str, &str> = plan
        .renamed
        .iter()
        .map(|r| (r.name.as_str(), r.wanted.as_str()))
        .collect();
    let sections = plan
        .profiles
        .iter()
        .map(|p| render_profile(model, options, p, wanted.get(p.name.as_str()).copied()))
        .collect::<Result<Vec<String>, EmitError>>()?;
    let session = session_context(opts);
    let all: Vec<usize> = (0..plan.profiles.len()).collect();
    files.insert(
        "config",
        render_block(options, &sections, &all, &session, None)?,
    )?;
    if !opts.per_user {
        return Ok(files);
    }
    // Where each (account, permission set) profile stands in the plan, and the positions
    // each principal is granted, so that a user's profiles are a lookup per group.
    let position: HashMap<(&str, &str), usize> = plan
        .profiles
        .iter()
        .enumerate()
        .map(|(i, p)| ((p.account.as_str(), p.permission_set.as_str()), i))
        .collect();
    let mut by_principal: HashMap<&AssignmentPrincipal, Vec<usize>> = HashMap::new();
    for g in &grants {
        if let Some(&i) = position.get(&(g.account.as_str(), g.permission_set.as_str())) {
            by_principal.entry(g.principal).or_default().push(i);
        }
    }
    let mut mine: Vec<usize> = Vec::new();
    for (user, details) in ic.users() {
        mine.clear();
        let direct = AssignmentPrincipal::User(user.clone());
        if let Some(granted) = by_principal.get(&direct) {
            mine.extend_from_slice(granted);
        }
        for group in &details.groups {
            if let Some(granted) = by_principal.get(&AssignmentPrincipal::Group(group.clone())) {
                mine.extend_from_slice(granted);
            }
        }
        if mine.is_empty() {
            continue;
        }
        // The user's profiles, in the plan's order, each once.
        mine.sort_unstable();
        mine.dedup();
        let who = json!({"name": user, "display_name": details.display_name});
        files.insert(
            user_file(user),
            render_block(options, &sections, &mine, &session, Some(who))?,
        )?;
    }
    Ok(files)
}

/// The `session` object of the block's context.
fn session_context(opts: &AwsConfigOptions) -> serde_json::Value {
    let sso_region = opts.sso_region.as_ref().map(Region::as_str);
    let region = opts.region.as_ref().map(Region::as_str).or(sso_region);
    json!({
        "name": opts.session_name.as_str(),
        "start_url": opts.start_url.as_ref().map_or(PLACEHOLDER_START_URL, StartUrl::as_str),
        "start_url_placeholder": opts.start_url.is_none(),
        "sso_region": sso_region.unwrap_or(PLACEHOLDER_REGION),
        "sso_region_placeholder": sso_region.is_none(),
        "region_placeholder": region.is_none(),
    })
}

/// One `[profile NAME]` section, from `aws-config/profile.hbs`; `wanted` is the name the
/// profile would have had when another profile took it.
fn render_profile(
    model: &Model,
    options: &EmitOptions,
    profile: &Profile,
    wanted: Option<&str>,
) -> Result<String, EmitError> {
    let opts = &options.aws_config;
    let region = opts
        .region
        .as_ref()
        .or(opts.sso_region.as_ref())
        .map_or(PLACEHOLDER_REGION, Region::as_str);
    let account = model.account(profile.account.as_str());
    let context = json!({
        "name": profile.name,
        "session": opts.session_name.as_str(),
        "account": profile.account.as_str(),
        "account_id": account.map(|a| a.id().to_string()).unwrap_or_default(),
        "environment": account.map(|a| a.environment().as_str().to_string()).unwrap_or_default(),
        "permission_set": profile.permission_set.as_str(),
        "region": region,
        "output": opts.output.as_str(),
        "wanted": wanted,
    });
    let text = options.templates.render(PROFILE_TEMPLATE, context)?;
    if has_marker(&text) {
        return Err(EmitError::TemplateOutput {
            name: PROFILE_TEMPLATE.to_string(),
            reason: "a profile section must not hold a marker line of the managed block"
                .to_string(),
        });
    }
    Ok(text)
}

/// Render the managed block of the profiles at `positions` (their `sections`, in that
/// order).
fn render_block(
    options: &EmitOptions,
    sections: &[String],
    positions: &[usize],
    session: &serde_json::Value,
    user: Option<serde_json::Value>,
) -> Result<String, EmitError> {
    let mut profiles = String::with_capacity(
        positions
            .iter()
            .filter_map(|&i| sections.get(i))
            .map(String::len)
            .sum(),
    );
    for section in positions.iter().filter_map(|&i| sections.get(i)) {
        profiles.push_str(section);
    }
    let mut context = serde_json::Map::new();
    context.insert("begin_marker".into(), BEGIN_MARKER.into());
    context.insert("end_marker".into(), END_MARKER.into());
    context.insert("user".into(), user.unwrap_or_default());
    context.insert("session".into(), session.clone());
    context.insert("profile_count".into(), positions.len().into());
    context.insert("profiles".into(), profiles.into());
    let body = options.templates.render(TEMPLATE, context.into())?;
    let invalid = |reason: &str| EmitError::TemplateOutput {
        name: TEMPLATE.to_string(),
        reason: reason.to_string(),
    };
    let (begins, ends) = count_markers(&body);
    if (begins, ends) != (1, 1) {
        return Err(invalid(
            "the managed block must have exactly one begin and one end marker line",
        ));
    }
    let first = body.lines().next().unwrap_or_default();
    let last = body.lines().next_back().unwrap_or_default();
    if !first.starts_with(BEGIN_PREFIX) || !last.starts_with(END_PREFIX) || !body.ends_with('\n') {
        return Err(invalid(
            "the output must start with the begin marker line and end with the end marker line",
        ));
    }
    Ok(body)
}

/// Whether some line of `text` is a marker line.
fn has_marker(text: &str) -> bool {
    count_markers(text) != (0, 0)
}

/// The number of begin and end marker lines in `text`: lines that start with a marker
/// prefix (the same lines [`marker`] finds, by a substring search rather than line by line,
/// since every per-user file is checked).
fn count_markers(text: &str) -> (usize, usize) {
    let at_line_start = |i: usize| i == 0 || text.as_bytes().get(i - 1) == Some(&b'\n');
    let count = |prefix: &str| {
        text.match_indices(prefix)
            .filter(|(i, _)| at_line_start(*i))
            .count()
    };
    (count(BEGIN_PREFIX), count(END_PREFIX))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Begin,
    End,
}

fn marker(line: &str) -> Option<Marker> {
    let line = line.trim_end();
    if line.starts_with(BEGIN_PREFIX) {
        Some(Marker::Begin)
    } else if line.starts_with(END_PREFIX) {
        Some(Marker::End)
    } else {
        None
    }
}

/// Errors from [`merge_managed_block`]. Line numbers count from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// The block to insert is not one marked block.
    #[error("the generated block does not start with `{BEGIN_MARKER}` and end with `{END_MARKER}`")]
    Block,
    /// The file has a begin marker and no end marker after it, or an end marker alone.
    #[error(
        "the managed block is not closed: {begins} begin marker line(s) and {ends} end marker line(s); fix the file by hand"
    )]
    Unbalanced {
        /// Begin marker lines in the file.
        begins: usize,
        /// End marker lines in the file.
        ends: usize,
    },
    /// The file has more than one managed block.
    #[error(
        "the file has more than one managed block (a second begin marker on line {line}); keep one and merge again"
    )]
    Duplicated {
        /// The line of the second begin marker.
        line: usize,
    },
    /// The end marker comes before the begin marker.
    #[error(
        "the end marker on line {end} comes before the begin marker on line {begin}; fix the file by hand"
    )]
    Misordered {
        /// The begin marker's line.
        begin: usize,
        /// The end marker's line.
        end: usize,
    },
}

/// Replace the managed block inside an existing `~/.aws/config` with `block` (the `config`
/// this target generates), keeping every byte outside the block as it was.
///
/// - With one block in `existing` (a begin marker line, later an end marker line), the lines
///   from the begin marker to the end marker (with its line break) are replaced.
/// - With no marker, the block is appended after a blank line (and after a line break if the
///   file does not end with one); an empty file becomes the block.
/// - Two begin markers, unbalanced markers or an end marker before the begin marker are
///   errors: the file is not touched.
///
/// A marker line is one that, without trailing whitespace, starts with
/// `# BEGIN iam-codegen managed block` or `# END iam-codegen managed block`; `\r\n` line
/// endings are kept.
///
/// ```
/// use iam_codegen::emit::aws_config::merge_managed_block;
/// let block = "# BEGIN iam-codegen managed block (do not edit)\n[profile dev]\n# END iam-codegen managed block\n";
/// let mine = "[default]\nregion = eu-west-1\n";
/// let merged = merge_managed_block(mine, block)?;
/// assert_eq!(merged, format!("{mine}\n{block}"));
/// let newer = block.replace("dev", "admin");
/// assert_eq!(merge_managed_block(&merged, &newer)?, format!("{mine}\n{newer}"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn merge_managed_block(existing: &str, block: &str) -> Result<String, MergeError> {
    let block_lines: Vec<&str> = block.lines().collect();
    let well_formed = count_markers(block) == (1, 1)
        && block_lines.first().and_then(|l| marker(l)) == Some(Marker::Begin)
        && block_lines.last().and_then(|l| marker(l)) == Some(Marker::End);
    if !well_formed {
        return Err(MergeError::Block);
    }
    // Lines with their line breaks, and the byte offset each starts at.
    let mut begin: Option<(usize, usize)> = None; // (line number, byte offset)
    let mut end: Option<(usize, usize)> = None; // (line number, byte offset after the line)
    let (mut begins, mut ends) = (0, 0);
    let mut offset = 0;
    for (index, line) in existing.split_inclusive('\n').enumerate() {
        let number = index + 1;
        match marker(line) {
            Some(Marker::Begin) => {
                begins += 1;
                if begin.is_some() {
                    return Err(MergeError::Duplicated { line: number });
                }
                begin = Some((number, offset));
            }
            Some(Marker::End) => {
                ends += 1;
                if end.is_none() {
                    end = Some((number, offset + line.len()));
                }
            }
            None => {}
        }
        offset += line.len();
    }
    match (begin, end) {
        (None, None) => {
            let mut out = String::with_capacity(existing.len() + block.len() + 2);
            out.push_str(existing);
            if !existing.is_empty() {
                if !existing.ends_with('\n') {
                    out.push('\n');
                }
                out.push('\n');
            }
            out.push_str(block);
            Ok(out)
        }
        (Some((begin_line, start)), Some((end_line, stop))) if begins == 1 && ends == 1 => {
            if end_line < begin_line {
                return Err(MergeError::Misordered {
                    begin: begin_line,
                    end: end_line,
                });
            }
            let before = existing.get(..start).unwrap_or_default();
            let after = existing.get(stop..).unwrap_or_default();
            let mut out = String::with_capacity(before.len() + block.len() + after.len());
            out.push_str(before);
            out.push_str(block);
            out.push_str(after);
            Ok(out)
        }
        _ => Err(MergeError::Unbalanced { begins, ends }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use proptest::prelude::*;

    const BLOCK: &str = "# BEGIN iam-codegen managed block (do not edit)\n[profile dev]\nsso_session = sso\n# END iam-codegen managed block\n";

    #[test]
    fn profile_names_follow_the_seeds() {
        let cases = [
            (Environment::Development, "DeveloperAccess", "dev"),
            (Environment::Management, "AdminAccess", "admin"),
            (
                Environment::Sandbox,
                "SandboxDeveloperAccess",
                "sandbox-dev",
            ),
            (Environment::Sandbox, "SandboxTesterAccess", "sandbox-test"),
            (Environment::Sandbox, "AdminAccess", "sandbox-admin"),
            (Environment::Testing, "TesterAccess", "test"),
            (Environment::Development, "TesterAccess", "dev-test"),
            (Environment::Production, "OperatorAccess", "prod-operator"),
            (
                Environment::Production,
                "AWSAdministratorAccess",
                "prod-aws-admin",
            ),
            (
                Environment::Management,
                "FinanceReadOnlyAccess",
                "finance-read-only",
            ),
            (Environment::Staging, "Access", "staging-access"),
            (
                Environment::Custom("qa env".into()),
                "ReadOnlyAccess",
                "qa-env-read-only",
            ),
            (
                Environment::Security,
                "SecurityAuditAccess",
                "security-audit",
            ),
        ];
        for (env, set, want) in cases {
            assert_eq!(profile_name(&env, set, false), want, "{env} {set}");
        }
        // One account: the seeds' single-account `dev` and `admin`, and the one-account
        // sandbox fallback `sandbox-dev`.
        assert_eq!(
            profile_name(&Environment::Sandbox, "AdminAccess", true),
            "admin"
        );
        assert_eq!(
            profile_name(&Environment::Production, "SandboxDeveloperAccess", true),
            "sandbox-dev"
        );
    }

    fn model(text: &str) -> Model {
        Model::from_json(text).unwrap()
    }

    fn two_prod_accounts() -> Model {
        model(
            r#"{"version": 1, "organization": {"management_account": "management"},
            "accounts": {
              "management": {"id": "111111111111", "email": "m@example.com", "environment": "management"},
              "prod-eu": {"id": "222222222222", "email": "e@example.com", "environment": "production"},
              "prod-us": {"id": "333333333333", "email": "u@example.com", "environment": "production"}},
            "identity_center": {"instance_account": "management",
              "groups": {"Ops": {}},
              "permission_sets": {"AdminAccess": {}, "OperatorAccess": {}},
              "assignments": [
                {"group": "Ops", "permission_set": "OperatorAccess", "accounts": ["prod-us", "prod-eu"]},
                {"group": "Ops", "permission_set": "AdminAccess", "accounts": ["management", "prod-eu"]}]}}"#,
        )
    }

    #[test]
    fn colliding_names_get_the_account_name_and_are_reported() {
        let plan = profiles(&two_prod_accounts(), &AwsConfigOptions::default());
        let names: Vec<(&str, &str, &str)> = plan
            .profiles
            .iter()
            .map(|p| {
                (
                    p.account.as_str(),
                    p.permission_set.as_str(),
                    p.name.as_str(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("management", "AdminAccess", "admin"),
                ("prod-eu", "AdminAccess", "prod-admin"),
                ("prod-eu", "OperatorAccess", "prod-eu-operator"),
                ("prod-us", "OperatorAccess", "prod-us-operator"),
            ]
        );
        let renamed: Vec<(&str, &str)> = plan
            .renamed
            .iter()
            .map(|r| (r.wanted.as_str(), r.name.as_str()))
            .collect();
        assert_eq!(
            renamed,
            [
                ("prod-operator", "prod-eu-operator"),
                ("prod-operator", "prod-us-operator")
            ]
        );
    }

    #[test]
    fn overrides_win_and_a_taken_name_gets_a_number() {
        let options = AwsConfigOptions::default()
            .profile_name(
                AccountName::from_static("prod-us"),
                PermissionSetName::from_static("OperatorAccess"),
                "admin".parse().unwrap(),
            )
            .profile_name(
                AccountName::from_static("prod-eu"),
                PermissionSetName::from_static("OperatorAccess"),
                "admin".parse().unwrap(),
            )
            .profile_name(
                AccountName::from_static("nowhere"),
                PermissionSetName::from_static("OperatorAccess"),
                "x".parse().unwrap(),
            );
        let plan = profiles(&two_prod_accounts(), &options);
        assert_eq!(plan.name_of("prod-eu", "OperatorAccess"), Some("admin"));
        assert_eq!(plan.name_of("prod-us", "OperatorAccess"), Some("admin-2"));
        // The rule's `admin` for management is taken by an override.
        assert_eq!(
            plan.name_of("management", "AdminAccess"),
            Some("management-admin")
        );
        assert_eq!(plan.name_of("prod-eu", "AdminAccess"), Some("prod-admin"));
        let renamed: Vec<(&str, &str)> = plan
            .renamed
            .iter()
            .map(|r| (r.wanted.as_str(), r.name.as_str()))
            .collect();
        assert_eq!(
            renamed,
            [("admin", "admin-2"), ("admin", "management-admin")]
        );
        assert_eq!(
            plan.unused_overrides,
            [(
                AccountName::from_static("nowhere"),
                PermissionSetName::from_static("OperatorAccess")
            )]
        );
    }

    #[test]
    fn option_values_are_checked() {
        assert_eq!(
            "http://x".parse::<StartUrl>().unwrap_err().to_string(),
            "invalid start URL `http://x`: expected an `https://` URL without spaces"
        );
        for good in ["eu-west-1", "ap-northeast-2", "us-gov-west-1", "cn-north-1"] {
            assert!(good.parse::<Region>().is_ok(), "{good}");
        }
        for bad in [
            "",
            "eu",
            "eu-west",
            "EU-west-1",
            "eu--1",
            "eu-west-1a",
            "x-west-1",
        ] {
            assert_eq!(
                bad.parse::<Region>().unwrap_err().to_string(),
                format!("invalid region `{bad}`: expected a region such as `eu-west-1`")
            );
        }
        assert!("a]b".parse::<ConfigName>().is_err());
        assert!("".parse::<ConfigName>().is_err());
        assert_eq!(
            "yaml-stream".parse::<OutputFormat>(),
            Ok(OutputFormat::YamlStream)
        );
        assert!("xml".parse::<OutputFormat>().is_err());
    }

    #[test]
    fn a_small_model_renders_exactly() {
        let m = model(
            r#"{"version": 1, "organization": {"management_account": "main"},
            "accounts": {"main": {"id": "123456789012", "email": "m@example.com", "environment": "development"}},
            "identity_center": {"instance_account": "main",
              "users": {"you@example.com": {"display_name": "You", "given_name": "Y", "family_name": "O",
                 "email": "you@example.com", "groups": ["AWS-Admins", "AWS-Developers"]}},
              "groups": {"AWS-Admins": {}, "AWS-Developers": {}},
              "permission_sets": {"AdminAccess": {}, "DeveloperAccess": {"session_duration": "PT8H"}},
              "assignments": [
                {"group": "AWS-Admins", "permission_set": "AdminAccess", "accounts": ["main"]},
                {"group": "AWS-Developers", "permission_set": "DeveloperAccess", "accounts": ["main"]}]}}"#,
        );
        let options = EmitOptions {
            aws_config: AwsConfigOptions::default()
                .session_name("my-aws".parse().unwrap())
                .start_url("https://d-xxxxxxxxxx.awsapps.com/start".parse().unwrap())
                .sso_region("ap-northeast-2".parse().unwrap()),
            ..EmitOptions::default()
        };
        let files = emit(&m, &options).unwrap();
        let names: Vec<&str> = files.iter().map(|(p, _)| p).collect();
        assert_eq!(names, ["config", "you@example.com.config"]);
        let config = std::str::from_utf8(files.get("config").unwrap()).unwrap();
        assert_eq!(
            config,
            "# BEGIN iam-codegen managed block (do not edit)
# AWS CLI profiles for IAM Identity Center, generated by iam-codegen from the access model.
# Sign in with `aws sso login --profile NAME`, check with `aws sts get-caller-identity --profile NAME`.

[sso-session my-aws]
sso_start_url = https://d-xxxxxxxxxx.awsapps.com/start
sso_region = ap-northeast-2
sso_registration_scopes = sso:account:access

# AdminAccess in main (development, 123456789012)
[profile admin]
sso_session = my-aws
sso_account_id = 123456789012
sso_role_name = AdminAccess
region = ap-northeast-2
output = json

# DeveloperAccess in main (development, 123456789012)
[profile dev]
sso_session = my-aws
sso_account_id = 123456789012
sso_role_name = DeveloperAccess
region = ap-northeast-2
output = json
# END iam-codegen managed block
"
        );
        let mine = std::str::from_utf8(files.get("you@example.com.config").unwrap()).unwrap();
        assert!(
            mine.contains("# Profiles of You (you@example.com).\n"),
            "{mine}"
        );
        assert_eq!(merge_managed_block(mine, config).unwrap(), config);
    }

    #[test]
    fn missing_values_become_placeholders_with_a_comment() {
        let files = emit(&two_prod_accounts(), &EmitOptions::default()).unwrap();
        let config = std::str::from_utf8(files.get("config").unwrap()).unwrap();
        assert!(
            config.contains(
                "# sso_start_url is a placeholder: put the AWS access portal URL here\n\
             # (IAM Identity Center > Settings > AWS access portal URL).\n"
            ),
            "{config}"
        );
        assert!(config.contains("sso_start_url = https://d-xxxxxxxxxx.awsapps.com/start\n"));
        assert!(config.contains("sso_region = xx-xxxx-1\n"));
        assert!(config.contains("region = xx-xxxx-1\n"));
        assert!(
            config.contains(
                "# OperatorAccess in prod-eu (production, 222222222222)\n\
                 # Renamed: it would be `prod-operator`, a name another profile wants.\n\
                 [profile prod-eu-operator]\n"
            ),
            "{config}"
        );
    }

    #[test]
    fn models_without_identity_center_give_no_files() {
        let m = model(
            r#"{"version": 1, "organization": {"management_account": "main"},
            "accounts": {"main": {"id": "123456789012", "email": "m@example.com", "environment": "management"}}}"#,
        );
        assert!(emit(&m, &EmitOptions::default()).unwrap().is_empty());
    }

    #[test]
    fn a_template_without_markers_is_refused() {
        let templates = crate::templates::Templates::with_overrides(BTreeMap::from([(
            TEMPLATE.to_string(),
            "[profile x]\n".to_string(),
        )]))
        .unwrap();
        let err = emit(
            &two_prod_accounts(),
            &EmitOptions::default().templates(templates),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "template `aws-config/config.hbs` produced invalid output: the managed block must have exactly one begin and one end marker line"
        );
    }

    #[test]
    fn merge_appends_replaces_and_refuses_broken_files() {
        assert_eq!(merge_managed_block("", BLOCK).unwrap(), BLOCK);
        assert_eq!(
            merge_managed_block("[default]\nregion = eu-west-1", BLOCK).unwrap(),
            format!("[default]\nregion = eu-west-1\n\n{BLOCK}")
        );
        let crlf = format!(
            "[default]\r\n{}\r\n[profile mine]\r\n",
            "# BEGIN iam-codegen managed block (do not edit)\r\nold\r\n# END iam-codegen managed block"
        );
        assert_eq!(
            merge_managed_block(&crlf, BLOCK).unwrap(),
            format!("[default]\r\n{BLOCK}[profile mine]\r\n")
        );
        let at_end = "x\n# BEGIN iam-codegen managed block (do not edit)\nold\n# END iam-codegen managed block";
        assert_eq!(
            merge_managed_block(at_end, BLOCK).unwrap(),
            format!("x\n{BLOCK}")
        );

        let errors = [
            (format!("{BLOCK}{BLOCK}"), "the file has more than one managed block (a second begin marker on line 5); keep one and merge again"),
            ("# BEGIN iam-codegen managed block (do not edit)\n".to_string(), "the managed block is not closed: 1 begin marker line(s) and 0 end marker line(s); fix the file by hand"),
            ("# END iam-codegen managed block\n".to_string(), "the managed block is not closed: 0 begin marker line(s) and 1 end marker line(s); fix the file by hand"),
            ("# BEGIN iam-codegen managed block\n# END iam-codegen managed block\n# END iam-codegen managed block\n".to_string(), "the managed block is not closed: 1 begin marker line(s) and 2 end marker line(s); fix the file by hand"),
            ("# END iam-codegen managed block\n# BEGIN iam-codegen managed block\n".to_string(), "the end marker on line 1 comes before the begin marker on line 2; fix the file by hand"),
        ];
        for (existing, message) in errors {
            assert_eq!(
                merge_managed_block(&existing, BLOCK)
                    .unwrap_err()
                    .to_string(),
                message
            );
        }
        assert_eq!(
            merge_managed_block("", "[profile x]\n").unwrap_err(),
            MergeError::Block
        );
    }

    fn arb_outside() -> impl Strategy<Value = String> {
        let line = prop_oneof![
            "[a-z_ ]{0,12}",
            "\\[profile [a-z-]{1,8}\\]",
            "# [ -~]{0,30}",
            "[a-z_]{1,8} = [ -~]{0,20}",
            Just(String::new()),
            Just("#".to_string()),
        ];
        (
            proptest::collection::vec((line, prop_oneof![Just("\n"), Just("\r\n")]), 0..8),
            any::<bool>(),
        )
            .prop_map(|(lines, terminated)| {
                let mut text: String = lines.iter().map(|(l, e)| format!("{l}{e}")).collect();
                if !terminated && text.ends_with('\n') {
                    text.pop();
                    if text.ends_with('\r') {
                        text.pop();
                    }
                }
                text
            })
            .prop_filter("no markers outside the block", |t| {
                count_markers(t) == (0, 0)
            })
    }

    fn arb_block() -> impl Strategy<Value = String> {
        proptest::collection::vec("[a-z_=\\[\\] ]{0,16}", 0..5).prop_map(|lines| {
            let mut block = format!("{BEGIN_MARKER}\n");
            for l in lines {
                block.push_str(&l);
                block.push('\n');
            }
            block.push_str(END_MARKER);
            block.push('\n');
            block
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn text_outside_the_block_is_kept_byte_for_byte(
            before in arb_outside(), after in arb_outside(), old in arb_block(), new in arb_block()
        ) {
            let mut before = before;
            if !before.is_empty() && !before.ends_with('\n') {
                before.push('\n');
            }
            let existing = format!("{before}{old}{after}");
            let merged = merge_managed_block(&existing, &new).unwrap();
            prop_assert_eq!(merged, format!("{before}{new}{after}"));
        }

        #[test]
        fn merging_twice_changes_nothing(existing in arb_outside(), old in arb_block(), new in arb_block(), with_block in any::<bool>()) {
            let existing = if with_block { merge_managed_block(&existing, &old).unwrap() } else { existing };
            let once = merge_managed_block(&existing, &new).unwrap();
            prop_assert_eq!(merge_managed_block(&once, &new).unwrap(), once.clone());
            prop_assert!(once.starts_with(existing.split(BEGIN_MARKER).next().unwrap_or_default()));
        }

        #[test]
        fn appending_keeps_the_file_as_its_prefix(existing in arb_outside(), new in arb_block()) {
            let merged = merge_managed_block(&existing, &new).unwrap();
            prop_assert!(merged.starts_with(&existing));
            prop_assert!(merged.ends_with(&new));
        }
    }
}
