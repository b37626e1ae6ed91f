//! The directory's HSDS rows as a device keeps them: grouped into records,
//! each compressed.
//!
//! A record is what one owner holds: a service with its attributes,
//! schedules, phones and places-at; a location with its address; an
//! organisation; any other row on its own. Records are what a delta pack
//! replaces and what the index re-derives from, so a changed service costs
//! one record, not a scan. Each record is JSON compressed with zstd and a
//! dictionary learnt from the publisher's own records at its full install
//! (small records compress poorly alone: the dictionary carries what they
//! share, the column names above all). Export decodes every record: nothing
//! is dropped, every column and empty value is kept.

use super::hsds::HsdsRow;
use rayon::prelude::*;
use rusqlite::{Connection, OptionalExtension, params};
use std::cmp::Reverse;
use std::collections::BTreeMap;

/// Record storage (a content-store migration).
pub(crate) const RECORDS_SQL: &str = "
CREATE TABLE hsds_record (
    owner TEXT PRIMARY KEY,
    publisher TEXT NOT NULL,
    body BLOB NOT NULL
) STRICT, WITHOUT ROWID;
-- zstd dictionaries: 'record:<publisher>' for records, 'card' for the index's cards.
CREATE TABLE dir_dictionary (name TEXT PRIMARY KEY, bytes BLOB NOT NULL) STRICT, WITHOUT ROWID;
";

/// Largest decoded record or card accepted (a signed pack is trusted, a damaged file is not).
const MAX_DECODED: usize = 64 * 1024 * 1024;
const LEVEL: i32 = 3;
const DICTIONARY_BYTES: usize = 32 * 1024;

/// The record a row belongs to, as `<kind>/<id>`. Decided from the row alone,
/// so the publisher's tool and the device always agree.
pub fn owner(row: &HsdsRow) -> String {
    let field = |c: &str| row.get(c);
    match row.table.as_str() {
        "service" | "location" | "organization" => return format!("{}/{}", row.table, row.id),
        "attribute" => {
            if let Some(link) = field("link_id") {
                let kind = field("link_entity").unwrap_or("service");
                return format!("{kind}/{link}");
            }
        }
        _ => {}
    }
    for (column, kind) in [
        ("service_id", "service"),
        ("location_id", "location"),
        ("service_at_location_id", "service_at_location"),
        ("organization_id", "organization"),
    ] {
        if let Some(id) = field(column) {
            return format!("{kind}/{id}");
        }
    }
    format!("{}/{}", row.table, row.id)
}

/// Rows grouped by owner, each record's rows in item-id order; a row given
/// twice (same table and id) keeps its last form, as a pack install always did.
pub fn group<'a>(
    rows: impl IntoIterator<Item = &'a HsdsRow>,
) -> BTreeMap<String, Vec<&'a HsdsRow>> {
    // Sorted by item id, the last form of a row first; then the first of each run kept.
    let mut unique: Vec<(usize, &HsdsRow)> = rows.into_iter().enumerate().collect();
    unique.par_sort_unstable_by(|(i, a), (j, b)| {
        (a.table.as_str(), a.id.as_str(), Reverse(i)).cmp(&(
            b.table.as_str(),
            b.id.as_str(),
            Reverse(j),
        ))
    });
    unique.dedup_by(|(_, older), (_, kept)| older.table == kept.table && older.id == kept.id);
    let mut owned: Vec<(String, &HsdsRow)> =
        unique.into_par_iter().map(|(_, r)| (owner(r), r)).collect();
    // Stable: each record keeps its rows in item-id order.
    owned.par_sort_by(|a, b| a.0.cmp(&b.0));
    let mut records: Vec<(String, Vec<&HsdsRow>)> = Vec::new();
    for (o, r) in owned {
        match records.last_mut() {
            Some((last, rows)) if *last == o => rows.push(r),
            _ => records.push((o, vec![r])),
        }
    }
    records.into_iter().collect()
}

/// A zstd compressor and decompressor sharing one dictionary.
pub(crate) struct Codec {
    compressor: zstd::bulk::Compressor<'static>,
    decompressor: zstd::bulk::Decompressor<'static>,
}

impl Codec {
    pub(crate) fn new(dictionary: &[u8]) -> std::io::Result<Self> {
        Ok(Self {
            compressor: zstd::bulk::Compressor::with_dictionary(LEVEL, dictionary)?,
            decompressor: zstd::bulk::Decompressor::with_dictionary(dictionary)?,
        })
    }

    pub(crate) fn compress(&mut self, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
        self.compressor.compress(bytes)
    }

