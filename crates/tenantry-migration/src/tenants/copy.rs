//! Copying whole tables between PostgreSQL databases with `COPY … TO STDOUT` /
//! `COPY … FROM STDIN` (binary), streamed in bounded memory, and carrying sequences over.

use futures_util::TryStreamExt;
use sea_orm_migration::sea_orm::sqlx::{self, PgPool};
use sea_orm_migration::sea_orm::{DatabaseConnection, DbBackend, DbErr, RuntimeErr};
use tenantry::catalog::postgres as catalog;
use tenantry::sql::{QualifiedName, quote_ident, quote_literal};

use crate::error::{Error, Result};

pub(crate) fn pg_err(e: sqlx::Error) -> Error {
    Error::Db(DbErr::Exec(RuntimeErr::SqlxError(std::sync::Arc::new(e))))
}

pub(crate) fn pool(conn: &DatabaseConnection) -> Result<&PgPool> {
    if conn.get_database_backend() != DbBackend::Postgres {
        return Err(Error::Unsupported {
            backend: "this backend",
            what: "copy tables between databases".into(),
            hint: "tenant databases are PostgreSQL only".into(),
        });
    }
    Ok(conn.get_postgres_connection_pool())
}

/// Streams every row of table `from` on `source` into table `into` on `target` (binary
/// `COPY`, chunk by chunk, in bounded memory); returns the rows copied.
pub(crate) async fn stream(
    source: &mut sqlx::PgConnection,
    target: &mut sqlx::PgConnection,
    from: &str,
    into: &str,
) -> Result<u64> {
    let mut sink = target
        .copy_in_raw(&format!("COPY {into} FROM STDIN (FORMAT binary)"))
        .await
        .map_err(pg_err)?;
    {
        let mut rows = source
            .copy_out_raw(&format!("COPY {from} TO STDOUT (FORMAT binary)"))
            .await
            .map_err(pg_err)?;
        while let Some(chunk) = rows.try_next().await.map_err(pg_err)? {
            sink.send(chunk).await.map_err(pg_err)?;
        }
    }
    sink.finish().await.map_err(pg_err)
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
    let copied = stream(&mut source, &mut target, &name, &name).await?;
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

/// The `ON CONFLICT (key) DO …` action of an upsert of every column: `UPDATE SET` the columns
/// outside the key, or `NOTHING` when the key is every column.
pub(crate) fn upsert_action(columns: &[String], key: &[String]) -> String {
    let updates: Vec<String> = columns
        .iter()
        .filter(|c| !key.contains(c))
        .map(|c| format!("{0} = EXCLUDED.{0}", quote_ident(c)))
        .collect();
    if updates.is_empty() {
        "NOTHING".to_owned()
    } else {
        format!("UPDATE SET {}", updates.join(", "))
    }
}

/// Brings `tables` (in foreign-key order, parents first) on `to` to the rows they have on
/// `from`, in one transaction on `to`: each table's rows are streamed into a temporary copy,
/// upserted by primary key (parents first), and rows `from` no longer has are deleted
/// (children first). A row still referenced on `to` fails the whole sync with the database's
/// error, and nothing changes. Returns the rows upserted and deleted.
pub(crate) async fn sync_tables(
    from: &DatabaseConnection,
    to: &DatabaseConnection,
    tables: &[QualifiedName],
) -> Result<(u64, u64)> {
    let mut plans = Vec::new();
    for table in tables {
        let key = catalog::primary_key(from, table).await?;
        let columns = catalog::columns(from, table).await?;
        if key.is_empty() {
            return Err(Error::Unsupported {
                backend: "PostgreSQL",
                what: format!("sync reference table `{table}`"),
                hint: "give it a primary key".into(),
            });
        }
        plans.push((table, key, columns));
    }
    let mut source = pool(from)?.acquire().await.map_err(pg_err)?;
    let mut target = pool(to)?.acquire().await.map_err(pg_err)?;
    let run = |sql: String| sqlx::raw_sql(sqlx::AssertSqlSafe(sql));
    run("BEGIN".into())
        .execute(&mut *target)
        .await
        .map_err(pg_err)?;
    let result = async {
        let (mut upserted, mut deleted) = (0, 0);
        for (i, (table, key, columns)) in plans.iter().enumerate() {
            let temp = format!("tenantry_sync_{i}");
            run(format!(
                "CREATE TEMPORARY TABLE {temp} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP",
                table.to_sql()
            ))
            .execute(&mut *target)
            .await
            .map_err(pg_err)?;
            stream(&mut source, &mut target, &table.to_sql(), &temp).await?;
            let key_list = key.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ");
            let action = upsert_action(columns, key);
            upserted += run(format!(
                "INSERT INTO {} SELECT * FROM {temp} ON CONFLICT ({key_list}) DO {action}",
                table.to_sql()
            ))
            .execute(&mut *target)
            .await
            .map_err(pg_err)?
            .rows_affected();
        }
        for (i, (table, key, _)) in plans.iter().enumerate().rev() {
            let key_list = key.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ");
            deleted += run(format!(
                "DELETE FROM {} WHERE ({key_list}) NOT IN (SELECT {key_list} FROM tenantry_sync_{i})",
                table.to_sql()
            ))
            .execute(&mut *target)
            .await
            .map_err(pg_err)?
            .rows_affected();
        }
        Ok::<_, Error>((upserted, deleted))
    }
    .await;
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    run(end.into())
        .execute(&mut *target)
        .await
        .map_err(pg_err)?;
    result
}
