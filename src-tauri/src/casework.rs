//! Casework commands: cases, screenings, consent, referrals, the outbox.
//! Each takes the vault (then the content store, always in that order) and
//! makes one call into `senda_core::casework`.

use crate::state::AppState;
use senda_core::casework::{
    Case, CaseDetails, CaseError, CaseNotes, CaseSummary, Consent, OutboxCounts, OutboxEntry,
    Proposal, Referral, ReferralRequest, ReferralSlip, ReferralStatus, Screening, TellOnceSummary,
};
use senda_core::checklist::{Answers, Checklist};
use senda_core::content::{ContentStore, InstallError};
use serde::Serialize;
use tauri::State;

/// What a casework command can fail with; serialises as `{ code, ... }`.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum AppError {
    Case(CaseError),
    Install(InstallError),
}

impl From<CaseError> for AppError {
    fn from(e: CaseError) -> Self {
        Self::Case(e)
    }
}

impl From<senda_core::VaultError> for AppError {
    fn from(e: senda_core::VaultError) -> Self {
        Self::Case(e.into())
    }
}

impl From<InstallError> for AppError {
    fn from(e: InstallError) -> Self {
        Self::Install(e)
    }
}

type Result<T> = std::result::Result<T, AppError>;

fn installed_checklist(content: &ContentStore, id: &str) -> Result<Checklist> {
    content.checklist(id)?.ok_or_else(|| {
        CaseError::ChecklistNotInstalled {
            checklist: id.to_owned(),
        }
        .into()
    })
}

/// A whole checklist, for the screening screens.
#[tauri::command(async)]
pub fn checklist_get(state: State<'_, AppState>, id: String) -> Result<Checklist> {
    installed_checklist(&*state.content()?, &id)
}

#[tauri::command(async)]
pub fn case_list(state: State<'_, AppState>) -> Result<Vec<CaseSummary>> {
    Ok(state.vault()?.casework()?.cases()?)
}

#[tauri::command(async)]
pub fn case_open(state: State<'_, AppState>, details: CaseDetails) -> Result<Case> {
    Ok(state.vault()?.casework()?.open_case(details)?)
}

#[tauri::command(async)]
pub fn case_get(state: State<'_, AppState>, id: String) -> Result<Case> {
    Ok(state.vault()?.casework()?.case(&id)?)
}

#[tauri::command(async)]
pub fn case_update(state: State<'_, AppState>, id: String, details: CaseDetails) -> Result<Case> {
    Ok(state.vault()?.casework()?.update_case(&id, details)?)
}

#[tauri::command(async)]
pub fn case_set_notes(state: State<'_, AppState>, id: String, notes: CaseNotes) -> Result<Case> {
    Ok(state.vault()?.casework()?.set_notes(&id, notes)?)
}

#[tauri::command(async)]
pub fn screening_start(
    state: State<'_, AppState>,
    case_id: String,
    checklist_id: String,
) -> Result<Screening> {
    let mut vault = state.vault()?;
    let checklist = installed_checklist(&*state.content()?, &checklist_id)?;
    Ok(vault.casework()?.start_screening(&case_id, &checklist)?)
}

#[tauri::command(async)]
pub fn screening_answer(
    state: State<'_, AppState>,
    id: String,
    answers: Answers,
) -> Result<Screening> {
    let mut vault = state.vault()?;
    let cw = vault.casework()?;
    let checklist = installed_checklist(&*state.content()?, &cw.screening(&id)?.checklist_id)?;
    Ok(cw.answer(&id, &checklist, answers)?)
}

#[tauri::command(async)]
pub fn screening_complete(state: State<'_, AppState>, id: String) -> Result<Screening> {
    let mut vault = state.vault()?;
    let cw = vault.casework()?;
    let checklist = installed_checklist(&*state.content()?, &cw.screening(&id)?.checklist_id)?;
    Ok(cw.complete_screening(&id, &checklist)?)
}

#[tauri::command(async)]
pub fn screening_list(state: State<'_, AppState>, case_id: String) -> Result<Vec<Screening>> {
    Ok(state.vault()?.casework()?.screenings(&case_id)?)
}

#[tauri::command(async)]
pub fn screening_get(state: State<'_, AppState>, id: String) -> Result<Screening> {
    Ok(state.vault()?.casework()?.screening(&id)?)
}

#[tauri::command(async)]
pub fn consent_withdraw(state: State<'_, AppState>, id: String) -> Result<Consent> {
    Ok(state.vault()?.casework()?.withdraw_consent(&id)?)
}

#[tauri::command(async)]
pub fn consent_list(state: State<'_, AppState>, case_id: String) -> Result<Vec<Consent>> {
    Ok(state.vault()?.casework()?.consents(&case_id)?)
}

#[tauri::command(async)]
pub fn referral_propose(
    state: State<'_, AppState>,
    case_id: String,
    screening_id: String,
) -> Result<Vec<Proposal>> {
    let mut vault = state.vault()?;
    let content = state.content()?;
    Ok(vault
        .casework()?
        .propose_services(&case_id, &screening_id, &content)?)
}

#[tauri::command(async)]
pub fn referral_draft_summary(
    state: State<'_, AppState>,
    case_id: String,
    screening_id: String,
) -> Result<TellOnceSummary> {
    let mut vault = state.vault()?;
    let cw = vault.casework()?;
    let checklist = installed_checklist(
        &*state.content()?,
        &cw.screening(&screening_id)?.checklist_id,
    )?;
    Ok(cw.draft_summary(&case_id, &screening_id, &checklist)?)
}

/// The referral screen's one step: consent, the referral, queued, in one
/// transaction (`Casework::refer_with_consent`).
#[tauri::command(async)]
pub fn referral_with_consent(
    state: State<'_, AppState>,
    case_id: String,
    request: ReferralRequest,
) -> Result<Referral> {
    let mut vault = state.vault()?;
    let content = state.content()?;
    Ok(vault
        .casework()?
        .refer_with_consent(&case_id, request, &content)?)
}

/// Queues a draft made before referrals were one step.
#[tauri::command(async)]
pub fn referral_queue(state: State<'_, AppState>, id: String) -> Result<Referral> {
    let mut vault = state.vault()?;
    let content = state.content()?;
    Ok(vault.casework()?.queue_referral(&id, &content)?)
}

#[tauri::command(async)]
pub fn referral_set_status(
    state: State<'_, AppState>,
    id: String,
    status: ReferralStatus,
) -> Result<Referral> {
    Ok(state
        .vault()?
        .casework()?
        .set_referral_status(&id, status)?)
}

#[tauri::command(async)]
pub fn referral_list(state: State<'_, AppState>, case_id: String) -> Result<Vec<Referral>> {
    Ok(state.vault()?.casework()?.referrals(&case_id)?)
}

#[tauri::command(async)]
pub fn referral_slip(state: State<'_, AppState>, id: String) -> Result<ReferralSlip> {
    Ok(state.vault()?.casework()?.referral_slip(&id)?)
}

#[tauri::command(async)]
pub fn outbox_counts(state: State<'_, AppState>) -> Result<OutboxCounts> {
    Ok(state.vault()?.casework()?.outbox_counts()?)
}

#[tauri::command(async)]
pub fn outbox_pending(state: State<'_, AppState>, limit: u32) -> Result<Vec<OutboxEntry>> {
    Ok(state.vault()?.casework()?.outbox_pending(limit)?)
}
