//! Fingerprints of mapped forms, stored in the link record to tell which side changed.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::form::CustomerForm;

/// Returns the lowercase hex SHA-256 of the form's JSON.
///
/// The JSON is canonical because [`CustomerForm`] serializes its fields in declaration
/// order and keeps its children sorted, so equal forms always give equal fingerprints.
pub fn fingerprint(form: &CustomerForm) -> String {
    let canonical = form.clone().canonicalize();
    let json = canonical_json(&canonical);

    let digest = Sha256::digest(json.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Returns the lowercase hex SHA-256 of a value's JSON, such as one address's form,
/// which an address link stores to tell whether that address changed. Struct fields
/// serialize in declaration order, so the JSON of equal values is identical.
pub fn fingerprint_of(value: &impl Serialize) -> String {
    let json = canonical_json(value);

    let digest = Sha256::digest(json.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn canonical_json(value: &impl Serialize) -> String {
    // Serializing plain structs, strings and enums to a String cannot fail. An error here
    // would be a bug in a Serialize impl, and an empty string still gives a stable hash.
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::form::{AddressForm, ChildForm, ChildRole};

    fn form() -> CustomerForm {
        CustomerForm {
            name: "Ana Lima".into(),
            title: None,
            email: "ana@example.test".into(),
            phone: Some("555".into()),
            vat: None,
            company: None,
            address: AddressForm::default(),
            children: vec![
                ChildForm {
                    role: ChildRole::Other,
                    name: "B".into(),
                    phone: None,
                    address: AddressForm::default(),
                },
                ChildForm {
                    role: ChildRole::Delivery,
                    name: "A".into(),
                    phone: None,
                    address: AddressForm::default(),
                },
            ],
        }
    }

    #[test]
    fn fingerprint_is_sha256_hex() {
        let hash = fingerprint(&form());

        assert_eq!(hash.len(), 64);
        assert!(
            hash.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }

    #[test]
    fn fingerprint_ignores_child_order() {
        let mut reordered = form();
        reordered.children.reverse();

        assert_eq!(fingerprint(&form()), fingerprint(&reordered));
    }

    #[test]
    fn fingerprint_changes_with_phone() {
        let mut changed = form();
        changed.phone = Some("556".into());

        assert_ne!(fingerprint(&form()), fingerprint(&changed));
    }
}
