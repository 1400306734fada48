//! Email matching rules shared by the partner search.

/// Normalizes an email address the way Odoo computes `email_normalized`
/// (`odoo/tools/mail.py`): surrounding whitespace and a `Name <...>` wrapper
/// are dropped, the domain is lowercased, and the local part is lowercased
/// only when it is ASCII. Returns `None` when there is no `local@domain`.
pub fn normalize_email(text: &str) -> Option<String> {
    let mut address = text.trim();

    if let (Some(open), Some(close)) = (address.rfind('<'), address.rfind('>')) {
        if open < close {
            address = address[open + 1..close].trim();
        }
    }

    let (local, domain) = address.rsplit_once('@')?;
    if local.is_empty() || domain.is_empty() || address.chars().any(char::is_whitespace) {
        return None;
    }

    let local = if local.is_ascii() {
        local.to_ascii_lowercase()
    } else {
        local.to_owned()
    };

    Some(format!("{local}@{}", domain.to_lowercase()))
}

/// Escapes `\`, `%` and `_` so an `=ilike` domain leaf matches the text
/// literally. PostgreSQL's LIKE treats `%` and `_` as wildcards and a
/// backslash as the default escape character.
pub fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());

    for character in text.chars() {
        if matches!(character, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(character);
    }

    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_lowercases_ascii() {
        assert_eq!(
            normalize_email("  Ana.Lima@Example.TEST "),
            Some("ana.lima@example.test".to_owned())
        );
    }

    #[test]
    fn normalize_keeps_unicode_local_case() {
        assert_eq!(
            normalize_email("Jürgen@Example.test"),
            Some("Jürgen@example.test".to_owned())
        );
    }

    #[test]
    fn normalize_unwraps_display_name() {
        assert_eq!(
            normalize_email("Ana Lima <Ana@Example.test>"),
            Some("ana@example.test".to_owned())
        );
    }

    #[test]
    fn normalize_rejects_non_addresses() {
        assert_eq!(normalize_email(""), None);
        assert_eq!(normalize_email("no-at-sign"), None);
        assert_eq!(normalize_email("@example.test"), None);
        assert_eq!(normalize_email("ana@"), None);
        assert_eq!(normalize_email("ana lima@example.test"), None);
    }

    #[test]
    fn escape_like_escapes_wildcards() {
        assert_eq!(escape_like("john_doe%1\\x@a.b"), "john\\_doe\\%1\\\\x@a.b");
    }
}
