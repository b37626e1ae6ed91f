//! Casework rules: the consent gate, overrides, the referral lifecycle,
//! retention, the age-18 flag, and that a refused change saves nothing.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use senda_core::casework::*;
use senda_core::checklist::{Answer, Answers, Checklist, RiskLevel};
use senda_core::content::pack::{self, PublisherKey, TrustedKeys};
use senda_core::content::{ContentPayload, ContentStore, source};
use senda_core::{ManualClock, Vault};
use std::path::Path;
use std::sync::Arc;

struct Desk {
    _dir: tempfile::TempDir,
    vault: Vault,
    content: ContentStore,
    clock: Arc<ManualClock>,
    checklist: Checklist,
}

fn demo_payload() -> ContentPayload {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/content");
    source::load_dir(&content).expect("demo content is valid").1
}

fn install(store: &mut ContentStore, key: &[u8], version: u32, payload: &ContentPayload) {
    let file = pack::sign("pub", version, None, payload, key, "2026-11-23T00:00:00Z").unwrap();
    store.install(&file, Utc::now()).unwrap();
}

fn desk_with_key() -> (Desk, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let key = pack::generate_key();
    let trusted = TrustedKeys(vec![PublisherKey {
        publisher: "pub".into(),
        public_key: pack::public_key_hex(&key).unwrap(),
    }]);
    let mut content = ContentStore::open(&dir.path().join("content.db"), trusted).unwrap();
    install(&mut content, &key, 1, &demo_payload());
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    ));
    let mut vault = Vault::open_dir(dir.path().join("vault"), clock.clone())
        .unwrap()
        .with_light_kdf();
    vault.create("Ana", "135790").unwrap();
    let checklist = content.checklist("nna-cruce").unwrap().unwrap();
    (
        Desk {
            _dir: dir,
            vault,
            content,
            clock,
            checklist,
        },
        key,
    )
}

fn desk() -> Desk {
    desk_with_key().0
}

fn details(alias: &str) -> CaseDetails {
    CaseDetails {
        alias: alias.into(),
        age: Age::Estimated {
            years: 15,
            on: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        },
        sex: Sex::Female,
        gender: Gender::Girl,
        nationality: "VE".into(),
        country: "CO".into(),
        languages: vec!["es".into()],
        travelling: Travelling::Unaccompanied,
        present: vec![Present::NobodyElse],
        helper: HelperPreference::Woman,
        has_documents: Known::Unknown,
        with_baby: Known::No,
        whereabouts: Whereabouts::Place {
            id: "cruce-cucuta".into(),
        },
    }
}

/// Every question answered "no" / first option, except those given.
fn answers(checklist: &Checklist, overrides: &[(&str, Answer)]) -> Answers {
    let mut out = Answers::new();
    for q in checklist.questions() {
        let answer = match &q.kind {
            senda_core::checklist::QuestionKind::SingleChoice { options } => {
                Answer::Choice(options.last().unwrap().id.clone())
            }
            senda_core::checklist::QuestionKind::Number { max, .. } => Answer::Number(*max),
            _ => Answer::No,
        };
        out.insert(q.id.clone(), answer);
    }
    for (q, a) in overrides {
        out.insert((*q).into(), a.clone());
    }
    let all = out.clone();
    out.retain(|q, _| checklist.is_shown(checklist.question(q).unwrap(), &all));
    out
}

fn consent(purpose: Purpose, recipient: &str) -> NewConsent {
    NewConsent {
        purpose,
        recipient: recipient.into(),
        basis: ConsentBasis::Consent {
            explained: Explained::ALL.to_vec(),
            language: "es".into(),
            child_agrees: true,
            also_consented: None,
            consenter_not_suspected: false,
            child_wishes: "Quiere un lugar seguro para dormir".into(),
        },
    }
}

/// A case with a completed screening that found a red flag.
fn screened(d: &mut Desk) -> (Case, Screening) {
    let cw = d.vault.casework().unwrap();
    let case = cw.open_case(details("Luz")).unwrap();
    let s = cw.start_screening(&case.id, &d.checklist).unwrap();
    let a = answers(
        &d.checklist,
        &[("peligro-ahora", Answer::Yes), ("donde-dormir", Answer::No)],
    );
    cw.answer(&s.id, &d.checklist, a).unwrap();
    let s = cw.complete_screening(&s.id, &d.checklist).unwrap();
    (cw.case(&case.id).unwrap(), s)
}

fn reviewed_summary(
    cw: &Casework<'_>,
    case: &Case,
    s: &Screening,
    checklist: &Checklist,
) -> TellOnceSummary {
    let mut summary = cw.draft_summary(&case.id, &s.id, checklist).unwrap();
    summary.reviewed_with_child = true;
    summary
}

