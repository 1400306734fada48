//! The closing summary and the list view of the first customers, as plain text.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;
use shared::sync::general_reason;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::single::Action;

/// Outcome counts of the bulk job and the single-customer actions together.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub created: u64,
    pub linked: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub failed: u64,
}

impl Totals {
    /// Adds the job's counters and one count per action outcome.
    pub fn new(job: &Value, actions: &[Action]) -> Self {
        let count = |name: &str| job[name].as_u64().unwrap_or(0);
        let mut totals = Self {
            created: count("created"),
            linked: count("linked"),
            updated: count("updated"),
            unchanged: count("unchanged"),
            skipped: count("skipped"),
            failed: count("failed"),
        };

        for action in actions {
            match action.outcome.as_str() {
                "created" => totals.created += 1,
                "linked" => totals.linked += 1,
                "updated" => totals.updated += 1,
                "unchanged" => totals.unchanged += 1,
                "skipped" => totals.skipped += 1,
                _ => totals.failed += 1,
            }
        }
        totals
    }
}

/// Prints the totals, the reasons the job recorded, and the elapsed times.
pub fn print_summary(job: &Value, actions: &[Action], elapsed: Duration) {
    let totals = Totals::new(job, actions);

    println!();
    println!("Summary");
    println!("  created              {:>6}", totals.created);
    println!("  linked to existing   {:>6}", totals.linked);
    println!("  updated              {:>6}", totals.updated);
    println!("  unchanged            {:>6}", totals.unchanged);
    println!("  skipped              {:>6}", totals.skipped);
    for (reason, count) in skip_reasons(job) {
        println!("    {count:>6} x {reason}");
    }
    println!("  failed               {:>6}", totals.failed);

    let reasons = reason_counts(job, actions);
    if !reasons.is_empty() {
        println!("  reasons of failures and conflicts (the job keeps its latest 20):");
        for (reason, count) in &reasons {
            println!("    {count:>4} x {reason}");
        }
    }

    let bulk_seconds = job_seconds(job)
        .map(|seconds| format!("; bulk sync {seconds:.1} s"))
        .unwrap_or_default();
    println!(
        "  elapsed              {:.1} s in total{bulk_seconds}",
        elapsed.as_secs_f64()
    );
}

/// Returns the job's count of skipped customers per reason, most frequent first.
fn skip_reasons(job: &Value) -> Vec<(String, u64)> {
    let mut reasons: Vec<(String, u64)> = job["skip_reasons"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(reason, count)| Some((reason.clone(), count.as_u64()?)))
        .collect();

    reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    reasons
}

/// Groups the job's recent errors by text, with their ids replaced, and adds the
/// actions' reasons. The job keeps the latest few errors only, so the counts show the
/// recorded ones, not every customer.
fn reason_counts(job: &Value, actions: &[Action]) -> BTreeMap<String, u64> {
    let mut reasons = BTreeMap::new();
    let recorded = job["recent_errors"].as_array().into_iter().flatten();

    for error in recorded {
        if let Some(reason) = error["reason"].as_str() {
            *reasons.entry(general_reason(reason)).or_insert(0) += 1;
        }
    }
    for action in actions {
        if let (Some(reason), "skipped" | "failed") = (&action.reason, action.outcome.as_str()) {
            *reasons
                .entry(format!("{}: {reason}", action.name))
                .or_insert(0) += 1;
        }
    }
    reasons
}

fn job_seconds(job: &Value) -> Option<f64> {
    let parse = |name: &str| {
        job[name]
            .as_str()
            .and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
    };
    let (started, finished) = (parse("started_at")?, parse("finished_at")?);
    Some((finished - started).num_milliseconds() as f64 / 1000.0)
}

/// Column headers of the list view and the field each one shows.
const COLUMNS: [(&str, &str); 7] = [
    ("Magento ID", "magento_id"),
    ("Instance", "instance_id"),
    ("Name", "name"),
    ("Email", "email"),
    ("Phone", "phone"),
    ("City", "city"),
    ("State/Province", "region"),
];

/// Cells wider than this many terminal columns are cut, so that a row fits a wide
/// terminal.
const MAX_CELL_WIDTH: usize = 30;

