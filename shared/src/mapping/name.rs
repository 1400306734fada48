//! Person names: Magento keeps five parts, Odoo keeps one `name` string.

use serde::{Deserialize, Serialize};

/// The five name fields of a Magento customer or address.
///
/// The sync stores these parts in the link record, so a name that Odoo did not change
/// comes back to Magento exactly as it was. The full name alone can be ambiguous: in
/// "Ana Maria Lima", "Maria" may be a middle name or part of the first name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameParts {
    pub prefix: Option<String>,
    pub first: String,
    pub middle: Option<String>,
    pub last: String,
    pub suffix: Option<String>,
}

impl NameParts {
    /// Builds parts from optional fields, trimming each and dropping empty ones.
    pub fn new(
        prefix: Option<&str>,
        first: &str,
        middle: Option<&str>,
        last: &str,
        suffix: Option<&str>,
    ) -> Self {
        Self {
            prefix: non_empty(prefix),
            first: first.trim().to_owned(),
            middle: non_empty(middle),
            last: last.trim().to_owned(),
            suffix: non_empty(suffix),
        }
    }

    /// Joins the parts with single spaces, in Magento's order (prefix, first, middle,
    /// last, suffix). `with_prefix` is false where the prefix travels separately, as
    /// `res.partner.title` on Odoo 17 and 18.
    pub fn full_name(&self, with_prefix: bool) -> String {
        let prefix = if with_prefix {
            self.prefix.as_deref()
        } else {
            None
        };

        [
            prefix,
            Some(self.first.as_str()),
            self.middle.as_deref(),
            Some(self.last.as_str()),
            self.suffix.as_deref(),
        ]
        .into_iter()
        .flatten()
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
    }
}

/// Splits an Odoo full name into parts, reusing `stored` (the parts saved at the last
/// sync) wherever they still match.
///
/// The rule is deterministic, so the same name and stored parts always give the same
/// result:
/// 1. If `stored` composes to exactly `name`, return `stored`.
/// 2. Strip the stored prefix (only when `with_prefix`) and suffix where the name still
///    starts or ends with them.
/// 3. Keep the stored first name if the remaining words start with it, and the stored last
///    name if they end with it. Otherwise the first word is the first name and the last
///    word is the last name.
/// 4. The words in between are the middle name.
///
/// A one-word name gives an empty last name, which the create and update validation
/// reports, because Magento requires both names.
pub fn split_full_name(name: &str, stored: Option<&NameParts>, with_prefix: bool) -> NameParts {
    let words: Vec<&str> = name.split_whitespace().collect();
    let empty = NameParts::default();
    let stored = stored.unwrap_or(&empty);

    if !words.is_empty() && stored.full_name(with_prefix) == words.join(" ") {
        return stored.clone();
    }

    let mut rest = words.as_slice();

    let prefix = if with_prefix {
        take_front(&mut rest, stored.prefix.as_deref())
    } else {
        stored.prefix.clone()
    };
    let suffix = take_back(&mut rest, stored.suffix.as_deref());

    let first = take_front(&mut rest, Some(stored.first.as_str()))
        .or_else(|| take_first_word(&mut rest))
        .unwrap_or_default();
    let last = take_back(&mut rest, Some(stored.last.as_str()))
        .or_else(|| take_last_word(&mut rest))
        .unwrap_or_default();
    let middle = (!rest.is_empty()).then(|| rest.join(" "));

    NameParts {
        prefix,
        first,
        middle,
        last,
        suffix,
    }
}

/// Removes `expected` (one or more words) from the front of `rest` when it is there.
/// Words compare case-sensitively, so a changed capitalisation counts as a change.
fn take_front(rest: &mut &[&str], expected: Option<&str>) -> Option<String> {
    let expected: Vec<&str> = expected?.split_whitespace().collect();

    // The last name must keep at least one word, so a match may not eat everything.
    if expected.is_empty() || expected.len() >= rest.len() || !rest.starts_with(&expected) {
        return None;
    }

    *rest = &rest[expected.len()..];
    Some(expected.join(" "))
}

