//! Customer-level checks on create and update: names, email and password.

use serde_json::json;

use super::errors::{ApiError, ErrorMessage};

const PASSWORD_MAX_CHARS: usize = 256;
/// `customer/password/minimum_password_length` default.
const PASSWORD_MIN_CHARS: usize = 8;
/// `customer/password/required_character_classes_number` default.
const PASSWORD_MIN_CLASSES: usize = 3;

/// Checks the password rules in the order Magento's AccountManagement applies them.
pub fn check_password(password: &str, email: &str) -> Result<(), ApiError> {
    let length = password.chars().count();

    if length > PASSWORD_MAX_CHARS {
        return Err(ApiError::bad_request(
            "Please enter a password with at most %1 characters.",
            Some(json!([PASSWORD_MAX_CHARS])),
        ));
    }
    if length < PASSWORD_MIN_CHARS {
        return Err(ApiError::bad_request(
            "The password needs at least %1 characters. Create a new password and try again.",
            Some(json!([PASSWORD_MIN_CHARS])),
        ));
    }
    if password.trim() != password {
        return Err(ApiError::bad_request(
            "The password can't begin or end with a space. Verify the password and try again.",
            None,
        ));
    }

    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ];
    if classes.iter().filter(|present| **present).count() < PASSWORD_MIN_CLASSES {
        return Err(ApiError::bad_request(
            "Minimum of different classes of characters in password is %1. Classes of characters: Lower Case, Upper Case, Digits, Special Characters.",
            Some(json!([PASSWORD_MIN_CLASSES])),
        ));
    }

    if password.to_lowercase() == email.to_lowercase() {
        return Err(ApiError::bad_request(
            "The password can't be the same as the email address. Create a new password and try again.",
            None,
        ));
    }
    Ok(())
}

/// Checks the 2.4.5+ name rule: letters, marks, digits, spaces and `,-_.'’` only.
fn is_valid_name(name: &str) -> bool {
    name.chars().all(|c| {
        c.is_alphabetic()
            || c.is_numeric()
            || c.is_whitespace()
            || ('\u{0300}'..='\u{036F}').contains(&c)
            || ",-_.'’`".contains(c)
    })
}

/// Checks the email and names of a customer about to be saved.
pub fn check_customer(
    email: Option<&str>,
    firstname: Option<&str>,
    lastname: Option<&str>,
    middlename: Option<&str>,
) -> Result<(), ApiError> {
    let email = email.unwrap_or_default().trim();
    if email.is_empty() {
        return Err(ApiError::bad_request(
            "The customer email is missing. Enter and try again.",
            None,
        ));
    }

    let blank = |name: Option<&str>| name.is_none_or(|text| text.trim().is_empty());
    let mut missing = Vec::new();
    if blank(firstname) {
        missing.push("\"First Name\" is a required value.");
    }
    if blank(lastname) {
        missing.push("\"Last Name\" is a required value.");
    }
    if !missing.is_empty() {
        return Err(ApiError::bad_request(missing.join("\n"), None));
    }

    let names = [
        ("First Name", firstname),
        ("Last Name", lastname),
        ("Middle Name", middlename),
    ];
    for (label, name) in names {
        if let Some(name) = name
            && !is_valid_name(name)
        {
            return Err(ApiError::bad_request(
                format!("{label} is not valid!"),
                None,
            ));
        }
    }

    if !is_valid_email(email) {
        // NOTE: the wording of Magento's invalid-email message varies across 2.4
        // releases; this is the Eav validator's form.
        return Err(ApiError::input(vec![ErrorMessage::new(
            "\"%1\" is not a valid email address.",
            Some(json!(["Email"])),
        )]));
    }
    Ok(())
}

/// Accepts ASCII `local@domain.tld` addresses; Magento rejects non-ASCII local parts.
fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };

    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_diacritics_valid() {
        assert!(is_valid_name("Zoë"));
        assert!(is_valid_name("O'Brien-Smith"));
        assert!(is_valid_name("山田"));
        assert!(!is_valid_name("Bob<script>"));
    }

    #[test]
    fn email_with_accent_invalid() {
        assert!(is_valid_email("Ana.Lima+shop@Example.test"));
        assert!(!is_valid_email("josé@example.com"));
    }
}
