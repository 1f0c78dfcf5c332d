//! Reading PagerDuty (what the selectors reach, and everything it references) and building
//! the fragment from it.

use super::client::{ApiError, Client, parallel};
use super::map::{self, Slugs};
use super::{Options, name_of, pd_id};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;

/// The API's answers, by PagerDuty id.
#[derive(Default)]
pub struct Data {
    pub services: Vec<Value>,
    pub policies: BTreeMap<String, Value>,
    /// Each schedule as read in its own zone over the horizon (with `final_schedule`).
    pub schedules: BTreeMap<String, Value>,
    pub overrides: BTreeMap<String, Vec<Value>>,
    pub users: BTreeMap<String, Value>,
    pub methods: BTreeMap<String, Vec<Value>>,
    pub rules: BTreeMap<String, Vec<Value>>,
}

fn progress(client: &Client, opts: &Options, what: &str) {
    if opts.progress && std::io::stderr().is_terminal() {
        eprint!("\r\x1b[2KPagerDuty: {} requests; {what}", client.requests.load(std::sync::atomic::Ordering::Relaxed));
    }
}

/// Reads the selected objects and everything they reach.
pub fn everything(client: &Client, opts: &Options, until: jiff::Timestamp) -> Result<Data, ApiError> {
    let mut d = Data::default();
    let selected = !(opts.schedules.is_empty() && opts.escalation_policies.is_empty() && opts.services.is_empty() && opts.teams.is_empty());
    progress(client, opts, "services");
    if !opts.services.is_empty() {
        for id in &opts.services {
            d.services.push(client.get(&format!("/services/{id}"), &[])?.get("service").cloned().unwrap_or(Value::Null));
        }
    } else if !opts.teams.is_empty() {
        let teams: Vec<(&str, String)> = opts.teams.iter().map(|t| ("team_ids[]", t.clone())).collect();
        d.services = client.list("/services", "services", &teams)?;
    } else if !selected {
        d.services = client.list("/services", "services", &[])?;
    }
    let mut policies: BTreeSet<String> = opts.escalation_policies.iter().cloned().collect();
    policies.extend(d.services.iter().filter_map(|s| s.pointer("/escalation_policy/id").and_then(Value::as_str).map(str::to_string)));
    let mut schedules: BTreeSet<String> = opts.schedules.iter().cloned().collect();
    let mut users: BTreeSet<String> = BTreeSet::new();
    progress(client, opts, "escalation policies");
    let ids: Vec<String> = policies.into_iter().collect();
    let eps = parallel(&ids, opts.concurrency, |id| Ok(client.get(&format!("/escalation_policies/{id}"), &[])?.get("escalation_policy").cloned().unwrap_or(Value::Null)))?;
    for (id, ep) in ids.into_iter().zip(eps) {
        for t in ep.get("escalation_rules").and_then(Value::as_array).into_iter().flatten().flat_map(|r| r.get("targets").and_then(Value::as_array).into_iter().flatten()) {
            match t.get("type").and_then(Value::as_str) {
                Some("schedule_reference" | "schedule") => {
                    schedules.insert(pd_id(t).to_string());
                }
                Some("user_reference" | "user") => {
                    users.insert(pd_id(t).to_string());
                }
                _ => {}
            }
        }
        d.policies.insert(id, ep);
    }
    let (since, until) = (opts.at.to_string(), until.to_string());
    progress(client, opts, "schedules");
    let ids: Vec<String> = schedules.into_iter().collect();
    let read = parallel(&ids, opts.concurrency, |id| {
        // Its zone first: list endpoints render times in the requester's zone unless asked.
        let plain = client.get(&format!("/schedules/{id}"), &[])?;
        let tz = plain.pointer("/schedule/time_zone").and_then(Value::as_str).unwrap_or("UTC").to_string();
        let q = [("time_zone", tz), ("since", since.clone()), ("until", until.clone())];
        let s = client.get(&format!("/schedules/{id}"), &q)?.get("schedule").cloned().unwrap_or(Value::Null);
        let o = client.get(&format!("/schedules/{id}/overrides"), &q)?.get("overrides").and_then(Value::as_array).cloned().unwrap_or_default();
        Ok((s, o))
    })?;
    for (id, (s, o)) in ids.into_iter().zip(read) {
        for layer in s.get("schedule_layers").and_then(Value::as_array).into_iter().flatten() {
            users.extend(layer.get("users").and_then(Value::as_array).into_iter().flatten().filter_map(|u| u.pointer("/user/id").and_then(Value::as_str).map(str::to_string)));
        }
        users.extend(o.iter().filter_map(|x| x.pointer("/user/id").and_then(Value::as_str).map(str::to_string)));
        users.extend(
            s.pointer("/final_schedule/rendered_schedule_entries").and_then(Value::as_array).into_iter().flatten().filter_map(|e| e.pointer("/user/id").and_then(Value::as_str).map(str::to_string)),
        );
        d.overrides.insert(id.clone(), o);
        d.schedules.insert(id, s);
    }
    progress(client, opts, "users");
    let ids: Vec<String> = users.into_iter().collect();
    let read = parallel(&ids, opts.concurrency, |id| {
        let user = client.get(&format!("/users/{id}"), &[])?.get("user").cloned().unwrap_or(Value::Null);
        let methods = client.list(&format!("/users/{id}/contact_methods"), "contact_methods", &[])?;
        let rules = client.list(&format!("/users/{id}/notification_rules"), "notification_rules", &[("urgency", "all".into())])?;
        Ok((user, methods, rules))
    })?;
    for (id, (user, methods, rules)) in ids.into_iter().zip(read) {
        d.users.insert(id.clone(), user);
        d.methods.insert(id.clone(), methods);
        d.rules.insert(id, rules);
    }
    if opts.progress && std::io::stderr().is_terminal() {
        eprintln!("\r\x1b[2KPagerDuty: {} requests; done", client.requests.load(std::sync::atomic::Ordering::Relaxed));
    }
    Ok(d)
}

