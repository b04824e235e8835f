//! The `aws-config` target: the AWS CLI configuration the seeds write by hand with
//! `aws configure sso`, generated from the model's Identity Center assignments.
//!
//! - `aws-config/config`: an `[sso-session NAME]` section and one `[profile NAME]` for every
//!   (account, permission set) pair that some group or user is assigned, inside a marked
//!   block ([`BEGIN_MARKER`] … [`END_MARKER`]) that [`merge_config`] replaces inside an
//!   existing `~/.aws/config` (read as the AWS CLI reads it), keeping everything outside it
//!   byte for byte;
//! - `aws-config/<user>.config`: the same block with only one Identity Center user's profiles
//!   (through the user's groups and direct assignments), for each user
//!   ([`AwsConfigOptions::per_user`]).
//!
//! A model without Identity Center gives no files. Profile names follow [`profile_name`];
//! [`profiles`] resolves collisions and reports renames. The start URL and the region of the
//! Identity Center instance come from the model (`identity_center.start_url`, `region`, and
//! optionally `sso_session`, `profile_region`, `profile_output`), each overridable in
//! [`AwsConfigOptions`]; without a start URL or a region the target is refused
//! ([`missing_settings`]): profiles that cannot sign in are not written.
//!
//! The keys are those of "Configuration and credential file settings" in the AWS CLI user
//! guide (`sso_session`, `sso_account_id`, `sso_role_name`, `region`, `output`; in the
//! `sso-session` section `sso_start_url`, `sso_region`, `sso_registration_scopes`).
//!
//! ```
//! use iam_codegen::emit::{aws_config, EmitOptions};
//! let model = iam_model::model::Model::from_json(include_str!("../../../tests/models/valid/organization.json"))?;
//! let files = aws_config::emit(&model, &EmitOptions::default())?;
//! let config = String::from_utf8(files.get("config").unwrap_or_default().to_vec())?;
//! assert!(config.contains("[sso-session sso]\nsso_start_url = https://example-corp.awsapps.com/start\nsso_region = us-east-1\n"));
//! assert!(config.contains("[profile dev]\nsso_session = sso\nsso_account_id = 444444444444\nsso_role_name = DeveloperAccess\n"));
//! assert!(files.get("alice@example.com.config").is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
use std::collections::{BTreeMap, BTreeSet, HashMap};

use heck::ToKebabCase;
use iam_model::model::names::{AccountName, PermissionSetName};
use iam_model::model::sso::is_config_name_char;
use iam_model::model::{AssignmentPrincipal, Environment, Grant, Model};
pub use iam_model::model::{ConfigName, OutputFormat, Region, SsoSettings, StartUrl};
use iam_model::{Finding, Severity};
use serde_json::json;

use crate::emit::{Artifacts, EmitError, EmitOptions, Shared};

mod ini;

/// The first line of the managed block.
pub const BEGIN_MARKER: &str = "# BEGIN iam-codegen managed block (do not edit)";
/// The last line of the managed block.
pub const END_MARKER: &str = "# END iam-codegen managed block";

// Marker prefixes: a line is a marker when, without trailing whitespace, it starts with one
// of these, so a block written by an older wording of the marker is still found.
const BEGIN_PREFIX: &str = "# BEGIN iam-codegen managed block";
const END_PREFIX: &str = "# END iam-codegen managed block";

/// AWS CLI config options. The sign-in settings come from the model
/// (`identity_center.start_url`, `region`, `sso_session`, `profile_region`,
/// `profile_output`); [`AwsConfigOptions::sso`] overrides them value by value (the
/// command line's `--sso-start-url`, `--sso-region`, …). Also: profile name overrides,
/// per-user files (on by default).
///
/// ```
/// use iam_codegen::emit::aws_config::AwsConfigOptions;
/// use iam_model::model::names::{AccountName, PermissionSetName};
/// use iam_model::model::SsoSettings;
/// let options = AwsConfigOptions::default()
///     .sso(SsoSettings::default().session_name("my-aws".parse()?).region("ap-northeast-2".parse()?))
///     .profile_name(AccountName::from_static("production"),
///         PermissionSetName::from_static("OperatorAccess"), "prod-ops".parse()?);
/// assert_eq!(options.sso_overrides().session(), "my-aws");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AwsConfigOptions {
    sso: SsoSettings,
    overrides: BTreeMap<(AccountName, PermissionSetName), ConfigName>,
    per_user: bool,
}

