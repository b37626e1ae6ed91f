//! Statistics that protect children: small-number suppression applied on the
//! server before any count leaves it (`shared/research/disclosure-control.md`
//! rules R1–R4 and R9). Input is a plain two-way table of counts, so the rules
//! are tested here without a database; only [`Published`] reaches a page or CSV.

use std::collections::BTreeMap;

/// Who will read the numbers: staff of the organisation, or people outside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Counts from 1 to `k - 1` are never shown (R1).
    pub k: u64,
    /// Shown counts are rounded to a multiple of this (R3), after suppression.
    pub round_base: Option<u64>,
}

impl Policy {
    /// The organisation's own staff: «<5», no rounding.
    pub const INTERNAL: Policy = Policy {
        k: 5,
        round_base: None,
    };
    /// Reports leaving the organisation (donors, other agencies): «<11»,
    /// rounded to 5 (the thresholds used for trafficking victims and by CMS).
    pub const EXTERNAL: Policy = Policy {
        k: 11,
        round_base: Some(5),
    };
}

/// A two-way table of raw counts (each count is of children or of records of one child).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    /// `cells[row][col]`.
    pub cells: Vec<Vec<u64>>,
}

impl Table {
    /// Counts `(row, col)` pairs; rows and columns in the order given (missing ones are zero).
    pub fn count<'a>(
        rows: &[String],
        cols: &[String],
        pairs: impl IntoIterator<Item = (&'a str, &'a str, u64)>,
    ) -> Self {
        let mut cells = vec![vec![0; cols.len()]; rows.len()];
        for (r, c, n) in pairs {
            if let (Some(i), Some(j)) = (
                rows.iter().position(|x| x == r),
                cols.iter().position(|x| x == c),
            ) {
                cells[i][j] += n;
            }
        }
        Self {
            rows: rows.to_vec(),
            cols: cols.to_vec(),
            cells,
        }
    }

    /// The table with its row totals as a last column and column totals as a last row.
    fn with_margins(&self) -> Vec<Vec<u64>> {
        let c = self.cols.len();
        let mut out: Vec<Vec<u64>> = self
            .cells
            .iter()
            .map(|row| {
                let mut row = row.clone();
                row.push(row.iter().sum());
                row
            })
            .collect();
        let totals = (0..=c).map(|j| out.iter().map(|r| r[j]).sum()).collect();
        out.push(totals);
        out
    }
}

/// Why a count is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hidden {
    /// 1 to k−1 (R1): shown as «<k».
    Small,
    /// Hidden so that a total cannot reveal a small one (R2), or because it
    /// differs from the unfiltered table by 1 to k−1 (R9): shown as «*».
    Complement,
}

/// One published count: its text is all that leaves the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    value: u64,
    hidden: Option<Hidden>,
    k: u64,
    round_base: Option<u64>,
}

impl Cell {
    pub fn hidden(&self) -> Option<Hidden> {
        self.hidden
    }

    /// The count as published (rounded when the policy rounds), or `None` when hidden.
    pub fn shown(&self) -> Option<u64> {
        if self.hidden.is_some() {
            return None;
        }
        Some(match self.round_base {
            Some(b) if b > 0 => (self.value + b / 2) / b * b,
            _ => self.value,
        })
    }

    pub fn text(&self) -> String {
        match (self.hidden, self.shown()) {
            (Some(Hidden::Small), _) => format!("<{}", self.k),
            (Some(Hidden::Complement), _) => "*".into(),
            (None, Some(v)) => v.to_string(),
            (None, None) => unreachable!("a shown cell has a value"),
        }
    }
}

/// A table ready to show: every count passed R1, R2 (and R3, R9 when asked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub policy: Policy,
    /// `(rows + 1) × (cols + 1)`: the last column holds row totals, the last row column totals.
    grid: Vec<Vec<Cell>>,
}

impl Published {
    pub fn cell(&self, row: usize, col: usize) -> Cell {
        self.grid[row][col]
    }
    pub fn row_total(&self, row: usize) -> Cell {
        self.grid[row][self.cols.len()]
    }
    pub fn col_total(&self, col: usize) -> Cell {
        self.grid[self.rows.len()][col]
    }
    pub fn total(&self) -> Cell {
        self.grid[self.rows.len()][self.cols.len()]
    }

