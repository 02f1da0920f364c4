//! A check over the whole suite: every step of every feature under `features/` matches exactly
//! one step definition of its keyword (`And`/`But` take the keyword before them), so no scenario
//! fails at run time for an undefined or ambiguous step.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use cucumber::codegen::Regex;
    use cucumber::gherkin::{Scenario, StepType};

    use crate::steps::all;

    fn feature_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("features folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                feature_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "feature") {
                out.push(path);
            }
        }
    }

    fn check(
        scenario: &Scenario,
        background: &[cucumber::gherkin::Step],
        file: &Path,
        defs: &[(StepType, Regex, &str)],
        problems: &mut Vec<String>,
    ) {
        for step in background.iter().chain(&scenario.steps) {
            let matching: Vec<&str> = defs
                .iter()
                .filter(|(ty, re, _)| *ty == step.ty && re.is_match(&step.value))
                .map(|(_, _, p)| *p)
                .collect();
            if matching.len() != 1 {
                problems.push(format!(
                    "{}:{}: `{} {}` matches {} step definitions {:?}",
                    file.display(),
                    step.position.line,
                    step.keyword.trim(),
                    step.value,
                    matching.len(),
                    matching
                ));
            }
        }
    }

    #[test]
    fn every_feature_step_is_defined_exactly_once() {
        let defs: Vec<(StepType, Regex, &str)> = all()
            .into_iter()
            .map(|d| {
                (
                    d.keyword,
                    Regex::new(&format!("^{}$", d.pattern)).unwrap(),
                    d.pattern,
                )
            })
            .collect();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../features");
        let mut files = Vec::new();
        feature_files(&root, &mut files);
        assert!(
            files.len() > 20,
            "found only {} feature files under {}",
            files.len(),
            root.display()
        );
        let mut problems = Vec::new();
        let mut scenarios = 0;
        for file in &files {
            let feature = crate::features::parse_file(file).unwrap_or_else(|e| panic!("{e}"));
            let background: Vec<_> = feature
                .background
                .as_ref()
                .map(|b| b.steps.clone())
                .unwrap_or_default();
            for scenario in &feature.scenarios {
                scenarios += 1;
                check(scenario, &background, file, &defs, &mut problems);
            }
            for rule in &feature.rules {
                for scenario in &rule.scenarios {
                    scenarios += 1;
                    check(scenario, &background, file, &defs, &mut problems);
                }
            }
        }
        assert!(scenarios > 140, "only {scenarios} scenarios checked");
        assert!(
            problems.is_empty(),
            "{} problem(s):\n{}",
            problems.len(),
            problems.join("\n")
        );
    }
}

#[cfg(test)]
mod documentation {
    use crate::steps::all;

    /// `features/STEPS.md` documents every step of the library (the harness's own starter steps
    /// are listed there by example).
    #[test]
    fn steps_md_lists_every_pattern() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../features/STEPS.md");
        let doc = std::fs::read_to_string(&path).expect("features/STEPS.md");
        let missing: Vec<&str> = all()
            .into_iter()
            .map(|d| d.pattern)
            .filter(|p| {
                let escaped = p.replace('|', "\\|");
                !doc.contains(&format!("`{escaped}`")) && !doc.contains(p.trim_end_matches(":?"))
            })
            .collect();
        let starters = [
            "the charger is ready",
            "the EV plugs in with a tethered cable",
            "the CSMS goes offline",
            "the CSMS goes online",
        ];
        let missing: Vec<&str> = missing
            .into_iter()
            .filter(|p| {
                !starters.iter().any(|s| p.starts_with(s))
                    && !p.contains("protocol violation")
                    && !p.contains("asks for state")
                    && !p.contains("control pilot is in state")
            })
            .collect();
        assert!(missing.is_empty(), "not in features/STEPS.md: {missing:?}");
    }
}
