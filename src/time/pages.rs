//! The walk of one incident (support-model.md, "The escalation walk"): each step pages its
//! targets, and whom it interrupts, or why it reaches nobody, is recorded as data.

use super::timeline::{Timeline, add};
use super::walk::{Contacted, Miss, StepVisit, Walk};
use crate::model::{Assignment, Escalation, Target, TargetRef, Urgency};
use jiff::Timestamp;

impl<'m> Timeline<'m> {
    /// Pages `target` at `t` (a step entered `entered` seconds after the incident) and
    /// records whom it interrupts before `timeout` (`None`: the fallback, no timeout).
    fn page(&self, target: &Target, t: Timestamp, entered: i64, timeout: Option<i64>, u: Urgency, visit: &mut StepVisit) {
        let contact = match self.resolve(target, t) {
            Ok(c) => c,
            Err(miss) => return visit.missed.push(miss),
        };
        let reach = self.contacts.get(contact.as_str()).copied().unwrap_or_default();
        let (always, first) = (reach.always, reach.at(u));
        if !always && self.on_holiday(&contact, t) {
            if self.absent.contains(&contact) {
                return visit.missed.push(Miss::Absent(contact));
            }
            if let Some((_, shown)) = self.leave.get(contact.as_str()).and_then(|l| l.iter().find(|(i, _)| i.start <= t && t < i.end)) {
                let shown = shown.clone();
                return visit.missed.push(Miss::OnLeave(contact, shown));
            }
            let set = self.holiday_set(&contact, t);
            return visit.missed.push(Miss::OnHoliday(contact, set));
        }
        let other = match u {
            Urgency::High => Urgency::Low,
            Urgency::Low => Urgency::High,
        };
        match (first, timeout) {
            (None, _) if reach.at(other).is_some() => visit.missed.push(Miss::NotAtUrgency(contact, u)),
            (None, _) if self.model.contact(&contact).is_some_and(|c| c.has_interruptive_channel()) => visit.missed.push(Miss::NoInterruptiveRule(contact)),
            (None, _) => visit.missed.push(Miss::NoInterruptiveChannel(contact)),
            (Some(fc), Some(to)) if fc.delay >= to => visit.missed.push(Miss::TooLate(contact, fc.delay, to)),
            (Some(fc), _) => visit.contacted.push(Contacted { contact, at: entered + fc.delay, channel: fc.channel }),
        }
    }

    /// Records which layer of a schedule target is on duty (causes name it).
    fn note_layer(&self, target: &Target, t: Timestamp, visit: &mut StepVisit) {
        if let TargetRef::Schedule(s) = target.get()
            && let Some(layer) = self.layer_at(s, t)
        {
            visit.layers.push((target.to_string(), layer.to_string()));
        }
    }

    /// Walks an incident at `t` through `esc` (support-model.md, "The escalation walk").
    pub fn walk(&self, esc: &Escalation, t: Timestamp, u: Urgency) -> Walk {
        let mut visits = Vec::new();
        let mut elapsed = 0i64;
        for pass in 0..=esc.repeat.clamp(0, 1000) as usize {
            for (i, step) in esc.steps.iter().enumerate() {
                let at = add(t, elapsed);
                let timeout = step.timeout.as_secs().max(0);
                let mut visit = StepVisit {
                    step: Some(i),
                    pass,
                    entered: elapsed,
                    timeout: Some(timeout),
                    targets: step.notify.iter().map(Target::to_string).collect(),
                    contacted: Vec::new(),
                    missed: Vec::new(),
                    layers: Vec::new(),
                    vendor_case: if pass == 0 { step.vendor_case.as_ref().map(|v| v.vendor.clone()) } else { None },
                };
                for target in &step.notify {
                    self.page(target, at, elapsed, Some(timeout), u, &mut visit);
                    self.note_layer(target, at, &mut visit);
                }
                if step.assignment == Assignment::RoundRobin {
                    round_robin(&mut visit);
                }
                visits.push(visit);
                elapsed += timeout;
            }
        }
        if let Some(f) = &esc.final_fallback {
            let mut visit =
                StepVisit { step: None, pass: 0, entered: elapsed, timeout: None, targets: vec![f.to_string()], contacted: Vec::new(), missed: Vec::new(), layers: Vec::new(), vendor_case: None };
            self.page(f, add(t, elapsed), elapsed, None, u, &mut visit);
            self.note_layer(f, add(t, elapsed), &mut visit);
            visits.push(visit);
        }
        Walk { visits }
    }
}

/// A round-robin step pages one of the people its targets resolve to, and nobody can say
/// which: it counts as its worst. If one of them is not reached, nobody is; else only the
/// latest contact counts. The others are recorded as [`Miss::NotChosen`].
fn round_robin(visit: &mut StepVisit) {
    let someone_missed = visit.missed.iter().any(|m| !matches!(m, Miss::NobodyOnDuty(_) | Miss::Unresolved(_)));
    let keep = if someone_missed { None } else { visit.contacted.iter().enumerate().max_by_key(|(_, c)| c.at).map(|(i, _)| i) };
    let contacted = std::mem::take(&mut visit.contacted);
    for (i, c) in contacted.into_iter().enumerate() {
        if Some(i) == keep {
            visit.contacted.push(c);
        } else {
            visit.missed.push(Miss::NotChosen(c.contact));
        }
    }
}
