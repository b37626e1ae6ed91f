//! Organisations' keys on the server. The server stores and relays what each
//! organisation's administrator signed (key certificates, trust in other
//! organisations) and the grants devices sealed to each other; devices check
//! every signature themselves, so nothing here can make them trust a key.

use super::logic::{Device, ensure_organisation, refused};
use super::paging::{AWAITING_PER_PAGE, page};
use super::sql::Sql;
use super::{Refusal, StoreError};
use senda_protocol::{
    AwaitingKey, KeyGrant, KeysResponse, MAX_PAGE_ITEMS, OrgKeyCert, OrgTrust, RouteKey, SealedBox,
};

/// The organisation's current box key (the newest certificate's).
pub fn organisation_key_of(
    sql: &mut dyn Sql,
    organisation: &str,
) -> Result<Option<String>, StoreError> {
    Ok(sql
        .row(
            "SELECT public_key FROM organisation_keys WHERE organisation_id = ?1",
            &[organisation.into()],
        )?
        .map(|r| r[0].text()))
}

pub fn admin_key_of(sql: &mut dyn Sql, organisation: &str) -> Result<Option<String>, StoreError> {
    Ok(sql
        .row(
            "SELECT public_key FROM organisation_admin_keys WHERE organisation_id = ?1",
            &[organisation.into()],
        )?
        .map(|r| r[0].text()))
}

fn certificates_of(sql: &mut dyn Sql, organisation: &str) -> Result<Vec<OrgKeyCert>, StoreError> {
    Ok(sql
        .rows(
            "SELECT certificate FROM organisation_key_certs WHERE organisation_id = ?1 ORDER BY serial",
            &[organisation.into()],
        )?
        .into_iter()
        .filter_map(|r| serde_json::from_str(&r[0].text()).ok())
        .collect())
}

/// Registers an organisation's admin key and the key certificates it signed.
/// The admin key never changes; a new box key needs `rotate` (so that a key
/// is never replaced by mistake), and a rotation must raise the serial.
/// Grants of an older key are dropped: each device must be granted again.
pub fn set_organisation_keys(
    sql: &mut dyn Sql,
    organisation: &str,
    admin_key: &str,
    certificates: &[OrgKeyCert],
    rotate: bool,
    now: &str,
) -> Result<u32, StoreError> {
    ensure_organisation(sql, organisation)?;
    if senda_protocol::unhex(admin_key).is_none_or(|k| k.len() != 32) {
        return Err(refused(Refusal::BadKey));
    }
    // The server checks what it is given only to catch mistakes; devices check again.
    if certificates.is_empty()
        || certificates
            .iter()
            .any(|c| c.organisation != organisation || !c.verify(admin_key))
    {
        return Err(refused(Refusal::BadCertificate));
    }
    match admin_key_of(sql, organisation)? {
        Some(known) if known != admin_key => return Err(refused(Refusal::AdminKeyExists)),
        Some(_) => {}
        None => {
            sql.exec(
                "INSERT INTO organisation_admin_keys (organisation_id, public_key, created_at) VALUES (?1, ?2, ?3)",
                &[organisation.into(), admin_key.into(), now.into()],
            )?;
        }
    }
    let newest = certificates
        .iter()
        .max_by_key(|c| c.serial)
        .expect("not empty");
    if newest.retired_at.is_some() {
        return Err(refused(Refusal::BadCertificate));
    }
    let current = sql
        .row(
            "SELECT MAX(serial) FROM organisation_key_certs WHERE organisation_id = ?1",
            &[organisation.into()],
        )?
        .and_then(|r| r[0].opt_text())
        .map(|s| s.parse::<u32>().unwrap_or(0));
    match current {
        Some(c) if rotate && newest.serial <= c => return Err(refused(Refusal::BadCertificate)),
        Some(c) if !rotate && newest.serial != c => return Err(refused(Refusal::KeyExists)),
        None if rotate => return Err(refused(Refusal::NoOrganisationKey)),
        _ => {}
    }
    if !rotate
        && let Some(known) = organisation_key_of(sql, organisation)?
        && known != newest.box_key
    {
        return Err(refused(Refusal::KeyExists));
    }
    for cert in certificates {
        sql.exec(
            "DELETE FROM organisation_key_certs WHERE organisation_id = ?1 AND serial = ?2",
            &[organisation.into(), i64::from(cert.serial).into()],
        )?;
        sql.exec(
            "INSERT INTO organisation_key_certs (organisation_id, serial, box_key, certificate) VALUES (?1, ?2, ?3, ?4)",
            &[
                organisation.into(),
                i64::from(cert.serial).into(),
                cert.box_key.clone().into(),
                serde_json::to_string(cert).expect("JSON").into(),
            ],
        )?;
    }
    sql.exec(
        "DELETE FROM key_grants WHERE organisation_id = ?1 AND organisation_key <> ?2",
        &[organisation.into(), newest.box_key.clone().into()],
    )?;
    sql.exec(
        "INSERT INTO organisation_keys (organisation_id, public_key, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (organisation_id) DO UPDATE SET public_key = excluded.public_key, created_at = excluded.created_at",
        &[organisation.into(), newest.box_key.clone().into(), now.into()],
    )?;
    Ok(newest.serial)
}

