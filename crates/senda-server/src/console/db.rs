//! The console's reads and writes, over the server's [`Sql`] for both backends.
//! Changes to devices, staff, codes and routes go through `Repo`'s own
//! operations (store/logic.rs, store/staff.rs); this file only adds the
//! console's own tables and the read-only views its pages need.

use crate::store::StoreError;
use crate::store::sql::{Row, Sql, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// Every organisation.
    Server,
    /// One organisation only.
    Organisation(String),
}

#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub login: String,
    pub role: Role,
    pub password_hash: String,
    pub must_change_password: bool,
    pub totp_secret: Option<String>,
    pub totp_last_step: i64,
    pub active: bool,
}

const ACCOUNT: &str =
    "SELECT id, login, role, organisation_id, password_hash, must_change_password,
    totp_secret, totp_last_step, deactivated_at FROM console_accounts";

fn account(r: &Row) -> Account {
    Account {
        id: r[0].text(),
        login: r[1].text(),
        role: if r[2].text() == "server" {
            Role::Server
        } else {
            Role::Organisation(r[3].text())
        },
        password_hash: r[4].text(),
        must_change_password: r[5].int() != 0,
        totp_secret: r[6].opt_text(),
        totp_last_step: r[7].int(),
        active: r[8].opt_text().is_none(),
    }
}

pub fn account_by_login(sql: &mut dyn Sql, login: &str) -> Result<Option<Account>, StoreError> {
    Ok(sql
        .row(&format!("{ACCOUNT} WHERE login = ?1"), &[login.into()])?
        .map(|r| account(&r)))
}

pub fn account_by_id(sql: &mut dyn Sql, id: &str) -> Result<Option<Account>, StoreError> {
    Ok(sql
        .row(&format!("{ACCOUNT} WHERE id = ?1"), &[id.into()])?
        .map(|r| account(&r)))
}

pub fn insert_account(
    sql: &mut dyn Sql,
    id: &str,
    login: &str,
    role: &Role,
    password_hash: &str,
    now: &str,
) -> Result<(), StoreError> {
    let (role, organisation) = match role {
        Role::Server => ("server", None),
        Role::Organisation(o) => ("organisation", Some(o.as_str())),
    };
    sql.exec(
        "INSERT INTO console_accounts (id, login, role, organisation_id, password_hash,
           must_change_password, totp_last_step, created_at) VALUES (?1, ?2, ?3, ?4, ?5, 1, 0, ?6)",
        &[
            id.into(),
            login.into(),
            role.into(),
            organisation.into(),
            password_hash.into(),
            now.into(),
        ],
    )?;
    Ok(())
}

pub fn set_password(sql: &mut dyn Sql, id: &str, hash: &str) -> Result<(), StoreError> {
    sql.exec(
        "UPDATE console_accounts SET password_hash = ?1, must_change_password = 0 WHERE id = ?2",
        &[hash.into(), id.into()],
    )?;
    Ok(())
}

pub fn set_totp(
    sql: &mut dyn Sql,
    id: &str,
    secret: Option<&str>,
    step: i64,
) -> Result<(), StoreError> {
    sql.exec(
        "UPDATE console_accounts SET totp_secret = ?1, totp_last_step = ?2 WHERE id = ?3",
        &[secret.into(), step.into(), id.into()],
    )?;
    Ok(())
}

/// The account can no longer log in, and its open sessions end now.
pub fn deactivate_account(sql: &mut dyn Sql, id: &str, now: &str) -> Result<bool, StoreError> {
    let changed = sql.exec(
        "UPDATE console_accounts SET deactivated_at = ?1 WHERE id = ?2 AND deactivated_at IS NULL",
        &[now.into(), id.into()],
    )?;
    sql.exec(
        "DELETE FROM console_sessions WHERE account_id = ?1",
        &[id.into()],
    )?;
    Ok(changed == 1)
}

pub struct AccountRow {
    pub id: String,
    pub login: String,
    pub organisation: Option<String>,
    pub totp: bool,
    pub active: bool,
}

