//! Content packs: everything a person reads or a screener follows, signed by
//! its publisher and installed into a content database apart from the vault.
//!
//! - [`model`]: what a pack carries (checklists, rights articles, places);
//! - [`pack`]: the signed file format, and its verification;
//! - [`store`]: the content database and the one-transaction install;
//! - [`source`]: building a pack's payload from the human-written TOML sources.

pub mod model;
pub mod pack;
pub mod source;
pub mod store;

pub use model::{Article, ContentPayload, ItemKind, ItemRef, Place, PlaceKind, Stage, Topic};
pub use pack::{PackError, PackHeader, PublisherKey, SignedPack, TrustedKeys};
pub use store::{ContentStore, InstallError, InstalledPack};
