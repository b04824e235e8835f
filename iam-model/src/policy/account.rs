//! AWS account ids.
use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;

/// A 12-digit AWS account id.
///
/// Literals can be checked at compile time with [`AccountId::from_static`] in a `const`:
///
/// ```
/// use iam_model::policy::AccountId;
/// const PROD: AccountId = AccountId::from_static("111122223333");
/// assert_eq!(PROD.as_str(), "111122223333");
/// assert_eq!("1234".parse::<AccountId>().unwrap_err().to_string(),
///            "invalid account id `1234`: expected 12 digits");
/// ```
///
/// A literal that is not 12 digits does not compile:
///
/// ```compile_fail
/// use iam_model::policy::AccountId;
/// const BAD: AccountId = AccountId::from_static("12345");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId([u8; 12]);

impl AccountId {
    /// Parse a literal at compile time; a wrong literal is a compile error in a `const`.
    /// Outside a `const`, prefer [`str::parse`], which returns an error.
    #[expect(
        clippy::panic,
        reason = "evaluated in a const, a panic is a compile-time error"
    )]
    pub const fn from_static(text: &'static str) -> Self {
        match Self::parse_const(text) {
            Some(id) => id,
            None => panic!("an AWS account id is exactly 12 digits"),
        }
    }

    #[expect(
        clippy::indexing_slicing,
        reason = "const fn; both indices are below the checked length 12"
    )]
    const fn parse_const(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        if bytes.len() != 12 {
            return None;
        }
        let mut out = [0u8; 12];
        let mut i = 0;
        while i < 12 {
            let b = bytes[i];
            if !b.is_ascii_digit() {
                return None;
            }
            out[i] = b;
            i += 1;
        }
        Some(Self(out))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        // The bytes are ASCII digits by construction.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The ARN of the account root principal: `arn:aws:iam::<id>:root`.
    pub fn root_arn(&self) -> String {
        format!("arn:aws:iam::{}:root", self.as_str())
    }
}

impl FromStr for AccountId {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::parse_const(input).ok_or_else(|| ParseError::AccountId {
            input: input.to_string(),
        })
    }
}

impl TryFrom<&str> for AccountId {
    type Error = ParseError;
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({})", self.as_str())
    }
}

impl serde::Serialize for AccountId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for AccountId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
