//! A cucumber writer that wraps the console writer and turns cucumber's events into the report's
//! scenarios: each step with its status, duration and error message, hook failures, and the
//! not-run reason of a scenario the rig cannot run. Scenarios run concurrently, so their events
//! interleave; each is kept under its [`ScenarioKey`] until it finishes.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use conformance_report::{Scenario, Step, StepStatus, Verdict};
use cucumber::event::{self, HookType, StepError};
use cucumber::gherkin::{self, Feature};
use cucumber::{parser, writer, Event, Writer};

use super::report::{feature_path, RunReport, ScenarioKey};
use super::HarnessWorld;
use crate::features::SKIP_STEP_PREFIX;

/// A scenario in progress.
struct Live {
    scenario: Scenario,
    started: Instant,
    step_started: Option<Instant>,
}

/// Passes every event on to `inner` (the console) after noting it for the report.
pub struct Reporting<W> {
    inner: W,
    report: Arc<RunReport>,
    live: HashMap<ScenarioKey, Live>,
}

impl<W> Reporting<W> {
    pub fn new(inner: W, report: Arc<RunReport>) -> Self {
        Reporting {
            inner,
            report,
            live: HashMap::new(),
        }
    }

    fn observe(&mut self, event: &event::Cucumber<HarnessWorld>) {
        let event::Cucumber::Feature(feature, feature_event) = event else {
            return;
        };
        let (scenario, scenario_event) = match feature_event {
            event::Feature::Scenario(scenario, ev) => (scenario, &ev.event),
            event::Feature::Rule(_, event::Rule::Scenario(scenario, ev)) => (scenario, &ev.event),
            _ => return,
        };
        let key = ScenarioKey::of(feature, scenario);
        match scenario_event {
            event::Scenario::Started => {
                self.live.insert(
                    key,
                    Live {
                        scenario: new_scenario(feature, scenario),
                        started: Instant::now(),
                        step_started: None,
                    },
                );
            }
            event::Scenario::Step(step, ev) | event::Scenario::Background(step, ev) => {
                if let Some(live) = self.live.get_mut(&key) {
                    live.step(step, ev);
                }
            }
            event::Scenario::Hook(hook, event::Hook::Failed(_, info)) => {
                if let Some(live) = self.live.get_mut(&key) {
                    let when = match hook {
                        HookType::Before => "before the scenario (starting the rig)",
                        HookType::After => "after the scenario",
                    };
                    let message = format!("{when}: {}", panic_text(info));
                    live.scenario.error = Some(match live.scenario.error.take() {
                        Some(earlier) => format!("{earlier}; {message}"),
                        None => message,
                    });
                }
            }
            event::Scenario::Finished => {
                if let Some(live) = self.live.remove(&key) {
                    let scenario = live.finish(scenario);
                    self.report.scenario_finished(&key, scenario);
                }
            }
            _ => {}
        }
    }
}

impl Live {
    fn step(&mut self, step: &gherkin::Step, ev: &event::Step<HarnessWorld>) {
        let (status, error) = match ev {
            event::Step::Started => {
                self.step_started = Some(Instant::now());
                return;
            }
            event::Step::Passed(..) => (StepStatus::Passed, None),
            event::Step::Skipped => {
                if let Some(reason) = step.value.strip_prefix(SKIP_STEP_PREFIX) {
                    self.scenario.verdict = Verdict::Skipped {
                        reason: reason.to_string(),
                    };
                }
                (StepStatus::Skipped, None)
            }
            event::Step::Failed(_, _, _, StepError::NotFound) => (StepStatus::Undefined, None),
            event::Step::Failed(_, _, _, error @ StepError::AmbiguousMatch(_)) => {
                (StepStatus::Failed, Some(one_line(&error.to_string())))
            }
            event::Step::Failed(_, _, _, StepError::Panic(info)) => {
                (StepStatus::Failed, Some(panic_text(info)))
            }
        };
        let duration_s = self
            .step_started
            .take()
            .map(|t| t.elapsed().as_secs_f64())
            .unwrap_or(0.0);
        self.scenario.steps.push(Step {
            keyword: step.keyword.trim().to_string(),
            text: step.value.clone(),
            line: step.position.line as u32,
            status,
            duration_s,
            error,
        });
    }

    /// The scenario with its duration, and the steps that never ran (after a failure) as skipped.
    fn finish(mut self, gherkin_scenario: &gherkin::Scenario) -> Scenario {
        self.scenario.duration_s = self.started.elapsed().as_secs_f64();
        let reported: Vec<u32> = self.scenario.steps.iter().map(|s| s.line).collect();
        for step in &gherkin_scenario.steps {
            if !reported.contains(&(step.position.line as u32)) {
                self.scenario.steps.push(Step {
                    keyword: step.keyword.trim().to_string(),
                    text: step.value.clone(),
                    line: step.position.line as u32,
                    status: StepStatus::Skipped,
                    duration_s: 0.0,
                    error: None,
                });
            }
        }
        self.scenario
    }
}

fn new_scenario(feature: &Feature, scenario: &gherkin::Scenario) -> Scenario {
    let tags = feature
        .tags
        .iter()
        .chain(scenario.tags.iter())
        .map(|t| format!("@{t}"))
        .collect();
    Scenario::new(
        feature.name.clone(),
        feature_path(feature),
        scenario.name.clone(),
        scenario.position.line as u32,
        tags,
        chrono::Utc::now(),
    )
}

/// A step's or hook's panic payload: the step's own message (a `String`) or a plain `&str`.
fn panic_text(info: &event::Info) -> String {
    if let Some(s) = info.downcast_ref::<String>() {
        one_line(s)
    } else if let Some(s) = info.downcast_ref::<&str>() {
        one_line(s)
    } else {
        "panicked without a message".to_string()
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl<W: Writer<HarnessWorld>> Writer<HarnessWorld> for Reporting<W> {
    type Cli = W::Cli;

    async fn handle_event(
        &mut self,
        event: parser::Result<Event<event::Cucumber<HarnessWorld>>>,
        cli: &Self::Cli,
    ) {
        if let Ok(ev) = &event {
            self.observe(&ev.value);
        }
        self.inner.handle_event(event, cli).await;
    }
}

impl<W: writer::Stats<HarnessWorld>> writer::Stats<HarnessWorld> for Reporting<W> {
    fn passed_steps(&self) -> usize {
        self.inner.passed_steps()
    }
    fn skipped_steps(&self) -> usize {
        self.inner.skipped_steps()
    }
    fn failed_steps(&self) -> usize {
        self.inner.failed_steps()
    }
    fn retried_steps(&self) -> usize {
        self.inner.retried_steps()
    }
    fn parsing_errors(&self) -> usize {
        self.inner.parsing_errors()
    }
    fn hook_errors(&self) -> usize {
        self.inner.hook_errors()
    }
    fn execution_has_failed(&self) -> bool {
        self.inner.execution_has_failed()
    }
}

impl<W: writer::Normalized> writer::Normalized for Reporting<W> {}
