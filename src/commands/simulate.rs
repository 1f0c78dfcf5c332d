//! `runready simulate`: one incident's timeline through the escalation. [`simulate`]
//! computes a typed [`Simulation`], whose JSON is `--format json`; [`human`] renders it.

use crate::cli::{Format, SimulateArgs};
use crate::exit;
use crate::model::{AwsSeverity, ChannelType, Clock, Duration, Model, Severity, human_secs};
use crate::time::coverage::on_clock;
use crate::time::response::vendor_response;
use crate::time::timeline::{StepVisit, Timeline, add};
use crate::time::{Horizon, calendar};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

pub fn run(args: &SimulateArgs) -> i32 {
    let loaded = match super::load_usable(&args.paths) {
        Ok(l) => l,
        Err(code) => return code,
    };
    if let Err(code) = super::refuse(&loaded, &super::bound_errors(&loaded, Horizon::new(args.at.0, Duration::from_days(1)))) {
        return code;
    }
    match simulate(&loaded.model, args) {
        Ok(sim) => {
            match args.format {
                Format::Json => outln!("{}", serde_json::to_string_pretty(&sim).expect("simulation serialises")),
                Format::Human => out!("{}", human(&sim)),
            }
            exit::READY
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::INVALID_INPUT
        }
    }
}

/// One simulated incident: every visit of the walk, who was engaged and when, the vendor
/// cases it opened and when restore is due. Serialised as `simulate --format json`.
#[derive(Clone, Debug, Serialize)]
pub struct Simulation {
    pub service: String,
    pub severity: String,
    pub aws_severity: AwsSeverity,
    #[serde(serialize_with = "instant")]
    pub at: Timestamp,
    pub clock: Clock,
    /// Seconds on the severity's clock until the first interruptive contact.
    pub time_to_engage_seconds: Option<i64>,
    pub engaged: Option<Engaged>,
    pub acknowledge: Target,
    pub steps: Vec<Visit>,
    pub vendor_cases: Vec<VendorCase>,
    #[serde(serialize_with = "maybe_instant")]
    pub restore_due_at: Option<Timestamp>,
    /// The severity's restore target (shown by the human output).
    #[serde(skip)]
    pub restore: Option<Duration>,
    /// The zone in which the human output shows instants.
    #[serde(skip)]
    pub zone: TimeZone,
}

#[derive(Clone, Debug, Serialize)]
pub struct Engaged {
    pub contact: String,
    pub channel: ChannelType,
    #[serde(serialize_with = "instant")]
    pub at: Timestamp,
}

#[derive(Clone, Debug, Serialize)]
pub struct Target {
    pub target_seconds: Option<i64>,
    /// `None` when there is no target.
    pub met: Option<bool>,
}

/// A step (or the final fallback) as the walk entered it.
#[derive(Clone, Debug, Serialize)]
pub struct Visit {
    /// `step` or `fallback`.
    pub kind: &'static str,
    /// 1-based step and pass (absent for the fallback).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pass: Option<usize>,
    pub entered_seconds: i64,
    #[serde(serialize_with = "instant")]
    pub entered_at: Timestamp,
    pub timeout_seconds: Option<i64>,
    pub targets: Vec<String>,
    pub contacted: Vec<Contact>,
    /// Why targets reached nobody, as sentences.
    pub missed: Vec<String>,
    pub vendor_case: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Contact {
    pub contact: String,
    pub at_seconds: i64,
    #[serde(serialize_with = "instant")]
    pub at: Timestamp,
    pub channel: ChannelType,
}

#[derive(Clone, Debug, Serialize)]
pub struct VendorCase {
    pub vendor: String,
    #[serde(serialize_with = "instant")]
    pub due_at: Timestamp,
    /// Seconds on the severity's clock from the incident to the case.
    pub due_seconds: i64,
    pub engage_vendor_seconds: Option<i64>,
    pub met: Option<bool>,
    #[serde(serialize_with = "maybe_instant")]
    pub first_response_due_at: Option<Timestamp>,
    /// The vendor's first-response commitment for the severity; `None`: it offers none.
    pub first_response: Option<String>,
}

fn instant<S: serde::Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(t)
}

