//! Per service and severity: gaps with their causes, the worst time to engage with its
//! instant and cause, and a 7x24 heatmap of the worst time to engage by hour of week.
//! Feeds `runready coverage`, the Markdown report and the `derived` part of policy requests.

use super::coverage::worst;
use super::stage::{Stage, Unresolved};
use super::timeline::Segment;
use super::{Horizon, Interval, IntervalSet};
use crate::model::Service;
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
    /// Inside required coverage, the first step reaches nobody at some instant of this hour
    /// (a COV-001 gap), whatever the time to engage.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub gap: bool,
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

/// The coverage of `svc` over the stage's horizon, instants shown in `tz`.
pub fn analyse(stage: &Stage, svc: &Service, tz: &TimeZone) -> Result<ServiceCoverage, Unresolved> {
    let timed = stage.service(svc)?;
    let show = super::show::show_in(tz);
    // The walk at `t` for incidents of `sev` (or of the first severity with a gap there).
    let cause = |t: Timestamp, sev: Option<&super::stage::SeverityTimed>| {
        let sev = sev.or_else(|| timed.gapped_at(t).first().copied());
        let u = sev.map_or(crate::model::Urgency::High, |s| s.urgency_at(t));
        format!("{}: {}{}", show(t), sev.map(|s| s.urgency_note(t)).unwrap_or_default(), stage.walk(timed.escalation, t, u).narration())
    };
    let gaps = timed.gaps().intervals().iter().map(|g| Gap { from: g.start.to_string(), to: g.end.to_string(), seconds: g.secs(), cause: cause(g.start, None), interval: *g }).collect();
    let mut severities = Vec::new();
    for st in &timed.severities {
        let sev = st.severity;
        // A clock that does not exist (SM-001) is read as the wall clock here.
        let clock = stage.clock(sev).unwrap_or_default();
        let w = timed.worst(&sev.id, clock);
        severities.push(SeverityCoverage {
            severity: sev.id.clone(),
            acknowledge_seconds: sev.targets.acknowledge.map(|d| d.as_secs()),
            required: w.is_some(),
            never_engaged: w.as_ref().is_some_and(|w| w.secs.is_none()),
            worst_seconds: w.as_ref().and_then(|w| w.secs),
            worst_at: w.as_ref().map(|w| w.at.to_string()),
            worst_cause: w.as_ref().map(|w| cause(w.at, Some(st))),
            heatmap: heatmap(&st.segments, timed.required, clock, stage.horizon(), tz),
        });
    }
    Ok(ServiceCoverage { service: svc.id.clone(), required_coverage: timed.required_id.to_string(), gaps, severities })
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
                let value = CellValue { worst: w.secs, gap: false };
                *cell = Some(match cell {
                    None => value,
                    Some(old) => match (old.worst, value.worst) {
                        (None, _) | (_, None) => CellValue { worst: None, gap: old.gap },
                        (Some(a), Some(b)) => CellValue { worst: Some(a.max(b)), gap: old.gap },
                    },
                });
            }
            t = next;
        }
    }
    // Gaps: required instants where this severity's first step reaches nobody.
    let gaps = required.subtract(&super::coverage::staffed(segments)).clip(Interval { start: horizon.start, end: horizon.end });
    for g in gaps.intervals() {
        let mut t = g.start;
        while t < g.end {
            let z = t.to_zoned(tz.clone());
            let cell = &mut grid[z.weekday().to_monday_zero_offset() as usize][z.hour() as usize];
            match cell {
                Some(c) => c.gap = true,
                None => *cell = Some(CellValue { worst: None, gap: true }),
            }
            t = super::next_local_hour(t, tz).min(g.end);
        }
    }
    grid
}

/// The `derived` part of a policy request (policy-abi.md): per service and severity, the
/// gaps and the worst time to engage with its instant. Light on purpose (no causes, no
/// heatmaps): it is built at most once per run, from the run's time stage.
#[derive(Debug, Serialize)]
pub struct Derived {
    pub horizon: DerivedHorizon,
    pub services: indexmap::IndexMap<String, DerivedService>,
    /// Who carries the on-call load, per rotation and schedule (absences.md).
    pub load: Vec<super::load::Roster>,
}

