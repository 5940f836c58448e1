//! `server`: the Liaison binary. Everything it does lives in the library, so tests can start it.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    server::cli::run().await
}