#[test]
fn a_case_opens_with_the_least_data_and_every_change_reaches_the_outbox() {
    let mut d = desk();
    let cw = d.vault.casework().unwrap();
    let minimal = CaseDetails {
        alias: "  Sol ".into(),
        country: "pe".into(),
        ..details("x")
    };
    let minimal = CaseDetails {
        age: Age::Unknown,
        nationality: String::new(),
        languages: vec![],
        present: vec![],
        whereabouts: Whereabouts::NotRecorded,
        ..minimal
    };
    let case = cw.open_case(minimal).unwrap();
    assert_eq!(case.details.alias, "Sol");
    assert_eq!(case.details.country, "PE");
    assert_eq!(
        case.latest_level, None,
        "no screening yet: no level, never 'low'"
    );

    cw.set_notes(
        &case.id,
        CaseNotes {
            needs: "Alojamiento".into(),
            next_steps: "Volver mañana".into(),
            follow_up: NaiveDate::from_ymd_opt(2026, 11, 24),
        },
    )
    .unwrap();
    let rows = cw.outbox_for(&case.id).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].op.as_str(), rows[0].base_version), ("create", 0));
    assert_eq!((rows[1].op.as_str(), rows[1].base_version), ("update", 1));
    assert!(rows[0].seq < rows[1].seq && rows[0].hlc < rows[1].hlc);
    assert_eq!(
        rows[1].payload["notes"].as_object().unwrap().len(),
        3,
        "an update carries the changed fields"
    );
}

#[test]
fn invalid_details_are_refused_and_nothing_is_saved() {
    let mut d = desk();
    let cw = d.vault.casework().unwrap();
    for (bad, field) in [
        (
            CaseDetails {
                alias: " ".into(),
                ..details("x")
            },
            "alias",
        ),
        (
            CaseDetails {
                alias: "x".repeat(41),
                ..details("x")
            },
            "alias",
        ),
        (
            CaseDetails {
                country: "Colombia".into(),
                ..details("x")
            },
            "country",
        ),
        (
            CaseDetails {
                age: Age::BirthDate {
                    date: NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
                },
                ..details("x")
            },
            "age",
        ),
    ] {
        assert_eq!(
            cw.open_case(bad),
            Err(CaseError::InvalidField {
                field: field.into()
            })
        );
    }
    assert!(cw.cases().unwrap().is_empty());
    assert_eq!(cw.outbox_counts().unwrap().unsent, 0);
}

#[test]
fn a_red_flag_makes_the_level_immediate_and_undisclosed_is_never_no_risk() {
    let mut d = desk();
    let (case, s) = screened(&mut d);
    let e = s.evaluation.unwrap();
    assert_eq!(e.level, RiskLevel::Immediate);
    assert_eq!(case.latest_level, Some(RiskLevel::Immediate));
    assert!(
        e.contributions
            .iter()
            .any(|c| c.indicator == "peligro-inmediato" && c.red_flag)
    );

    // A second visit where everything is undisclosed: the red flags show as not assessed.
    let cw = d.vault.casework().unwrap();
    let s2 = cw.start_screening(&case.id, &d.checklist).unwrap();
    let undisclosed: Answers = d
        .checklist
        .questions()
        .filter(|q| q.show_if.is_none())
        .map(|q| {
            // Staff cannot "prefer not to say" what they observe: they could not observe it.
            let undisclosed = match q.origin {
                senda_core::checklist::Origin::Observed => Answer::Unknown,
                senda_core::checklist::Origin::Said => Answer::PreferNotToSay,
            };
            (q.id.clone(), undisclosed)
        })
        .collect();
    cw.answer(&s2.id, &d.checklist, undisclosed).unwrap();
    let e2 = cw
        .complete_screening(&s2.id, &d.checklist)
        .unwrap()
        .evaluation
        .unwrap();
    assert!(
        e2.red_flags_not_assessed
            .contains(&"peligro-inmediato".to_string())
    );
    assert!(e2.contributions.is_empty());
    assert_eq!(
        e2.level,
        RiskLevel::Insufficient,
        "all undisclosed never reads low"
    );
    assert_eq!(
        cw.screenings(&case.id).unwrap().len(),
        2,
        "the history keeps both visits"
    );
}

