//! [`KnownAction`], [`AccessLevel`] and the [`action!`](crate::action!) macro.
use crate::generated::data;
use crate::table::{self, ActionRec};
use crate::{ConditionKey, ResourceType, Service};

/// The access level AWS assigns to an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AccessLevel {
    /// `List`: list resources without reading their content.
    List,
    /// `Read`: read resource content or attributes.
    Read,
    /// `Write`: create, change or delete resources.
    Write,
    /// `Tagging`: change tags only.
    Tagging,
    /// `Permissions management`: change who can access what.
    PermissionsManagement,
}

impl AccessLevel {
    const ALL: [AccessLevel; 5] = [
        AccessLevel::List,
        AccessLevel::Read,
        AccessLevel::Write,
        AccessLevel::Tagging,
        AccessLevel::PermissionsManagement,
    ];

    /// The name AWS uses (`List`, `Permissions management`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::List => "List",
            Self::Read => "Read",
            Self::Write => "Write",
            Self::Tagging => "Tagging",
            Self::PermissionsManagement => "Permissions management",
        }
    }

    /// Parse a level name, ignoring case, spaces, `-` and `_` (`write`, `permissions-management`).
    #[must_use]
    pub fn from_name(name: &str) -> Option<AccessLevel> {
        let key: String = name
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_'))
            .collect::<String>()
            .to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|l| l.as_str().replace(' ', "").eq_ignore_ascii_case(&key))
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

impl std::fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The set of access levels the AWS docs list for an action.
///
/// The reference writes combined values: `Tagging, Write` and `Permissions management, Write`
/// (older scrapes show only the first part). [`KnownAction::access_level`] is the first, most
/// specific level; this set holds all of them, so a `Tagging, Write` action
/// [`contains`](AccessLevels::contains) both `Tagging` and `Write`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccessLevels(u8);

impl AccessLevels {
    /// Whether the set holds `level`.
    #[must_use]
    pub fn contains(self, level: AccessLevel) -> bool {
        self.0 & level.bit() != 0
    }

    /// The levels in the set, in [`AccessLevel`] order.
    pub fn iter(self) -> impl Iterator<Item = AccessLevel> {
        AccessLevel::ALL
            .into_iter()
            .filter(move |l| self.contains(*l))
    }
}

impl std::fmt::Display for AccessLevels {
    /// The AWS spelling: the primary level first (`Tagging, Write`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut levels: Vec<AccessLevel> = self.iter().collect();
        // AWS lists the specific level before `Write`.
        levels.sort_by_key(|l| *l == AccessLevel::Write);
        for (i, level) in levels.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(level.as_str())?;
        }
        Ok(())
    }
}

/// An action in the catalogue (`s3:GetObject`), a copyable index.
///
/// Get one from the typed constants ([`crate::actions`]), the [`action!`](crate::action!) macro,
/// [`KnownAction::lookup`] for policy text, or [`KnownAction::from_name`] in const context.
///
/// ```
/// use iam_catalog::{AccessLevel, KnownAction, actions::s3};
/// let action = KnownAction::lookup("s3:getobject").ok_or("unknown")?;
/// assert_eq!(action, s3::GetObject);
/// assert_eq!(action.full_name(), "s3:GetObject");
/// assert_eq!(action.access_level(), AccessLevel::Read);
/// assert!(!action.is_deprecated());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KnownAction(u16);

impl KnownAction {
    /// The action at `index` in [`KnownAction::all`] order; used by generated code.
    pub(crate) const fn from_index(index: u16) -> Self {
        Self(index)
    }

    pub(crate) fn index(self) -> u16 {
        self.0
    }

