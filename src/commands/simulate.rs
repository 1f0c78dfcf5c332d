//! `runready simulate`: one incident's timeline through the escalation.

use crate::cli::{Format, SimulateArgs};
use crate::exit;
use crate::model::human_secs;
use crate::time::coverage::on_clock;
use crate::time::response::vendor_response;
use crate::time::timeline::{Timeline, add};
use crate::time::{Horizon, calendar};
use serde_json::json;

pub fn run(args: &SimulateArgs) -> i32 {
    let loaded = match super::load_usable(&args.paths) {
        Ok(l) => l,
        Err(code) => return code,
    };
    match simulate(&loaded.model, args) {
        Ok((doc, text)) => {
            match args.format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&doc).expect("simulation serialises")),
                Format::Human => print!("{text}"),
            }
            exit::READY
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::INVALID_INPUT
        }
    }
}

/// The simulation as JSON and as text.
pub fn simulate(m: &crate::model::Model, args: &SimulateArgs) -> Result<(serde_json::Value, String), String> {
    let svc = m.service(&args.service).ok_or(format!("--service `{}`: no such service", args.service))?;
    let sev = m.service_severities(svc).into_iter().find(|s| s.id == args.severity).ok_or(format!("--severity `{}`: not a severity of `{}`", args.severity, svc.id))?;
    let esc_id = svc.escalation.as_deref().ok_or(format!("`{}` has no escalation", svc.id))?;
    let esc = m.escalations.get(esc_id).ok_or(format!("escalation `{esc_id}` does not exist"))?;
    let at = args.at.0;
    let tl = Timeline::new(m, Horizon::new(at, crate::model::Duration::from_days(1)));
    let show = crate::time::show::show_in(&args.tz.tz);
    let clock = match sev.clock.calendar() {
        None => None,
        Some(c) => Some(calendar::expand(m, c, tl.span.extended(60 * 86_400)).ok_or(format!("clock `{c}` does not exist"))?),
    };
    let measured = |secs: i64| clock.as_ref().map_or(secs, |c| on_clock(c, at, secs));
    let walk = tl.walk(esc, at);

    let mut text =
        format!("Incident on {}, {} (AWS {}), at {}{}\n\n", svc.id, sev.id, sev.aws_severity.as_str(), show(at), if sev.clock.is_wall() { String::new() } else { format!(", clock `{}`", sev.clock) });
    let mut steps = Vec::new();
    for v in &walk.visits {
        let label = match (v.step, v.pass) {
            (Some(i), 0) => format!("step {}", i + 1),
            (Some(i), p) => format!("pass {}, step {}", p + 1, i + 1),
            (None, _) => "final fallback".to_string(),
        };
        let timeout = v.timeout.map(|t| format!(", waits {}", human_secs(t))).unwrap_or_default();
        text.push_str(&format!("  +{:<6} {label}: pages {}{timeout}\n", human_secs(v.entered), v.targets.join(", ")));
        for c in &v.contacted {
            text.push_str(&format!("  +{:<6}   {} interrupted by {}\n", human_secs(c.at), c.contact, c.channel.as_str()));
        }
        for miss in &v.missed {
            text.push_str(&format!("           {}\n", miss));
        }
        if let Some(vendor) = &v.vendor_case {
            text.push_str(&format!("  +{:<6}   vendor case with {vendor} due\n", human_secs(v.entered)));
        }
        let mut entry = match v.step {
            Some(i) => json!({ "kind": "step", "step": i + 1, "pass": v.pass + 1 }),
            None => json!({ "kind": "fallback" }),
        };
        let details = json!({
            "entered_seconds": v.entered, "entered_at": add(at, v.entered).to_string(),
            "timeout_seconds": v.timeout, "targets": v.targets,
            "contacted": v.contacted.iter().map(|c| json!({ "contact": c.contact, "at_seconds": c.at, "at": add(at, c.at).to_string(), "channel": c.channel })).collect::<Vec<_>>(),
            "missed": v.missed.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
            "vendor_case": v.vendor_case,
        });
        if let (Some(entry), serde_json::Value::Object(details)) = (entry.as_object_mut(), details) {
            entry.extend(details);
        }
        steps.push(entry);
    }
    text.push('\n');

    let engaged = walk.engaged();
    let tte = engaged.map(|e| measured(e.at));
    let ack = sev.targets.acknowledge.map(|d| d.as_secs());
    let verdict = |actual: Option<i64>, target: Option<i64>| match (actual, target) {
        (_, None) => "no target".to_string(),
        (None, Some(_)) => "missed: never".to_string(),
        (Some(a), Some(t)) if a <= t => "met".to_string(),
        (Some(_), Some(_)) => "missed".to_string(),
    };
    match engaged {
        Some(e) => text.push_str(&format!(
            "Engaged: {} by {} at +{} ({}); acknowledge target {}: {}\n",
            e.contact,
            e.channel.as_str(),
            human_secs(tte.unwrap_or(e.at)),
            show(add(at, e.at)),
            ack.map(human_secs).unwrap_or("none".into()),
            verdict(tte, ack)
        )),
        None => text.push_str(&format!("Engaged: nobody, ever; acknowledge target {}: {}\n", ack.map(human_secs).unwrap_or("none".into()), verdict(None, ack))),
    }

    let mut cases = Vec::new();
    for v in walk.visits.iter().filter(|v| v.vendor_case.is_some()) {
        let vendor_id = v.vendor_case.clone().unwrap_or_default();
        let due = add(at, v.entered);
        let on = measured(v.entered);
        let target = sev.targets.engage_vendor.map(|d| d.as_secs());
        let response = m.vendors.get(&vendor_id).and_then(|vendor| vendor_response(m, vendor, sev.aws_severity, tl.span.extended(60 * 86_400)));
        let first_response = response.as_ref().and_then(|r| match &r.clock {
            None => Some(add(due, r.secs)),
            Some(c) => c.accumulate(due, r.secs),
        });
        text.push_str(&format!(
            "Vendor case with {vendor_id}: due at +{} ({}); engage_vendor target {}: {}\n",
            human_secs(on),
            show(due),
            target.map(human_secs).unwrap_or("none".into()),
            verdict(Some(on), target)
        ));
        match (&response, first_response) {
            (Some(r), Some(fr)) => text.push_str(&format!("  first response due by {} ({})\n", show(fr), r.description)),
            (Some(r), None) => text.push_str(&format!("  first response ({}) not due within the simulated time\n", r.description)),
            (None, _) => text.push_str(&format!("  {vendor_id} offers no response for AWS severity `{}` (SEV-002)\n", sev.aws_severity.as_str())),
        }
        cases.push(json!({ "vendor": vendor_id, "due_at": due.to_string(), "due_seconds": on, "engage_vendor_seconds": target, "met": target.map(|t| on <= t), "first_response_due_at": first_response.map(|t| t.to_string()), "first_response": response.map(|r| r.description) }));
    }
    let restore_due = sev.targets.restore.map(|d| match &clock {
        None => add(at, d.as_secs()),
        Some(c) => c.accumulate(at, d.as_secs()).unwrap_or(jiff::Timestamp::MAX),
    });
    if let (Some(d), Some(r)) = (restore_due, sev.targets.restore) {
        text.push_str(&format!("Restore target {}: due by {}\n", r.human(), show(d)));
    }
    let doc = json!({
        "service": svc.id, "severity": sev.id, "aws_severity": sev.aws_severity, "at": at.to_string(), "clock": sev.clock,
        "time_to_engage_seconds": tte, "engaged": engaged.map(|e| json!({ "contact": e.contact, "channel": e.channel, "at": add(at, e.at).to_string() })),
        "acknowledge": { "target_seconds": ack, "met": ack.map(|a| tte.is_some_and(|t| t <= a)) },
        "steps": steps, "vendor_cases": cases, "restore_due_at": restore_due.map(|t| t.to_string()),
    });
    Ok((doc, text))
}