    /// A row's share of the grand total as a whole percentage (R4): only when
    /// both counts are shown and the total is at least k.
    pub fn row_percent(&self, row: usize) -> Option<u64> {
        let (n, d) = (self.row_total(row), self.total());
        match (n.hidden, d.hidden) {
            (None, None) if d.value >= self.policy.k && d.value > 0 => {
                Some((n.value * 100 + d.value / 2) / d.value)
            }
            _ => None,
        }
    }

    /// The table exactly as shown, as CSV (header row, rows, totals row).
    pub fn csv(&self, corner: &str, total: &str, percent: &str) -> String {
        let mut out = String::new();
        let mut line = |fields: Vec<String>| {
            let escaped: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.push_str(&escaped.join(","));
            out.push_str("\r\n");
        };
        let mut header = vec![corner.to_owned()];
        header.extend(self.cols.iter().cloned());
        header.push(total.to_owned());
        header.push(percent.to_owned());
        line(header);
        for (i, name) in self.rows.iter().enumerate() {
            let mut fields = vec![name.clone()];
            fields.extend((0..=self.cols.len()).map(|j| self.grid[i][j].text()));
            fields.push(
                self.row_percent(i)
                    .map_or(String::new(), |p| format!("{p}%")),
            );
            line(fields);
        }
        let mut fields = vec![total.to_owned()];
        fields.extend((0..=self.cols.len()).map(|j| self.grid[self.rows.len()][j].text()));
        fields.push(String::new());
        line(fields);
        out
    }
}

/// Quotes a CSV field when needed; a leading formula character is neutralised
/// so that a spreadsheet never runs a cell.
fn csv_field(field: &str) -> String {
    let field = if field.starts_with(['=', '+', '-', '@']) && field.parse::<i64>().is_err() {
        format!("'{field}")
    } else {
        field.to_owned()
    };
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

/// Publishes `table` under `policy`. `unfiltered` is the same breakdown before
/// the page's filters (R9; it may have more rows and columns): a count that
/// differs from its unfiltered counterpart by 1 to k−1 is hidden, so two views
/// cannot be subtracted to reveal a small group.
pub fn publish(table: &Table, policy: Policy, unfiltered: Option<&Table>) -> Published {
    let raw = table.with_margins();
    let small = |v: u64| v >= 1 && v < policy.k;
    // The unfiltered count in the same place, matched by label (its margins
    // count all of its own rows and columns, not just the ones shown here).
    let whole = unfiltered.map(|w| {
        let grid = w.with_margins();
        let row = |i: usize| {
            if i == table.rows.len() {
                Some(w.rows.len())
            } else {
                w.rows.iter().position(|x| *x == table.rows[i])
            }
        };
        let col = |j: usize| {
            if j == table.cols.len() {
                Some(w.cols.len())
            } else {
                w.cols.iter().position(|x| *x == table.cols[j])
            }
        };
        (0..=table.rows.len())
            .map(|i| {
                (0..=table.cols.len())
                    .map(|j| row(i).zip(col(j)).map(|(a, b)| grid[a][b]))
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    });
    let mut grid: Vec<Vec<Cell>> = raw
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, &value)| {
                    let differs = whole
                        .as_ref()
                        .and_then(|w| w[i][j])
                        .is_some_and(|w| small(w.saturating_sub(value)));
                    Cell {
                        value,
                        hidden: if small(value) {
                            Some(Hidden::Small)
                        } else if differs {
                            Some(Hidden::Complement)
                        } else {
                            None
                        },
                        k: policy.k,
                        round_base: policy.round_base,
                    }
                })
                .collect()
        })
        .collect();
    secondary(&mut grid);
    Published {
        rows: table.rows.clone(),
        cols: table.cols.clone(),
        policy,
        grid,
    }
}

