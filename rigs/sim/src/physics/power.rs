//! Per-phase electrical quantities of a sinusoidal supply and load.

/// What a wattmeter on one phase reads.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PhaseQuantities {
    /// RMS voltage, V.
    pub u: f64,
    /// RMS current, A.
    pub i: f64,
    /// Active power, W.
    pub p: f64,
    /// Apparent power, VA.
    pub s: f64,
    /// Reactive power, var (positive for an inductive load).
    pub q: f64,
    /// Power factor (λ = P/S); 1 when there is no current.
    pub lambda: f64,
    /// Phase angle of the current behind the voltage, degrees.
    pub phi_deg: f64,
    /// Voltage frequency, Hz (0 without voltage).
    pub freq_hz: f64,
}

impl PhaseQuantities {
    pub fn new(u: f64, i: f64, power_factor: f64, freq_hz: f64) -> Self {
        let pf = power_factor.clamp(0.0, 1.0);
        let s = u * i;
        let p = s * pf;
        let q = (s * s - p * p).max(0.0).sqrt();
        let (lambda, phi_deg) = if s > 0.0 {
            (pf, pf.acos().to_degrees())
        } else {
            (1.0, 0.0)
        };
        PhaseQuantities {
            u,
            i,
            p,
            s,
            q,
            lambda,
            phi_deg,
            freq_hz: if u > 0.0 { freq_hz } else { 0.0 },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_triangle_holds() {
        let q = PhaseQuantities::new(230.0, 16.0, 0.8, 50.0);
        assert!((q.s - 3680.0).abs() < 1e-9);
        assert!((q.p - 2944.0).abs() < 1e-9);
        assert!((q.q - 2208.0).abs() < 1e-6);
        assert!((q.phi_deg - 36.87).abs() < 0.01);
    }

    #[test]
    fn no_voltage_means_no_frequency() {
        let q = PhaseQuantities::new(0.0, 0.0, 1.0, 50.0);
        assert_eq!((q.freq_hz, q.p, q.lambda), (0.0, 0.0, 1.0));
    }
}
