//! The server never reads a child's data: after a full shift synced, no
//! value staff typed or chose is anywhere on the server (every table and
//! column, JSON and CBOR decoded, hex undone; the raw SQLite file and WAL; a
//! `pg_dump` of the PostgreSQL schema). And a device that cannot seal sends nothing.

mod common;

use chrono::NaiveDate;
use common::*;
use senda_core::casework::*;
use senda_core::checklist::{Answer, Answers, QuestionKind};
use senda_protocol::{KeysResponse, RouteKey, hex, unhex};
use serde_json::{Value as Json, json};

const SHELTER: &str = "svc-alojamiento-cucuta";
const LEGAL: &str = "svc-legal-rumichaca";
const ALIAS: &str = "Yamileth-Orquidea";
const NEEDS: &str = "Zapatos talla 34 y abrigo para la noche";
const NEXT: &str = "Llamar a la tia en Bucaramanga";
const WISHES: &str = "Quiere seguir estudiando enfermeria";
const REFERRAL_WISHES: &str = "Prefiere que la atienda una mujer";
const OVERRIDE_REASON: &str = "Orden judicial 4471 del juzgado de familia";

/// Everything staff typed or chose that is long enough to look for as a substring.
fn typed() -> Vec<&'static str> {
    vec![
        ALIAS,
        NEEDS,
        NEXT,
        WISHES,
        REFERRAL_WISHES,
        OVERRIDE_REASON,
        SUMMARY_NOTE,
        "2011-07-19",
        "2027-02-13",
        "2027-03-21",
        "wayuunaiki",
        "quechua-sur",
        "7.123456",
        "72.654321",
        "cruce-cucuta",
        LEGAL,
        "what-is-shared",
        // Screening answers: which questions were answered, and how.
        "peligro-ahora",
        "control-telefono",
        "contacto-en-linea",
        "antes-obligado",
        "viaje-pagado",
        "donde-dormir",
    ]
}

/// Short choices: looked for as whole values of any decoded string.
const CHOSEN: &[&str] = &[
    "VE",
    "female",
    "girl",
    "unaccompanied",
    "interpreter",
    "relative",
    "woman",
    "no-preference",
];

/// A full shift at a crossing on `d`: a case with every field filled and then
/// edited, notes, a screening with red flags, consent to keep the case on the
/// organisation's server, a referral with its consent, an override consent
/// that is then withdrawn. Returns the case id and how many rows must leave.
fn full_shift(d: &Device) -> (String, usize) {
    let mut v = d.vault.lock().unwrap();
    let cw = v.casework().unwrap();
    let details = |whereabouts: Json| -> CaseDetails {
        serde_json::from_value(json!({
            "alias": ALIAS,
            "age": { "type": "birth-date", "date": "2011-07-19" },
            "sex": "female",
            "gender": "girl",
            "nationality": "VE",
            "country": "CO",
            "languages": ["wayuunaiki", "quechua-sur"],
            "travelling": "unaccompanied",
            "present": ["interpreter", "relative"],
            "helper": "woman",
            "has_documents": "no",
            "with_baby": "yes",
            "whereabouts": whereabouts,
        }))
        .unwrap()
    };
    let case = cw
        .open_case(details(
            json!({ "type": "coordinates", "latitude": 7.123456, "longitude": -72.654321 }),
        ))
        .unwrap();
    cw.update_case(
        &case.id,
        details(json!({ "type": "place", "id": "cruce-cucuta" })),
    )
    .unwrap();
    cw.set_notes(
        &case.id,
        CaseNotes {
            needs: NEEDS.into(),
            next_steps: NEXT.into(),
            follow_up: NaiveDate::from_ymd_opt(2027, 2, 13),
        },
    )
    .unwrap();

    // Every question the checklist shows answered, the risky way.
    let s = cw.start_screening(&case.id, &d.checklist).unwrap();
    let answer_of = |kind: &QuestionKind| match kind {
        QuestionKind::SingleChoice { options } => Answer::Choice(options[0].id.clone()),
        QuestionKind::MultipleChoice { options } => Answer::Choices(vec![options[0].id.clone()]),
        QuestionKind::Number { max, .. } => Answer::Number(*max),
        QuestionKind::ShortText { .. } => Answer::Text("texto".into()),
        QuestionKind::YesNo => Answer::Yes,
    };
    let mut answers = Answers::new();
    for q in d.checklist.questions().filter(|q| q.show_if.is_none()) {
        answers.insert(q.id.clone(), answer_of(&q.kind));
    }
    cw.answer(&s.id, &d.checklist, answers).unwrap();
    loop {
        match cw.complete_screening(&s.id, &d.checklist) {
            Ok(_) => break,
            Err(CaseError::AnswersMissing { questions }) => {
                let mut more = Answers::new();
                for q in d
                    .checklist
                    .questions()
                    .filter(|q| questions.contains(&q.id))
                {
                    more.insert(q.id.clone(), answer_of(&q.kind));
                }
                cw.answer(&s.id, &d.checklist, more).unwrap();
            }
            Err(e) => panic!("{e}"),
        }
    }

    let with_wishes = |purpose, recipient: &str, wishes: &str| {
        let mut c = consent(purpose, recipient);
        if let ConsentBasis::Consent { child_wishes, .. } = &mut c.basis {
            *child_wishes = wishes.into();
        }
        c
    };
    cw.record_consent(
        &case.id,
        with_wishes(Purpose::ShareWithOrganisation, "organisation", WISHES),
    )
    .unwrap();
    cw.record_consent(
        &case.id,
        with_wishes(Purpose::Referral, SHELTER, REFERRAL_WISHES),
    )
    .unwrap();
    let override_consent = cw
        .record_consent(
            &case.id,
            NewConsent {
                purpose: Purpose::Referral,
                recipient: LEGAL.into(),
                basis: ConsentBasis::Override {
                    reason: OVERRIDE_REASON.into(),
                },
            },
        )
        .unwrap();
    cw.withdraw_consent(&override_consent.id).unwrap();

    let mut summary = cw.draft_summary(&case.id, &s.id, &d.checklist).unwrap();
    summary.reviewed_with_child = true;
    summary.note = SUMMARY_NOTE.into();
    let r = cw
        .create_referral(
            &case.id,
            Some(&s.id),
            SHELTER,
            summary,
            NaiveDate::from_ymd_opt(2027, 3, 21),
            &d.content,
        )
        .unwrap();
    cw.queue_referral(&r.id, &d.content).unwrap();
    let counts = cw.outbox_counts().unwrap();
    assert_eq!(counts.held, 0, "with consent, every row may leave");
    (case.id, counts.unsent as usize)
}

