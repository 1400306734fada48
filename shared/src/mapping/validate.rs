//! Checks run before any write to Magento, so a record Magento would reject is reported
//! with the field and the fix instead of failing half-way through a create.

use std::fmt;

use super::email::validate_magento_email;
use super::name::NameParts;

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field as the caller knows it, e.g. `firstname` or `addresses[0].city`.
    pub field: String,
    /// The problem and its fix.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.field, self.message)
    }
}

/// Every problem found in one record; never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid customer: {}", join(.0))]
pub struct ValidationErrors(pub Vec<FieldError>);

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Collects field errors while a record is checked.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem with `field`.
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Checks a required text field.
    pub fn require(&mut self, field: &str, value: Option<&str>) {
        if value.is_none_or(|text| text.trim().is_empty()) {
            self.push(field, "is required by Magento; enter a value");
        }
    }

    /// Checks the email with Magento's rules.
    pub fn email(&mut self, field: &str, email: &str) {
        if let Err(error) = validate_magento_email(email) {
            self.push(field, error.to_string());
        }
    }

    /// Checks the five name parts: first and last are required, and every part may hold
    /// only the characters Magento 2.4.5+ accepts.
    pub fn names(&mut self, field_prefix: &str, parts: &NameParts) {
        let fields = [
            ("prefix", parts.prefix.as_deref()),
            ("firstname", Some(parts.first.as_str())),
            ("middlename", parts.middle.as_deref()),
            ("lastname", Some(parts.last.as_str())),
            ("suffix", parts.suffix.as_deref()),
        ];

        for (name, value) in fields {
            let field = format!("{field_prefix}{name}");

            if matches!(name, "firstname" | "lastname") {
                self.require(&field, value);
            }

            if let Some(bad) = value.and_then(first_invalid_name_char) {
                self.push(
                    field,
                    format!(
                        "contains '{bad}', which Magento rejects in names; use only letters, digits, spaces and , - _ . '"
                    ),
                );
            }
        }
    }

    /// Returns the collected errors, if any.
    pub fn finish(self) -> Result<(), ValidationErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(self.errors))
        }
    }
}

/// Returns the first character that Magento's name validator (2.4.5+) rejects: it accepts
/// letters, combining marks, digits, white space and `,-_.'`.
pub fn first_invalid_name_char(name: &str) -> Option<char> {
    name.chars()
        .find(|&c| !(c.is_alphanumeric() || c.is_whitespace() || ",-_.'".contains(c) || is_mark(c)))
}

/// Tells whether `c` is a combining diacritical mark, as in a decomposed "é".
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_accept_accents_and_punctuation() {
        let mut validator = Validator::new();

        validator.names(
            "",
            &NameParts::new(None, "José-María", None, "O'Brien, Jr.", None),
        );

        assert_eq!(validator.finish(), Ok(()));
    }

    #[test]
    fn names_reject_symbols() {
        let mut validator = Validator::new();

        validator.names("", &NameParts::new(None, "Ana", None, "Lima (VIP)", None));

        let errors = validator.finish().expect_err("invalid input").0;
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "lastname");
        assert!(errors[0].message.starts_with("contains '('"));
    }

    #[test]
    fn names_require_first_and_last() {
        let mut validator = Validator::new();

        validator.names("addresses[0].", &NameParts::new(None, " ", None, "", None));

        let fields: Vec<String> = validator
            .finish()
            .expect_err("invalid input")
            .0
            .into_iter()
            .map(|error| error.field)
            .collect();
        assert_eq!(fields, ["addresses[0].firstname", "addresses[0].lastname"]);
    }

    #[test]
    fn errors_display_field_and_fix() {
        let mut validator = Validator::new();
        validator.email("email", "josé@example.test");
        validator.require("city", None);

        let message = validator.finish().expect_err("invalid input").to_string();

        assert!(message.starts_with(
            "invalid customer: email: \"josé@example.test\" contains the non-ASCII character 'é'"
        ));
        assert!(message.ends_with("; city: is required by Magento; enter a value"));
    }
}
