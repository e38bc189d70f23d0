//! Checks and conversions of imported values. Each returns the stored form or a
//! reason that completes the sentence `"<value>" is not ...`.

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The longest name accepted.
const MAX_NAME_CHARS: usize = 200;

pub fn name(value: &str) -> Result<&str, &'static str> {
    let value = value.trim();
    if value.is_empty() || !value.chars().any(char::is_alphanumeric) {
        return Err("a name");
    }
    if value.chars().count() > MAX_NAME_CHARS || value.chars().any(char::is_control) {
        return Err("a name (too long, or it holds control characters)");
    }
    Ok(value)
}

/// A plausible e-mail address: `local@domain.tld`, no spaces, letters of any
/// script allowed in both parts (internationalized addresses are valid).
pub fn email(value: &str) -> Result<&str, &'static str> {
    let value = value.trim();
    let plausible = (|| {
        let (local, domain) = value.rsplit_once('@')?;
        let ok_local = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| {
                !c.is_whitespace()
                    && !c.is_control()
                    && !matches!(
                        c,
                        '@' | '<' | '>' | '(' | ')' | '[' | ']' | '\\' | ',' | ';' | ':' | '"'
                    )
            });
        let (_, tld) = domain.rsplit_once('.')?;
        let ok_tld = tld.chars().all(char::is_alphabetic) || tld.starts_with("xn--");
        let ok_domain = domain.len() <= 253
            && ok_tld
            && domain.split('.').all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        Some(ok_local && ok_domain)
    })();
    if plausible == Some(true) {
        Ok(value)
    } else {
        Err("an e-mail address")
    }
}

/// What [`date`] reads, as its error lists it.
const DATE: &str = "a date (accepted: YYYY-MM-DD, DD.MM.YYYY)";
/// What [`date_time`] reads, as its error lists it.
const DATE_TIME: &str = "a date or time (accepted: YYYY-MM-DD, DD.MM.YYYY, either with HH:MM or \
     HH:MM:SS after it, or RFC 3339 such as 2026-10-01T10:30:00+02:00)";

/// What a date with a two-digit year gets: chrono reads `31.12.24` as the
/// year 24, which would be stored 2,000 years off and fall out of every report.
const SHORT_YEAR: &str = "a date with a four-digit year (31.12.2024, not 31.12.24)";

/// True for a year written with four digits (1000 to 9999).
fn four_digit_year(date: NaiveDate) -> bool {
    (1000..=9999).contains(&date.year())
}

/// A date as `YYYY-MM-DD` or `DD.MM.YYYY`, stored as `YYYY-MM-DD`.
pub fn date(value: &str) -> Result<NaiveDate, &'static str> {
    let date = any_year_date(value)?;
    if four_digit_year(date) {
        Ok(date)
    } else {
        Err(SHORT_YEAR)
    }
}

/// [`date`], with any year.
fn any_year_date(value: &str) -> Result<NaiveDate, &'static str> {
    let value = value.trim();
    // The common form without chrono's format parser (a bulk import reads
    // one per row).
    if let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = *value.as_bytes() {
        let digits = [y1, y2, y3, y4, m1, m2, d1, d2];
        if digits.iter().all(u8::is_ascii_digit) {
            let n = |ds: &[u8]| ds.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0'));
            return NaiveDate::from_ymd_opt(
                n(&digits[..4]) as i32,
                n(&digits[4..6]),
                n(&digits[6..]),
            )
            .ok_or(DATE);
        }
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d.%m.%Y"))
        .map_err(|_| DATE)
}

/// A point in time: an RFC 3339 date-time, `YYYY-MM-DD HH:MM[:SS]` or
/// `DD.MM.YYYY HH:MM[:SS]` (taken as UTC, as the other times without a zone),
/// or a date alone (midnight UTC).
pub fn date_time(value: &str) -> Result<DateTime<Utc>, &'static str> {
    let time = any_year_date_time(value)?;
    if four_digit_year(time.date_naive()) {
        Ok(time)
    } else {
        Err(SHORT_YEAR)
    }
}