/// What was found where, if anything.
#[derive(Default)]
struct Finds(Vec<String>);

impl Finds {
    fn text(&mut self, place: &str, s: &str) {
        for n in typed() {
            if s.contains(n) || s.contains(&hex(n.as_bytes())) {
                self.0.push(format!("{place}: {n:?}"));
            }
        }
        if CHOSEN.contains(&s) {
            self.0.push(format!("{place}: the value {s:?}"));
        }
        let t = s.trim();
        if (t.starts_with('{') || t.starts_with('[') || t.starts_with('"'))
            && let Ok(json) = serde_json::from_str::<Json>(t)
        {
            self.json(place, &json);
        }
        if t.len() >= 2
            && let Some(bytes) = unhex(t)
        {
            self.bytes(&format!("{place} (hex)"), &bytes);
        }
    }

    fn json(&mut self, place: &str, v: &Json) {
        match v {
            Json::String(s) => self.text(place, s),
            Json::Array(items) => items.iter().for_each(|i| self.json(place, i)),
            Json::Object(map) => {
                for (k, v) in map {
                    self.text(place, k);
                    self.json(&format!("{place}.{k}"), v);
                }
            }
            other => self.text(place, &other.to_string()),
        }
    }

    fn bytes(&mut self, place: &str, b: &[u8]) {
        for n in typed() {
            if b.windows(n.len()).any(|w| w == n.as_bytes()) {
                self.0.push(format!("{place}: {n:?} in bytes"));
            }
        }
        if let Ok(v) = ciborium::from_reader::<ciborium::Value, _>(b) {
            self.cbor(&format!("{place} (cbor)"), &v);
        }
        if let Ok(s) = std::str::from_utf8(b) {
            self.text(place, s);
        }
    }

    fn cbor(&mut self, place: &str, v: &ciborium::Value) {
        use ciborium::Value as C;
        match v {
            C::Text(s) => self.text(place, s),
            C::Bytes(b) => self.bytes(place, b),
            C::Array(items) => items.iter().for_each(|i| self.cbor(place, i)),
            C::Map(pairs) => pairs.iter().for_each(|(k, v)| {
                self.cbor(place, k);
                self.cbor(place, v);
            }),
            C::Tag(_, inner) => self.cbor(place, inner),
            _ => {}
        }
    }