#[test]
fn invalid_or_missing_answers_are_refused_whole() {
    let mut d = desk();
    let cw = d.vault.casework().unwrap();
    let case = cw.open_case(details("Luz")).unwrap();
    let s = cw.start_screening(&case.id, &d.checklist).unwrap();
    let mut bad = Answers::new();
    bad.insert("donde-dormir".into(), Answer::Yes);
    bad.insert("viaja-con".into(), Answer::Choice("no-such-option".into()));
    assert_eq!(
        cw.answer(&s.id, &d.checklist, bad),
        Err(CaseError::InvalidAnswer {
            question: "viaja-con".into()
        })
    );
    assert!(
        cw.screening(&s.id).unwrap().answers.is_empty(),
        "the valid half was not saved"
    );
    assert!(matches!(
        cw.complete_screening(&s.id, &d.checklist),
        Err(CaseError::AnswersMissing { .. })
    ));
    assert_eq!(cw.case(&case.id).unwrap().latest_level, None);
}

#[test]
fn a_screening_started_on_an_older_checklist_cannot_be_edited_with_a_newer_one() {
    let (mut d, key) = desk_with_key();
    let s = {
        let cw = d.vault.casework().unwrap();
        let case = cw.open_case(details("Luz")).unwrap();
        cw.start_screening(&case.id, &d.checklist).unwrap()
    };
    let mut newer = demo_payload();
    newer.checklists[0].version += 1;
    install(&mut d.content, &key, 2, &newer);
    let installed = d.content.checklist("nna-cruce").unwrap().unwrap();
    let cw = d.vault.casework().unwrap();
    assert_eq!(
        cw.answer(&s.id, &installed, answers(&installed, &[])),
        Err(CaseError::ChecklistChanged {
            was: d.checklist.version,
            now: d.checklist.version + 1
        })
    );
}

#[test]
fn nothing_leaves_the_device_before_consent_and_withdrawal_always_does() {
    let mut d = desk();
    let (case, _) = screened(&mut d);
    let cw = d.vault.casework().unwrap();
    assert!(cw.outbox_pending(100).unwrap().len() >= 4);
    assert!(
        cw.outbox_ready(100).unwrap().is_empty(),
        "no consent: nothing may leave"
    );
    let counts = cw.outbox_counts().unwrap();
    assert_eq!(counts.held, counts.unsent);

    let c = cw
        .record_consent(
            &case.id,
            consent(Purpose::ShareWithOrganisation, "organisation"),
        )
        .unwrap();
    let ready = cw.outbox_ready(100).unwrap();
    assert_eq!(ready.len(), cw.outbox_pending(100).unwrap().len());
    let ids: Vec<String> = ready.iter().map(|e| e.op_id.clone()).collect();
    assert_eq!(cw.outbox_mark_sent(&ids).unwrap(), ids.len());

    cw.withdraw_consent(&c.id).unwrap();
    cw.set_notes(
        &case.id,
        CaseNotes {
            needs: "Ropa".into(),
            ..CaseNotes::default()
        },
    )
    .unwrap();
    let ready = cw.outbox_ready(100).unwrap();
    assert_eq!(ready.len(), 1, "only the withdrawal may leave now");
    assert_eq!(ready[0].op, "withdraw");
    assert_eq!(cw.outbox_counts().unwrap().held, 1, "the new note waits");
}

#[test]
fn consent_needs_the_childs_agreement_and_a_full_explanation() {
    let mut d = desk();
    let cw = d.vault.casework().unwrap();
    let case = cw.open_case(details("Luz")).unwrap();
    let mut c = consent(Purpose::ShareWithOrganisation, "organisation");
    if let ConsentBasis::Consent { child_agrees, .. } = &mut c.basis {
        *child_agrees = false;
    }
    assert_eq!(
        cw.record_consent(&case.id, c),
        Err(CaseError::ConsentIncomplete {
            missing: "child-agreement".into()
        })
    );
    let mut c = consent(Purpose::ShareWithOrganisation, "organisation");
    if let ConsentBasis::Consent { explained, .. } = &mut c.basis {
        explained.pop();
    }
    assert!(matches!(
        cw.record_consent(&case.id, c),
        Err(CaseError::ConsentIncomplete { .. })
    ));
    let mut c = consent(Purpose::ShareWithOrganisation, "organisation");
    if let ConsentBasis::Consent { also_consented, .. } = &mut c.basis {
        *also_consented = Some(OtherConsenter::Guardian);
    }
    assert_eq!(
        cw.record_consent(&case.id, c),
        Err(CaseError::ConsentIncomplete {
            missing: "consenter-not-suspected".into()
        })
    );
    assert!(cw.consents(&case.id).unwrap().is_empty());
}