pub fn accounts(sql: &mut dyn Sql) -> Result<Vec<AccountRow>, StoreError> {
    Ok(sql
        .rows(
            "SELECT a.id, a.login, o.name, a.totp_secret, a.deactivated_at FROM console_accounts a
             LEFT JOIN organisations o ON o.id = a.organisation_id ORDER BY a.login",
            &[],
        )?
        .iter()
        .map(|r| AccountRow {
            id: r[0].text(),
            login: r[1].text(),
            organisation: r[2].opt_text(),
            totp: r[3].opt_text().is_some(),
            active: r[4].opt_text().is_none(),
        })
        .collect())
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub account_id: Option<String>,
    pub csrf: String,
    pub stage: String,
    pub pending_totp: Option<String>,
    pub created_at: String,
    pub seen_at: String,
}

pub fn session(sql: &mut dyn Sql, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
    Ok(sql
        .row(
            "SELECT account_id, csrf, stage, pending_totp, created_at, seen_at
             FROM console_sessions WHERE token_hash = ?1",
            &[token_hash.into()],
        )?
        .map(|r| SessionRow {
            account_id: r[0].opt_text(),
            csrf: r[1].text(),
            stage: r[2].text(),
            pending_totp: r[3].opt_text(),
            created_at: r[4].text(),
            seen_at: r[5].text(),
        }))
}

pub fn insert_session(
    sql: &mut dyn Sql,
    token_hash: &str,
    account_id: Option<&str>,
    csrf: &str,
    stage: &str,
    now: &str,
) -> Result<(), StoreError> {
    sql.exec(
        "INSERT INTO console_sessions (token_hash, account_id, csrf, stage, created_at, seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        &[
            token_hash.into(),
            account_id.into(),
            csrf.into(),
            stage.into(),
            now.into(),
        ],
    )?;
    Ok(())
}

pub fn update_session(
    sql: &mut dyn Sql,
    token_hash: &str,
    stage: &str,
    pending_totp: Option<&str>,
    now: &str,
) -> Result<(), StoreError> {
    sql.exec(
        "UPDATE console_sessions SET stage = ?1, pending_totp = ?2, seen_at = ?3 WHERE token_hash = ?4",
        &[stage.into(), pending_totp.into(), now.into(), token_hash.into()],
    )?;
    Ok(())
}

pub fn touch_session(sql: &mut dyn Sql, token_hash: &str, now: &str) -> Result<(), StoreError> {
    sql.exec(
        "UPDATE console_sessions SET seen_at = ?1 WHERE token_hash = ?2",
        &[now.into(), token_hash.into()],
    )?;
    Ok(())
}

pub fn delete_session(sql: &mut dyn Sql, token_hash: &str) -> Result<(), StoreError> {
    sql.exec(
        "DELETE FROM console_sessions WHERE token_hash = ?1",
        &[token_hash.into()],
    )?;
    Ok(())
}

/// Drops sessions idle since `idle_before` or started before `started_before`.
pub fn purge_sessions(
    sql: &mut dyn Sql,
    idle_before: &str,
    started_before: &str,
) -> Result<(), StoreError> {
    sql.exec(
        "DELETE FROM console_sessions WHERE seen_at < ?1 OR created_at < ?2",
        &[idle_before.into(), started_before.into()],
    )?;
    Ok(())
}

pub fn record_failure(sql: &mut dyn Sql, login: &str, now: &str) -> Result<(), StoreError> {
    sql.exec(
        "INSERT INTO console_login_failures (login, at) VALUES (?1, ?2)",
        &[login.into(), now.into()],
    )?;
    Ok(())
}

pub fn failures_since(sql: &mut dyn Sql, login: &str, since: &str) -> Result<i64, StoreError> {
    sql.exec(
        "DELETE FROM console_login_failures WHERE at < ?1",
        &[since.into()],
    )?;
    Ok(sql
        .row(
            "SELECT COUNT(*) FROM console_login_failures WHERE login = ?1 AND at >= ?2",
            &[login.into(), since.into()],
        )?
        .map_or(0, |r| r[0].int()))
}

pub fn clear_failures(sql: &mut dyn Sql, login: &str) -> Result<(), StoreError> {
    sql.exec(
        "DELETE FROM console_login_failures WHERE login = ?1",
        &[login.into()],
    )?;
    Ok(())
}