#[derive(Debug, Serialize)]
pub struct DerivedHorizon {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Serialize)]
pub struct DerivedService {
    pub gaps: Vec<DerivedGap>,
    pub severities: indexmap::IndexMap<String, DerivedSeverity>,
}

#[derive(Debug, Serialize)]
pub struct DerivedGap {
    pub from: String,
    pub to: String,
    pub seconds: i64,
}

#[derive(Debug, Serialize)]
pub struct DerivedSeverity {
    pub worst_time_to_engage_seconds: Option<i64>,
    pub worst_at: Option<String>,
    pub never_engaged: bool,
    pub acknowledge_seconds: Option<i64>,
}

/// The `derived` part of every service the stage can walk (the others are skipped: the
/// rules report why).
pub fn derived(stage: &Stage) -> Derived {
    let horizon = stage.horizon();
    let mut services = indexmap::IndexMap::new();
    for svc in &stage.model().services {
        let Ok(timed) = stage.service(svc) else { continue };
        let gaps = timed.gaps().intervals().iter().map(|g| DerivedGap { from: g.start.to_string(), to: g.end.to_string(), seconds: g.secs() }).collect();
        let mut severities = indexmap::IndexMap::new();
        for sev in stage.model().service_severities(svc) {
            let w = timed.worst(&sev.id, stage.clock(sev).unwrap_or_default());
            severities.insert(
                sev.id.clone(),
                DerivedSeverity {
                    worst_time_to_engage_seconds: w.as_ref().and_then(|w| w.secs),
                    worst_at: w.as_ref().map(|w| w.at.to_string()),
                    never_engaged: w.as_ref().is_some_and(|w| w.secs.is_none()),
                    acknowledge_seconds: sev.targets.acknowledge.map(|d| d.as_secs()),
                },
            );
        }
        services.insert(svc.id.clone(), DerivedService { gaps, severities });
    }
    let load = super::load::compute_on(&stage.timeline, horizon).load;
    Derived { horizon: DerivedHorizon { from: horizon.start.to_string(), to: horizon.end.to_string() }, services, load }
}

#[cfg(test)]
mod tests {
    #[test]
    fn derived_lists_gaps_and_worst_time_to_engage_per_severity() {
        let yaml = "apiVersion: runready.dev/v1\nkind: SupportModel\nmetadata: { name: m }\ntiers: { t: { availability: always, required_coverage: always } }\nseverities:\n  - { id: sev1, aws_severity: urgent, targets: { acknowledge: PT15M } }\ncontacts:\n  - { id: a, kind: person, channels: [{ type: sms, address: '1' }] }\n  - { id: noc, kind: team, always_reachable: true, channels: [{ type: voice, address: '2' }] }\nrotations:\n  r: { timezone: UTC, members: [a], start: 2026-01-05T09:00, handoff: P1W, restrictions: [{ days: [mon, tue, wed, thu, fri], from: \"09:00\", to: \"17:00\" }] }\nescalations:\n  e: { steps: [{ notify: [rotation:r], timeout: PT10M }], final_fallback: contact:noc }\nservices:\n  - { id: api, tier: t, escalation: e }\n";
        let l = crate::load::load_str("m.yaml", yaml);
        assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
        let h = crate::time::Horizon::new("2026-11-23T00:00:00Z".parse().unwrap(), crate::model::Duration::from_days(1));
        let d = serde_json::to_value(super::derived(&crate::time::stage::Stage::build(&l.model, h))).unwrap();
        let api = &d["services"]["api"];
        assert_eq!(api["gaps"].as_array().unwrap().len(), 2);
        assert_eq!(api["gaps"][0]["from"], "2026-11-23T00:00:00Z");
        assert_eq!(api["gaps"][0]["to"], "2026-11-23T09:00:00Z");
        assert_eq!(api["severities"]["sev1"]["worst_time_to_engage_seconds"], 600);
        assert_eq!(api["severities"]["sev1"]["worst_at"], "2026-11-23T00:00:00Z");
        // The load figures: a alone on r, 8 hours on Monday.
        assert_eq!(d["load"][0]["subject"], "rotation:r");
        assert_eq!(d["load"][0]["people"][0]["hours"], 8.0);
    }
}
