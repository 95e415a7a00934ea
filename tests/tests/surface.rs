//! The SeaORM surface through a `TenantTransaction`, on PostgreSQL (as the app role, RLS on),
//! MariaDB and SQLite: every API returns the current tenant's rows only, fills `tenant_id` on
//! insert, and never reads, changes or deletes the other tenant's rows. On PostgreSQL also with
//! the two tenants provisioned into different placements — a schema of their own, a database
//! of their own on the second server, the shared tables — and `begin` following the directory.
#![allow(clippy::unwrap_used)]

use entity::{customers, order_items, orders, products, tenants};
use futures_util::TryStreamExt;
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    FromQueryResult, IntoActiveModel, LoaderTrait, ModelTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement, TransactionTrait,
};
use tenantry::{Error, TenantDatabase, TenantTransaction};
use tenantry_tests::TestDb;
use tenantry_tests::placed::{Kind, Placed};
use uuid::Uuid;

struct World {
    tdb: TenantDatabase,
    a: Uuid,
    b: Uuid,
    product: i32,
    /// Sees every row of B's place (B's rows are read there, never through tenantry).
    b_place: DatabaseConnection,
    /// Whether A's and B's rows share tables (the shared tables), or each is in a placement
    /// of its own.
    together: bool,
}

/// Tenants and products as the owner.
async fn seed_reference(db: &TestDb) -> (Uuid, Uuid, i32) {
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    for (id, slug) in [(a, "a"), (b, "b")] {
        tenants::ActiveModel {
            id: Set(id),
            name: Set(slug.to_uppercase()),
            slug: Set(slug.into()),
        }
        .insert(&db.owner)
        .await
        .unwrap();
    }
    let product = products::ActiveModel {
        sku: Set("SKU-1".into()),
        name: Set("Widget".into()),
        price: Set(Decimal::new(250, 2)),
        ..Default::default()
    }
    .insert(&db.owner)
    .await
    .unwrap()
    .id;
    (a, b, product)
}

