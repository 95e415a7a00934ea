//! Copying whole tables between PostgreSQL databases with `COPY … TO STDOUT` /
//! `COPY … FROM STDIN` (binary), streamed in bounded memory, and carrying sequences over.

use futures_util::TryStreamExt;
use sea_orm_migration::sea_orm::sqlx::{self, PgPool};
use sea_orm_migration::sea_orm::{DatabaseConnection, DbBackend, DbErr, RuntimeErr};
use tenantry::catalog::postgres as catalog;
use tenantry::sql::{QualifiedName, quote_literal};

use crate::error::{Error, Result};

fn pg_err(e: sqlx::Error) -> Error {
    Error::Db(DbErr::Exec(RuntimeErr::SqlxError(std::sync::Arc::new(e))))
}

fn pool(conn: &DatabaseConnection) -> Result<&PgPool> {
    if conn.get_database_backend() != DbBackend::Postgres {
        return Err(Error::Unsupported {
            backend: "this backend",
            what: "copy tables between databases".into(),
            hint: "tenant databases are PostgreSQL only".into(),
        });
    }
    Ok(conn.get_postgres_connection_pool())
}

/// Copies every row of `table` from `from` into the (empty) table of the same name and shape
/// in `to`, then sets each sequence the table owns on `to` to its value on `from`. Returns the
/// rows copied.
pub(crate) async fn copy_table(
    from: &DatabaseConnection,
    to: &DatabaseConnection,
    table: &QualifiedName,
) -> Result<u64> {
    let mut source = pool(from)?.acquire().await.map_err(pg_err)?;
    let mut target = pool(to)?.acquire().await.map_err(pg_err)?;
    let name = table.to_sql();
    let mut sink = target
        .copy_in_raw(&format!("COPY {name} FROM STDIN (FORMAT binary)"))
        .await
        .map_err(pg_err)?;
    {
        let mut rows = source
            .copy_out_raw(&format!("COPY {name} TO STDOUT (FORMAT binary)"))
            .await
            .map_err(pg_err)?;
        while let Some(chunk) = rows.try_next().await.map_err(pg_err)? {
            sink.send(chunk).await.map_err(pg_err)?;
        }
    }
    let copied = sink.finish().await.map_err(pg_err)?;
    for seq in catalog::owned_sequences(from, table).await? {
        let rows = sqlx::query_as::<_, (i64, bool)>(sqlx::AssertSqlSafe(format!(
            "SELECT last_value, is_called FROM {}",
            seq.to_sql()
        )))
        .fetch_one(&mut *source)
        .await
        .map_err(pg_err)?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT setval({}, {}, {})",
            quote_literal(&seq.to_sql()),
            rows.0,
            rows.1
        )))
        .execute(&mut *target)
        .await
        .map_err(pg_err)?;
    }
    Ok(copied)
}