/// [`date_time`], with any year.
fn any_year_date_time(value: &str) -> Result<DateTime<Utc>, &'static str> {
    written(value)?.in_zone(Tz::UTC).ok_or(DATE_TIME)
}

/// A point in time as a file writes it: with its zone, as a clock on the
/// wall shows it (no zone), or a day alone.
enum Written {
    Zoned(DateTime<Utc>),
    Wall(NaiveDateTime),
    Day(NaiveDate),
}

/// What [`date_time`] reads, as it is written.
fn written(value: &str) -> Result<Written, &'static str> {
    let value = value.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(Written::Zoned(t.with_timezone(&Utc)));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%d.%m.%Y %H:%M",
        "%d.%m.%Y %H:%M:%S",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(value, format) {
            return Ok(Written::Wall(t));
        }
    }
    any_year_date(value)
        .map(Written::Day)
        .map_err(|_| DATE_TIME)
}

impl Written {
    /// In UTC, a wall-clock time read in `zone` (the earlier of an hour the
    /// clocks go through twice; `None` for one they skip). A day alone is
    /// midnight UTC: the day as written, whatever the zone.
    fn in_zone(self, zone: Tz) -> Option<DateTime<Utc>> {
        match self {
            Written::Zoned(t) => Some(t),
            Written::Wall(t) => zone
                .from_local_datetime(&t)
                .earliest()
                .map(|t| t.with_timezone(&Utc)),
            Written::Day(d) => Some(d.and_time(NaiveTime::MIN).and_utc()),
        }
    }
}

/// The forms an import reads dates in: `--date-format`'s first, when given,
/// then those [`date`] and [`date_time`] read (a workbook's date cells come
/// as `YYYY-MM-DD`, so those must always be read).
#[derive(Debug, Clone, Default)]
pub struct Dates {
    format: Option<String>,
    /// The zone of times written without one (`--tz`); UTC when not given.
    zone: Option<Tz>,
}

impl Dates {
    /// The forms with `format` (strftime, such as `%m/%d/%Y`) first; an
    /// error when it is no format chrono can read.
    pub fn new(format: Option<&str>) -> Result<Dates, String> {
        if let Some(format) = format {
            let broken = StrftimeItems::new(format).any(|item| matches!(item, Item::Error));
            if broken || format.trim().is_empty() {
                return Err(format!(
                    "--date-format {format:?}: not a strftime format (such as %m/%d/%Y)"
                ));
            }
        }
        Ok(Dates {
            format: format.map(String::from),
            zone: None,
        })
    }

    /// The same forms, with times that have no zone read in `zone`.
    pub fn in_zone(self, zone: Option<Tz>) -> Dates {
        Dates { zone, ..self }
    }

    /// A date, as [`date`] reads it or in the `--date-format`.
    pub fn date(&self, value: &str) -> Result<NaiveDate, String> {
        let Some(format) = &self.format else {
            return date(value).map_err(|what| format!("{what}; other forms with --date-format"));
        };
        let found = NaiveDate::parse_from_str(value.trim(), format)
            .or_else(|_| any_year_date(value))
            .map_err(|_| format!("a date (accepted: {format}, YYYY-MM-DD, DD.MM.YYYY)"))?;
        if four_digit_year(found) {
            Ok(found)
        } else {
            Err(format!("{SHORT_YEAR}, or %y in --date-format"))
        }
    }

    /// A point in time, as [`date_time`] reads it or in the `--date-format`
    /// (a date alone is midnight UTC; a time without a zone is in `--tz`,
    /// else UTC).
    pub fn date_time(&self, value: &str) -> Result<DateTime<Utc>, String> {
        let trimmed = value.trim();
        let found = match &self.format {
            None => {
                written(value).map_err(|what| format!("{what}; other forms with --date-format"))?
            }
            Some(format) => NaiveDateTime::parse_from_str(trimmed, format)
                .map(Written::Wall)
                .or_else(|_| NaiveDate::parse_from_str(trimmed, format).map(Written::Day))
                .or_else(|_| written(value))
                .map_err(|_| {
                    let forms = DATE_TIME.trim_start_matches("a date or time (accepted: ");
                    format!("a date or time (accepted: {format}, {forms}")
                })?,
        };
        let zone = self.zone.unwrap_or(Tz::UTC);
        let Some(found) = found.in_zone(zone) else {
            return Err(format!(
                "a time that is not on the clocks in {zone} (they skip that hour)"
            ));
        };
        if four_digit_year(found.date_naive()) {
            Ok(found)
        } else if self.format.is_some() {
            Err(format!("{SHORT_YEAR}, or %y in --date-format"))
        } else {
            Err(format!("{SHORT_YEAR}; other forms with --date-format"))
        }
    }
}

