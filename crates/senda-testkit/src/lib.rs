//! A device at a crossing for tests: a real vault, the demo content signed
//! by a test publisher, a clock of its own, and casework done the way staff
//! do it. Shared by the server's black-box tests and the end-to-end tests.

use chrono::{NaiveDate, Utc};
use senda_core::casework::*;
use senda_core::checklist::{Answer, Answers, Checklist, QuestionKind};
use senda_core::content::pack::{self, PublisherKey, TrustedKeys};
use senda_core::content::{ContentStore, source};
use senda_core::sync::SyncClient;
use senda_core::{ManualClock, Vault};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// What every test referral's summary says, to look for where it must not be.
pub const SUMMARY_NOTE: &str = "Prefiere que la llamen por su apodo";

/// A device at a crossing: a vault, the demo content, a clock of its own.
pub struct Device {
    pub _dir: tempfile::TempDir,
    pub vault: Mutex<Vault>,
    pub content: ContentStore,
    pub clock: Arc<ManualClock>,
    pub checklist: Checklist,
    pub client: SyncClient,
}

pub fn device(skew_hours: i64) -> Device {
    let dir = tempfile::tempdir().unwrap();
    let key = pack::generate_key();
    let trusted = TrustedKeys(vec![PublisherKey {
        publisher: "pub".into(),
        public_key: pack::public_key_hex(&key).unwrap(),
    }]);
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/content");
    let (_, payload) = source::load_dir(&src).unwrap();
    let file = pack::sign("pub", 1, None, &payload, &key, "2026-11-23T00:00:00Z").unwrap();
    let mut content = ContentStore::open(&dir.path().join("content.db"), trusted).unwrap();
    content.install(&file, Utc::now()).unwrap();
    let clock = Arc::new(ManualClock::new(
        Utc::now() + chrono::Duration::hours(skew_hours),
    ));
    let mut vault = Vault::open_dir(dir.path().join("vault"), clock.clone())
        .unwrap()
        .with_light_kdf();
    vault.create("Ana", "135790").unwrap();
    let checklist = content.checklist("nna-cruce").unwrap().unwrap();
    Device {
        _dir: dir,
        vault: Mutex::new(vault),
        content,
        clock,
        checklist,
        client: SyncClient::new()
            .with_backoff(std::time::Duration::from_millis(20))
            .with_content_version(Some(1)),
    }
}

pub fn consent(purpose: Purpose, recipient: &str) -> NewConsent {
    NewConsent {
        purpose,
        recipient: recipient.into(),
        basis: ConsentBasis::Consent {
            explained: Explained::ALL.to_vec(),
            language: "es".into(),
            child_agrees: true,
            also_consented: None,
            consenter_not_suspected: false,
            child_wishes: String::new(),
        },
    }
}

impl Device {
    /// Opens a case, screens it, records consent and queues a referral to `service`.
    pub fn refer(&self, alias: &str, service: &str) -> (String, String) {
        let mut v = self.vault.lock().unwrap();
        let cw = v.casework().unwrap();
        let details: CaseDetails =
            serde_json::from_value(serde_json::json!({ "alias": alias, "country": "CO" })).unwrap();
        let case = cw.open_case(details).unwrap();
        let s = cw.start_screening(&case.id, &self.checklist).unwrap();
        let mut answers = Answers::new();
        for q in self.checklist.questions() {
            let a = match &q.kind {
                QuestionKind::SingleChoice { options } => Answer::Choice(options[0].id.clone()),
                QuestionKind::Number { max, .. } => Answer::Number(*max),
                _ => Answer::No,
            };
            answers.insert(q.id.clone(), a);
        }
        // Only what the answers lead the screener to ask.
        let all = answers.clone();
        answers.retain(|id, _| {
            self.checklist
                .question(id)
                .is_some_and(|q| self.checklist.is_shown(q, &all))
        });
        cw.answer(&s.id, &self.checklist, answers).unwrap();
        cw.complete_screening(&s.id, &self.checklist).unwrap();
        cw.record_consent(
            &case.id,
            consent(Purpose::ShareWithOrganisation, "organisation"),
        )
        .unwrap();
        cw.record_consent(&case.id, consent(Purpose::Referral, service))
            .unwrap();
        let mut summary = cw.draft_summary(&case.id, &s.id, &self.checklist).unwrap();
        summary.reviewed_with_child = true;
        summary.note = SUMMARY_NOTE.into();
        let r = cw
            .create_referral(
                &case.id,
                Some(&s.id),
                service,
                summary,
                NaiveDate::from_ymd_opt(2026, 12, 1),
                &self.content,
            )
            .unwrap();
        cw.queue_referral(&r.id, &self.content).unwrap();
        (case.id, r.id)
    }

    /// A small change to an existing case (a new outbox row).
    pub fn note(&self, case_id: &str, text: &str) {
        let mut v = self.vault.lock().unwrap();
        v.casework()
            .unwrap()
            .set_notes(
                case_id,
                CaseNotes {
                    needs: text.into(),
                    ..CaseNotes::default()
                },
            )
            .unwrap();
    }

    pub fn ready(&self) -> usize {
        let mut v = self.vault.lock().unwrap();
        let c = v.casework().unwrap().outbox_counts().unwrap();
        c.ready() as usize
    }

    /// Where each outbox row is, with the reason of its last failure.
    pub fn states(&self) -> Vec<(DeliveryState, Option<String>)> {
        let mut v = self.vault.lock().unwrap();
        v.casework()
            .unwrap()
            .outbox_pending(1000)
            .unwrap()
            .into_iter()
            .map(|e| (e.state, e.failure))
            .collect()
    }

    /// Where and as whom this device syncs (it must be enrolled).
    pub fn identity(&self) -> senda_core::sync::SyncIdentity {
        let mut v = self.vault.lock().unwrap();
        v.casework().unwrap().sync_identity().unwrap().unwrap()
    }

    pub fn referral_status(&self, id: &str) -> ReferralStatus {
        self.vault
            .lock()
            .unwrap()
            .casework()
            .unwrap()
            .referral(id)
            .unwrap()
            .status
    }

    /// What this device shows while it waits for its organisation's keys.
    pub fn fingerprint(&self) -> String {
        let mut v = self.vault.lock().unwrap();
        v.casework().unwrap().device_fingerprint().unwrap().unwrap()
    }

    pub async fn enrol(&self, server: &str, code: &str) {
        self.enrol_named(server, code, "test device").await;
    }

    /// Enrols under `name`, as a person would call the device.
    pub async fn enrol_named(&self, server: &str, code: &str, name: &str) {
        self.client
            .enrol(&self.vault, server, code, name)
            .await
            .unwrap();
    }
}
