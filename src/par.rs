//! Work spread over the machine's cores: `map` applies a function to every item on up to
//! as many threads as cores and returns the results in the items' order, so a parallel
//! run gives exactly what a sequential one gives.

/// `items.iter().map(f).collect()`, on every core (round-robin, so that a few large items
/// spread over the threads). Small inputs run on the calling thread.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8).min(items.len());
    if threads <= 1 || items.len() < 16 {
        return items.iter().map(f).collect();
    }
    let f = &f;
    let mut slots: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads).map(|t| scope.spawn(move || items.iter().enumerate().skip(t).step_by(threads).map(|(i, x)| (i, f(x))).collect::<Vec<_>>())).collect();
        for w in workers {
            // A panic in `f` is a bug; it is raised here, on the calling thread, as it would
            // have been without threads.
            match w.join() {
                Ok(done) => done.into_iter().for_each(|(i, r)| slots[i] = Some(r)),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    slots.into_iter().map(|r| r.expect("every index is computed by exactly one worker")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u64> = (0..1000).collect();
        assert_eq!(super::map(&items, |x| x * 2), items.iter().map(|x| x * 2).collect::<Vec<_>>());
        assert_eq!(super::map(&items[..3], |x| x + 1), vec![1, 2, 3]);
    }
}
