//! The REST base URL of an instance and the request URLs built on it.

use url::Url;

use super::config::ClientConfig;
use super::error::{Error, ErrorKind};
use super::oauth::{encode_query, percent_encode};

/// Returns `<base_url>/rest[/<store_code>]` after checking the base URL.
pub(crate) fn rest_base(config: &ClientConfig) -> Result<String, Error> {
    let base = config.base_url.trim_end_matches('/');

    let parsed = Url::parse(base).map_err(|error| {
        Error::new(
            ErrorKind::Configuration,
            "client setup",
            format!("invalid base URL {base:?}: {error}; expected e.g. https://shop.example.com"),
        )
    })?;
    let is_http = matches!(parsed.scheme(), "http" | "https");
    if !is_http || parsed.query().is_some() || base.ends_with("/rest") {
        return Err(Error::new(
            ErrorKind::Configuration,
            "client setup",
            format!(
                "invalid base URL {base:?}: expected an http(s) URL without /rest and without a query, e.g. https://shop.example.com"
            ),
        ));
    }

    match config.store_code.as_deref() {
        None => Ok(format!("{base}/rest")),
        Some(code) if is_store_code(code) => Ok(format!("{base}/rest/{}", percent_encode(code))),
        Some(code) => Err(Error::new(
            ErrorKind::Configuration,
            "client setup",
            format!(
                "invalid store code {code:?}: use the store view code (letters, digits, underscore), e.g. \"default\""
            ),
        )),
    }
}

/// Magento store codes start with a letter and contain letters, digits and
/// underscores.
fn is_store_code(code: &str) -> bool {
    let starts_with_letter = code.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    starts_with_letter && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Builds the request URL with the query encoded exactly as OAuth signs it.
pub(crate) fn request_url(
    rest_base: &str,
    path: &str,
    query: &[(String, String)],
    operation: &str,
) -> Result<Url, Error> {
    let mut text = format!("{rest_base}{path}");
    if !query.is_empty() {
        text.push('?');
        text.push_str(&encode_query(query));
    }

    Url::parse(&text).map_err(|error| {
        Error::new(
            ErrorKind::Configuration,
            operation,
            format!("invalid request URL {text}: {error}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::magento::Credentials;

    fn config(base_url: &str, store_code: Option<&str>) -> ClientConfig {
        let mut config = ClientConfig::new(base_url, Credentials::Bearer { token: "t".into() });
        config.store_code = store_code.map(str::to_owned);
        config
    }

    #[test]
    fn rest_base_with_store_code() {
        let base = rest_base(&config("https://shop.example.com/", Some("default")));

        assert_eq!(
            base.ok().as_deref(),
            Some("https://shop.example.com/rest/default")
        );
    }

    #[test]
    fn rest_base_without_store_code() {
        let base = rest_base(&config("http://127.0.0.1:8080", None));

        assert_eq!(base.ok().as_deref(), Some("http://127.0.0.1:8080/rest"));
    }

    #[test]
    fn rest_base_rejects_rest_suffix() {
        let error = rest_base(&config("https://shop.example.com/rest", None)).err();

        assert_eq!(error.map(|e| e.kind()), Some(ErrorKind::Configuration));
    }

    #[test]
    fn rest_base_rejects_bad_store_code() {
        let error = rest_base(&config("https://shop.example.com", Some("../x"))).err();

        assert_eq!(error.map(|e| e.kind()), Some(ErrorKind::Configuration));
    }
}
