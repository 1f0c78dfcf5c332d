//! MGR-001: every escalation pages one of `settings.managers` (contact ids) at a step it
//! enters within `settings.max_minutes` (default 30) of the incident.

use runready_policy::{Finding, Level, PolicyError, Request, Value, escape, export_policy};

export_policy!(include_str!("../policy.yaml"), evaluate, check_settings);

fn check_settings(settings: &Value) -> Result<(), String> {
    match settings["managers"].as_array() {
        Some(m) if !m.is_empty() => Ok(()),
        _ => Err("settings.managers must name at least one contact".into()),
    }
}

/// `PT15M`, `P1D`, `15m`, `1h30m` → seconds (runready normalises to ISO 8601).
fn seconds(d: &str) -> Option<i64> {
    let rest = d.strip_prefix('P')?;
    let (days, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut total = 0i64;
    let mut num = String::new();
    for (part, units) in [(days, [('D', 86_400i64), ('W', 7 * 86_400), ('D', 86_400)]), (time, [('H', 3_600), ('M', 60), ('S', 1)])] {
        for c in part.chars() {
            if c.is_ascii_digit() {
                num.push(c);
            } else {
                let n: i64 = num.parse().ok()?;
                num.clear();
                total += n * units.iter().find(|(u, _)| *u == c)?.1;
            }
        }
    }
    Some(total)
}

fn evaluate(req: &Request) -> Result<Vec<Finding>, PolicyError> {
    let settings = req.settings()?;
    let model = req.model()?;
    let managers: Vec<String> = settings["managers"].as_array().map(|m| m.iter().filter_map(|v| v.as_str().map(|s| format!("contact:{s}"))).collect()).unwrap_or_default();
    if managers.is_empty() {
        return Err(PolicyError::InvalidSettings("settings.managers is empty".into()));
    }
    let max = settings["max_minutes"].as_i64().unwrap_or(30) * 60;
    let escalations = model["escalations"].as_object().ok_or_else(|| PolicyError::InvalidInput("model.escalations is not a map".into()))?;
    let mut findings = Vec::new();
    for (id, esc) in escalations {
        let mut entered = 0i64;
        let mut reached = false;
        for step in esc["steps"].as_array().into_iter().flatten() {
            if entered > max {
                break;
            }
            if step["notify"].as_array().into_iter().flatten().filter_map(Value::as_str).any(|t| managers.iter().any(|m| m == t)) {
                reached = true;
                break;
            }
            entered += step["timeout"].as_str().and_then(seconds).unwrap_or(0);
        }
        if !reached {
            findings.push(
                Finding::new("MGR-001", Level::Error, format!("escalation `{id}` reaches no manager within {} minutes", max / 60))
                    .at(format!("/model/escalations/{}/steps", escape(id)))
                    .subject(format!("escalation:{id}"))
                    .fix(format!("add a step notifying one of {} within {} minutes", managers.join(", "), max / 60)),
            );
        }
    }
    Ok(findings)
}
