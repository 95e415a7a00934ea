//! The closure form of every transaction type here: commit on `Ok`, roll back on `Err`.

use std::future::Future;
use std::pin::Pin;

use sea_orm::{TransactionError, TransactionSession};

/// Runs a closure in `txn`, committing on `Ok` and rolling back on `Err` (the closure form of
/// every transaction type here).
pub(super) async fn run<Txn, F, T, E>(txn: Txn, callback: F) -> Result<T, TransactionError<E>>
where
    Txn: TransactionSession,
    F: for<'c> FnOnce(&'c Txn) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>,
{
    let result = callback(&txn).await;
    match result {
        Ok(v) => {
            txn.commit().await.map_err(TransactionError::Connection)?;
            Ok(v)
        }
        Err(e) => {
            txn.rollback().await.map_err(TransactionError::Connection)?;
            Err(TransactionError::Transaction(e))
        }
    }
}