/// Each tenant's rows through tenantry itself.
async fn seed_tenants(w: &World) {
    for (tenant, names) in [(w.a, &["ann", "amy"][..]), (w.b, &["bob"][..])] {
        let txn = w.tdb.begin(tenant).await.unwrap();
        for name in names {
            let c = customers::ActiveModel {
                name: Set((*name).into()),
                email: Set(format!("{name}@x.test")),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .unwrap();
            assert_eq!(c.tenant_id, tenant, "tenant_id filled on insert");
            for total in [10, 20] {
                let o = orders::ActiveModel {
                    customer_id: Set(c.id),
                    status: Set("open".into()),
                    total: Set(Decimal::from(total)),
                    ..Default::default()
                }
                .insert(&txn)
                .await
                .unwrap();
                order_items::ActiveModel {
                    order_id: Set(o.id),
                    product_id: Set(w.product),
                    quantity: Set(1),
                    unit_price: Set(Decimal::from(total)),
                    ..Default::default()
                }
                .insert(&txn)
                .await
                .unwrap();
            }
        }
        txn.commit().await.unwrap();
    }
}

/// One database, both tenants in its shared tables.
async fn seed(db: &TestDb) -> World {
    db.migrate().await;
    let (a, b, product) = seed_reference(db).await;
    let w = World {
        tdb: TenantDatabase::new(db.app.clone()),
        a,
        b,
        product,
        b_place: db.admin.clone(),
        together: true,
    };
    seed_tenants(&w).await;
    w
}

/// B's orders and customers, read where B's rows are (no scoping, no RLS).
async fn b_state(w: &World) -> Vec<(String, String, Decimal)> {
    let b = w.b;
    let mut rows: Vec<_> = orders::Entity::find()
        .filter(orders::Column::TenantId.eq(b))
        .order_by_asc(orders::Column::Id)
        .all(&w.b_place)
        .await
        .unwrap()
        .into_iter()
        .map(|o| (o.id.to_string(), o.status, o.total))
        .collect();
    let customers = customers::Entity::find()
        .filter(customers::Column::TenantId.eq(b))
        .all(&w.b_place)
        .await
        .unwrap();
    rows.extend(
        customers
            .into_iter()
            .map(|c| (format!("c{}", c.id), c.email, Decimal::ZERO)),
    );
    rows
}

fn all_of(rows: &[orders::Model], tenant: Uuid) -> bool {
    rows.iter().all(|o| o.tenant_id == tenant)
}

async fn reads(w: &World, txn: &TenantTransaction) {
    let backend = txn.get_database_backend();
    // find / filters / order / limit
    let mine = orders::Entity::find().all(txn).await.unwrap();
    assert_eq!(mine.len(), 4);
    assert!(all_of(&mine, w.a));
    let open = orders::Entity::find()
        .filter(
            orders::Column::Status
                .eq("open")
                .or(orders::Column::Total.gt(0)),
        )
        .order_by_desc(orders::Column::Total)
        .limit(3)
        .all(txn)
        .await
        .unwrap();
    assert_eq!(
        open.len(),
        3,
        "`a OR b` must not escape the tenant predicate"
    );
    assert!(all_of(&open, w.a));

    // find_by_id: B's id is invisible
    let b_order = orders::Entity::find()
        .filter(orders::Column::TenantId.eq(w.b))
        .one(txn)
        .await
        .unwrap();
    assert!(
        b_order.is_none(),
        "filtering on another tenant yields nothing"
    );
    let first = mine[0].id;
    assert!(
        orders::Entity::find_by_id(first)
            .one(txn)
            .await
            .unwrap()
            .is_some()
    );

    // find_also_related / find_with_related
    let pairs = orders::Entity::find()
        .find_also_related(customers::Entity)
        .all(txn)
        .await
        .unwrap();
    assert_eq!(pairs.len(), 4);
    assert!(
        pairs
            .iter()
            .all(|(o, c)| o.tenant_id == w.a && c.as_ref().unwrap().tenant_id == w.a)
    );
    let with = customers::Entity::find()
        .find_with_related(orders::Entity)
        .all(txn)
        .await
        .unwrap();
    assert_eq!(with.len(), 2);
    assert!(
        with.iter()
            .all(|(c, os)| c.tenant_id == w.a && os.len() == 2 && all_of(os, w.a))
    );

    // related through a model
    let c = customers::Entity::find().one(txn).await.unwrap().unwrap();
    let rel = c.find_related(orders::Entity).all(txn).await.unwrap();
    assert_eq!(rel.len(), 2);

    // loaders
    let cs = customers::Entity::find().all(txn).await.unwrap();
    let loaded = cs.load_many(orders::Entity, txn).await.unwrap();
    assert_eq!(loaded.iter().map(Vec::len).sum::<usize>(), 4);
    let os = orders::Entity::find().all(txn).await.unwrap();
    let owners = os.load_one(customers::Entity, txn).await.unwrap();
    assert!(
        owners
            .iter()
            .all(|c| c.as_ref().is_some_and(|c| c.tenant_id == w.a))
    );
    let items = os.load_many(order_items::Entity, txn).await.unwrap();
    assert_eq!(items.iter().map(Vec::len).sum::<usize>(), 4);

    // paginate / count
    let pages = orders::Entity::find()
        .order_by_asc(orders::Column::Id)
        .paginate(txn, 3);
    assert_eq!(pages.num_items().await.unwrap(), 4);
    assert_eq!(pages.num_pages().await.unwrap(), 2);
    assert_eq!(pages.fetch_page(1).await.unwrap().len(), 1);
    assert_eq!(orders::Entity::find().count(txn).await.unwrap(), 4);

    // stream
    let streamed: Vec<orders::Model> = orders::Entity::find()
        .stream(txn)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed.len(), 4);
    assert!(all_of(&streamed, w.a));

    // find_by_statement: raw SQL is scoped too
    #[derive(Debug, FromQueryResult)]
    struct Total {
        n: i64,
    }
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT count(*)::bigint AS n FROM orders o JOIN customers c ON c.id = o.customer_id"
        }
        _ => "SELECT count(*) AS n FROM orders o JOIN customers c ON c.id = o.customer_id",
    };
    let n = Total::find_by_statement(Statement::from_string(backend, sql))
        .one(txn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n.n, 4);

    // shared reference data passes through untouched
    assert_eq!(products::Entity::find().count(txn).await.unwrap(), 1);
    let _ = w.product;
}