#[test]
fn an_override_needs_a_reason_is_marked_and_audited() {
    let mut d = desk();
    let case = {
        let cw = d.vault.casework().unwrap();
        let case = cw.open_case(details("Luz")).unwrap();
        let blank = NewConsent {
            purpose: Purpose::ShareWithOrganisation,
            recipient: "organisation".into(),
            basis: ConsentBasis::Override {
                reason: "  ".into(),
            },
        };
        assert_eq!(
            cw.record_consent(&case.id, blank),
            Err(CaseError::OverrideReasonRequired)
        );
        let o = cw
            .record_consent(
                &case.id,
                NewConsent {
                    purpose: Purpose::ShareWithOrganisation,
                    recipient: "organisation".into(),
                    basis: ConsentBasis::Override {
                        reason: "Ley 1098 de 2006, art. 44: reporte obligatorio".into(),
                    },
                },
            )
            .unwrap();
        assert!(o.is_override);
        case
    };
    let log = d.vault.audit_log(5).unwrap();
    assert!(log.iter().any(|e| e.action == "consent-override"));
    assert!(
        log.iter()
            .all(|e| !e.detail.clone().unwrap_or_default().contains("Ley")),
        "the audit keeps ids, not text"
    );
    assert!(
        !d.vault
            .casework()
            .unwrap()
            .outbox_ready(10)
            .unwrap()
            .is_empty()
    );
    let _ = case;
}

#[test]
fn a_referral_is_proposed_reviewed_consented_queued_and_slipped() {
    let mut d = desk();
    let (case, s) = screened(&mut d);
    let cw = d.vault.casework().unwrap();
    let proposals = cw.propose_services(&case.id, &s.id, &d.content).unwrap();
    let all: Vec<_> = proposals.iter().flat_map(|p| &p.result.hits).collect();
    assert!(!all.is_empty());
    assert!(all.iter().all(|h| {
        !h.categories
            .iter()
            .any(|c| c == "policia" || c == "migracion")
    }));
    let shelter = proposals
        .iter()
        .find(|p| p.category == "alojamiento")
        .and_then(|p| p.result.hits.first())
        .expect("a shelter in Cúcuta is proposed");

    let draft = cw.draft_summary(&case.id, &s.id, &d.checklist).unwrap();
    assert_eq!(draft.level, Some(RiskLevel::Immediate));
    assert!(!draft.indicators.is_empty());
    let r = cw
        .create_referral(
            &case.id,
            Some(&s.id),
            &shelter.service_id,
            draft.clone(),
            None,
            &d.content,
        )
        .unwrap();
    assert_eq!(r.status, ReferralStatus::Draft);
    assert_eq!(
        cw.queue_referral(&r.id, &d.content),
        Err(CaseError::SummaryNotReviewed)
    );

    let r = cw
        .create_referral(
            &case.id,
            Some(&s.id),
            &shelter.service_id,
            reviewed_summary(&cw, &case, &s, &d.checklist),
            NaiveDate::from_ymd_opt(2026, 11, 20),
            &d.content,
        )
        .unwrap();
    assert_eq!(
        cw.queue_referral(&r.id, &d.content),
        Err(CaseError::ConsentRequired {
            purpose: "referral".into()
        })
    );
    assert_eq!(
        cw.referral(&r.id).unwrap().status,
        ReferralStatus::Draft,
        "nothing half-saved"
    );
    cw.record_consent(&case.id, consent(Purpose::Referral, &shelter.service_id))
        .unwrap();
    let r = cw.queue_referral(&r.id, &d.content).unwrap();
    assert_eq!(r.status, ReferralStatus::Queued);
    assert!(
        cw.outbox_ready(100)
            .unwrap()
            .iter()
            .any(|e| e.entity_id == r.id)
    );
    assert!(
        cw.case(&case.id).unwrap().flags.follow_up_due,
        "a past follow-up date raises a reminder"
    );

    let slip = cw.referral_slip(&r.id).unwrap();
    assert!(slip.code.starts_with("SND-") && slip.code.len() == 15);
    assert!(slip.qr_svg.starts_with("<?xml") && slip.qr_svg.contains("<svg"));
    assert!(
        !slip.qr_svg.contains("Luz"),
        "the QR code carries the code only"
    );
}

fn request(service: &str, summary: TellOnceSummary, s: &Screening) -> ReferralRequest {
    ReferralRequest {
        screening_id: Some(s.id.clone()),
        service_id: service.into(),
        summary,
        follow_up: None,
        basis: consent(Purpose::Referral, service).basis,
        share_with_organisation: true,
    }
}

/// Everything a referral writes: consents, referrals, outbox rows, audit entries.
fn footprint(d: &mut Desk, case_id: &str) -> (usize, usize, usize, usize) {
    let cw = d.vault.casework().unwrap();
    let counts = (
        cw.consents(case_id).unwrap().len(),
        cw.referrals(case_id).unwrap().len(),
        cw.outbox_for_all().unwrap().len(),
    );
    let audit = d.vault.audit_log(1000).unwrap().len();
    (counts.0, counts.1, counts.2, audit)
}

