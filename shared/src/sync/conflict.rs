//! Conflicts: both sides changed a linked customer since the last sync.
//!
//! A side changed when the fingerprint of its mapped form differs from the one stored in
//! the link at the last sync. When both changed, the instance's [`ConflictPolicy`]
//! names the side whose version is kept, and the other side is overwritten with it.

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::config::ConflictPolicy;

/// The side whose version of a customer is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Magento,
    Odoo,
}

/// Picks the winning side of a conflict.
///
/// `newest_wins` compares Magento's `updated_at` with Odoo's `write_date` (both UTC).
/// Magento wins a tie and whenever either time is missing or unreadable, because the
/// pull runs on Magento's changes and `magento_wins` is the default policy.
pub fn winner(
    policy: ConflictPolicy,
    magento_updated_at: Option<&str>,
    odoo_write_date: Option<DateTime<Utc>>,
) -> Side {
    match policy {
        ConflictPolicy::MagentoWins => Side::Magento,
        ConflictPolicy::OdooWins => Side::Odoo,
        ConflictPolicy::NewestWins => {
            let magento = magento_updated_at.and_then(parse_magento_time);
            match (magento, odoo_write_date) {
                (Some(magento), Some(odoo)) if odoo > magento => Side::Odoo,
                _ => Side::Magento,
            }
        }
    }
}

/// Describes how a conflict was settled, for the outcome and the job record.
pub fn describe(policy: ConflictPolicy, side: Side) -> String {
    let policy = match policy {
        ConflictPolicy::MagentoWins => "magento_wins",
        ConflictPolicy::OdooWins => "odoo_wins",
        ConflictPolicy::NewestWins => "newest_wins",
    };
    match side {
        Side::Magento => format!(
            "conflict: both Magento and Odoo changed since the last sync; policy {policy} kept the Magento version and overwrote the Odoo partner"
        ),
        Side::Odoo => format!(
            "conflict: both Magento and Odoo changed since the last sync; policy {policy} kept the Odoo version and overwrote the Magento customer"
        ),
    }
}

/// Parses Magento's `YYYY-MM-DD HH:MM:SS` (UTC).
pub fn parse_magento_time(text: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|time| time.and_utc())
}

/// Formats a time the way Magento's search filters expect it (`YYYY-MM-DD HH:MM:SS`, UTC).
pub fn format_magento_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn odoo_time(text: &str) -> Option<DateTime<Utc>> {
        parse_magento_time(text)
    }

    #[test]
    fn fixed_policies_ignore_times() {
        let later = odoo_time("2024-05-02 00:00:00");

        assert_eq!(
            winner(
                ConflictPolicy::MagentoWins,
                Some("2024-05-01 00:00:00"),
                later
            ),
            Side::Magento
        );
        assert_eq!(
            winner(ConflictPolicy::OdooWins, Some("2030-01-01 00:00:00"), None),
            Side::Odoo
        );
    }

    #[test]
    fn newest_wins_compares_times() {
        let policy = ConflictPolicy::NewestWins;

        assert_eq!(
            winner(
                policy,
                Some("2024-05-01 10:00:00"),
                odoo_time("2024-05-01 10:00:01")
            ),
            Side::Odoo
        );
        assert_eq!(
            winner(
                policy,
                Some("2024-05-01 10:00:02"),
                odoo_time("2024-05-01 10:00:01")
            ),
            Side::Magento
        );
    }

    #[test]
    fn newest_wins_tie_and_missing() {
        let policy = ConflictPolicy::NewestWins;
        let time = odoo_time("2024-05-01 10:00:00");

        assert_eq!(
            winner(policy, Some("2024-05-01 10:00:00"), time),
            Side::Magento
        );
        assert_eq!(winner(policy, None, time), Side::Magento);
        assert_eq!(winner(policy, Some("yesterday"), time), Side::Magento);
    }

    #[test]
    fn magento_time_round_trip() {
        let time = parse_magento_time("2024-05-03 17:40:11").expect("valid time");

        assert_eq!(format_magento_time(time), "2024-05-03 17:40:11");
    }
}