pub fn audit(
    sql: &mut dyn Sql,
    id: &str,
    actor: &str,
    organisation: Option<&str>,
    action: &str,
    subject: &str,
    now: &str,
) -> Result<(), StoreError> {
    sql.exec(
        "INSERT INTO console_audit (id, at, actor, organisation_id, action, subject)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[
            id.into(),
            now.into(),
            actor.into(),
            organisation.into(),
            action.into(),
            subject.into(),
        ],
    )?;
    Ok(())
}

pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub organisation: Option<String>,
    pub action: String,
    pub subject: String,
}

/// The newest entries first; one organisation's only when given.
pub fn audit_log(
    sql: &mut dyn Sql,
    organisation: Option<&str>,
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    let rows = match organisation {
        Some(o) => sql.rows(
            "SELECT a.at, a.actor, o.name, a.action, a.subject FROM console_audit a
             LEFT JOIN organisations o ON o.id = a.organisation_id
             WHERE a.organisation_id = ?1 ORDER BY a.at DESC LIMIT ?2",
            &[o.into(), limit.into()],
        )?,
        None => sql.rows(
            "SELECT a.at, a.actor, o.name, a.action, a.subject FROM console_audit a
             LEFT JOIN organisations o ON o.id = a.organisation_id
             ORDER BY a.at DESC LIMIT ?1",
            &[limit.into()],
        )?,
    };
    Ok(rows
        .iter()
        .map(|r| AuditRow {
            at: r[0].text(),
            actor: r[1].text(),
            organisation: r[2].opt_text(),
            action: r[3].text(),
            subject: r[4].text(),
        })
        .collect())
}

pub struct OrganisationRow {
    pub id: String,
    pub name: String,
    pub key_set: bool,
}

pub fn organisations(sql: &mut dyn Sql) -> Result<Vec<OrganisationRow>, StoreError> {
    Ok(sql
        .rows(
            "SELECT o.id, o.name, k.public_key FROM organisations o
             LEFT JOIN organisation_keys k ON k.organisation_id = o.id ORDER BY o.name, o.id",
            &[],
        )?
        .iter()
        .map(|r| OrganisationRow {
            id: r[0].text(),
            name: r[1].text(),
            key_set: r[2].opt_text().is_some(),
        })
        .collect())
}

pub fn organisation_name(sql: &mut dyn Sql, id: &str) -> Result<Option<String>, StoreError> {
    Ok(sql
        .row("SELECT name FROM organisations WHERE id = ?1", &[id.into()])?
        .map(|r| r[0].text()))
}

/// Which organisation a staff account or a device belongs to (for the cross-organisation check).
pub fn owner_of_staff(sql: &mut dyn Sql, id: &str) -> Result<Option<String>, StoreError> {
    Ok(sql
        .row(
            "SELECT organisation_id FROM staff WHERE id = ?1",
            &[id.into()],
        )?
        .map(|r| r[0].text()))
}

pub fn owner_of_device(sql: &mut dyn Sql, id: &str) -> Result<Option<String>, StoreError> {
    Ok(sql
        .row(
            "SELECT organisation_id FROM devices WHERE id = ?1",
            &[id.into()],
        )?
        .map(|r| r[0].text()))
}

pub struct DeviceRow {
    pub id: String,
    pub name: String,
    pub team: String,
    pub staff: Option<String>,
    pub enrolled_at: String,
    /// Its last sync (its last report), else its last signed request, if any.
    pub last_contact: Option<String>,
    /// Operations the server holds but cannot apply yet (their base has not arrived).
    pub held_here: i64,
    pub key_granted: bool,
    pub revoked: bool,
    /// What it reported at its last sync (`None` before its first report).
    pub report: Option<DeviceReportRow>,
}

pub struct DeviceReportRow {
    pub app_version: String,
    pub content_version: Option<i64>,
    pub pending: i64,
    pub held: i64,
    pub audit_count: i64,
    pub audit_head: String,
    /// When its audit log was seen shorter than before (or rewritten).
    pub audit_dropped_at: Option<String>,
}