/// Removes `expected` (one or more words) from the back of `rest` when it is there.
fn take_back(rest: &mut &[&str], expected: Option<&str>) -> Option<String> {
    let expected: Vec<&str> = expected?.split_whitespace().collect();

    if expected.is_empty() || expected.len() > rest.len() || !rest.ends_with(&expected) {
        return None;
    }

    // A suffix or last name may not swallow the only remaining word (the first name).
    if expected.len() == rest.len() && rest.len() <= 1 {
        return None;
    }

    *rest = &rest[..rest.len() - expected.len()];
    Some(expected.join(" "))
}

fn take_first_word(rest: &mut &[&str]) -> Option<String> {
    let (word, tail) = rest.split_first()?;
    *rest = tail;
    Some((*word).to_owned())
}

fn take_last_word(rest: &mut &[&str]) -> Option<String> {
    let (word, head) = rest.split_last()?;
    *rest = head;
    Some((*word).to_owned())
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ana() -> NameParts {
        NameParts::new(Some("Dr."), "Ana", Some("Maria"), "da Silva", Some("Jr."))
    }

    #[test]
    fn full_name_orders_parts() {
        assert_eq!(ana().full_name(true), "Dr. Ana Maria da Silva Jr.");
        assert_eq!(ana().full_name(false), "Ana Maria da Silva Jr.");
    }

    #[test]
    fn full_name_skips_empty_parts() {
        let parts = NameParts::new(Some(" "), "Ana", None, "Lima", Some(""));

        assert_eq!(parts.full_name(true), "Ana Lima");
    }

    #[test]
    fn split_unchanged_name_returns_stored() {
        let stored = ana();

        assert_eq!(
            split_full_name("Dr. Ana Maria da Silva Jr.", Some(&stored), true),
            stored
        );
        assert_eq!(
            split_full_name("Ana Maria da Silva Jr.", Some(&stored), false),
            stored
        );
    }

    #[test]
    fn split_changed_first_name_keeps_last() {
        let split = split_full_name("Dr. Anna Maria da Silva Jr.", Some(&ana()), true);

        assert_eq!(split.prefix.as_deref(), Some("Dr."));
        assert_eq!(split.first, "Anna");
        assert_eq!(split.middle.as_deref(), Some("Maria"));
        assert_eq!(split.last, "da Silva");
        assert_eq!(split.suffix.as_deref(), Some("Jr."));
    }

    #[test]
    fn split_without_stored_parts() {
        let split = split_full_name("Ana Maria de Souza Lima", None, true);

        assert_eq!(split.prefix, None);
        assert_eq!(split.first, "Ana");
        assert_eq!(split.middle.as_deref(), Some("Maria de Souza"));
        assert_eq!(split.last, "Lima");
        assert_eq!(split.suffix, None);
    }

    #[test]
    fn split_one_word_leaves_last_empty() {
        let split = split_full_name("Cher", None, true);

        assert_eq!(split.first, "Cher");
        assert_eq!(split.last, "");
    }

    #[test]
    fn split_keeps_title_prefix_when_name_lacks_it() {
        let split = split_full_name("Ana Lima", Some(&ana()), false);

        assert_eq!(split.prefix.as_deref(), Some("Dr."));
        assert_eq!(split.first, "Ana");
        assert_eq!(split.last, "Lima");
    }

    fn word() -> impl Strategy<Value = String> {
        "[A-Za-zÀ-ÿ'.-]{1,8}"
    }

    fn parts() -> impl Strategy<Value = NameParts> {
        (
            proptest::option::of(word()),
            word(),
            proptest::option::of(word()),
            proptest::collection::vec(word(), 1..3),
            proptest::option::of(word()),
        )
            .prop_map(|(prefix, first, middle, last, suffix)| NameParts {
                prefix,
                first,
                middle,
                last: last.join(" "),
                suffix,
            })
    }

    proptest! {
        #[test]
        fn split_round_trips_with_stored(parts in parts(), with_prefix in any::<bool>()) {
            let name = parts.full_name(with_prefix);

            prop_assert_eq!(split_full_name(&name, Some(&parts), with_prefix), parts);
        }

        #[test]
        fn split_never_loses_words(parts in parts()) {
            let name = parts.full_name(true);

            let split = split_full_name(&name, None, true);

            prop_assert_eq!(split.full_name(true), name);
        }
    }
}
