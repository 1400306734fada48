//! Validation errors of a form request, named by the body fields the caller sent.
//!
//! The use case checks the Magento customer built from the form, so its errors name
//! Magento's fields, e.g. `addresses[0].telephone` for the body's `phone` (or
//! `telephone`). The form has one address, whose names repeat the customer's, so an
//! error found on both is reported once. Errors on `region_id` come from the form's own
//! `region_id` and keep their name.

use shared::mapping::{FieldError, ValidationErrors};

/// The path prefix of the form's only address in the use case's errors.
const ADDRESS_PREFIX: &str = "addresses[0].";

/// Renames the fields of the use case's errors to the body fields and drops repeats.
/// `phone_field` is the body key that carried the address telephone.
pub fn form_errors(errors: ValidationErrors, phone_field: &str) -> ValidationErrors {
    let mut renamed: Vec<FieldError> = Vec::new();

    for error in errors.0 {
        let error = rename(error, phone_field);
        if !renamed.contains(&error) {
            renamed.push(error);
        }
    }

    ValidationErrors(renamed)
}

fn rename(error: FieldError, phone_field: &str) -> FieldError {
    let Some(address_field) = error.field.strip_prefix(ADDRESS_PREFIX) else {
        return error;
    };

    match address_field {
        "telephone" => FieldError {
            field: phone_field.to_owned(),
            message: error.message,
        },
        // The use case's message names a fix in Odoo, which a form caller cannot apply.
        // A valid region_id sets the region and an invalid one has its own error, so
        // this error means that region is missing or not in the list.
        "region_id" => FieldError {
            field: "region".to_owned(),
            message: "is missing or not in Magento's region list of country_id; send a region code such as TX for Texas, or the region's id in region_id".to_owned(),
        },
        other => FieldError {
            field: other.to_owned(),
            message: error.message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(field: &str, message: &str) -> FieldError {
        FieldError {
            field: field.to_owned(),
            message: message.to_owned(),
        }
    }

    #[test]
    fn address_fields_renamed() {
        let errors = ValidationErrors(vec![
            error(
                "addresses[0].telephone",
                "is required by Magento; enter a value",
            ),
            error("addresses[0].city", "is required by Magento; enter a value"),
            error(
                "addresses[0].country_id",
                "is required by Magento; enter a value",
            ),
            error("addresses[0].region_id", "is required for country US"),
        ]);

        let fields: Vec<String> = form_errors(errors, "phone")
            .0
            .into_iter()
            .map(|error| error.field)
            .collect();

        assert_eq!(fields, ["phone", "city", "country_id", "region"]);
    }

    #[test]
    fn repeated_name_error_reported_once() {
        let message = "contains '$', which Magento rejects in names";
        let errors = ValidationErrors(vec![
            error("firstname", message),
            error("email", "is not an email address"),
            error("addresses[0].firstname", message),
        ]);

        let renamed = form_errors(errors, "phone").0;

        assert_eq!(
            renamed,
            [
                error("firstname", message),
                error("email", "is not an email address")
            ]
        );
    }

    #[test]
    fn region_message_names_body_fields() {
        let errors = ValidationErrors(vec![error(
            "addresses[0].region_id",
            "is required for country US, which has a region list; set the state in Odoo",
        )]);

        let renamed = form_errors(errors, "phone").0;

        assert!(renamed[0].message.contains("country_id"));
        assert!(!renamed[0].message.contains("Odoo"));
    }

    #[test]
    fn telephone_named_as_sent() {
        let errors = ValidationErrors(vec![
            error(
                "addresses[0].telephone",
                "is required by Magento; enter a value",
            ),
            error(
                "region_id",
                "99 is not in Magento's region list of country US",
            ),
        ]);

        let fields: Vec<String> = form_errors(errors, "telephone")
            .0
            .into_iter()
            .map(|error| error.field)
            .collect();

        assert_eq!(fields, ["telephone", "region_id"]);
    }
}
