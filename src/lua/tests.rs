//! The borrow rules of `state` that the compiler cannot check: what `Lua::pin_string` lends
//! and what the `Pinned` stack refuses.

use super::state::{OwnedState, GLOBALS, REGISTRY};

/// A state with `values` pushed as strings (1-based, as arguments are).
fn state_with(values: &[&str]) -> OwnedState {
    let mut state = OwnedState::new().expect("a Lua state");
    let (lua, _) = state.parts();
    for v in values {
        lua.push_str(v);
    }
    state
}

#[test]
fn a_pinned_string_stays_readable_while_the_stack_above_it_is_used() {
    let mut state = state_with(&["input", "extra"]);
    let (lua, _) = state.parts();
    let (bytes, mut stack) = lua.pin_string(1).expect("a string at 1");
    for i in 0..1000 {
        stack.create_table(0, 0);
        stack.push_str(&format!("value {i}"));
        stack.raw_seti(-2, 1);
        stack.pop(1);
        stack.gc(super::state::GcOp::Collect, 0);
    }
    // Everything above the pinned string may go.
    stack.set_top(1);
    assert_eq!(bytes, b"input");
}

#[test]
fn only_strings_on_the_stack_can_be_pinned() {
    let mut state = state_with(&["s"]);
    let (lua, _) = state.parts();
    lua.push_number(1.0);
    assert!(lua.pin_string(2).is_none(), "a number");
    assert!(lua.pin_string(3).is_none(), "above the top");
    assert!(lua.pin_string(0).is_none(), "no position");
    assert!(lua.pin_string(REGISTRY).is_none(), "a pseudo-index");
    assert!(lua.pin_string(GLOBALS).is_none(), "a pseudo-index");
    assert_eq!(lua.pin_string(-2).map(|(b, _)| b.to_vec()), Some(b"s".to_vec()));
}

#[test]
#[should_panic(expected = "a pinned string would leave the stack")]
fn popping_the_pinned_string_is_refused() {
    let mut state = state_with(&["input"]);
    let (lua, _) = state.parts();
    let (_bytes, mut stack) = lua.pin_string(1).expect("a string at 1");
    stack.push_nil();
    stack.pop(2);
}

#[test]
#[should_panic(expected = "a pinned string would leave the stack")]
fn emptying_the_stack_is_refused() {
    let mut state = state_with(&["a", "input"]);
    let (lua, _) = state.parts();
    let (_bytes, mut stack) = lua.pin_string(2).expect("a string at 2");
    stack.set_top(1);
}

#[test]
#[should_panic(expected = "a pinned string would move")]
fn inserting_under_the_pinned_string_is_refused() {
    let mut state = state_with(&["input"]);
    let (lua, _) = state.parts();
    let (_bytes, mut stack) = lua.pin_string(1).expect("a string at 1");
    stack.push_nil();
    // Would move the string to 2, where a pop could reach it.
    stack.insert(1);
}