impl Default for AwsConfigOptions {
    fn default() -> Self {
        Self {
            sso: SsoSettings::default(),
            overrides: BTreeMap::new(),
            per_user: true,
        }
    }
}

impl AwsConfigOptions {
    /// Override the model's sign-in settings: each value set here wins.
    pub fn sso(mut self, settings: SsoSettings) -> Self {
        self.sso = settings;
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

    /// The overrides of the model's sign-in settings.
    pub fn sso_overrides(&self) -> &SsoSettings {
        &self.sso
    }

    /// The sign-in settings in effect for a model: its own, overridden by these options.
    pub fn settings(&self, model: &Model) -> SsoSettings {
        model
            .identity_center()
            .map(|ic| ic.sso_settings().clone())
            .unwrap_or_default()
            .overridden_by(&self.sso)
    }
}

/// The finding that refuses this target when the model has Identity Center but no start URL
/// or no region (in the model or the options): the profiles could not sign in, so none are
/// written. `None` when the target can be generated.
///
/// ```
/// use iam_codegen::emit::aws_config::{missing_settings, AwsConfigOptions};
/// use iam_model::model::SsoSettings;
/// let model = iam_model::model::Model::from_json(r#"{"version": 1,
///     "organization": {"management_account": "main"},
///     "accounts": {"main": {"id": "123456789012", "email": "m@example.com", "environment": "management"}},
///     "identity_center": {"instance_account": "main"}}"#)?;
/// let finding = missing_settings(&model, &AwsConfigOptions::default()).map(|f| f.code);
/// assert_eq!(finding, Some("missing-sso-settings"));
/// let flags = AwsConfigOptions::default().sso(SsoSettings::default()
///     .start_url("https://my-org.awsapps.com/start".parse()?)
///     .region("eu-west-1".parse()?));
/// assert_eq!(missing_settings(&model, &flags), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn missing_settings(model: &Model, options: &AwsConfigOptions) -> Option<Finding> {
    model.identity_center()?;
    let settings = options.settings(model);
    let mut missing = Vec::new();
    if settings.start_url.is_none() {
        missing.push("`start_url` (the AWS access portal URL)");
    }
    if settings.region.is_none() {
        missing.push("`region` (the region of the Identity Center instance)");
    }
    if missing.is_empty() {
        return None;
    }
    Some(Finding {
        code: "missing-sso-settings",
        severity: Severity::Error,
        path: "/identity_center".to_string(),
        message: format!(
            "the `aws-config` target needs {} in `identity_center`",
            missing.join(" and ")
        ),
        help: "add them to the model, e.g. `\"start_url\": \"https://d-1234567890.awsapps.com/start\", \"region\": \"eu-west-1\"` (IAM Identity Center > Settings), or pass `--sso-start-url URL --sso-region REGION`; without them no profile could sign in".to_string(),
    })
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
        .map(|c| if is_config_name_char(c) { c } else { '_' })
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
    emit_shared(&Shared::new(model, options))
}

