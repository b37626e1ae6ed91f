//! Moving sync messages over HTTP (reqwest, rustls), with retries.
//!
//! The vault lock is taken only to build a request or apply an answer. A
//! request is signed afresh for every attempt (each needs a new nonce), and
//! a push is rebuilt from the outbox, so a retry after a lost answer sends
//! what is still unsent and the server's idempotency does the rest.

use super::device::{PushBatch, ReceivedReferral, SignedRequest, SyncIdentity};
use super::trust::HandOver;
use crate::Vault;
use crate::casework::CaseError;
use crate::casework::ReferralStatus;
use senda_protocol::{
    DeviceReport, EnrolResponse, ErrorBody, IncomingPage, IncomingReferral, KeysResponse,
    PageRequest, PullResponse, PushResponse, StatusRequest, decode, encode,
};
use serde::Serialize;
use std::sync::Mutex;
use std::time::Duration;

/// Rows in one push.
const PUSH_BATCH: u32 = 200;
/// Changes asked for in one pull (the server gives at most 500): a sync
/// after a shift pulls back a status for every referral it pushed.
const PULL_PAGE: u32 = 500;
const ATTEMPTS: u32 = 5;
/// The most pages of one listing read in a sync (a server that never stops
/// paging cannot keep a device busy for ever).
const MAX_PAGES: usize = 1000;

type Progress<'a> = &'a (dyn Fn(SyncProgress) + Send + Sync);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncProgress {
    /// `push` or `pull`.
    pub phase: &'static str,
    pub sent: usize,
    /// Rows ready to leave when the sync started.
    pub total: usize,
    pub bytes: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncReport {
    pub sent: usize,
    pub received: usize,
    pub bytes_sent: usize,
    /// Rows still waiting for consent (they stay on the device).
    pub held: u64,
    pub conflicts: u64,
    /// Set when this device's grant of its organisation's keys could not be
    /// opened or was refused (`key-grant-unreadable`, `key-grant-mismatch`,
    /// `organisation-not-pinned`).
    pub key_problem: Option<&'static str>,
    /// Devices of this organisation waiting for a person here to hand them the keys.
    pub hand_overs: usize,
    /// Keys the server offered that did not verify: nothing was sealed to them.
    pub refused_keys: usize,
}

#[derive(
    Debug, Clone, PartialEq, thiserror::Error, Serialize, strum::EnumIter, strum::IntoStaticStr,
)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum SyncError {
    #[error("this device is not enrolled with a server")]
    NotEnrolled,
    #[error("the server cannot be reached: {message}")]
    Offline { message: String },
    #[error("the server refused: {reason} ({message})")]
    Refused { reason: String, message: String },
    #[error("this device was revoked; its vault has been wiped")]
    Revoked,
    /// Only `https://` (or `http://` to this computer): on any other network a
    /// stranger could read and change what travels.
    #[error("not an https:// server address: {url}")]
    InsecureServerUrl { url: String },
    /// The answer pointed elsewhere; nothing is sent where the enrolment did not say.
    #[error("the server answered with a redirect, which is not followed")]
    Redirected,
    #[error("the server's answer is larger than a device reads")]
    AnswerTooLarge,
    /// A wipe order, push acknowledgement or pull page not signed by the key
    /// pinned at enrolment, or signed for another request: nothing was changed.
    #[error("the server's answer is not signed by the server this device enrolled with")]
    UnsignedAnswer,
    /// Enrolled with a server that did not give its signing key: enrol again.
    #[error("this device has no server signing key; enrol it again")]
    NoServerKey,
    #[error(transparent)]
    #[serde(untagged)]
    #[strum(disabled)]
    Case(#[from] CaseError),
}

impl SyncError {
    /// The variant's name as serde writes it, or the casework/vault code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Case(e) => e.code(),
            own => own.into(),
        }
    }

    /// The codes of this type's own variants (the rest are casework and vault codes).
    pub fn all_codes() -> Vec<&'static str> {
        use strum::IntoEnumIterator;
        Self::iter().map(|e| e.code()).collect()
    }
}