/// R2 to a fixed point: every line (each row with its total, each column with
/// its total, and the margins with the grand total) has either no hidden count
/// or at least two, so no hidden count is the difference of shown ones.
fn secondary(grid: &mut [Vec<Cell>]) {
    let (r, c) = (grid.len() - 1, grid[0].len() - 1);
    let mut lines: Vec<Vec<(usize, usize)>> = Vec::new();
    for i in 0..=r {
        lines.push((0..=c).map(|j| (i, j)).collect());
    }
    for j in 0..=c {
        lines.push((0..=r).map(|i| (i, j)).collect());
    }
    loop {
        let mut changed = false;
        for line in &lines {
            let hidden = line
                .iter()
                .filter(|&&(i, j)| grid[i][j].hidden.is_some())
                .count();
            if hidden != 1 {
                continue;
            }
            // The line's total is its last cell; prefer hiding a part, smallest first.
            let (parts, total) = line.split_at(line.len() - 1);
            let pick = parts
                .iter()
                .filter(|&&(i, j)| grid[i][j].hidden.is_none() && grid[i][j].value > 0)
                .min_by_key(|&&(i, j)| grid[i][j].value)
                .or_else(|| total.iter().find(|&&(i, j)| grid[i][j].hidden.is_none()));
            if let Some(&(i, j)) = pick {
                grid[i][j].hidden = Some(Hidden::Complement);
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// Rows of a one-way breakdown (e.g. services referred most): a table with one column.
pub fn one_way(counts: &BTreeMap<String, u64>, column: &str) -> Table {
    let rows: Vec<String> = counts.keys().cloned().collect();
    Table {
        cols: vec![column.to_owned()],
        cells: counts.values().map(|&n| vec![n]).collect(),
        rows,
    }
}

/// One screening as the server may count it: only the coarse fields that
/// travel readable (the case's country, ISO week and age band; the screening's
/// risk level). Anything missing is "unknown", never a lower risk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreeningFact {
    pub country: String,
    /// `YYYY-Www`.
    pub week: String,
    pub age_band: String,
    pub risk_level: String,
    /// How many screenings share these values.
    pub count: u64,
}

impl ScreeningFact {
    /// The month (`YYYY-MM`) of the week's Thursday, as ISO 8601 assigns weeks to years.
    pub fn month(&self) -> Option<String> {
        let (y, w) = self.week.split_once("-W")?;
        let day = chrono::NaiveDate::from_isoywd_opt(
            y.parse().ok()?,
            w.parse().ok()?,
            chrono::Weekday::Thu,
        )?;
        Some(day.format("%Y-%m").to_string())
    }
}

/// Risk levels and age bands in their natural order (unknown last).
pub const RISK_LEVELS: &[&str] = &[
    "immediate",
    "high",
    "medium",
    "insufficient",
    "low",
    "unknown",
];
pub const AGE_BANDS: &[&str] = &["0-5", "6-11", "12-14", "15-17", "18+", "unknown"];

/// Screening counts as the page needs them: (risk level, age band, n) and
/// (ISO week, country, n), already filtered (by the database, or by
/// [`screening_counts`] in tests).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScreeningCounts {
    pub by_risk: Vec<(String, String, u64)>,
    pub by_week: Vec<(String, String, u64)>,
}

/// The ISO weeks (`YYYY-Www`) whose Thursday falls in `month` (`YYYY-MM`), as
/// [`ScreeningFact::month`] assigns them; empty for a malformed month.
pub fn weeks_of_month(month: &str) -> Vec<String> {
    use chrono::Datelike;
    let Some(first) = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()
    else {
        return Vec::new();
    };
    first
        .iter_days()
        .take_while(|d| d.month() == first.month())
        .filter(|d| d.weekday() == chrono::Weekday::Thu)
        .map(|d| format!("{}-W{:02}", d.iso_week().year(), d.iso_week().week()))
        .collect()
}

/// The counts of the facts that pass the filters (a country, a month).
pub fn screening_counts(
    facts: &[ScreeningFact],
    country: Option<&str>,
    month: Option<&str>,
) -> ScreeningCounts {
    let kept: Vec<&ScreeningFact> = facts
        .iter()
        .filter(|f| country.is_none_or(|c| f.country == c))
        .filter(|f| month.is_none_or(|m| f.month().as_deref() == Some(m)))
        .collect();
    ScreeningCounts {
        by_risk: kept
            .iter()
            .map(|f| (f.risk_level.clone(), f.age_band.clone(), f.count))
            .collect(),
        by_week: kept
            .iter()
            .map(|f| (f.week.clone(), f.country.clone(), f.count))
            .collect(),
    }
}

/// Screenings by risk level × age band, and by ISO week × country. Suppression comes after ([`publish`]).
pub fn screening_tables_of(counts: &ScreeningCounts) -> (Table, Table) {
    let ordered = |known: &[&str], values: Vec<&str>| -> Vec<String> {
        let mut out: Vec<String> = known
            .iter()
            .filter(|k| values.contains(k))
            .map(|k| k.to_string())
            .collect();
        let mut others: Vec<String> = values
            .iter()
            .filter(|v| !known.contains(v))
            .map(|v| v.to_string())
            .collect();
        others.sort();
        others.dedup();
        out.extend(others);
        out
    };
    let risks = ordered(
        RISK_LEVELS,
        counts.by_risk.iter().map(|f| f.0.as_str()).collect(),
    );
    let ages = ordered(
        AGE_BANDS,
        counts.by_risk.iter().map(|f| f.1.as_str()).collect(),
    );
    let by_risk = Table::count(
        &risks,
        &ages,
        counts
            .by_risk
            .iter()
            .map(|f| (f.0.as_str(), f.1.as_str(), f.2)),
    );
    let mut weeks: Vec<String> = counts.by_week.iter().map(|f| f.0.clone()).collect();
    weeks.sort();
    weeks.dedup();
    let mut countries: Vec<String> = counts.by_week.iter().map(|f| f.1.clone()).collect();
    countries.sort();
    countries.dedup();
    let by_week = Table::count(
        &weeks,
        &countries,
        counts
            .by_week
            .iter()
            .map(|f| (f.0.as_str(), f.1.as_str(), f.2)),
    );
    (by_risk, by_week)
}

/// [`screening_tables_of`] the facts that pass the filters.
pub fn screening_tables(
    facts: &[ScreeningFact],
    country: Option<&str>,
    month: Option<&str>,
) -> (Table, Table) {
    screening_tables_of(&screening_counts(facts, country, month))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(cells: Vec<Vec<u64>>) -> Table {
        Table {
            rows: (0..cells.len()).map(|i| format!("r{i}")).collect(),
            cols: (0..cells[0].len()).map(|j| format!("c{j}")).collect(),
            cells,
        }
    }

    fn texts(p: &Published) -> Vec<Vec<String>> {
        (0..=p.rows.len())
            .map(|i| (0..=p.cols.len()).map(|j| p.grid[i][j].text()).collect())
            .collect()
    }

    #[test]
    fn r1_counts_from_one_to_four_show_as_less_than_five() {
        let p = publish(&table(vec![vec![0, 1, 4, 5, 12]]), Policy::INTERNAL, None);
        let row: Vec<String> = (0..5).map(|j| p.cell(0, j).text()).collect();
        // Two small cells hide each other in their row: nothing else needs hiding.
        assert_eq!(row[0], "0");
        assert_eq!(row[1], "<5");
        assert_eq!(row[2], "<5");
        assert_eq!(row[3], "5");
        assert_eq!(row[4], "12");
    }

    #[test]
    fn r2_a_total_cannot_reveal_a_single_small_cell() {
        // [3, 8, 9 | 20] → [<5, *, 9 | 20]
        let p = publish(&table(vec![vec![3, 8, 9]]), Policy::INTERNAL, None);
        assert_eq!(p.cell(0, 0).text(), "<5");
        assert_eq!(p.cell(0, 1).text(), "*");
        assert_eq!(p.cell(0, 2).text(), "9");
        assert_eq!(p.row_total(0).text(), "20");
        // [3, 0, 0 | 3] → [<5, 0, 0 | <5]
        let p = publish(&table(vec![vec![3, 0, 0]]), Policy::INTERNAL, None);
        assert_eq!(
            texts(&p)[0],
            ["<5", "0", "0", "<5"]
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
        );
    }

    /// No published line lets a hidden count be recovered exactly: each line
    /// has zero or at least two hidden counts (its total counted as one).
    fn assert_no_line_leaks(p: &Published) {
        let (r, c) = (p.rows.len(), p.cols.len());
        for i in 0..=r {
            let n = (0..=c).filter(|&j| p.grid[i][j].hidden.is_some()).count();
            assert!(n != 1, "row {i} leaks: {:?}", texts(p)[i]);
        }
        for j in 0..=c {
            let n = (0..=r).filter(|&i| p.grid[i][j].hidden.is_some()).count();
            assert!(n != 1, "column {j} leaks: {:?}", texts(p));
        }
    }

    #[test]
    fn tables_built_to_leak_do_not() {
        // A single small cell in the middle of big ones: its row and column would give it away.
        let leaky = table(vec![vec![20, 30, 40], vec![25, 1, 35], vec![50, 60, 70]]);
        let p = publish(&leaky, Policy::INTERNAL, None);
        assert_eq!(p.cell(1, 1).text(), "<5");
        assert_no_line_leaks(&p);
        // Subtracting the shown cells of its row from the row's total never gives 1.
        let known: u64 = (0..3).filter_map(|j| p.cell(1, j).shown()).sum();
        assert_ne!(p.row_total(1).shown().map(|t| t - known), Some(1));
        // A whole row of one child; a column with one small cell and zeros.
        for cells in [
            vec![vec![1, 0], vec![0, 0]],
            vec![vec![0, 9], vec![2, 7], vec![0, 6]],
            vec![vec![4, 4], vec![4, 4]],
            vec![vec![5, 0, 6], vec![0, 1, 0], vec![7, 0, 8]],
        ] {
            assert_no_line_leaks(&publish(&table(cells), Policy::INTERNAL, None));
        }
    }

    #[test]
    fn random_tables_never_leak() {
        // A small deterministic generator: many shapes, many small counts.
        let mut seed: u64 = 0x5e_4da;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for _ in 0..2_000 {
            let (r, c) = (1 + next(5) as usize, 1 + next(5) as usize);
            let cells: Vec<Vec<u64>> = (0..r)
                .map(|_| {
                    (0..c)
                        .map(|_| if next(3) == 0 { next(5) } else { next(40) })
                        .collect()
                })
                .collect();
            for policy in [Policy::INTERNAL, Policy::EXTERNAL] {
                let p = publish(&table(cells.clone()), policy, None);
                assert_no_line_leaks(&p);
                for row in &p.grid {
                    for cell in row {
                        if let Some(v) = cell.shown() {
                            assert!(cell.value == 0 || cell.value >= policy.k, "{v} shown");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn r3_rounds_shown_counts_to_five_after_suppression() {
        let p = publish(
            &table(vec![vec![12, 13], vec![17, 18]]),
            Policy::EXTERNAL,
            None,
        );
        assert_eq!(p.cell(0, 0).text(), "10");
        assert_eq!(p.cell(0, 1).text(), "15");
        assert_eq!(p.cell(1, 0).text(), "15");
        assert_eq!(p.cell(1, 1).text(), "20");
        // The total is rounded from the raw total (60), not summed from rounded cells.
        assert_eq!(p.total().text(), "60");
        let p = publish(&table(vec![vec![7, 30]]), Policy::EXTERNAL, None);
        assert_eq!(p.cell(0, 0).text(), "<11");
    }

    #[test]
    fn r4_percentages_only_over_shown_counts_and_a_large_enough_total() {
        let p = publish(&table(vec![vec![10], vec![30]]), Policy::INTERNAL, None);
        assert_eq!(p.row_percent(0), Some(25));
        assert_eq!(p.row_percent(1), Some(75));
        let p = publish(&table(vec![vec![2], vec![30]]), Policy::INTERNAL, None);
        assert_eq!(p.row_percent(0), None);
        // The other row's share would give the small one away: hidden too (R2 hides its count).
        assert_eq!(p.row_percent(1), None);
    }

    #[test]
    fn r9_a_filter_that_would_reveal_a_count_of_one_is_suppressed() {
        // All organisations: 6 accepted. One organisation, filtered: 5 accepted.
        // 6 − 5 = 1 would tell that the other organisations accepted exactly one.
        let whole = Table::count(
            &["accepted".into(), "declined".into()],
            &["n".into()],
            [("accepted", "n", 6), ("declined", "n", 20)],
        );
        let filtered = Table::count(
            &["accepted".into(), "declined".into()],
            &["n".into()],
            [("accepted", "n", 5), ("declined", "n", 20)],
        );
        let p = publish(&filtered, Policy::INTERNAL, Some(&whole));
        assert_eq!(p.cell(0, 0).text(), "*");
        assert_no_line_leaks(&p);
        // A filter that drops a column: its margins are compared with the whole table's.
        let whole = Table::count(
            &["sent".into()],
            &["red".into(), "none".into()],
            [("sent", "red", 7), ("sent", "none", 1)],
        );
        let filtered = Table::count(&["sent".into()], &["red".into()], [("sent", "red", 7)]);
        let p = publish(&filtered, Policy::INTERNAL, Some(&whole));
        assert_eq!(p.total().text(), "*");
        assert_eq!(p.cell(0, 0).text(), "*");
        assert_no_line_leaks(&p);
        // A filter that leaves a single child is «<5», and its total too.
        let one = Table::count(&["accepted".into()], &["n".into()], [("accepted", "n", 1)]);
        let p = publish(&one, Policy::INTERNAL, Some(&whole));
        assert_eq!(p.cell(0, 0).text(), "<5");
        assert_eq!(p.total().text(), "<5");
        let csv = p.csv("", "Total", "%");
        assert!(!csv.contains(",1,") && !csv.contains(",1\r"), "{csv}");
    }

    fn fact(country: &str, week: &str, age: &str, risk: &str) -> ScreeningFact {
        ScreeningFact {
            country: country.into(),
            week: week.into(),
            age_band: age.into(),
            risk_level: risk.into(),
            count: 1,
        }
    }

    #[test]
    fn screenings_filtered_to_one_child_show_nothing_that_identifies_it() {
        // Thirty screenings in Colombia, and one adolescent in Peru at high risk.
        let mut facts: Vec<ScreeningFact> = (0..30)
            .map(|i| {
                fact(
                    "CO",
                    "2026-W48",
                    if i % 2 == 0 { "12-14" } else { "15-17" },
                    "medium",
                )
            })
            .collect();
        facts.push(fact("PE", "2026-W48", "15-17", "high"));
        let (whole_risk, whole_week) = screening_tables(&facts, None, None);
        let p = publish(&whole_risk, Policy::INTERNAL, None);
        let high = p.rows.iter().position(|r| r == "high").unwrap();
        assert!(p.row_total(high).hidden().is_some());
        assert_no_line_leaks(&p);
        assert_no_line_leaks(&publish(&whole_week, Policy::INTERNAL, None));
        // Filtering to Peru would show a count of 1: it is «<5», and so is every total.
        let (risk, week) = screening_tables(&facts, Some("PE"), None);
        for p in [
            publish(&risk, Policy::INTERNAL, Some(&whole_risk)),
            publish(&week, Policy::INTERNAL, Some(&whole_week)),
        ] {
            assert_eq!(p.total().text(), "<5");
            let csv = p.csv("", "Total", "%");
            assert!(!csv.contains(",1,") && !csv.contains(",1\r"), "{csv}");
        }
        // Filtering to Colombia leaves 30 of 31: the difference of one is hidden (R9).
        let (risk, _) = screening_tables(&facts, Some("CO"), None);
        let p = publish(&risk, Policy::INTERNAL, Some(&whole_risk));
        assert_eq!(p.total().text(), "*");
        assert_no_line_leaks(&p);
    }

    #[test]
    fn weeks_belong_to_the_month_of_their_thursday() {
        assert_eq!(
            fact("CO", "2026-W01", "", "").month().as_deref(),
            Some("2026-01")
        );
        assert_eq!(
            fact("CO", "2026-W49", "", "").month().as_deref(),
            Some("2026-12")
        );
        assert_eq!(fact("CO", "2026-W53x", "", "").month(), None);
        let facts = [
            fact("CO", "2026-W48", "6-11", "low"),
            fact("CO", "2026-W49", "6-11", "low"),
        ];
        let (risk, _) = screening_tables(&facts, None, Some("2026-12"));
        assert_eq!(risk.cells, vec![vec![1]]);
    }

    #[test]
    fn a_month_holds_the_weeks_whose_thursday_falls_in_it() {
        for month in ["2026-01", "2026-12", "2027-01", "2020-12"] {
            let weeks = weeks_of_month(month);
            assert!((4..=5).contains(&weeks.len()), "{month}: {weeks:?}");
            for w in &weeks {
                assert_eq!(fact("CO", w, "", "").month().as_deref(), Some(month));
            }
        }
        assert_eq!(weeks_of_month("2026-12")[0], "2026-W49");
        assert!(weeks_of_month("diciembre").is_empty());
    }

    #[test]
    fn csv_is_what_is_shown_and_cannot_run_formulas() {
        let t = Table::count(
            &["=cmd()".into(), "a,b".into()],
            &["n".into()],
            [("=cmd()", "n", 30), ("a,b", "n", 3)],
        );
        let csv = publish(&t, Policy::INTERNAL, None).csv("", "Total", "%");
        assert!(csv.contains("'=cmd()"));
        assert!(csv.contains("\"a,b\",<5"));
        assert!(!csv.contains(",3,") && !csv.contains(",3\r"));
    }
}
