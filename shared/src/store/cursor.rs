//! Opaque pagination cursors: URL-safe base64 of the JSON form of a
//! `LastEvaluatedKey` whose attributes are all strings.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::{Item, StoreError};

/// Encodes a `LastEvaluatedKey`. Returns `None` for a key with a non-string
/// attribute, which no key of this table has.
pub fn encode(key: &Item) -> Option<String> {
    let mut plain = BTreeMap::new();
    for (name, value) in key {
        plain.insert(name.as_str(), value.as_s().ok()?.as_str());
    }

    let json = serde_json::to_vec(&plain).ok()?;
    Some(URL_SAFE_NO_PAD.encode(json))
}

/// Decodes a cursor back into an `ExclusiveStartKey`.
pub fn decode(cursor: &str) -> Result<Item, StoreError> {
    let json = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| StoreError::InvalidCursor)?;
    let plain: HashMap<String, String> =
        serde_json::from_slice(&json).map_err(|_| StoreError::InvalidCursor)?;
    Ok(plain
        .into_iter()
        .map(|(name, value)| (name, AttributeValue::S(value)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip() {
        let key: Item = HashMap::from([
            ("PK".to_string(), AttributeValue::S("INSTANCE#a".into())),
            ("SK".to_string(), AttributeValue::S("CUSTOMER#01".into())),
        ]);

        let decoded = encode(&key).map(|cursor| decode(&cursor));

        assert_eq!(decoded.and_then(Result::ok), Some(key));
    }

    #[test]
    fn decode_rejects_garbage() {
        assert!(matches!(
            decode("not base64!"),
            Err(StoreError::InvalidCursor)
        ));
        assert!(matches!(
            decode(&URL_SAFE_NO_PAD.encode("[1]")),
            Err(StoreError::InvalidCursor)
        ));
    }

    #[test]
    fn encode_skips_non_string_key() {
        let key: Item = HashMap::from([("PK".to_string(), AttributeValue::N("1".into()))]);

        assert_eq!(encode(&key), None);
    }
}
