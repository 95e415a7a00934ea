//! Round trips on PostgreSQL, counted on the wire by a proxy: a tenant transaction costs
//! exactly what plain SeaORM costs for the same work (`begin` is one round trip, the tenant
//! setting travels with the `BEGIN`), with and without the pool's acquire ping; the
//! one-round-trip transaction keeps SeaORM's error types; a `begin` cut off midway never
//! returns a connection carrying a tenant to the pool.
#![allow(clippy::unwrap_used)]

use std::future::Future;
use std::task::Poll;
use std::time::Duration;

use entity::{customers, orders};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DbBackend, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    SqlErr, Statement, TransactionTrait,
};
use tenantry::TenantDatabase;
use tenantry_tests::TestDb;
use tenantry_tests::wire::{RoundTrips, host_port};
use uuid::Uuid;

async fn pool(url: &str, ping: bool) -> DatabaseConnection {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(1)
        .min_connections(0)
        .sqlx_logging(false)
        .test_before_acquire(ping);
    Database::connect(opts).await.unwrap()
}

/// A tenant with a customer and three orders, through tenantry.
async fn seed(db: &TestDb) -> (Uuid, i32) {
    db.migrate().await;
    let tenant = Uuid::new_v4();
    db.owner
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO tenants (id, name, slug) VALUES ($1, 'A', 'a')",
            [tenant.into()],
        ))
        .await
        .unwrap();
    let tdb = TenantDatabase::new(db.app.clone());
    let txn = tdb.begin(tenant).await.unwrap();
    let c = customers::ActiveModel {
        name: Set("ann".into()),
        email: Set("ann@x.test".into()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .unwrap();
    let mut first = 0;
    for total in [10, 20, 30] {
        let o = orders::ActiveModel {
            customer_id: Set(c.id),
            status: Set("open".into()),
            total: Set(Decimal::from(total)),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .unwrap();
        if first == 0 {
            first = o.id;
        }
    }
    txn.commit().await.unwrap();
    (tenant, first)
}

/// Three reads in a transaction with hand-written tenant filters (plain SeaORM).
async fn plain_request(db: &DatabaseConnection, tenant: Uuid, id: i32) -> usize {
    let txn = db.begin().await.unwrap();
    let one = orders::Entity::find()
        .filter(orders::Column::TenantId.eq(tenant))
        .filter(orders::Column::Id.eq(id))
        .one(&txn)
        .await
        .unwrap();
    let list = orders::Entity::find()
        .filter(orders::Column::TenantId.eq(tenant))
        .filter(orders::Column::Status.eq("open"))
        .order_by_desc(orders::Column::Id)
        .limit(5)
        .all(&txn)
        .await
        .unwrap();
    let n = orders::Entity::find()
        .filter(orders::Column::TenantId.eq(tenant))
        .count(&txn)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    usize::from(one.is_some()) + list.len() + n as usize
}

/// The same reads through tenantry, without filters.
async fn tenant_request(tdb: &TenantDatabase, tenant: Uuid, id: i32) -> usize {
    let txn = tdb.begin(tenant).await.unwrap();
    let one = orders::Entity::find_by_id(id).one(&txn).await.unwrap();
    let list = orders::Entity::find()
        .filter(orders::Column::Status.eq("open"))
        .order_by_desc(orders::Column::Id)
        .limit(5)
        .all(&txn)
        .await
        .unwrap();
    let n = orders::Entity::find().count(&txn).await.unwrap();
    txn.commit().await.unwrap();
    usize::from(one.is_some()) + list.len() + n as usize
}

#[tokio::test]
async fn tenant_transactions_cost_the_round_trips_of_plain_seaorm() {
    let db = TestDb::postgres().await;
    let (tenant, id) = seed(&db).await;
    let proxy = RoundTrips::start(host_port(&db.app_url)).await;
    for ping in [false, true] {
        let app = pool(&proxy.url(&db.app_url), ping).await;
        let tdb = TenantDatabase::new(app.clone());
        // Warm up: the connection is open and every statement prepared on both paths.
        plain_request(&app, tenant, id).await;
        assert_eq!(tenant_request(&tdb, tenant, id).await, 1 + 3 + 3);

        let (txn, plain_begin) = proxy.during(app.begin()).await;
        txn.unwrap().commit().await.unwrap();
        let (txn, tenant_begin) = proxy.during(tdb.begin(tenant)).await;
        let txn = txn.unwrap();
        let setting = txn
            .get_ref()
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT current_setting('tenantry.tenant_id', true) AS s",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<String>("", "s")
            .unwrap();
        assert_eq!(
            setting,
            tenant.to_string(),
            "the tenant is set by the begin"
        );
        txn.commit().await.unwrap();
        let expected_begin = if ping { 2 } else { 1 }; // the acquire ping is its own trip
        assert_eq!(
            plain_begin, expected_begin,
            "SeaORM's begin (ping on acquire: {ping})"
        );
        assert_eq!(
            tenant_begin, plain_begin,
            "TenantDatabase::begin costs SeaORM's begin (ping on acquire: {ping})"
        );

        let (_, plain) = proxy.during(plain_request(&app, tenant, id)).await;
        let (rows, scoped) = proxy.during(tenant_request(&tdb, tenant, id)).await;
        assert_eq!(rows, 1 + 3 + 3);
        assert_eq!(
            scoped, plain,
            "a request of 3 reads: tenantry {scoped} round trips, plain SeaORM {plain} \
             (ping on acquire: {ping})"
        );
        // begin, 3 reads, commit, and sqlx's ping when the pool takes the connection back
        assert_eq!(plain, expected_begin + 3 + 1 + 1);

        // A savepoint costs what SeaORM's costs.
        let outer = app.begin().await.unwrap();
        let (inner, plain_savepoint) = proxy.during(outer.begin()).await;
        inner.unwrap().rollback().await.unwrap();
        outer.commit().await.unwrap();
        let outer = tdb.begin(tenant).await.unwrap();
        let (inner, tenant_savepoint) = proxy.during(outer.begin()).await;
        inner.unwrap().rollback().await.unwrap();
        outer.commit().await.unwrap();
        assert_eq!((tenant_savepoint, plain_savepoint), (1, 1));
        app.close().await.unwrap();
    }
}

#[tokio::test]
async fn one_round_trip_transactions_keep_seaorms_errors_and_options() {
    let db = TestDb::postgres().await;
    let (tenant, _) = seed(&db).await;
    let tdb = TenantDatabase::new(db.app.clone());

    // A constraint violation is SeaORM's `DbErr::Exec`, classified by `sql_err()`.
    let txn = tdb.begin(tenant).await.unwrap();
    let savepoint = txn.begin().await.unwrap();
    let duplicate = customers::ActiveModel {
        name: Set("ann again".into()),
        email: Set("ann@x.test".into()),
        ..Default::default()
    }
    .insert(&savepoint)
    .await
    .unwrap_err();
    assert!(
        matches!(
            duplicate.sql_err(),
            Some(SqlErr::UniqueConstraintViolation(_))
        ),
        "{duplicate:?}"
    );
    savepoint.rollback().await.unwrap();
    // The transaction is usable after the savepoint rolled back, still for the tenant.
    assert_eq!(customers::Entity::find().count(&txn).await.unwrap(), 1);
    // A query error is `DbErr::Query`.
    let err = txn
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT no_such_column FROM orders",
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, DbErr::Query(_)), "{err:?}");
    drop(txn); // rolled back

    // Options reach the `BEGIN`.
    let txn = tdb
        .begin_with_options(
            tenant,
            sea_orm::TransactionOptions {
                isolation_level: Some(sea_orm::IsolationLevel::Serializable),
                access_mode: Some(sea_orm::AccessMode::ReadOnly),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let row = txn
        .get_ref()
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT current_setting('transaction_isolation') AS i, \
             current_setting('transaction_read_only') AS r",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<String>("", "i").unwrap(), "serializable");
    assert_eq!(row.try_get::<String>("", "r").unwrap(), "on");
    let write = orders::Entity::delete_many().exec(&txn).await.unwrap_err();
    assert!(format!("{write}").contains("read-only"), "{write}");
    txn.rollback().await.unwrap();
}

#[tokio::test]
async fn a_begin_cut_off_midway_never_pools_a_tenant_context() {
    let db = TestDb::postgres().await;
    let (tenant, _) = seed(&db).await;
    let app = pool(&db.app_url, false).await;
    let tdb = TenantDatabase::new(app.clone());
    let probe = Statement::from_string(
        DbBackend::Postgres,
        "SELECT coalesce(current_setting('tenantry.tenant_id', true), '') AS s",
    );
    let mut completed = 0;
    let mut cut = 0;
    let mut i = 0_u32;
    while (completed < 20 || cut < 20) && i < 2_000 {
        i += 1;
        // Poll the begin 1..=4 times, a millisecond apart, then drop it: cut off before the
        // connection is acquired, right after the `BEGIN` went out, or once it is open.
        let polls = 1 + i % 4;
        let mut begin = Box::pin(tdb.begin(tenant));
        let mut opened = None;
        for _ in 0..polls {
            let step = std::future::poll_fn(|cx| Poll::Ready(begin.as_mut().poll(cx))).await;
            if let Poll::Ready(txn) = step {
                opened = Some(txn.unwrap());
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        match opened {
            Some(txn) => {
                completed += 1;
                drop(txn);
            }
            None => cut += 1,
        }
        drop(begin);
        // The next user of the only pooled connection sees no tenant and no open transaction.
        let row = app.query_one_raw(probe.clone()).await.unwrap().unwrap();
        assert_eq!(
            row.try_get::<String>("", "s").unwrap(),
            "",
            "after {i} begins ({cut} cut off), a pooled connection carried a tenant"
        );
        // ... and is not inside a transaction: a SAVEPOINT needs a transaction block.
        let savepoint = app.execute_unprepared("SAVEPOINT probe").await;
        assert!(
            savepoint.is_err(),
            "after {i} begins ({cut} cut off), a pooled connection was left in a transaction"
        );
    }
    assert!(
        completed >= 20 && cut >= 20,
        "completed {completed}, cut off {cut}"
    );
    app.close().await.unwrap();
}
