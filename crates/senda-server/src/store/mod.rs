//! Server storage: one [`Store`] trait with a SQLite and a PostgreSQL
//! implementation, and [`Repo`], the operations the routes need, written once
//! over plain SQL (see `sql.rs`) and run in a transaction off the async runtime.

pub mod counts;
mod forget;
mod keys;
pub mod limits;
mod logic;
pub mod migrate;
mod paging;
pub mod postgres;
mod settings;
pub mod sql;
pub mod sqlite;
mod staff;

pub use limits::Quotas;
pub use logic::{Device, Organisation};
pub use postgres::PostgresStore;
pub use senda_protocol::AwaitingKey;
pub use senda_protocol::IncomingReferral;
pub use sqlite::SqliteStore;
pub use staff::StaffAccount;

use senda_protocol::{
    BoxSecret, KeysResponse, Op, PullResponse, PushResponse, ReferralStatus, SealedBox,
};
use serde::Serialize;
use sql::Sql;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("database: {0}")]
    Backend(String),
    /// A concurrent transaction won; the work is run again.
    #[error("transaction conflict, retry")]
    Retry,
    /// A lock was held past `lock_timeout` (a stuck session), a statement
    /// ran past `statement_timeout`, or an operator cancelled it: a request
    /// is answered 503 at once, never run again here (another run would
    /// take as long).
    #[error(
        "the database was busy (a lock held or a statement run too long, or cancelled); try again later"
    )]
    Busy,
    #[error("database worker stopped")]
    Worker,
    #[error("{0}")]
    Refused(Refusal),
    /// The database was written by a newer Senda; it is left untouched.
    #[error(
        "the database is at schema version {found}, newer than this senda-server supports ({supported}); it was left untouched: run a newer senda-server"
    )]
    SchemaTooNew { found: u32, supported: u32 },
    /// A stored value is not what its column must hold: reported, never read as a default.
    #[error("damaged stored data in {column}: {reason}")]
    Damaged {
        column: &'static str,
        reason: String,
    },
}

/// Why a request's content was refused (a 4xx, not a fault).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("unknown or used enrolment code")]
    BadEnrolmentCode,
    #[error("this device key is already enrolled")]
    KeyInUse,
    #[error("no such organisation")]
    NoSuchOrganisation,
    #[error("no such referral for this organisation")]
    NoSuchReferral,
    #[error("a referral cannot go from {0} to {1}")]
    BadTransition(String, String),
    #[error("the receiving organisation has no public key yet")]
    NoOrganisationKey,
    #[error("not a valid X25519 key, or sealed to the wrong one")]
    BadKey,
    #[error("no such active device")]
    NoSuchDevice,
    #[error(
        "the batch file is damaged, was not sealed for this server, or its signature does not match"
    )]
    BadBatchFile,
    #[error("no such staff account")]
    NoSuchStaff,
    #[error("this staff account was deactivated")]
    StaffDeactivated,
    #[error("the organisation already has another admin key")]
    AdminKeyExists,
    #[error("the organisation already has a key: replace it only with --rotate")]
    KeyExists,
    #[error("a key certificate or trust statement is not signed by the organisation's admin key")]
    BadCertificate,
    #[error("a retention period is 1 to 365 days")]
    BadRetention,
    #[error("a PIN policy's minimum length is 6 to 64")]
    BadPinPolicy,
    #[error("an operation carried a field readable that must be sealed: {0}")]
    UnsealedField(String),
    #[error("an operation is not one the casework makes: {0}")]
    BadOperation(String),
    #[error("this device has stored as much as it may on this server")]
    QuotaExceeded,
    #[error("this device has too many changes waiting for earlier ones that never arrived")]
    TooManyWaiting,
}

