//! [`Service`]: an AWS service prefix such as `s3`.
use crate::generated::data;
use crate::table::{self, ServiceRec};
use crate::{ConditionKey, KnownAction, ResourceType};

/// An AWS service, identified by its IAM prefix (`s3`, `dynamodb`, `access-analyzer`).
///
/// ```
/// use iam_catalog::Service;
/// let s3 = Service::from_prefix("S3").ok_or("no s3")?;
/// assert_eq!(s3.prefix(), "s3");
/// assert_eq!(s3.name(), "Amazon S3");
/// assert!(s3.actions().any(|a| a.name() == "GetObject"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Service(u16);

impl Service {
    pub(crate) const fn from_index(index: u16) -> Self {
        Self(index)
    }

    fn rec(self) -> Option<&'static ServiceRec> {
        data::SERVICES.get(usize::from(self.0))
    }

    /// The service with this prefix, compared ASCII case-insensitively.
    #[must_use]
    pub fn from_prefix(prefix: &str) -> Option<Service> {
        let wanted = prefix.to_ascii_lowercase();
        data::SERVICES
            .binary_search_by(|rec| table::text(rec.prefix).cmp(wanted.as_str()))
            .ok()
            .and_then(|i| u16::try_from(i).ok())
            .map(Service)
    }

    /// Every service, sorted by prefix (including retired services kept for their deprecated actions).
    pub fn all() -> impl ExactSizeIterator<Item = Service> + Clone {
        (0..u16::try_from(data::SERVICES.len()).unwrap_or(u16::MAX)).map(Service)
    }

    /// The IAM prefix, lowercase (`s3`).
    #[must_use]
    pub fn prefix(self) -> &'static str {
        self.rec().map_or("", |r| table::text(r.prefix))
    }

    /// The service name from the Service Authorization Reference (`Amazon S3`).
    #[must_use]
    pub fn name(self) -> &'static str {
        self.rec().map_or("", |r| table::text(r.name))
    }

    /// The actions of this service, sorted by name (deprecated ones included).
    pub fn actions(self) -> impl ExactSizeIterator<Item = KnownAction> + Clone {
        let (start, len) = self
            .rec()
            .map_or((0, 0), |r| (r.actions_start, r.actions_len));
        (start..start.saturating_add(len)).map(KnownAction::from_index)
    }

    /// The resource types of this service, sorted by name.
    pub fn resource_types(self) -> impl ExactSizeIterator<Item = ResourceType> + Clone {
        let (start, len) = self
            .rec()
            .map_or((0, 0), |r| (r.resource_types_start, r.resource_types_len));
        (start..start.saturating_add(len)).map(ResourceType::from_index)
    }

    /// The condition keys this service defines (including the `aws:` keys it lists).
    pub fn condition_keys(self) -> impl ExactSizeIterator<Item = ConditionKey> + Clone {
        let ids = self.rec().map_or(&[][..], |r| {
            table::range(
                &data::SERVICE_CONDITION_KEYS,
                usize::from(r.condition_keys_start),
                usize::from(r.condition_keys_len),
            )
        });
        ids.iter().map(|&i| ConditionKey::from_index(i))
    }

    /// Whether every action of this service is deprecated (a retired service).
    #[must_use]
    pub fn is_retired(self) -> bool {
        let mut actions = self.actions();
        // A service with no actions at all comes only from the retired list.
        actions.all(KnownAction::is_deprecated)
    }
}

impl std::fmt::Display for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.prefix())
    }
}
