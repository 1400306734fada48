//! Users and API keys. The sandbox has no passwords: like an Odoo user with
//! two-factor authentication, every user authenticates with an API key.

use std::fmt;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::errors::OdooError;

/// A user who can call the external API.
#[derive(Clone)]
pub struct User {
    pub uid: i64,
    pub login: String,
    pub name: String,
    pub api_key: String,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("uid", &self.uid)
            .field("login", &self.login)
            .field("api_key", &"<redacted>")
            .finish()
    }
}

/// Derives a 40-hex-character key (160 bits, the size Odoo generates) from
/// the seed, so that a restarted sandbox with the same seed keeps its keys.
pub fn derive_api_key(seed: u64, uid: i64) -> String {
    let mut rng =
        ChaCha8Rng::seed_from_u64(seed ^ (uid as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let bytes: [u8; 20] = rng.random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Returns the uid for `login` and `key`, or None; `common.login` and
/// `common.authenticate` turn None into `false`.
pub fn authenticate(users: &[User], login: &str, key: &str) -> Option<i64> {
    if key.is_empty() {
        return None;
    }
    users
        .iter()
        .find(|user| user.login == login && user.api_key == key)
        .map(|user| user.uid)
}

/// The check that `execute_kw` repeats on every call: the key must belong to
/// `uid`. An empty key fails at once.
pub fn check_uid(users: &[User], uid: i64, key: &str) -> Result<(), OdooError> {
    if key.is_empty() {
        return Err(OdooError::access_denied());
    }
    match users.iter().find(|user| user.uid == uid) {
        Some(user) if user.api_key == key => Ok(()),
        _ => Err(OdooError::access_denied()),
    }
}

/// The user that a JSON-2 bearer key belongs to.
pub fn user_for_key<'a>(users: &'a [User], key: &str) -> Option<&'a User> {
    if key.is_empty() {
        return None;
    }
    users.iter().find(|user| user.api_key == key)
}