#[test]
fn referring_with_consent_is_one_step_that_leaves_nothing_when_refused_part_way() {
    const SHELTER: &str = "svc-alojamiento-cucuta";
    let mut d = desk();
    let (case, s) = screened(&mut d);
    let before = footprint(&mut d, &case.id);

    // Refused after the consents and the referral were written (at queuing:
    // the summary was not reviewed with the child): all of it is rolled back.
    let unreviewed = {
        let cw = d.vault.casework().unwrap();
        cw.draft_summary(&case.id, &s.id, &d.checklist).unwrap()
    };
    {
        let cw = d.vault.casework().unwrap();
        assert_eq!(
            cw.refer_with_consent(&case.id, request(SHELTER, unreviewed, &s), &d.content)
                .map(|r| r.id),
            Err(CaseError::SummaryNotReviewed)
        );
        // A screening that does not exist is found only after the consents went in.
        let mut wrong = request(SHELTER, reviewed_summary(&cw, &case, &s, &d.checklist), &s);
        wrong.screening_id = Some("no-such-screening".into());
        assert!(matches!(
            cw.refer_with_consent(&case.id, wrong, &d.content),
            Err(CaseError::NotFound { .. })
        ));
    }
    assert_eq!(footprint(&mut d, &case.id), before, "nothing half-saved");

    // The retry records each thing once.
    let cw = d.vault.casework().unwrap();
    let summary = reviewed_summary(&cw, &case, &s, &d.checklist);
    let r = cw
        .refer_with_consent(&case.id, request(SHELTER, summary.clone(), &s), &d.content)
        .unwrap();
    assert_eq!(r.status, ReferralStatus::Queued);
    assert_eq!(r.next_statuses, [ReferralStatus::Revoked]);
    let consents = cw.consents(&case.id).unwrap();
    let purposes: Vec<Purpose> = consents.iter().map(|c| c.purpose).collect();
    assert_eq!(
        purposes,
        [Purpose::Referral, Purpose::ShareWithOrganisation]
    );
    assert_eq!(consents[0].recipient, SHELTER);
    assert!(
        cw.outbox_ready(100)
            .unwrap()
            .iter()
            .any(|e| e.entity_id == r.id),
        "the referral may leave: its consent is there"
    );
    let once = footprint(&mut d, &case.id);
    assert_eq!((once.0, once.1), (2, 1));

    // Sent again (the answer was lost): the same referral, nothing written.
    let cw = d.vault.casework().unwrap();
    let again = cw
        .refer_with_consent(&case.id, request(SHELTER, summary, &s), &d.content)
        .unwrap();
    assert_eq!(again.id, r.id);
    assert_eq!(footprint(&mut d, &case.id), once, "nothing recorded twice");
}

#[test]
fn a_second_referral_keeps_the_consent_to_share_already_given() {
    let mut d = desk();
    let (case, s) = screened(&mut d);
    let cw = d.vault.casework().unwrap();
    let summary = reviewed_summary(&cw, &case, &s, &d.checklist);
    cw.refer_with_consent(
        &case.id,
        request("svc-alojamiento-cucuta", summary.clone(), &s),
        &d.content,
    )
    .unwrap();
    let proposals = cw.propose_services(&case.id, &s.id, &d.content).unwrap();
    let other = proposals
        .iter()
        .flat_map(|p| &p.result.hits)
        .map(|h| h.service_id.clone())
        .find(|id| id != "svc-alojamiento-cucuta")
        .expect("a second service is proposed");
    let r = cw
        .refer_with_consent(&case.id, request(&other, summary, &s), &d.content)
        .unwrap();
    assert_eq!(r.service_id, other);
    let shares = cw
        .consents(&case.id)
        .unwrap()
        .into_iter()
        .filter(|c| c.purpose == Purpose::ShareWithOrganisation)
        .count();
    assert_eq!(shares, 1, "one consent to share, not one per referral");
}

#[test]
fn recording_the_same_consent_again_records_nothing() {
    let mut d = desk();
    let cw = d.vault.casework().unwrap();
    let case = cw.open_case(details("Luz")).unwrap();
    let first = cw
        .record_consent(
            &case.id,
            consent(Purpose::ShareWithOrganisation, "organisation"),
        )
        .unwrap();
    let rows = cw.outbox_for(&first.id).unwrap().len();
    let again = cw
        .record_consent(
            &case.id,
            consent(Purpose::ShareWithOrganisation, "organisation"),
        )
        .unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(cw.consents(&case.id).unwrap().len(), 1);
    assert_eq!(cw.outbox_for(&first.id).unwrap().len(), rows);
    // A different basis is a new record (staff explained it again, say).
    let mut other = consent(Purpose::ShareWithOrganisation, "organisation");
    if let ConsentBasis::Consent { child_wishes, .. } = &mut other.basis {
        *child_wishes = "Otra vez".into();
    }
    assert_ne!(cw.record_consent(&case.id, other).unwrap().id, first.id);
}

