//! `runready check`: load, evaluate, report, exit.

use crate::cli::{CheckArgs, CheckFormat, Required};
use crate::exit;
use crate::load::{self, Loaded};
use crate::report::{self, ModelInfo, Report, baseline};
use crate::rules::{self, Options};
use crate::time::Horizon;
use crate::time::stage::Stage;

pub fn run(args: &CheckArgs, quiet: bool, verbose: bool) -> i32 {
    let at = args.at.map(|i| i.0).unwrap_or_else(jiff::Timestamp::now);
    // Inputs that are not the model are read first: a bad flag file is exit 2 before any work.
    let Inputs { baseline: base, template, policies, mut facts, journals, paging } = match Inputs::read(args) {
        Ok(i) => i,
        Err(e) => return usage_error(&e),
    };
    let mut loaded = load::load(&args.paths);
    let pins = check_pins(&loaded, args.allow_outside_root);
    loaded.diagnostics.extend(pins);
    if loaded.is_usable() {
        let bounds = super::bound_errors(&loaded, Horizon::new(at, args.horizon));
        loaded.diagnostics.extend(bounds);
    }
    if args.live && loaded.is_usable() {
        match super::facts::live(&loaded.model, &args.aws) {
            Ok(live) => {
                // A failed source leaves its rules in `error` (exit 3), and says why here.
                super::facts::report_sources(&live);
                facts.get_or_insert_with(Default::default).merge(live);
            }
            Err(e) => return usage_error(&format!("--live: {e}")),
        }
    }
    // The time stage is built once and read by the rules, the policies' `derived` and the
    // Markdown report's coverage.
    let stage = loaded.is_usable().then(|| Stage::build(&loaded.model, Horizon::new(at, args.horizon)));
    let report = evaluate(&loaded, stage.as_ref(), args, at, Evidence { policies, facts, journals, paging });
    let comparison = base.as_ref().map(|b| baseline::compare(&report, b));
    let model = loaded.is_usable().then_some(&loaded.model);

    let mut code = report.verdict.exit_code();
    let mut write = |path: &std::path::Path, text: Result<String, String>| match text.and_then(|t| crate::atomic::write_atomic(path, &t).map_err(|e| format!("cannot write {}: {e}", path.display()))) {
        Ok(()) => {}
        Err(e) => {
            eprintln!("error: {e}");
            code = exit::worst(code, exit::INVALID_INPUT);
        }
    };
    if let Some(p) = &args.json {
        write(p, Ok(report.to_json()));
    }
    if let Some(p) = &args.junit {
        write(p, Ok(report::junit::render(&report)));
    }
    if let Some(p) = &args.sarif {
        write(p, Ok(report::sarif::render(&report, comparison.as_ref())));
    }
    if let Some(p) = &args.codequality {
        write(p, Ok(report::codequality::render(&report)));
    }
    if let Some(p) = &args.markdown {
        let coverage = stage.as_ref().and_then(|stage| super::coverage::compute(stage, args.horizon, &args.services, &args.tz).ok());
        let analysed = coverage.as_ref().map(|c| c.services.as_slice()).unwrap_or_default();
        // The heatmaps go beside the Markdown file, which links them by name.
        let svg_name = (!analysed.is_empty()).then(|| format!("{}.coverage.svg", p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "report".into())));
        if let (Some(name), Some(coverage)) = (&svg_name, &coverage) {
            write(&p.with_file_name(name), Ok(coverage.svg()));
        }
        let load = model.map(|m| crate::time::load::compute(m, Horizon::new(at, args.horizon))).unwrap_or_default();
        let extra = report::markdown::Coverage { svg: svg_name, services: analysed, load: &load.load };
        let services = model.map(|m| report::matrix::service_rows(&report, m)).unwrap_or_default();
        let json_report = args.json.as_deref().map(crate::load::display_path);
        let tz = coverage.as_ref().map(|c| c.timezone.clone()).unwrap_or_default();
        let input = report::markdown::Input { report: &report, services: &services, baseline: comparison.as_ref(), coverage: &extra, json_report: json_report.as_deref(), tz: &tz };
        write(p, report::markdown::render(&input, template.as_deref()));
    }
    if let Some(topic) = &args.notify_sns {
        code = exit::worst(code, notify(topic, &report, args, quiet));
    }
    match args.format {
        CheckFormat::Json => out!("{}", report.to_json()),
        CheckFormat::Github => out!("{}", report::github::render(&report, &report::github::root())),
        CheckFormat::Human if quiet => outln!("{}", report::human::summary_line(&report)),
        CheckFormat::Human => out!("{}", report::human::render(&report, &loaded.sources, &report::human::Style { color: super::color_stdout(), verbose })),
    }
    code
}

