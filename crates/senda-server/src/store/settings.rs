//! What an organisation sets for its devices (its PIN policy; its retention
//! period is in forget.rs), sent in every pull answer, and what each device
//! reports about itself at every sync (migration 024).

use super::sql::Sql;
use super::{Refusal, StoreError};
use senda_protocol::{DeviceReport, PinPolicy};

pub fn set_pin_policy(
    sql: &mut dyn Sql,
    organisation: &str,
    policy: PinPolicy,
) -> Result<(), StoreError> {
    if !policy.valid() {
        return Err(super::logic::refused(Refusal::BadPinPolicy));
    }
    super::logic::ensure_organisation(sql, organisation)?;
    sql.exec(
        "UPDATE organisations SET pin_min_length = ?1, pin_letters_allowed = ?2 WHERE id = ?3",
        &[
            i64::from(policy.min_length).into(),
            i64::from(policy.letters_allowed).into(),
            organisation.into(),
        ],
    )?;
    Ok(())
}

/// The organisation's PIN policy, if it set one.
pub fn pin_policy_of(
    sql: &mut dyn Sql,
    organisation: &str,
) -> Result<Option<PinPolicy>, StoreError> {
    Ok(sql
        .row(
            "SELECT pin_min_length, pin_letters_allowed FROM organisations
             WHERE id = ?1 AND pin_min_length IS NOT NULL",
            &[organisation.into()],
        )?
        .map(|r| PinPolicy {
            min_length: u32::try_from(r[0].int()).unwrap_or(0),
            letters_allowed: r[1].int() != 0,
        }))
}

/// Keeps a device's report. An audit log with fewer entries than the device
/// reported before, or as many with another head, was truncated or rewritten:
/// the device is flagged (and stays flagged).
pub fn record_report(
    sql: &mut dyn Sql,
    device: &str,
    report: &DeviceReport,
    now: &str,
) -> Result<(), StoreError> {
    let before = sql.row(
        "SELECT audit_count, audit_head, audit_dropped_at FROM device_status WHERE device_id = ?1",
        &[device.into()],
    )?;
    let count = i64::try_from(report.audit_count).unwrap_or(i64::MAX);
    let dropped = match &before {
        Some(b) if b[2].opt_text().is_some() => b[2].opt_text(),
        Some(b)
            if b[0].int() > count || (b[0].int() == count && b[1].text() != report.audit_head) =>
        {
            tracing::warn!(
                device,
                before = b[0].int(),
                now = count,
                "a device's audit log shrank or was rewritten"
            );
            Some(now.to_owned())
        }
        _ => None,
    };
    let text = |s: &str, max: usize| s.chars().take(max).collect::<String>();
    sql.exec(
        "INSERT INTO device_status (device_id, reported_at, app_version, content_version, pending, held,
           audit_count, audit_head, audit_dropped_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (device_id) DO UPDATE SET reported_at = excluded.reported_at,
           app_version = excluded.app_version, content_version = excluded.content_version,
           pending = excluded.pending, held = excluded.held, audit_count = excluded.audit_count,
           audit_head = excluded.audit_head, audit_dropped_at = excluded.audit_dropped_at",
        &[
            device.into(),
            now.into(),
            text(&report.app_version, 40).into(),
            report.content_version.map(i64::from).into(),
            i64::try_from(report.pending).unwrap_or(i64::MAX).into(),
            i64::try_from(report.held).unwrap_or(i64::MAX).into(),
            count.into(),
            text(&report.audit_head, 64).into(),
            dropped.into(),
        ],
    )?;
    Ok(())
}
