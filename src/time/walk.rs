//! The walk of one incident through an escalation, as data: which steps it entered, whom
//! it reached and why it reached nobody. Its narration ("step 1 (rotation:a) reaches
//! nobody (carol on holiday), waits 5m; step 2 reaches lead by voice at +5m") is produced
//! here once, as a typed value, and formatted by every rule message and renderer.

use crate::model::{ChannelType, human_secs};
use std::fmt;

/// Why a target reached nobody at an instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Miss {
    /// A rotation with nobody on duty (before start, or outside restrictions).
    NobodyOnDuty(String),
    /// The person on duty (or named) is on one of their holidays: person, holiday set.
    OnHoliday(String, String),
    /// The person has no interruptive channel.
    NoInterruptiveChannel(String),
    /// The person has an interruptive channel, but their notification rules use none.
    NoInterruptiveRule(String),
    /// Their first interruptive contact comes at or after the step's timeout: person,
    /// delay, timeout (seconds).
    TooLate(String, i64, i64),
    /// The target does not resolve (SM-001).
    Unresolved(String),
    /// A round-robin step pages one of its targets per incident: this person would be
    /// reached, but the step may page another of its targets instead (paging.md, "Round
    /// robin": the worst target counts).
    NotChosen(String),
    /// Paged at this urgency, the person's rules that apply use no interruptive channel.
    NotAtUrgency(String, crate::model::Urgency),
    /// On leave: person, the stretch and where it is written.
    OnLeave(String, String),
    /// Absent for the whole horizon (N-1, `coverage --without`).
    Absent(String),
}

/// One contact made by the walk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contacted {
    pub contact: String,
    /// Seconds after the incident.
    pub at: i64,
    pub channel: ChannelType,
}

/// One step (or the fallback) as the walk entered it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepVisit {
    /// 0-based step index; `None` for the final fallback.
    pub step: Option<usize>,
    pub pass: usize,
    /// Seconds after the incident at which the step was entered.
    pub entered: i64,
    pub timeout: Option<i64>,
    pub targets: Vec<String>,
    pub contacted: Vec<Contacted>,
    pub missed: Vec<Miss>,
    /// For schedule targets: (target, the layer or `override` on duty then).
    pub layers: Vec<(String, String)>,
    pub vendor_case: Option<String>,
}

/// The whole walk of one incident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walk {
    pub visits: Vec<StepVisit>,
}

impl Walk {
    /// Time to engage: the earliest interruptive contact anywhere in the walk.
    pub fn engaged(&self) -> Option<&Contacted> {
        self.visits.iter().flat_map(|v| v.contacted.iter()).min_by_key(|c| c.at)
    }
}

impl Walk {
    /// Whether the first step reaches someone reachable who can be interrupted
    /// (support-model.md, "Coverage": staffed coverage).
    pub fn first_step_staffed(&self) -> bool {
        self.visits.first().is_some_and(|v| v.step == Some(0) && !v.contacted.is_empty())
    }

    /// Two consecutive steps that page the same single person, reachable or not.
    pub fn repeated(&self) -> Option<(usize, usize, String)> {
        self.visits.windows(2).find_map(|pair| {
            let (a, b) = (pair[0].resolved(), pair[1].resolved());
            match (pair[0].step, pair[1].step) {
                (Some(i), Some(j)) if a.len() == 1 && a == b => Some((i, j, a[0].to_string())),
                _ => None,
            }
        })
    }
}

impl StepVisit {
    /// The people this visit resolved to, reachable or not.
    pub fn resolved(&self) -> Vec<&str> {
        let mut p: Vec<&str> = self.contacted.iter().map(|c| c.contact.as_str()).collect();
        for m in &self.missed {
            if let Miss::OnHoliday(c, _)
            | Miss::NoInterruptiveChannel(c)
            | Miss::NoInterruptiveRule(c)
            | Miss::TooLate(c, ..)
            | Miss::NotChosen(c)
            | Miss::NotAtUrgency(c, _)
            | Miss::OnLeave(c, _)
            | Miss::Absent(c) = m
            {
                p.push(c);
            }
        }
        p.sort();
        p.dedup();
        p
    }
}