/// [`emit`] with what other targets compute too.
pub(crate) fn emit_shared(shared: &Shared<'_>) -> Result<Artifacts, EmitError> {
    let (model, options) = (shared.model, shared.options);
    let mut files = Artifacts::new();
    let Some(ic) = model.identity_center() else {
        return Ok(files);
    };
    let opts = &options.aws_config;
    if let Some(finding) = missing_settings(model, opts) {
        return Err(EmitError::Missing(format!(
            "{}: {} ({})",
            finding.path, finding.message, finding.help
        )));
    }
    let settings = opts.settings(model);
    let grants = shared.grants();
    let plan = shared.profiles();
    let wanted: HashMap<&str, &str> = plan
        .renamed
        .iter()
        .map(|r| (r.name.as_str(), r.wanted.as_str()))
        .collect();
    let sections = plan
        .profiles
        .iter()
        .map(|p| {
            render_profile(
                model,
                options,
                &settings,
                p,
                wanted.get(p.name.as_str()).copied(),
            )
        })
        .collect::<Result<Vec<String>, EmitError>>()?;
    let session = session_context(&settings);
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
    for g in grants {
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
fn session_context(settings: &SsoSettings) -> serde_json::Value {
    json!({
        "name": settings.session(),
        "start_url": settings.start_url.as_ref().map(StartUrl::as_str),
        "sso_region": settings.region.as_ref().map(Region::as_str),
    })
}

/// One `[profile NAME]` section, from `aws-config/profile.hbs`; `wanted` is the name the
/// profile would have had when another profile took it.
fn render_profile(
    model: &Model,
    options: &EmitOptions,
    settings: &SsoSettings,
    profile: &Profile,
    wanted: Option<&str>,
) -> Result<String, EmitError> {
    let region = settings.region_of_profiles().map(Region::as_str);
    let account = model.account(profile.account.as_str());
    if options.templates.is_default(PROFILE_TEMPLATE)
        && let (Some(account), Some(region)) = (account, region)
        && let Some(text) = direct_profile(&DirectProfile {
            name: &profile.name,
            session: settings.session(),
            account: profile.account.as_str(),
            account_id: account.id().as_str(),
            environment: account.environment().as_str(),
            permission_set: profile.permission_set.as_str(),
            region,
            output: settings.profile_output.unwrap_or_default().as_str(),
            wanted,
        })
    {
        return Ok(text);
    }
    let context = json!({
        "name": profile.name,
        "session": settings.session(),
        "account": profile.account.as_str(),
        "account_id": account.map(|a| a.id().to_string()).unwrap_or_default(),
        "environment": account.map(|a| a.environment().as_str().to_string()).unwrap_or_default(),
        "permission_set": profile.permission_set.as_str(),
        "region": region,
        "output": settings.profile_output.unwrap_or_default().as_str(),
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
    let selected = || positions.iter().filter_map(|&i| sections.get(i));
    if options.templates.is_default(TEMPLATE)
        && let Some(body) = direct_block(selected(), session, user.as_ref())
    {
        return check_block(body);
    }
    let mut profiles = String::with_capacity(selected().map(String::len).sum());
    for section in selected() {
        profiles.push_str(section);
    }
    check_block(render_block_template(
        options,
        profiles,
        positions.len(),
        session,
        user,
    )?)
}

/// The managed block from `aws-config/config.hbs`.
fn render_block_template(
    options: &EmitOptions,
    profiles: String,
    profile_count: usize,
    session: &serde_json::Value,
    user: Option<serde_json::Value>,
) -> Result<String, EmitError> {
    let mut context = serde_json::Map::new();
    context.insert("begin_marker".into(), BEGIN_MARKER.into());
    context.insert("end_marker".into(), END_MARKER.into());
    context.insert("user".into(), user.unwrap_or_default());
    context.insert("session".into(), session.clone());
    context.insert("profile_count".into(), profile_count.into());
    context.insert("profiles".into(), profiles.into());
    options.templates.render(TEMPLATE, context.into())
}

/// `body` when it is one managed block, with its markers on the first and last lines.
fn check_block(body: String) -> Result<String, EmitError> {
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

/// The values of a `[profile NAME]` section, for [`direct_profile`].
struct DirectProfile<'a> {
    name: &'a str,
    session: &'a str,
    account: &'a str,
    account_id: &'a str,
    environment: &'a str,
    permission_set: &'a str,
    region: &'a str,
    output: &'a str,
    wanted: Option<&'a str>,
}

/// The bytes the default `aws-config/profile.hbs` renders, written directly with the
/// helpers' escaping functions; `None` when a value is one the template would refuse (the
/// template then renders it, and says why).
fn direct_profile(p: &DirectProfile<'_>) -> Option<String> {
    use crate::escape::{ini_comment, ini_value};
    let mut out = String::with_capacity(256);
    out.push_str("\n# ");
    out.push_str(&ini_comment(p.permission_set));
    out.push_str(" in ");
    out.push_str(&ini_comment(p.account));
    out.push_str(" (");
    out.push_str(&ini_comment(p.environment));
    out.push_str(", ");
    out.push_str(&ini_comment(p.account_id));
    out.push_str(")\n");
    if let Some(wanted) = p.wanted.filter(|w| !w.is_empty()) {
        out.push_str("# Renamed: it would be `");
        out.push_str(&ini_comment(wanted));
        out.push_str("`, a name another profile wants.\n");
    }
    for (before, value) in [
        ("[profile ", p.name),
        ("]\nsso_session = ", p.session),
        ("\nsso_account_id = ", p.account_id),
        ("\nsso_role_name = ", p.permission_set),
        ("\nregion = ", p.region),
        ("\noutput = ", p.output),
    ] {
        out.push_str(before);
        out.push_str(ini_value(value).ok()?);
    }
    out.push('\n');
    Some(out)
}

/// The bytes the default `aws-config/config.hbs` renders, written directly with the helpers'
/// escaping functions; `None` when the context holds something the template would render
/// otherwise or refuse (the template then renders it).
fn direct_block<'a>(
    sections: impl Iterator<Item = &'a String> + Clone,
    session: &serde_json::Value,
    user: Option<&serde_json::Value>,
) -> Option<String> {
    use crate::escape::{ini_comment, ini_value};
    fn text<'v>(v: &'v serde_json::Value, key: &str) -> Option<&'v str> {
        v.get(key).and_then(serde_json::Value::as_str)
    }
    let mut out = String::with_capacity(sections.clone().map(String::len).sum::<usize>() + 512);
    out.push_str(BEGIN_MARKER);
    out.push_str("\n# AWS CLI profiles for IAM Identity Center, generated by iam-codegen from the access model.\n");
    match user {
        None | Some(serde_json::Value::Null) => {}
        Some(user) => {
            out.push_str("# Profiles of ");
            out.push_str(&ini_comment(text(user, "display_name")?));
            out.push_str(" (");
            out.push_str(&ini_comment(text(user, "name")?));
            out.push_str(").\n");
        }
    }
    out.push_str("# Sign in with `aws sso login --profile NAME`, check with `aws sts get-caller-identity --profile NAME`.\n\n[sso-session ");
    out.push_str(ini_value(text(session, "name")?).ok()?);
    out.push_str("]\nsso_start_url = ");
    out.push_str(ini_value(text(session, "start_url")?).ok()?);
    out.push_str("\nsso_region = ");
    out.push_str(ini_value(text(session, "sso_region")?).ok()?);
    out.push_str("\nsso_registration_scopes = sso:account:access\n");
    for section in sections {
        out.push_str(section);
    }
    out.push_str(END_MARKER);
    out.push('\n');
    Some(out)
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
    /// The file is not one the AWS CLI reads (botocore would refuse it).
    #[error("line {line}: {reason}; the AWS CLI cannot read the file as it is, fix it by hand")]
    Syntax {
        /// The line.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// Sections outside the block define what the block defines.
    #[error(
        "{} outside the managed block {} what the block defines (botocore would use only one of them); remove {}, or pass `--merge-adopt` to replace {} by the block's",
        .sections.iter().map(|(h, l)| format!("`[{h}]` (line {l})")).collect::<Vec<_>>().join(", "),
        if .sections.len() == 1 { "defines" } else { "define" },
        if .sections.len() == 1 { "it" } else { "them" },
        if .sections.len() == 1 { "it" } else { "them" }
    )]
    Conflict {
        /// Each section's header text and line.
        sections: Vec<(String, usize)>,
    },
    /// Text after the block would be read as part of the block's last section.
    #[error(
        "line {line} after the managed block would be read as part of its section `[{header}]`; start your settings with a `[section]` header"
    )]
    Absorbed {
        /// The line in the merged file.
        line: usize,
        /// The block's section.
        header: String,
    },
}