pub fn devices_of(sql: &mut dyn Sql, organisation: &str) -> Result<Vec<DeviceRow>, StoreError> {
    Ok(sql
        .rows(
            "SELECT d.id, d.name, d.team, s.name, d.enrolled_at,
               COALESCE(r.reported_at, (SELECT MAX(n.seen_at) FROM nonces n WHERE n.device_id = d.id)),
               (SELECT COUNT(*) FROM ops o WHERE o.device_id = d.id AND o.applied = 0),
               (SELECT COUNT(*) FROM key_grants g WHERE g.device_id = d.id),
               d.revoked_at, r.reported_at, r.app_version, r.content_version, r.pending, r.held,
               r.audit_count, r.audit_head, r.audit_dropped_at
             FROM devices d
             LEFT JOIN staff_devices sd ON sd.device_id = d.id
             LEFT JOIN staff s ON s.id = sd.staff_id
             LEFT JOIN device_status r ON r.device_id = d.id
             WHERE d.organisation_id = ?1
             ORDER BY d.revoked_at IS NOT NULL, d.team, d.enrolled_at",
            &[organisation.into()],
        )?
        .iter()
        .map(|r| DeviceRow {
            id: r[0].text(),
            name: r[1].text(),
            team: r[2].text(),
            staff: r[3].opt_text(),
            enrolled_at: r[4].text(),
            last_contact: r[5].opt_text(),
            held_here: r[6].int(),
            key_granted: r[7].int() > 0,
            revoked: r[8].opt_text().is_some(),
            report: r[9].opt_text().map(|_| DeviceReportRow {
                app_version: r[10].text(),
                content_version: r[11].opt_text().map(|_| r[11].int()),
                pending: r[12].int(),
                held: r[13].int(),
                audit_count: r[14].int(),
                audit_head: r[15].text(),
                audit_dropped_at: r[16].opt_text(),
            }),
        })
        .collect())
}

/// Retention days, and PIN minimum length with letters allowed: each if set.
pub type OrganisationSettings = (Option<i64>, Option<(i64, bool)>);

/// An organisation's settings for its devices.
pub fn organisation_settings(
    sql: &mut dyn Sql,
    organisation: &str,
) -> Result<OrganisationSettings, StoreError> {
    Ok(sql
        .row(
            "SELECT retention_days, pin_min_length, pin_letters_allowed FROM organisations WHERE id = ?1",
            &[organisation.into()],
        )?
        .map_or((None, None), |r| {
            (
                r[0].opt_text().map(|_| r[0].int()),
                r[1].opt_text().map(|_| (r[1].int(), r[2].int() != 0)),
            )
        }))
}

pub struct KeyStatus {
    pub set_at: Option<String>,
    /// The admin key's fingerprint, as devices pin it at enrolment.
    pub fingerprint: Option<String>,
    /// The sealing key's serial: 1, then one more at each rotation.
    pub serial: Option<i64>,
    pub granted: i64,
    pub waiting: i64,
}

pub fn key_status(sql: &mut dyn Sql, organisation: &str) -> Result<KeyStatus, StoreError> {
    let key = sql.row(
        "SELECT public_key, created_at FROM organisation_keys WHERE organisation_id = ?1",
        &[organisation.into()],
    )?;
    let count = |sql: &mut dyn Sql, q: &str| -> Result<i64, StoreError> {
        Ok(sql
            .row(q, &[organisation.into()])?
            .map_or(0, |r| r[0].int()))
    };
    let granted = count(
        sql,
        "SELECT COUNT(*) FROM key_grants g JOIN devices d ON d.id = g.device_id
         JOIN organisation_keys k ON k.organisation_id = g.organisation_id AND k.public_key = g.organisation_key
         WHERE g.organisation_id = ?1 AND d.revoked_at IS NULL",
    )?;
    let waiting = count(
        sql,
        "SELECT COUNT(*) FROM devices d WHERE d.organisation_id = ?1 AND d.revoked_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM key_grants g WHERE g.device_id = d.id)",
    )?;
    let admin_key = sql.row(
        "SELECT public_key FROM organisation_admin_keys WHERE organisation_id = ?1",
        &[organisation.into()],
    )?;
    let serial = sql
        .row(
            "SELECT MAX(serial) FROM organisation_key_certs WHERE organisation_id = ?1",
            &[organisation.into()],
        )?
        .filter(|r| r[0] != Value::Null)
        .map(|r| r[0].int());
    Ok(KeyStatus {
        fingerprint: admin_key.map(|r| senda_protocol::trust::admin_fingerprint(&r[0].text())),
        serial,
        set_at: key.map(|r| r[1].text()),
        granted,
        waiting,
    })
}

