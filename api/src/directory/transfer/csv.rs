//! The directory as CSV: one entry per row.
//!
//! UTF-8 (a leading byte-order mark is ignored), comma-separated and `"`-quoted as in RFC 4180,
//! with a header row naming the columns. On import the columns may come in any order, columns
//! with an empty header are ignored, and the optional ones may be left out; an empty cell means
//! absent (the default). The export writes every column in this order:
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `external_id` | yes | your id for the place; importing a row whose id your agency has updates that entry |
//! | `name` | yes | 1–200 characters |
//! | `kind` | yes | `shelter`, `dv_shelter`, `safe_house`, `emergency_housing`, `transitional_housing`, `hotel_voucher` |
//! | `organization` | | who runs it |
//! | `description` | | up to 2000 characters |
//! | `latitude`, `longitude` | yes | WGS 84 degrees |
//! | `street`, `locality`, `region`, `postal_code` | | address; `street` and `postal_code` of confidential places are shown only with the grant |
//! | `country` | | ISO 3166 two-letter code, default `US` |
//! | `service_area` | | free text |
//! | `intake_phone` | yes | digits, spaces, `+ - ( ) .` |
//! | `website` | | `http(s)://…` |
//! | `time_zone` | yes | IANA zone of `hours`, e.g. `America/Denver` |
//! | `open_24_7` | | boolean, default `false` |
//! | `hours` | | `Mon 08:00-17:00; Tue 20:00-02:00` (days `Mon`…`Sun`; a span may cross midnight; `24:00` closes at midnight) |
//! | `genders` | | `;`-separated from `women`, `men`, `nonbinary`, `transgender`; empty = anyone |
//! | `min_age`, `max_age` | | whole years, 0–130 |
//! | `accepts_children`, `accepts_pets`, `wheelchair_accessible` | | boolean, default `false` |
//! | `languages` | | `;`-separated ISO 639-1 codes, e.g. `en;es` |
//! | `eligibility_notes` | | up to 2000 characters |
//! | `capacity`, `beds_available` | | whole numbers |
//! | `status` | yes | `open`, `full`, `temporarily_closed`, `closed` |
//! | `confidential` | | boolean, default `false` |
//! | `shared` | | boolean, default `true` (visible to every agency) |
//!
//! Booleans are `true`/`false` (`yes`/`no` and `1`/`0` are accepted). A text cell a spreadsheet
//! would take for a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return, such as
//! `+1 801-555-0100`) is exported with a leading `'`, which import removes again: a file
//! opened in a spreadsheet must not run what another agency typed into a name.
//!
//! Errors point at `/rows/{line}/{column}`: the physical line where the record starts (the
//! header is line 1; a quoted cell may span lines) and the column's name.

use super::{SeenIds, check_row, field_error, parse_bool, rejected};
use crate::directory::validate::ValidEntry;
use crate::error::ApiError;
use ::csv::{ErrorKind, ReaderBuilder, StringRecord, Writer};
use fieldline_wire::FieldError;
use fieldline_wire::directory::{
    Address, Coordinates, Eligibility, Entry, EntryInput, EntryKind, EntryStatus, Hours,
    OpeningSpan,
};
use std::collections::HashMap;
use std::str::FromStr;

pub const COLUMNS: [&str; 31] = [
    "external_id",
    "name",
    "kind",
    "organization",
    "description",
    "latitude",
    "longitude",
    "street",
    "locality",
    "region",
    "postal_code",
    "country",
    "service_area",
    "intake_phone",
    "website",
    "time_zone",
    "open_24_7",
    "hours",
    "genders",
    "min_age",
    "max_age",
    "accepts_children",
    "accepts_pets",
    "wheelchair_accessible",
    "languages",
    "eligibility_notes",
    "capacity",
    "beds_available",
    "status",
    "confidential",
    "shared",
];

