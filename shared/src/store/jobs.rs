//! Records of bulk and scheduled sync jobs, with counters that concurrent
//! workers increment atomically and a bounded ring of recent errors.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::is_condition_failed;
use super::keys::{self, GSI1, GSI1_PK, ItemKeys, JOB_SK};
use super::{Store, StoreError, from_item, number, string, to_item};

const ENTITY: &str = "job";

/// Number of recent errors a job keeps; older ones are overwritten.
pub const MAX_RECENT_ERRORS: u64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Started by a user through the bulk sync API.
    Bulk,
    /// Started by the schedule to pull recent Magento changes.
    Scheduled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Cancelled)
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Job counters. As an argument of [`Store::add_job_counts`] each field is an increment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobCounts {
    pub processed: u64,
    /// Customers the job expects to process, when known.
    pub total: u64,
    /// Odoo partners created.
    pub created: u64,
    /// Existing Odoo partners linked by matching email.
    pub linked: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub failed: u64,
    /// Customers changed on both sides, settled by the conflict policy.
    pub conflicts: u64,
}

impl std::ops::AddAssign for JobCounts {
    fn add_assign(&mut self, other: Self) {
        self.processed += other.processed;
        self.total += other.total;
        self.created += other.created;
        self.linked += other.linked;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.skipped += other.skipped;
        self.failed += other.failed;
        self.conflicts += other.conflicts;
    }
}

impl JobCounts {
    fn fields(&self) -> [(&'static str, u64); 9] {
        [
            ("processed", self.processed),
            ("total", self.total),
            ("created", self.created),
            ("linked", self.linked),
            ("updated", self.updated),
            ("unchanged", self.unchanged),
            ("skipped", self.skipped),
            ("failed", self.failed),
            ("conflicts", self.conflicts),
        ]
    }
}

/// One error recorded by a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobError {
    /// Position of the error among all errors of the job, from 1.
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub magento_customer_id: Option<u64>,
    pub odoo_partner_id: Option<i64>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub job_id: String,
    pub instance_id: String,
    pub kind: JobKind,
    pub status: JobStatus,
    pub counts: JobCounts,
    /// Resume position of the run, e.g. the next Magento page.
    pub cursor: Option<String>,
    /// Up to [`MAX_RECENT_ERRORS`] latest errors, oldest first.
    pub recent_errors: Vec<JobError>,
    /// Number of errors ever recorded, including those no longer kept.
    pub error_count: u64,
    /// Skipped customers per reason, with the ids in each reason replaced by `N`.
    pub skip_reasons: BTreeMap<String, u64>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A job as stored. Optional attributes are omitted rather than NULL so that
/// `if_not_exists(started_at, ...)` works. Errors are a map keyed by ring slot
/// because DynamoDB cannot append to a list and trim it in one update.
#[derive(Serialize, Deserialize)]
struct JobItem {
    #[serde(flatten)]
    keys: ItemKeys,
    job_id: String,
    instance_id: String,
    kind: JobKind,
    status: JobStatus,
    #[serde(flatten)]
    counts: JobCounts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
    #[serde(default)]
    recent_errors: BTreeMap<String, JobError>,
    #[serde(default)]
    error_seq: u64,
    /// Created empty with the job, because a checkpoint adds to its entries by path.
    #[serde(default)]
    skip_reasons: BTreeMap<String, u64>,
    created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    started_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    finished_at: Option<DateTime<Utc>>,
}

impl From<JobItem> for Job {
    fn from(item: JobItem) -> Self {
        let mut recent_errors: Vec<JobError> = item.recent_errors.into_values().collect();
        recent_errors.sort_by_key(|error| error.seq);

        Self {
            job_id: item.job_id,
            instance_id: item.instance_id,
            kind: item.kind,
            status: item.status,
            counts: item.counts,
            cursor: item.cursor,
            recent_errors,
            error_count: item.error_seq,
            skip_reasons: item.skip_reasons,
            created_at: item.created_at,
            started_at: item.started_at,
            finished_at: item.finished_at,
        }
    }
}

impl Store {
    /// Creates a queued job with a new random id.
    #[tracing::instrument(skip(self))]
    pub async fn create_job(&self, instance_id: &str, kind: JobKind) -> Result<Job, StoreError> {
        let job_id = uuid::Uuid::new_v4().to_string();
        let created_at = Utc::now();
        // Fixed-width timestamp, so the GSI sort key orders jobs by creation time.
        let gsi_sk = format!("{}#{job_id}", created_at.format("%Y-%m-%dT%H:%M:%S%.6fZ"));
        let item = JobItem {
            keys: ItemKeys::new(keys::job_pk(&job_id), JOB_SK)
                .with_gsi(keys::jobs_gsi_pk(instance_id), gsi_sk),
            job_id,
            instance_id: instance_id.to_string(),
            kind,
            status: JobStatus::Queued,
            counts: JobCounts::default(),
            cursor: None,
            recent_errors: BTreeMap::new(),
            error_seq: 0,
            skip_reasons: BTreeMap::new(),
            created_at,
            started_at: None,
            finished_at: None,
        };

        self.client()
            .put_item()
            .table_name(self.table_name())
            .set_item(Some(to_item(ENTITY, &item)?))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(|e| StoreError::dynamo("PutItem", e))?;
        Ok(item.into())
    }

