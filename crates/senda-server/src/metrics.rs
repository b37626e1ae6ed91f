//! Prometheus counters, served at `/metrics`. Counts only: no identifiers.

use prometheus::{Encoder, IntCounter, Registry, TextEncoder};
use std::sync::LazyLock;

static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::new);

fn counter(name: &str, help: &str) -> IntCounter {
    let c = IntCounter::new(name, help).expect("valid metric");
    REGISTRY
        .register(Box::new(c.clone()))
        .expect("registered once");
    c
}

pub static OPS_RECEIVED: LazyLock<IntCounter> =
    LazyLock::new(|| counter("senda_ops_received_total", "Operations received in pushes"));
pub static REQUESTS_REFUSED: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "senda_requests_refused_total",
        "Requests refused with a 4xx or 503",
    )
});

/// PostgreSQL pushes run alone behind the gate: after failing serialisation
/// beside others, or because they touch too many records to lock each.
pub static TRANSACTIONS_ALONE: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "senda_transactions_alone_total",
        "Pushes run alone, after failing serialisation beside others or touching many records (PostgreSQL)",
    )
});

/// PostgreSQL transactions run again after a serialisation failure (instances or requests collided).
pub static TRANSACTION_RETRIES: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "senda_transaction_retries_total",
        "Transactions run again after a serialisation failure",
    )
});

pub fn render() -> String {
    LazyLock::force(&OPS_RECEIVED);
    LazyLock::force(&REQUESTS_REFUSED);
    LazyLock::force(&TRANSACTION_RETRIES);
    LazyLock::force(&TRANSACTIONS_ALONE);
    let mut out = Vec::new();
    TextEncoder::new()
        .encode(&REGISTRY.gather(), &mut out)
        .expect("text encoding");
    String::from_utf8(out).expect("UTF-8")
}
