//! Dates as Franklin prints them: file times as calendar dates, Julia's `Dates.format`.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::dialect::Value;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
    /// 1 to 31.
    pub day: u32,
}

impl Date {
    /// The UTC date of a file time.
    pub fn of_time(t: SystemTime) -> Date {
        let secs = match t.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_secs() as i64,
            Err(e) => -(e.duration().as_secs() as i64),
        };
        Date::from_days(secs.div_euclid(86_400))
    }

    /// The date `days` days after 1970-01-01 (Howard Hinnant's civil-from-days).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Days since 1970-01-01.
    pub fn to_days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(self.month);
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// A page variable's date (`Date(...)` or a `yyyy-mm-dd` string).
    pub fn of_value(v: &Value) -> Option<Date> {
        match v {
            Value::Date { year, month, day } => Some(Date {
                year: *year,
                month: *month,
                day: *day,
            }),
            Value::Str(s) => {
                let mut it = s.trim().splitn(3, '-');
                let year = it.next()?.parse().ok()?;
                let month = it.next()?.parse().ok()?;
                let day = it.next()?.get(..2)?.parse().ok()?;
                Some(Date { year, month, day })
            }
            _ => None,
        }
    }

    /// `yyyy-mm-dd`.
    pub fn iso(self) -> String {
        let mut out = String::with_capacity(10);
        self.push_iso(&mut out);
        out
    }

    /// Appends `yyyy-mm-dd` to `out`.
    pub fn push_iso(self, out: &mut String) {
        // The sitemap writes one per page: digits by hand for the dates there are, the
        // formatter for the rest (negative or five-digit years).
        let (y, m, d) = (self.year, self.month, self.day);
        if (0..=9999).contains(&y) && m <= 99 && d <= 99 {
            let digit = |n: u32| char::from(b'0' + (n % 10) as u8);
            let y = y as u32;
            for c in [
                digit(y / 1000),
                digit(y / 100),
                digit(y / 10),
                digit(y),
                '-',
                digit(m / 10),
                digit(m),
                '-',
                digit(d / 10),
                digit(d),
            ] {
                out.push(c);
            }
            return;
        }
        use std::fmt::Write;
        // Writing to a `String` cannot fail.
        let _ = write!(out, "{y:04}-{m:02}-{d:02}");
    }

    /// Julia's `Dates.format` for the common codes: `yyyy yy mm m dd d U u E e`.
    pub fn format(self, pattern: &str) -> String {
        let mut out = String::with_capacity(pattern.len() + 8);
        let month_name = MONTHS[(self.month.clamp(1, 12) - 1) as usize];
        let weekday = DAYS[(self.to_days() + 3).rem_euclid(7) as usize];
        let mut rest = pattern;
        while let Some(c) = rest.chars().next() {
            let run_len = rest.len() - rest.trim_start_matches(c).len();
            let run = run_len / c.len_utf8();
            match c {
                'y' if run >= 4 => push_padded(&mut out, self.year.into(), 4),
                'y' => push_padded(&mut out, self.year.rem_euclid(100).into(), 2),
                'm' if run >= 2 => push_padded(&mut out, self.month.into(), 2),
                'm' => push_padded(&mut out, self.month.into(), 0),
                'd' if run >= 2 => push_padded(&mut out, self.day.into(), 2),
                'd' => push_padded(&mut out, self.day.into(), 0),
                'U' => out.push_str(month_name),
                'u' => out.push_str(&month_name[..3]),
                'E' => out.push_str(weekday),
                'e' => out.push_str(&weekday[..3]),
                _ => out.push_str(&rest[..run_len]),
            }
            rest = &rest[run_len..];
        }
        out
    }

    /// RFC 822 date for RSS, at midnight UTC.
    pub fn rfc822(self) -> String {
        let weekday = DAYS[(self.to_days() + 3).rem_euclid(7) as usize];
        let month = MONTHS[(self.month.clamp(1, 12) - 1) as usize];
        format!(
            "{}, {:02} {} {:04} 00:00:00 +0000",
            &weekday[..3],
            self.day,
            &month[..3],
            self.year
        )
    }
}

/// Writes `n` zero-padded to `width` digits as `{:0width$}` would.
fn push_padded(out: &mut String, n: i64, width: usize) {
    if n < 0 {
        use std::fmt::Write;
        // Writing to a `String` cannot fail.
        let _ = write!(out, "{n:0width$}");
        return;
    }
    crate::dialect::html::push_decimal(out, n.unsigned_abs(), width);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_padded_as_the_formatter_pads_them() {
        for n in [
            0,
            5,
            9,
            10,
            42,
            99,
            100,
            2024,
            12345,
            -5,
            -2024,
            i64::from(i32::MIN),
        ] {
            for width in [0, 2, 4] {
                let mut out = String::from("x");
                push_padded(&mut out, n, width);
                assert_eq!(out, format!("x{n:0width$}"), "{n} {width}");
            }
        }
    }

    #[test]
    fn iso_dates_are_written_as_the_formatter_writes_them() {
        for year in [-12, -1, 0, 7, 99, 999, 1999, 2026, 9999, 10_000, 123_456] {
            for (month, day) in [
                (0, 0),
                (1, 1),
                (9, 30),
                (12, 31),
                (99, 99),
                (100, 7),
                (7, 100),
            ] {
                let date = Date { year, month, day };
                let want = format!("{year:04}-{month:02}-{day:02}");
                assert_eq!(date.iso(), want);
                let mut out = String::from("x");
                date.push_iso(&mut out);
                assert_eq!(out, format!("x{want}"));
            }
        }
    }

    #[test]
    fn days_round_trip_and_known_dates() {
        let d = Date::from_days(19_741);
        assert_eq!(
            d,
            Date {
                year: 2024,
                month: 1,
                day: 19
            }
        );
        assert_eq!(d.to_days(), 19_741);
        assert_eq!(d.format("U dd, yyyy"), "January 19, 2024");
        assert_eq!(d.format("e, d u yy"), "Fri, 19 Jan 24");
        assert_eq!(d.rfc822(), "Fri, 19 Jan 2024 00:00:00 +0000");
        for days in [-800_000, -1, 0, 59, 60, 11_016, 2_000_000] {
            assert_eq!(Date::from_days(days).to_days(), days);
        }
    }

    #[test]
    fn values_become_dates() {
        let v = Value::Date {
            year: 2020,
            month: 2,
            day: 29,
        };
        assert_eq!(
            Date::of_value(&v).map(Date::iso).as_deref(),
            Some("2020-02-29")
        );
        assert_eq!(
            Date::of_value(&Value::Str("2021-03-04".into()))
                .map(Date::iso)
                .as_deref(),
            Some("2021-03-04")
        );
    }
}
