//! Conversion of stored Magento credentials into the credentials of the Magento client.
//!
//! The secret contains only the tokens, and the instance's `magento_auth` chooses the
//! OAuth signature method. Both must name the same kind of credentials, so a secret of
//! another kind fails with [`CredentialsMismatch`] instead of sending the wrong
//! authentication to Magento.

use secrecy::ExposeSecret;

use crate::config::MagentoAuthKind;
use crate::magento::{Credentials, SignatureMethod};

use super::MagentoCredentials;

/// A mismatch between the instance's `magento_auth` and the kind of credentials that its
/// secret contains.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "magento_auth is {configured} but the stored Magento secret contains {stored} credentials; store {expected} credentials or change magento_auth"
)]
pub struct CredentialsMismatch {
    /// The instance's `magento_auth`, as it is written in the instance settings.
    pub configured: &'static str,
    /// The kind of the stored credentials: `oauth`, `bearer` or `admin`.
    pub stored: &'static str,
    /// The kind that `magento_auth` needs.
    pub expected: &'static str,
}

impl TryFrom<(MagentoCredentials, MagentoAuthKind)> for Credentials {
    type Error = CredentialsMismatch;

    fn try_from(
        (credentials, auth): (MagentoCredentials, MagentoAuthKind),
    ) -> Result<Self, Self::Error> {
        let mismatch = |credentials: &MagentoCredentials| CredentialsMismatch {
            configured: auth_name(auth),
            stored: credentials.kind(),
            expected: expected_kind(auth),
        };

        match (credentials, auth) {
            (
                MagentoCredentials::OAuth {
                    consumer_key,
                    consumer_secret,
                    access_token,
                    access_token_secret,
                },
                MagentoAuthKind::OauthHmacSha256 | MagentoAuthKind::OauthHmacSha1,
            ) => Ok(Credentials::OAuth {
                // The client sends the consumer key and the access token in the
                // Authorization header, so it keeps them as plain strings.
                consumer_key: consumer_key.expose_secret().to_owned(),
                consumer_secret,
                access_token: access_token.expose_secret().to_owned(),
                access_token_secret,
                signature_method: if auth == MagentoAuthKind::OauthHmacSha1 {
                    SignatureMethod::HmacSha1
                } else {
                    SignatureMethod::HmacSha256
                },
            }),
            (MagentoCredentials::Bearer { token }, MagentoAuthKind::Bearer) => {
                Ok(Credentials::Bearer { token })
            }
            (MagentoCredentials::Admin { username, password }, MagentoAuthKind::AdminPassword) => {
                Ok(Credentials::Admin {
                    username: username.expose_secret().to_owned(),
                    password,
                })
            }
            (credentials, _) => Err(mismatch(&credentials)),
        }
    }
}

/// Returns the serialized name of `magento_auth`.
fn auth_name(auth: MagentoAuthKind) -> &'static str {
    match auth {
        MagentoAuthKind::OauthHmacSha256 => "oauth_hmac_sha256",
        MagentoAuthKind::OauthHmacSha1 => "oauth_hmac_sha1",
        MagentoAuthKind::Bearer => "bearer",
        MagentoAuthKind::AdminPassword => "admin_password",
    }
}

/// Returns the credentials kind, as [`MagentoCredentials::kind`] names it, that `auth` needs.
fn expected_kind(auth: MagentoAuthKind) -> &'static str {
    match auth {
        MagentoAuthKind::OauthHmacSha256 | MagentoAuthKind::OauthHmacSha1 => "oauth",
        MagentoAuthKind::Bearer => "bearer",
        MagentoAuthKind::AdminPassword => "admin",
    }
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;

    fn oauth() -> MagentoCredentials {
        MagentoCredentials::OAuth {
            consumer_key: SecretString::from("ck"),
            consumer_secret: SecretString::from("cs"),
            access_token: SecretString::from("at"),
            access_token_secret: SecretString::from("ats"),
        }
    }

    #[test]
    fn oauth_takes_signature_method() {
        let cases = [
            (
                MagentoAuthKind::OauthHmacSha256,
                SignatureMethod::HmacSha256,
            ),
            (MagentoAuthKind::OauthHmacSha1, SignatureMethod::HmacSha1),
        ];

        for (auth, expected) in cases {
            let converted = Credentials::try_from((oauth(), auth));

            let Ok(Credentials::OAuth {
                consumer_key,
                access_token,
                access_token_secret,
                signature_method,
                ..
            }) = converted
            else {
                panic!("{auth:?} did not give OAuth credentials");
            };
            assert_eq!(consumer_key, "ck");
            assert_eq!(access_token, "at");
            assert_eq!(access_token_secret.expose_secret(), "ats");
            assert_eq!(signature_method, expected);
        }
    }

    #[test]
    fn bearer_and_admin_convert() {
        let bearer = MagentoCredentials::Bearer {
            token: SecretString::from("token"),
        };
        let admin = MagentoCredentials::Admin {
            username: SecretString::from("shop-admin"),
            password: SecretString::from("password"),
        };

        let bearer = Credentials::try_from((bearer, MagentoAuthKind::Bearer));
        let admin = Credentials::try_from((admin, MagentoAuthKind::AdminPassword));

        assert!(
            matches!(&bearer, Ok(Credentials::Bearer { token }) if token.expose_secret() == "token")
        );
        assert!(
            matches!(&admin, Ok(Credentials::Admin { username, password }) if username == "shop-admin" && password.expose_secret() == "password")
        );
    }

    #[test]
    fn other_kind_is_mismatch() {
        let error =
            Credentials::try_from((oauth(), MagentoAuthKind::Bearer)).expect_err("mismatch");

        assert_eq!(
            error.to_string(),
            "magento_auth is bearer but the stored Magento secret contains oauth credentials; store bearer credentials or change magento_auth"
        );
    }
}
