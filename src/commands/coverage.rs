//! `runready coverage`: heatmaps of the worst time to engage, and every gap with its cause.

use crate::cli::{CoverageArgs, Format};
use crate::exit;
use crate::model::human_secs;
use crate::report::heatmap;
use crate::time::analysis::{ServiceCoverage, analyse};
use crate::time::{Horizon, stage::Stage};

/// What `coverage` computed: every selected service's gaps, worst times to engage and
/// heatmaps over the horizon. Serialised as `coverage --format json`; the human output, the
/// SVG and the Markdown report's coverage section render it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CoverageReport {
    pub at: String,
    pub horizon: String,
    pub timezone: String,
    pub services: Vec<ServiceCoverage>,
    /// The display zone itself, for renderers.
    #[serde(skip)]
    pub zone: jiff::tz::TimeZone,
}

impl CoverageReport {
    /// The heatmaps as one SVG document.
    pub fn svg(&self) -> String {
        let maps: Vec<(String, &crate::time::analysis::SeverityCoverage)> = self.services.iter().flat_map(|c| c.severities.iter().map(move |s| (c.service.clone(), s))).collect();
        heatmap::svg(&maps, &self.timezone)
    }
}

/// The analysis of every selected service (services that cannot be analysed are skipped
/// with a note on stderr: `check` reports why, under SM-001/SM-002).
/// `horizon` is the horizon as the user spelled it (the stage's own is two instants).
pub fn compute(stage: &Stage, horizon: crate::model::Duration, services: &[String], tz: &crate::model::TimeZone) -> Result<CoverageReport, String> {
    let model = stage.model();
    if let Some(bad) = services.iter().find(|s| model.service(s).is_none()) {
        return Err(format!("--service `{bad}`: no such service in the model"));
    }
    let mut out = Vec::new();
    for svc in model.services.iter().filter(|s| services.is_empty() || services.contains(&s.id)) {
        match analyse(stage, svc, &tz.tz) {
            Ok(c) => out.push(c),
            Err(why) => eprintln!("note: {} not simulated: {why}", svc.id),
        }
    }
    Ok(CoverageReport { at: stage.horizon().start.to_string(), horizon: horizon.to_string(), timezone: tz.name.clone(), services: out, zone: tz.tz.clone() })
}

pub fn run(args: &CoverageArgs) -> i32 {
    let loaded = match super::load_usable(&args.paths) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let at = args.time.at.map(|i| i.0).unwrap_or_else(jiff::Timestamp::now);
    let horizon = Horizon::new(at, args.time.horizon);
    if let Err(code) = super::refuse(&loaded, &super::bound_errors(&loaded, horizon)) {
        return code;
    }
    if let Some(bad) = args.without.iter().find(|p| loaded.model.contact(p).is_none()) {
        eprintln!("error: --without {bad}: no such contact in the model");
        return exit::INVALID_INPUT;
    }
    if let Some(team) = args.without.iter().find(|p| loaded.model.contact(p).is_some_and(|c| c.always_reachable)) {
        eprintln!("error: --without {team}: an always_reachable team is never absent (absences.md)");
        return exit::INVALID_INPUT;
    }
    if args.load {
        let report = crate::time::load::compute(&loaded.model, horizon);
        match args.time.format {
            Format::Json => outln!("{}", serde_json::to_string_pretty(&report).expect("load serialises")),
            Format::Human => out!("{}", report.human()),
        }
        return exit::READY;
    }
    let absent: Vec<&str> = args.without.iter().map(String::as_str).collect();
    let stage = Stage::build_without(&loaded.model, horizon, &absent);
    let coverage = match compute(&stage, args.time.horizon, &args.services, &args.time.tz) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID_INPUT;
        }
    };
    if let Some(path) = &args.svg
        && let Err(e) = crate::atomic::write_atomic(path, &coverage.svg())
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return exit::INVALID_INPUT;
    }
    match args.time.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&coverage).expect("coverage serialises")),
        Format::Human => out!("{}", human(&coverage, super::color_stdout())),
    }
    if args.fail_on_gap && coverage.services.iter().any(|c| !c.gaps.is_empty()) { exit::NOT_READY } else { exit::READY }
}

pub fn human(coverage: &CoverageReport, color: bool) -> String {
    let tz = &coverage.zone;
    let tz_name = tz.iana_name().unwrap_or("UTC");
    let mut out = String::new();
    for c in &coverage.services {
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
