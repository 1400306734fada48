//! The size DynamoDB counts for an item, to reject an item over the 400 KB limit before
//! it is sent. DynamoDB would fail the whole batch or transaction that carries it, and
//! its error would not say which item is too large.
//!
//! The rules are those of the DynamoDB Developer Guide, "DynamoDB item sizes and
//! formats". Attribute names and strings count their UTF-8 bytes, and numbers about
//! one byte per two significant digits plus one. Binary values count their length,
//! booleans and nulls one byte. Lists and maps count three bytes plus one byte per
//! element.

use aws_sdk_dynamodb::types::AttributeValue;

use super::Item;

/// DynamoDB's limit on one item, names and values included.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// Returns the size of an item as DynamoDB counts it.
pub fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(text) => text.len(),
        AttributeValue::N(number) => number_size(number),
        AttributeValue::B(bytes) => bytes.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(texts) => texts.iter().map(String::len).sum(),
        AttributeValue::Ns(numbers) => numbers.iter().map(|number| number_size(number)).sum(),
        AttributeValue::Bs(blobs) => blobs.iter().map(|bytes| bytes.as_ref().len()).sum(),
        AttributeValue::L(values) => 3 + values.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(name, v)| 1 + name.len() + value_size(v))
                .sum::<usize>()
        }
        // A type added to the SDK after this code counts its debug text, which is an upper
        // bound for any scalar.
        other => format!("{other:?}").len(),
    }
}

/// About one byte per two significant digits, plus one.
fn number_size(number: &str) -> usize {
    let digits: String = number
        .chars()
        .take_while(|c| *c != 'e' && *c != 'E')
        .filter(char::is_ascii_digit)
        .collect();
    let significant = digits.trim_start_matches('0').trim_end_matches('0').len();

    significant.div_ceil(2) + 1
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn item(pairs: &[(&str, AttributeValue)]) -> Item {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect()
    }

    #[test]
    fn strings_count_names_and_utf8_bytes() {
        let sized = item(&[("name", AttributeValue::S("Zoë".into()))]);

        assert_eq!(item_size(&sized), 4 + 4);
    }

    #[test]
    fn numbers_count_significant_digits() {
        assert_eq!(number_size("0"), 1);
        assert_eq!(number_size("7"), 2);
        assert_eq!(number_size("1200"), 2);
        assert_eq!(number_size("-123.45"), 4);
    }

    #[test]
    fn lists_and_maps_add_overhead_per_element() {
        let inner = HashMap::from([("id".to_owned(), AttributeValue::N("42".into()))]);
        let sized = item(&[(
            "l",
            AttributeValue::L(vec![AttributeValue::M(inner), AttributeValue::Bool(true)]),
        )]);

        // "l" + list (3) + map element (1 + 3 + 1 + "id" + 2) + bool element (1 + 1)
        assert_eq!(item_size(&sized), 1 + 3 + (1 + 3 + 1 + 2 + 2) + (1 + 1));
    }
}
