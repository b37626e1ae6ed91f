//! Distances and the grid cells that let text and area meet inside the full-text index.

pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().asin()
}

/// Grid cells, in degrees, indexed as words beside each mapped entry.
const CELL_SIZES: [f64; 3] = [0.25, 1.0, 4.0];

fn cell_word(level: usize, lat: f64, lon: f64) -> String {
    let size = CELL_SIZES[level];
    let x = ((lat + 90.0) / size).floor() as i64;
    let y = ((lon + 180.0) / size).floor() as i64;
    format!("gc{level}x{x}y{y}")
}

/// The words of an entry's cells, one per level (e.g. `gc0x391y429 gc1x97y107 gc2x24y26`).
pub(crate) fn cell_words(lat: f64, lon: f64) -> String {
    (0..CELL_SIZES.len())
        .map(|level| cell_word(level, lat, lon))
        .collect::<Vec<_>>()
        .join(" ")
}

/// An FTS5 OR of the cells covering a box, at the finest level that needs
/// at most 36 of them. The cells cover the box, so nothing in it is missed.
pub(crate) fn box_cells(lat: f64, lon: f64, half: f64) -> String {
    let level = (0..CELL_SIZES.len())
        .find(|&l| {
            let per_side = (2.0 * half / CELL_SIZES[l]).ceil() + 1.0;
            per_side * per_side <= 36.0
        })
        .unwrap_or(CELL_SIZES.len() - 1);
    let size = CELL_SIZES[level];
    let mut words = Vec::new();
    let mut a = (lat - half).max(-90.0);
    while a < (lat + half).min(90.0) + size {
        let mut b = (lon - half).max(-180.0);
        while b < (lon + half).min(180.0) + size {
            let w = cell_word(level, a.min(89.999), b.min(179.999));
            if !words.contains(&w) {
                words.push(w);
            }
            b += size;
        }
        a += size;
    }
    words.join(" OR ")
}