/// `--notify-sns`: publishes the verdict; the exit code a failure adds.
fn notify(topic: &str, report: &Report, args: &CheckArgs, quiet: bool) -> i32 {
    match super::facts::notify_sns(topic, report, &args.aws) {
        Ok(id) if !quiet => eprintln!("published the verdict to {topic} (message {id})"),
        Ok(_) => {}
        Err(e) => {
            eprintln!("error: {e}");
            if !args.allow_incomplete {
                return exit::INCOMPLETE;
            }
        }
    }
    exit::READY
}

/// What `check` reads besides the model, from its flags.
struct Inputs {
    baseline: Option<Report>,
    template: Option<String>,
    policies: Vec<crate::policy::PolicySpec>,
    facts: Option<crate::facts::Facts>,
    journals: Option<Vec<crate::drill::journal::Journal>>,
    paging: Option<crate::model::Model>,
}

/// What the rules read besides the model: policies, facts, journals, the paging snapshot.
pub struct Evidence {
    pub policies: Vec<crate::policy::PolicySpec>,
    pub facts: Option<crate::facts::Facts>,
    pub journals: Option<Vec<crate::drill::journal::Journal>>,
    pub paging: Option<crate::model::Model>,
}

impl Inputs {
    fn read(args: &CheckArgs) -> Result<Inputs, String> {
        let baseline = args.baseline.as_deref().map(baseline::read).transpose()?;
        let template = args
            .template
            .as_ref()
            .map(|p| crate::read::text(p, crate::read::Kind::Template).map_err(|e| format!("cannot read {}", crate::read::describe(p, crate::read::Kind::Template, &e))))
            .transpose()?;
        let policies = crate::policy::from_paths(&args.policies)?;
        let facts = (!args.facts.is_empty()).then(|| crate::facts::read(&args.facts)).transpose()?;
        let journals = (!args.journals.is_empty()).then(|| crate::drill::journal::read(&args.journals)).transpose()?.map(|v| v.into_iter().map(|(_, j)| j).collect());
        let paging = args.paging.as_deref().map(crate::load::paging_snapshot).transpose()?;
        Ok(Inputs { baseline, template, policies, facts, journals, paging })
    }
}

/// Builds the report: load errors when the model is unusable, otherwise every result.
pub fn evaluate(loaded: &Loaded, stage: Option<&Stage>, args: &CheckArgs, at: jiff::Timestamp, evidence: Evidence) -> Report {
    let Evidence { policies, facts, journals, paging } = evidence;
    let info = ModelInfo { name: loaded.model.name().to_string(), files: loaded.sources.displays() };
    let mut report = Report::new(info, at, args.horizon, args.fail_on.into());
    if let (true, Some(stage)) = (loaded.is_usable(), stage) {
        let opts = Options {
            at,
            horizon: args.horizon,
            services: args.services.clone(),
            require_facts: args.require.contains(&Required::Facts),
            require_journals: args.require.contains(&Required::Journals),
            require_paging: args.require.contains(&Required::Paging),
            paging,
            display_tz: args.tz.tz.clone(),
            policies,
            facts,
            max_facts_age: args.max_facts_age,
            journals: journals.clone(),
            allow_outside_root: args.allow_outside_root,
        };
        let unknown: Vec<&String> = args.services.iter().filter(|s| loaded.model.service(s).is_none()).collect();
        if !unknown.is_empty() {
            let names = unknown.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
            report.load_errors.push(crate::diag::Diagnostic::new(crate::diag::Code::InvalidValue, format!("--service {names}: no such service in the model"), None));
        } else {
            let evaluation = rules::evaluate_on(stage, &loaded.sources, &opts);
            report.results = evaluation.results;
            report.drills = latest_runs(&loaded.model, journals.unwrap_or_default(), at);
            report.disabled_rules = evaluation.disabled;
        }
    } else {
        report.load_errors = loaded.diagnostics.clone();
    }
    report.conclude(args.allow_incomplete);
    report
}