/// The result of [`merge_config`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// The new file.
    pub text: String,
    /// The sections outside the block that `adopt` replaced: header text and line in the
    /// original file.
    pub adopted: Vec<(String, usize)>,
}

/// Merge the generated block into an AWS CLI config file, reading the file as botocore does
/// (see the `ini` rules in this module's source: comments `#`/`;`, continuation lines,
/// `[default]`, `[profile NAME]`, `[sso-session NAME]`, `[services NAME]`).
///
/// - A file the AWS CLI would refuse (a section twice, a setting twice, a line that is not
///   a setting) is an error naming the line: nothing is merged into a broken file.
/// - A section outside the block that stands for a profile or `sso-session` the block
///   defines (`[profile dev]`, also written `[profile "dev"]`) is an error naming the
///   section and its line, unless `adopt`: then the section (header to last setting) is
///   removed and the block's definition is the only one.
/// - Otherwise the block replaces the old one or is appended ([`merge_managed_block`]); in
///   a file with `\r\n` line ends the block gets them too.
///
/// ```
/// use iam_codegen::emit::aws_config::merge_config;
/// let block = "# BEGIN iam-codegen managed block (do not edit)\n[profile dev]\nregion = eu-west-1\n# END iam-codegen managed block\n";
/// let mine = "[profile dev]\nregion = us-east-1\n";
/// assert_eq!(merge_config(mine, block, false).unwrap_err().to_string(),
///     "`[profile dev]` (line 1) outside the managed block defines what the block defines (botocore would use only one of them); remove it, or pass `--merge-adopt` to replace it by the block's");
/// let merged = merge_config(mine, block, true)?;
/// assert_eq!(merged.text, block);
/// assert_eq!(merged.adopted, [("profile dev".to_string(), 1)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn merge_config(existing: &str, block: &str, adopt: bool) -> Result<Merged, MergeError> {
    let syntax = |e: ini::SyntaxError| MergeError::Syntax {
        line: e.line,
        reason: e.reason,
    };
    // Checks the block's markers; the text itself is checked below.
    merge_managed_block("", block)?;
    let crlf = existing.contains("\r\n") && !existing.replace("\r\n", "").contains('\n');
    let block = if crlf {
        block.replace('\n', "\r\n")
    } else {
        block.to_string()
    };
    let found = ini::sections(existing).map_err(syntax)?;
    let ours: BTreeSet<ini::Identity> = ini::sections(&block)
        .map_err(|_| MergeError::Block)?
        .into_iter()
        .map(|s| s.identity)
        .filter(|i| !matches!(i, ini::Identity::Other(_)))
        .collect();
    let range = block_range(existing)?;
    let inside = |offset: usize| range.is_some_and(|(start, stop)| (start..stop).contains(&offset));
    let clashes: Vec<&ini::Section> = found
        .iter()
        .filter(|s| !inside(s.start) && ours.contains(&s.identity))
        .collect();
    let adopted: Vec<(String, usize)> =
        clashes.iter().map(|s| (s.header.clone(), s.line)).collect();
    if !clashes.is_empty() && !adopt {
        return Err(MergeError::Conflict { sections: adopted });
    }
    let mut kept = String::with_capacity(existing.len());
    let mut cursor = 0;
    for section in &clashes {
        kept.push_str(existing.get(cursor..section.start).unwrap_or_default());
        cursor = section.end;
    }
    kept.push_str(existing.get(cursor..).unwrap_or_default());
    let text = merge_managed_block(&kept, &block)?;
    // The result must read back with the block's sections whole: text after the block that
    // belongs to no header of its own would extend the block's last section.
    let sections = ini::sections(&text).map_err(syntax)?;
    if let Some((_, stop)) = block_range(&text)?
        && let Some(section) = sections.iter().find(|s| s.start < stop && s.end > stop)
    {
        let line = text.get(..stop).unwrap_or_default().matches('\n').count() + 1;
        return Err(MergeError::Absorbed {
            line,
            header: section.header.clone(),
        });
    }
    Ok(Merged { text, adopted })
}

