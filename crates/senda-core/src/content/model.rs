use crate::checklist::Checklist;
use crate::text::Text;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where on the journey a piece of guidance applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    BeforeLeaving,
    OnTheRoad,
    OnArrival,
}

/// A rights or safety article, in plain words a 14-year-old can read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub id: String,
    pub stage: Stage,
    /// ISO 3166-1 alpha-2; `None` for guidance that applies everywhere.
    #[serde(default)]
    pub country: Option<String>,
    pub title: Text,
    pub body: Text,
    pub source: String,
    pub last_verified: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlaceKind {
    RoutePlace,
    DangerZone,
}

/// A place on the offline map. Every place shipped so far is demo data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub id: String,
    pub kind: PlaceKind,
    pub country: String,
    pub latitude: f64,
    pub longitude: f64,
    pub name: Text,
    pub description: Text,
    #[serde(default)]
    pub demo: bool,
    pub source: String,
    pub last_verified: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    Checklist,
    Article,
    Place,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ItemRef {
    pub kind: ItemKind,
    pub id: String,
}

/// What a pack carries. In a full pack, everything; in a delta, the items
/// changed since the base version and the ids of those removed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ContentPayload {
    #[serde(default)]
    pub checklists: Vec<Checklist>,
    #[serde(default)]
    pub articles: Vec<Article>,
    #[serde(default)]
    pub places: Vec<Place>,
    #[serde(default)]
    pub deleted: Vec<ItemRef>,
}

impl ContentPayload {
    /// Every item as (kind, id, JSON body), the form the content store keeps.
    pub fn items(&self) -> Vec<(ItemRef, serde_json::Value)> {
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
        all
    }

    /// The delta that turns `base` into `self`: changed or new items, and removals.
    pub fn delta_from(&self, base: &ContentPayload) -> ContentPayload {
        let old: std::collections::BTreeMap<ItemRef, serde_json::Value> =
            base.items().into_iter().collect();
        let new: std::collections::BTreeMap<ItemRef, serde_json::Value> =
            self.items().into_iter().collect();
        let changed = |kind: ItemKind, id: &str| {
            let r = ItemRef {
                kind,
                id: id.to_owned(),
            };
            old.get(&r) != new.get(&r)
        };
        ContentPayload {
            checklists: self
                .checklists
                .iter()
                .filter(|c| changed(ItemKind::Checklist, &c.id))
                .cloned()
                .collect(),
            articles: self
                .articles
                .iter()
                .filter(|a| changed(ItemKind::Article, &a.id))
                .cloned()
                .collect(),
            places: self
                .places
                .iter()
                .filter(|p| changed(ItemKind::Place, &p.id))
                .cloned()
                .collect(),
            deleted: old
                .keys()
                .filter(|r| !new.contains_key(*r))
                .cloned()
                .collect(),
        }
    }
}
