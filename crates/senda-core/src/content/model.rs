use crate::checklist::Checklist;
use crate::directory::{HsdsRow, HsdsTable, records};
use crate::text::Text;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where on the journey a piece of guidance applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Stage {
    BeforeLeaving,
    OnTheRoad,
    OnArrival,
}

/// What an article is for, so the public side can group it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Topic {
    /// Your rights (in general, or in `country`).
    Rights,
    /// Dangers on the way and how to stay safe.
    #[default]
    Guidance,
    /// How and where to ask for help, and what happens then.
    Help,
}

/// A rights or safety article, in plain words a 14-year-old can read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Article {
    pub id: String,
    pub stage: Stage,
    #[serde(default)]
    pub topic: Topic,
    /// ISO 3166-1 alpha-2; `None` for guidance that applies everywhere.
    #[serde(default)]
    pub country: Option<String>,
    pub title: Text,
    pub body: Text,
    pub source: String,
    pub last_verified: NaiveDate,
    /// The law and article (or the seed and page) behind what the article
    /// states; required for `topic = "rights"`.
    #[serde(default)]
    pub legal_basis: Option<String>,
    /// Where the basis applies: an ISO country code, or `regional`.
    #[serde(default)]
    pub jurisdiction: Option<String>,
    /// Who checked it in law (role and organisation); `None` is shown as
    /// «Sin revisión legal todavía».
    #[serde(default)]
    pub reviewed_by: Option<String>,
    /// When, only with `reviewed_by`.
    #[serde(default)]
    pub reviewed_on: Option<NaiveDate>,
    /// Why this text may miss the reading-level rule (a written reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readability_exempt: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum PlaceKind {
    RoutePlace,
    DangerZone,
}

/// A place on the offline map. Every place shipped so far is demo data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Place {
    pub id: String,
    pub kind: PlaceKind,
    pub country: String,
    pub latitude: f64,
    pub longitude: f64,
    pub name: Text,
    pub description: Text,
    /// Danger-zone guidance for a crossing (rides, document holders, debts,
    /// terminals and walking stretches, humanitarian points); required for
    /// a `route-place`.
    #[serde(default)]
    pub dangers: Text,
    #[serde(default)]
    pub demo: bool,
    pub source: String,
    pub last_verified: NaiveDate,
    /// Why this text may miss the reading-level rule (a written reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readability_exempt: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    Checklist,
    Article,
    Place,
    HsdsTable,
    HsdsRow,
    /// A directory record (see `directory::records`): in a delta's `deleted`,
    /// a service, location or organisation removed with everything hanging from it.
    HsdsRecord,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ItemRef {
    pub kind: ItemKind,
    pub id: String,
}

/// What a pack carries. In a full pack, everything; in a delta, the items
/// changed since the base version and the ids of those removed. A delta
/// carries the directory by record: every row of each changed record (a
/// service with its attributes, schedules, phones and places-at; a location
/// with its address…), and the records removed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ContentPayload {
    #[serde(default)]
    pub checklists: Vec<Checklist>,
    #[serde(default)]
    pub articles: Vec<Article>,
    #[serde(default)]
    pub places: Vec<Place>,
    /// The referral directory's HSDS tables (name, file, column order)…
    #[serde(default)]
    pub hsds_tables: Vec<HsdsTable>,
    /// …and their rows, every column kept.
    #[serde(default)]
    pub hsds_rows: Vec<HsdsRow>,
    #[serde(default)]
    pub deleted: Vec<ItemRef>,
}

impl ContentPayload {
    /// Every item as (kind, id, JSON body), the form the content store keeps.
    pub fn items(&self) -> Vec<(ItemRef, serde_json::Value)> {
        let mut all: Vec<_> = self.items_but_rows().collect();
        all.extend(self.hsds_rows.iter().map(|r| {
            (
                ItemRef {
                    kind: ItemKind::HsdsRow,
                    id: hsds_row_id(r),
                },
                serde_json::to_value(r).expect("content serialises"),
            )
        }));
        all
    }

    /// Every item but the directory's rows (which are stored by record).
    pub(crate) fn items_but_rows(&self) -> impl Iterator<Item = (ItemRef, serde_json::Value)> {
        fn each<T: Serialize>(
            kind: ItemKind,
            items: &[T],
            id: impl Fn(&T) -> &str,
        ) -> Vec<(ItemRef, serde_json::Value)> {
            items
                .iter()
                .map(|i| {
                    let r = ItemRef {
                        kind,
                        id: id(i).to_owned(),
                    };
                    (r, serde_json::to_value(i).expect("content serialises"))
                })
                .collect()
        }
        let mut all = each(ItemKind::Checklist, &self.checklists, |c| &c.id);
        all.extend(each(ItemKind::Article, &self.articles, |a| &a.id));
        all.extend(each(ItemKind::Place, &self.places, |p| &p.id));
        all.extend(each(ItemKind::HsdsTable, &self.hsds_tables, |t| &t.name));
        all.into_iter()
    }

    /// The same content in the order the content store returns it (by item id).
    pub fn canonical(mut self) -> Self {
        self.checklists.sort_by(|a, b| a.id.cmp(&b.id));
        self.articles.sort_by(|a, b| a.id.cmp(&b.id));
        self.places.sort_by(|a, b| a.id.cmp(&b.id));
        self.hsds_tables.sort_by(|a, b| a.name.cmp(&b.name));
        self.hsds_rows.sort_by_key(hsds_row_id);
        self.deleted.sort();
        self
    }

    /// The delta that turns `base` into `self`: changed or new items, and removals.
    pub fn delta_from(&self, base: &ContentPayload) -> ContentPayload {
        let not_rows = |p: &ContentPayload| -> BTreeMap<ItemRef, serde_json::Value> {
            p.items_but_rows().collect()
        };
        let (old, new) = (not_rows(base), not_rows(self));
        let changed = |kind, id: String| {
            let r = ItemRef { kind, id };
            old.get(&r) != new.get(&r)
        };
        fn keep<T: Clone>(items: &[T], mut changed: impl FnMut(&T) -> bool) -> Vec<T> {
            items.iter().filter(|i| changed(i)).cloned().collect()
        }
        let old_records = records::group(&base.hsds_rows);
        let new_records = records::group(&self.hsds_rows);
        let mut deleted: Vec<ItemRef> = old
            .keys()
            .filter(|r| !new.contains_key(*r))
            .cloned()
            .collect();
        deleted.extend(
            old_records
                .keys()
                .filter(|o| !new_records.contains_key(*o))
                .map(|o| ItemRef {
                    kind: ItemKind::HsdsRecord,
                    id: o.clone(),
                }),
        );
        ContentPayload {
            checklists: keep(&self.checklists, |c| {
                changed(ItemKind::Checklist, c.id.clone())
            }),
            articles: keep(&self.articles, |a| changed(ItemKind::Article, a.id.clone())),
            places: keep(&self.places, |p| changed(ItemKind::Place, p.id.clone())),
            hsds_tables: keep(&self.hsds_tables, |t| {
                changed(ItemKind::HsdsTable, t.name.clone())
            }),
            hsds_rows: new_records
                .iter()
                .filter(|(o, rows)| old_records.get(*o) != Some(*rows))
                .flat_map(|(_, rows)| rows.iter().map(|r| (*r).clone()))
                .collect(),
            deleted,
        }
    }
}

/// An HSDS row's item id: ids are unique per table only.
pub fn hsds_row_id(row: &HsdsRow) -> String {
    format!("{}/{}", row.table, row.id)
}
