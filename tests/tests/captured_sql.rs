//! The reference app's typical queries as tenantry sends them, captured without a database
//! (`tenantry::testing::SqlCapture`) and pinned with insta. Each snapshot shows the scoped SQL
//! and its bound values; `<tenant>` is the current tenant.
#![allow(clippy::unwrap_used)]

use entity::{customers, order_items, orders};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbBackend, EntityTrait, FromQueryResult, LoaderTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use tenantry::TenantTransaction;
use tenantry::testing::{SqlCapture, capture_sql};
use uuid::Uuid;

const TENANT: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_000a);

fn customer(id: i32) -> customers::Model {
    customers::Model {
        id,
        tenant_id: TENANT,
        name: format!("c{id}"),
        email: format!("c{id}@x.test"),
    }
}

fn order(id: i32) -> orders::Model {
    orders::Model {
        id,
        tenant_id: TENANT,
        customer_id: 1,
        status: "open".into(),
        total: Decimal::TEN,
    }
}

/// Runs `f` on a Postgres capture (after the tenant context statement, which is dropped).
async fn pg<F>(capture: SqlCapture, f: F) -> String
where
    F: for<'c> FnOnce(
        &'c TenantTransaction,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<(), sea_orm::DbErr>> + Send + 'c>,
    >,
    F: Send,
{
    let txn = capture.begin(TENANT).await.unwrap();
    let context = capture.take();
    assert!(
        context.starts_with("SELECT set_config($1, $2, true)"),
        "{context}"
    );
    f(&txn).await.unwrap();
    txn.commit().await.unwrap();
    capture.take()
}

#[tokio::test]
async fn find_filter_order_limit() {
    let sql = pg(SqlCapture::new(DbBackend::Postgres), |txn| {
        Box::pin(async move {
            orders::Entity::find()
                .filter(
                    orders::Column::Status
                        .eq("open")
                        .or(orders::Column::Total.gt(100)),
                )
                .order_by_desc(orders::Column::Total)
                .limit(10)
                .all(txn)
                .await?;
            Ok(())
        })
    })
    .await;
    insta::assert_snapshot!(sql);
}

#[tokio::test]
async fn find_by_id_and_count() {
    let sql = pg(SqlCapture::new(DbBackend::Postgres), |txn| {
        Box::pin(async move {
            customers::Entity::find_by_id(7).one(txn).await?;
            orders::Entity::find().count(txn).await.ok();
            Ok(())
        })
    })
    .await;
    insta::assert_snapshot!(sql);
}

#[tokio::test]
async fn find_also_related_and_with_related() {
    let sql = pg(SqlCapture::new(DbBackend::Postgres), |txn| {
        Box::pin(async move {
            orders::Entity::find()
                .find_also_related(customers::Entity)
                .all(txn)
                .await?;
            customers::Entity::find()
                .find_with_related(orders::Entity)
                .all(txn)
                .await?;
            Ok(())
        })
    })
    .await;
    insta::assert_snapshot!(sql);
}

#[tokio::test]
async fn loaders() {
    let capture = SqlCapture::new(DbBackend::Postgres);
    capture.push_query_result([customer(1), customer(2)]);
    let sql = pg(capture, |txn| {
        Box::pin(async move {
            let cs = customers::Entity::find().all(txn).await?;
            cs.load_many(orders::Entity, txn).await?;
            Ok(())
        })
    })
    .await;
    insta::assert_snapshot!(sql);
}

#[tokio::test]
async fn paginate() {
    let capture = SqlCapture::new(DbBackend::Postgres);
    let sql = pg(capture, |txn| {
        Box::pin(async move {
            orders::Entity::find()
                .order_by_asc(orders::Column::Id)
                .paginate(txn, 20)
                .fetch_page(2)
                .await?;
            Ok(())
        })
    })
    .await;
    insta::assert_snapshot!(sql);
}

#[tokio::test]
async fn insert_fills_the_tenant() {
    let capture = SqlCapture::new(DbBackend::Postgres);
    capture.push_query_result([order(5)]);
    let sql = pg(capture, |txn| {
        Box::pin(async move {
            orders::ActiveModel {
                customer_id: Set(1),
                status: Set("open".into()),
                total: Set(Decimal::TEN),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            order_items::Entity::insert_many([1, 2].map(|p| order_items::ActiveModel {
                order_id: Set(5),
                product_id: Set(p),
                quantity: Set(1),
                unit_price: Set(Decimal::ONE),
                ..Default::default()
            }))
            .exec_without_returning(txn)
            .await?;
            Ok(())
        })
    })
    .await;
    insta::assert_snapshot!(sql);
}

#[tokio::test]
async fn upsert() {
    let sql = pg(SqlCapture::new(DbBackend::Postgres), |txn| {
        Box::pin(async move {
            customers::Entity::insert(customers::ActiveModel {
                name: Set("Ann".into()),
                email: Set("ann@x.test".into()),
                ..Default::default()
            })
            .on_conflict(
                OnConflict::columns([customers::Column::TenantId, customers::Column::Email])
                    .update_column(customers::Column::Name)
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
            Ok(())
        })
    })
    .await;
    insta::assert_snapshot!(sql);
}

#[tokio::test]
async fn update_and_delete_many() {
    let sql = pg(SqlCapture::new(DbBackend::Postgres), |txn| {
        Box::pin(async move {
            orders::Entity::update_many()
                .col_expr(orders::Column::Status, Expr::value("shipped"))
                .filter(orders::Column::Status.eq("paid"))
                .exec(txn)
                .await?;
            order_items::Entity::delete_many()
                .filter(order_items::Column::Quantity.lte(0))
                .exec(txn)
                .await?;
            Ok(())
        })
    })
    .await;
    insta::assert_snapshot!(sql);
}

#[tokio::test]
async fn raw_statement_with_a_join() {
    #[derive(Debug, FromQueryResult)]
    #[allow(dead_code)]
    struct Revenue {
        name: String,
        total: Decimal,
    }
    let sql = pg(SqlCapture::new(DbBackend::Postgres), |txn| {
        Box::pin(async move {
            Revenue::find_by_statement(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT c.name, sum(o.total) AS total FROM customers c \
                 LEFT JOIN orders o ON o.customer_id = c.id WHERE o.status = $1 GROUP BY c.name",
                ["paid".into()],
            ))
            .all(txn)
            .await?;
            Ok(())
        })
    })
    .await;
    insta::assert_snapshot!(sql);
}

#[tokio::test]
async fn same_query_on_mysql_and_sqlite() {
    for backend in [DbBackend::MySql, DbBackend::Sqlite] {
        let sql = capture_sql(backend, TENANT, |txn| {
            Box::pin(async move {
                orders::Entity::find()
                    .filter(orders::Column::Status.eq("open"))
                    .find_also_related(customers::Entity)
                    .all(txn)
                    .await?;
                orders::ActiveModel {
                    customer_id: Set(1),
                    status: Set("open".into()),
                    total: Set(Decimal::TEN),
                    ..Default::default()
                }
                .insert(txn)
                .await
                .ok();
                Ok(())
            })
        })
        .await
        .unwrap();
        insta::assert_snapshot!(format!("{backend:?}").to_lowercase(), sql);
    }
}