    #[tracing::instrument(skip(self))]
    pub async fn get_job(&self, job_id: &str) -> Result<Job, StoreError> {
        let output = self
            .client()
            .get_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(keys::job_pk(job_id), JOB_SK)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("GetItem", e))?;

        let item = output
            .item
            .ok_or_else(|| StoreError::not_found(ENTITY, job_id))?;
        Ok(from_item::<JobItem>(ENTITY, item)?.into())
    }

    /// Returns up to `limit` jobs of an instance, newest first.
    #[tracing::instrument(skip(self))]
    pub async fn list_jobs(&self, instance_id: &str, limit: u32) -> Result<Vec<Job>, StoreError> {
        let output = self
            .client()
            .query()
            .table_name(self.table_name())
            .index_name(GSI1)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", GSI1_PK)
            .expression_attribute_values(":pk", string(keys::jobs_gsi_pk(instance_id)))
            .scan_index_forward(false)
            .limit(limit.clamp(1, 1000) as i32)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("Query", e))?;

        output
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| from_item::<JobItem>(ENTITY, item).map(Job::from))
            .collect()
    }

    /// Moves a job to `status`, stamping `started_at` on the first move to
    /// running and `finished_at` on a finished status. Fails with
    /// [`StoreError::JobFinished`] when the job has already finished.
    #[tracing::instrument(skip(self))]
    pub async fn set_job_status(&self, job_id: &str, status: JobStatus) -> Result<(), StoreError> {
        let mut update = String::from("SET #status = :status");
        if status == JobStatus::Running {
            update.push_str(", started_at = if_not_exists(started_at, :now)");
        }
        if status.is_finished() {
            update.push_str(", finished_at = :now");
        }

        let result = self
            .client()
            .update_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(keys::job_pk(job_id), JOB_SK)))
            .update_expression(update)
            .condition_expression("attribute_exists(PK) AND #status IN (:queued, :running)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", string(status.as_str()))
            .expression_attribute_values(":now", string(Utc::now().to_rfc3339()))
            .expression_attribute_values(":queued", string(JobStatus::Queued.as_str()))
            .expression_attribute_values(":running", string(JobStatus::Running.as_str()))
            .send()
            .await;

        match result {
            Ok(_) => Ok(()),
            Err(error) if is_condition_failed(&error) => {
                let job = self.get_job(job_id).await?;
                Err(StoreError::JobFinished {
                    job_id: job_id.to_string(),
                    status: job.status,
                })
            }
            Err(error) => Err(StoreError::dynamo("UpdateItem", error)),
        }
    }

    /// Adds each field of `delta` to the job's counters in one atomic update
    /// and returns the counters after it.
    #[tracing::instrument(skip(self))]
    pub async fn add_job_counts(
        &self,
        job_id: &str,
        delta: &JobCounts,
    ) -> Result<JobCounts, StoreError> {
        let increments: Vec<(&str, u64)> = delta
            .fields()
            .into_iter()
            .filter(|(_, value)| *value > 0)
            .collect();
        if increments.is_empty() {
            return Ok(self.get_job(job_id).await?.counts);
        }

        let clauses: Vec<String> = increments
            .iter()
            .map(|(name, _)| format!("#{name} :{name}"))
            .collect();
        let names: HashMap<String, String> = increments
            .iter()
            .map(|(name, _)| (format!("#{name}"), name.to_string()))
            .collect();
        let values: HashMap<String, AttributeValue> = increments
            .iter()
            .map(|(name, value)| (format!(":{name}"), number(value)))
            .collect();

        let result = self
            .client()
            .update_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(keys::job_pk(job_id), JOB_SK)))
            .update_expression(format!("ADD {}", clauses.join(", ")))
            .condition_expression("attribute_exists(PK)")
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;

        match result {
            Ok(output) => {
                Ok(from_item::<JobItem>(ENTITY, output.attributes.unwrap_or_default())?.counts)
            }
            Err(error) if is_condition_failed(&error) => Err(StoreError::not_found(ENTITY, job_id)),
            Err(error) => Err(StoreError::dynamo("UpdateItem", error)),
        }
    }

    /// Sets the number of customers the job expects to process.
    #[tracing::instrument(skip(self))]
    pub async fn set_job_total(&self, job_id: &str, total: u64) -> Result<(), StoreError> {
        self.update_job(
            job_id,
            "SET #total = :total",
            &[("#total", "total")],
            vec![(":total", number(total))],
        )
        .await
    }

    /// Saves where a resumed run continues, or clears it with `None`.
    #[tracing::instrument(skip(self))]
    pub async fn save_job_cursor(
        &self,
        job_id: &str,
        cursor: Option<&str>,
    ) -> Result<(), StoreError> {
        match cursor {
            Some(cursor) => {
                self.update_job(
                    job_id,
                    "SET #cursor = :cursor",
                    &[("#cursor", "cursor")],
                    vec![(":cursor", string(cursor))],
                )
                .await
            }
            None => {
                self.update_job(
                    job_id,
                    "REMOVE #cursor",
                    &[("#cursor", "cursor")],
                    Vec::new(),
                )
                .await
            }
        }
    }

    /// Records an error in the job's ring of recent errors and returns its
    /// sequence number. Counting it as failed or skipped is up to the caller.
    #[tracing::instrument(skip(self, reason))]
    pub async fn record_job_error(
        &self,
        job_id: &str,
        magento_customer_id: Option<u64>,
        odoo_partner_id: Option<i64>,
        reason: &str,
    ) -> Result<u64, StoreError> {
        // First reserve a sequence number atomically, so that concurrent
        // workers write to different slots.
        let output = self
            .client()
            .update_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(keys::job_pk(job_id), JOB_SK)))
            .update_expression("ADD error_seq :one")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":one", number(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        let attributes = match output {
            Ok(output) => output.attributes.unwrap_or_default(),
            Err(error) if is_condition_failed(&error) => {
                return Err(StoreError::not_found(ENTITY, job_id));
            }
            Err(error) => return Err(StoreError::dynamo("UpdateItem", error)),
        };
        let seq = attributes
            .get("error_seq")
            .and_then(|value| value.as_n().ok())
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or_else(|| {
                StoreError::dynamo_message(
                    "UpdateItem",
                    format!("job {job_id}: error_seq missing from the update result"),
                )
            })?;

        let error = JobError {
            seq,
            at: Utc::now(),
            magento_customer_id,
            odoo_partner_id,
            reason: reason.to_string(),
        };
        let value =
            serde_dynamo::to_attribute_value(&error).map_err(|source| StoreError::Mapping {
                entity: "job error",
                source,
            })?;
        let slot = ((seq - 1) % MAX_RECENT_ERRORS).to_string();

        self.update_job(
            job_id,
            "SET recent_errors.#slot = :error",
            &[("#slot", slot.as_str())],
            vec![(":error", value)],
        )
        .await?;
        Ok(seq)
    }

    async fn update_job(
        &self,
        job_id: &str,
        update: &str,
        names: &[(&str, &str)],
        values: Vec<(&str, AttributeValue)>,
    ) -> Result<(), StoreError> {
        let names = names
            .iter()
            .map(|(alias, name)| (alias.to_string(), name.to_string()))
            .collect();
        let values: HashMap<String, AttributeValue> = values
            .into_iter()
            .map(|(alias, value)| (alias.to_string(), value))
            .collect();

        let result = self
            .client()
            .update_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(keys::job_pk(job_id), JOB_SK)))
            .update_expression(update)
            .condition_expression("attribute_exists(PK)")
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values((!values.is_empty()).then_some(values))
            .send()
            .await;

        match result {
            Ok(_) => Ok(()),
            Err(error) if is_condition_failed(&error) => Err(StoreError::not_found(ENTITY, job_id)),
            Err(error) => Err(StoreError::dynamo("UpdateItem", error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_item() -> JobItem {
        let error = |seq: u64| JobError {
            seq,
            at: DateTime::<Utc>::UNIX_EPOCH,
            magento_customer_id: Some(seq),
            odoo_partner_id: None,
            reason: format!("error {seq}"),
        };
        JobItem {
            keys: ItemKeys::new(keys::job_pk("j1"), JOB_SK)
                .with_gsi(keys::jobs_gsi_pk("main"), "t#j1"),
            job_id: "j1".into(),
            instance_id: "main".into(),
            kind: JobKind::Bulk,
            status: JobStatus::Running,
            counts: JobCounts {
                processed: 3,
                failed: 2,
                ..JobCounts::default()
            },
            cursor: None,
            // Slot 0 contains the newer error because the ring wrapped around.
            recent_errors: BTreeMap::from([("0".into(), error(21)), ("1".into(), error(2))]),
            error_seq: 21,
            skip_reasons: BTreeMap::new(),
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            started_at: None,
            finished_at: None,
        }
    }

    #[test]
    fn job_item_flattens_counts() -> Result<(), StoreError> {
        let item = to_item(ENTITY, &sample_item())?;

        assert_eq!(item.get("processed"), Some(&AttributeValue::N("3".into())));
        assert_eq!(item.get("failed"), Some(&AttributeValue::N("2".into())));
        assert_eq!(
            item.get("status"),
            Some(&AttributeValue::S("running".into()))
        );
        assert!(
            !item.contains_key("started_at"),
            "an absent time must not be stored as NULL"
        );
        assert!(!item.contains_key("cursor"));
        Ok(())
    }

    #[test]
    fn job_item_round_trip_orders_errors() -> Result<(), StoreError> {
        let item = to_item(ENTITY, &sample_item())?;

        let job: Job = from_item::<JobItem>(ENTITY, item)?.into();

        let seqs: Vec<u64> = job.recent_errors.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [2, 21]);
        assert_eq!(
            job.counts,
            JobCounts {
                processed: 3,
                failed: 2,
                ..JobCounts::default()
            }
        );
        assert_eq!(job.error_count, 21);
        assert_eq!(job.started_at, None);
        Ok(())
    }
}
