//! The reference app's migration binary (`cargo run -p migration -- …`), built in this package
//! so that the integration tests can run it as a child process — and kill it.

#[tokio::main]
async fn main() {
    migration::cli().await;
}