    /// Raw database bytes: every typed value, as text and as hex.
    fn raw(&mut self, place: &str, b: &[u8]) {
        for n in typed() {
            for form in [n.as_bytes().to_vec(), hex(n.as_bytes()).into_bytes()] {
                if b.windows(form.len()).any(|w| w == form.as_slice()) {
                    self.0.push(format!("{place}: {n:?}"));
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_full_shift_no_typed_or_chosen_value_is_anywhere_on_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut repos = vec![(sqlite(dir.path()), None)];
    if postgres_wanted() {
        let (repo, schema) = postgres_named().await;
        repos.push((repo, Some(schema)));
    }
    for (repo, schema) in repos {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let team = server.keyed_organisation("Equipo de frontera").await;
        let network = server.keyed_organisation("Red de albergues").await;
        server.receiver(&network, SHELTER).await;
        let field = server.field_device(&team, "cucuta").await;
        let (case, rows) = full_shift(&field);
        let report = field.client.sync(&field.vault, |_| {}).await.unwrap();
        assert_eq!(
            (report.sent, report.held, report.key_problem),
            (rows, 0, None),
            "{backend}"
        );
        assert_eq!(server.repo.op_count().await.unwrap() as usize, rows);
        // The receiver opens the summary: it really travelled, sealed.
        let shelter = server.field_device(&network, "albergue").await;
        let incoming = shelter.client.incoming(&shelter.vault).await.unwrap();
        assert_eq!(incoming[0].summary.as_ref().unwrap().note, SUMMARY_NOTE);

        // The server keeps the statistic fields readable, and nothing else of the case.
        let fields = server.repo.entity_fields(case).await.unwrap().unwrap();
        assert_eq!(
            (&fields["country"], &fields["age_band"]),
            (&json!("CO"), &json!("15-17")),
            "{backend}: {fields}"
        );
        assert!(fields["week"].as_str().unwrap().contains("-W"), "{fields}");
        // Edited fields are known by a keyed id and a keyed hash alone; the
        // creation's fields only as its op's sealed box (a creation cannot conflict).
        let sealed: Vec<(&String, &serde_json::Value)> = fields
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| k.starts_with('#'))
            .collect();
        assert!(!sealed.is_empty(), "{fields}");
        for (id, entry) in sealed {
            assert_eq!(id.len(), 17, "{fields}");
            assert_eq!(
                entry["$sealed"].as_str().map(str::len),
                Some(16),
                "{fields}"
            );
        }
        for name in ["details.alias", "notes.needs", "details.whereabouts"] {
            assert!(fields.get(name).is_none(), "{fields}");
        }

        let mut finds = Finds::default();
        for (table, value) in server.repo.every_value().await.unwrap() {
            finds.text(&table, &value);
        }
        match &schema {
            None => {
                for file in ["server.db", "server.db-wal"] {
                    let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
                    assert!(file.ends_with("wal") || !bytes.is_empty());
                    finds.raw(file, &bytes);
                }
            }
            Some(schema) => {
                let out = std::process::Command::new("pg_dump")
                    .args(["--schema", schema, "--dbname", &postgres_url()])
                    .output()
                    .expect("pg_dump (installed with PostgreSQL)");
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let dump = String::from_utf8(out.stdout).unwrap();
                assert!(dump.contains("COPY"), "the dump holds the tables");
                finds.raw("pg_dump", dump.as_bytes());
                for line in dump.lines() {
                    for cell in line.split('\t') {
                        finds.text("pg_dump", cell);
                    }
                }
            }
        }
        assert!(finds.0.is_empty(), "{backend}: {:#?}", finds.0);

        // The search finds what it looks for: the device's own vault export of the same
        // rows, before sealing, holds them.
        let mut control = Finds::default();
        let rows = {
            let mut v = field.vault.lock().unwrap();
            v.casework().unwrap().outbox_for_all().unwrap()
        };
        for row in rows {
            control.json("outbox", &row.payload);
        }
        for n in [ALIAS, NEEDS, WISHES, OVERRIDE_REASON, "wayuunaiki"] {
            assert!(
                control.0.iter().any(|f| f.contains(n)),
                "the search would find {n:?}"
            );
        }
        assert!(control.0.iter().any(|f| f.contains("\"female\"")));
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_that_cannot_seal_sends_nothing_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let team = server.keyed_organisation("Equipo").await;

        // No key granted yet: every row waits, noted, and nothing reaches the server.
        let d = server.waiting_device_in(&team, "t").await;
        d.refer("Luz", SHELTER);
        let ready = d.ready();
        let report = d.client.sync(&d.vault, |_| {}).await.unwrap();
        assert_eq!(report.key_problem, Some("no-organisation-key"), "{backend}");
        assert_eq!(report.sent, 0);
        assert_eq!(server.repo.op_count().await.unwrap(), 0, "{backend}");
        let states = d.states();
        assert_eq!(states.len(), ready);
        assert!(
            states
                .iter()
                .all(|(s, f)| *s == DeliveryState::Failed
                    && f.as_deref() == Some("no-organisation-key")),
            "{states:?}"
        );
        {
            let mut v = d.vault.lock().unwrap();
            let cw = v.casework().unwrap();
            assert_eq!(cw.next_push(50).unwrap_err().code(), "no-organisation-key");
            let usb = dir.path().join("usb");
            let err = cw.export_batch(&usb).unwrap_err();
            assert_eq!(err.code(), "no-organisation-key");
            assert!(!usb.exists(), "no file was written");
        }

        // A grant whose secret is not the organisation's: opened, refused, not kept.
        let waiting = server.awaiting_key(&team).await;
        let bundle = senda_protocol::KeyBundle {
            organisation: team.clone(),
            keys: vec![senda_protocol::OrgSecret::generate(1)],
        };
        let sealed = senda_protocol::seal::seal(
            waiting[0]["box_key"].as_str().unwrap(),
            &serde_json::to_vec(&bundle).unwrap(),
            &senda_protocol::grant_aad(waiting[0]["device_id"].as_str().unwrap(), &team),
        )
        .unwrap();
        server
            .admin(
                "/v1/admin/key-grants",
                json!({ "device_id": waiting[0]["device_id"], "sealed": sealed }),
            )
            .await;
        let report = d.client.sync(&d.vault, |_| {}).await.unwrap();
        assert_eq!(report.key_problem, Some("key-grant-mismatch"), "{backend}");
        assert_eq!(server.repo.op_count().await.unwrap(), 0, "{backend}");
        assert_eq!(d.ready(), ready, "the rows stay queued");

        // A key certificate the organisation's admin key did not sign (here, a
        // low-order key put in a real certificate) is refused by the server …
        let low_order = [
            "00".repeat(32),
            format!("01{}", "00".repeat(31)),
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800".to_owned(),
        ];
        let file = senda_protocol::trust::OrgKeyFile::from_json(
            &server.keys.lock().unwrap()[&team].to_json(),
            None,
        )
        .unwrap();
        for key in &low_order {
            let mut certificates = file.certificates();
            certificates[0].box_key = key.clone();
            let (status, answer) = server
                .try_admin(
                    &format!("/v1/admin/organisations/{team}/key"),
                    json!({ "admin_key": file.admin_public(), "certificates": certificates }),
                )
                .await;
            assert_eq!(
                (status, &answer["code"]),
                (400, &json!("bad-certificate")),
                "{key}"
            );
        }
        // … and a receiver's key the server hands over unsigned is used by no device: nothing is sent.
        let other = server.field_device(&team, "t").await;
        other.refer("Sol", SHELTER);
        let keys = |key: &str| KeysResponse {
            routes: vec![RouteKey {
                service_id: SHELTER.into(),
                organisation: "rogue".into(),
                public_key: key.into(),
            }],
            organisation_key: None,
            awaiting: Vec::new(),
            certificates: Vec::new(),
            trust: Vec::new(),
            organisation_public_key: Some(server.secret_of(&team).public_hex()),
            next: None,
        };
        for key in &low_order {
            let mut v = other.vault.lock().unwrap();
            let cw = v.casework().unwrap();
            assert_eq!(cw.apply_keys(&keys(key)).unwrap().refused, 1);
            let err = cw.next_push(50).unwrap_err();
            assert_eq!(err.code(), "receiver-key-unverified", "{backend} {key}");
        }
        assert_eq!(server.repo.op_count().await.unwrap(), 0, "{backend}");
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_op_carrying_a_field_readable_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    for repo in backends(dir.path()).await {
        let backend = repo.backend();
        let server = TestServer::start(repo).await;
        let team = server.keyed_organisation("Equipo").await;
        let d = server.field_device(&team, "t").await;
        let op = |id: &str, payload: Json| senda_protocol::Op {
            op_id: id.into(),
            seq: 1,
            hlc: "000000000000001.000000".into(),
            entity: "case".into(),
            entity_id: "c1".into(),
            case_id: "c1".into(),
            op: "create".into(),
            base_version: 0,
            version: 1,
            payload,
            sealed: Default::default(),
            sealed_summary: None,
        };
        for payload in [
            json!({ "details": { "alias": ALIAS } }),
            json!({ "country": "CO", "notes": NEEDS }),
            json!([ALIAS]),
        ] {
            let body = senda_protocol::encode(&senda_protocol::PushRequest {
                protocol: senda_protocol::PROTOCOL_VERSION,
                ops: vec![op("plain-1", payload)],
            });
            let (status, body) = signed(&server.url(), &d, "/v1/push", body).await;
            assert_eq!(
                (status, code_of(&body).as_str()),
                (400, "unsealed-field"),
                "{backend}"
            );
        }
        assert_eq!(server.repo.op_count().await.unwrap(), 0, "{backend}");
        assert!(!server.repo.holds_text(ALIAS.into()).await.unwrap());
        server.stop().await;
    }
}