pub struct RouteRow {
    pub service_id: String,
    pub organisation_id: String,
    pub organisation: String,
}

pub fn routes(sql: &mut dyn Sql) -> Result<Vec<RouteRow>, StoreError> {
    Ok(sql
        .rows(
            "SELECT r.service_id, r.organisation_id, o.name FROM service_routes r
             JOIN organisations o ON o.id = r.organisation_id ORDER BY r.service_id",
            &[],
        )?
        .iter()
        .map(|r| RouteRow {
            service_id: r[0].text(),
            organisation_id: r[1].text(),
            organisation: r[2].text(),
        })
        .collect())
}

/// Services that devices referred to but that no organisation receives on
/// Senda: their referrals travel only on paper slips. With how many referrals
/// (from the counts kept with the data, store/counts.rs).
pub fn unrouted_services(sql: &mut dyn Sql) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(sql
        .rows(
            "SELECT f.value, CAST(SUM(f.n) AS BIGINT) FROM stats_referrals f
             WHERE f.kind = 'service'
               AND NOT EXISTS (SELECT 1 FROM service_routes r WHERE r.service_id = f.value)
             GROUP BY f.value ORDER BY f.value",
            &[],
        )?
        .iter()
        .map(|r| (r[0].text(), r[1].int()))
        .collect())
}

pub fn route_of(sql: &mut dyn Sql, service: &str) -> Result<Option<String>, StoreError> {
    Ok(sql
        .row(
            "SELECT organisation_id FROM service_routes WHERE service_id = ?1",
            &[service.into()],
        )?
        .map(|r| r[0].text()))
}

/// Referral counts by status and receiving organisation (name; empty when none):
/// those the organisation sent or receives, or all when `None`.
pub fn referral_counts(
    sql: &mut dyn Sql,
    organisation: Option<&str>,
) -> Result<Vec<(String, String, u64)>, StoreError> {
    Ok(referral_facts(sql, organisation)?
        .status
        .into_iter()
        .fold(
            std::collections::BTreeMap::<(String, String), u64>::new(),
            |mut m, f| {
                *m.entry((f.value, f.receiver)).or_default() += f.n;
                m
            },
        )
        .into_iter()
        .map(|((status, receiver), n)| (status, receiver, n))
        .collect())
}

pub struct OverdueRow {
    pub code: String,
    pub service_id: String,
    pub since: String,
    pub status: String,
}

/// Referrals the organisation sent or receives, still not accepted (sent or
/// received) since before `before`: code, service, date and status only.
pub fn overdue_referrals(
    sql: &mut dyn Sql,
    organisation: &str,
    before: &str,
) -> Result<Vec<OverdueRow>, StoreError> {
    Ok(sql
        .rows(
            "SELECT code, service_id, updated_at, status FROM referrals
             WHERE (sender_org = ?1 OR receiver_org = ?1) AND status IN ('sent', 'received')
               AND updated_at < ?2
             ORDER BY updated_at LIMIT 500",
            &[organisation.into(), before.into()],
        )?
        .iter()
        .map(|r| OverdueRow {
            code: r[0].text(),
            service_id: r[1].text(),
            since: r[2].text(),
            status: r[3].text(),
        })
        .collect())
}

/// One grouped count of referrals: a status, service or band of days to
/// acceptance (`value`), its receiver's name ("" when none), the month of the
/// referrals' last change (`YYYY-MM`), and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralFact {
    pub value: String,
    pub receiver: String,
    pub month: String,
    pub n: u64,
}

#[derive(Debug, Clone, Default)]
pub struct ReferralFacts {
    pub status: Vec<ReferralFact>,
    pub service: Vec<ReferralFact>,
    /// Accepted referrals by days from sent to accepted (store::counts::ACCEPT_BANDS).
    pub accept: Vec<ReferralFact>,
}

