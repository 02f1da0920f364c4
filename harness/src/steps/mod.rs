//! The step library. Each module keeps a registry (`STEPS`) of its steps: keyword, pattern,
//! example and function, so `--list-steps` and cucumber see exactly the same set. Steps describe
//! what a test engineer does or sees, never a plugin call.

mod csms;
mod eol;
mod ev;
mod installer;
mod installer_checks;
mod json_match;
pub mod memory;
mod metering;
mod ocpp;
mod ocpp_receive;
mod pilot;
mod power;
mod residual_current;
mod rfid;
mod rig;
mod sim_control;
mod support;
mod vocabulary;

use std::future::Future;

use cucumber::codegen::{LocalBoxFuture, Regex};
use cucumber::gherkin::StepType;
use cucumber::step::{Collection, Context};

use crate::runner::HarnessWorld;

/// One step definition.
pub struct StepDef {
    pub keyword: StepType,
    /// A regular expression matched against the whole step text (anchors are added).
    pub pattern: &'static str,
    /// The step as a feature would write it, keyword included.
    pub example: &'static str,
    pub run: cucumber::Step<HarnessWorld>,
}

/// Every step of the library.
pub fn all() -> Vec<&'static StepDef> {
    [
        rig::STEPS,
        csms::STEPS,
        ev::STEPS,
        ocpp::STEPS,
        ocpp_receive::STEPS,
        pilot::STEPS,
        rfid::STEPS,
        power::STEPS,
        residual_current::STEPS,
        metering::STEPS,
        eol::STEPS,
        installer::STEPS,
        installer_checks::STEPS,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The steps as cucumber's collection.
pub fn collection() -> Collection<HarnessWorld> {
    let mut collection = Collection::new();
    for step in all() {
        let regex = Regex::new(&format!("^{}$", step.pattern))
            .unwrap_or_else(|e| panic!("step pattern `{}` is invalid: {e}", step.pattern));
        collection = match step.keyword {
            StepType::Given => collection.given(None, regex, step.run),
            StepType::When => collection.when(None, regex, step.run),
            StepType::Then => collection.then(None, regex, step.run),
        };
    }
    collection
}

/// What `--list-steps` prints: each pattern with its example.
pub fn list() -> String {
    let mut out = String::new();
    for step in all() {
        let keyword = match step.keyword {
            StepType::Given => "Given",
            StepType::When => "When",
            StepType::Then => "Then",
        };
        out.push_str(&format!(
            "{keyword} /{}/\n    e.g. {}\n",
            step.pattern, step.example
        ));
    }
    out
}

/// Runs a step body; an `Err` fails the step with that message.
pub(crate) fn step<'a>(
    body: impl Future<Output = Result<(), String>> + 'a,
) -> LocalBoxFuture<'a, ()> {
    Box::pin(async move {
        if let Err(message) = body.await {
            fail(message);
        }
    })
}

/// Fails the current step. cucumber reports the message; the panic hook stays quiet about it.
fn fail(message: String) -> ! {
    std::panic::panic_any(message)
}

/// The `n`th capture group of the step's match (1-based), as text.
pub(crate) fn capture(ctx: &Context, n: usize) -> Result<&str, String> {
    ctx.matches
        .get(n)
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| format!("step `{}` has no capture {n}", ctx.step.value))
}

/// A number of seconds from a capture, as milliseconds.
pub(crate) fn seconds_ms(ctx: &Context, n: usize) -> Result<u64, String> {
    let text = capture(ctx, n)?;
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    Ok((seconds * 1000.0).round() as u64)
}

/// Step failures are panics that cucumber catches and reports; the default hook would print each
/// one a second time with a backtrace hint. Panics anywhere else still print.
pub fn quiet_step_panics() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let from_steps = info.location().is_some_and(|l| {
            let file = l.file();
            file.contains("src/steps/") || file.contains("src/runner/")
        });
        if !from_steps {
            default_hook(info);
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_matches_exactly_one_step_of_its_keyword() {
        let steps = all();
        for step in &steps {
            let (keyword, text) = step.example.split_once(' ').unwrap();
            let matching: Vec<_> = steps
                .iter()
                .filter(|s| {
                    let k = match s.keyword {
                        StepType::Given => "Given",
                        StepType::When => "When",
                        StepType::Then => "Then",
                    };
                    k == keyword
                        && Regex::new(&format!("^{}$", s.pattern))
                            .unwrap()
                            .is_match(text)
                })
                .collect();
            assert_eq!(
                matching.len(),
                1,
                "example `{}` matches {} steps",
                step.example,
                matching.len()
            );
        }
    }

    #[test]
    fn list_shows_patterns_and_examples() {
        let list = list();
        assert!(
            list.contains("When /the EV unplugs/\n    e.g. When the EV unplugs\n"),
            "{list}"
        );
    }
}