    fn rec(self) -> Option<&'static ActionRec> {
        data::ACTIONS.get(usize::from(self.0))
    }

    /// Every action, grouped by service and sorted by name, deprecated ones included.
    pub fn all() -> impl ExactSizeIterator<Item = KnownAction> + Clone {
        (0..u16::try_from(data::ACTIONS.len()).unwrap_or(u16::MAX)).map(KnownAction)
    }

    /// Look up `service:Action` as written in a policy, ASCII case-insensitively.
    ///
    /// Hashes the lowercased name (FNV-1a) and binary-searches a sorted hash table, then
    /// confirms the name; no allocation.
    #[must_use]
    pub fn lookup(name: &str) -> Option<KnownAction> {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in name.bytes() {
            hash ^= u64::from(byte.to_ascii_lowercase());
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        let start = data::ACTION_HASHES.partition_point(|&h| h < hash);
        let hashes = data::ACTION_HASHES.get(start..).unwrap_or(&[]);
        let indices = data::ACTION_HASH_INDEX.get(start..).unwrap_or(&[]);
        hashes
            .iter()
            .zip(indices)
            .take_while(|(h, _)| **h == hash)
            .map(|(_, &index)| index)
            .map(KnownAction)
            .find(|action| {
                name.split_once(':').is_some_and(|(service, action_name)| {
                    action.name().eq_ignore_ascii_case(action_name)
                        && action.service().prefix().eq_ignore_ascii_case(service)
                })
            })
    }

    /// The same as [`KnownAction::lookup`], usable in const context.
    ///
    /// ```
    /// use iam_catalog::KnownAction;
    /// const PASS_ROLE: Option<KnownAction> = KnownAction::from_name("iam:PassRole");
    /// assert!(PASS_ROLE.is_some());
    /// ```
    #[must_use]
    pub const fn from_name(name: &str) -> Option<KnownAction> {
        let input = name.as_bytes();
        let lookup: &[u16] = &data::ACTION_LOOKUP;
        let mut lo = 0;
        let mut hi = lookup.len();
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let Some(index) = table::nth_u16(lookup, mid) else {
                return None;
            };
            let ord = compare_full_name(input, index);
            if ord == 0 {
                return Some(KnownAction(index));
            } else if ord < 0 {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        None
    }

    /// The service of this action.
    #[must_use]
    pub fn service(self) -> Service {
        Service::from_index(self.rec().map_or(0, |r| r.service))
    }

    /// The action name in AWS casing (`GetObject`).
    #[must_use]
    pub fn name(self) -> &'static str {
        self.rec().map_or("", |r| table::text(r.name))
    }

    /// `service:Action` in AWS casing (`s3:GetObject`).
    #[must_use]
    pub fn full_name(self) -> String {
        format!("{}:{}", self.service().prefix(), self.name())
    }

    /// The primary access level: the first of the levels AWS lists (`Tagging` for
    /// `Tagging, Write`). See [`AccessLevels`].
    #[must_use]
    pub fn access_level(self) -> AccessLevel {
        match self.rec().map_or(2, |r| r.level) {
            0 => AccessLevel::List,
            1 => AccessLevel::Read,
            3 => AccessLevel::Tagging,
            4 => AccessLevel::PermissionsManagement,
            _ => AccessLevel::Write,
        }
    }

    /// Every access level AWS lists for this action (`Tagging, Write` holds both).
    #[must_use]
    pub fn access_levels(self) -> AccessLevels {
        AccessLevels(self.rec().map_or(AccessLevel::Write.bit(), |r| r.levels))
    }

    /// Whether the access level was guessed from the verb, because no source still describes
    /// this (deprecated) action.
    #[must_use]
    pub fn is_access_level_inferred(self) -> bool {
        self.rec().is_some_and(|r| r.bits & 2 != 0)
    }

    /// The resource types the action can act on, with `required` as in the AWS tables (`*`).
    /// Empty means the action only supports `"Resource": "*"`.
    pub fn resource_types(self) -> impl ExactSizeIterator<Item = (ResourceType, bool)> + Clone {
        let ids = self.rec().map_or(&[][..], |r| {
            table::range(
                &data::ACTION_RESOURCE_TYPES,
                usize::from(r.resource_types_start),
                usize::from(r.resource_types_len),
            )
        });
        ids.iter()
            .map(|&i| (ResourceType::from_index(i & 0x7FFF), i & 0x8000 != 0))
    }

    /// The condition keys listed for the action itself (not those of its resource types).
    pub fn condition_keys(self) -> impl ExactSizeIterator<Item = ConditionKey> + Clone {
        let ids = self.rec().map_or(&[][..], |r| {
            table::range(
                &data::ACTION_CONDITION_KEYS,
                usize::try_from(r.condition_keys_start).unwrap_or(usize::MAX),
                usize::from(r.condition_keys_len),
            )
        });
        ids.iter().map(|&i| ConditionKey::from_index(i))
    }

    /// Actions the caller also needs for this one to succeed (the docs' "Dependent actions").
    /// The vendored snapshot lists none, so this is empty for now.
    pub fn dependent_actions(self) -> impl ExactSizeIterator<Item = KnownAction> + Clone {
        let ids = self.rec().map_or(&[][..], |r| {
            table::range(
                &data::ACTION_DEPENDENCIES,
                usize::from(r.dependencies_start),
                usize::from(r.dependencies_len),
            )
        });
        ids.iter().map(|&i| KnownAction(i))
    }

    /// Whether the action is no longer in the AWS reference (kept so code keeps compiling and
    /// old policies keep validating).
    #[must_use]
    pub fn is_deprecated(self) -> bool {
        self.rec().is_some_and(|r| r.bits & 1 != 0)
    }

    /// The "Grants permission to …" text from the reference. `None` for deprecated actions
    /// without one, and always `None` when the `descriptions` feature (default) is off; the
    /// texts add about 1.6 MB to a binary that uses them.
    #[must_use]
    pub fn description(self) -> Option<&'static str> {
        let text = table::description(self.rec().map_or(0, |r| r.description));
        (!text.is_empty()).then_some(text)
    }
}