/// Keeps what an organisation's administrator signed about another organisation.
pub fn trust_organisation(sql: &mut dyn Sql, trust: &OrgTrust) -> Result<(), StoreError> {
    ensure_organisation(sql, &trust.organisation)?;
    ensure_organisation(sql, &trust.trusted)?;
    let signer =
        admin_key_of(sql, &trust.organisation)?.ok_or(refused(Refusal::NoOrganisationKey))?;
    if !trust.verify(&signer)
        || admin_key_of(sql, &trust.trusted)?.as_deref() != Some(trust.admin_key.as_str())
    {
        return Err(refused(Refusal::BadCertificate));
    }
    sql.exec(
        "DELETE FROM organisation_trust WHERE organisation_id = ?1 AND trusted_org = ?2",
        &[
            trust.organisation.clone().into(),
            trust.trusted.clone().into(),
        ],
    )?;
    sql.exec(
        "INSERT INTO organisation_trust (organisation_id, trusted_org, body) VALUES (?1, ?2, ?3)",
        &[
            trust.organisation.clone().into(),
            trust.trusted.clone().into(),
            serde_json::to_string(trust).expect("JSON").into(),
        ],
    )?;
    Ok(())
}

/// The organisation's devices that hold no grant yet, with what a person
/// needs to recognise them (name, and both keys for the fingerprint). A
/// device being retired is never handed a key.
pub fn awaiting_key(sql: &mut dyn Sql, organisation: &str) -> Result<Vec<AwaitingKey>, StoreError> {
    ensure_organisation(sql, organisation)?;
    Ok(sql
        .rows(
            "SELECT d.id, b.public_key, d.name, d.public_key FROM devices d JOIN device_box_keys b ON b.device_id = d.id
             WHERE d.organisation_id = ?1 AND d.revoked_at IS NULL AND d.retire_requested_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM key_grants g WHERE g.device_id = d.id)
             ORDER BY d.enrolled_at",
            &[organisation.into()],
        )?
        .into_iter()
        .map(|r| AwaitingKey {
            device_id: r[0].text(),
            box_key: r[1].text(),
            name: r[2].text(),
            public_key: r[3].text(),
        })
        .collect())
}

/// Keeps an organisation's keys, sealed (elsewhere) to one device's box key.
pub fn grant_key(
    sql: &mut dyn Sql,
    device_id: &str,
    sealed: &SealedBox,
    now: &str,
) -> Result<(), StoreError> {
    let Some(row) = sql.row(
        "SELECT d.organisation_id, b.public_key FROM devices d JOIN device_box_keys b ON b.device_id = d.id
         WHERE d.id = ?1 AND d.revoked_at IS NULL AND d.retire_requested_at IS NULL",
        &[device_id.into()],
    )?
    else {
        return Err(refused(Refusal::NoSuchDevice));
    };
    let organisation = row[0].text();
    // Sealed to anything but this device's key, nobody could open it.
    if sealed.to != row[1].text() {
        return Err(refused(Refusal::BadKey));
    }
    let Some(org_key) = organisation_key_of(sql, &organisation)? else {
        return Err(refused(Refusal::NoOrganisationKey));
    };
    sql.exec(
        "INSERT INTO key_grants (device_id, organisation_id, organisation_key, sealed, granted_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (device_id) DO UPDATE SET organisation_key = excluded.organisation_key,
           sealed = excluded.sealed, granted_at = excluded.granted_at",
        &[
            device_id.into(),
            organisation.into(),
            org_key.into(),
            serde_json::to_string(sealed).expect("JSON").into(),
            now.into(),
        ],
    )?;
    Ok(())
}