const REQUIRED: [&str; 8] = [
    "external_id",
    "name",
    "kind",
    "latitude",
    "longitude",
    "intake_phone",
    "time_zone",
    "status",
];

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Characters that make a spreadsheet treat a cell as a formula (OWASP's list).
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

pub fn write(entries: &[Entry]) -> Result<Vec<u8>, ApiError> {
    let mut w = Writer::from_writer(Vec::new());
    let fail = |e: ::csv::Error| ApiError::Internal(e.into());
    w.write_record(COLUMNS).map_err(fail)?;
    for e in entries {
        w.write_record(row(e)).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("CSV writer could not be flushed")))
}

fn row(e: &Entry) -> [String; 31] {
    let opt = |v: Option<i32>| v.map(|v| v.to_string()).unwrap_or_default();
    let flag = |b: bool| if b { "true" } else { "false" }.to_owned();
    let el = &e.eligibility;
    [
        guard(e.external_id.as_deref().unwrap_or("")),
        guard(&e.name),
        e.kind.as_str().to_owned(),
        guard(&e.organization),
        guard(&e.description),
        e.location
            .map(|c| c.latitude.to_string())
            .unwrap_or_default(),
        e.location
            .map(|c| c.longitude.to_string())
            .unwrap_or_default(),
        guard(&e.address.street),
        guard(&e.address.locality),
        guard(&e.address.region),
        guard(&e.address.postal_code),
        guard(&e.address.country),
        guard(&e.service_area),
        guard(&e.intake_phone),
        guard(e.website.as_deref().unwrap_or("")),
        guard(&e.hours.time_zone),
        flag(e.hours.open_24_7),
        print_hours(&e.hours.spans),
        el.genders.join(";"),
        opt(el.min_age),
        opt(el.max_age),
        flag(el.accepts_children),
        flag(el.accepts_pets),
        flag(el.wheelchair_accessible),
        el.languages.join(";"),
        guard(&el.notes),
        opt(e.capacity),
        opt(e.beds_available),
        e.status.as_str().to_owned(),
        flag(e.confidential),
        flag(e.shared),
    ]
}

fn needs_guard(s: &str) -> bool {
    match s.strip_prefix('\'') {
        // An apostrophe that import would strip must itself be guarded to survive.
        Some(rest) => rest.starts_with(FORMULA_START) || rest.starts_with('\''),
        None => s.starts_with(FORMULA_START),
    }
}

fn guard(s: &str) -> String {
    if needs_guard(s) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

fn unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => s,
    }
}