/// The fragment and what the answer key needs to map PagerDuty's answers onto it.
pub struct Built {
    pub fragment: Value,
    pub services: Vec<Value>,
    pub warnings: Vec<String>,
    /// PagerDuty schedule id → schedule id in the fragment.
    pub schedule_ids: BTreeMap<String, String>,
    /// PagerDuty user id → contact id.
    pub user_ids: BTreeMap<String, String>,
}

pub fn build(d: &Data, opts: &Options) -> Built {
    let mut warnings = Vec::new();
    let mut people = Slugs::default();
    let user_ids: BTreeMap<String, String> = d.users.iter().map(|(id, u)| (id.clone(), people.id(id, name_of(u)))).collect();
    let mut contacts: Vec<Value> = d.users.iter().map(|(id, u)| contact(id, u, &user_ids, d, &mut warnings)).collect();
    contacts.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    let mut names = Slugs::default();
    let schedule_ids: BTreeMap<String, String> = d.schedules.iter().map(|(id, s)| (id.clone(), names.id(id, name_of(s)))).collect();
    let mut rotations = Map::new();
    let mut schedules = Map::new();
    for (id, s) in &d.schedules {
        super::layers::schedule(id, s, &schedule_ids, &user_ids, d.overrides.get(id).map(Vec::as_slice).unwrap_or_default(), &mut rotations, &mut schedules, &mut warnings);
    }
    // Escalations page only the schedules that could be imported.
    let schedule_ids: BTreeMap<String, String> = schedule_ids.into_iter().filter(|(_, slug)| schedules.contains_key(slug)).collect();
    let mut policy_slugs = Slugs::default();
    let mut escalations = Map::new();
    for (id, ep) in &d.policies {
        let slug = policy_slugs.id(id, name_of(ep));
        escalations.insert(slug, escalation(id, ep, &schedule_ids, &user_ids, opts, &mut warnings));
    }
    let mut calendars = Map::new();
    let mut service_slugs = Slugs::default();
    let mut services = Vec::new();
    for s in &d.services {
        let id = service_slugs.id(pd_id(s), name_of(s));
        let policy = s.pointer("/escalation_policy/id").and_then(Value::as_str).map(|p| policy_slugs.id(p, d.policies.get(p).map(name_of).unwrap_or(p)));
        let mut entry = json!({ "id": id, "source": format!("pagerduty:service/{}", pd_id(s)) });
        if let Some(p) = policy {
            entry["escalation"] = json!(p);
        }
        if let Some(u) = urgency(&id, s, &mut calendars, &mut warnings) {
            entry["urgency"] = u;
        }
        services.push(entry);
    }
    services.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    let mut fragment = Map::new();
    for (key, v) in [
        ("calendars", Value::Object(sorted(calendars))),
        ("contacts", Value::Array(contacts)),
        ("rotations", Value::Object(sorted(rotations))),
        ("schedules", Value::Object(sorted(schedules))),
        ("escalations", Value::Object(sorted(escalations))),
    ] {
        let empty = v.as_object().is_some_and(Map::is_empty) || v.as_array().is_some_and(Vec::is_empty);
        if !empty {
            fragment.insert(key.into(), v);
        }
    }
    warnings.sort();
    warnings.dedup();
    Built { fragment: Value::Object(fragment), services, warnings, schedule_ids, user_ids }
}

