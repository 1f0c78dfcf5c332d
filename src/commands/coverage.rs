//! `runready coverage`: heatmaps of the worst time to engage, and every gap with its cause.

use crate::cli::{CoverageArgs, Format};
use crate::exit;
use crate::model::human_secs;
use crate::report::heatmap;
use crate::time::analysis::{ServiceCoverage, analyse};
use crate::time::{Horizon, stage::Stage};

/// The analysis of every selected service (services that cannot be analysed are skipped
/// with a note on stderr: `check` reports why, under SM-001/SM-002).
pub fn compute(stage: &Stage, services: &[String], tz: &jiff::tz::TimeZone) -> Result<Vec<ServiceCoverage>, String> {
    let model = stage.model();
    if let Some(bad) = services.iter().find(|s| model.service(s).is_none()) {
        return Err(format!("--service `{bad}`: no such service in the model"));
    }
    let mut out = Vec::new();
    for svc in model.services.iter().filter(|s| services.is_empty() || services.contains(&s.id)) {
        match analyse(stage, svc, tz) {
            Ok(c) => out.push(c),
            Err(why) => eprintln!("note: {} not simulated: {why}", svc.id),
        }
    }
    Ok(out)
}

pub fn run(args: &CoverageArgs) -> i32 {
    let loaded = match super::load_usable(&args.paths) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let at = args.time.at.map(|i| i.0).unwrap_or_else(jiff::Timestamp::now);
    let tz = &args.time.tz;
    let stage = Stage::build(&loaded.model, Horizon::new(at, args.time.horizon));
    let coverage = match compute(&stage, &args.services, &tz.tz) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID_INPUT;
        }
    };
    if let Some(path) = &args.svg {
        let maps: Vec<(String, &crate::time::analysis::SeverityCoverage)> = coverage.iter().flat_map(|c| c.severities.iter().map(move |s| (c.service.clone(), s))).collect();
        if let Err(e) = crate::atomic::write_atomic(path, &heatmap::svg(&maps, &tz.name)) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return exit::INVALID_INPUT;
        }
    }
    match args.time.format {
        Format::Json => {
            let doc = serde_json::json!({ "at": at.to_string(), "horizon": args.time.horizon.to_string(), "timezone": tz.name, "services": coverage });
            println!("{}", serde_json::to_string_pretty(&doc).expect("coverage serialises"));
        }
        Format::Human => print!("{}", human(&coverage, &tz.tz, super::color_stdout())),
    }
    if args.fail_on_gap && coverage.iter().any(|c| !c.gaps.is_empty()) { exit::NOT_READY } else { exit::READY }
}

pub fn human(coverage: &[ServiceCoverage], tz: &jiff::tz::TimeZone, color: bool) -> String {
    let tz_name = tz.iana_name().unwrap_or("UTC");
    let mut out = String::new();
    for c in coverage {
        for s in &c.severities {
            let worst = match (s.required, s.worst_seconds) {
                (false, _) => "no coverage required in the horizon".to_string(),
                (true, None) => "nobody is engaged at worst".to_string(),
                (true, Some(w)) => format!("worst time to engage {}", human_secs(w)),
            };
            let target = s.acknowledge_seconds.map(|a| format!(" (acknowledge target {})", human_secs(a))).unwrap_or_default();
            out.push_str(&format!("{} · {}: {worst}{target}\n", c.service, s.severity));
            if let Some(cause) = &s.worst_cause {
                out.push_str(&format!("  worst at {cause}\n"));
            }
            out.push_str(&heatmap::terminal(s, color, tz_name));
            out.push('\n');
        }
        if c.gaps.is_empty() {
            out.push_str(&format!("{}: no gap in required coverage `{}`\n\n", c.service, c.required_coverage));
        } else {
            let total: i64 = c.gaps.iter().map(|g| g.seconds).sum();
            out.push_str(&format!("{}: {} gap(s) in required coverage `{}`, {} in all\n", c.service, c.gaps.len(), c.required_coverage, human_secs(total)));
            for g in &c.gaps {
                let (from, to) = (crate::time::show::show(g.interval.start, tz), crate::time::show::show(g.interval.end, tz));
                out.push_str(&format!("  {from} → {to} ({}): {}\n", human_secs(g.seconds), g.cause));
            }
            out.push('\n');
        }
    }
    out
}
