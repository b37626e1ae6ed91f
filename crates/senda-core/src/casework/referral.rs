//! Referrals: to a service from the directory, with a tell-once summary the
//! child reviewed, so that the child does not have to repeat the story.
//!
//! Police and migration authorities are never proposed (the directory search
//! leaves them out unless asked). A referral leaves the device only after
//! consent for that service (or a recorded override) exists.

use super::consent::{ConsentBasis, NewConsent, OWN_ORGANISATION, Purpose};
use super::outbox::{Entity, NewOutboxRow};
use super::{
    CaseDetails, CaseError, Casework, Gender, HelperPreference, Known, NOTE_MAX, Travelling,
    Whereabouts, from_code, from_json, ids, to_json,
};
use crate::checklist::{Checklist, RiskLevel};
use crate::content::ContentStore;
use crate::directory::{ChildProfile, SearchResult, ServiceHit, ServiceQuery};
use crate::text::Text;
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The lifecycle is shared with the server, so it lives in the protocol crate.
pub use senda_protocol::{ReferralActor, ReferralStatus};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SummaryIndicator {
    pub id: String,
    pub label: Text,
}

/// Case details the child agreed to pass on; `None` means not shared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SharedDetails {
    pub alias: Option<String>,
    pub age: Option<u8>,
    pub gender: Option<Gender>,
    pub nationality: Option<String>,
    pub languages: Option<Vec<String>>,
    pub travelling: Option<Travelling>,
    pub helper: Option<HelperPreference>,
}

/// What the receiving service reads instead of asking the child again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TellOnceSummary {
    pub level: Option<RiskLevel>,
    pub indicators: Vec<SummaryIndicator>,
    /// Service categories the screening recommended.
    pub needs: Vec<String>,
    pub shared: SharedDetails,
    /// Short and practical: what the service should know to help.
    #[serde(default)]
    pub note: String,
    /// Staff read it with the child, who agreed to what it says.
    #[serde(default)]
    pub reviewed_with_child: bool,
}

/// The services proposed for one need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Proposal {
    pub category: String,
    pub result: SearchResult,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Referral {
    pub id: String,
    pub case_id: String,
    pub version: i64,
    /// What the slip's QR code encodes: nothing personal.
    pub code: String,
    pub service_id: String,
    /// The service as the directory listed it when the referral was made.
    pub service: ServiceHit,
    pub screening_id: Option<String>,
    pub summary: TellOnceSummary,
    pub status: ReferralStatus,
    pub follow_up: Option<NaiveDate>,
    pub created_at: String,
    pub updated_at: String,
    pub history: Vec<(String, ReferralStatus)>,
    /// What staff on this device may move it to next (from the lifecycle in
    /// `senda-protocol`): `queued` and `revoked`. Withdrawal goes through the consent.
    #[serde(default)]
    pub next_statuses: Vec<ReferralStatus>,
}

/// Everything the referral screen gathers, sent at once (`refer_with_consent`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReferralRequest {
    pub screening_id: Option<String>,
    pub service_id: String,
    /// As reviewed with the child: what the child did not want passed on is `None`.
    pub summary: TellOnceSummary,
    pub follow_up: Option<NaiveDate>,
    /// Consent for this referral, or an override where the law obliges a report.
    pub basis: ConsentBasis,
    /// The child also agreed to keep the case on the organisation's server (same basis).
    pub share_with_organisation: bool,
}

/// A printable slip: the service, and a QR code of the referral's code only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReferralSlip {
    pub code: String,
    pub service: ServiceHit,
    pub follow_up: Option<NaiveDate>,
    /// An SVG image of a QR code that encodes `code` and nothing else.
    pub qr_svg: String,
}