/// What a device needs to seal and to open: a page of routes (by service id
/// after `cursor`, M5), the certificates and trust its administrator signed,
/// its own grant, and (for a device holding a grant) its organisation's
/// devices waiting for a person to hand them the key. Only the routes are
/// paged; the rest repeats on every page.
pub fn keys(
    sql: &mut dyn Sql,
    device: &Device,
    cursor: Option<&str>,
) -> Result<KeysResponse, StoreError> {
    let routes: Vec<RouteKey> = sql
        .rows(
            "SELECT r.service_id, r.organisation_id, k.public_key FROM service_routes r
             JOIN organisation_keys k ON k.organisation_id = r.organisation_id
             WHERE r.service_id > ?1 ORDER BY r.service_id LIMIT ?2",
            &[
                cursor.unwrap_or("").into(),
                (MAX_PAGE_ITEMS as i64 + 1).into(),
            ],
        )?
        .into_iter()
        .map(|r| RouteKey {
            service_id: r[0].text(),
            organisation: r[1].text(),
            public_key: r[2].text(),
        })
        .collect();
    let (routes, next) = page(
        routes,
        |r| r.service_id.len() + r.organisation.len() + r.public_key.len(),
        |r| r.service_id.clone(),
    );
    let organisation_key: Option<SealedBox> = sql
        .row(
            "SELECT sealed FROM key_grants WHERE device_id = ?1",
            &[device.id.clone().into()],
        )?
        .and_then(|r| serde_json::from_str(&r[0].text()).ok());
    // Only a device that holds the keys, and is not being retired, can hand
    // them over; the rest of the waiting devices are listed at a later sync,
    // once these are handled.
    let mut awaiting = if organisation_key.is_some() && !device.retiring {
        awaiting_key(sql, &device.organisation)?
    } else {
        Vec::new()
    };
    awaiting.truncate(AWAITING_PER_PAGE);
    let trust: Vec<OrgTrust> = sql
        .rows(
            "SELECT body FROM organisation_trust WHERE organisation_id = ?1 ORDER BY trusted_org",
            &[device.organisation.clone().into()],
        )?
        .into_iter()
        .filter_map(|r| serde_json::from_str(&r[0].text()).ok())
        .collect();
    let mut certificates = certificates_of(sql, &device.organisation)?;
    for t in &trust {
        certificates.extend(certificates_of(sql, &t.trusted)?);
    }
    let organisation_public_key = organisation_key_of(sql, &device.organisation)?;
    Ok(KeysResponse {
        routes,
        organisation_key,
        awaiting,
        certificates,
        trust,
        organisation_public_key,
        next,
    })
}

/// A box key the server accepts: canonical hex of 32 bytes, not of low order.
pub(super) fn valid_box_key(key: &str) -> Result<(), StoreError> {
    match senda_protocol::unhex(key) {
        // A low-order point would make every box sealed to it predictable: sealing refuses it.
        Some(k) if k.len() == 32 && senda_protocol::seal::seal(key, b"", b"").is_ok() => Ok(()),
        _ => Err(refused(Refusal::BadKey)),
    }
}

/// A device passes its organisation's keys, sealed on the device after a
/// person approved it, to another device of the same organisation.
pub fn peer_grants(
    sql: &mut dyn Sql,
    device: &Device,
    grants: &[KeyGrant],
    now: &str,
) -> Result<usize, StoreError> {
    if sql
        .row(
            "SELECT 1 FROM key_grants WHERE device_id = ?1",
            &[device.id.clone().into()],
        )?
        .is_none()
    {
        return Err(refused(Refusal::NoOrganisationKey));
    }
    let mut granted = 0;
    for grant in grants {
        let Some(target) = sql.row(
            "SELECT (SELECT COUNT(*) FROM key_grants g WHERE g.device_id = d.id) FROM devices d
             WHERE d.id = ?1 AND d.organisation_id = ?2",
            &[
                grant.device_id.clone().into(),
                device.organisation.clone().into(),
            ],
        )?
        else {
            return Err(refused(Refusal::NoSuchDevice));
        };
        // A device's grant is never replaced by a peer (another peer may have been first).
        if target[0].int() == 0 {
            grant_key(sql, &grant.device_id, &grant.sealed, now)?;
            granted += 1;
        }
    }
    Ok(granted)
}
