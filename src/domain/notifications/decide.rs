//! The one decision about a message and one person: does it reach their inbox, as what,
//! and should the delivery channels alert them — now, later (quiet hours), or not at all.
//! Pure, so every rule is tested here without a server.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{
    Kind, Level,
    prefs::{Preferences, RoomPreference},
};

/// What one person gets for one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// The row's kind: the strongest reason that counts.
    pub kind: Kind,
    /// Whether the row warrants an alert (desktop, push, e-mail). False in a muted room or
    /// at level `nothing`, where direct mentions and replies are kept but stay silent.
    pub alert: bool,
    /// With `alert`, during quiet hours: the alert waits until then (held, not lost).
    pub held_until: Option<DateTime<Utc>>,
}

/// Decides for one person with `reasons` (every kind the message is for them, in any
/// order), their defaults, their override for the room, their time zone and the time.
///
/// The room's level, else the default, says which kinds count: `all` every one,
/// `mentions` all but [`Kind::Message`]. `nothing` or an active mute keep only direct
/// mentions and replies, without an alert.
pub fn decide(
    reasons: &[Kind],
    defaults: &Preferences,
    room: &RoomPreference,
    tz: Tz,
    now: DateTime<Utc>,
) -> Option<Decision> {
    let level = room.level.unwrap_or(defaults.level);
    let silenced = level == Level::Nothing || room.muted(now);
    let kind = reasons
        .iter()
        .copied()
        .filter(|kind| match (silenced, level) {
            (true, _) => kind.is_personal(),
            (false, Level::All) => true,
            (false, _) => *kind != Kind::Message,
        })
        .min()?;
    let alert = !silenced;
    let held_until = alert
        .then(|| defaults.quiet_hours?.held_until(tz, now))
        .flatten();
    Some(Decision {
        kind,
        alert,
        held_until,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveTime};

    use super::*;
    use crate::domain::notifications::prefs::QuietHours;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn time(hh_mm: &str) -> NaiveTime {
        NaiveTime::parse_from_str(hh_mm, "%H:%M").unwrap()
    }

    fn quiet(start: &str, end: &str) -> Preferences {
        Preferences {
            quiet_hours: Some(QuietHours {
                start: time(start),
                end: time(end),
            }),
            ..Preferences::default()
        }
    }

    const NOON: &str = "2026-12-04T12:00:00Z";

    /// Reasons, defaults and room override → the row's kind and alert, or no row.
    type Case<'a> = (
        &'a [Kind],
        &'a Preferences,
        RoomPreference,
        Option<(Kind, bool)>,
    );

    #[test]
    fn levels_and_mutes_decide_which_kind_counts() {
        use Kind::*;
        let now = at(NOON);
        let hour = Duration::hours(1);
        let default = Preferences::default();
        let nothing = Preferences {
            level: Level::Nothing,
            ..Preferences::default()
        };
        let all = Preferences {
            level: Level::All,
            ..Preferences::default()
        };
        let none = RoomPreference::default();
        let muted_for_an_hour = RoomPreference {
            muted_until: Some(now + hour),
            ..RoomPreference::default()
        };
        let mute_expired = RoomPreference {
            muted_until: Some(now - hour),
            ..RoomPreference::default()
        };
        let muted_forever = RoomPreference {
            muted_forever: true,
            ..RoomPreference::default()
        };
        let room = |level| RoomPreference {
            level: Some(level),
            ..RoomPreference::default()
        };
        // (reasons, defaults, room override) → (kind, alert), or no row.
        let cases: Vec<Case<'_>> = vec![
            (&[Message], &default, none, None),
            (&[Keyword, Message], &default, none, Some((Keyword, true))),
            (
                &[Message, Here, Mention],
                &default,
                none,
                Some((Mention, true)),
            ),
            (&[Room, Reply], &default, none, Some((Reply, true))),
            (&[Direct, Message], &default, none, Some((Direct, true))),
            (&[Message], &all, none, Some((Message, true))),
            (
                &[Message],
                &default,
                room(Level::All),
                Some((Message, true)),
            ),
            (&[Message], &all, room(Level::Mentions), None),
            (&[Direct, Room, Keyword], &nothing, none, None),
            (&[Mention], &nothing, none, Some((Mention, false))),
            (
                &[Reply, Here],
                &default,
                room(Level::Nothing),
                Some((Reply, false)),
            ),
            (&[Here], &nothing, room(Level::Mentions), Some((Here, true))),
            (&[Keyword, Direct], &default, muted_for_an_hour, None),
            (
                &[Mention],
                &default,
                muted_for_an_hour,
                Some((Mention, false)),
            ),
            (&[Keyword], &default, mute_expired, Some((Keyword, true))),
            (&[Direct], &all, muted_forever, None),
            (&[Reply, Message], &all, muted_forever, Some((Reply, false))),
            (&[], &all, none, None),
            // A scheduled message not sent is told like a mention: even when muted.
            (
                &[ScheduledFailed],
                &default,
                none,
                Some((ScheduledFailed, true)),
            ),
            (
                &[ScheduledFailed],
                &nothing,
                muted_forever,
                Some((ScheduledFailed, false)),
            ),
        ];
        for (reasons, defaults, room, expected) in cases {
            let got = decide(reasons, defaults, &room, Tz::UTC, now)
                .map(|decision| (decision.kind, decision.alert));
            assert_eq!(got, expected, "{reasons:?} {defaults:?} {room:?}");
        }
    }

    #[test]
    fn quiet_hours_hold_alerts_until_they_end_in_the_persons_time_zone() {
        let tehran: Tz = "Asia/Tehran".parse().unwrap();
        let none = RoomPreference::default();
        // (window, zone, now) → held until.
        let cases = [
            // 22:00–07:00 in UTC: 23:30 is held until tomorrow 07:00, 03:00 until today's.
            (
                ("22:00", "07:00"),
                Tz::UTC,
                "2026-12-04T23:30:00Z",
                Some("2026-12-05T07:00:00Z"),
            ),
            (
                ("22:00", "07:00"),
                Tz::UTC,
                "2026-12-04T03:00:00Z",
                Some("2026-12-04T07:00:00Z"),
            ),
            (("22:00", "07:00"), Tz::UTC, "2026-12-04T07:00:00Z", None),
            (("22:00", "07:00"), Tz::UTC, NOON, None),
            (
                ("22:00", "07:00"),
                Tz::UTC,
                "2026-12-04T22:00:00Z",
                Some("2026-12-05T07:00:00Z"),
            ),
            // A window within one day.
            (
                ("13:00", "17:00"),
                Tz::UTC,
                "2026-12-04T16:59:00Z",
                Some("2026-12-04T17:00:00Z"),
            ),
            (("13:00", "17:00"), Tz::UTC, "2026-12-04T17:00:00Z", None),
            // Tehran is UTC+3:30: 20:00 UTC is 23:30 there, inside 23:00–08:00, which ends
            // at 08:00 Tehran = 04:30 UTC.
            (
                ("23:00", "08:00"),
                tehran,
                "2026-12-04T20:00:00Z",
                Some("2026-12-05T04:30:00Z"),
            ),
            // 19:00 UTC is 22:30 in Tehran: quiet there (until 07:00 Tehran, 03:30 UTC),
            // not in UTC; 18:00 UTC is 21:30 in Tehran, not yet quiet.
            (
                ("22:00", "07:00"),
                tehran,
                "2026-12-04T19:00:00Z",
                Some("2026-12-05T03:30:00Z"),
            ),
            (("22:00", "07:00"), Tz::UTC, "2026-12-04T19:00:00Z", None),
            (("22:00", "07:00"), tehran, "2026-12-04T18:00:00Z", None),
        ];
        for ((start, end), tz, now, expected) in cases {
            let decision = decide(&[Kind::Mention], &quiet(start, end), &none, tz, at(now));
            let decision = decision.unwrap();
            assert!(decision.alert);
            assert_eq!(
                decision.held_until,
                expected.map(at),
                "{start}–{end} in {tz} at {now}"
            );
        }
        // A silenced row has no alert to hold.
        let muted = RoomPreference {
            muted_forever: true,
            ..RoomPreference::default()
        };
        let decision = decide(
            &[Kind::Mention],
            &quiet("22:00", "07:00"),
            &muted,
            Tz::UTC,
            at("2026-12-04T23:30:00Z"),
        )
        .unwrap();
        assert_eq!((decision.alert, decision.held_until), (false, None));
    }
}
