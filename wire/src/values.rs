//! Values that cannot hold invalid data: parsing is validation, so once a handler holds an
//! `Email` it is a plausible address, normalised to lower case.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a person does at an agency. A user has one or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Advocate,
    Coordinator,
    HousingManager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Advocate,
        Role::Coordinator,
        Role::HousingManager,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Advocate => "advocate",
            Role::Coordinator => "coordinator",
            Role::HousingManager => "housing_manager",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A permission an admin gives a person beyond what their roles carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// See the street address and exact point of confidential shelters (design: "Confidential
    /// locations"). Coordinators hold it by default; advocates only when an admin grants it.
    ViewConfidentialLocations,
}

impl Grant {
    pub const ALL: [Grant; 1] = [Grant::ViewConfidentialLocations];

    pub fn as_str(self) -> &'static str {
        match self {
            Grant::ViewConfidentialLocations => "view_confidential_locations",
        }
    }

    pub fn parse(s: &str) -> Option<Grant> {
        Grant::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An e-mail address used as a login name: trimmed, lower-cased, one `@` with text on both
/// sides, a dot in the domain, at most 254 bytes (RFC 5321's path limit).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = "email"))]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, &'static str> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() || s.len() > 254 {
            return Err("must be an e-mail address of at most 254 characters");
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err("must be an e-mail address");
        };
        let ok = !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Email(s))
        } else {
            Err("must be an e-mail address")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = &'static str;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password someone is choosing. NIST SP 800-63B: length matters, composition rules do not;
/// at least 12 characters, at most 256 so hashing cannot be used to burn CPU.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = "password", min_length = 12, max_length = 256))]
#[serde(try_from = "String", into = "String")]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: String) -> Result<NewPassword, &'static str> {
        let n = raw.chars().count();
        if n < Self::MIN_CHARS {
            Err("must be at least 12 characters")
        } else if n > Self::MAX_CHARS {
            Err("must be at most 256 characters")
        } else {
            Ok(NewPassword(raw))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for NewPassword {
    type Error = &'static str;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        NewPassword::parse(value)
    }
}

impl From<NewPassword> for String {
    fn from(p: NewPassword) -> String {
        p.0
    }
}

/// Never print a password, not even in a debug log.
impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Advocate@Demo.Fieldline.TEST ")
                .unwrap()
                .as_str(),
            "advocate@demo.fieldline.test"
        );
        for bad in [
            "",
            "no-at",
            "@x.org",
            "a@b",
            "a@.org",
            "a@org.",
            "a b@x.org",
            "a@b@c.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(Email::parse(&format!("{}@x.org", "a".repeat(250))).is_err());
    }

    #[test]
    fn password_length_bounds() {
        assert!(NewPassword::parse("short".into()).is_err());
        assert!(NewPassword::parse("twelve chars".into()).is_ok());
        assert!(NewPassword::parse("x".repeat(257)).is_err());
        assert_eq!(
            format!("{:?}", NewPassword::parse("secret secret".into()).unwrap()),
            "NewPassword(..)"
        );
    }

    #[test]
    fn roles_round_trip_through_json_and_text() {
        for r in Role::ALL {
            let j = serde_json::to_string(&r).unwrap();
            assert_eq!(j, format!("\"{}\"", r.as_str()));
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert!(serde_json::from_str::<Role>("\"root\"").is_err());
    }
}