#[test]
fn the_referral_lifecycle_refuses_skipped_steps() {
    let mut d = desk();
    let (case, s) = screened(&mut d);
    let cw = d.vault.casework().unwrap();
    let r = cw
        .create_referral(
            &case.id,
            Some(&s.id),
            "svc-alojamiento-cucuta",
            reviewed_summary(&cw, &case, &s, &d.checklist),
            None,
            &d.content,
        )
        .unwrap();
    assert!(matches!(
        cw.set_referral_status(&r.id, ReferralStatus::Accepted),
        Err(CaseError::BadTransition { .. })
    ));
    assert!(matches!(
        cw.set_referral_status(&r.id, ReferralStatus::Queued),
        Err(CaseError::BadTransition { .. })
    ));
    cw.record_consent(
        &case.id,
        consent(Purpose::Referral, "svc-alojamiento-cucuta"),
    )
    .unwrap();
    cw.queue_referral(&r.id, &d.content).unwrap();
    for to in [
        ReferralStatus::Sent,
        ReferralStatus::Received,
        ReferralStatus::Accepted,
        ReferralStatus::FirstContact,
        ReferralStatus::ServiceProvided,
        ReferralStatus::Closed,
    ] {
        assert_eq!(cw.set_referral_status(&r.id, to).unwrap().status, to);
    }
    let r = cw.referral(&r.id).unwrap();
    assert_eq!(r.history.len(), 8);
    assert!(matches!(
        cw.set_referral_status(&r.id, ReferralStatus::Revoked),
        Err(CaseError::BadTransition { .. })
    ));
}

#[test]
fn withdrawing_consent_withdraws_the_referral() {
    let mut d = desk();
    let (case, s) = screened(&mut d);
    let cw = d.vault.casework().unwrap();
    let r = cw
        .create_referral(
            &case.id,
            Some(&s.id),
            "svc-alojamiento-cucuta",
            reviewed_summary(&cw, &case, &s, &d.checklist),
            None,
            &d.content,
        )
        .unwrap();
    let c = cw
        .record_consent(
            &case.id,
            consent(Purpose::Referral, "svc-alojamiento-cucuta"),
        )
        .unwrap();
    cw.queue_referral(&r.id, &d.content).unwrap();
    cw.withdraw_consent(&c.id).unwrap();
    assert_eq!(
        cw.referral(&r.id).unwrap().status,
        ReferralStatus::Withdrawn
    );
    let ready = cw.outbox_ready(100).unwrap();
    assert!(
        ready
            .iter()
            .any(|e| e.entity_id == r.id && e.op == "withdraw")
    );
    assert!(
        ready
            .iter()
            .any(|e| e.entity_id == c.id && e.op == "withdraw")
    );
}

#[test]
fn a_service_the_pack_no_longer_lists_cannot_be_referred_to() {
    let (mut d, key) = desk_with_key();
    let (case, s) = screened(&mut d);
    let r = {
        let cw = d.vault.casework().unwrap();
        assert_eq!(
            cw.create_referral(
                &case.id,
                Some(&s.id),
                "svc-gone",
                reviewed_summary(&cw, &case, &s, &d.checklist),
                None,
                &d.content
            )
            .map(|r| r.id),
            Err(CaseError::ServiceNotListed)
        );
        let r = cw
            .create_referral(
                &case.id,
                Some(&s.id),
                "svc-alojamiento-cucuta",
                reviewed_summary(&cw, &case, &s, &d.checklist),
                None,
                &d.content,
            )
            .unwrap();
        cw.record_consent(
            &case.id,
            consent(Purpose::Referral, "svc-alojamiento-cucuta"),
        )
        .unwrap();
        r
    };
    // A new pack drops the shelter.
    let mut newer = demo_payload();
    newer.hsds_rows.retain(|row| {
        !row.id.contains("alojamiento-cucuta")
            && !row
                .fields
                .values()
                .any(|v| v.contains("alojamiento-cucuta"))
    });
    install(&mut d.content, &key, 2, &newer);
    let cw = d.vault.casework().unwrap();
    assert_eq!(
        cw.queue_referral(&r.id, &d.content).map(|r| r.id),
        Err(CaseError::ServiceNotListed)
    );
    assert_eq!(cw.referral(&r.id).unwrap().status, ReferralStatus::Draft);
}

