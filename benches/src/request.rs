//! One "request" of the end-to-end benches: `k` small reads of one tenant (alternately a
//! primary-key lookup and a filtered, ordered, limited list), in a transaction, done three
//! ways; and single statements outside an explicit transaction, done three ways.

use std::sync::Arc;

use entity::orders;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, Statement, TransactionTrait,
};
use tenantry::{DEFAULT_SETTING, Rewriter, TenantDatabase, TenantId};
use uuid::Uuid;

use sea_orm::sea_query::{PostgresQueryBuilder, Values, inject_parameters};

/// How a request reaches the database.
#[derive(Clone)]
pub enum Target {
    /// (a) Plain SeaORM transaction with hand-written `tenant_id` filters, as the superuser
    /// (RLS not applicable).
    Plain(DatabaseConnection),
    /// (b) tenantry: `TenantDatabase::begin` over an app-role pool (rewriter + RLS).
    Tenantry(TenantDatabase),
    /// (c) RLS only: plain SeaORM transaction as the app role, `set_config` by hand, no
    /// filters in the queries.
    RlsOnly(DatabaseConnection),
    /// (p) A single statement of plain SeaORM on the pool, no explicit transaction, with a
    /// hand-written `tenant_id` filter (superuser, no RLS): one round trip.
    PlainStatement(DatabaseConnection),
    /// (s) A single statement, one round trip, RLS on: the prototype of a scoped statement
    /// outside an explicit transaction. The statement is scoped by the [`Rewriter`], then
    /// sent as one simple query `SET LOCAL <setting> = E'<tenant>'; <statement>` — the
    /// setting dies with the implicit transaction of that query. The simple-query protocol
    /// has no parameters, so every value is written into the SQL text (sea-query's literal
    /// rendering) and rows come back in text format.
    InlineStatement(sea_orm::sqlx::PgPool, Arc<Rewriter>),
}

/// The shape of the loaded data, enough to pick existing rows.
#[derive(Clone, Debug)]
pub struct Workload {
    /// Tenant ids.
    pub tenants: Arc<[Uuid]>,
    /// Orders per tenant (ids `t * orders_per_tenant + 1 ..`).
    pub orders_per_tenant: i32,
    /// Customers per tenant (ids `t * customers_per_tenant + 1 ..`).
    pub customers_per_tenant: i32,
}

/// A small, fast, deterministic generator (xorshift64*).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// Seeded generator (a zero seed is replaced).
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    /// The next value below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        usize::try_from(x % u64::try_from(n).unwrap_or(1)).unwrap_or(0)
    }
}

/// The `k` queries of one request for tenant number `t`, without tenant filters.
fn queries(w: &Workload, t: usize, k: usize, rng: &mut Rng) -> Vec<Select<orders::Entity>> {
    let base = i32::try_from(t).unwrap_or(0);
    (0..k)
        .map(|i| {
            if i % 2 == 0 {
                let j = rng.below(usize::try_from(w.orders_per_tenant).unwrap_or(1));
                let id = base * w.orders_per_tenant + i32::try_from(j).unwrap_or(0) + 1;
                orders::Entity::find_by_id(id)
            } else {
                let j = rng.below(usize::try_from(w.customers_per_tenant).unwrap_or(1));
                let customer = base * w.customers_per_tenant + i32::try_from(j).unwrap_or(0) + 1;
                orders::Entity::find()
                    .filter(orders::Column::CustomerId.eq(customer))
                    .filter(orders::Column::Status.eq("open"))
                    .order_by_desc(orders::Column::Id)
                    .limit(5)
            }
        })
        .collect()
}

/// Runs `queries` on `conn`, returning the number of rows read.
async fn run_all<C: ConnectionTrait>(
    conn: &C,
    queries: Vec<Select<orders::Entity>>,
) -> Result<usize, sea_orm::DbErr> {
    let mut n = 0;
    for q in queries {
        n += q.all(conn).await?.len();
    }
    Ok(n)
}

impl Target {
    /// One request of `k` reads for a tenant drawn from `rng`; returns the rows read.
    pub async fn request(
        &self,
        w: &Workload,
        k: usize,
        rng: &mut Rng,
    ) -> Result<usize, sea_orm::DbErr> {
        let t = rng.below(w.tenants.len());
        let tenant = w.tenants[t];
        let qs = queries(w, t, k, rng);
        match self {
            Target::Plain(db) => {
                let txn = db.begin().await?;
                let qs = qs
                    .into_iter()
                    .map(|q| q.filter(orders::Column::TenantId.eq(tenant)))
                    .collect();
                let n = run_all(&txn, qs).await?;
                txn.commit().await?;
                Ok(n)
            }
            Target::Tenantry(tdb) => {
                let txn = tdb.begin(tenant).await?;
                let n = run_all(&txn, qs).await?;
                txn.commit().await?;
                Ok(n)
            }
            Target::RlsOnly(db) => {
                let txn = db.begin().await?;
                txn.execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT set_config($1, $2, true)",
                    [DEFAULT_SETTING.into(), tenant.to_string().into()],
                ))
                .await?;
                let n = run_all(&txn, qs).await?;
                txn.commit().await?;
                Ok(n)
            }
            Target::PlainStatement(db) => {
                let qs = qs
                    .into_iter()
                    .map(|q| q.filter(orders::Column::TenantId.eq(tenant)))
                    .collect();
                run_all(db, qs).await
            }
            Target::InlineStatement(pool, rewriter) => {
                let tenant = TenantId::from(tenant);
                let mut n = 0;
                for q in qs {
                    let stmt = rewriter
                        .rewrite(q.build(DbBackend::Postgres), &tenant)?
                        .statement;
                    let values = stmt.values.unwrap_or(Values(Vec::new()));
                    let sql = inject_parameters(&stmt.sql, &values.0, &PostgresQueryBuilder);
                    let script = format!(
                        "SET LOCAL {DEFAULT_SETTING} = '{tenant}'; {sql}",
                        tenant = tenant.to_setting()
                    );
                    let rows = sea_orm::sqlx::raw_sql(sea_orm::sqlx::AssertSqlSafe(script))
                        .fetch_all(pool)
                        .await
                        .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
                    for row in rows {
                        orders::Model::from_query_result(&row.into(), "")?;
                        n += 1;
                    }
                }
                Ok(n)
            }
        }
    }
}
