//! Per service and severity: gaps with their causes, the worst time to engage with its
//! instant and cause, and a 7x24 heatmap of the worst time to engage by hour of week.
//! Feeds `runready coverage`, the Markdown report and the `derived` part of policy requests.

use super::coverage::{staffed, worst};
use super::stage::Stage;
use super::timeline::{Segment, Walk};
use super::{Horizon, Interval, IntervalSet, calendar};
use crate::model::{Model, Service};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

/// A gap: an instant range of required coverage in which the first step reaches nobody.
#[derive(Clone, Debug, Serialize)]
pub struct Gap {
    pub from: String,
    pub to: String,
    pub seconds: i64,
    pub cause: String,
    /// The same instants, for renderers that show them in the display zone.
    #[serde(skip)]
    pub interval: Interval,
}

/// One hour-of-week cell: `None` when no instant of that hour needs coverage.
pub type Cell = Option<CellValue>;

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CellValue {
    /// Worst time to engage in seconds on the severity's clock; `None`: never engaged.
    pub worst: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SeverityCoverage {
    pub severity: String,
    pub acknowledge_seconds: Option<i64>,
    /// Whether any instant of the horizon needs coverage.
    pub required: bool,
    /// Nobody is ever engaged at the worst instant.
    pub never_engaged: bool,
    /// Worst time to engage on the severity's clock (absent when never engaged or not required).
    pub worst_seconds: Option<i64>,
    pub worst_at: Option<String>,
    pub worst_cause: Option<String>,
    /// Rows Monday..Sunday, columns 00..23, in the display zone.
    pub heatmap: Vec<Vec<Cell>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ServiceCoverage {
    pub service: String,
    pub required_coverage: String,
    pub gaps: Vec<Gap>,
    pub severities: Vec<SeverityCoverage>,
}

/// Why the analysis of a service cannot run.
pub fn inputs<'m>(model: &'m Model, svc: &Service) -> Result<(&'m crate::model::Escalation, String), String> {
    let tier_id = svc.tier.as_deref().ok_or("no tier")?;
    let tier = model.tiers.get(tier_id).ok_or(format!("tier `{tier_id}` does not exist"))?;
    let esc_id = svc.escalation.as_deref().ok_or("no escalation")?;
    let esc = model.escalations.get(esc_id).ok_or(format!("escalation `{esc_id}` does not exist"))?;
    if !model.has_calendar(&tier.required_coverage) {
        return Err(format!("calendar `{}` does not exist", tier.required_coverage));
    }
    Ok((esc, tier.required_coverage.clone()))
}

pub fn analyse(stage: &Stage, svc: &Service, tz: &TimeZone, show: &dyn Fn(Timestamp) -> String, describe: &dyn Fn(&Walk) -> String) -> Result<ServiceCoverage, String> {
    let (model, tl) = (stage.model(), &stage.timeline);
    let (esc, required_id) = inputs(model, svc)?;
    let required = stage.calendar(&required_id).cloned().unwrap_or_default();
    let segments = stage.segments(svc.escalation.as_deref().unwrap_or_default()).unwrap_or_default();
    let gaps_set = required.subtract(&staffed(segments));
    let gaps = gaps_set
        .intervals()
        .iter()
        .map(|g| Gap { from: g.start.to_string(), to: g.end.to_string(), seconds: g.secs(), cause: format!("{}: {}", show(g.start), describe(&tl.walk(esc, g.start))), interval: *g })
        .collect();
    let mut severities = Vec::new();
    for sev in model.service_severities(svc) {
        let clock = sev.clock.calendar().and_then(|c| calendar::expand(model, c, tl.span));
        let w = worst(segments, &required, clock.as_ref());
        severities.push(SeverityCoverage {
            severity: sev.id.clone(),
            acknowledge_seconds: sev.targets.acknowledge.map(|d| d.as_secs()),
            required: w.is_some(),
            never_engaged: w.as_ref().is_some_and(|w| w.secs.is_none()),
            worst_seconds: w.as_ref().and_then(|w| w.secs),
            worst_at: w.as_ref().map(|w| w.at.to_string()),
            worst_cause: w.as_ref().map(|w| format!("{}: {}", show(w.at), describe(&tl.walk(esc, w.at)))),
            heatmap: heatmap(segments, &required, clock.as_ref(), tl.horizon, tz),
        });
    }
    Ok(ServiceCoverage { service: svc.id.clone(), required_coverage: required_id, gaps, severities })
}

/// The worst time to engage in each hour of the week over the horizon.
fn heatmap(segments: &[Segment], required: &IntervalSet, clock: Option<&IntervalSet>, horizon: Horizon, tz: &TimeZone) -> Vec<Vec<Cell>> {
    let mut grid: Vec<Vec<Cell>> = vec![vec![None; 24]; 7];
    for segment in segments {
        let seg = &segment.interval;
        let mut t = seg.start;
        while t < seg.end && t < horizon.end {
            let z = t.to_zoned(tz.clone());
            let next = super::next_local_hour(t, tz).min(seg.end);
            let piece = Interval { start: t, end: next };
            if let Some(w) = worst(&[Segment { interval: piece, ..segment.clone() }], required, clock) {
                let row = z.weekday().to_monday_zero_offset() as usize;
                let col = z.hour() as usize;
                let cell = &mut grid[row][col];
                let value = CellValue { worst: w.secs };
                *cell = Some(match cell {
                    None => value,
                    Some(old) => match (old.worst, value.worst) {
                        (None, _) | (_, None) => CellValue { worst: None },
                        (Some(a), Some(b)) => CellValue { worst: Some(a.max(b)) },
                    },
                });
            }
            t = next;
        }
    }
    grid
}

/// The `derived` part of a policy request: per service and severity, the gaps and the
/// worst time to engage with its instant. Light on purpose (no causes, no heatmaps): it is
/// built at most once per run, from the run's time stage (its segments are shared by
/// services that share an escalation).
pub fn derived(stage: &super::stage::Stage) -> serde_json::Value {
    let (model, tl, horizon) = (stage.model(), &stage.timeline, stage.horizon());
    let mut services = serde_json::Map::new();
    for svc in &model.services {
        let Ok((_, required_id)) = inputs(model, svc) else { continue };
        let segments = stage.segments(svc.escalation.as_deref().unwrap_or_default()).unwrap_or_default();
        let required = stage.calendar(&required_id).cloned().unwrap_or_default();
        let gaps: Vec<serde_json::Value> =
            required.subtract(&staffed(segments)).intervals().iter().map(|g| serde_json::json!({ "from": g.start.to_string(), "to": g.end.to_string(), "seconds": g.secs() })).collect();
        let mut severities = serde_json::Map::new();
        for sev in model.service_severities(svc) {
            let clock = sev.clock.calendar().and_then(|c| calendar::expand(model, c, tl.span));
            let w = worst(segments, &required, clock.as_ref());
            severities.insert(
                sev.id.clone(),
                serde_json::json!({
                    "worst_time_to_engage_seconds": w.as_ref().and_then(|w| w.secs),
                    "worst_at": w.as_ref().map(|w| w.at.to_string()),
                    "never_engaged": w.as_ref().is_some_and(|w| w.secs.is_none()),
                    "acknowledge_seconds": sev.targets.acknowledge.map(|d| d.as_secs()),
                }),
            );
        }
        services.insert(svc.id.clone(), serde_json::json!({ "gaps": gaps, "severities": severities }));
    }
    serde_json::json!({ "horizon": { "from": horizon.start.to_string(), "to": horizon.end.to_string() }, "services": services })
}

#[cfg(test)]
mod tests {
    #[test]
    fn derived_lists_gaps_and_worst_time_to_engage_per_severity() {
        let yaml = "apiVersion: runready.dev/v1\nkind: SupportModel\nmetadata: { name: m }\ntiers: { t: { availability: always, required_coverage: always } }\nseverities:\n  - { id: sev1, aws_severity: urgent, targets: { acknowledge: PT15M } }\ncontacts:\n  - { id: a, kind: person, channels: [{ type: sms, address: '1' }] }\n  - { id: noc, kind: team, always_reachable: true, channels: [{ type: voice, address: '2' }] }\nrotations:\n  r: { timezone: UTC, members: [a], start: 2026-01-05T09:00, handoff: P1W, restrictions: [{ days: [mon, tue, wed, thu, fri], from: \"09:00\", to: \"17:00\" }] }\nescalations:\n  e: { steps: [{ notify: [rotation:r], timeout: PT10M }], final_fallback: contact:noc }\nservices:\n  - { id: api, tier: t, escalation: e }\n";
        let l = crate::load::load_str("m.yaml", yaml);
        assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
        let h = crate::time::Horizon::new("2026-11-23T00:00:00Z".parse().unwrap(), crate::model::Duration::from_days(1));
        let d = super::derived(&crate::time::stage::Stage::build(&l.model, h));
        let api = &d["services"]["api"];
        assert_eq!(api["gaps"].as_array().unwrap().len(), 2);
        assert_eq!(api["gaps"][0]["from"], "2026-11-23T00:00:00Z");
        assert_eq!(api["gaps"][0]["to"], "2026-11-23T09:00:00Z");
        assert_eq!(api["severities"]["sev1"]["worst_time_to_engage_seconds"], 600);
        assert_eq!(api["severities"]["sev1"]["worst_at"], "2026-11-23T00:00:00Z");
    }
}