impl std::fmt::Display for KnownAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.service().prefix(), self.name())
    }
}

/// Compare `input` (any case) with the lowercase `prefix:Name` of action `index`:
/// negative, zero or positive like `Ord`.
const fn compare_full_name(input: &[u8], index: u16) -> i8 {
    let Some((service, name)) = action_text_ids(index) else {
        return 1;
    };
    let (ord, rest) = compare_part(input, table::text_bytes(service));
    if ord != 0 {
        return ord;
    }
    let (ord, rest) = compare_part(rest, b":");
    if ord != 0 {
        return ord;
    }
    let (ord, rest) = compare_part(rest, table::text_bytes(name));
    if ord != 0 {
        return ord;
    }
    if rest.is_empty() { 0 } else { 1 }
}

const fn action_text_ids(index: u16) -> Option<(u32, u32)> {
    let actions: &[ActionRec] = &data::ACTIONS;
    let Some((_, [action, ..])) = actions.split_at_checked(index as usize) else {
        return None;
    };
    let services: &[crate::table::ServiceRec] = &data::SERVICES;
    let Some((_, [service, ..])) = services.split_at_checked(action.service as usize) else {
        return None;
    };
    Some((service.prefix, action.name))
}

/// Compare the start of `input` with `part`, both lowercased; on a full match of `part`
/// return 0 and the rest of `input`.
const fn compare_part<'a>(input: &'a [u8], part: &[u8]) -> (i8, &'a [u8]) {
    let mut input = input;
    let mut part = part;
    loop {
        match (input.split_first(), part.split_first()) {
            (_, None) => return (0, input),
            (None, Some(_)) => return (-1, input),
            (Some((a, input_rest)), Some((b, part_rest))) => {
                let a = a.to_ascii_lowercase();
                let b = b.to_ascii_lowercase();
                if a < b {
                    return (-1, input);
                }
                if a > b {
                    return (1, input);
                }
                input = input_rest;
                part = part_rest;
            }
        }
    }
}

/// Resolve `"service:Action"` at compile time; an unknown name fails to compile.
///
/// ```
/// use iam_catalog::{action, actions::s3};
/// assert_eq!(action!("s3:GetObject"), s3::GetObject);
/// assert_eq!(action!("S3:getobject"), s3::GetObject);
/// ```
///
/// ```compile_fail
/// let _ = iam_catalog::action!("s3:GetObjet");
/// ```
#[macro_export]
macro_rules! action {
    ($name:literal) => {{
        const ACTION: $crate::KnownAction = match $crate::KnownAction::from_name($name) {
            ::core::option::Option::Some(action) => action,
            ::core::option::Option::None => {
                ::core::panic!(concat!("unknown IAM action `", $name, "`"))
            }
        };
        ACTION
    }};
}