/// A backend: runs `work` in one transaction, committed only if it succeeds.
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> &'static str;
    fn transaction(
        &self,
        work: &mut dyn FnMut(&mut dyn Sql) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// Like [`Self::transaction`], once no other transaction holds any of
    /// `keys` (the records and cases a push changes, its device): concurrent
    /// pushes to the same records queue instead of colliding, and pushes that
    /// share no key run side by side. SQLite has one writer anyway.
    fn transaction_on(
        &self,
        keys: &[String],
        work: &mut dyn FnMut(&mut dyn Sql) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let _ = keys;
        self.transaction(work)
    }

    /// Like [`Self::transaction`], for work on tables no push reads or
    /// writes (request nonces, device reports): PostgreSQL runs it beside
    /// pushes instead of alone.
    fn transaction_apart(
        &self,
        work: &mut dyn FnMut(&mut dyn Sql) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.transaction(work)
    }

    /// A transaction that only reads. SQLite serves it from a read-only
    /// connection of its own, so a device's lookups (who signed a request,
    /// its keys, its pull) never queue behind another device's long write
    /// (#12, M10). PostgreSQL readers never wait for writers anyway.
    fn read(
        &self,
        work: &mut dyn FnMut(&mut dyn Sql) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.transaction(work)
    }
}

/// What `grant-keys` did: devices granted (id, name), devices skipped for an
/// unusable box key, and devices still waiting (id, name, fingerprint).
#[derive(Debug, Default, Serialize)]
pub struct GrantReport {
    pub granted: Vec<(String, String)>,
    pub bad_key: Vec<String>,
    pub waiting: Vec<(String, String, String)>,
}

/// The server's operations over any [`Store`], and the key it signs answers with.
#[derive(Clone)]
pub struct Repo {
    store: Arc<dyn Store>,
    answer_key: Arc<crate::answers::AnswerKey>,
    quotas: Quotas,
    /// The batch-file secret once opened: it changes only with the key file.
    batch_secret: Arc<std::sync::OnceLock<Arc<BoxSecret>>>,
}

impl Repo {
    /// With a fresh answer-signing key; a server gives its own with [`Self::with_answer_key`].
    pub fn new(store: impl Store) -> Self {
        Self {
            store: Arc::new(store),
            answer_key: Arc::new(crate::answers::AnswerKey::generate()),
            quotas: Quotas::default(),
            batch_secret: Arc::default(),
        }
    }

    /// What one device may cost this server (`limits.rs`).
    pub fn with_quotas(mut self, quotas: Quotas) -> Self {
        self.quotas = quotas;
        self
    }

    pub fn quotas(&self) -> Quotas {
        self.quotas
    }

    pub fn with_answer_key(mut self, key: crate::answers::AnswerKey) -> Self {
        self.answer_key = Arc::new(key);
        self.batch_secret = Arc::default();
        self
    }

    /// The key devices pin at enrolment (see `answers.rs`).
    pub fn answer_key(&self) -> &crate::answers::AnswerKey {
        &self.answer_key
    }

