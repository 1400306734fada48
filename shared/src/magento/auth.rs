//! The admin token cache for [`Credentials::Admin`](super::Credentials::Admin).
//!
//! One token serves every request of a client. After a 401 the caller drops
//! the token it used and fetches a new one. Concurrent callers wait on the
//! lock, so a burst of 401s leads to one token request, not one per request.

use std::future::Future;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    slot: Mutex<Option<Arc<SecretString>>>,
}

impl TokenCache {
    /// Returns the cached token, or runs `fetch` and caches its result.
    pub async fn get_or_fetch<F, Fut, E>(&self, fetch: F) -> Result<Arc<SecretString>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<SecretString, E>>,
    {
        let mut slot = self.slot.lock().await;

        if let Some(token) = slot.as_ref() {
            return Ok(Arc::clone(token));
        }

        let token = Arc::new(fetch().await?);
        *slot = Some(Arc::clone(&token));
        Ok(token)
    }

    /// Drops the cached token if it is still `used`. A token that another
    /// request already replaced stays, so one 401 never discards a fresh token.
    pub async fn invalidate(&self, used: &SecretString) {
        let mut slot = self.slot.lock().await;

        let is_same = slot
            .as_ref()
            .is_some_and(|token| token.expose_secret() == used.expose_secret());
        if is_same {
            *slot = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn fetch(value: &str) -> Result<SecretString, ()> {
        Ok(SecretString::from(value))
    }

    #[tokio::test]
    async fn token_fetched_once() {
        let cache = TokenCache::default();

        let first = cache.get_or_fetch(|| fetch("one")).await.expect("token");
        let second = cache.get_or_fetch(|| fetch("two")).await.expect("token");

        assert_eq!(first.expose_secret(), "one");
        assert_eq!(second.expose_secret(), "one");
    }

    #[tokio::test]
    async fn invalidate_only_used_token() {
        let cache = TokenCache::default();
        let stale = SecretString::from("old");
        cache.get_or_fetch(|| fetch("new")).await.expect("token");

        cache.invalidate(&stale).await;
        let kept = cache.get_or_fetch(|| fetch("other")).await.expect("token");

        assert_eq!(kept.expose_secret(), "new");
    }

    #[tokio::test]
    async fn invalidate_forces_refetch() {
        let cache = TokenCache::default();
        let used = cache.get_or_fetch(|| fetch("one")).await.expect("token");

        cache.invalidate(&used).await;
        let fresh = cache.get_or_fetch(|| fetch("two")).await.expect("token");

        assert_eq!(fresh.expose_secret(), "two");
    }
}
