//! The fetcher task: reads Magento pages in keyset order ahead of the writers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::magento::{self, CustomerPage, PageCursor};

/// One fetched page, or the error that ended the fetching.
pub(super) type Fetched = Result<CustomerPage, magento::Error>;

/// Starts a task that fetches the pages from `cursor` on, one request at a time, and
/// sends them into a channel of `capacity` pages, so it runs at most that far ahead of
/// the writers and memory stays flat.
///
/// The task stops after the last page, after an error (which it sends), when `stop` is
/// set, when `deadline` has passed, or when the receiver is dropped.
pub(super) fn spawn_fetcher(
    magento: magento::Client,
    cursor: PageCursor,
    capacity: usize,
    stop: Arc<AtomicBool>,
    deadline: Option<Instant>,
) -> (mpsc::Receiver<Fetched>, JoinHandle<()>) {
    let (sender, receiver) = mpsc::channel(capacity.max(1));

    let task = tokio::spawn(async move {
        let mut next = Some(cursor);

        while let Some(cursor) = next.take() {
            let expired = deadline.is_some_and(|deadline| Instant::now() >= deadline);
            if stop.load(Ordering::Relaxed) || expired {
                break;
            }

            let fetched = magento.customers().next_page(&cursor).await;
            next = match &fetched {
                Ok(page) => page.next.clone(),
                Err(_) => None,
            };

            if sender.send(fetched).await.is_err() {
                break;
            }
        }
    });

    (receiver, task)
}