fn sorted(m: Map<String, Value>) -> Map<String, Value> {
    let mut v: Vec<(String, Value)> = m.into_iter().collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v.into_iter().collect()
}

fn contact(id: &str, u: &Value, ids: &BTreeMap<String, String>, d: &Data, warnings: &mut Vec<String>) -> Value {
    let mut channels = Vec::new();
    let mut kinds = BTreeMap::new();
    for m in d.methods.get(id).into_iter().flatten() {
        let kind = m.get("type").and_then(Value::as_str).unwrap_or("");
        let Some(ch) = map::channel(kind) else {
            warnings.push(format!("user {id}: contact method {} of type `{kind}` has no channel equivalent: left out", pd_id(m)));
            continue;
        };
        let address = m.get("address").and_then(Value::as_str).unwrap_or("");
        let address = match (ch, m.get("country_code").and_then(Value::as_i64)) {
            ("voice" | "sms", Some(cc)) => format!("+{cc} {address}"),
            _ => address.to_string(),
        };
        kinds.insert(pd_id(m).to_string(), ch);
        channels.push(json!({ "type": ch, "address": if address.is_empty() { m.get("label").and_then(Value::as_str).unwrap_or("device").to_string() } else { address } }));
    }
    let mut rules = Vec::new();
    for r in d.rules.get(id).into_iter().flatten() {
        let method = r.get("contact_method");
        let ch = method.and_then(|m| kinds.get(pd_id(m)).copied().or_else(|| m.get("type").and_then(Value::as_str).and_then(map::channel)));
        let Some(ch) = ch else {
            warnings.push(format!("user {id}: notification rule {} uses a contact method with no channel equivalent: left out", pd_id(r)));
            continue;
        };
        let after = r.get("start_delay_in_minutes").and_then(Value::as_i64).unwrap_or(0);
        let urgency = r.get("urgency").and_then(Value::as_str).filter(|u| *u == "high" || *u == "low").unwrap_or("any");
        rules.push(json!({ "after": format!("PT{after}M"), "channel": ch, "urgency": urgency }));
    }
    rules.sort_by(|a, b| {
        (a["urgency"].as_str(), a["after"].as_str().map(|s| s.len()), a["after"].as_str(), a["channel"].as_str()).cmp(&(
            b["urgency"].as_str(),
            b["after"].as_str().map(|s| s.len()),
            b["after"].as_str(),
            b["channel"].as_str(),
        ))
    });
    let mut c = json!({ "id": ids[id], "kind": "person", "name": name_of(u) });
    if let Some(tz) = u.get("time_zone").and_then(Value::as_str).filter(|z| z.parse::<crate::model::TimeZone>().is_ok()) {
        c["timezone"] = json!(tz);
    }
    c["channels"] = Value::Array(channels);
    if !rules.is_empty() {
        c["notification_rules"] = Value::Array(rules);
    }
    c["source"] = json!(format!("pagerduty:user/{id}"));
    c
}

