//! The time left in an invocation, from the deadline the runtime reports.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Deadlines before this are durations rather than times: no invocation started in
/// 1970.
const EARLIEST_DEADLINE: Duration = Duration::from_secs(24 * 3600);

/// Returns the time left until the invocation's deadline.
///
/// Lambda sends the deadline as Unix time in milliseconds. cargo lambda watch 1.9
/// sends the function timeout instead (600000, i.e. 10 minutes), which puts the
/// deadline in January 1970. Read as a time, it would leave no time at all, so every
/// slice of a bulk pull would stop before its first page and invoke the next one,
/// forever. Such a deadline is read as the duration it is.
pub fn remaining_time(deadline: SystemTime, now: SystemTime) -> Duration {
    let since_epoch = deadline.duration_since(UNIX_EPOCH).unwrap_or_default();
    if since_epoch < EARLIEST_DEADLINE {
        return since_epoch;
    }
    deadline.duration_since(now).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_time_until_lambda_deadline() {
        let now = SystemTime::now();

        let remaining = remaining_time(now + Duration::from_secs(900), now);

        assert_eq!(remaining, Duration::from_secs(900));
    }

    #[test]
    fn remaining_time_after_deadline() {
        let now = SystemTime::now();

        assert_eq!(
            remaining_time(now - Duration::from_secs(1), now),
            Duration::ZERO
        );
    }

    #[test]
    fn remaining_time_of_watch_timeout() {
        let watch_deadline = UNIX_EPOCH + Duration::from_millis(600_000);

        let remaining = remaining_time(watch_deadline, SystemTime::now());

        assert_eq!(remaining, Duration::from_secs(600));
    }
}
