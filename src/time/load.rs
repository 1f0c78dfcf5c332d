//! The on-call load (absences.md; `coverage --load` and the Markdown report): per rotation and schedule, each person's hours on duty
//! over the horizon, the part of them at night (22:00–07:00), on weekends and on their own
//! holidays or leave (in their zone), and the balance of the load.

use crate::model::{Day, LocalTime, Model, Target, WeeklyWindow};
use crate::time::timeline::Timeline;
use crate::time::{Horizon, IntervalSet, calendar};
use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub struct LoadReport {
    pub load: Vec<Roster>,
}

#[derive(Debug, Serialize)]
pub struct Roster {
    pub subject: String,
    pub balance: f64,
    pub people: Vec<PersonLoad>,
}

#[derive(Debug, Serialize)]
pub struct PersonLoad {
    pub contact: String,
    pub hours: f64,
    pub night_hours: f64,
    pub weekend_hours: f64,
    pub holiday_hours: f64,
}

/// The mean over pairs of people of min(hours)/max(hours) (a pair of two zero-hour people
/// counts 1.0); 1.0 with fewer than two people.
pub fn balance(hours: &[f64]) -> f64 {
    let mut sum = 0.0;
    let mut pairs = 0usize;
    for (i, a) in hours.iter().enumerate() {
        for b in &hours[i + 1..] {
            let (lo, hi) = (a.min(*b), a.max(*b));
            sum += if hi == 0.0 { 1.0 } else { lo / hi };
            pairs += 1;
        }
    }
    if pairs == 0 { 1.0 } else { sum / pairs as f64 }
}

fn hours(set: &IntervalSet) -> f64 {
    (set.total_secs() as f64 / 3600.0 * 100.0).round() / 100.0
}

fn window(days: &[Day], from: u16, to: u16) -> WeeklyWindow {
    WeeklyWindow { days: days.to_vec(), from: LocalTime { minutes: from }, to: LocalTime { minutes: to } }
}

pub fn compute(model: &Model, horizon: Horizon) -> LoadReport {
    compute_on(&Timeline::new(model, horizon), horizon)
}

/// The load on a timeline the caller has (the run's time stage).
pub fn compute_on(tl: &Timeline, horizon: Horizon) -> LoadReport {
    let model = tl.model;
    let all = [Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri, Day::Sat, Day::Sun];
    let night = [window(&all, 22 * 60, 7 * 60)];
    let weekend = [window(&[Day::Sat, Day::Sun], 0, 1440)];
    let zone_of = |p: &str| model.contact(p).and_then(|c| c.timezone.as_ref()).map_or(jiff::tz::TimeZone::UTC, |z| z.tz.clone());
    let mut out = Vec::new();
    let rosters = model.rotations.iter().map(|(id, r)| (Target::rotation(id), people_in(r.members.iter().chain(r.overrides.iter().map(|o| &o.member)))));
    let schedules = model.schedules.iter().map(|(id, s)| {
        let layered = s.layers.iter().filter_map(|l| model.rotations.get(l)).flat_map(|r| r.members.iter().chain(r.overrides.iter().map(|o| &o.member)));
        (Target::schedule(id), people_in(layered.chain(s.overrides.iter().map(|o| &o.member))))
    });
    for (target, people) in rosters.chain(schedules) {
        let duties = tl.roster(target.get()).unwrap_or_default();
        let mut rows = Vec::new();
        for p in people {
            let on = IntervalSet::from_intervals(duties.iter().filter(|d| d.member == p).filter_map(|d| d.interval.clip(horizon.interval())).collect());
            let tz = zone_of(&p);
            let away = tl.away(&p).cloned().unwrap_or_default();
            rows.push(PersonLoad {
                hours: hours(&on),
                night_hours: hours(&on.intersect(&calendar::expand_weekly(&night, &tz, horizon))),
                weekend_hours: hours(&on.intersect(&calendar::expand_weekly(&weekend, &tz, horizon))),
                holiday_hours: hours(&on.intersect(&away)),
                contact: p,
            });
        }
        let b = balance(&rows.iter().map(|r| r.hours).collect::<Vec<_>>());
        out.push(Roster { subject: target.to_string(), balance: (b * 1000.0).round() / 1000.0, people: rows });
    }
    LoadReport { load: out }
}

/// People in order of first appearance.
fn people_in<'a>(it: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in it {
        if !out.contains(p) {
            out.push(p.clone());
        }
    }
    out
}

impl LoadReport {
    pub fn human(&self) -> String {
        let mut s = String::new();
        for r in &self.load {
            s.push_str(&format!("{}  (balance {:.2})\n", r.subject, r.balance));
            s.push_str(&format!("  {:<24} {:>9} {:>9} {:>9} {:>9}\n", "person", "hours", "night", "weekend", "holiday"));
            for p in &r.people {
                s.push_str(&format!("  {:<24} {:>9.1} {:>9.1} {:>9.1} {:>9.1}\n", p.contact, p.hours, p.night_hours, p.weekend_hours, p.holiday_hours));
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn balance_is_the_mean_pairwise_ratio() {
        assert_eq!(super::balance(&[10.0]), 1.0);
        assert_eq!(super::balance(&[10.0, 5.0]), 0.5);
        assert_eq!(super::balance(&[0.0, 0.0]), 1.0);
        assert!((super::balance(&[10.0, 10.0, 0.0]) - (1.0 + 0.0 + 0.0) / 3.0).abs() < 1e-9);
    }
}