/// The byte range of the managed block in `text` (begin marker line to the end marker's
/// line break), `None` without one.
fn block_range(text: &str) -> Result<Option<(usize, usize)>, MergeError> {
    let mut begin: Option<(usize, usize)> = None; // (line number, byte offset)
    let mut end: Option<(usize, usize)> = None; // (line number, byte offset after the line)
    let (mut begins, mut ends) = (0, 0);
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
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
        (None, None) => Ok(None),
        (Some((begin_line, start)), Some((end_line, stop))) if begins == 1 && ends == 1 => {
            if end_line < begin_line {
                return Err(MergeError::Misordered {
                    begin: begin_line,
                    end: end_line,
                });
            }
            Ok(Some((start, stop)))
        }
        _ => Err(MergeError::Unbalanced { begins, ends }),
    }
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
    match block_range(existing)? {
        None => {
            // The blank line (and a missing final line break) in the file's own line ends.
            let eol = if existing.contains("\r\n") {
                "\r\n"
            } else {
                "\n"
            };
            let mut out = String::with_capacity(existing.len() + block.len() + 4);
            out.push_str(existing);
            if !existing.is_empty() {
                if !existing.ends_with('\n') {
                    out.push_str(eol);
                }
                out.push_str(eol);
            }
            out.push_str(block);
            Ok(out)
        }
        Some((start, stop)) => {
            let before = existing.get(..start).unwrap_or_default();
            let after = existing.get(stop..).unwrap_or_default();
            let mut out = String::with_capacity(before.len() + block.len() + after.len());
            out.push_str(before);
            out.push_str(block);
            out.push_str(after);
            Ok(out)
        }
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
            "invalid start URL `http://x`: expected `https://d-XXXXXXXXXX.awsapps.com/start` (10 hex digits) or `https://ALIAS.awsapps.com/start`"
        );
        for good in [
            "https://d-1234567890.awsapps.com/start",
            "https://d-abcdef0123.awsapps.com/start/",
            "https://my-company.awsapps.com/start",
            "https://x.awsapps.com/start",
        ] {
            assert!(good.parse::<StartUrl>().is_ok(), "{good}");
        }
        for bad in [
            "https://d-xxxxxxxxxx.awsapps.com/start",
            "https://d-12345.awsapps.com/start",
            "https://-corp.awsapps.com/start",
            "https://corp-.awsapps.com/start",
            "https://D-corp.awsapps.com/start",
            "https://my_corp.awsapps.com/start",
            "https://corp.awsapps.com/start?x=1",
            "https://evil.example.com/x.awsapps.com/start",
            "https://.awsapps.com/start",
        ] {
            assert!(bad.parse::<StartUrl>().is_err(), "{bad}");
        }
        for good in ["eu-west-1", "ap-northeast-2", "us-gov-west-1", "cn-north-1"] {
            assert!(good.parse::<Region>().is_ok(), "{good}");
        }
        for bad in [
            "",
            "eu",
            "eu-west",
            "EU-west-1",
            "eu-west-7",
            "xx-xxxx-1",
            "aws-global",
        ] {
            assert_eq!(
                bad.parse::<Region>().unwrap_err().to_string(),
                format!(
                    "invalid region `{bad}`: expected an AWS region such as `eu-west-1` (the regions of botocore's partitions)"
                )
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
            aws_config: AwsConfigOptions::default().sso(
                SsoSettings::default()
                    .session_name("my-aws".parse().unwrap())
                    .start_url("https://d-1234567890.awsapps.com/start".parse().unwrap())
                    .region("ap-northeast-2".parse().unwrap()),
            ),
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
sso_start_url = https://d-1234567890.awsapps.com/start
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
    fn without_a_start_url_and_region_the_target_is_refused() {
        let err = emit(&two_prod_accounts(), &EmitOptions::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "/identity_center: the `aws-config` target needs `start_url` (the AWS access portal URL) and `region` (the region of the Identity Center instance) in `identity_center` (add them to the model, e.g. `\"start_url\": \"https://d-1234567890.awsapps.com/start\", \"region\": \"eu-west-1\"` (IAM Identity Center > Settings), or pass `--sso-start-url URL --sso-region REGION`; without them no profile could sign in)"
        );
        // The options fill in what the model lacks; the renamed profile says why.
        let options = EmitOptions {
            aws_config: AwsConfigOptions::default().sso(
                SsoSettings::default()
                    .start_url("https://my-org.awsapps.com/start".parse().unwrap())
                    .region("eu-central-1".parse().unwrap()),
            ),
            ..EmitOptions::default()
        };
        let files = emit(&two_prod_accounts(), &options).unwrap();
        let config = std::str::from_utf8(files.get("config").unwrap()).unwrap();
        assert!(config.contains(
            "sso_start_url = https://my-org.awsapps.com/start\nsso_region = eu-central-1\n"
        ));
        assert!(config.contains("region = eu-central-1\n"));
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
        let mut options = EmitOptions::default().templates(templates);
        options.aws_config = AwsConfigOptions::default().sso(
            SsoSettings::default()
                .start_url("https://my-org.awsapps.com/start".parse().unwrap())
                .region("eu-central-1".parse().unwrap()),
        );
        let err = emit(&two_prod_accounts(), &options).unwrap_err();
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
