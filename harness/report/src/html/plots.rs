//! The per-scenario plots, as inline SVG drawn with plotters (no fonts or files needed: the SVG
//! backend writes plain `<text>` elements that the browser renders with its own sans-serif).

use crate::model::{CpSample, Observations, PhaseCurrentSample, TimedValue};
use plotters::prelude::*;

const WIDTH: u32 = 760;
const PHASE_COLOURS: [RGBColor; 3] = [
    RGBColor(166, 86, 40),
    RGBColor(30, 30, 30),
    RGBColor(120, 120, 120),
];
const LIMIT_COLOUR: RGBColor = RGBColor(214, 39, 40);
const CHARGER_COLOUR: RGBColor = RGBColor(31, 119, 180);
const ANALYSER_COLOUR: RGBColor = RGBColor(44, 160, 44);

/// One rendered plot: a title and the SVG text (or why it could not be drawn).
pub struct Plot {
    pub title: &'static str,
    pub svg: Result<String, String>,
}

/// All plots that `observations` has data for, with times in seconds since `t0_us`.
pub fn plots(observations: &Observations, t0_us: i64) -> Vec<Plot> {
    let mut out = Vec::new();
    if !observations.cp.is_empty() {
        out.push(Plot {
            title: "Control pilot: level and duty cycle",
            svg: cp_plot(&observations.cp, t0_us),
        });
    }
    if !observations.phase_currents.is_empty() {
        out.push(Plot {
            title: "Phase currents against the offered limit",
            svg: current_plot(&observations.phase_currents, t0_us),
        });
    }
    if !observations.charger_energy.is_empty() || !observations.analyser_energy.is_empty() {
        out.push(Plot {
            title: "Energy: charger register against the analyser",
            svg: energy_plot(
                &observations.charger_energy,
                &observations.analyser_energy,
                t0_us,
            ),
        });
    }
    out
}

fn seconds_since(t_us: i64, t0_us: i64) -> f64 {
    (t_us - t0_us) as f64 / 1e6
}

/// Most points drawn per series: more only makes the SVG heavy, not the plot clearer.
const MAX_POINTS: usize = 1500;

/// Cuts a long series down to about [`MAX_POINTS`] while keeping its shape: the points are
/// split into buckets and each bucket keeps its lowest and highest point, in time order, so
/// spikes and steps survive.
fn thin(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let points = drop_flat_runs(points);
    if points.len() <= MAX_POINTS {
        return points;
    }
    let bucket = points.len().div_ceil(MAX_POINTS / 2);
    let mut out = Vec::with_capacity(MAX_POINTS + 2);
    for chunk in points.chunks(bucket) {
        let lowest = chunk
            .iter()
            .enumerate()
            .min_by(|a, b| a.1 .1.total_cmp(&b.1 .1));
        let highest = chunk
            .iter()
            .enumerate()
            .max_by(|a, b| a.1 .1.total_cmp(&b.1 .1));
        if let (Some((lo_i, &lo)), Some((hi_i, &hi))) = (lowest, highest) {
            match lo_i.cmp(&hi_i) {
                std::cmp::Ordering::Less => out.extend([lo, hi]),
                std::cmp::Ordering::Greater => out.extend([hi, lo]),
                std::cmp::Ordering::Equal => out.push(lo),
            }
        }
    }
    out
}

/// Drops the inner points of runs of equal values (a pilot at 6 V for a minute is two points,
/// not six thousand); the line drawn is the same.
fn drop_flat_runs(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(points.len());
    for (i, &p) in points.iter().enumerate() {
        let same_as_before = i > 0 && points[i - 1].1 == p.1;
        let same_as_after = points.get(i + 1).is_some_and(|next| next.1 == p.1);
        if !(same_as_before && same_as_after) {
            out.push(p);
        }
    }
    out
}

/// Turns samples of a piecewise-constant signal into the corners of a step line.
fn steps(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2);
    for (i, &(t, v)) in points.iter().enumerate() {
        if i > 0 {
            out.push((t, points[i - 1].1));
        }
        out.push((t, v));
    }
    out
}

/// (min, max) of the values with a margin, never an empty range.
fn value_range(values: impl Iterator<Item = f64>, floor: Option<f64>) -> (f64, f64) {
    let (mut lo, mut hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if let Some(floor) = floor {
        lo = lo.min(floor);
    }
    let pad = ((hi - lo) * 0.08).max(0.5);
    (lo - if Some(lo) == floor { 0.0 } else { pad }, hi + pad)
}

fn time_range(times: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = times.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), t| {
        (lo.min(t), hi.max(t))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let lo = lo.min(0.0);
    (lo, if hi - lo < 0.1 { lo + 0.1 } else { hi })
}

fn cp_plot(samples: &[CpSample], t0_us: i64) -> Result<String, String> {
    let level = thin(
        samples
            .iter()
            .map(|s| (seconds_since(s.t_us, t0_us), s.high_v))
            .collect(),
    );
    let low = thin(
        samples
            .iter()
            .filter_map(|s| s.low_v.map(|v| (seconds_since(s.t_us, t0_us), v)))
            .collect(),
    );
    let duty = thin(
        samples
            .iter()
            .map(|s| (seconds_since(s.t_us, t0_us), s.duty_percent))
            .collect(),
    );
    let (t_lo, t_hi) = time_range(level.iter().map(|p| p.0));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 380)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let (top, bottom) = root.split_vertically(200);

        let mut chart = ChartBuilder::on(&top)
            .margin(10)
            .x_label_area_size(24)
            .y_label_area_size(48)
            .build_cartesian_2d(t_lo..t_hi, -13.0..13.0)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .max_light_lines(2)
            .y_desc("CP level / V")
            .y_labels(7)
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(LineSeries::new(
                steps(&level),
                CHARGER_COLOUR.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?
            .label("positive level")
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], CHARGER_COLOUR.stroke_width(2))
            });
        if !low.is_empty() {
            chart
                .draw_series(LineSeries::new(
                    steps(&low),
                    PHASE_COLOURS[2].stroke_width(1),
                ))
                .map_err(|e| e.to_string())?
                .label("negative level")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], PHASE_COLOURS[2]));
        }
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight)?;

        let mut chart = ChartBuilder::on(&bottom)
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(t_lo..t_hi, 0.0..105.0)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .max_light_lines(2)
            .x_desc("time since scenario start / s")
            .y_desc("duty / %")
            .y_labels(6)
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(LineSeries::new(steps(&duty), LIMIT_COLOUR.stroke_width(2)))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

