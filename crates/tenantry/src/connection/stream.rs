//! [`RowStream`]: the rows of a query streamed on a tenant transaction.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use sea_orm::{DbErr, QueryResult};

/// The rows of a streamed query on a tenant transaction.
///
/// The transaction's connection stays busy until the stream is dropped.
pub struct RowStream<'a> {
    inner: Pin<Box<dyn Stream<Item = Result<QueryResult, DbErr>> + Send + 'a>>,
}

impl<'a> RowStream<'a> {
    pub(super) fn new(rows: impl Stream<Item = Result<QueryResult, DbErr>> + Send + 'a) -> Self {
        Self {
            inner: Box::pin(rows),
        }
    }
}

impl std::fmt::Debug for RowStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowStream").finish_non_exhaustive()
    }
}

impl Stream for RowStream<'_> {
    type Item = Result<QueryResult, DbErr>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}
