//! [`AwsManagedPolicy`]: the AWS managed policies as a typed catalogue.
use crate::generated::data;
use crate::table::{self, PolicyRec};

/// An AWS managed policy (latest default version in the snapshot).
///
/// Each policy has an associated constant named after the policy. Names that are not Rust
/// identifiers are sanitized: every character other than ASCII letters, digits and `_`
/// becomes `_`, and a leading digit gets a `_` in front (none of the 1,594 names needs it
/// today).
///
/// ```
/// use iam_catalog::AwsManagedPolicy;
/// let p = AwsManagedPolicy::DatabaseAdministrator;
/// assert_eq!(p.arn(), "arn:aws:iam::aws:policy/job-function/DatabaseAdministrator");
/// assert_eq!(p.path(), "/job-function/");
/// assert_eq!(AwsManagedPolicy::from_name("ReadOnlyAccess"), Some(AwsManagedPolicy::ReadOnlyAccess));
/// assert_eq!(
///     AwsManagedPolicy::AdministratorAccess.document_json(),
///     r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AwsManagedPolicy(u16);

impl AwsManagedPolicy {
    pub(crate) const fn from_index(index: u16) -> Self {
        Self(index)
    }

    fn rec(self) -> Option<&'static PolicyRec> {
        data::POLICIES.get(usize::from(self.0))
    }

    /// Every managed policy, sorted by name.
    pub fn all() -> impl ExactSizeIterator<Item = AwsManagedPolicy> + Clone {
        (0..u16::try_from(data::POLICIES.len()).unwrap_or(u16::MAX)).map(AwsManagedPolicy)
    }

    /// The policy with this exact name (names are case-sensitive in IAM).
    #[must_use]
    pub fn from_name(name: &str) -> Option<AwsManagedPolicy> {
        data::POLICIES
            .binary_search_by(|r| table::text(r.name).cmp(name))
            .ok()
            .and_then(|i| u16::try_from(i).ok())
            .map(AwsManagedPolicy)
    }

    /// The policy with this exact ARN (`arn:aws:iam::aws:policy/...`).
    #[must_use]
    pub fn from_arn(arn: &str) -> Option<AwsManagedPolicy> {
        data::POLICIES_BY_ARN
            .binary_search_by(|&i| AwsManagedPolicy(i).arn().cmp(arn))
            .ok()
            .and_then(|pos| data::POLICIES_BY_ARN.get(pos))
            .map(|&i| AwsManagedPolicy(i))
    }

    /// The policy name (`ReadOnlyAccess`).
    #[must_use]
    pub fn name(self) -> &'static str {
        self.rec().map_or("", |r| table::text(r.name))
    }

    /// The ARN in the `aws` partition.
    #[must_use]
    pub fn arn(self) -> &'static str {
        self.rec().map_or("", |r| table::text(r.arn))
    }

    /// The path (`/`, `/job-function/`, `/service-role/`, `/aws-service-role/`).
    #[must_use]
    pub fn path(self) -> &'static str {
        self.rec().map_or("", |r| table::text(r.path))
    }

    /// The default version id in the snapshot (`v5`).
    #[must_use]
    pub fn version_id(self) -> &'static str {
        self.rec().map_or("", |r| table::text(r.version_id))
    }

    /// When that version was published (ISO 8601).
    #[must_use]
    pub fn update_date(self) -> &'static str {
        self.rec().map_or("", |r| table::text(r.update_date))
    }

    /// Whether AWS has deprecated the policy. Unknown for 4 policies (see the data README);
    /// those report `false`.
    #[must_use]
    pub fn is_deprecated(self) -> bool {
        self.rec().is_some_and(|r| r.deprecated == 1)
    }

    /// The policy document as compact JSON, keys and values in the order AWS published them.
    #[must_use]
    pub fn document_json(self) -> &'static str {
        table::document(self.rec().map_or(0, |r| r.document))
    }
}

impl std::fmt::Display for AwsManagedPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
