pub mod admin;
pub mod auth;
mod health;
pub mod sync;

pub use health::health;

pub async fn metrics() -> String {
    crate::metrics::render()
}
