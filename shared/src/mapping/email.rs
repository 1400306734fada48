//! Email addresses: the key that links a Magento customer to an Odoo partner.

/// Returns the form used to compare addresses across systems: trimmed and lowercased.
///
/// Magento and Odoo both treat addresses as case-insensitive in practice (Odoo's
/// `email_normalized` lowercases the whole ASCII address), so "Ana.Lima@Example.test"
/// and " ana.lima@example.test" are the same customer.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The reason Magento's email validator would reject an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("is missing; enter an email address such as name@example.com")]
    Missing,
    #[error(
        "\"{email}\" contains the non-ASCII character '{character}'; Magento accepts only ASCII letters, digits and !#$%&'*+/=?^_`{{|}}~.- in an email address, so replace it (for example 'é' with 'e')"
    )]
    NonAscii { email: String, character: char },
    #[error("\"{email}\" must contain exactly one '@' between a local part and a domain")]
    Shape { email: String },
    #[error("\"{email}\" has an invalid local part (before '@'): {reason}")]
    LocalPart { email: String, reason: &'static str },
    #[error("\"{email}\" has an invalid domain (after '@'): {reason}")]
    Domain { email: String, reason: &'static str },
}

/// Characters RFC 5322 allows unquoted in a local part ("atext"), besides letters and
/// digits. Magento's validator rejects quoted local parts, so dots are the only extra.
const LOCAL_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-";

/// Checks `email` the way Magento 2.4 does before it accepts a customer, so a bad address
/// is reported before any remote write instead of failing half-way.
pub fn validate_magento_email(email: &str) -> Result<(), EmailError> {
    let trimmed = email.trim();
    if trimmed.is_empty() {
        return Err(EmailError::Missing);
    }

    if let Some(character) = trimmed.chars().find(|c| !c.is_ascii()) {
        return Err(EmailError::NonAscii {
            email: trimmed.to_owned(),
            character,
        });
    }

    let Some((local, domain)) = trimmed.split_once('@') else {
        return Err(EmailError::Shape {
            email: trimmed.to_owned(),
        });
    };
    if local.is_empty() || domain.is_empty() || domain.contains('@') {
        return Err(EmailError::Shape {
            email: trimmed.to_owned(),
        });
    }

    check_local_part(local).map_err(|reason| EmailError::LocalPart {
        email: trimmed.to_owned(),
        reason,
    })?;
    check_domain(domain).map_err(|reason| EmailError::Domain {
        email: trimmed.to_owned(),
        reason,
    })
}

fn check_local_part(local: &str) -> Result<(), &'static str> {
    if local.len() > 64 {
        return Err("it is longer than 64 characters");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err("a dot may not start or end it or follow another dot");
    }
    if !local
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || LOCAL_SPECIALS.contains(c))
    {
        return Err("it contains a space, quote or other character outside RFC 5322 atext");
    }

    Ok(())
}

fn check_domain(domain: &str) -> Result<(), &'static str> {
    if domain.len() > 253 {
        return Err("it is longer than 253 characters");
    }

    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err("it needs a dot and a top-level domain, as in example.com");
    }

    for label in &labels {
        if label.is_empty() || label.len() > 63 {
            return Err("each dot-separated label must have 1 to 63 characters");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a label may not start or end with '-'");
        }
        if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err("labels may contain only ASCII letters, digits and '-'");
        }
    }

    let top_level = labels.last().copied().unwrap_or_default();
    if top_level.len() < 2 || !top_level.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err("the top-level domain must have at least two letters");
    }

    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_trims_and_lowercases() {
        assert_eq!(
            normalize_email("  Ana.Lima@Example.test "),
            "ana.lima@example.test"
        );
    }

    #[test]
    fn validate_accepts_common_addresses() {
        for email in [
            "ana.lima@example.test",
            "john_doe+shop@mail.example.co.uk",
            "a%b@x-y.io",
        ] {
            assert_eq!(validate_magento_email(email), Ok(()), "{email}");
        }
    }

    #[test]
    fn validate_rejects_accented_local_part() {
        let error = validate_magento_email("josé@example.test").expect_err("invalid input");

        assert_eq!(
            error,
            EmailError::NonAscii {
                email: "josé@example.test".into(),
                character: 'é'
            }
        );
        assert!(error.to_string().contains("replace it"));
    }

    #[test]
    fn validate_rejects_bad_shapes() {
        assert_eq!(validate_magento_email("  "), Err(EmailError::Missing));
        assert!(matches!(
            validate_magento_email("ana.example.test"),
            Err(EmailError::Shape { .. })
        ));
        assert!(matches!(
            validate_magento_email("a@b@c.test"),
            Err(EmailError::Shape { .. })
        ));
        assert!(matches!(
            validate_magento_email("ana..lima@example.test"),
            Err(EmailError::LocalPart { .. })
        ));
        assert!(matches!(
            validate_magento_email("ana lima@example.test"),
            Err(EmailError::LocalPart { .. })
        ));
        assert!(matches!(
            validate_magento_email("ana@localhost"),
            Err(EmailError::Domain { .. })
        ));
        assert!(matches!(
            validate_magento_email("ana@-example.test"),
            Err(EmailError::Domain { .. })
        ));
        assert!(matches!(
            validate_magento_email("ana@example.1"),
            Err(EmailError::Domain { .. })
        ));
    }
}