fn escalation(id: &str, ep: &Value, schedules: &BTreeMap<String, String>, users: &BTreeMap<String, String>, opts: &Options, warnings: &mut Vec<String>) -> Value {
    let mut steps = Vec::new();
    for (i, r) in ep.get("escalation_rules").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let mut notify = Vec::new();
        for t in r.get("targets").and_then(Value::as_array).into_iter().flatten() {
            let tid = pd_id(t);
            match (t.get("type").and_then(Value::as_str), schedules.get(tid), users.get(tid)) {
                (Some("schedule_reference" | "schedule"), Some(s), _) => notify.push(json!(format!("schedule:{s}"))),
                (Some("user_reference" | "user"), _, Some(u)) => notify.push(json!(format!("contact:{u}"))),
                (kind, _, _) => warnings.push(format!("escalation policy {id}, rule {}: target {tid} of type `{}` cannot be expressed: left out", i + 1, kind.unwrap_or("?"))),
            }
        }
        let delay = r.get("escalation_delay_in_minutes").and_then(Value::as_i64).unwrap_or(0);
        let mut step = json!({ "notify": notify, "timeout": format!("PT{delay}M") });
        if map::assignment(r.get("escalation_rule_assignment_strategy").or_else(|| ep.get("escalation_rule_assignment_strategy"))) == "round_robin" {
            step["assignment"] = json!("round_robin");
        }
        steps.push(step);
    }
    let mut e = json!({ "steps": steps, "repeat": ep.get("num_loops").and_then(Value::as_i64).unwrap_or(0) });
    if let Some(f) = &opts.fallback {
        e["final_fallback"] = json!(f);
    }
    e["source"] = json!(format!("pagerduty:escalation_policy/{id}"));
    e
}

/// A service's incident urgency rule, with its support hours as a calendar.
fn urgency(id: &str, s: &Value, calendars: &mut Map<String, Value>, warnings: &mut Vec<String>) -> Option<Value> {
    let rule = s.get("incident_urgency_rule")?;
    match rule.get("type").and_then(Value::as_str) {
        Some("constant") => Some(json!({ "inside": map::urgency_choice(rule.get("urgency").and_then(Value::as_str)) })),
        Some("use_support_hours") => {
            let hours = s.get("support_hours").filter(|h| h.get("type").and_then(Value::as_str) == Some("fixed_time_per_day"));
            let Some(hours) = hours else {
                warnings.push(format!("service {}: support hours that are not fixed_time_per_day cannot be expressed: urgency left out", pd_id(s)));
                return None;
            };
            let days: Vec<&str> = hours
                .get("days_of_week")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_u64)
                .filter(|d| (1..=7).contains(d))
                .map(|d| ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][(d - 1) as usize])
                .collect();
            let hm = |k: &str| hours.get(k).and_then(Value::as_str).map(|t| t.get(..5).unwrap_or(t).to_string()).unwrap_or_else(|| "00:00".into());
            let cal = format!("{id}-support-hours");
            calendars.insert(
                cal.clone(),
                json!({ "timezone": hours.get("time_zone").and_then(Value::as_str).unwrap_or("UTC"), "weekly": [{ "days": days, "from": hm("start_time"), "to": hm("end_time") }] }),
            );
            let during = rule.pointer("/during_support_hours/urgency").and_then(Value::as_str);
            let outside = rule.pointer("/outside_support_hours/urgency").and_then(Value::as_str);
            Some(json!({ "support_hours": cal, "inside": map::urgency_choice(during), "outside": map::urgency_choice(outside) }))
        }
        other => {
            warnings.push(format!("service {}: incident urgency rule `{}` cannot be expressed: urgency left out", pd_id(s), other.unwrap_or("?")));
            None
        }
    }
}