    pub(crate) fn decompress(&mut self, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
        let size = zstd::zstd_safe::get_frame_content_size(bytes)
            .ok()
            .flatten()
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n <= MAX_DECODED)
            .ok_or_else(|| std::io::Error::other("a stored record has no valid size"))?;
        self.decompressor.decompress(bytes, size)
    }
}

/// A dictionary learnt from samples; with too few to learn from, the samples
/// themselves (zstd takes any bytes as a raw-content dictionary).
pub(crate) fn train(samples: &[Vec<u8>]) -> Vec<u8> {
    // A spread of at most 1,000 samples is plenty, and keeps training fast.
    let step = samples.len().div_ceil(1000).max(1);
    let picked: Vec<&Vec<u8>> = samples.iter().step_by(step).collect();
    if picked.len() >= 64
        && let Ok(d) = zstd::dict::from_samples(&picked, DICTIONARY_BYTES)
    {
        return d;
    }
    let mut raw = Vec::new();
    for s in picked {
        if raw.len() + s.len() > DICTIONARY_BYTES {
            break;
        }
        raw.extend_from_slice(s);
    }
    raw
}

pub(crate) fn dictionary(conn: &Connection, name: &str) -> rusqlite::Result<Vec<u8>> {
    Ok(conn
        .query_row(
            "SELECT bytes FROM dir_dictionary WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_default())
}

pub(crate) fn set_dictionary(conn: &Connection, name: &str, bytes: &[u8]) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO dir_dictionary (name, bytes) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET bytes = ?2",
        params![name, bytes],
    )?;
    Ok(())
}

fn storage(e: impl std::fmt::Display) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(format!("directory record: {e}").into())
}

/// One publisher's records, compressed with its dictionary.
pub(crate) struct Writer {
    publisher: String,
    dictionary: Vec<u8>,
    codec: Codec,
}

impl Writer {
    /// For a full install: learns a new dictionary from `records` and keeps it.
    pub(crate) fn fresh(
        conn: &Connection,
        publisher: &str,
        records: &BTreeMap<String, Vec<&HsdsRow>>,
    ) -> rusqlite::Result<Self> {
        let samples: Vec<Vec<u8>> = records
            .values()
            .step_by(records.len().div_ceil(1000).max(1))
            .map(|rows| serde_json::to_vec(rows).expect("rows serialise"))
            .collect();
        let dict = train(&samples);
        set_dictionary(conn, &format!("record:{publisher}"), &dict)?;
        Ok(Self {
            publisher: publisher.to_owned(),
            codec: Codec::new(&dict).map_err(storage)?,
            dictionary: dict,
        })
    }

    /// For a delta: the dictionary of the publisher's last full install.
    pub(crate) fn existing(conn: &Connection, publisher: &str) -> rusqlite::Result<Self> {
        let dict = dictionary(conn, &format!("record:{publisher}"))?;
        Ok(Self {
            publisher: publisher.to_owned(),
            codec: Codec::new(&dict).map_err(storage)?,
            dictionary: dict,
        })
    }

    pub(crate) fn put(
        &mut self,
        conn: &Connection,
        owner: &str,
        rows: &[&HsdsRow],
    ) -> rusqlite::Result<()> {
        let body = compress(&mut self.codec, rows)?;
        self.write(conn, owner, &body)
    }

    /// Every record, compressed on every core, then written in owner order.
    pub(crate) fn put_all(
        &self,
        conn: &Connection,
        records: &BTreeMap<String, Vec<&HsdsRow>>,
    ) -> rusqlite::Result<()> {
        let records: Vec<(&String, &Vec<&HsdsRow>)> = records.iter().collect();
        let bodies: Vec<Vec<u8>> = records
            .par_iter()
            .map_init(
                || Codec::new(&self.dictionary),
                |codec, (_, rows)| match codec {
                    Ok(codec) => compress(codec, rows),
                    Err(e) => Err(storage(e)),
                },
            )
            .collect::<rusqlite::Result<_>>()?;
        for ((owner, _), body) in records.iter().zip(&bodies) {
            self.write(conn, owner, body)?;
        }
        Ok(())
    }

    fn write(&self, conn: &Connection, owner: &str, body: &[u8]) -> rusqlite::Result<()> {
        conn.prepare_cached(
            "INSERT INTO hsds_record (owner, publisher, body) VALUES (?1, ?2, ?3)
             ON CONFLICT (owner) DO UPDATE SET body = ?3 WHERE publisher = ?2",
        )?
        .execute(params![owner, self.publisher, body])?;
        Ok(())
    }
}

fn compress(codec: &mut Codec, rows: &[&HsdsRow]) -> rusqlite::Result<Vec<u8>> {
    codec
        .compress(&serde_json::to_vec(rows).expect("rows serialise"))
        .map_err(storage)
}

