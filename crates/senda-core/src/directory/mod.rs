//! The referral directory, in the shape of Open Referral HSDS 3.0.
//!
//! - [`hsds`]: HSDS tables kept row by row, every column in its order, so an
//!   import followed by an export gives back what came in; CSV import with
//!   file/line/column errors; CSV export.
//! - [`records`]: the installed rows, grouped by the service, location or
//!   organisation they hang from and compressed; what a delta replaces.
//! - [`index`]: the offline index (SQLite FTS5, categories, points), derived
//!   from the records on a full install and updated in place by a delta;
//!   [`search`] queries it with filters, eligibility, [`hours`] and [`geo`]
//!   distance.
//! - [`import`]: imports of HSDS 1.1, 2.0 and 3.0, strict or lenient, with a
//!   [`report`]; [`upgrade`] maps older versions to 3.0 (docs/hsds-mapping.md).
//! - [`senda_attributes`]: the screener fields HSDS carries as attributes.
//!
//! `hsds-3.0-schema.csv` is Open Referral's table of HSDS 3.0 fields
//! (CC BY-SA 4.0), used for required columns.

pub mod geo;
pub mod hours;
pub mod hsds;
pub mod import;
pub(crate) mod index;
pub mod records;
pub mod report;
pub mod search;
pub mod senda_attributes;
pub mod sheet;
mod tidy;
pub mod upgrade;

pub use hsds::{HsdsData, HsdsError, HsdsRow, HsdsTable};
pub use search::{ChildProfile, SearchResult, ServiceHit, ServiceQuery};
