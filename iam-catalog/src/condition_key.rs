//! [`ConditionKey`] and [`ConditionKeyType`].
use crate::generated::data;
use crate::table::{self, CondRec};

/// The value type of a condition key, as the Service Authorization Reference states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ConditionKeyType {
    /// `String`.
    String,
    /// `ArrayOfString`.
    ArrayOfString,
    /// `ARN`.
    Arn,
    /// `ArrayOfARN`.
    ArrayOfArn,
    /// `Bool`.
    Bool,
    /// `ArrayOfBool`.
    ArrayOfBool,
    /// `Numeric`.
    Numeric,
    /// `ArrayOfNumeric`.
    ArrayOfNumeric,
    /// `Date`.
    Date,
    /// `ArrayOfDate`.
    ArrayOfDate,
    /// `IPAddress`.
    IpAddress,
    /// `ArrayOfIPAddress`.
    ArrayOfIpAddress,
    /// `Binary`.
    Binary,
}

impl ConditionKeyType {
    /// The name AWS uses (`ARN`, `IPAddress`, `ArrayOfString`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "String",
            Self::ArrayOfString => "ArrayOfString",
            Self::Arn => "ARN",
            Self::ArrayOfArn => "ArrayOfARN",
            Self::Bool => "Bool",
            Self::ArrayOfBool => "ArrayOfBool",
            Self::Numeric => "Numeric",
            Self::ArrayOfNumeric => "ArrayOfNumeric",
            Self::Date => "Date",
            Self::ArrayOfDate => "ArrayOfDate",
            Self::IpAddress => "IPAddress",
            Self::ArrayOfIpAddress => "ArrayOfIPAddress",
            Self::Binary => "Binary",
        }
    }

    /// Whether the key is multivalued (`ArrayOf…`), so it needs `ForAnyValue`/`ForAllValues`.
    #[must_use]
    pub fn is_array(self) -> bool {
        matches!(
            self,
            Self::ArrayOfString
                | Self::ArrayOfArn
                | Self::ArrayOfBool
                | Self::ArrayOfNumeric
                | Self::ArrayOfDate
                | Self::ArrayOfIpAddress
        )
    }
}

impl std::fmt::Display for ConditionKeyType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A condition key, service-specific (`s3:prefix`) or global (`aws:SourceIp`).
///
/// Keys are stored once by exact name; templated keys keep their template
/// (`aws:RequestTag/${TagKey}`, `s3:ExistingObjectTag/<key>`).
///
/// ```
/// use iam_catalog::{ConditionKey, ConditionKeyType};
/// let key = ConditionKey::lookup("aws:requesttag/team").ok_or("unknown")?;
/// assert_eq!(key.name(), "aws:RequestTag/${TagKey}");
/// assert_eq!(key.value_type(), ConditionKeyType::String);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConditionKey(u16);

impl ConditionKey {
    pub(crate) const fn from_index(index: u16) -> Self {
        Self(index)
    }

    fn rec(self) -> Option<&'static CondRec> {
        data::CONDITION_KEYS.get(usize::from(self.0))
    }

    /// Every condition key, sorted case-insensitively by name.
    pub fn all() -> impl ExactSizeIterator<Item = ConditionKey> + Clone {
        (0..u16::try_from(data::CONDITION_KEYS.len()).unwrap_or(u16::MAX)).map(ConditionKey)
    }

    /// The key name as AWS writes it, template included.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.rec().map_or("", |r| table::text(r.name))
    }

    /// The value type.
    #[must_use]
    pub fn value_type(self) -> ConditionKeyType {
        self.rec()
            .map_or(ConditionKeyType::String, |r| r.value_type)
    }

    /// Whether this is one of the global condition keys (from the global key list).
    #[must_use]
    pub fn is_global(self) -> bool {
        self.rec().is_some_and(|r| r.global)
    }

    /// Whether the name ends in a template (`/${TagKey}`, `/<key>`, `/tag-key`,
    /// `:${EncryptionContextKey}`).
    #[must_use]
    pub fn is_template(self) -> bool {
        self.template_stem().is_some()
    }

    /// For a templated key, the part before the template, separator included:
    /// `aws:RequestTag/` for `aws:RequestTag/${TagKey}`, `kms:EncryptionContext:` for
    /// `kms:EncryptionContext:${EncryptionContextKey}`. A key as written in a policy that starts
    /// with the stem is an instance of the template, whatever the rest holds (tag keys such as
    /// `ebs.csi.aws.com/cluster` contain `/` and `:`).
    ///
    /// ```
    /// use iam_catalog::condition_keys::{aws, kms};
    /// assert_eq!(aws::RequestTag.template_stem(), Some("aws:RequestTag/"));
    /// assert_eq!(kms::EncryptionContext.template_stem(), Some("kms:EncryptionContext:"));
    /// assert_eq!(aws::SourceIp.template_stem(), None);
    /// ```
    #[must_use]
    pub fn template_stem(self) -> Option<&'static str> {
        template_stem(self.name())
    }

    /// Resolve a key as written in a policy, case-insensitively (AWS compares condition key
    /// names without case). An exact name wins; otherwise the templated key with the longest
    /// stem the key starts with (`aws:RequestTag/team` → `aws:RequestTag/${TagKey}`,
    /// `kms:EncryptionContext:aws:s3:arn` → `kms:EncryptionContext:${EncryptionContextKey}`).
    #[must_use]
    pub fn lookup(key: &str) -> Option<ConditionKey> {
        let exact = Self::all().find(|k| k.name().eq_ignore_ascii_case(key));
        if exact.is_some() {
            return exact;
        }
        Self::all()
            .filter_map(|k| k.template_stem().map(|stem| (stem, k)))
            .filter(|(stem, _)| {
                key.len() > stem.len()
                    && key
                        .get(..stem.len())
                        .is_some_and(|p| p.eq_ignore_ascii_case(stem))
            })
            .max_by_key(|(stem, _)| stem.len())
            .map(|(_, k)| k)
    }
}

impl std::fmt::Display for ConditionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// For a templated key name, the part up to and including the separator (`/` or `:`) before
/// the template.
fn template_stem(name: &str) -> Option<&str> {
    let cut = name.rfind(['/', ':'])?;
    let tail = name.get(cut + 1..)?;
    let templated = (tail.starts_with("${") && tail.ends_with('}'))
        || (tail.starts_with('<') && tail.ends_with('>'))
        || (tail == "tag-key" && name.get(cut..=cut) == Some("/"));
    if templated { name.get(..=cut) } else { None }
}
