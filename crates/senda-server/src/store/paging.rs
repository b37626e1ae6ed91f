//! Listings a device reads in pages (M5), and retiring a device (M4).
//!
//! Every page stays under `MAX_PAGE_BYTES` and `MAX_PAGE_ITEMS`, far below
//! what a device reads (`MAX_ANSWER_BYTES`), so a listing that grows to
//! 100,000 routes or years of referrals is read in more pages, never refused.

use super::StoreError;
use super::logic::Device;
use super::sql::{self as col, Sql};
use senda_protocol::{IncomingPage, IncomingReferral, MAX_PAGE_BYTES, MAX_PAGE_ITEMS};

/// Devices still waiting for their organisation's secret, listed per page
/// (the rest are listed at a later sync, once these are granted).
pub(super) const AWAITING_PER_PAGE: usize = 100;

/// Takes rows while they fit a page; the cursor of the last one if more remain.
pub(super) fn page<T>(
    rows: Vec<T>,
    size: impl Fn(&T) -> usize,
    key: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let mut bytes = 0;
    let mut out = Vec::new();
    let total = rows.len();
    for row in rows {
        let n = size(&row) + 16;
        if out.len() == MAX_PAGE_ITEMS || (!out.is_empty() && bytes + n > MAX_PAGE_BYTES) {
            break;
        }
        bytes += n;
        out.push(row);
    }
    let next = (out.len() < total).then(|| out.last().map(&key)).flatten();
    (out, next)
}

/// A page of the open referrals addressed to the device's organisation, by
/// id after `cursor`. Closed, withdrawn and revoked ones are left out: their
/// story is over, and a withdrawn child's summary is not handed out again.
pub fn incoming(
    sql: &mut dyn Sql,
    device: &Device,
    cursor: Option<&str>,
) -> Result<IncomingPage, StoreError> {
    let rows = sql.rows(
        "SELECT id, code, service_id, status, summary FROM referrals
         WHERE receiver_org = ?1 AND id > ?2
           AND status NOT IN ('draft', 'closed', 'withdrawn', 'revoked')
         ORDER BY id LIMIT ?3",
        &[
            device.organisation.clone().into(),
            cursor.unwrap_or("").into(),
            (MAX_PAGE_ITEMS as i64 + 1).into(),
        ],
    )?;
    // A damaged row fails the listing loudly (StoreError::Damaged), never a null summary.
    let sized: Vec<(usize, IncomingReferral)> = rows
        .iter()
        .map(|r| {
            let summary = col::text(r, 4, "referrals.summary")?;
            let referral = IncomingReferral {
                id: col::text(r, 0, "referrals.id")?,
                code: col::text(r, 1, "referrals.code")?,
                service_id: col::text(r, 2, "referrals.service_id")?,
                status: col::text(r, 3, "referrals.status")?,
                summary: serde_json::from_str(&summary)
                    .map_err(|e| col::damaged("referrals.summary", e.to_string()))?,
            };
            let size =
                referral.id.len() + referral.code.len() + referral.service_id.len() + summary.len();
            Ok((size, referral))
        })
        .collect::<Result<_, StoreError>>()?;
    let (referrals, next) = page(sized, |(n, _)| *n, |(_, r)| r.id.clone());
    Ok(IncomingPage {
        referrals: referrals.into_iter().map(|(_, r)| r).collect(),
        next,
    })
}

/// Marks an active device to be retired: it may push, then it is told to wipe.
pub fn retire_device(sql: &mut dyn Sql, id: &str, now: &str) -> Result<bool, StoreError> {
    Ok(sql.exec(
        "UPDATE devices SET retire_requested_at = ?1
         WHERE id = ?2 AND revoked_at IS NULL AND retire_requested_at IS NULL",
        &[now.into(), id.into()],
    )? == 1)
}

/// The retiring device has pushed what it had and asked for something else: revoked now.
pub fn finish_retirement(sql: &mut dyn Sql, id: &str, now: &str) -> Result<(), StoreError> {
    sql.exec(
        "UPDATE devices SET revoked_at = ?1
         WHERE id = ?2 AND revoked_at IS NULL AND retire_requested_at IS NOT NULL",
        &[now.into(), id.into()],
    )?;
    Ok(())
}

/// Whether the sending side may move referral `id` to `status` (L5): only to
/// queued (from a draft; the server then holds it as sent), withdrawn or
/// revoked, along the lifecycle. The receiver's states are the receiver's.
pub fn sender_may(sql: &mut dyn Sql, id: &str, status: &str) -> Result<bool, StoreError> {
    use senda_protocol::ReferralStatus as S;
    let Some(to) = S::parse(status) else {
        return Ok(false);
    };
    let from = sql
        .row("SELECT status FROM referrals WHERE id = ?1", &[id.into()])?
        .and_then(|r| S::parse(&r[0].text()))
        .unwrap_or(S::Draft);
    // The referrer's steps in the lifecycle (senda-protocol): queued from a draft, withdrawn or revoked while open.
    Ok(from
        .next_statuses(senda_protocol::ReferralActor::Referrer)
        .contains(&to))
}