/// Referral counts for the statistics, from the counts kept with the data:
/// those the organisation sent or receives, or all when `None`.
pub fn referral_facts(
    sql: &mut dyn Sql,
    organisation: Option<&str>,
) -> Result<ReferralFacts, StoreError> {
    let select = "SELECT f.kind, f.value, COALESCE(o.name, ''), f.month, CAST(SUM(f.n) AS BIGINT)
         FROM stats_referrals f LEFT JOIN organisations o ON o.id = f.receiver_org";
    let group = "GROUP BY f.kind, f.value, o.name, f.month";
    let rows = match organisation {
        Some(o) => sql.rows(
            &format!("{select} WHERE f.sender_org = ?1 OR f.receiver_org = ?1 {group}"),
            &[o.into()],
        )?,
        None => sql.rows(&format!("{select} {group}"), &[])?,
    };
    let mut out = ReferralFacts::default();
    for r in rows {
        let fact = ReferralFact {
            value: r[1].text(),
            receiver: r[2].text(),
            month: r[3].text(),
            n: r[4].int().max(0) as u64,
        };
        match r[0].text().as_str() {
            "status" => out.status.push(fact),
            "service" => out.service.push(fact),
            "accept" => out.accept.push(fact),
            _ => {}
        }
    }
    Ok(out)
}

/// Which countries and ISO weeks the organisation's screenings (or all) are counted under.
pub fn screening_choices(
    sql: &mut dyn Sql,
    organisation: Option<&str>,
) -> Result<(Vec<String>, Vec<String>), StoreError> {
    let (scope, params): (&str, Vec<Value>) = match organisation {
        Some(o) => ("WHERE organisation_id = ?1", vec![o.into()]),
        None => ("", Vec::new()),
    };
    let list = |sql: &mut dyn Sql, column: &str| -> Result<Vec<String>, StoreError> {
        Ok(sql
            .rows(
                &format!(
                    "SELECT DISTINCT {column} FROM stats_screenings {scope} ORDER BY {column}"
                ),
                &params,
            )?
            .iter()
            .map(|r| r[0].text())
            .collect())
    };
    Ok((list(sql, "country")?, list(sql, "week")?))
}

/// Screening counts by risk level × age band and by ISO week × country, from
/// the counts kept with the data (store/counts.rs), filtered here by
/// organisation, country and ISO weeks (a month's). Cases without a week
/// (written before devices sent the coarse fields) are not counted.
pub fn screening_counts(
    sql: &mut dyn Sql,
    organisation: Option<&str>,
    country: Option<&str>,
    weeks: Option<&[String]>,
) -> Result<super::stats::ScreeningCounts, StoreError> {
    let mut conditions = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    if let Some(o) = organisation {
        params.push(o.into());
        conditions.push(format!("organisation_id = ?{}", params.len()));
    }
    if let Some(c) = country {
        params.push(c.into());
        conditions.push(format!("country = ?{}", params.len()));
    }
    if let Some(weeks) = weeks {
        let mut marks = Vec::new();
        for w in weeks {
            params.push(w.into());
            marks.push(format!("?{}", params.len()));
        }
        // A month with no weeks (malformed) matches nothing.
        conditions.push(if marks.is_empty() {
            "1 = 0".to_owned()
        } else {
            format!("week IN ({})", marks.join(", "))
        });
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let mut pairs = |a: &str, b: &str| -> Result<Vec<(String, String, u64)>, StoreError> {
        Ok(sql
            .rows(
                &format!(
                    "SELECT {a}, {b}, CAST(SUM(n) AS BIGINT) FROM stats_screenings {filter} GROUP BY {a}, {b}"
                ),
                &params,
            )?
            .iter()
            .map(|r| (r[0].text(), r[1].text(), r[2].int().max(0) as u64))
            .collect())
    };
    Ok(super::stats::ScreeningCounts {
        by_risk: pairs("risk_level", "age_band")?,
        by_week: pairs("week", "country")?,
    })
}
/// How many active devices run each content pack version (`None`: none
/// installed), from their last reports.
pub fn content_versions(sql: &mut dyn Sql) -> Result<Vec<(Option<i64>, i64)>, StoreError> {
    Ok(sql
        .rows(
            "SELECT r.content_version, COUNT(*) FROM device_status r
             JOIN devices d ON d.id = r.device_id WHERE d.revoked_at IS NULL
             GROUP BY r.content_version ORDER BY r.content_version DESC",
            &[],
        )?
        .iter()
        .map(|r| (r[0].opt_text().map(|_| r[0].int()), r[1].int()))
        .collect())
}