impl SyncError {
    /// What to note on the rows of a batch that did not get through.
    fn failure_reason(&self) -> Option<&str> {
        match self {
            Self::Offline { .. } => Some("offline"),
            Self::Refused { reason, .. } => Some(reason),
            Self::Redirected => Some("redirected"),
            Self::AnswerTooLarge => Some("answer-too-large"),
            Self::UnsignedAnswer => Some("unsigned-answer"),
            Self::NoServerKey => Some("no-server-key"),
            _ => None,
        }
    }
}

impl From<crate::VaultError> for SyncError {
    fn from(e: crate::VaultError) -> Self {
        Self::Case(e.into())
    }
}

pub struct SyncClient {
    http: reqwest::Client,
    backoff: Duration,
    /// What the device reports about itself at the end of a sync.
    app_version: String,
    content_version: Option<u32>,
}

impl Default for SyncClient {
    fn default() -> Self {
        Self::new()
    }
}

impl SyncClient {
    pub fn new() -> Self {
        Self::with_roots(&[]).expect("an HTTP client")
    }

    /// Also trusts these CA certificates (PEM), e.g. an office server's own CA.
    pub fn with_roots(pem_certificates: &[&[u8]]) -> Result<Self, SyncError> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            // A redirect would carry a signed body to a host the enrolment never named.
            .redirect(reqwest::redirect::Policy::none());
        for pem in pem_certificates {
            let cert = reqwest::Certificate::from_pem(pem).map_err(|e| SyncError::Refused {
                reason: "bad-certificate".into(),
                message: e.to_string(),
            })?;
            builder = builder.add_root_certificate(cert);
        }
        let http = builder.build().map_err(|e| SyncError::Offline {
            message: e.to_string(),
        })?;
        Ok(Self {
            http,
            backoff: Duration::from_millis(500),
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            content_version: None,
        })
    }

    /// The app's version, reported to the server at every sync (senda-core's by default).
    pub fn with_app_version(mut self, version: impl Into<String>) -> Self {
        self.app_version = version.into();
        self
    }

    /// The installed content pack's version, reported to the server at every sync.
    pub fn with_content_version(mut self, version: Option<u32>) -> Self {
        self.content_version = version;
        self
    }

    /// The first wait between attempts (it doubles each time, with jitter).
    pub fn with_backoff(mut self, first: Duration) -> Self {
        self.backoff = first;
        self
    }

    /// Enrols this device with `server_url` using a single-use code.
    pub async fn enrol(
        &self,
        vault: &Mutex<Vault>,
        server_url: &str,
        code: &str,
        device_name: &str,
    ) -> Result<SyncIdentity, SyncError> {
        let base = server_url.trim().trim_end_matches('/').to_owned();
        super::transport::check_server_url(&base)?;
        // The code may carry the fingerprint of the organisation's admin key, to pin it.
        let (code, fingerprint) = super::split_enrolment_code(code);
        let body = lock(vault)
            .casework()?
            .enrolment_request(&code, device_name)?;
        let answer = self
            .post(vault, &base, || {
                Ok(SignedRequest {
                    path: "/v1/enrol".into(),
                    body: body.clone(),
                    headers: Vec::new(),
                })
            })
            .await?;
        let response: EnrolResponse = decode(&answer).map_err(malformed)?;
        let identity = {
            let mut v = lock(vault);
            let cw = v.casework()?;
            cw.finish_enrolment(&base, &response, fingerprint.as_deref())?;
            cw.sync_identity()?.ok_or(SyncError::NotEnrolled)?
        };
        // Receivers' keys now, so a batch file exported before any sync seals its summaries.
        self.fetch_keys(vault, &base, &mut SyncReport::default())
            .await?;
        Ok(identity)
    }

    /// Pushes every ready outbox row, then pulls every change.
    pub async fn sync(
        &self,
        vault: &Mutex<Vault>,
        progress: impl Fn(SyncProgress) + Send + Sync,
    ) -> Result<SyncReport, SyncError> {
        let identity = lock(vault)
            .casework()?
            .sync_identity()?
            .ok_or(SyncError::NotEnrolled)?;
        let base = identity.server_url.clone();
        let total = {
            let mut v = lock(vault);
            let cw = v.casework()?;
            cw.outbox_counts()?.ready() as usize
        };
        let mut report = SyncReport::default();
        // Keys first, so summaries are sealed to the receivers' current keys;
        // then the push. A retiring device may make both requests (M4): it
        // sends what it holds, and only its next request is answered with the wipe.
        self.fetch_keys(vault, &base, &mut report).await?;
        // Without the organisation's key nothing can be sealed, so nothing leaves.
        let waiting_for_key = lock(vault).casework()?.hold_for_key()?;
        if waiting_for_key {
            report.key_problem.get_or_insert("no-organisation-key");
        } else {
            self.push_ready(vault, &base, &mut report, total, &progress)
                .await?;
        }
        loop {
            let answer = match self
                .post(vault, &base, || {
                    Ok(lock(vault).casework()?.next_pull(PULL_PAGE)?)
                })
                .await
            {
                Ok(a) => a,
                Err(e) => return Err(self.revoked(vault, e)),
            };
            let page: PullResponse = decode(&answer).map_err(malformed)?;
            report.received += lock(vault).casework()?.apply_pull(&page)?;
            apply_organisation_settings(&mut lock(vault), &page)?;
            progress(SyncProgress {
                phase: "pull",
                sent: report.sent,
                total,
                bytes: report.bytes_sent,
            });
            if !page.more {
                break;
            }
        }
        self.send_report(vault, &base).await?;
        let mut v = lock(vault);
        let cw = v.casework()?;
        report.held = cw.outbox_counts()?.held;
        report.conflicts = cw.open_conflicts()?;
        Ok(report)
    }

    /// Pushes every ready outbox row, a batch at a time, [`IN_FLIGHT`] on
    /// their way at once.
    async fn push_ready(
        &self,
        vault: &Mutex<Vault>,
        base: &str,
        report: &mut SyncReport,
        total: usize,
        progress: Progress<'_>,
    ) -> Result<(), SyncError> {
        // While the server stores batch k and batch k+1 travels, the device
        // applies the answer to batch k-1 and reads and seals batch k+2: the
        // server always has the next batch in hand, and the device's work
        // overlaps the server's. A batch starts after the last row of the one
        // before (`seq`). A retry that read its batch again may overlap the
        // next (the server stores each op once) or leave rows out (they wait
        // for the next sync). Progress is told as each answer is applied,
        // before the batch after the next one leaves: whatever a person does
        // on seeing it (withdraw a consent) reaches every batch not yet on
        // its way through `still_ready`.
        let prepare = |after: i64| -> Result<Option<PushBatch>, SyncError> {
            Ok(lock(vault).casework()?.next_push_after(PUSH_BATCH, after)?)
        };
        let mut flying = std::collections::VecDeque::new();
        let mut next = prepare(i64::MIN)?;
        let mut after = i64::MIN;
        let mut stop = None;
        loop {
            while flying.len() < IN_FLIGHT
                && stop.is_none()
                && let Some(batch) = next.take()
            {
                let planned = batch.last_seq;
                let mut flight = Box::pin(self.fly(vault, base, batch, after));
                // Polled once now: consent checked again, and the request
                // handed to a task of its own (`exchange`) before the device
                // turns to the next batch.
                let first =
                    std::future::poll_fn(|cx| std::task::Poll::Ready(flight.as_mut().poll(cx)))
                        .await;
                flying.push_back(match first {
                    std::task::Poll::Ready(landed) => Flight::Landed(landed),
                    std::task::Poll::Pending => Flight::Flying(flight),
                });
                after = planned;
                match prepare(planned) {
                    Ok(batch) => next = batch,
                    // The batches on their way are still answered and applied
                    // (their conflicts come with them alone); then the sync stops.
                    Err(e) => {
                        stop = Some(e);
                        break;
                    }
                }
            }
            let Some(flight) = flying.pop_front() else {
                break;
            };
            let Landed { answer, ids, size } = match flight {
                Flight::Landed(landed) => landed,
                Flight::Flying(flight) => flight.await,
            };
            // A batch that failed stops the sync, but only after the batches
            // already on their way are answered and applied: the server may
            // have stored them, and their conflicts come with their answers alone.
            let applied = match answer {
                Ok(answer) => apply_answer(vault, Answered { answer, ids, size }, report),
                Err(e) => {
                    if let Some(reason) = e.failure_reason() {
                        lock(vault).casework()?.record_failure(&ids, reason)?;
                    }
                    match self.revoked(vault, e) {
                        SyncError::Revoked => return Err(SyncError::Revoked),
                        e => Err(e),
                    }
                }
            };
            match applied {
                Ok(_) => push_progress(report, total, progress),
                Err(e) => {
                    stop.get_or_insert(e);
                }
            }
        }
        stop.map_or(Ok(()), Err)
    }

    /// Sends one batch, sealed while the batches before were on their way:
    /// sent as it is only if consent still lets every row leave, else read
    /// again from the rows after `after` (as is every retry).
    async fn fly(&self, vault: &Mutex<Vault>, base: &str, batch: PushBatch, after: i64) -> Landed {
        let carried = Mutex::new((batch.request.body.len(), batch.op_ids));
        let first = Mutex::new(Some(batch.request));
        let answer = self
            .post(vault, base, || {
                if let Some(request) = lock(&first).take() {
                    let ids = lock(&carried).1.clone();
                    if lock(vault).casework()?.still_ready(&ids)? {
                        return Ok(request);
                    }
                }
                let again = lock(vault)
                    .casework()?
                    .next_push_after(PUSH_BATCH, after)?
                    .ok_or(SyncError::Refused {
                        reason: "nothing-to-send".into(),
                        message: "the outbox emptied during the sync".into(),
                    })?;
                *lock(&carried) = (again.request.body.len(), again.op_ids);
                Ok(again.request)
            })
            .await;
        let (size, ids) = carried.into_inner().unwrap_or_else(|e| e.into_inner());
        Landed { answer, ids, size }
    }

    /// Tells the server this device's versions, outbox and audit log head
    /// (signed like every request). A server that refuses it does not stop the sync.
    async fn send_report(&self, vault: &Mutex<Vault>, base: &str) -> Result<(), SyncError> {
        let body = {
            let mut v = lock(vault);
            let (audit_count, audit_head) = v.audit_head()?;
            let counts = v.casework()?.outbox_counts()?;
            encode(&DeviceReport {
                protocol: senda_protocol::PROTOCOL_VERSION,
                app_version: self.app_version.clone(),
                content_version: self.content_version,
                pending: counts.unsent,
                held: counts.held,
                audit_count,
                audit_head,
            })
        };
        let sent = self
            .post(vault, base, || {
                Ok(lock(vault)
                    .casework()?
                    .sign("/v1/device/report", body.clone())?)
            })
            .await;
        match sent.map_err(|e| self.revoked(vault, e)) {
            Ok(_) | Err(SyncError::Refused { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Receivers' keys (summaries are sealed to them), what this device's
    /// administrator signed, and this device's grant of its organisation's
    /// keys. A grant that cannot be opened or does not check out does not
    /// stop the sync: the report says so. Nothing is handed to another device
    /// here: that needs a person ([`Self::approve_hand_over`]).
    async fn fetch_keys(
        &self,
        vault: &Mutex<Vault>,
        base: &str,
        report: &mut SyncReport,
    ) -> Result<KeysResponse, SyncError> {
        // Every page of routes: the device keeps the whole list (M5). Only the
        // routes are paged; the grant, awaiting list and certificates repeat.
        let mut keys: Option<KeysResponse> = None;
        self.read_pages(vault, base, "/v1/keys", |mut page: KeysResponse| {
            let next = page.next.take();
            match &mut keys {
                None => keys = Some(page),
                Some(keys) => keys.routes.append(&mut page.routes),
            }
            next
        })
        .await?;
        let keys = keys.expect("at least one page was read");
        let mut v = lock(vault);
        let cw = v.casework()?;
        let applied = cw.apply_keys(&keys)?;
        report.key_problem = applied.grant_problem;
        report.refused_keys = applied.refused;
        report.hand_overs = cw.hand_overs(&keys.awaiting)?.len();
        Ok(keys)
    }

    /// This organisation's devices waiting for its keys, for a person to check
    /// each one's name and fingerprint (empty unless this device holds the keys).
    pub async fn hand_overs(&self, vault: &Mutex<Vault>) -> Result<Vec<HandOver>, SyncError> {
        let base = self.base(vault)?;
        let keys = self
            .fetch_keys(vault, &base, &mut SyncReport::default())
            .await?;
        Ok(lock(vault).casework()?.hand_overs(&keys.awaiting)?)
    }

    /// A person compared `fingerprint` on both screens and approved: this
    /// device seals its organisation's keys to that device and sends them.
    pub async fn approve_hand_over(
        &self,
        vault: &Mutex<Vault>,
        device_id: &str,
        fingerprint: &str,
    ) -> Result<(), SyncError> {
        let base = self.base(vault)?;
        let keys = self
            .fetch_keys(vault, &base, &mut SyncReport::default())
            .await?;
        let grant =
            lock(vault)
                .casework()?
                .approve_hand_over(&keys.awaiting, device_id, fingerprint)?;
        let body = encode(&vec![grant]);
        self.post(vault, &base, || {
            Ok(lock(vault)
                .casework()?
                .sign("/v1/keys/grants", body.clone())?)
        })
        .await
        .map_err(|e| self.revoked(vault, e))?;
        Ok(())
    }

    /// Referrals addressed to this device's organisation (the receiving side),
    /// their summaries opened with the organisation's secret.
    pub async fn incoming(&self, vault: &Mutex<Vault>) -> Result<Vec<ReceivedReferral>, SyncError> {
        let base = self.base(vault)?;
        let mut report = SyncReport::default();
        self.fetch_keys(vault, &base, &mut report).await?;
        let referrals: Vec<IncomingReferral> = self.incoming_sealed(vault, &base).await?;
        let mut v = lock(vault);
        let cw = v.casework()?;
        Ok(referrals
            .into_iter()
            .map(|r| cw.open_incoming(r))
            .collect::<Result<_, _>>()?)
    }

    async fn incoming_sealed(
        &self,
        vault: &Mutex<Vault>,
        base: &str,
    ) -> Result<Vec<IncomingReferral>, SyncError> {
        let mut out = Vec::new();
        self.read_pages(
            vault,
            base,
            "/v1/referrals/incoming",
            |mut page: IncomingPage| {
                out.append(&mut page.referrals);
                page.next
            },
        )
        .await?;
        Ok(out)
    }

    /// Reads every page of the listing at `path` (M5), at most `MAX_PAGES`:
    /// `take` keeps a page and returns the cursor of the next, if any.
    async fn read_pages<P: serde::de::DeserializeOwned>(
        &self,
        vault: &Mutex<Vault>,
        base: &str,
        path: &str,
        mut take: impl FnMut(P) -> Option<String>,
    ) -> Result<(), SyncError> {
        let mut cursor = None;
        for _ in 0..MAX_PAGES {
            let body = encode(&PageRequest {
                cursor: cursor.clone(),
            });
            let answer = self
                .post(vault, base, || {
                    Ok(lock(vault).casework()?.sign(path, body.clone())?)
                })
                .await
                .map_err(|e| self.revoked(vault, e))?;
            let next = take(decode(&answer).map_err(malformed)?);
            if next.is_none() || next == cursor {
                break;
            }
            cursor = next;
        }
        Ok(())
    }

    /// The receiving organisation moves a referral along (received, accepted, first contact…).
    pub async fn set_incoming_status(
        &self,
        vault: &Mutex<Vault>,
        referral_id: &str,
        status: ReferralStatus,
    ) -> Result<(), SyncError> {
        let base = self.base(vault)?;
        let path = format!("/v1/referrals/{referral_id}/status");
        let body = encode(&StatusRequest { status });
        self.post(vault, &base, || {
            Ok(lock(vault).casework()?.sign(&path, body.clone())?)
        })
        .await
        .map_err(|e| self.revoked(vault, e))?;
        Ok(())
    }

    fn base(&self, vault: &Mutex<Vault>) -> Result<String, SyncError> {
        Ok(lock(vault)
            .casework()?
            .sync_identity()?
            .ok_or(SyncError::NotEnrolled)?
            .server_url)
    }

    /// A revoked device wipes its vault before reporting.
    fn revoked(&self, vault: &Mutex<Vault>, e: SyncError) -> SyncError {
        if e == SyncError::Revoked {
            let _ = lock(vault).wipe_on_revocation();
        }
        e
    }

    /// Sends a request built afresh for each attempt; retries network
    /// failures, 429, 502, 503 and 504 with exponential backoff and jitter. A wipe order and
    /// the answers the device acts on (push, pull) count only when signed by
    /// the server key pinned at enrolment, for this very request.
    async fn post(
        &self,
        vault: &Mutex<Vault>,
        base: &str,
        build: impl Fn() -> Result<SignedRequest, SyncError> + Send + Sync,
    ) -> Result<Vec<u8>, SyncError> {
        use super::transport::Sent;
        super::transport::check_server_url(base)?;
        let mut wait = self.backoff;
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                let mut j = [0u8; 1];
                crate::vault::fill_random(&mut j);
                let jitter = 0.5 + f64::from(j[0]) / 255.0;
                tokio::time::sleep(wait.mul_f64(jitter)).await;
                wait *= 2;
            }
            let request = build()?;
            let sent = Sent::of(&request);
            let mut call = self
                .http
                .post(format!("{base}{}", request.path))
                .header("content-type", senda_protocol::CONTENT_TYPE)
                .body(request.body);
            for (name, value) in request.headers {
                call = call.header(name, value);
            }
            let (status, signature, body) = match exchange(call).await {
                Exchange::Answer {
                    status,
                    signature,
                    body,
                } => (status, signature, body),
                Exchange::Redirected => return Err(SyncError::Redirected),
                Exchange::TooLarge => return Err(SyncError::AnswerTooLarge),
                Exchange::Failed(e) => {
                    last = e;
                    continue;
                }
            };
            let signed = || -> Result<(), SyncError> {
                let pinned = lock(vault)
                    .casework()?
                    .server_signing_key()?
                    .ok_or(SyncError::NoServerKey)?;
                if sent.answer_signed(Some(&pinned), status.as_u16(), &body, signature.as_deref()) {
                    Ok(())
                } else {
                    Err(SyncError::UnsignedAnswer)
                }
            };
            if status.is_success() {
                if matches!(sent.path.as_str(), "/v1/push" | "/v1/pull") {
                    signed()?;
                }
                return Ok(body);
            }
            // A proxy in front of the server answers 502 or 504 when the
            // server is down, slow, or closed the connection on an unread body.
            if matches!(
                status,
                reqwest::StatusCode::SERVICE_UNAVAILABLE
                    | reqwest::StatusCode::TOO_MANY_REQUESTS
                    | reqwest::StatusCode::BAD_GATEWAY
                    | reqwest::StatusCode::GATEWAY_TIMEOUT
            ) {
                last = "the server is busy".into();
                continue;
            }
            let refusal: ErrorBody = decode(&body).unwrap_or(ErrorBody {
                code: "unexpected".into(),
                message: String::from_utf8_lossy(&body).chars().take(200).collect(),
                wipe: false,
            });
            if refusal.wipe {
                signed()?;
                return Err(SyncError::Revoked);
            }
            return Err(SyncError::Refused {
                reason: refusal.code,
                message: refusal.message,
            });
        }
        Err(SyncError::Offline { message: last })
    }
}

/// Push requests on their way at once: one the server stores while the next
/// travels (docs/benchmarks.md, session 15).
const IN_FLIGHT: usize = 2;

/// A batch sent, and its answer once it came: what the last attempt carried
/// (a retry may have read the batch again).
struct Landed {
    answer: Result<Vec<u8>, SyncError>,
    ids: Vec<String>,
    size: usize,
}

/// A batch on its way, or already answered when it was first polled.
enum Flight<F> {
    Flying(std::pin::Pin<Box<F>>),
    Landed(Landed),
}

/// What came back for one request.
enum Exchange {
    Answer {
        status: reqwest::StatusCode,
        signature: Option<String>,
        body: Vec<u8>,
    },
    Redirected,
    TooLarge,
    /// The network failed (worth another attempt).
    Failed(String),
}

/// Sends `call` and reads its answer (capped) in a task of its own, so the
/// request goes out and its answer comes in while the sync's own task reads
/// and seals the next batch. Dropping the future stops the task.
async fn exchange(call: reqwest::RequestBuilder) -> Exchange {
    use super::transport::{MAX_ANSWER_BYTES, ReadFailure, read_capped};
    let task = tokio::spawn(async move {
        let resp = match call.send().await {
            Ok(resp) => resp,
            Err(e) => return Exchange::Failed(e.to_string()),
        };
        let status = resp.status();
        if status.is_redirection() {
            return Exchange::Redirected;
        }
        let signature = resp
            .headers()
            .get(senda_protocol::HEADER_SERVER_SIGNATURE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        match read_capped(resp, MAX_ANSWER_BYTES).await {
            Ok(body) => Exchange::Answer {
                status,
                signature,
                body,
            },
            Err(ReadFailure::TooLarge) => Exchange::TooLarge,
            Err(ReadFailure::Network(e)) => Exchange::Failed(e.to_string()),
        }
    });
    let mut task = AbortOnDrop(task);
    (&mut task.0)
        .await
        .unwrap_or_else(|e| Exchange::Failed(e.to_string()))
}

/// Aborts its task when dropped (a sync given up mid-request); a task that
/// ended is not touched.
struct AbortOnDrop(tokio::task::JoinHandle<Exchange>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The server's answer to one push, and what that push carried.
struct Answered {
    answer: Vec<u8>,
    ids: Vec<String>,
    size: usize,
}

/// Marks what the server stored as sent and notes the rest "nothing-stored"
/// (they wait for the next sync). A batch of which nothing was stored stops
/// the sync. `true` once applied.
fn apply_answer(
    vault: &Mutex<Vault>,
    answered: Answered,
    report: &mut SyncReport,
) -> Result<bool, SyncError> {
    let Answered { answer, ids, size } = answered;
    let mut response: PushResponse = decode(&answer).map_err(malformed)?;
    // Only rows of this push: a server cannot mark any other row sent.
    let sent: std::collections::HashSet<&String> = ids.iter().collect();
    response.stored = response
        .stored_of(&ids)
        .into_iter()
        .filter(|id| sent.contains(id))
        .collect();
    let marked = lock(vault).casework()?.apply_push(&response)?;
    let stored: std::collections::HashSet<&String> = response.stored.iter().collect();
    let unstored: Vec<String> = ids
        .iter()
        .filter(|id| !stored.contains(id))
        .cloned()
        .collect();
    if !unstored.is_empty() {
        lock(vault)
            .casework()?
            .record_failure(&unstored, "nothing-stored")?;
    }
    report.sent += marked;
    report.bytes_sent += size;
    // Stored but not marked (consent withdrawn since the batch left) is stored.
    if stored.is_empty() {
        return Err(SyncError::Refused {
            reason: "nothing-stored".into(),
            message: "the server stored none of the batch".into(),
        });
    }
    Ok(true)
}

fn push_progress(report: &SyncReport, total: usize, progress: Progress<'_>) {
    progress(SyncProgress {
        phase: "push",
        sent: report.sent,
        total,
        bytes: report.bytes_sent,
    });
}

/// What the organisation set on its server, applied on the device: its PIN
/// policy, for every PIN set or changed from now on (the retention period is
/// kept by `apply_pull`). A policy outside the allowed range is refused.
pub fn apply_organisation_settings(
    vault: &mut Vault,
    page: &PullResponse,
) -> Result<(), SyncError> {
    if let Some(p) = page.pin_policy {
        vault.apply_organisation_pin_policy(crate::vault::PinPolicy {
            min_length: p.min_length,
            letters_allowed: p.letters_allowed,
        })?;
    }
    Ok(())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn malformed(e: senda_protocol::DecodeError) -> SyncError {
    SyncError::Refused {
        reason: "malformed-answer".into(),
        message: e.to_string(),
    }
}
