//! The answer key: runready's simulation of every imported schedule against PagerDuty's own
//! rendered final schedule over the horizon, instant by instant.

use super::read::{Built, Data};
use serde_json::{Value, json};

/// The comparison: its JSON (`pagerduty-check.json`), schedules compared, disagreements.
pub struct Key {
    pub json: Value,
    pub schedules: usize,
    pub disagreements: usize,
}

/// Who is on duty when, as sorted disjoint stretches.
type Stretches = Vec<(jiff::Timestamp, jiff::Timestamp, String)>;

pub fn compare(text: &str, data: &Data, built: &Built, at: jiff::Timestamp, until: jiff::Timestamp) -> Result<Key, String> {
    // The fragment has no `metadata` (the team's files do): one is added for this check only.
    let loaded = crate::load::load_str("pagerduty.yaml", &format!("{text}metadata: {{ name: pagerduty-import }}\n"));
    if let Some(d) = loaded.diagnostics.first() {
        return Err(format!("the imported fragment does not load (a bug in the importer, please report it): {}", d.message));
    }
    let horizon = crate::time::Horizon { start: at, end: until };
    let tl = crate::time::timeline::Timeline::without_holidays(&loaded.model, horizon);
    let mut out = Vec::new();
    let mut disagreements = 0;
    for (pd, slug) in &built.schedule_ids {
        let Some(s) = data.schedules.get(pd) else { continue };
        if !loaded.model.schedules.contains_key(slug) {
            continue;
        }
        let mut theirs: Stretches = s
            .pointer("/final_schedule/rendered_schedule_entries")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|e| {
                let a: jiff::Timestamp = e.get("start")?.as_str()?.parse().ok()?;
                let b: jiff::Timestamp = e.get("end")?.as_str()?.parse().ok()?;
                let user = e.pointer("/user/id").and_then(Value::as_str)?;
                Some((a.max(at), b.min(until), built.user_ids.get(user).cloned().unwrap_or_else(|| format!("(PagerDuty user {user})"))))
            })
            .filter(|(a, b, _)| a < b)
            .collect();
        theirs.sort_by_key(|x| x.0);
        let ours: Stretches = tl.schedule_duties(slug).iter().filter_map(|d| d.interval.clip(horizon.interval()).map(|i| (i.start, i.end, d.member.clone()))).collect();
        let diffs = differences(&ours, &theirs, at, until);
        disagreements += diffs.len();
        let shown: Vec<Value> = diffs.iter().map(|(a, b, o, t)| json!({ "from": a.to_string(), "to": b.to_string(), "runready": o, "pagerduty": t })).collect();
        out.push(json!({ "schedule": slug, "source": format!("pagerduty:schedule/{pd}"), "agrees": diffs.is_empty(), "disagreements": shown }));
    }
    let schedules = out.len();
    Ok(Key { json: json!({ "since": at.to_string(), "until": until.to_string(), "schedules": out, "disagreements": disagreements }), schedules, disagreements })
}

/// The stretches on which two answers differ, with both answers (`None`: nobody).
pub fn differences(a: &Stretches, b: &Stretches, from: jiff::Timestamp, to: jiff::Timestamp) -> Vec<(jiff::Timestamp, jiff::Timestamp, Option<String>, Option<String>)> {
    let mut points: Vec<jiff::Timestamp> = vec![from, to];
    points.extend(a.iter().chain(b.iter()).flat_map(|(s, e, _)| [*s, *e]));
    points.retain(|t| *t >= from && *t <= to);
    points.sort();
    points.dedup();
    // Both lists are sorted and disjoint: the stretch holding `t` by binary search.
    let at = |list: &Stretches, t: jiff::Timestamp| {
        let i = list.partition_point(|(_, e, _)| *e <= t);
        list.get(i).filter(|(s, _, _)| *s <= t).map(|x| x.2.clone())
    };
    let mut out: Vec<(jiff::Timestamp, jiff::Timestamp, Option<String>, Option<String>)> = Vec::new();
    for w in points.windows(2) {
        let (x, y) = (at(a, w[0]), at(b, w[0]));
        if x == y {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.1 == w[0] && last.2 == x && last.3 == y => last.1 = w[1],
            _ => out.push((w[0], w[1], x, y)),
        }
    }
    out
}
