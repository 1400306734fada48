//! Initial passwords for customers created in Magento without a welcome email.

use rand::TryRngCore;
use rand::rngs::OsRng;
use secrecy::SecretString;

const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &[u8] = b"0123456789";
/// No space and no quote, because Magento rejects leading or trailing spaces and some
/// admin tools mishandle quotes.
const SPECIAL: &[u8] = b"!#$%&()*+,-./:;<=>?@[]^_{|}~";

/// Length of a generated password; Magento accepts up to 256 characters and requires 8.
pub const PASSWORD_LENGTH: usize = 24;

/// The operating system's random number generator failed.
#[derive(Debug, thiserror::Error)]
#[error("failed to read random bytes from the operating system for a customer password: {0}")]
pub struct PasswordError(#[from] rand::rand_core::OsError);

/// Generates a password of [`PASSWORD_LENGTH`] characters with at least one character of
/// each of Magento's four classes (lower, upper, digit, special), from the OS RNG.
///
/// The value is a [`SecretString`], so it never appears in Debug output or logs. The
/// caller sends it to Magento once and does not store it.
pub fn generate_password() -> Result<SecretString, PasswordError> {
    let classes = [LOWER, UPPER, DIGITS, SPECIAL];
    let all: Vec<u8> = classes.concat();
    let mut rng = OsRng;

    let mut password: Vec<u8> = Vec::with_capacity(PASSWORD_LENGTH);
    for class in classes {
        password.push(class[uniform_index(&mut rng, class.len())?]);
    }
    while password.len() < PASSWORD_LENGTH {
        password.push(all[uniform_index(&mut rng, all.len())?]);
    }

    // Fisher-Yates, so the guaranteed characters are not always in the first four places.
    for i in (1..password.len()).rev() {
        let j = uniform_index(&mut rng, i + 1)?;
        password.swap(i, j);
    }

    let text: String = password.into_iter().map(char::from).collect();
    Ok(SecretString::from(text))
}

/// Draws an index in `0..len` without modulo bias (rejection sampling on a u32).
fn uniform_index(rng: &mut OsRng, len: usize) -> Result<usize, PasswordError> {
    let len = len as u32;
    let zone = u32::MAX - (u32::MAX % len);

    loop {
        let value = rng.try_next_u32()?;
        if value < zone {
            return Ok((value % len) as usize);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn password_has_all_classes() {
        for _ in 0..50 {
            let password = generate_password().expect("OS RNG available");
            let text = password.expose_secret();

            assert_eq!(text.len(), PASSWORD_LENGTH);
            assert!(text.bytes().any(|b| LOWER.contains(&b)), "{text}");
            assert!(text.bytes().any(|b| UPPER.contains(&b)), "{text}");
            assert!(text.bytes().any(|b| DIGITS.contains(&b)), "{text}");
            assert!(text.bytes().any(|b| SPECIAL.contains(&b)), "{text}");
        }
    }

    #[test]
    fn password_differs_each_time() {
        let first = generate_password().expect("OS RNG available");
        let second = generate_password().expect("OS RNG available");

        assert_ne!(first.expose_secret(), second.expose_secret());
    }

    #[test]
    fn password_hidden_in_debug() {
        let password = generate_password().expect("OS RNG available");

        let debug = format!("{password:?}");

        assert!(!debug.contains(password.expose_secret()));
    }
}
