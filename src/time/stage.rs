//! The time stage of a run: built once, before any rule, from the model and the horizon,
//! and handed to the rules, to the policy request's `derived` and to the renderers. It holds
//! the Timeline, every escalation's segments over the horizon (and as if nobody took
//! holidays, for COV-005), and every calendar expanded over the horizon.
//! Nothing in it is computed lazily: a run reads it, never fills it.

use super::timeline::{Segment, Timeline};
use super::{Horizon, IntervalSet, calendar};
use crate::model::{ALWAYS, Model};
use std::collections::HashMap;

pub struct Stage<'m> {
    pub timeline: Timeline<'m>,
    segments: HashMap<&'m str, Vec<Segment>>,
    segments_without_holidays: HashMap<&'m str, Vec<Segment>>,
    calendars: HashMap<&'m str, IntervalSet>,
}

impl<'m> Stage<'m> {
    pub fn build(model: &'m Model, horizon: Horizon) -> Self {
        let timeline = Timeline::new(model, horizon);
        let without_holidays = Timeline::without_holidays(model, horizon);
        let segments = model.escalations.iter().map(|(id, e)| (id.as_str(), timeline.segments(e, &[]))).collect();
        let segments_without_holidays = model.escalations.iter().map(|(id, e)| (id.as_str(), without_holidays.segments(e, &[]))).collect();
        let calendars = std::iter::once(ALWAYS).chain(model.calendars.keys().map(String::as_str)).filter_map(|id| calendar::expand(model, id, horizon).map(|set| (id, set))).collect();
        Stage { timeline, segments, segments_without_holidays, calendars }
    }

    pub fn model(&self) -> &'m Model {
        self.timeline.model
    }

    pub fn horizon(&self) -> Horizon {
        self.timeline.horizon
    }

    /// The walk of escalation `id` over the horizon, in constant segments.
    pub fn segments(&self, id: &str) -> Option<&[Segment]> {
        self.segments.get(id).map(Vec::as_slice)
    }

    /// The same, as if nobody took holidays (COV-005: "personal holidays aside").
    pub fn segments_without_holidays(&self, id: &str) -> Option<&[Segment]> {
        self.segments_without_holidays.get(id).map(Vec::as_slice)
    }

    /// Calendar `id` over the horizon; `None` when the model has no such calendar.
    pub fn calendar(&self, id: &str) -> Option<&IntervalSet> {
        self.calendars.get(id)
    }
}
