//! The retry policy shared by the Magento and Odoo clients.
//!
//! Exponential backoff with jitter (the `backon` crate), bounded both by a
//! number of attempts and by the total time spent. An error decides for itself
//! whether it is worth retrying, and may carry the delay the server asked for
//! (`Retry-After`), which then replaces the computed backoff.

use std::fmt::Display;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder, Retryable as _};
use tokio::time::Instant;

/// An error that reports whether repeating the same request can succeed.
pub trait Retryable {
    /// Returns whether the same request may succeed later (throttling, a gateway
    /// error, a timeout, a dropped connection).
    fn is_retryable(&self) -> bool;

    /// Returns the delay the server requested, e.g. in a `Retry-After` header.
    fn retry_after(&self) -> Option<Duration> {
        None
    }
}

/// Limits for retrying one logical operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first one included. 1 disables retrying.
    pub max_attempts: u32,

    /// Backoff before the first retry. Each later one doubles, plus jitter.
    pub base_delay: Duration,

    /// Upper bound for one computed backoff. A server-given delay may exceed it.
    pub max_delay: Duration,

    /// Upper bound for the time from the first attempt until the start of the
    /// last retry. A retry whose delay would cross it is not made.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_total: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    pub fn new(
        max_attempts: u32,
        base_delay: Duration,
        max_delay: Duration,
        max_total: Duration,
    ) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            base_delay,
            max_delay,
            max_total,
        }
    }

    /// Creates a policy with millisecond backoffs, for tests that exercise retries
    /// without waiting. Server-given delays are still honoured.
    pub fn fast(max_attempts: u32) -> Self {
        Self::new(
            max_attempts,
            Duration::from_millis(1),
            Duration::from_millis(10),
            Duration::from_secs(30),
        )
    }

    /// Creates a policy that makes exactly one attempt.
    pub fn no_retry() -> Self {
        Self::new(1, Duration::ZERO, Duration::ZERO, Duration::ZERO)
    }

    /// Runs `operation` until it succeeds, fails with an error that is not
    /// retryable, or the attempt or time bound is reached; returns the last
    /// result. `operation` receives the attempt number, starting at 1.
    /// `name` labels the retry log lines.
    pub async fn run<T, E, F, Fut>(&self, name: &str, mut operation: F) -> Result<T, E>
    where
        E: Retryable + Display,
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let started = Instant::now();
        let attempt = AtomicU32::new(0);
        let max_total = self.max_total;

        let call = || {
            let number = attempt.fetch_add(1, Ordering::Relaxed) + 1;
            operation(number)
        };

        call.retry(self.backoff())
            .when(|error: &E| error.is_retryable())
            .adjust(|error: &E, backoff: Option<Duration>| {
                // `backoff` is None once the attempts are used up.
                let delay = error.retry_after().unwrap_or(backoff?);

                if started.elapsed() + delay > max_total {
                    return None;
                }
                Some(delay)
            })
            .notify(|error: &E, delay: Duration| {
                tracing::warn!(
                    operation = name,
                    attempt = attempt.load(Ordering::Relaxed),
                    delay_ms = delay.as_millis() as u64,
                    error = %error,
                    "request failed, retrying"
                );
            })
            .await
    }

    fn backoff(&self) -> impl backon::Backoff {
        ExponentialBuilder::default()
            .with_jitter()
            .with_min_delay(self.base_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_attempts.saturating_sub(1) as usize)
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Debug)]
    struct TestError {
        retryable: bool,
        retry_after: Option<Duration>,
    }

    impl Display for TestError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "test error (retryable: {})", self.retryable)
        }
    }

    impl Retryable for TestError {
        fn is_retryable(&self) -> bool {
            self.retryable
        }

        fn retry_after(&self) -> Option<Duration> {
            self.retry_after
        }
    }

    const TRANSIENT: TestError = TestError {
        retryable: true,
        retry_after: None,
    };

    /// Runs `policy` over a scripted list of results and returns the outcome
    /// and the attempt numbers the operation saw.
    async fn run_script(
        policy: &RetryPolicy,
        script: Vec<Result<u32, TestError>>,
    ) -> (Result<u32, TestError>, Vec<u32>) {
        let script = Mutex::new(script.into_iter());
        let seen = Mutex::new(Vec::new());

        let result = policy
            .run("test", |attempt| {
                seen.lock().expect("lock").push(attempt);
                let next = script.lock().expect("lock").next();
                async move { next.unwrap_or(Ok(0)) }
            })
            .await;

        let seen = seen.into_inner().expect("lock");
        (result, seen)
    }

    #[tokio::test(start_paused = true)]
    async fn retry_until_success() {
        let policy = RetryPolicy::fast(5);

        let (result, attempts) =
            run_script(&policy, vec![Err(TRANSIENT), Err(TRANSIENT), Ok(7)]).await;

        assert_eq!(result.ok(), Some(7));
        assert_eq!(attempts, vec![1, 2, 3]);
    }

    #[tokio::test(start_paused = true)]
    async fn retry_stops_on_permanent_error() {
        let policy = RetryPolicy::fast(5);
        let permanent = TestError {
            retryable: false,
            retry_after: None,
        };

        let (result, attempts) = run_script(&policy, vec![Err(permanent), Ok(1)]).await;

        assert!(result.is_err());
        assert_eq!(attempts, vec![1]);
    }

    #[tokio::test(start_paused = true)]
    async fn retry_stops_after_max_attempts() {
        let policy = RetryPolicy::fast(3);
        let script = (0..10).map(|_| Err(TRANSIENT)).collect();

        let (result, attempts) = run_script(&policy, script).await;

        assert!(result.is_err());
        assert_eq!(attempts, vec![1, 2, 3]);
    }

    #[tokio::test(start_paused = true)]
    async fn retry_honours_retry_after() {
        let policy = RetryPolicy::fast(3);
        let throttled = TestError {
            retryable: true,
            retry_after: Some(Duration::from_secs(2)),
        };
        let started = Instant::now();

        let (result, attempts) = run_script(&policy, vec![Err(throttled), Ok(5)]).await;

        assert_eq!(result.ok(), Some(5));
        assert_eq!(attempts, vec![1, 2]);
        assert!(started.elapsed() >= Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn retry_stops_at_total_time() {
        let policy = RetryPolicy::new(
            10,
            Duration::from_millis(1),
            Duration::from_millis(1),
            Duration::from_secs(3),
        );
        let throttled = || TestError {
            retryable: true,
            retry_after: Some(Duration::from_secs(2)),
        };
        let script = (0..10).map(|_| Err(throttled())).collect();

        let (result, attempts) = run_script(&policy, script).await;

        assert!(result.is_err());
        assert_eq!(attempts, vec![1, 2]);
    }

    #[tokio::test(start_paused = true)]
    async fn no_retry_makes_one_attempt() {
        let policy = RetryPolicy::no_retry();

        let (result, attempts) = run_script(&policy, vec![Err(TRANSIENT), Ok(1)]).await;

        assert!(result.is_err());
        assert_eq!(attempts, vec![1]);
    }
}
