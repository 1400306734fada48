//! Odoo's wire conventions for empty values.
//!
//! `read` and `search_read` return `false` (never `null` or `""`) for an empty
//! char, selection, date or many2one field, and a many2one as `[id, "display name"]`.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A many2one value as `read` returns it: the target id and its display name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Many2One {
    pub id: i64,
    pub name: String,
}

impl Serialize for Many2One {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (self.id, &self.name).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Many2One {
    /// Accepts `[id, "name"]`, and a bare id, which `read` returns with a `load`
    /// other than `_classic_read`; the name is then empty.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            Pair(i64, String),
            Id(i64),
        }

        match Wire::deserialize(deserializer) {
            Ok(Wire::Pair(id, name)) => Ok(Self { id, name }),
            Ok(Wire::Id(id)) => Ok(Self {
                id,
                name: String::new(),
            }),
            Err(_) => Err(D::Error::custom(
                "invalid many2one value: expected [id, \"name\"], an id or false",
            )),
        }
    }
}

/// Deserializes a field where Odoo sends `false` (or `null`) for "no value".
///
/// Use with `#[serde(default, deserialize_with = "false_as_none")]`.
pub fn false_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = serde_json::Value::deserialize(deserializer)?;

    match value {
        serde_json::Value::Bool(false) | serde_json::Value::Null => Ok(None),
        other => T::deserialize(other).map(Some).map_err(D::Error::custom),
    }
}

/// Serializes a write value where `Some(None)` clears the field: Odoo expects
/// `false` for that. Pair with `skip_serializing_if = "Option::is_none"`, so an
/// outer `None` leaves the field out of the request and unchanged on the server.
pub fn none_as_false<S, T>(value: &Option<Option<T>>, serializer: S) -> Result<S::Ok, S::Error>
where
    S: Serializer,
    T: Serialize,
{
    match value {
        Some(Some(inner)) => inner.serialize(serializer),
        Some(None) | None => serializer.serialize_bool(false),
    }
}

/// The format of Odoo datetime fields on the wire: UTC, without an offset.
const DATETIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Deserializes an Odoo datetime (`"2024-05-01 13:45:00"`, UTC) or `false`.
pub fn false_or_datetime<'de, D>(
    deserializer: D,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, D::Error>
where
    D: Deserializer<'de>,
{
    let Some(text) = false_as_none::<D, String>(deserializer)? else {
        return Ok(None);
    };

    chrono::NaiveDateTime::parse_from_str(&text, DATETIME_FORMAT)
        .map(|naive| Some(naive.and_utc()))
        .map_err(|error| {
            D::Error::custom(format!(
                "invalid Odoo datetime {text:?}: {error}; expected \"YYYY-MM-DD HH:MM:SS\""
            ))
        })
}
