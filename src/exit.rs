//! The process exit codes of cli.md, shared by every command. When several apply: 2, then
//! 3, then 1, then 0.

pub const READY: i32 = 0;
pub const NOT_READY: i32 = 1;
pub const INVALID_INPUT: i32 = 2;
pub const INCOMPLETE: i32 = 3;

/// The code that wins when both apply: 2, then 3, then 1, then 0.
pub fn worst(a: i32, b: i32) -> i32 {
    let rank = |c: i32| match c {
        INVALID_INPUT => 3,
        INCOMPLETE => 2,
        NOT_READY => 1,
        _ => 0,
    };
    if rank(b) > rank(a) { b } else { a }
}
