//! A PagerDuty schedule as a layered schedule: each layer a rotation (its users in order,
//! `rotation_virtual_start` the phase anchor, the turn length a civil handoff, the layer's
//! start and end its active window, restrictions as weekly windows), written lowest first
//! (the API lists them highest first), and the overrides of the horizon above them.

use super::map::{self, Slugs};
use super::name_of;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

#[allow(clippy::too_many_arguments)]
pub fn schedule(
    id: &str,
    s: &Value,
    schedule_ids: &BTreeMap<String, String>,
    users: &BTreeMap<String, String>,
    overrides: &[Value],
    rotations: &mut Map<String, Value>,
    schedules: &mut Map<String, Value>,
    warnings: &mut Vec<String>,
) {
    let slug = &schedule_ids[id];
    let tz_name = s.get("time_zone").and_then(Value::as_str).unwrap_or("UTC");
    let Some(tz) = crate::model::scalars::zone(tz_name) else {
        warnings.push(format!("schedule {id}: time zone `{tz_name}` is unknown: left out"));
        return;
    };
    let Some(api_layers) = s.get("schedule_layers").and_then(Value::as_array) else {
        warnings.push(format!("schedule {id}: no schedule_layers (a v3 schedule?): left out"));
        return;
    };
    let mut layer_slugs = Slugs::default();
    let mut layers = Vec::new();
    for layer in api_layers.iter().rev() {
        let lid = layer.get("id").and_then(Value::as_str).unwrap_or("");
        let rid = format!("{slug}-{}", layer_slugs.id(lid, name_of(layer)));
        match rotation(id, layer, &tz, tz_name, users, warnings) {
            Some(mut r) => {
                r["source"] = json!(format!("pagerduty:schedule/{id}/layer/{lid}"));
                rotations.insert(rid.clone(), r);
                layers.push(json!(rid));
            }
            None => continue,
        }
    }
    if layers.is_empty() {
        warnings.push(format!("schedule {id}: no layer could be imported: left out"));
        return;
    }
    let mut out = json!({ "timezone": tz_name, "layers": layers });
    let mut list = Vec::new();
    for o in overrides {
        let member = o.pointer("/user/id").and_then(Value::as_str).and_then(|u| users.get(u));
        let from = o.get("start").and_then(Value::as_str).and_then(|t| map::local(t, &tz));
        let to = o.get("end").and_then(Value::as_str).and_then(|t| map::local(t, &tz));
        match (member, from, to) {
            (Some(m), Some((f, cut_f)), Some((t, cut_t))) => {
                if cut_f || cut_t {
                    warnings.push(format!("schedule {id}: override {} starts or ends within a minute: cut to the minute", o.get("id").and_then(Value::as_str).unwrap_or("?")));
                }
                list.push(json!({ "from": f, "to": t, "member": m }));
            }
            _ => warnings.push(format!("schedule {id}: override {} cannot be read: left out", o.get("id").and_then(Value::as_str).unwrap_or("?"))),
        }
    }
    if !list.is_empty() {
        out["overrides"] = Value::Array(list);
    }
    out["source"] = json!(format!("pagerduty:schedule/{id}"));
    schedules.insert(slug.clone(), out);
}

fn rotation(id: &str, layer: &Value, tz: &jiff::tz::TimeZone, tz_name: &str, users: &BTreeMap<String, String>, warnings: &mut Vec<String>) -> Option<Value> {
    let lid = layer.get("id").and_then(Value::as_str).unwrap_or("?");
    let members: Vec<Value> =
        layer.get("users").and_then(Value::as_array).into_iter().flatten().filter_map(|u| u.pointer("/user/id").and_then(Value::as_str)).filter_map(|u| users.get(u)).map(|u| json!(u)).collect();
    if members.is_empty() {
        warnings.push(format!("schedule {id}, layer {lid}: no users: left out"));
        return None;
    }
    let anchor = layer.get("rotation_virtual_start").or_else(|| layer.get("start")).and_then(Value::as_str).and_then(|t| map::local(t, tz));
    let Some((start, cut)) = anchor else {
        warnings.push(format!("schedule {id}, layer {lid}: no readable rotation_virtual_start: left out"));
        return None;
    };
    if cut {
        warnings.push(format!("schedule {id}, layer {lid}: rotation_virtual_start is not on a whole minute: cut to the minute"));
    }
    let turn = layer.get("rotation_turn_length_seconds").and_then(Value::as_i64).filter(|t| *t >= 60);
    let Some(turn) = turn else {
        warnings.push(format!("schedule {id}, layer {lid}: rotation_turn_length_seconds is missing or under a minute: left out"));
        return None;
    };
    let mut r = json!({ "timezone": tz_name, "members": members, "start": start, "handoff": map::duration(turn) });
    match map::restrictions(layer.get("restrictions").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()) {
        Ok(w) if !w.is_empty() => r["restrictions"] = Value::Array(w),
        Ok(_) => {}
        Err(e) => {
            warnings.push(format!("schedule {id}, layer {lid}: {e}: left out"));
            return None;
        }
    }
    if let Some((from, _)) = layer.get("start").and_then(Value::as_str).and_then(|t| map::local(t, tz)) {
        r["active_from"] = json!(from);
    }
    if let Some((until, _)) = layer.get("end").and_then(Value::as_str).and_then(|t| map::local(t, tz)) {
        r["active_until"] = json!(until);
    }
    Some(r)
}