fn maybe_instant<S: serde::Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.collect_str(t),
        None => s.serialize_none(),
    }
}

/// Simulates the incident `args` describes.
pub fn simulate(m: &Model, args: &SimulateArgs) -> Result<Simulation, String> {
    let svc = m.service(&args.service).ok_or(format!("--service `{}`: no such service", args.service))?;
    let sev = m.service_severities(svc).into_iter().find(|s| s.id == args.severity).ok_or(format!("--severity `{}`: not a severity of `{}`", args.severity, svc.id))?;
    let esc_id = svc.escalation.as_deref().ok_or(format!("`{}` has no escalation", svc.id))?;
    let esc = m.escalations.get(esc_id).ok_or(format!("escalation `{esc_id}` does not exist"))?;
    let at = args.at.0;
    let tl = Timeline::new(m, Horizon::new(at, Duration::from_days(1)));
    // Clocks and vendors' response clocks run well past the walk.
    let long = tl.span.extended(60 * 86_400);
    let clock = match sev.clock.calendar() {
        None => None,
        Some(c) => Some(calendar::expand(m, c, long).ok_or(format!("clock `{c}` does not exist"))?),
    };
    let measured = |secs: i64| clock.as_ref().map_or(secs, |c| on_clock(c, at, secs));
    let walk = tl.walk(esc, at, crate::time::stage::urgency_at(m, svc, sev, at));
    let engaged = walk.engaged();
    let tte = engaged.map(|e| measured(e.at));
    let ack = sev.targets.acknowledge.map(|d| d.as_secs());
    let cases = walk.visits.iter().filter_map(|v| v.vendor_case.as_ref().map(|vendor| vendor_case(m, sev, vendor, add(at, v.entered), measured(v.entered), long))).collect();
    let restore_due_at = sev.targets.restore.map(|d| match &clock {
        None => add(at, d.as_secs()),
        Some(c) => c.accumulate(at, d.as_secs()).unwrap_or(Timestamp::MAX),
    });
    Ok(Simulation {
        service: svc.id.clone(),
        severity: sev.id.clone(),
        aws_severity: sev.aws_severity,
        at,
        clock: sev.clock.clone(),
        time_to_engage_seconds: tte,
        engaged: engaged.map(|e| Engaged { contact: e.contact.clone(), channel: e.channel, at: add(at, e.at) }),
        acknowledge: Target { target_seconds: ack, met: ack.map(|a| tte.is_some_and(|t| t <= a)) },
        steps: walk.visits.iter().map(|v| visit(v, at)).collect(),
        vendor_cases: cases,
        restore_due_at,
        restore: sev.targets.restore,
        zone: args.tz.tz.clone(),
    })
}

fn visit(v: &StepVisit, at: Timestamp) -> Visit {
    Visit {
        kind: if v.step.is_some() { "step" } else { "fallback" },
        step: v.step.map(|i| i + 1),
        pass: v.step.map(|_| v.pass + 1),
        entered_seconds: v.entered,
        entered_at: add(at, v.entered),
        timeout_seconds: v.timeout,
        targets: v.targets.clone(),
        contacted: v.contacted.iter().map(|c| Contact { contact: c.contact.clone(), at_seconds: c.at, at: add(at, c.at), channel: c.channel }).collect(),
        missed: v.missed.iter().map(|m| m.to_string()).collect(),
        vendor_case: v.vendor_case.clone(),
    }
}

