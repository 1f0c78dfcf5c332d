//! `runready import pagerduty`: the fragment, the services example and the answer key.

use crate::cli::ImportPagerdutyArgs;
use crate::exit;

pub fn pagerduty(args: &ImportPagerdutyArgs, quiet: bool) -> i32 {
    if let Some(f) = &args.fallback
        && !matches!(crate::model::TargetRef::parse(f), crate::model::TargetRef::Contact(_) | crate::model::TargetRef::Schedule(_) | crate::model::TargetRef::Rotation(_))
    {
        eprintln!("error: --fallback {f}: expected contact:ID, schedule:ID or rotation:ID of your model");
        return exit::INVALID_INPUT;
    }
    let opts = crate::import::Options {
        api_url: args.api_url.clone(),
        token_env: args.token_env.clone(),
        schedules: args.schedules.clone(),
        escalation_policies: args.escalation_policies.clone(),
        services: args.services.clone(),
        teams: args.teams.clone(),
        at: args.at.map(|a| a.0).unwrap_or_else(jiff::Timestamp::now),
        horizon: args.horizon,
        fallback: args.fallback.clone(),
        out: args.out.clone(),
        progress: !quiet,
        timeout: std::time::Duration::from_secs(args.timeout.as_secs().max(1) as u64),
        concurrency: args.concurrency as usize,
    };
    match crate::import::pagerduty(&opts) {
        Err(crate::import::Failure::Api(e)) => {
            eprintln!("error: {e}");
            exit::INCOMPLETE
        }
        Err(crate::import::Failure::Output(e)) => {
            eprintln!("error: {e}");
            exit::INVALID_INPUT
        }
        Ok(o) => {
            for w in &o.warnings {
                eprintln!("warning: {w}");
            }
            if !quiet {
                for p in &o.written {
                    outln!("wrote {}", p.display());
                }
            }
            if o.disagreements > 0 {
                eprintln!(
                    "error: runready's simulation of the imported schedules disagrees with PagerDuty's own rendering in {} stretch(es) over {} schedule(s): see {}",
                    o.disagreements,
                    o.schedules,
                    opts.out.join("pagerduty-check.json").display()
                );
                exit::NOT_READY
            } else {
                outln!("{} schedule(s) agree with PagerDuty's rendered final schedule over {}; {} warning(s)", o.schedules, opts.horizon, o.warnings.len());
                exit::READY
            }
        }
    }
}