impl Casework<'_> {
    /// Services that match the screening's recommended needs, the child's
    /// eligibility and place. Empty results say so; `nearest_elsewhere` then
    /// offers what exists further away.
    pub fn propose_services(
        &self,
        case_id: &str,
        screening_id: &str,
        content: &ContentStore,
    ) -> Result<Vec<Proposal>, CaseError> {
        let case = self.case(case_id)?;
        let screening = self.screening(screening_id)?;
        let evaluation = screening
            .evaluation
            .ok_or_else(|| CaseError::not_found("completed screening"))?;
        let near = place_of(&case.details, content)?;
        let child = profile(&case.details, self.today());
        let mut proposals = Vec::new();
        for category in evaluation.service_categories {
            let query = ServiceQuery {
                country: Some(case.details.country.clone()),
                category: Some(category.clone()),
                child: Some(child.clone()),
                near,
                limit: 5,
                ..ServiceQuery::default()
            };
            let result = content.search(&query).map_err(storage)?;
            proposals.push(Proposal { category, result });
        }
        Ok(proposals)
    }

    /// The summary to review with the child, with everything shareable filled in;
    /// staff remove what the child does not want passed on.
    pub fn draft_summary(
        &self,
        case_id: &str,
        screening_id: &str,
        checklist: &Checklist,
    ) -> Result<TellOnceSummary, CaseError> {
        let case = self.case(case_id)?;
        let screening = self.screening(screening_id)?;
        let evaluation = screening.evaluation.as_ref();
        let label = |id: &str| {
            checklist
                .indicators
                .iter()
                .find(|i| i.id == id)
                .map(|i| i.label.clone())
                .unwrap_or_default()
        };
        let d = &case.details;
        Ok(TellOnceSummary {
            level: evaluation.map(|e| e.level),
            indicators: evaluation
                .map(|e| {
                    e.contributions
                        .iter()
                        .map(|c| SummaryIndicator {
                            id: c.indicator.clone(),
                            label: label(&c.indicator),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            needs: evaluation
                .map(|e| e.service_categories.clone())
                .unwrap_or_default(),
            shared: SharedDetails {
                alias: Some(d.alias.clone()),
                age: d.age_on(self.today()),
                gender: Some(d.gender),
                nationality: (!d.nationality.is_empty()).then(|| d.nationality.clone()),
                languages: (!d.languages.is_empty()).then(|| d.languages.clone()),
                travelling: Some(d.travelling),
                helper: Some(d.helper),
            },
            note: case.notes.needs.clone(),
            reviewed_with_child: false,
        })
    }

    /// Makes a draft referral to a service the installed directory lists.
    pub fn create_referral(
        &self,
        case_id: &str,
        screening_id: Option<&str>,
        service_id: &str,
        summary: TellOnceSummary,
        follow_up: Option<NaiveDate>,
        content: &ContentStore,
    ) -> Result<Referral, CaseError> {
        let service = listed_service(content, service_id)?;
        let summary = valid_summary(summary)?;
        self.write(|tx| {
            let id =
                self.insert_referral_in(tx, case_id, screening_id, &service, &summary, follow_up)?;
            load(tx, &id)
        })
    }

    /// Queues a draft for sending: the summary must have been reviewed with
    /// the child, consent for this service (or an override) recorded, and the
    /// service still listed by the installed directory.
    pub fn queue_referral(&self, id: &str, content: &ContentStore) -> Result<Referral, CaseError> {
        self.write(|tx| {
            self.queue_referral_in(tx, id, content)?;
            load(tx, id)
        })
    }

    /// The referral screen's one step: records the consent for this service
    /// (and, if the child also agreed, to keep the case on the organisation's
    /// server, on the same basis), makes the referral and queues it, in one
    /// transaction. A refusal at any point leaves nothing behind. If the case
    /// already has an open referral to this service (a retry after a lost
    /// answer), that referral is returned and nothing is written.
    pub fn refer_with_consent(
        &self,
        case_id: &str,
        request: ReferralRequest,
        content: &ContentStore,
    ) -> Result<Referral, CaseError> {
        let service = listed_service(content, &request.service_id)?;
        let summary = valid_summary(request.summary)?;
        let for_referral = NewConsent {
            purpose: Purpose::Referral,
            recipient: request.service_id.clone(),
            basis: request.basis.clone(),
        }
        .validated()?;
        let for_organisation = request
            .share_with_organisation
            .then(|| {
                NewConsent {
                    purpose: Purpose::ShareWithOrganisation,
                    recipient: OWN_ORGANISATION.into(),
                    basis: request.basis,
                }
                .validated()
            })
            .transpose()?;
        self.write(|tx| {
            self.load_case(tx, case_id)?;
            let open = self
                .referrals_in(tx, case_id)?
                .into_iter()
                .find(|r| r.service_id == request.service_id && !r.status.is_terminal());
            if let Some(open) = open.filter(|r| r.status != ReferralStatus::Draft) {
                return Ok(open);
            }
            self.record_consent_in(tx, case_id, for_referral)?;
            if let Some(consent) = for_organisation {
                // An active consent to share stays as it is: nothing is recorded twice.
                if self
                    .active_consent(
                        tx,
                        case_id,
                        Purpose::ShareWithOrganisation,
                        OWN_ORGANISATION,
                    )?
                    .is_none()
                {
                    self.record_consent_in(tx, case_id, consent)?;
                }
            }
            let id = self.insert_referral_in(
                tx,
                case_id,
                request.screening_id.as_deref(),
                &service,
                &summary,
                request.follow_up,
            )?;
            self.queue_referral_in(tx, &id, content)?;
            load(tx, &id)
        })
    }

    fn insert_referral_in(
        &self,
        tx: &Connection,
        case_id: &str,
        screening_id: Option<&str>,
        service: &ServiceHit,
        summary: &TellOnceSummary,
        follow_up: Option<NaiveDate>,
    ) -> Result<String, CaseError> {
        // Random, not time-ordered: the receiving organisation sees this id,
        // and must not learn from it when the child was interviewed.
        let id = crate::vault::random_id();
        let code = referral_code();
        self.load_case(tx, case_id)?;
        if let Some(s) = screening_id {
            self.screening(s)?;
        }
        tx.execute(
            "INSERT INTO referrals (id, case_id, version, code, service_id, service, screening_id, summary, status, follow_up, created_at, updated_at)
             VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, 'draft', ?8, ?9, ?9)",
            params![
                id,
                case_id,
                code,
                service.service_id,
                to_json(service),
                screening_id,
                to_json(summary),
                follow_up.map(|d| d.to_string()),
                self.now_text()
            ],
        )?;
        history(tx, &id, ReferralStatus::Draft, self)?;
        self.outbox(
            tx,
            NewOutboxRow {
                entity: Entity::Referral,
                entity_id: &id,
                case_id,
                op: "create",
                base_version: 0,
                payload: json!({
                    "code": code,
                    "service_id": service.service_id,
                    "screening_id": screening_id,
                    "summary": summary,
                    "follow_up": follow_up,
                    "status": ReferralStatus::Draft,
                }),
            },
        )?;
        self.touch_case(tx, case_id)?;
        Ok(id)
    }

    fn queue_referral_in(
        &self,
        tx: &Connection,
        id: &str,
        content: &ContentStore,
    ) -> Result<(), CaseError> {
        let referral = load(tx, id)?;
        if !referral.status.can_go(ReferralStatus::Queued) {
            return Err(bad_transition(referral.status, ReferralStatus::Queued));
        }
        if !referral.summary.reviewed_with_child {
            return Err(CaseError::SummaryNotReviewed);
        }
        if self
            .active_consent(
                tx,
                &referral.case_id,
                Purpose::Referral,
                &referral.service_id,
            )?
            .is_none()
        {
            return Err(CaseError::ConsentRequired {
                purpose: "referral".into(),
            });
        }
        listed_service(content, &referral.service_id)?;
        self.move_referral(tx, &referral, ReferralStatus::Queued)?;
        self.audit(tx, "referral-queued", id)
    }

    /// Moves a referral along its lifecycle. Queuing and withdrawal have their
    /// own doors (`queue_referral`, `withdraw_consent`), because each checks more.
    pub fn set_referral_status(&self, id: &str, to: ReferralStatus) -> Result<Referral, CaseError> {
        self.write(|tx| {
            let referral = load(tx, id)?;
            if matches!(to, ReferralStatus::Queued | ReferralStatus::Withdrawn)
                || !referral.status.can_go(to)
            {
                return Err(bad_transition(referral.status, to));
            }
            self.move_referral(tx, &referral, to)?;
            if to == ReferralStatus::Revoked {
                self.audit(tx, "referral-revoked", id)?;
            }
            load(tx, id)
        })
    }

    pub fn referral(&self, id: &str) -> Result<Referral, CaseError> {
        load(self.conn, id)
    }

    pub fn referrals(&self, case_id: &str) -> Result<Vec<Referral>, CaseError> {
        self.referrals_in(self.conn, case_id)
    }

    pub fn referral_slip(&self, id: &str) -> Result<ReferralSlip, CaseError> {
        let referral = load(self.conn, id)?;
        let qr = qrcode::QrCode::new(referral.code.as_bytes()).map_err(|e| {
            CaseError::Vault(crate::VaultError::Storage {
                message: e.to_string(),
            })
        })?;
        let qr_svg = qr
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build();
        Ok(ReferralSlip {
            code: referral.code,
            service: referral.service,
            follow_up: referral.follow_up,
            qr_svg,
        })
    }

    pub(super) fn referrals_in(
        &self,
        conn: &Connection,
        case_id: &str,
    ) -> Result<Vec<Referral>, CaseError> {
        let ids = ids(
            conn,
            "SELECT id FROM referrals WHERE case_id = ?1 ORDER BY created_at, rowid",
            case_id,
        )?;
        ids.iter().map(|id| load(conn, id)).collect()
    }

    pub(super) fn move_referral(
        &self,
        tx: &Connection,
        referral: &Referral,
        to: ReferralStatus,
    ) -> Result<(), CaseError> {
        let closed_at = to.is_terminal().then(|| self.now_text());
        tx.execute(
            "UPDATE referrals SET status = ?1, version = version + 1, updated_at = ?2, closed_at = ?3 WHERE id = ?4",
            params![to.as_str(), self.now_text(), closed_at, referral.id],
        )?;
        history(tx, &referral.id, to, self)?;
        let op = if to == ReferralStatus::Withdrawn {
            "withdraw"
        } else {
            "status"
        };
        self.outbox(
            tx,
            NewOutboxRow {
                entity: Entity::Referral,
                entity_id: &referral.id,
                case_id: &referral.case_id,
                op,
                base_version: referral.version,
                payload: json!({ "status": to }),
            },
        )?;
        self.touch_case(tx, &referral.case_id)
    }
}

fn history(
    tx: &Connection,
    id: &str,
    status: ReferralStatus,
    cw: &Casework<'_>,
) -> Result<(), CaseError> {
    tx.execute(
        "INSERT INTO referral_history (referral_id, at, status, staff_id) VALUES (?1, ?2, ?3, ?4)",
        params![id, cw.now_text(), status.as_str(), cw.staff.id],
    )?;
    Ok(())
}

fn load(conn: &Connection, id: &str) -> Result<Referral, CaseError> {
    let row = conn
        .query_row(
            "SELECT case_id, version, code, service_id, service, screening_id, summary, status, follow_up, created_at, updated_at
             FROM referrals WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    (r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?),
                    (r.get::<_, String>(4)?, r.get::<_, Option<String>>(5)?, r.get::<_, String>(6)?, r.get::<_, String>(7)?),
                    (r.get::<_, Option<String>>(8)?, r.get::<_, String>(9)?, r.get::<_, String>(10)?),
                ))
            },
        )
        .optional()?
        .ok_or_else(|| CaseError::not_found("referral"))?;
    let (
        (case_id, version, code, service_id),
        (service, screening_id, summary, status),
        (follow_up, created_at, updated_at),
    ) = row;
    let status: ReferralStatus = from_code(&status)?;
    let history = {
        let mut stmt = conn.prepare_cached(
            "SELECT at, status FROM referral_history WHERE referral_id = ?1 ORDER BY rowid",
        )?;
        stmt.query_map([id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(|(at, s)| Ok((at, from_code(&s)?)))
        .collect::<Result<_, CaseError>>()?
    };
    Ok(Referral {
        id: id.to_owned(),
        case_id,
        version,
        code,
        service_id,
        service: from_json(&service)?,
        screening_id,
        summary: from_json(&summary)?,
        status,
        follow_up: follow_up.and_then(|d| d.parse().ok()),
        created_at,
        updated_at,
        history,
        next_statuses: status
            .next_statuses(ReferralActor::Referrer)
            .into_iter()
            .filter(|s| *s != ReferralStatus::Withdrawn)
            .collect(),
    })
}

fn bad_transition(from: ReferralStatus, to: ReferralStatus) -> CaseError {
    CaseError::BadTransition {
        from: from.as_str().into(),
        to: to.as_str().into(),
    }
}

fn storage(e: crate::content::InstallError) -> CaseError {
    CaseError::Vault(crate::VaultError::Storage {
        message: e.to_string(),
    })
}

fn listed_service(content: &ContentStore, service_id: &str) -> Result<ServiceHit, CaseError> {
    content
        .service(service_id)
        .map_err(storage)?
        .ok_or(CaseError::ServiceNotListed)
}

fn valid_summary(mut summary: TellOnceSummary) -> Result<TellOnceSummary, CaseError> {
    summary.note = summary.note.trim().to_owned();
    if summary.note.chars().count() > NOTE_MAX {
        return Err(CaseError::InvalidField {
            field: "note".into(),
        });
    }
    Ok(summary)
}

/// Where the child is, for distance ordering: a route place's point or coordinates.
fn place_of(
    details: &CaseDetails,
    content: &ContentStore,
) -> Result<Option<(f64, f64)>, CaseError> {
    Ok(match &details.whereabouts {
        Whereabouts::NotRecorded => None,
        Whereabouts::Coordinates {
            latitude,
            longitude,
        } => Some((*latitude, *longitude)),
        Whereabouts::Place { id } => content
            .places()
            .map_err(storage)?
            .into_iter()
            .find(|p| &p.id == id)
            .map(|p| (p.latitude, p.longitude)),
    })
}

/// Eligibility as the directory understands it. Unknown is never taken as "no".
fn profile(details: &CaseDetails, today: NaiveDate) -> ChildProfile {
    ChildProfile {
        age: details.age_on(today),
        gender: match details.gender {
            Gender::Girl => Some("female".into()),
            Gender::Boy => Some("male".into()),
            Gender::NonBinary => Some("non-binary".into()),
            _ => None,
        },
        undocumented: details.has_documents == Known::No,
        with_baby: details.with_baby == Known::Yes,
        unaccompanied: matches!(
            details.travelling,
            Travelling::Unaccompanied | Travelling::SeparatedWithAdult
        ),
    }
}

/// A short code for the slip: 10 random characters from an alphabet without
/// look-alikes (Crockford's base 32), grouped for reading aloud.
fn referral_code() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bytes = [0u8; 10];
    crate::vault::fill_random(&mut bytes);
    let chars: String = bytes
        .iter()
        .map(|b| ALPHABET[(b & 31) as usize] as char)
        .collect();
    format!("SND-{}-{}", &chars[..5], &chars[5..])
}