/// The case a `vendor_case` step opens at `due` (`on_clock` seconds into the incident on
/// the severity's clock), and when the vendor's first response is due.
fn vendor_case(m: &Model, sev: &Severity, vendor_id: &str, due: Timestamp, on_clock: i64, long: Horizon) -> VendorCase {
    let target = sev.targets.engage_vendor.map(|d| d.as_secs());
    let response = m.vendors.get(vendor_id).and_then(|vendor| vendor_response(m, vendor, sev.aws_severity, long));
    let first_response_due_at = response.as_ref().and_then(|r| match &r.clock {
        None => Some(add(due, r.secs)),
        Some(c) => c.accumulate(due, r.secs),
    });
    VendorCase {
        vendor: vendor_id.to_string(),
        due_at: due,
        due_seconds: on_clock,
        engage_vendor_seconds: target,
        met: target.map(|t| on_clock <= t),
        first_response_due_at,
        first_response: response.map(|r| r.description),
    }
}

/// "met", "missed", "missed: never" or "no target".
fn verdict(actual: Option<i64>, target: Option<i64>) -> &'static str {
    match (actual, target) {
        (_, None) => "no target",
        (None, Some(_)) => "missed: never",
        (Some(a), Some(t)) if a <= t => "met",
        (Some(_), Some(_)) => "missed",
    }
}

/// The human output of a simulation.
pub fn human(sim: &Simulation) -> String {
    let show = crate::time::show::show_in(&sim.zone);
    let secs = |s: Option<i64>| s.map(human_secs).unwrap_or("none".into());
    let clock = if sim.clock.is_wall() { String::new() } else { format!(", clock `{}`", sim.clock) };
    let mut text = format!("Incident on {}, {} (AWS {}), at {}{clock}\n\n", sim.service, sim.severity, sim.aws_severity.as_str(), show(sim.at));
    for v in &sim.steps {
        let label = match (v.step, v.pass) {
            (Some(i), Some(1)) => format!("step {i}"),
            (Some(i), Some(p)) => format!("pass {p}, step {i}"),
            _ => "final fallback".to_string(),
        };
        let timeout = v.timeout_seconds.map(|t| format!(", waits {}", human_secs(t))).unwrap_or_default();
        text.push_str(&format!("  +{:<6} {label}: pages {}{timeout}\n", human_secs(v.entered_seconds), v.targets.join(", ")));
        for c in &v.contacted {
            text.push_str(&format!("  +{:<6}   {} interrupted by {}\n", human_secs(c.at_seconds), c.contact, c.channel.as_str()));
        }
        for miss in &v.missed {
            text.push_str(&format!("           {miss}\n"));
        }
        if let Some(vendor) = &v.vendor_case {
            text.push_str(&format!("  +{:<6}   vendor case with {vendor} due\n", human_secs(v.entered_seconds)));
        }
    }
    text.push('\n');
    let ack = sim.acknowledge.target_seconds;
    match &sim.engaged {
        Some(e) => text.push_str(&format!(
            "Engaged: {} by {} at +{} ({}); acknowledge target {}: {}\n",
            e.contact,
            e.channel.as_str(),
            human_secs(sim.time_to_engage_seconds.unwrap_or_default()),
            show(e.at),
            secs(ack),
            verdict(sim.time_to_engage_seconds, ack)
        )),
        None => text.push_str(&format!("Engaged: nobody, ever; acknowledge target {}: {}\n", secs(ack), verdict(None, ack))),
    }
    for case in &sim.vendor_cases {
        let target = case.engage_vendor_seconds;
        text.push_str(&format!(
            "Vendor case with {}: due at +{} ({}); engage_vendor target {}: {}\n",
            case.vendor,
            human_secs(case.due_seconds),
            show(case.due_at),
            secs(target),
            verdict(Some(case.due_seconds), target)
        ));
        match (&case.first_response, case.first_response_due_at) {
            (Some(r), Some(fr)) => text.push_str(&format!("  first response due by {} ({r})\n", show(fr))),
            (Some(r), None) => text.push_str(&format!("  first response ({r}) not due within the simulated time\n")),
            (None, _) => text.push_str(&format!("  {} offers no response for AWS severity `{}` (SEV-002)\n", case.vendor, sim.aws_severity.as_str())),
        }
    }
    if let (Some(d), Some(r)) = (sim.restore_due_at, sim.restore) {
        text.push_str(&format!("Restore target {}: due by {}\n", r.human(), show(d)));
    }
    text
}
