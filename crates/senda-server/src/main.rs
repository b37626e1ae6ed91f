use senda_server::Config;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("senda-server: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = senda_server::run(config).await {
        eprintln!("senda-server: {e}");
        std::process::exit(1);
    }
}