/// What happened in a walk, up to the first engagement: every visit up to and including
/// the one that engaged someone, and for each whom it reached or why it reached nobody.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Narration<'w> {
    pub visits: Vec<Told<'w>>,
    /// Somebody was engaged (the last visit reached them).
    pub engaged: bool,
}

/// One visit of a narration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Told<'w> {
    pub visit: &'w StepVisit,
    /// The contact engaged at this visit (the walk's first engagement), if any.
    pub reached: Option<&'w Contacted>,
}

impl Walk {
    /// The narration of this walk up to its first engagement.
    pub fn narration(&self) -> Narration<'_> {
        let engaged = self.engaged();
        let mut visits = Vec::new();
        for visit in &self.visits {
            let reached = engaged.filter(|e| visit.contacted.contains(e));
            visits.push(Told { visit, reached });
            if reached.is_some() {
                break;
            }
        }
        Narration { visits, engaged: engaged.is_some() }
    }
}

impl StepVisit {
    /// "step 2 (rotation:a, contact:b)", "pass 2, step 1 (...)", "fallback contact:noc".
    pub fn label(&self) -> String {
        match (self.step, self.pass) {
            (Some(i), 0) => format!("step {} ({})", i + 1, self.shown_targets()),
            (Some(i), p) => format!("pass {}, step {} ({})", p + 1, i + 1, self.shown_targets()),
            (None, _) => format!("fallback {}", self.shown_targets()),
        }
    }

    /// The targets, a schedule with the layer on duty: `schedule:s via layer nights`.
    fn shown_targets(&self) -> String {
        let shown: Vec<String> = self
            .targets
            .iter()
            .map(|t| match self.layers.iter().find(|(x, _)| x == t) {
                Some((_, l)) if l == "override" => format!("{t} via an override"),
                Some((_, l)) => format!("{t} via layer {l}"),
                None => t.clone(),
            })
            .collect();
        shown.join(", ")
    }
}

impl fmt::Display for Told<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.visit;
        if let Some(e) = self.reached {
            return write!(f, "{} reaches {} by {} at +{}", v.label(), e.contact, e.channel.as_str(), human_secs(e.at));
        }
        write!(f, "{} reaches nobody (", v.label())?;
        if v.missed.is_empty() {
            f.write_str("no targets")?;
        }
        for (i, m) in v.missed.iter().enumerate() {
            write!(f, "{}{m}", if i > 0 { "; " } else { "" })?;
        }
        f.write_str(")")?;
        if let Some(t) = v.timeout {
            write!(f, ", waits {}", human_secs(t))?;
        }
        Ok(())
    }
}

impl fmt::Display for Narration<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, told) in self.visits.iter().enumerate() {
            write!(f, "{}{told}", if i > 0 { "; " } else { "" })?;
        }
        if !self.engaged {
            write!(f, "{}nobody is ever engaged", if self.visits.is_empty() { "" } else { "; " })?;
        }
        Ok(())
    }
}

impl fmt::Display for Miss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Miss::NobodyOnDuty(r) => match r.strip_prefix("schedule:") {
                Some(s) => write!(f, "nobody on duty in schedule {s}"),
                None => write!(f, "nobody on duty in rotation {r}"),
            },
            Miss::OnHoliday(c, set) if set.is_empty() => write!(f, "{c} on holiday"),
            Miss::OnHoliday(c, set) => write!(f, "{c} on holiday {set}"),
            Miss::NoInterruptiveChannel(c) => write!(f, "{c} has no interruptive channel"),
            Miss::NoInterruptiveRule(c) => write!(f, "{c}'s notification rules use no interruptive channel"),
            Miss::TooLate(c, d, timeout) => write!(f, "{c} is first interrupted at +{}, {} the timeout", human_secs(*d), if d == timeout { "at" } else { "after" }),
            Miss::Unresolved(t) => write!(f, "{t} does not exist"),
            Miss::NotChosen(c) => write!(f, "{c} is reached only if the round robin picks them"),
            Miss::OnLeave(c, shown) => write!(f, "{c} on leave {shown}"),
            Miss::Absent(c) => write!(f, "{c} absent"),
            Miss::NotAtUrgency(c, u) => write!(f, "{c} is paged at {} urgency, and {c}'s {}-urgency rules use no interruptive channel", u.as_str(), u.as_str()),
        }
    }
}