/// Renders the list view's customers as an aligned text table.
pub fn customers_table(customers: &[Value]) -> String {
    let rows: Vec<Vec<String>> = customers
        .iter()
        .map(|customer| {
            COLUMNS
                .iter()
                .map(|(_, field)| cell(&customer[*field]))
                .collect()
        })
        .collect();

    let mut widths: Vec<usize> = COLUMNS.iter().map(|(title, _)| title.width()).collect();
    for row in &rows {
        for (width, value) in widths.iter_mut().zip(row) {
            *width = (*width).max(value.width());
        }
    }

    let titles: Vec<String> = COLUMNS.iter().map(|(title, _)| title.to_string()).collect();
    let rule: Vec<String> = widths.iter().map(|width| "-".repeat(*width)).collect();
    let mut lines = vec![line(&titles, &widths), line(&rule, &widths)];
    lines.extend(rows.iter().map(|row| line(row, &widths)));
    lines.join("\n")
}

fn cell(value: &Value) -> String {
    let text = match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    if text.width() <= MAX_CELL_WIDTH {
        return text;
    }

    let mut cut = String::new();
    let mut width = 0;
    for character in text.chars() {
        width += character.width().unwrap_or(0);
        if width > MAX_CELL_WIDTH - 1 {
            break;
        }
        cut.push(character);
    }
    cut.push('…');
    cut
}

fn line(cells: &[String], widths: &[usize]) -> String {
    let padded: Vec<String> = cells
        .iter()
        .zip(widths)
        .map(|(cell, width)| {
            let padding = width.saturating_sub(cell.width());
            format!("{cell}{}", " ".repeat(padding))
        })
        .collect();
    format!("  {}", padded.join("  ").trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn action(outcome: &str, reason: Option<&str>) -> Action {
        Action {
            name: "Pull from Magento",
            magento_id: Some(5),
            odoo_partner_id: Some(9),
            outcome: outcome.to_owned(),
            reason: reason.map(str::to_owned),
        }
    }

    #[test]
    fn totals_add_actions_to_job() {
        let job = json!({"created": 600, "linked": 100, "updated": 0, "unchanged": 0, "skipped": 200, "failed": 3});
        let actions = [
            action("created", None),
            action("updated", None),
            action("failed", Some("x")),
        ];

        let totals = Totals::new(&job, &actions);

        assert_eq!(
            totals,
            Totals {
                created: 601,
                linked: 100,
                updated: 1,
                unchanged: 0,
                skipped: 200,
                failed: 4
            }
        );
    }

    #[test]
    fn skip_reasons_most_frequent_first() {
        let job = json!({"skip_reasons": {"no id": 1, "website N": 200}});

        let reasons = skip_reasons(&job);

        assert_eq!(
            reasons,
            [("website N".to_owned(), 200), ("no id".to_owned(), 1)]
        );
    }

    #[test]
    fn reasons_grouped_without_ids() {
        let job = json!({"recent_errors": [
            {"reason": "Magento customer 5 belongs to website 2"},
            {"reason": "Magento customer 10 belongs to website 2"},
        ]});

        let reasons = reason_counts(&job, &[action("skipped", Some("email 7 is invalid"))]);

        assert_eq!(
            reasons.get("Magento customer N belongs to website N"),
            Some(&2)
        );
        assert_eq!(
            reasons.get("Pull from Magento: email 7 is invalid"),
            Some(&1)
        );
    }

    #[test]
    fn table_aligns_and_cuts_cells() {
        let customers = [json!({
            "magento_id": 12, "instance_id": "demo", "name": "Ana Lima",
            "email": "a-very-long-address-for-one-customer@example.test",
            "phone": null, "city": "Porto", "region": "Porto"
        })];

        let table = customers_table(&customers);
        let lines: Vec<&str> = table.lines().collect();

        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("  Magento ID  Instance  Name      Email"));
        assert!(lines[2].contains("a-very-long-address-for-one-c…"));
        assert!(lines[2].starts_with("  12          demo      Ana Lima"));
    }

    #[test]
    fn table_pads_wide_characters() {
        let customers = [
            json!({"magento_id": 7, "instance_id": "demo", "name": "王 芳 李", "email": "a@example.test"}),
            json!({"magento_id": 8, "instance_id": "demo", "name": "Ana", "email": "b@example.test"}),
        ];

        let table = customers_table(&customers);
        let email_columns: Vec<usize> = table
            .lines()
            .skip(2)
            .map(|line| line[..line.find('@').unwrap_or(0)].width())
            .collect();

        assert_eq!(email_columns[0], email_columns[1]);
    }
}
