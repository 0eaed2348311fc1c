//! Durations as the portal writes them in messages: .NET TimeSpan text
//! (`00:07:21`, `1.02:03:04`, `00:00:01.1144704`) and plain English
//! (`5 minutes`, `1 hour and 30 seconds`).

/// Milliseconds of a .NET TimeSpan (`[-][d.]hh:mm[:ss[.fffffff]]`), or
/// `None` when `text` is not one. Negative spans are refused: a wait is
/// never negative.
pub fn parse_timespan_ms(text: &str) -> Option<u64> {
    let text = text.trim();
    let (days, clock) = match text.split_once(':') {
        Some((head, _)) if head.contains('.') => {
            let (days, _) = head.split_once('.')?;
            (digits(days)?, &text[days.len() + 1..])
        }
        Some(_) => (0, text),
        None => return None,
    };
    let mut parts = clock.split(':');
    let hours = digits(parts.next()?)?;
    let minutes = digits(parts.next()?)?;
    let (seconds, fraction_ms) = match parts.next() {
        Some(sec) => match sec.split_once('.') {
            Some((whole, fraction)) => (digits(whole)?, fraction_ms(fraction)?),
            None => (digits(sec)?, 0),
        },
        None => (0, 0),
    };
    if parts.next().is_some() || minutes >= 60 || seconds >= 60 {
        return None;
    }
    let secs = days
        .checked_mul(86_400)?
        .checked_add(hours * 3_600 + minutes * 60 + seconds)?;
    secs.checked_mul(1_000)?.checked_add(fraction_ms)
}

/// Parses ASCII digits only (no sign, no spaces).
fn digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The milliseconds of a fraction of a second (`1144704` → 114).
fn fraction_ms(fraction: &str) -> Option<u64> {
    digits(fraction)?;
    let padded = format!("{fraction:0<3}");
    padded.get(..3)?.parse().ok()
}

/// Milliseconds of an English duration such as `5 minutes`,
/// `1 hour and 30 seconds` or `2 mins, 10 secs`; `None` if `text` has no
/// number-unit pair or anything it does not understand.
pub fn parse_english_ms(text: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut pending: Option<u64> = None;
    let mut any = false;
    for word in text.split(|c: char| c.is_whitespace() || c == ',') {
        let word = word.trim_end_matches('.').to_ascii_lowercase();
        if word.is_empty() || word == "and" {
            continue;
        }
        // Accept "5min" as well as "5 min".
        let split = word
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(word.len());
        let (number, unit) = word.split_at(split);
        if !number.is_empty() {
            if pending.is_some() {
                return None;
            }
            pending = Some(digits(number)?);
        }
        if unit.is_empty() {
            continue;
        }
        let scale = match unit {
            "d" | "day" | "days" => 86_400_000,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3_600_000,
            "m" | "min" | "mins" | "minute" | "minutes" => 60_000,
            "s" | "sec" | "secs" | "second" | "seconds" => 1_000,
            _ => return None,
        };
        total = total.checked_add(pending.take()?.checked_mul(scale)?)?;
        any = true;
    }
    (any && pending.is_none()).then_some(total)
}

/// The wait a message like "You can run queries again in 00:07:21." asks
/// for, in milliseconds.
pub fn wait_after_phrase(message: &str, phrase: &str) -> Option<u64> {
    let lower = message.to_ascii_lowercase();
    let start = lower.find(phrase)? + phrase.len();
    let rest = message.get(start..)?.trim_start();
    let first = rest.split_whitespace().next()?;
    if first.contains(':') {
        return parse_timespan_ms(first.trim_end_matches('.'));
    }
    // English: up to the end of the sentence.
    let sentence = rest.split(". ").next().unwrap_or(rest);
    parse_english_ms(sentence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan_ms("00:07:21"), Some(441_000));
        assert_eq!(parse_timespan_ms("00:01:00"), Some(60_000));
        assert_eq!(parse_timespan_ms("01:00:00"), Some(3_600_000));
        assert_eq!(parse_timespan_ms("1.02:03:04"), Some(93_784_000));
        assert_eq!(parse_timespan_ms("00:00:01.1144704"), Some(1_114));
        assert_eq!(parse_timespan_ms("1.00:00:00.5"), Some(86_400_500));
        assert_eq!(parse_timespan_ms("12:30"), Some(45_000_000));
        for bad in [
            "",
            "7",
            "a:b",
            "00:61:00",
            "00:00:60",
            "-00:01:00",
            "1:2:3:4",
            "00:00:01.x",
        ] {
            assert_eq!(parse_timespan_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn english() {
        assert_eq!(parse_english_ms("5 minutes"), Some(300_000));
        assert_eq!(parse_english_ms("1 hour and 30 seconds"), Some(3_630_000));
        assert_eq!(parse_english_ms("2 mins, 10 secs"), Some(130_000));
        assert_eq!(parse_english_ms("5min"), Some(300_000));
        assert_eq!(parse_english_ms("a while"), None);
        assert_eq!(parse_english_ms("5"), None);
        assert_eq!(parse_english_ms("minutes"), None);
    }

    #[test]
    fn waits_in_messages() {
        let phrase = "run queries again in";
        assert_eq!(
            wait_after_phrase("You have exceeded processing resources allocated to this tenant. You can run queries again in 00:07:21.", phrase),
            Some(441_000)
        );
        assert_eq!(
            wait_after_phrase("You can run queries again in 1.02:03:04.", phrase),
            Some(93_784_000)
        );
        assert_eq!(
            wait_after_phrase("You can run queries again in 5 minutes. Sorry.", phrase),
            Some(300_000)
        );
        assert_eq!(
            wait_after_phrase("You can run queries again in <duration>.", phrase),
            None
        );
        assert_eq!(wait_after_phrase("nothing here", phrase), None);
    }
}
