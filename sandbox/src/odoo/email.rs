//! `email_normalized` as the mail addon computes it. It is the first address
//! found in the field, with the domain lowercased. An ASCII local part is
//! lowercased too, but a non-ASCII one keeps its case.

/// Normalizes the first address in `text`; None when there is none.
pub fn normalize(text: &str) -> Option<String> {
    let separators =
        |c: char| c.is_whitespace() || matches!(c, ',' | ';' | '<' | '>' | '"' | '\'' | '(' | ')');
    let address = text.split(separators).find(|token| is_address(token))?;

    let (local, domain) = address.rsplit_once('@')?;
    let local = if local.is_ascii() {
        local.to_ascii_lowercase()
    } else {
        local.to_string()
    };
    Some(format!("{local}@{}", domain.to_lowercase()))
}

fn is_address(token: &str) -> bool {
    match token.rsplit_once('@') {
        Some((local, domain)) => !local.is_empty() && !domain.is_empty() && !domain.contains('@'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn normalize_cases() {
        assert_eq!(
            normalize("Ana.Lima@Example.TEST").as_deref(),
            Some("ana.lima@example.test")
        );
        assert_eq!(
            normalize("\"Ana\" <Ana@X.com>, b@y.com").as_deref(),
            Some("ana@x.com")
        );
        assert_eq!(
            normalize("Jürgen@EXAMPLE.de").as_deref(),
            Some("Jürgen@example.de")
        );
        assert_eq!(normalize("no address here"), None);
        assert_eq!(normalize(""), None);
    }
}