fn print_hours(spans: &[OpeningSpan]) -> String {
    spans
        .iter()
        .map(|s| {
            let day = DAYS
                .get(usize::from(s.day).wrapping_sub(1))
                .map_or_else(|| s.day.to_string(), |d| (*d).to_owned());
            format!("{day} {}-{}", s.opens, s.closes)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `Mon 08:00-17:00; Tue 20:00-02:00` → spans; the times themselves are checked by
/// `validate`. Errors name the span (1-based), never its text.
fn parse_hours(s: &str) -> Result<Vec<OpeningSpan>, String> {
    let mut spans = Vec::new();
    for (i, part) in s
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        let span = part
            .split_once(char::is_whitespace)
            .and_then(|(day, times)| {
                let day = DAYS.iter().position(|d| d.eq_ignore_ascii_case(day))?;
                let (opens, closes) = times.trim().split_once('-')?;
                Some(OpeningSpan {
                    day: day as u8 + 1,
                    opens: opens.trim().to_owned(),
                    closes: closes.trim().to_owned(),
                })
            });
        match span {
            Some(span) => spans.push(span),
            None => {
                return Err(format!(
                    "span {} must look like `Mon 08:00-17:00` (days Mon to Sun, spans separated by `;`)",
                    i + 1
                ));
            }
        }
    }
    Ok(spans)
}

fn list(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reads and checks a whole file. `Err` is the one problem for the file: every bad row, or
/// why the file as a whole cannot be read.
pub fn parse(body: &[u8]) -> Result<Vec<ValidEntry>, ApiError> {
    let text = std::str::from_utf8(body).map_err(|e| {
        let line = 1 + body[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        ApiError::field(
            format!("/rows/{line}"),
            "is not valid UTF-8: save the file as CSV UTF-8",
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| rejected(vec![structure_error(&e)]))?
        .clone();
    let columns = read_header(&header).map_err(rejected)?;

    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen = SeenIds::default();
    let mut record = StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                errors.push(structure_error(&e));
                // A record of the wrong length was consumed: go on and report the others.
                if matches!(e.kind(), ErrorKind::UnequalLengths { .. }) {
                    continue;
                }
                break;
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        let mut cells = Cells {
            record: &record,
            columns: &columns,
            line,
            errors: Vec::new(),
        };
        let input = cells.entry();
        if let Some(id) = &input.external_id
            && let Some(first) = seen.repeat(id, format!("line {line}"))
        {
            cells.error(
                "external_id",
                format!("repeats the external_id of {first}: each place may appear once"),
            );
        }
        let Cells { errors: found, .. } = cells;
        if let Some(valid) = check_row(input, found, |e| locate(line, e), &mut errors) {
            rows.push(valid);
        }
        if errors.len() > super::MAX_ERRORS {
            break;
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(rejected(errors))
    }
}

/// A record the CSV reader could not take, by line; never its content.
fn structure_error(e: &::csv::Error) -> FieldError {
    match e.kind() {
        ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => {
            let line = pos.as_ref().map_or(0, |p| p.line());
            field_error(
                format!("/rows/{line}"),
                format!(
                    "has {len} cells but the header has {expected_len}: check the quoting (a cell with a comma, quote or line break must be in double quotes, with inner quotes doubled)"
                ),
            )
        }
        _ => {
            let line = e.position().map_or(0, |p| p.line());
            field_error(format!("/rows/{line}"), "cannot be read as CSV")
        }
    }
}

/// Column name → index. Header names are case-insensitive; unknown ones are refused (a typo
/// would otherwise silently drop a column) and named by position, as a header cell is text
/// someone typed.
fn read_header(header: &StringRecord) -> Result<HashMap<&'static str, usize>, Vec<FieldError>> {
    let mut columns = HashMap::new();
    let mut errors = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        match COLUMNS.iter().find(|c| **c == name) {
            Some(c) => {
                if columns.insert(*c, i).is_some() {
                    errors.push(field_error(
                        format!("/rows/1/{c}"),
                        "appears more than once in the header",
                    ));
                }
            }
            None => errors.push(field_error(
                format!("/rows/1/{}", i + 1),
                format!(
                    "column {} of the header is not a known column (see the documented columns)",
                    i + 1
                ),
            )),
        }
    }
    for c in REQUIRED {
        if !columns.contains_key(c) {
            errors.push(field_error(format!("/rows/1/{c}"), "is a required column"));
        }
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(errors)
    }
}

/// One record being read, collecting its problems.
struct Cells<'a> {
    record: &'a StringRecord,
    columns: &'a HashMap<&'static str, usize>,
    line: u64,
    errors: Vec<FieldError>,
}

impl Cells<'_> {
    fn raw(&self, column: &str) -> &str {
        self.columns
            .get(column)
            .and_then(|&i| self.record.get(i))
            .unwrap_or("")
    }

    fn error(&mut self, column: &str, message: impl Into<String>) {
        self.errors.push(field_error(
            format!("/rows/{}/{column}", self.line),
            message,
        ));
    }

    /// Free text, as written (`validate` trims it).
    fn text(&self, column: &str) -> String {
        unguard(self.raw(column)).to_owned()
    }

    fn optional_text(&self, column: &str) -> Option<String> {
        let raw = self.raw(column);
        (!raw.trim().is_empty()).then(|| unguard(raw).to_owned())
    }

    fn token(&self, column: &str) -> &str {
        self.raw(column).trim()
    }

    fn number<T: FromStr>(&mut self, column: &str, message: &str) -> Option<T> {
        let raw = self.token(column);
        if raw.is_empty() {
            return None;
        }
        let parsed = raw.parse().ok();
        if parsed.is_none() {
            self.error(column, message);
        }
        parsed
    }

    fn boolean(&mut self, column: &str, default: bool) -> bool {
        let raw = self.token(column);
        if raw.is_empty() {
            return default;
        }
        parse_bool(raw).unwrap_or_else(|| {
            self.error(column, "must be true or false (or yes/no, 1/0)");
            default
        })
    }

    fn enumerated<T>(
        &mut self,
        column: &str,
        parse: fn(&str) -> Option<T>,
        allowed: &str,
        placeholder: T,
    ) -> T {
        let raw = self.token(column).to_ascii_lowercase();
        if raw.is_empty() {
            self.error(column, format!("is required: one of {allowed}"));
            return placeholder;
        }
        parse(&raw).unwrap_or_else(|| {
            self.error(column, format!("must be one of {allowed}"));
            placeholder
        })
    }

    /// The record as an `EntryInput`, with placeholders where a cell could not be read (its
    /// error is recorded, and `check_row` will not report the same cell again).
    fn entry(&mut self) -> EntryInput {
        let external_id = self.optional_text("external_id");
        if external_id.is_none() {
            self.error(
                "external_id",
                "is required: a file that can be imported again needs an id for each place",
            );
        }
        let kind = self.enumerated(
            "kind",
            EntryKind::parse,
            "shelter, dv_shelter, safe_house, emergency_housing, transitional_housing, hotel_voucher",
            EntryKind::Shelter,
        );
        let status = self.enumerated(
            "status",
            EntryStatus::parse,
            "open, full, temporarily_closed, closed",
            EntryStatus::Open,
        );
        let latitude = self
            .number("latitude", "must be a number from -90 to 90")
            .unwrap_or(f64::NAN);
        let longitude = self
            .number("longitude", "must be a number from -180 to 180")
            .unwrap_or(f64::NAN);
        let spans = match parse_hours(self.raw("hours")) {
            Ok(spans) => spans,
            Err(message) => {
                self.error("hours", message);
                Vec::new()
            }
        };
        let whole = "must be a whole number";
        let eligibility = Eligibility {
            genders: list(self.raw("genders")),
            min_age: self.number("min_age", whole),
            max_age: self.number("max_age", whole),
            accepts_children: self.boolean("accepts_children", false),
            accepts_pets: self.boolean("accepts_pets", false),
            wheelchair_accessible: self.boolean("wheelchair_accessible", false),
            languages: list(self.raw("languages")),
            notes: self.text("eligibility_notes"),
        };
        EntryInput {
            name: self.text("name"),
            kind,
            organization: self.text("organization"),
            description: self.text("description"),
            location: Coordinates {
                latitude,
                longitude,
            },
            address: Address {
                street: self.text("street"),
                locality: self.text("locality"),
                region: self.text("region"),
                postal_code: self.text("postal_code"),
                country: self
                    .optional_text("country")
                    .unwrap_or_else(|| "US".to_owned()),
            },
            service_area: self.text("service_area"),
            intake_phone: self.text("intake_phone"),
            website: self.optional_text("website"),
            hours: Hours {
                time_zone: self.token("time_zone").to_owned(),
                open_24_7: self.boolean("open_24_7", false),
                spans,
            },
            eligibility,
            capacity: self.number("capacity", whole),
            beds_available: self.number("beds_available", whole),
            status,
            confidential: self.boolean("confidential", false),
            shared: self.boolean("shared", true),
            external_id,
        }
    }
}

/// `validate`'s pointer (`/location/latitude`, `/hours/spans/2/opens`) → this file's
/// (`/rows/7/latitude`, `/rows/7/hours` with "span 3: …").
fn locate(line: u64, e: &FieldError) -> FieldError {
    let segments: Vec<&str> = e.pointer.trim_start_matches('/').split('/').collect();
    let (column, item): (&str, Option<(&str, usize)>) = match segments.as_slice() {
        ["location", "longitude"] => ("longitude", None),
        ["location", ..] => ("latitude", None),
        ["address", field] => (field, None),
        ["hours", "spans", i, ..] => ("hours", i.parse().ok().map(|i| ("span", i))),
        ["hours", "time_zone"] => ("time_zone", None),
        ["hours", "open_24_7"] => ("open_24_7", None),
        ["hours", ..] => ("hours", None),
        ["eligibility", "notes"] => ("eligibility_notes", None),
        ["eligibility", field, i] => (field, i.parse().ok().map(|i| ("item", i))),
        ["eligibility", field, ..] => (field, None),
        [field, ..] => (field, None),
        [] => ("", None),
    };
    let message = match item {
        Some((what, i)) => format!("{what} {}: {}", i + 1, e.message),
        None => e.message.clone(),
    };
    field_error(format!("/rows/{line}/{column}"), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_guard_round_trips() {
        for s in [
            "+1 801-555-0100",
            "=HYPERLINK()",
            "'Tis House",
            "'",
            "''",
            "'=x",
            "-",
            "plain",
            "",
        ] {
            let g = guard(s);
            assert!(!g.starts_with(FORMULA_START), "{g:?}");
            assert_eq!(unguard(&g), s, "{s:?}");
        }
        assert_eq!(guard("+1 801"), "'+1 801");
        assert_eq!(guard("'Tis"), "'Tis");
    }

    #[test]
    fn hours_print_and_parse() {
        let spans = parse_hours("Mon 08:00-17:00; tue 20:00-02:00;  Sun 00:00-24:00 ;").unwrap();
        assert_eq!(
            print_hours(&spans),
            "Mon 08:00-17:00; Tue 20:00-02:00; Sun 00:00-24:00"
        );
        assert_eq!(parse_hours("").unwrap(), vec![]);
        let err = parse_hours("Mon 08:00-17:00; Someday 9-5").unwrap_err();
        assert!(err.starts_with("span 2 "), "{err}");
        assert!(!err.contains("Someday"));
    }

    #[test]
    fn spreadsheet_files_are_read() {
        // Excel's "CSV UTF-8": byte-order mark, CRLF, columns in its own order and case, a
        // blank line, and the formula guard on the phone.
        let file = "\u{feff}Name,external_id,KIND,latitude,longitude,intake_phone,time_zone,status,,hours\r\n\
                    Harbor,h-1,dv_shelter,40.2,-111.6,'+1 801 555 0100,America/Denver,open,,\r\n\
                    \r\n\
                    \"North, \"\"Annex\"\"\",h-2,safe_house,40.3,-111.7,801 555 0101,UTC,full,ignored,Sun 20:00-02:00\r\n";
        let rows = parse(file.as_bytes()).unwrap_or_else(|e| panic!("{:?}", e.to_problem()));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].input.intake_phone, "+1 801 555 0100");
        assert_eq!(rows[0].input.kind, EntryKind::DvShelter);
        assert_eq!(rows[1].input.name, "North, \"Annex\"");
        assert_eq!(rows[1].input.status, EntryStatus::Full);
        assert_eq!(rows[1].input.hours.spans[0].day, 7);
        assert!(rows[1].input.shared);
    }

    #[test]
    fn validate_pointers_become_columns() {
        let at = |p: &str| locate(7, &field_error(p, "must be x"));
        assert_eq!(at("/location/latitude").pointer, "/rows/7/latitude");
        assert_eq!(at("/address/street").pointer, "/rows/7/street");
        assert_eq!(at("/hours/time_zone").pointer, "/rows/7/time_zone");
        let span = at("/hours/spans/2/opens");
        assert_eq!(
            (span.pointer.as_str(), span.message.as_str()),
            ("/rows/7/hours", "span 3: must be x")
        );
        assert_eq!(at("/eligibility/languages/0").pointer, "/rows/7/languages");
        assert_eq!(
            at("/eligibility/notes").pointer,
            "/rows/7/eligibility_notes"
        );
        assert_eq!(at("/eligibility/max_age").pointer, "/rows/7/max_age");
        assert_eq!(at("/beds_available").pointer, "/rows/7/beds_available");
    }
}