async fn writes(w: &World, txn: &TenantTransaction) {
    let backend = txn.get_database_backend();
    let c = customers::Entity::find().one(txn).await.unwrap().unwrap();

    // insert_many: tenant_id filled on every row
    orders::Entity::insert_many([
        orders::ActiveModel {
            customer_id: Set(c.id),
            status: Set("bulk".into()),
            total: Set(Decimal::ONE),
            ..Default::default()
        },
        orders::ActiveModel {
            customer_id: Set(c.id),
            status: Set("bulk".into()),
            total: Set(Decimal::TWO),
            ..Default::default()
        },
    ])
    .exec(txn)
    .await
    .unwrap();
    let bulk = orders::Entity::find()
        .filter(orders::Column::Status.eq("bulk"))
        .all(txn)
        .await
        .unwrap();
    assert_eq!(bulk.len(), 2);
    assert!(all_of(&bulk, w.a));

    // save (insert then update)
    let saved = orders::ActiveModel {
        customer_id: Set(c.id),
        status: Set("draft".into()),
        total: Set(Decimal::ONE),
        ..Default::default()
    }
    .save(txn)
    .await
    .unwrap();
    let mut saved = saved;
    saved.status = Set("saved".into());
    let saved = saved.save(txn).await.unwrap();
    let saved_id = saved.id.clone().unwrap();

    // update one model
    let mut am = orders::Entity::find_by_id(saved_id)
        .one(txn)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    am.total = Set(Decimal::TEN);
    let updated = am.update(txn).await.unwrap();
    assert_eq!(updated.total, Decimal::TEN);

    // on_conflict: an upsert on B's primary key must neither change B's row nor insert one
    let b_ids: Vec<i32> = orders::Entity::find()
        .filter(orders::Column::TenantId.eq(w.b))
        .all(&w.b_place)
        .await
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    // In a savepoint: PostgreSQL's RLS refuses the conflicting row outright (aborting the
    // statement); elsewhere the scoped DO UPDATE is a no-op.
    let attempt = txn.begin().await.unwrap();
    let upsert = orders::Entity::insert(orders::ActiveModel {
        id: Set(b_ids[0]),
        customer_id: Set(c.id),
        status: Set("hijacked".into()),
        total: Set(Decimal::ZERO),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(orders::Column::Id)
            .update_columns([orders::Column::Status, orders::Column::Total])
            .to_owned(),
    )
    .exec_without_returning(&attempt)
    .await;
    match upsert {
        // With B in a placement of its own the id is B's only there: in A's tables it is a
        // free key or one of A's own orders, so the upsert writes A's row alone — an order of
        // A's with that id. Undone, so that the counts below are those of every placement;
        // B's rows, where they are, are checked at the end.
        Ok(_) if !w.together => {
            let row = orders::Entity::find_by_id(b_ids[0])
                .one(&attempt)
                .await
                .unwrap()
                .unwrap();
            assert_eq!((row.tenant_id, row.status.as_str()), (w.a, "hijacked"));
            attempt.rollback().await.unwrap();
        }
        // MySQL reports a row as "affected" even when the scoped update left it as it was;
        // what matters is that B's rows are unchanged, checked at the end.
        Ok(_) => attempt.commit().await.unwrap(),
        Err(e) => {
            assert!(w.together, "{e}");
            assert_eq!(backend, DbBackend::Postgres, "{e}");
            assert!(e.to_string().contains("row-level security"), "{e}");
            attempt.rollback().await.unwrap();
        }
    }
    // … while an upsert on A's own row updates it.
    orders::Entity::insert(orders::ActiveModel {
        id: Set(saved_id),
        customer_id: Set(c.id),
        status: Set("upserted".into()),
        total: Set(Decimal::ONE),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(orders::Column::Id)
            .update_column(orders::Column::Status)
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await
    .unwrap();
    let got = orders::Entity::find_by_id(saved_id)
        .one(txn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.status, "upserted");

    // update_many: only A's rows
    let res = orders::Entity::update_many()
        .col_expr(orders::Column::Status, Expr::value("touched"))
        .filter(orders::Column::Total.gte(0))
        .exec(txn)
        .await
        .unwrap();
    assert_eq!(res.rows_affected, 7);

    // exec_with_returning (RETURNING where the backend has it)
    if backend != DbBackend::MySql {
        let rows = orders::Entity::update_many()
            .col_expr(orders::Column::Status, Expr::value("returned"))
            .filter(orders::Column::Status.eq("touched"))
            .exec_with_returning(txn)
            .await
            .unwrap();
        assert_eq!(rows.len(), 7);
        assert!(all_of(&rows, w.a));
        let inserted = orders::Entity::insert(orders::ActiveModel {
            customer_id: Set(c.id),
            status: Set("ret".into()),
            total: Set(Decimal::ONE),
            ..Default::default()
        })
        .exec_with_returning(txn)
        .await
        .unwrap();
        assert_eq!(inserted.tenant_id, w.a);
    }

    // delete one model, delete_many
    let victim = orders::Entity::find_by_id(saved_id)
        .one(txn)
        .await
        .unwrap()
        .unwrap();
    order_items::Entity::delete_many()
        .filter(order_items::Column::OrderId.eq(saved_id))
        .exec(txn)
        .await
        .unwrap();
    victim.delete(txn).await.unwrap();
    order_items::Entity::delete_many().exec(txn).await.unwrap();
    let gone = orders::Entity::delete_many().exec(txn).await.unwrap();
    assert!(gone.rows_affected >= 6);
    assert_eq!(orders::Entity::find().count(txn).await.unwrap(), 0);

    // a cross-tenant write is a typed error
    let err = orders::ActiveModel {
        tenant_id: Set(w.b),
        customer_id: Set(c.id),
        status: Set("x".into()),
        total: Set(Decimal::ONE),
        ..Default::default()
    }
    .insert(txn)
    .await
    .unwrap_err();
    assert!(
        matches!(
            Error::from_db_err(&err),
            Some(Error::CrossTenantWrite { .. })
        ),
        "{err}"
    );
}

/// Every API as A, then B's rows checked untouched and B served as well.
async fn surface(w: &World) {
    let before = b_state(w).await;
    assert_eq!(before.len(), 3);

    let txn = w.tdb.begin(w.a).await.unwrap();
    assert_eq!(txn.tenant(), &w.a.into());
    reads(w, &txn).await;
    // nested transaction = savepoint of the same tenant
    {
        let nested = txn.begin().await.unwrap();
        assert_eq!(orders::Entity::find().count(&nested).await.unwrap(), 4);
        order_items::Entity::delete_many()
            .exec(&nested)
            .await
            .unwrap();
        nested.rollback().await.unwrap();
    }
    assert_eq!(
        order_items::Entity::find().count(&txn).await.unwrap(),
        4,
        "savepoint rolled back"
    );
    writes(w, &txn).await;
    txn.commit().await.unwrap();

    assert_eq!(b_state(w).await, before, "tenant B's rows are untouched");

    // The closure form.
    let n = w
        .tdb
        .transaction::<_, u64, sea_orm::DbErr>(w.b, |txn| {
            Box::pin(async move { orders::Entity::find().count(txn).await })
        })
        .await
        .unwrap();
    assert_eq!(n, 2);
}

#[tokio::test]
async fn seaorm_surface_postgres() {
    let db = TestDb::postgres().await;
    surface(&seed(&db).await).await;
}

#[tokio::test]
async fn seaorm_surface_mysql() {
    let db = TestDb::mysql().await;
    surface(&seed(&db).await).await;
}

#[tokio::test]
async fn seaorm_surface_sqlite() {
    let db = TestDb::sqlite().await;
    surface(&seed(&db).await).await;
}

/// PostgreSQL with A and B provisioned into the placements `a` and `b` (tenant databases on
/// the second server), `begin` following the directory as the app role: the same assertions,
/// and A's and B's rows where their placements say.
async fn surface_placed(a: Kind, b: Kind) {
    let control = Placed::control().await;
    // Before provisioning: a tenant database gets a copy of the reference rows.
    let (ta, tb, product) = seed_reference(&control).await;
    let placed = Placed::provision(control, &[(ta, a), (tb, b)]).await;
    let w = World {
        tdb: placed.tdb.clone(),
        a: ta,
        b: tb,
        product,
        b_place: placed.home(tb).admin.clone(),
        together: false,
    };
    seed_tenants(&w).await;
    // Each tenant's rows are in its own place, and only there.
    for home in &placed.homes {
        let owners: Vec<Uuid> = customers::Entity::find()
            .all(&home.admin)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.tenant_id)
            .collect();
        let expected = if home.tenant == ta { 2 } else { 1 };
        assert_eq!(owners, vec![home.tenant; expected], "{}", home.placement);
    }
    surface(&w).await;
    // A's rows are still in A's place only: the writes above did not leave it.
    let a_home = placed.home(ta);
    let a_orders = orders::Entity::find().all(&a_home.admin).await.unwrap();
    assert!(
        a_orders.is_empty(),
        "A deleted all its orders: {a_orders:?}"
    );
    let a_customers = customers::Entity::find().all(&a_home.admin).await.unwrap();
    assert!(
        a_customers.iter().all(|c| c.tenant_id == ta) && a_customers.len() == 2,
        "{a_customers:?}"
    );
    let b_orders = orders::Entity::find()
        .all(&placed.home(tb).admin)
        .await
        .unwrap();
    assert!(
        b_orders.len() == 2 && b_orders.iter().all(|o| o.tenant_id == tb),
        "{b_orders:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seaorm_surface_postgres_a_schema_b_shared() {
    surface_placed(Kind::Schema, Kind::Shared).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seaorm_surface_postgres_a_database_b_shared() {
    surface_placed(Kind::Database, Kind::Shared).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seaorm_surface_postgres_a_shared_b_schema() {
    surface_placed(Kind::Shared, Kind::Schema).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seaorm_surface_postgres_a_shared_b_database() {
    surface_placed(Kind::Shared, Kind::Database).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seaorm_surface_postgres_a_schema_b_database() {
    surface_placed(Kind::Schema, Kind::Database).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seaorm_surface_postgres_a_database_b_schema() {
    surface_placed(Kind::Database, Kind::Schema).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seaorm_surface_postgres_each_in_a_schema() {
    surface_placed(Kind::Schema, Kind::Schema).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seaorm_surface_postgres_each_in_a_database() {
    surface_placed(Kind::Database, Kind::Database).await;
}
