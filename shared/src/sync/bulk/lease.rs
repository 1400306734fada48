//! The instance lease of a run: taken at the start, renewed in the background, and
//! released at the end, so two runs of one instance never overlap.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::store::{Store, StoreError};

use super::super::error::SyncError;

/// A held lease and the task that renews it.
pub(super) struct LeaseKeeper {
    store: Store,
    instance_id: String,
    owner: String,
    lost: Arc<AtomicBool>,
    renewer: JoinHandle<()>,
}

impl LeaseKeeper {
    /// Takes the lease of the instance for `duration` and starts renewing it every
    /// third of `duration`. Fails with [`SyncError::Busy`] when another run has it.
    ///
    /// `lost` is set when a renewal finds that another owner took the lease over (this
    /// run stalled past the lease's expiry), which tells the run to stop.
    pub async fn acquire(
        store: &Store,
        instance_id: &str,
        owner: String,
        duration: Duration,
        lost: Arc<AtomicBool>,
    ) -> Result<Self, SyncError> {
        match store.acquire_lease(instance_id, &owner, duration).await {
            Ok(_) => {}
            Err(source @ StoreError::LeaseHeld { .. }) => {
                return Err(SyncError::Busy {
                    instance_id: instance_id.to_owned(),
                    source,
                });
            }
            Err(error) => return Err(error.into()),
        }

        let renewer = tokio::spawn(renew(
            store.clone(),
            instance_id.to_owned(),
            owner.clone(),
            duration,
            Arc::clone(&lost),
        ));

        Ok(Self {
            store: store.clone(),
            instance_id: instance_id.to_owned(),
            owner,
            lost,
            renewer,
        })
    }

    /// Tells whether another run took the lease over.
    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::Relaxed)
    }

    /// Stops renewing and releases the lease, unless it was lost.
    pub async fn release(self) -> Result<(), SyncError> {
        self.renewer.abort();
        if self.is_lost() {
            return Ok(());
        }

        match self
            .store
            .release_lease(&self.instance_id, &self.owner)
            .await
        {
            Ok(()) | Err(StoreError::LeaseNotHeld { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}

impl Drop for LeaseKeeper {
    fn drop(&mut self) {
        // A run that ends without `release` (an error, a cancelled future) stops
        // renewing, so the lease expires and a later run can take it over.
        self.renewer.abort();
    }
}

async fn renew(
    store: Store,
    instance_id: String,
    owner: String,
    duration: Duration,
    lost: Arc<AtomicBool>,
) {
    let period = (duration / 3).max(Duration::from_millis(100));
    let mut interval = tokio::time::interval(period);
    interval.tick().await;

    loop {
        interval.tick().await;

        match store.renew_lease(&instance_id, &owner, duration).await {
            Ok(_) => {}
            Err(StoreError::LeaseNotHeld { .. }) => {
                tracing::error!(%instance_id, %owner, "the sync lease was taken over by another run; stopping this run");
                lost.store(true, Ordering::Relaxed);
                return;
            }
            Err(error) => {
                // A failed renewal is tried again at the next tick; the lease lasts
                // three periods, so one DynamoDB hiccup does not lose it.
                tracing::warn!(%instance_id, %error, "failed to renew the sync lease; retrying");
            }
        }
    }
}