/// Reads records back, each publisher's with its own dictionary.
pub(crate) struct Reader {
    codecs: BTreeMap<String, Codec>,
}

impl Reader {
    pub(crate) fn new() -> Self {
        Self {
            codecs: BTreeMap::new(),
        }
    }

    fn decode(
        &mut self,
        conn: &Connection,
        publisher: &str,
        body: &[u8],
    ) -> rusqlite::Result<Vec<HsdsRow>> {
        if !self.codecs.contains_key(publisher) {
            let dict = dictionary(conn, &format!("record:{publisher}"))?;
            self.codecs
                .insert(publisher.to_owned(), Codec::new(&dict).map_err(storage)?);
        }
        let codec = self.codecs.get_mut(publisher).expect("just inserted");
        let json = codec.decompress(body).map_err(storage)?;
        serde_json::from_slice(&json).map_err(storage)
    }

    /// One record's rows, or none.
    pub(crate) fn get(&mut self, conn: &Connection, owner: &str) -> rusqlite::Result<Vec<HsdsRow>> {
        let found: Option<(String, Vec<u8>)> = conn
            .prepare_cached("SELECT publisher, body FROM hsds_record WHERE owner = ?1")?
            .query_row([owner], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match found {
            Some((publisher, body)) => self.decode(conn, &publisher, &body),
            None => Ok(Vec::new()),
        }
    }

    /// Every record whose owner starts with `prefix` (all of them for "").
    pub(crate) fn all(
        &mut self,
        conn: &Connection,
        prefix: &str,
    ) -> rusqlite::Result<Vec<HsdsRow>> {
        let mut stmt = conn.prepare(
            "SELECT publisher, body FROM hsds_record WHERE owner >= ?1 AND owner < ?1 || char(1114111)",
        )?;
        let mut rows = stmt.query([prefix])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let publisher: String = r.get(0)?;
            let body: Vec<u8> = r.get(1)?;
            out.extend(self.decode(conn, &publisher, &body)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(table: &str, id: &str, fields: &[(&str, &str)]) -> HsdsRow {
        HsdsRow {
            table: table.into(),
            id: id.into(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn rows_belong_to_the_service_location_or_organisation_they_hang_from() {
        let cases = [
            (
                row("service", "s1", &[("organization_id", "o1")]),
                "service/s1",
            ),
            (
                row("location", "l1", &[("organization_id", "o1")]),
                "location/l1",
            ),
            (row("organization", "o1", &[]), "organization/o1"),
            (row("attribute", "a", &[("link_id", "s1")]), "service/s1"),
            (
                row(
                    "attribute",
                    "a",
                    &[("link_id", "l1"), ("link_entity", "location")],
                ),
                "location/l1",
            ),
            (
                row("phone", "p", &[("service_id", "s1"), ("location_id", "l1")]),
                "service/s1",
            ),
            (
                row("phone", "p", &[("service_id", ""), ("location_id", "l1")]),
                "location/l1",
            ),
            (
                row("address", "ad", &[("location_id", "l1")]),
                "location/l1",
            ),
            (
                row("taxonomy_term", "t", &[("taxonomy_id", "x")]),
                "taxonomy_term/t",
            ),
            (
                row("schedule", "h", &[("service_at_location_id", "sl")]),
                "service_at_location/sl",
            ),
            (
                row("contact", "c", &[("organization_id", "o1")]),
                "organization/o1",
            ),
        ];
        for (r, want) in cases {
            assert_eq!(owner(&r), want, "{r:?}");
        }
    }

    #[test]
    fn a_record_decodes_to_exactly_what_was_stored() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(RECORDS_SQL).unwrap();
        let rows: Vec<HsdsRow> = (0..200)
            .flat_map(|i| {
                [
                    row(
                        "service",
                        &format!("s{i}"),
                        &[("name", &format!("Servicio {i}")), ("status", "")],
                    ),
                    row(
                        "phone",
                        &format!("p{i}"),
                        &[("service_id", &format!("s{i}")), ("number", "+57 1")],
                    ),
                ]
            })
            .collect();
        let records = group(&rows);
        let mut w = Writer::fresh(&conn, "pub", &records).unwrap();
        for (o, rs) in &records {
            w.put(&conn, o, rs).unwrap();
        }
        let mut r = Reader::new();
        let back = r.get(&conn, "service/s7").unwrap();
        assert_eq!(back, vec![rows[15].clone(), rows[14].clone()]);
        assert_eq!(back[1].fields["status"], "", "an empty value stays, empty");
        assert_eq!(r.all(&conn, "").unwrap().len(), rows.len());
        assert!(r.get(&conn, "service/none").unwrap().is_empty());
    }
}