fn usage_error(message: &str) -> i32 {
    eprintln!("error: {message}");
    exit::INVALID_INPUT
}

/// The model's policies must be inside the repository root, exist, and match their `sha256` pin when one is given: a
/// missing or changed module is a load error (exit 2), never a silent substitution.
fn check_pins(loaded: &Loaded, allow_outside_root: bool) -> Vec<crate::diag::Diagnostic> {
    use sha2::Digest;
    let mut out = Vec::new();
    for (spec, p) in crate::policy::from_model(&loaded.model, &loaded.sources).iter().zip(&loaded.model.policies) {
        if let (false, Err(why)) = (allow_outside_root, loaded.sources.confine(&spec.path)) {
            out.push(crate::diag::Diagnostic::new(crate::diag::Code::InvalidModel, format!("policy {} {why}", p.path), Some(loaded.sources.locate(&p.origin.at("path")))));
            continue;
        }
        if crate::policy::rego::is_rego(&spec.path) {
            // A Rego policy: it must load (syntax, unknown built-ins, recursion are exit 2, at
            // their place in the .rego file), and its pin is over its sorted files.
            match crate::policy::rego::load(&spec.path) {
                Err(e) => out.push(
                    crate::diag::Diagnostic::new(
                        crate::diag::Code::InvalidModel,
                        format!("policy {}: {}", p.path, e.message),
                        e.location.clone().or_else(|| Some(loaded.sources.locate(&p.origin.at("path")))),
                    )
                    .with_help("fix the Rego policy; `runready policy test DIR` runs its tests"),
                ),
                Ok(rego) => {
                    if let Some(pin) = &p.sha256 {
                        out.extend(pin_mismatch(loaded, p, pin, &rego.sha256(), "run `runready policy inspect` on the policy for its pin"));
                    }
                }
            }
            continue;
        }
        match crate::read::bytes(&spec.path, crate::read::Kind::Policy) {
            Err(e) => out.push(
                crate::diag::Diagnostic::new(crate::diag::Code::InvalidModel, format!("policy {}: {e}", p.path), Some(loaded.sources.locate(&p.origin.at("path"))))
                    .with_help("the path is relative to this YAML file"),
            ),
            Ok(bytes) => {
                let actual: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
                if let Some(pin) = &p.sha256 {
                    out.extend(pin_mismatch(loaded, p, pin, &actual, "update the pin after reviewing the new module"));
                }
            }
        }
    }
    out
}

fn pin_mismatch(loaded: &Loaded, p: &crate::model::Entry<crate::model::PolicyRef>, pin: &str, actual: &str, help: &str) -> Option<crate::diag::Diagnostic> {
    (!pin.eq_ignore_ascii_case(actual)).then(|| {
        crate::diag::Diagnostic::new(crate::diag::Code::InvalidModel, format!("policy {} has sha256 {actual}, not the pinned {pin}", p.path), Some(loaded.sources.locate(&p.origin.at("sha256"))))
            .with_help(help)
    })
}

/// The latest live run of each of the model's drills (started no later than `--at`), for
/// the reports' drill sections.
fn latest_runs(model: &crate::model::Model, journals: Vec<crate::drill::journal::Journal>, at: jiff::Timestamp) -> Vec<crate::drill::journal::Journal> {
    model.drills.iter().filter_map(|d| journals.iter().filter(|j| !j.dry_run && j.drill == d.id && j.model == model.name() && j.started_at.0 <= at).max_by_key(|j| j.started_at).cloned()).collect()
}
