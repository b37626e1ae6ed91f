//! Staff accounts: who holds which device. A device enrolled with a staff
//! member's code belongs to them, so that when someone leaves, every device
//! they hold is revoked (and wiped at its next contact) in one step.
//! Names stay here and in the admin's answers; they never reach the logs.

use super::logic::{code_hash, create_enrolment_code, ensure_organisation, random_id, refused};
use super::sql::{Row, Sql};
use super::{Refusal, StoreError};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffAccount {
    pub id: String,
    pub organisation: String,
    pub team: String,
    pub name: String,
    pub active: bool,
    /// Devices enrolled with this account's codes and not revoked.
    pub devices: i64,
}

pub fn create_staff(
    sql: &mut dyn Sql,
    organisation: &str,
    team: &str,
    name: &str,
    now: &str,
) -> Result<StaffAccount, StoreError> {
    ensure_organisation(sql, organisation)?;
    let id = random_id();
    sql.exec(
        "INSERT INTO staff (id, organisation_id, team, name, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        &[
            id.clone().into(),
            organisation.into(),
            team.into(),
            name.into(),
            now.into(),
        ],
    )?;
    staff_account(sql, &id)
}

/// A single-use code that enrols one device into the staff member's team, as theirs.
pub fn staff_enrolment_code(
    sql: &mut dyn Sql,
    staff_id: &str,
    code: &str,
    days: i64,
    now: &str,
) -> Result<(), StoreError> {
    let staff = staff_account(sql, staff_id)?;
    if !staff.active {
        return Err(refused(Refusal::StaffDeactivated));
    }
    create_enrolment_code(sql, &staff.organisation, &staff.team, code, days, now)?;
    sql.exec(
        "INSERT INTO staff_codes (code_hash, staff_id) VALUES (?1, ?2)",
        &[code_hash(code).into(), staff_id.into()],
    )?;
    Ok(())
}

/// Called by enrolment: the new device belongs to the code's staff member,
/// if it has one. A code whose holder has left enrols nothing.
pub fn claim_device(sql: &mut dyn Sql, code: &str, device_id: &str) -> Result<(), StoreError> {
    let owner = sql.row(
        "SELECT s.id, s.deactivated_at FROM staff_codes c JOIN staff s ON s.id = c.staff_id
         WHERE c.code_hash = ?1",
        &[code_hash(code).into()],
    )?;
    match owner {
        None => Ok(()),
        Some(r) if r[1].opt_text().is_some() => Err(refused(Refusal::BadEnrolmentCode)),
        Some(r) => {
            sql.exec(
                "INSERT INTO staff_devices (device_id, staff_id) VALUES (?1, ?2)",
                &[device_id.into(), r[0].text().into()],
            )?;
            Ok(())
        }
    }
}

/// The staff member has left: the account can enrol nothing more and each of
/// its devices is retired: it pushes what it holds at its next sync, then
/// wipes (M4). Returns how many devices were retired.
pub fn deactivate_staff(sql: &mut dyn Sql, staff_id: &str, now: &str) -> Result<u64, StoreError> {
    staff_account(sql, staff_id)?;
    sql.exec(
        "UPDATE staff SET deactivated_at = ?1 WHERE id = ?2 AND deactivated_at IS NULL",
        &[now.into(), staff_id.into()],
    )?;
    sql.exec(
        "UPDATE devices SET retire_requested_at = ?1
         WHERE revoked_at IS NULL AND retire_requested_at IS NULL
           AND id IN (SELECT device_id FROM staff_devices WHERE staff_id = ?2)",
        &[now.into(), staff_id.into()],
    )
}

pub fn staff_of(sql: &mut dyn Sql, organisation: &str) -> Result<Vec<StaffAccount>, StoreError> {
    ensure_organisation(sql, organisation)?;
    let rows = sql.rows(
        &format!("{ACCOUNT} WHERE s.organisation_id = ?1 ORDER BY s.team, s.name"),
        &[organisation.into()],
    )?;
    Ok(rows.iter().map(account).collect())
}

/// A staff account with its count of devices still active.
const ACCOUNT: &str = "SELECT s.id, s.organisation_id, s.team, s.name, s.deactivated_at,
        (SELECT COUNT(*) FROM staff_devices sd JOIN devices d ON d.id = sd.device_id
         WHERE sd.staff_id = s.id AND d.revoked_at IS NULL)
    FROM staff s";

fn staff_account(sql: &mut dyn Sql, id: &str) -> Result<StaffAccount, StoreError> {
    sql.row(&format!("{ACCOUNT} WHERE s.id = ?1"), &[id.into()])?
        .map(|r| account(&r))
        .ok_or_else(|| refused(Refusal::NoSuchStaff))
}

fn account(row: &Row) -> StaffAccount {
    StaffAccount {
        id: row[0].text(),
        organisation: row[1].text(),
        team: row[2].text(),
        name: row[3].text(),
        active: row[4].opt_text().is_none(),
        devices: row[5].int(),
    }
}