#[test]
fn cases_nearing_18_are_flagged() {
    let mut d = desk();
    let cw = d.vault.casework().unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let near = cw
        .open_case(CaseDetails {
            age: Age::BirthDate {
                date: NaiveDate::from_ymd_opt(2009, 1, 10).unwrap(),
            },
            ..details("Ana")
        })
        .unwrap();
    let far = cw
        .open_case(CaseDetails {
            age: Age::Estimated {
                years: 12,
                on: today,
            },
            ..details("Bea")
        })
        .unwrap();
    let unknown = cw
        .open_case(CaseDetails {
            age: Age::Unknown,
            ..details("Cy")
        })
        .unwrap();
    assert!(near.flags.nearing_18);
    assert_eq!(near.flags.turns_18, NaiveDate::from_ymd_opt(2027, 1, 10));
    assert!(!far.flags.nearing_18);
    assert!(!unknown.flags.nearing_18 && unknown.flags.turns_18.is_none());
    let list = cw.cases().unwrap();
    assert_eq!(list.iter().filter(|c| c.flags.nearing_18).count(), 1);
}

#[test]
fn synced_cases_are_purged_after_retention_with_an_audit_entry() {
    let mut d = desk();
    let (case, s) = screened(&mut d);
    let referral_id = {
        let cw = d.vault.casework().unwrap();
        cw.record_consent(
            &case.id,
            consent(Purpose::ShareWithOrganisation, "organisation"),
        )
        .unwrap();
        cw.record_consent(
            &case.id,
            consent(Purpose::Referral, "svc-alojamiento-cucuta"),
        )
        .unwrap();
        let r = cw
            .create_referral(
                &case.id,
                Some(&s.id),
                "svc-alojamiento-cucuta",
                reviewed_summary(&cw, &case, &s, &d.checklist),
                None,
                &d.content,
            )
            .unwrap();
        cw.queue_referral(&r.id, &d.content).unwrap();
        r.id
    };
    // Open referral: kept however old.
    d.clock.advance(Duration::days(60));
    assert_eq!(
        d.vault
            .casework()
            .unwrap()
            .purge_expired()
            .unwrap()
            .purged_cases,
        0
    );
    {
        let cw = d.vault.casework().unwrap();
        for to in [
            ReferralStatus::Sent,
            ReferralStatus::Received,
            ReferralStatus::Declined,
            ReferralStatus::Closed,
        ] {
            cw.set_referral_status(&referral_id, to).unwrap();
        }
    }
    // Closed but not synced: kept.
    d.clock.advance(Duration::days(31));
    assert_eq!(
        d.vault
            .casework()
            .unwrap()
            .purge_expired()
            .unwrap()
            .purged_cases,
        0
    );
    {
        let cw = d.vault.casework().unwrap();
        let ids: Vec<String> = cw
            .outbox_ready(1000)
            .unwrap()
            .into_iter()
            .map(|e| e.op_id)
            .collect();
        cw.outbox_mark_sent(&ids).unwrap();
        assert_eq!(cw.outbox_counts().unwrap().unsent, 0);
        // Synced, but closed only 31 days ago under a 60-day policy: kept.
        cw.set_retention_days(60).unwrap();
        assert_eq!(cw.purge_expired().unwrap().purged_cases, 0);
        cw.set_retention_days(30).unwrap();
        assert_eq!(cw.purge_expired().unwrap().purged_cases, 1);
        assert_eq!(
            cw.case(&case.id),
            Err(CaseError::NotFound {
                what: "case".into()
            })
        );
        assert!(cw.outbox_for(&case.id).unwrap().is_empty());
    }
    assert!(
        d.vault
            .audit_log(10)
            .unwrap()
            .iter()
            .any(|e| e.action == "case-purged" && e.detail.as_deref() == Some(case.id.as_str()))
    );
    assert!(d.vault.verify_audit_log().unwrap() > 5);
}

#[test]
fn casework_needs_an_unlocked_vault() {
    let mut d = desk();
    d.vault.lock().unwrap();
    assert!(d.vault.casework().is_err());
}

#[test]
fn errors_reach_the_ui_as_a_flat_code() {
    let locked = serde_json::to_value(CaseError::Vault(senda_core::VaultError::Locked)).unwrap();
    assert_eq!(locked, serde_json::json!({ "code": "locked" }));
    let changed = serde_json::to_value(CaseError::ChecklistChanged { was: 1, now: 2 }).unwrap();
    assert_eq!(
        changed,
        serde_json::json!({ "code": "checklist-changed", "was": 1, "now": 2 })
    );
    for code in CaseError::all_codes() {
        assert!(
            !senda_core::VaultError::all_codes().contains(&code),
            "{code} is used twice"
        );
    }
}