    pub fn backend(&self) -> &'static str {
        self.store.backend()
    }

    /// Runs `f` in a transaction on a blocking thread.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        f: impl Fn(&mut dyn Sql) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.run_on(Vec::new(), f).await
    }

    /// Like [`Self::run`] for work that only reads (see [`Store::read`]).
    async fn read<T: Send + 'static>(
        &self,
        f: impl Fn(&mut dyn Sql) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.on_store(move |store, work| store.read(work), f).await
    }

    /// Like [`Self::run`] for work that writes no table a push reads or
    /// writes (see [`Store::transaction_apart`]): nonces, device reports, the
    /// console's accounts, sessions and audit.
    pub(crate) async fn run_apart<T: Send + 'static>(
        &self,
        f: impl Fn(&mut dyn Sql) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.on_store(move |store, work| store.transaction_apart(work), f)
            .await
    }

    /// Runs `f` through `how` (one of the store's transactions) on a blocking thread.
    async fn on_store<T: Send + 'static>(
        &self,
        how: impl FnOnce(
            &dyn Store,
            &mut dyn FnMut(&mut dyn Sql) -> Result<(), StoreError>,
        ) -> Result<(), StoreError>
        + Send
        + 'static,
        f: impl Fn(&mut dyn Sql) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            let mut out = None;
            how(&*store, &mut |sql| {
                out = Some(f(sql)?);
                Ok(())
            })?;
            Ok(out.expect("a finished transaction produced its value"))
        })
        .await
        .map_err(|_| StoreError::Worker)?
    }

    /// Like [`Self::run`], holding `keys` (see [`Store::transaction_on`]).
    async fn run_on<T: Send + 'static>(
        &self,
        keys: Vec<String>,
        f: impl Fn(&mut dyn Sql) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.on_store(move |store, work| store.transaction_on(&keys, work), f)
            .await
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        self.read(|sql| sql.rows("SELECT 1", &[]).map(|_| ())).await
    }

    pub async fn create_organisation(&self, name: String) -> Result<Organisation, StoreError> {
        self.run(move |sql| logic::create_organisation(sql, &name, &now()))
            .await
    }

    /// A single-use code that enrols one device into `team`, valid for `days`.
    pub async fn create_enrolment_code(
        &self,
        organisation: String,
        team: String,
        days: i64,
    ) -> Result<String, StoreError> {
        let code = logic::random_code();
        let c = code.clone();
        self.run(move |sql| {
            logic::create_enrolment_code(sql, &organisation, &team, &c, days, &now())
        })
        .await?;
        Ok(code)
    }

    pub async fn create_staff(
        &self,
        organisation: String,
        team: String,
        name: String,
    ) -> Result<StaffAccount, StoreError> {
        self.run(move |sql| staff::create_staff(sql, &organisation, &team, &name, &now()))
            .await
    }

    /// A single-use code that enrols one device as the staff member's, valid for `days`.
    pub async fn staff_enrolment_code(
        &self,
        staff_id: String,
        days: i64,
    ) -> Result<String, StoreError> {
        let code = logic::random_code();
        let c = code.clone();
        self.run(move |sql| staff::staff_enrolment_code(sql, &staff_id, &c, days, &now()))
            .await?;
        Ok(code)
    }

    /// Deactivates the account and revokes each of its devices; how many were revoked.
    pub async fn deactivate_staff(&self, staff_id: String) -> Result<u64, StoreError> {
        self.run(move |sql| staff::deactivate_staff(sql, &staff_id, &now()))
            .await
    }

    pub async fn staff_of(&self, organisation: String) -> Result<Vec<StaffAccount>, StoreError> {
        self.read(move |sql| staff::staff_of(sql, &organisation))
            .await
    }

    pub async fn enrol(
        &self,
        code: String,
        public_key: String,
        box_key: String,
        name: String,
    ) -> Result<Device, StoreError> {
        self.run_apart(move |sql| logic::enrol(sql, &code, &public_key, &box_key, &name, &now()))
            .await
    }

    /// Registers the organisation's admin key and key certificates (see `keys.rs`); the current serial.
    pub async fn set_organisation_keys(
        &self,
        organisation: String,
        admin_key: String,
        certificates: Vec<senda_protocol::OrgKeyCert>,
        rotate: bool,
    ) -> Result<u32, StoreError> {
        self.run(move |sql| {
            keys::set_organisation_keys(
                sql,
                &organisation,
                &admin_key,
                &certificates,
                rotate,
                &now(),
            )
        })
        .await
    }

    /// Keeps what an organisation's administrator signed about another one.
    pub async fn trust_organisation(
        &self,
        trust: senda_protocol::OrgTrust,
    ) -> Result<(), StoreError> {
        self.run(move |sql| keys::trust_organisation(sql, &trust))
            .await
    }

    pub async fn admin_key(&self, organisation: String) -> Result<Option<String>, StoreError> {
        self.read(move |sql| keys::admin_key_of(sql, &organisation))
            .await
    }

    /// The organisation's devices that have not been granted its keys yet.
    pub async fn awaiting_key(&self, organisation: String) -> Result<Vec<AwaitingKey>, StoreError> {
        self.read(move |sql| keys::awaiting_key(sql, &organisation))
            .await
    }

    /// Grants sealed by one of the organisation's devices for its new devices; how many were new.
    pub async fn peer_grants(
        &self,
        device: Device,
        grants: Vec<senda_protocol::KeyGrant>,
    ) -> Result<usize, StoreError> {
        self.run_apart(move |sql| keys::peer_grants(sql, &device, &grants, &now()))
            .await
    }

    pub async fn grant_key(&self, device_id: String, sealed: SealedBox) -> Result<(), StoreError> {
        self.run_apart(move |sql| keys::grant_key(sql, &device_id, &sealed, &now()))
            .await
    }

    /// Seals the organisation's keys (from the administrator's key file, never
    /// the server's) to each waiting device whose fingerprint the administrator
    /// read on its screen and typed in. Nothing goes to a device nobody named;
    /// a device whose box key is unusable, or whose grant is refused, is
    /// skipped (logged), never stopping the others (L4).
    pub async fn grant_keys(
        &self,
        file: &senda_protocol::trust::OrgKeyFile,
        fingerprints: &[String],
    ) -> Result<GrantReport, StoreError> {
        let organisation = file.organisation.clone();
        let registered = self
            .run({
                let organisation = organisation.clone();
                move |sql| keys::organisation_key_of(sql, &organisation)
            })
            .await?;
        let current = file.certificates().into_iter().max_by_key(|c| c.serial);
        if registered.is_none() || registered != current.map(|c| c.box_key) {
            return Err(StoreError::Refused(Refusal::BadKey));
        }
        let wanted: Vec<String> = fingerprints
            .iter()
            .map(|f| senda_protocol::trust::normalise_fingerprint(f))
            .collect();
        let bundle = zeroize::Zeroizing::new(serde_json::to_vec(&file.bundle()).expect("JSON"));
        let mut report = GrantReport::default();
        for device in self.awaiting_key(organisation.clone()).await? {
            let fingerprint = senda_protocol::trust::device_fingerprint(
                &device.device_id,
                &device.public_key,
                &device.box_key,
            );
            if !wanted.contains(&senda_protocol::trust::normalise_fingerprint(&fingerprint)) {
                report
                    .waiting
                    .push((device.device_id, device.name, fingerprint));
                continue;
            }
            let sealed = senda_protocol::seal::seal(
                &device.box_key,
                &bundle,
                &senda_protocol::grant_aad(&device.device_id, &organisation),
            );
            let done = match sealed {
                Ok(sealed) if senda_protocol::seal::usable_public_key(&device.box_key) => {
                    self.grant_key(device.device_id.clone(), sealed).await
                }
                _ => Err(StoreError::Refused(Refusal::BadKey)),
            };
            match done {
                Ok(()) => report.granted.push((device.device_id, device.name)),
                Err(StoreError::Refused(why)) => {
                    tracing::warn!(device = %device.device_id, %why, "key grant skipped");
                    report.bad_key.push(device.device_id);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(report)
    }

    /// Announces a content pack version to every organisation; returns how many.
    pub async fn announce_content(
        &self,
        publisher: String,
        version: u32,
    ) -> Result<usize, StoreError> {
        self.run(move |sql| logic::announce_content(sql, &publisher, version, &now()))
            .await
    }

    /// One page of receivers' keys (routes after `cursor`), with this device's grant.
    pub async fn keys(
        &self,
        device: Device,
        cursor: Option<String>,
    ) -> Result<KeysResponse, StoreError> {
        self.read(move |sql| keys::keys(sql, &device, cursor.as_deref()))
            .await
    }

    /// The secret batch files are sealed to, kept in the database wrapped
    /// by the server's key file; read once (the server checks it at start).
    /// No push touches `server_keys`, so this never waits for one.
    pub async fn server_box_secret(&self) -> Result<Arc<BoxSecret>, StoreError> {
        if let Some(secret) = self.batch_secret.get() {
            return Ok(secret.clone());
        }
        let key = self.answer_key.clone();
        let secret = self
            .run_apart(move |sql| logic::server_box_secret(sql, &now(), &key))
            .await?;
        Ok(self.batch_secret.get_or_init(|| Arc::new(secret)).clone())
    }

    /// Replaces the batch-file secret (its key file was lost). For the
    /// administrator's command: a running server keeps the secret it opened.
    pub async fn new_server_box_secret(&self) -> Result<(), StoreError> {
        let key = self.answer_key.clone();
        self.run_apart(move |sql| logic::new_server_box_secret(sql, &now(), &key).map(drop))
            .await
    }

    pub async fn device(&self, id: String) -> Result<Option<Device>, StoreError> {
        self.read(move |sql| logic::device(sql, &id)).await
    }

    /// Compromised: the device is refused everything and told to wipe at once.
    pub async fn revoke_device(&self, id: String) -> Result<bool, StoreError> {
        self.run(move |sql| logic::revoke_device(sql, &id, &now()))
            .await
    }

    /// Retired: the device may still push what it holds; its next other
    /// request is answered with the order to wipe (M4). `false` if no such active device.
    pub async fn retire_device(&self, id: String) -> Result<bool, StoreError> {
        self.run(move |sql| paging::retire_device(sql, &id, &now()))
            .await
    }

    /// A retiring device asked for something else than a push: it is revoked now.
    pub async fn finish_retirement(&self, id: String) -> Result<(), StoreError> {
        self.run(move |sql| paging::finish_retirement(sql, &id, &now()))
            .await
    }

    /// Sets aside ops that waited past their time for a base that never came; how many.
    pub async fn age_out_parked(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, StoreError> {
        let quotas = self.quotas;
        let now = now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        self.run(move |sql| limits::age_out(sql, &quotas, &now))
            .await
    }

    /// A device's stored bytes, stored ops and ops waiting for their base.
    pub async fn device_usage(&self, id: String) -> Result<(i64, i64, i64), StoreError> {
        self.read(move |sql| limits::usage(sql, &id)).await
    }

    /// Records a request nonce; `false` if this device used it before (a replay).
    pub async fn use_nonce(&self, device: String, nonce: String) -> Result<bool, StoreError> {
        self.run_apart(move |sql| logic::use_nonce(sql, &device, &nonce, &now()))
            .await
    }

    pub async fn push(&self, device: Device, ops: Vec<Op>) -> Result<PushResponse, StoreError> {
        logic::check_push(&ops)?;
        // The records it changes and their cases (what is forgotten and
        // counted goes by case; a case's id is its record's, so one key), and
        // the device (whose parked ops it may apply).
        let mut keys: Vec<String> = ops
            .iter()
            .flat_map(|o| [&o.entity_id, &o.case_id])
            .map(|id| format!("r:{id}"))
            .collect();
        keys.push(format!("d:{}", device.id));
        let quotas = self.quotas;
        self.run_on(keys, move |sql| {
            logic::push(sql, &device, &ops, &quotas, &now())
        })
        .await
    }

    pub async fn pull(
        &self,
        device: Device,
        cursor: i64,
        limit: u32,
    ) -> Result<PullResponse, StoreError> {
        self.read(move |sql| logic::pull(sql, &device, cursor, limit))
            .await
    }

    pub async fn route_service(
        &self,
        service_id: String,
        organisation: String,
    ) -> Result<(), StoreError> {
        self.run(move |sql| logic::route_service(sql, &service_id, &organisation))
            .await
    }

    /// One page of the open referrals addressed to the device's organisation.
    pub async fn incoming_referrals(
        &self,
        device: Device,
        cursor: Option<String>,
    ) -> Result<senda_protocol::IncomingPage, StoreError> {
        self.read(move |sql| paging::incoming(sql, &device, cursor.as_deref()))
            .await
    }

    /// The receiving organisation moves a referral on; the sender's team hears of it at its next pull.
    pub async fn set_referral_status(
        &self,
        device: Device,
        referral_id: String,
        status: ReferralStatus,
    ) -> Result<(), StoreError> {
        self.run_on(vec![format!("r:{referral_id}")], move |sql| {
            logic::set_referral_status(sql, &device, &referral_id, status, &now())
        })
        .await
    }

    /// How many operations the server holds (for tests and /metrics).
    pub async fn op_count(&self) -> Result<i64, StoreError> {
        self.run(|sql| {
            Ok(sql
                .row("SELECT COUNT(*) FROM ops", &[])?
                .map_or(0, |r| r[0].int()))
        })
        .await
    }

    /// A record's current fields as the server holds them (tests and tools).
    pub async fn entity_fields(&self, id: String) -> Result<Option<serde_json::Value>, StoreError> {
        self.run(move |sql| {
            Ok(sql
                .row(
                    "SELECT fields FROM entities WHERE id = ?1",
                    &[id.clone().into()],
                )?
                .and_then(|r| serde_json::from_str(&r[0].text()).ok()))
        })
        .await
    }

    /// A referral's sealed summary as the server keeps it for its receiver
    /// (tests and tools); `None` for no referral, `Null` for no summary, an
    /// error for a damaged one.
    pub async fn referral_summary(
        &self,
        id: String,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        self.run(move |sql| {
            sql.row(
                "SELECT summary FROM referrals WHERE id = ?1",
                &[id.clone().into()],
            )?
            .map(|r| sql::json(&r, 0, "referrals.summary"))
            .transpose()
        })
        .await
    }

    /// Whether `needle` appears in any stored operation, record or referral
    /// (tests and audits: a sealed summary must never be readable here).
    pub async fn holds_text(&self, needle: String) -> Result<bool, StoreError> {
        self.run(move |sql| {
            let like = format!("%{needle}%");
            let mut found = false;
            for query in [
                "SELECT 1 FROM ops WHERE payload LIKE ?1",
                "SELECT 1 FROM entities WHERE fields LIKE ?1",
                "SELECT 1 FROM referrals WHERE summary LIKE ?1",
            ] {
                found |= sql.row(query, &[like.clone().into()])?.is_some();
            }
            Ok(found)
        })
        .await
    }

    /// Every value in every table of the server's schema, as `(table, text)`
    /// (audits and tests: everything the server holds).
    pub async fn every_value(&self) -> Result<Vec<(String, String)>, StoreError> {
        let tables = match self.backend() {
            "sqlite" => "SELECT name FROM sqlite_master WHERE type = 'table'",
            _ => {
                "SELECT table_name::text FROM information_schema.tables
                 WHERE table_schema = current_schema()"
            }
        };
        self.run(move |sql| {
            let mut out = Vec::new();
            for table in sql.rows(tables, &[])? {
                let table = table[0].text();
                for row in sql.rows(&format!("SELECT * FROM \"{table}\""), &[])? {
                    out.extend(row.iter().map(|v| (table.clone(), v.text())));
                }
            }
            Ok(out)
        })
        .await
    }

    /// Sets how long the server keeps an organisation's records (1 to 365
    /// days); its devices use the same period from their next sync.
    pub async fn set_retention(&self, organisation: String, days: u32) -> Result<(), StoreError> {
        self.run(move |sql| forget::set_retention(sql, &organisation, days))
            .await
    }

    pub async fn retention_of(&self, organisation: String) -> Result<Option<u32>, StoreError> {
        self.read(move |sql| forget::retention_of(sql, &organisation))
            .await
    }

    /// Purges the cases whose organisation's retention period has passed; how many.
    pub async fn purge_expired(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<usize, StoreError> {
        self.run(move |sql| forget::purge_expired(sql, now)).await
    }

    /// How many stored things still hold a sealed value of a case or referral (tests, audits).
    pub async fn sealed_held_for(&self, id: String) -> Result<i64, StoreError> {
        self.run(move |sql| forget::sealed_held_for(sql, &id)).await
    }

    /// Sets the organisation's PIN policy; its devices apply it from their next sync.
    pub async fn set_pin_policy(
        &self,
        organisation: String,
        policy: senda_protocol::PinPolicy,
    ) -> Result<(), StoreError> {
        self.run(move |sql| settings::set_pin_policy(sql, &organisation, policy))
            .await
    }

    pub async fn pin_policy_of(
        &self,
        organisation: String,
    ) -> Result<Option<senda_protocol::PinPolicy>, StoreError> {
        self.read(move |sql| settings::pin_policy_of(sql, &organisation))
            .await
    }

    /// Keeps what a device reported about itself at a sync.
    pub async fn record_device_report(
        &self,
        device: String,
        report: senda_protocol::DeviceReport,
    ) -> Result<(), StoreError> {
        self.run_apart(move |sql| settings::record_report(sql, &device, &report, &now()))
            .await
    }

    /// Recounts the statistics from the records (after a bulk load, or to repair).
    pub async fn rebuild_statistics(&self) -> Result<(), StoreError> {
        let postgres = self.backend() == "postgres";
        self.run(move |sql| counts::rebuild(sql, postgres)).await
    }

    /// Every statistics count as text rows, sorted (tests compare two ways of counting).
    pub async fn statistics_snapshot(&self) -> Result<Vec<String>, StoreError> {
        self.run(|sql| {
            let mut out: Vec<String> = Vec::new();
            for q in [
                "SELECT 'screening', organisation_id, country, week, age_band, risk_level, n FROM stats_screenings",
                "SELECT kind, sender_org, receiver_org, month, value, '', n FROM stats_referrals",
            ] {
                for r in sql.rows(q, &[])? {
                    out.push(r.iter().map(|v| v.text()).collect::<Vec<_>>().join("|"));
                }
            }
            out.sort();
            Ok(out)
        })
        .await
    }

    pub async fn conflict_count(&self) -> Result<i64, StoreError> {
        self.run(|sql| {
            Ok(sql
                .row("SELECT COUNT(*) FROM conflicts", &[])?
                .map_or(0, |r| r[0].int()))
        })
        .await
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}
