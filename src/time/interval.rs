//! Half-open intervals of instants and sorted, disjoint sets of them.

use jiff::Timestamp;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Interval {
    pub fn secs(&self) -> i64 {
        (self.end.as_second() - self.start.as_second()).max(0)
    }

    /// The part inside `to`, if any.
    pub fn clip(&self, to: Interval) -> Option<Interval> {
        let i = Interval { start: self.start.max(to.start), end: self.end.min(to.end) };
        (i.start < i.end).then_some(i)
    }
}

/// A set of instants as sorted, disjoint, non-adjacent half-open intervals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntervalSet {
    items: Vec<Interval>,
}

impl IntervalSet {
    pub fn from_intervals(mut v: Vec<Interval>) -> Self {
        v.retain(|i| i.start < i.end);
        v.sort();
        let mut items: Vec<Interval> = Vec::with_capacity(v.len());
        for i in v {
            match items.last_mut() {
                Some(last) if i.start <= last.end => last.end = last.end.max(i.end),
                _ => items.push(i),
            }
        }
        IntervalSet { items }
    }

    pub fn single(i: Interval) -> Self {
        Self::from_intervals(vec![i])
    }

    pub fn intervals(&self) -> &[Interval] {
        &self.items
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn total_secs(&self) -> i64 {
        self.items.iter().map(Interval::secs).sum()
    }

    pub fn union(&self, other: &IntervalSet) -> IntervalSet {
        let mut v = self.items.clone();
        v.extend_from_slice(&other.items);
        Self::from_intervals(v)
    }

    pub fn intersect(&self, other: &IntervalSet) -> IntervalSet {
        let (mut i, mut j, mut out) = (0, 0, Vec::new());
        while i < self.items.len() && j < other.items.len() {
            let (a, b) = (self.items[i], other.items[j]);
            let start = a.start.max(b.start);
            let end = a.end.min(b.end);
            if start < end {
                out.push(Interval { start, end });
            }
            if a.end < b.end { i += 1 } else { j += 1 }
        }
        IntervalSet { items: out }
    }

    /// The instants of `self` not in `other`.
    pub fn subtract(&self, other: &IntervalSet) -> IntervalSet {
        let mut out = Vec::new();
        let mut j = 0;
        for a in &self.items {
            let mut cur = a.start;
            while j < other.items.len() && other.items[j].end <= cur {
                j += 1;
            }
            let mut k = j;
            while k < other.items.len() && other.items[k].start < a.end {
                let b = other.items[k];
                if b.start > cur {
                    out.push(Interval { start: cur, end: b.start });
                }
                cur = cur.max(b.end);
                k += 1;
            }
            if cur < a.end {
                out.push(Interval { start: cur, end: a.end });
            }
        }
        IntervalSet { items: out }
    }

    pub fn clip(&self, to: Interval) -> IntervalSet {
        self.intersect(&IntervalSet::single(to))
    }

    pub fn contains(&self, t: Timestamp) -> bool {
        let idx = self.items.partition_point(|i| i.end <= t);
        self.items.get(idx).is_some_and(|i| i.start <= t)
    }

    /// The instant at which `secs` seconds of this set have elapsed, counting from `t`
    /// (only time inside the set counts); `None` when the set ends first.
    pub fn accumulate(&self, t: Timestamp, secs: i64) -> Option<Timestamp> {
        let mut left = secs;
        let idx = self.items.partition_point(|i| i.end <= t);
        if left == 0 {
            return Some(self.items.get(idx).map_or(t, |i| i.start.max(t)));
        }
        for i in &self.items[idx..] {
            let from = i.start.max(t);
            let avail = i.end.as_second() - from.as_second();
            if avail >= left {
                return from.checked_add(jiff::SignedDuration::from_secs(left)).ok();
            }
            left -= avail;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: i64) -> Timestamp {
        Timestamp::from_second(h * 3600).unwrap()
    }
    fn iv(a: i64, b: i64) -> Interval {
        Interval { start: t(a), end: t(b) }
    }

    #[test]
    fn set_algebra() {
        let a = IntervalSet::from_intervals(vec![iv(0, 5), iv(3, 8), iv(10, 12)]);
        assert_eq!(a.intervals(), &[iv(0, 8), iv(10, 12)]);
        let b = IntervalSet::from_intervals(vec![iv(2, 4), iv(7, 11)]);
        assert_eq!(a.subtract(&b).intervals(), &[iv(0, 2), iv(4, 7), iv(11, 12)]);
        assert_eq!(a.intersect(&b).intervals(), &[iv(2, 4), iv(7, 8), iv(10, 11)]);
        assert!(a.contains(t(0)) && !a.contains(t(8)) && a.contains(t(11)));
        assert_eq!(a.accumulate(t(6), 3 * 3600), Some(t(11)));
        assert_eq!(a.accumulate(t(6), 5 * 3600), None);
        assert_eq!(a.accumulate(t(8), 0), Some(t(10)));
    }
}