/// Completes a screening with every question "no" (or the last option) except `overrides`.
fn screen_with(d: &mut Desk, overrides: &[(&str, Answer)]) -> (Case, Screening) {
    let cw = d.vault.casework().unwrap();
    let case = cw.open_case(details("Luz")).unwrap();
    let s = cw.start_screening(&case.id, &d.checklist).unwrap();
    cw.answer(&s.id, &d.checklist, answers(&d.checklist, overrides))
        .unwrap();
    let s = cw.complete_screening(&s.id, &d.checklist).unwrap();
    (cw.case(&case.id).unwrap(), s)
}

#[test]
fn an_unaccompanied_child_is_never_below_medium_and_is_referred_to_protection() {
    let mut d = desk();
    // Documents, a bed and money: nothing else weighs, so only the floor can lift the level.
    let settled = [
        ("tiene-documentos", Answer::Yes),
        ("donde-dormir", Answer::Yes),
        ("dinero", Answer::Yes),
    ];
    for with in [
        "solo",
        "amigos",
        "pareja",
        "conocido-camino",
        "adulto-no-familiar",
    ] {
        let mut a = settled.to_vec();
        a.push(("viaja-con", Answer::Choice(with.into())));
        let (case, s) = screen_with(&mut d, &a);
        let e = s.evaluation.unwrap();
        assert!(e.level >= RiskLevel::Medium, "{with}: {:?}", e.level);
        assert_eq!(case.latest_level, Some(e.level), "stored on the case");
        assert!(
            e.contributions
                .iter()
                .any(|c| c.indicator == "no-acompanado"),
            "{with}"
        );
        assert!(
            e.service_categories
                .contains(&"proteccion-ninez".to_string())
        );
        assert!(
            e.actions
                .iter()
                .any(|a| a.get("es").0.contains("autoridad de protección")),
            "{with}: {:?}",
            e.actions
        );
    }
    // With a parent and nothing else: low.
    let (_, s) = screen_with(&mut d, &settled);
    assert_eq!(s.evaluation.unwrap().level, RiskLevel::Low);
}

#[test]
fn disclosed_past_exploitation_weighs_at_least_an_offer_of_exchange() {
    let d = desk();
    let weight = |id: &str| {
        d.checklist
            .indicators
            .iter()
            .find(|i| i.id == id)
            .unwrap()
            .weight
    };
    assert!(weight("explotacion-previa") >= weight("intercambio-sexual"));
    let mut d = d;
    let (_, past) = screen_with(&mut d, &[("antes-obligado", Answer::Yes)]);
    let (_, offer) = screen_with(&mut d, &[("intercambio", Answer::Yes)]);
    assert!(past.evaluation.unwrap().level >= offer.evaluation.unwrap().level);
}

#[test]
fn under_twelve_only_observations_are_asked_and_the_child_is_referred() {
    let mut d = desk();
    let young = answers(&d.checklist, &[("edad", Answer::Number(9.0))]);
    for sensitive in [
        "intercambio",
        "antes-obligado",
        "donde-dormir",
        "amenaza-imagenes",
    ] {
        assert!(
            !young.contains_key(sensitive),
            "{sensitive} is not asked at 9"
        );
    }
    assert!(young.contains_key("observado-control"));
    let (_, s) = screen_with(&mut d, &[("edad", Answer::Number(9.0))]);
    let e = s.evaluation.unwrap();
    assert!(e.level >= RiskLevel::Medium, "{:?}", e.level);
    assert!(e.contributions.iter().any(|c| c.indicator == "menor-de-12"));
}

#[test]
fn an_observation_cannot_be_prefer_not_to_say() {
    let mut d = desk();
    let cw = d.vault.casework().unwrap();
    let case = cw.open_case(details("Luz")).unwrap();
    let s = cw.start_screening(&case.id, &d.checklist).unwrap();
    let mut a = Answers::new();
    a.insert("observado-control".into(), Answer::PreferNotToSay);
    assert_eq!(
        cw.answer(&s.id, &d.checklist, a),
        Err(CaseError::InvalidAnswer {
            question: "observado-control".into()
        })
    );
    let mut a = Answers::new();
    a.insert("observado-control".into(), Answer::Unknown);
    cw.answer(&s.id, &d.checklist, a).unwrap();
}

#[test]
fn the_checklist_never_asks_for_names() {
    let d = desk();
    for q in d.checklist.questions() {
        assert!(
            !matches!(
                q.kind,
                senda_core::checklist::QuestionKind::ShortText { .. }
            ),
            "{} asks for free text",
            q.id
        );
        let text = q.text.get("es").0.to_lowercase();
        assert!(!text.contains("nombre"), "{} asks for a name", q.id);
    }
}