fn current_plot(samples: &[PhaseCurrentSample], t0_us: i64) -> Result<String, String> {
    let times: Vec<f64> = samples
        .iter()
        .map(|s| seconds_since(s.t_us, t0_us))
        .collect();
    let offered = thin(
        samples
            .iter()
            .zip(&times)
            .filter_map(|(s, &t)| s.offered_a.map(|a| (t, a)))
            .collect(),
    );
    let (t_lo, t_hi) = time_range(times.iter().copied());
    let (_, i_hi) = value_range(
        samples
            .iter()
            .flat_map(|s| s.current_a.into_iter().chain(s.offered_a)),
        Some(0.0),
    );
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 300)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(t_lo..t_hi, 0.0..i_hi)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .max_light_lines(2)
            .x_desc("time since scenario start / s")
            .y_desc("current / A")
            .draw()
            .map_err(|e| e.to_string())?;
        if !offered.is_empty() {
            chart
                .draw_series(LineSeries::new(
                    steps(&offered),
                    LIMIT_COLOUR.stroke_width(3),
                ))
                .map_err(|e| e.to_string())?
                .label("offered limit (PWM)")
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], LIMIT_COLOUR.stroke_width(3))
                });
        }
        for (phase, colour) in PHASE_COLOURS.iter().enumerate() {
            let series = thin(
                samples
                    .iter()
                    .zip(&times)
                    .map(|(s, &t)| (t, s.current_a[phase]))
                    .collect(),
            );
            chart
                .draw_series(LineSeries::new(series, colour.stroke_width(2)))
                .map_err(|e| e.to_string())?
                .label(format!("L{}", phase + 1))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2))
                });
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

fn energy_plot(
    charger: &[TimedValue],
    analyser: &[TimedValue],
    t0_us: i64,
) -> Result<String, String> {
    let to_points = |values: &[TimedValue]| -> Vec<(f64, f64)> {
        thin(
            values
                .iter()
                .map(|v| (seconds_since(v.t_us, t0_us), v.value))
                .collect(),
        )
    };
    let charger = to_points(charger);
    let analyser = to_points(analyser);
    let (t_lo, t_hi) = time_range(charger.iter().chain(&analyser).map(|p| p.0));
    let (e_lo, e_hi) = value_range(charger.iter().chain(&analyser).map(|p| p.1), None);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 300)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(t_lo..t_hi, e_lo..e_hi)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .max_light_lines(2)
            .x_desc("time since scenario start / s")
            .y_desc("energy / Wh")
            .draw()
            .map_err(|e| e.to_string())?;
        for (points, colour, label) in [
            (&analyser, ANALYSER_COLOUR, "analyser (reference)"),
            (&charger, CHARGER_COLOUR, "charger register"),
        ] {
            if points.is_empty() {
                continue;
            }
            chart
                .draw_series(LineSeries::new(
                    points.iter().copied(),
                    colour.stroke_width(2),
                ))
                .map_err(|e| e.to_string())?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2))
                });
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))
                .map_err(|e| e.to_string())?;
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// The legend box every plot draws: white, half see-through, black border.
fn draw_legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<(), String>
where
    DB: DrawingBackend + 'a,
    CT: CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_corners_hold_the_previous_value_until_the_change() {
        assert_eq!(
            steps(&[(0.0, 12.0), (1.0, 9.0), (2.0, 6.0)]),
            vec![(0.0, 12.0), (1.0, 12.0), (1.0, 9.0), (2.0, 9.0), (2.0, 6.0)]
        );
    }

    #[test]
    fn thinning_keeps_spikes_and_bounds_the_size() {
        let mut points: Vec<(f64, f64)> = (0..100_000).map(|i| (i as f64, 1.0)).collect();
        points[54_321].1 = 50.0;
        let thinned = thin(points);
        assert!(thinned.len() <= MAX_POINTS + 2, "{}", thinned.len());
        assert!(thinned.iter().any(|p| p.1 == 50.0), "the spike survives");
        assert!(
            thinned.windows(2).all(|w| w[0].0 <= w[1].0),
            "time order kept"
        );
        let short = vec![(0.0, 1.0), (1.0, 2.0)];
        assert_eq!(thin(short.clone()), short);
        let flat = vec![(0.0, 1.0), (1.0, 1.0), (2.0, 1.0), (3.0, 2.0), (4.0, 2.0)];
        assert_eq!(
            thin(flat),
            vec![(0.0, 1.0), (2.0, 1.0), (3.0, 2.0), (4.0, 2.0)]
        );
    }

    #[test]
    fn ranges_are_never_empty() {
        assert_eq!(time_range(std::iter::empty()), (0.0, 1.0));
        let (lo, hi) = value_range([5.0, 5.0].into_iter(), None);
        assert!(lo < 5.0 && hi > 5.0);
        let (lo, _) = value_range([5.0].into_iter(), Some(0.0));
        assert_eq!(lo, 0.0);
    }
}