/// A price as a decimal (`299`, `299.5`, `299.00`, or with a decimal comma),
/// in minor units.
pub fn money(value: &str) -> Result<i64, &'static str> {
    const WHAT: &str = "an amount (use a decimal like 299.00)";
    let value = value.trim().replace([' ', '\u{a0}'], "");
    let (negative, digits) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value.as_str()),
    };
    let (whole, fraction) = match digits.split_once(['.', ',']) {
        Some((w, f)) => (w, f),
        None => (digits, ""),
    };
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || fraction.len() > 2 {
        return Err(WHAT);
    }
    let whole: i64 = whole.parse().map_err(|_| WHAT)?;
    let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| WHAT)?;
    let minor = whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(cents))
        .ok_or(WHAT)?;
    Ok(if negative { -minor } else { minor })
}

/// A whole, positive quantity.
pub fn quantity(value: &str) -> Result<i64, &'static str> {
    match value.trim().parse::<i64>() {
        Ok(q) if q > 0 => Ok(q),
        _ => Err("a quantity (a whole number above 0)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for good in [
            "kari@example.no",
            "ola.nordmann+crm@sub.example.com",
            "åse@bøkeskog.no",
            "x@xn--bkeskog-c1a.no",
        ] {
            assert!(email(good).is_ok(), "{good}");
        }
        for bad in [
            "095-557-11-99",
            "kari@",
            "@example.no",
            "kari@example",
            "ka ri@example.no",
            "kari@@x.no",
            "kari@exa_mple.no",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(date("24.12.1980").unwrap().to_string(), "1980-12-24");
        assert_eq!(date("1980-12-24").unwrap().to_string(), "1980-12-24");
        assert!(date("31.02.1980").is_err());
        assert!(date("12/24/1980").is_err());
        assert_eq!(
            date_time("2026-03-01").unwrap().to_rfc3339(),
            "2026-03-01T00:00:00+00:00"
        );
        assert_eq!(
            date_time("2026-03-01T10:00:00+01:00").unwrap().to_rfc3339(),
            "2026-03-01T09:00:00+00:00"
        );
        assert_eq!(
            date_time("01.03.2026 10:30").unwrap().to_rfc3339(),
            "2026-03-01T10:30:00+00:00"
        );
        assert_eq!(
            date_time("01.03.2026 10:30:15").unwrap().to_rfc3339(),
            "2026-03-01T10:30:15+00:00"
        );
        assert!(date_time("01.03.2026 25:00").is_err());
    }

    #[test]
    fn times_without_a_zone_are_read_in_the_zone_given() {
        let oslo = Dates::default().in_zone(Some(chrono_tz::Europe::Oslo));
        let at = |dates: &Dates, value: &str| dates.date_time(value).unwrap().to_rfc3339();
        // Winter (+01:00) and summer (+02:00): the day can change in UTC.
        assert_eq!(at(&oslo, "26.11.2026 00:30"), "2026-11-25T23:30:00+00:00");
        assert_eq!(at(&oslo, "2026-07-01 12:00"), "2026-07-01T10:00:00+00:00");
        // A day alone is that day; a time with its zone keeps it.
        assert_eq!(at(&oslo, "26.11.2026"), "2026-11-26T00:00:00+00:00");
        assert_eq!(
            at(&oslo, "2026-11-26T10:00:00Z"),
            "2026-11-26T10:00:00+00:00"
        );
        assert_eq!(
            at(&Dates::default(), "26.11.2026 00:30"),
            "2026-11-26T00:30:00+00:00"
        );
        // The hour the clocks skip in spring is no time there.
        let skipped = oslo.date_time("29.03.2026 02:30").unwrap_err();
        assert!(skipped.contains("Europe/Oslo"), "{skipped}");
        let us = Dates::new(Some("%m/%d/%Y %H:%M"))
            .unwrap()
            .in_zone(Some(chrono_tz::America::New_York));
        assert_eq!(at(&us, "11/26/2026 19:00"), "2026-11-27T00:00:00+00:00");
    }

    #[test]
    fn a_two_digit_year_is_refused_not_read_as_the_year_24() {
        for short in ["31.12.24", "0024-12-31", "31.12.0024"] {
            assert_eq!(date(short).unwrap_err(), SHORT_YEAR, "{short}");
        }
        for short in ["07.12.26 10:00", "07.12.26", "0026-12-07T10:00:00Z"] {
            assert_eq!(date_time(short).unwrap_err(), SHORT_YEAR, "{short}");
        }
        let written = Dates::new(Some("%d/%m/%Y")).unwrap();
        assert!(written
            .date("31/12/24")
            .unwrap_err()
            .starts_with(SHORT_YEAR));
        assert!(written
            .date_time("31/12/24")
            .unwrap_err()
            .starts_with(SHORT_YEAR));
        // Said with %y, a two-digit year is this century's or the last.
        let short = Dates::new(Some("%d.%m.%y")).unwrap();
        assert_eq!(short.date("31.12.24").unwrap().to_string(), "2024-12-31");
        assert!(Dates::default()
            .date("31.12.24")
            .unwrap_err()
            .starts_with(SHORT_YEAR));
    }

    #[test]
    fn a_date_format_is_read_first_and_the_usual_forms_still_are() {
        let us = Dates::new(Some("%m/%d/%Y")).unwrap();
        assert_eq!(us.date("12/24/1980").unwrap().to_string(), "1980-12-24");
        assert_eq!(us.date("1980-12-24").unwrap().to_string(), "1980-12-24");
        assert_eq!(us.date("24.12.1980").unwrap().to_string(), "1980-12-24");
        assert_eq!(
            us.date("24/12/1980").unwrap_err(),
            "a date (accepted: %m/%d/%Y, YYYY-MM-DD, DD.MM.YYYY)"
        );
        assert_eq!(
            us.date_time("10/01/2026").unwrap().to_rfc3339(),
            "2026-10-01T00:00:00+00:00"
        );
        let with_time = Dates::new(Some("%m/%d/%Y %I:%M %p")).unwrap();
        assert_eq!(
            with_time
                .date_time("10/01/2026 02:30 PM")
                .unwrap()
                .to_rfc3339(),
            "2026-10-01T14:30:00+00:00"
        );
        assert!(with_time
            .date_time("someday")
            .unwrap_err()
            .starts_with("a date or time (accepted: %m/%d/%Y %I:%M %p, YYYY-MM-DD, DD.MM.YYYY,"));
        let plain = Dates::default();
        assert_eq!(
            plain.date("12/24/1980").unwrap_err(),
            "a date (accepted: YYYY-MM-DD, DD.MM.YYYY); other forms with --date-format"
        );
        assert!(Dates::new(Some("%Q")).is_err());
        assert!(Dates::new(Some("")).is_err());
    }

    #[test]
    fn amounts() {
        assert_eq!(money("299.00"), Ok(29900));
        assert_eq!(money("299,5"), Ok(29950));
        assert_eq!(money("1 299"), Ok(129900));
        assert_eq!(money("-12.30"), Ok(-1230));
        assert!(money("12.345").is_err());
        assert!(money("abc").is_err());
        assert!(money("99999999999999999999").is_err());
    }

    #[test]
    fn names() {
        assert_eq!(name("  Åse Ødegård ").unwrap(), "Åse Ødegård");
        assert!(name("").is_err());
        assert!(name("--").is_err());
    }
}
