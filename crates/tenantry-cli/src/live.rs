//! What the commands that read a live database share: the runtime, the connection, writing
//! the report.

use std::future::Future;
use std::io::Write;
use std::process::ExitCode;

use sea_orm::{ConnectOptions, Database, DatabaseConnection};

/// Runs `work` on a current-thread runtime; exit code 2 when there is none.
pub(crate) fn block_on(command: &str, work: impl Future<Output = ExitCode>) -> ExitCode {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(work),
        Err(e) => {
            eprintln!("tenantry {command}: cannot start the async runtime: {e}");
            ExitCode::from(2)
        }
    }
}

/// One connection to `url` (a 10 s connect timeout), or the error printed.
pub(crate) async fn connect(command: &str, url: &str) -> Option<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(1)
        .sqlx_logging(false)
        .connect_timeout(std::time::Duration::from_secs(10));
    match Database::connect(options).await {
        Ok(db) => Some(db),
        Err(e) => {
            eprintln!("tenantry {command}: cannot connect to the database: {e}");
            None
        }
    }
}

/// Writes the report to stdout (a closed pipe, as with `| head`, is not an error); `false`
/// when it could not be written.
pub(crate) fn print(command: &str, output: &str) -> bool {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("tenantry {command}: cannot write the report: {e}");
            false
        }
        _ => true,
    }
}
