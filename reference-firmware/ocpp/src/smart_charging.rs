//! Smart Charging: installed charging profiles, the limit they impose at a
//! given time, and composite schedules.
//!
//! Limits are computed in amperes per phase. Power limits (W) are divided by
//! `voltage × phases`. For a connector the effective limit is
//! `min(ChargePointMaxProfile, TxProfile or else TxDefaultProfile)`, each
//! purpose taking its active profile with the highest stack level.

use chrono::{DateTime, Duration, Utc};
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;
use rust_ocpp::v1_6::types::{
    ChargingProfile, ChargingProfileKindType, ChargingProfilePurposeType, ChargingRateUnitType,
    ChargingSchedule, ChargingSchedulePeriod, RecurrencyKindType,
};
use serde::{Deserialize, Serialize};

/// Electrical facts needed to convert between W and A.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Electrical {
    pub voltage_v: f64,
    pub phases: u8,
}

impl Electrical {
    fn phases_for(&self, number_phases: Option<i32>) -> f64 {
        let p = number_phases.unwrap_or(3).clamp(1, 3) as f64;
        p.min(self.phases.max(1) as f64)
    }

    fn amps_of(&self, unit: &ChargingRateUnitType, value: f64, number_phases: Option<i32>) -> f64 {
        match unit {
            ChargingRateUnitType::A => value,
            ChargingRateUnitType::W => value / (self.voltage_v * self.phases_for(number_phases)),
        }
    }

    fn in_unit(&self, unit: &ChargingRateUnitType, amps: f64, number_phases: Option<i32>) -> f64 {
        match unit {
            ChargingRateUnitType::A => amps,
            ChargingRateUnitType::W => amps * self.voltage_v * self.phases_for(number_phases),
        }
    }
}

/// Limits of the profile store, from the Smart Charging configuration keys.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_stack_level: u32,
    pub max_periods: usize,
    pub max_installed: usize,
}

/// What a profile needs to know about the connector's transaction.
#[derive(Debug, Clone, Copy)]
pub struct TxContext {
    pub started: DateTime<Utc>,
    /// The CSMS transaction id once known.
    pub transaction_id: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Installed {
    pub connector: u32,
    pub profile: ChargingProfile,
}

/// A limit in A per phase, with the phase count it came with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    pub amps: f64,
    pub phases: Option<i32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProfileStore {
    installed: Vec<Installed>,
}

fn dec(d: &Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// Origin of the schedule instance that covers `t`, if the profile kind allows one.
fn schedule_origin(
    profile: &ChargingProfile,
    t: DateTime<Utc>,
    relative_origin: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let sched = &profile.charging_schedule;
    match profile.charging_profile_kind {
        ChargingProfileKindType::Absolute => sched.start_schedule.or(profile.valid_from),
        ChargingProfileKindType::Relative => Some(relative_origin),
        ChargingProfileKindType::Recurring => {
            let start = sched.start_schedule?;
            let period = match profile.recurrency_kind {
                Some(RecurrencyKindType::Weekly) => Duration::days(7),
                _ => Duration::days(1),
            };
            let elapsed = (t - start).num_seconds();
            let k = elapsed.div_euclid(period.num_seconds());
            Some(start + period * k as i32)
        }
    }
}

fn recurrence(profile: &ChargingProfile) -> Option<Duration> {
    match (&profile.charging_profile_kind, &profile.recurrency_kind) {
        (ChargingProfileKindType::Recurring, Some(RecurrencyKindType::Weekly)) => {
            Some(Duration::days(7))
        }
        (ChargingProfileKindType::Recurring, _) => Some(Duration::days(1)),
        _ => None,
    }
}

/// The limit one profile imposes at `t` (in its own unit), if active.
fn profile_value(
    profile: &ChargingProfile,
    t: DateTime<Utc>,
    relative_origin: DateTime<Utc>,
) -> Option<(f64, Option<i32>)> {
    if profile.valid_from.is_some_and(|v| t < v) || profile.valid_to.is_some_and(|v| t >= v) {
        return None;
    }
    let origin = schedule_origin(profile, t, relative_origin)?;
    let offset = (t - origin).num_seconds();
    if offset < 0 {
        return None;
    }
    let sched = &profile.charging_schedule;
    if sched.duration.is_some_and(|d| offset >= d as i64) {
        return None;
    }
    sched
        .charging_schedule_period
        .iter()
        .filter(|p| p.start_period as i64 <= offset)
        .max_by_key(|p| p.start_period)
        .map(|p| (dec(&p.limit), p.number_phases))
}

/// Times after `t` at which this profile's value may change.
fn profile_breaks(
    profile: &ChargingProfile,
    t: DateTime<Utc>,
    relative_origin: DateTime<Utc>,
    out: &mut Vec<DateTime<Utc>>,
) {
    out.extend(profile.valid_from);
    out.extend(profile.valid_to);
    if let Some(origin) = schedule_origin(profile, t, relative_origin) {
        let sched = &profile.charging_schedule;
        for o in [Some(origin), recurrence(profile).map(|p| origin + p)]
            .into_iter()
            .flatten()
        {
            out.push(o);
            for p in &sched.charging_schedule_period {
                out.push(o + Duration::seconds(p.start_period as i64));
            }
            if let Some(d) = sched.duration {
                out.push(o + Duration::seconds(d as i64));
            }
        }
    }
}

impl ProfileStore {
    pub fn len(&self) -> usize {
        self.installed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.installed.is_empty()
    }

    /// SetChargingProfile. `tx` is the connector's running transaction.
    pub fn set(
        &mut self,
        connector: u32,
        connectors: u32,
        mut profile: ChargingProfile,
        tx: Option<TxContext>,
        limits: Limits,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        if connector > connectors {
            return Err(format!("unknown connector {connector}"));
        }
        let sched = &profile.charging_schedule;
        match profile.charging_profile_purpose {
            ChargingProfilePurposeType::ChargePointMaxProfile if connector != 0 => {
                return Err("ChargePointMaxProfile only on connector 0".into())
            }
            ChargingProfilePurposeType::TxProfile => {
                if connector == 0 {
                    return Err("TxProfile needs a connector".into());
                }
                let Some(tx) = tx else {
                    return Err("TxProfile without a transaction".into());
                };
                if let (Some(want), Some(have)) = (profile.transaction_id, tx.transaction_id) {
                    if want != have {
                        return Err(format!("transaction {want} is not running"));
                    }
                }
                if profile.transaction_id.is_some() && tx.transaction_id.is_none() {
                    return Err("transaction id not known yet".into());
                }
            }
            _ => {}
        }
        if profile.stack_level > limits.max_stack_level {
            return Err(format!("stackLevel above {}", limits.max_stack_level));
        }
        let periods = &sched.charging_schedule_period;
        if periods.is_empty() || periods.len() > limits.max_periods {
            return Err(format!("1 to {} periods allowed", limits.max_periods));
        }
        if periods[0].start_period != 0
            || periods
                .windows(2)
                .any(|w| w[1].start_period <= w[0].start_period)
            || periods.iter().any(|p| p.limit.is_sign_negative())
        {
            return Err("periods must start at 0, increase and have limits >= 0".into());
        }
        match profile.charging_profile_kind {
            ChargingProfileKindType::Recurring
                if sched.start_schedule.is_none() || profile.recurrency_kind.is_none() =>
            {
                return Err("Recurring profile needs startSchedule and recurrencyKind".into())
            }
            ChargingProfileKindType::Absolute if sched.start_schedule.is_none() => {
                // No start given: the schedule starts when it is installed.
                profile.charging_schedule.start_schedule = Some(now);
            }
            _ => {}
        }
        let id = profile.charging_profile_id;
        let purpose = profile.charging_profile_purpose.clone();
        let level = profile.stack_level;
        let mut next: Vec<Installed> = self
            .installed
            .iter()
            .filter(|i| {
                i.profile.charging_profile_id != id
                    && !(i.connector == connector
                        && i.profile.charging_profile_purpose == purpose
                        && i.profile.stack_level == level)
            })
            .cloned()
            .collect();
        if next.len() >= limits.max_installed {
            return Err(format!(
                "at most {} profiles installed",
                limits.max_installed
            ));
        }
        next.push(Installed { connector, profile });
        self.installed = next;
        Ok(())
    }

    /// The unit every profile that can affect `connector` uses, if they agree.
    pub fn common_unit(&self, connector: u32) -> Option<ChargingRateUnitType> {
        let mut units = self
            .installed
            .iter()
            .filter(|i| i.connector == 0 || i.connector == connector)
            .map(|i| i.profile.charging_schedule.charging_rate_unit.clone());
        let first = units.next()?;
        units.all(|u| u == first).then_some(first)
    }

    /// Installs the TxProfile of a RemoteStartTransaction (already checked).
    pub fn install_tx_profile(&mut self, connector: u32, profile: ChargingProfile) {
        let id = profile.charging_profile_id;
        self.installed.retain(|i| {
            i.profile.charging_profile_id != id
                && !(i.connector == connector
                    && i.profile.charging_profile_purpose == ChargingProfilePurposeType::TxProfile
                    && i.profile.stack_level == profile.stack_level)
        });
        self.installed.push(Installed { connector, profile });
    }

    /// Drops the TxProfiles of a connector whose transaction ended.
    pub fn clear_tx_profiles(&mut self, connector: u32) -> bool {
        let before = self.installed.len();
        self.installed.retain(|i| {
            !(i.connector == connector
                && i.profile.charging_profile_purpose == ChargingProfilePurposeType::TxProfile)
        });
        before != self.installed.len()
    }

    /// ClearChargingProfile: by id, or by the other criteria (all when none).
    pub fn clear(
        &mut self,
        id: Option<i32>,
        connector: Option<i32>,
        purpose: Option<ChargingProfilePurposeType>,
        stack_level: Option<i32>,
    ) -> bool {
        let before = self.installed.len();
        self.installed.retain(|i| {
            let hit = match id {
                Some(id) => i.profile.charging_profile_id == id,
                None => {
                    connector.is_none_or(|c| c as i64 == i.connector as i64)
                        && purpose
                            .as_ref()
                            .is_none_or(|p| *p == i.profile.charging_profile_purpose)
                        && stack_level.is_none_or(|s| s as i64 == i.profile.stack_level as i64)
                }
            };
            !hit
        });
        before != self.installed.len()
    }

    /// Highest-stack active profile of one purpose among `candidates`, in A.
    fn purpose_limit<'a>(
        candidates: impl Iterator<Item = &'a Installed>,
        t: DateTime<Utc>,
        relative_origin: DateTime<Utc>,
        el: Electrical,
    ) -> Option<Limit> {
        candidates
            .filter_map(|i| {
                let (v, phases) = profile_value(&i.profile, t, relative_origin)?;
                let unit = &i.profile.charging_schedule.charging_rate_unit;
                Some((
                    i.profile.stack_level,
                    Limit {
                        amps: el.amps_of(unit, v, phases),
                        phases,
                    },
                ))
            })
            .max_by_key(|(level, _)| *level)
            .map(|(_, l)| l)
    }

    fn of_purpose(
        &self,
        connector: u32,
        purpose: ChargingProfilePurposeType,
    ) -> impl Iterator<Item = &Installed> {
        self.installed.iter().filter(move |i| {
            i.connector == connector && i.profile.charging_profile_purpose == purpose
        })
    }

    /// The limit for `connector` at `t` (connector 0: the charge point maximum).
    /// Relative schedules count from the transaction start, or from `t`.
    pub fn limit_at(
        &self,
        connector: u32,
        t: DateTime<Utc>,
        tx: Option<TxContext>,
        relative_origin: DateTime<Utc>,
        el: Electrical,
    ) -> Option<Limit> {
        let origin = tx.map(|x| x.started).unwrap_or(relative_origin);
        let cp_max = Self::purpose_limit(
            self.of_purpose(0, ChargingProfilePurposeType::ChargePointMaxProfile),
            t,
            origin,
            el,
        );
        if connector == 0 {
            return cp_max;
        }
        let tx_limit = tx.and_then(|_| {
            Self::purpose_limit(
                self.of_purpose(connector, ChargingProfilePurposeType::TxProfile),
                t,
                origin,
                el,
            )
        });
        // A TxDefaultProfile of the connector itself overrides those of
        // connector 0 (the default for all connectors) while one is active.
        let default = Self::purpose_limit(
            self.of_purpose(connector, ChargingProfilePurposeType::TxDefaultProfile),
            t,
            origin,
            el,
        )
        .or_else(|| {
            Self::purpose_limit(
                self.of_purpose(0, ChargingProfilePurposeType::TxDefaultProfile),
                t,
                origin,
                el,
            )
        });
        let session = tx_limit.or(default);
        match (cp_max, session) {
            (Some(a), Some(b)) => Some(if a.amps <= b.amps { a } else { b }),
            (a, b) => a.or(b),
        }
    }

    /// The next instant after `t` at which the limit may change.
    pub fn next_change(
        &self,
        t: DateTime<Utc>,
        relative_origin: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let mut breaks = Vec::new();
        for i in &self.installed {
            profile_breaks(&i.profile, t, relative_origin, &mut breaks);
        }
        breaks.into_iter().filter(|b| *b > t).min()
    }

    /// GetCompositeSchedule for `duration_s` seconds from `start`.
    ///
    /// The composite is the limit `limit_at` gives at every instant, with a
    /// new period only where the value changes. Gaps between profiles report
    /// `default_amps` (the charger's own maximum). The schedule ends where the
    /// last profile stops limiting: a trailing stretch without any profile is
    /// not part of the plan, so `duration` is shortened to it (the OCTT
    /// composite cases expect exactly the profiles' periods). When no profile
    /// limits any of the interval, the whole interval reports `default_amps`.
    #[allow(clippy::too_many_arguments)]
    pub fn composite(
        &self,
        connector: u32,
        start: DateTime<Utc>,
        duration_s: i32,
        unit: ChargingRateUnitType,
        tx: Option<TxContext>,
        el: Electrical,
        default_amps: f64,
    ) -> ChargingSchedule {
        let end = start + Duration::seconds(duration_s.max(0) as i64);
        let origin = tx.map(|x| x.started).unwrap_or(start);
        let mut periods: Vec<ChargingSchedulePeriod> = Vec::new();
        // End of the last stretch some profile limited, and the period count then.
        let mut covered: Option<(DateTime<Utc>, usize)> = None;
        let mut t = start;
        let mut guard = 0;
        while t < end && guard < 1_000 {
            guard += 1;
            let limited = self.limit_at(connector, t, tx, start, el);
            let limit = limited.unwrap_or(Limit {
                amps: default_amps,
                phases: None,
            });
            let value = el.in_unit(&unit, limit.amps, limit.phases);
            let value = Decimal::from_f64((value * 10.0).round() / 10.0)
                .unwrap_or_default()
                .round_dp(1)
                .normalize();
            let same = periods
                .last()
                .is_some_and(|p| p.limit == value && p.number_phases == limit.phases);
            if !same {
                periods.push(ChargingSchedulePeriod {
                    start_period: (t - start).num_seconds() as i32,
                    limit: value,
                    number_phases: limit.phases,
                });
            }
            let next = self.next_change(t, origin).unwrap_or(end).min(end);
            if limited.is_some() {
                covered = Some((next, periods.len()));
            }
            t = next;
        }
        let duration = match covered {
            Some((until, count)) => {
                periods.truncate(count);
                // Whole seconds, rounded up so the last period is not cut short.
                let ms = (until - start).num_milliseconds();
                ((ms + 999) / 1000).min(duration_s as i64) as i32
            }
            None => duration_s,
        };
        ChargingSchedule {
            duration: Some(duration),
            start_schedule: Some(start),
            charging_rate_unit: unit,
            charging_schedule_period: periods,
            min_charging_rate: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const EL: Electrical = Electrical {
        voltage_v: 230.0,
        phases: 3,
    };
    const LIMITS: Limits = Limits {
        max_stack_level: 8,
        max_periods: 24,
        max_installed: 16,
    };

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    fn profile(
        id: i32,
        purpose: ChargingProfilePurposeType,
        level: u32,
        kind: ChargingProfileKindType,
        periods: &[(i32, f64)],
        duration: Option<i32>,
    ) -> ChargingProfile {
        ChargingProfile {
            charging_profile_id: id,
            transaction_id: None,
            stack_level: level,
            charging_profile_purpose: purpose,
            charging_profile_kind: kind.clone(),
            recurrency_kind: None,
            valid_from: None,
            valid_to: None,
            charging_schedule: ChargingSchedule {
                duration,
                start_schedule: match kind {
                    ChargingProfileKindType::Relative => None,
                    _ => Some(t0()),
                },
                charging_rate_unit: ChargingRateUnitType::A,
                charging_schedule_period: periods
                    .iter()
                    .map(|(s, l)| ChargingSchedulePeriod {
                        start_period: *s,
                        limit: Decimal::from_f64(*l).unwrap(),
                        number_phases: None,
                    })
                    .collect(),
                min_charging_rate: None,
            },
        }
    }

    fn limits_of(s: &ChargingSchedule) -> Vec<(i32, f64)> {
        s.charging_schedule_period
            .iter()
            .map(|p| (p.start_period, dec(&p.limit)))
            .collect()
    }

    use ChargingProfileKindType::{Absolute, Recurring, Relative};
    use ChargingProfilePurposeType::{ChargePointMaxProfile, TxDefaultProfile, TxProfile};

    #[test]
    fn higher_stack_level_wins_while_valid() {
        let mut s = ProfileStore::default();
        let low = profile(
            1,
            TxDefaultProfile,
            0,
            Absolute,
            &[(0, 7.0), (200, 8.0)],
            None,
        );
        let high = profile(
            2,
            TxDefaultProfile,
            1,
            Absolute,
            &[(0, 9.0), (100, 10.0)],
            Some(150),
        );
        s.set(0, 1, low, None, LIMITS, t0()).unwrap();
        s.set(0, 1, high, None, LIMITS, t0()).unwrap();
        let c = s.composite(1, t0(), 300, ChargingRateUnitType::A, None, EL, 16.0);
        assert_eq!(
            limits_of(&c),
            vec![(0, 9.0), (100, 10.0), (150, 7.0), (200, 8.0)]
        );
    }

    #[test]
    fn composite_is_min_of_max_and_tx_profile() {
        let mut s = ProfileStore::default();
        let tx = TxContext {
            started: t0(),
            transaction_id: Some(5),
        };
        s.set(
            0,
            1,
            profile(
                1,
                ChargePointMaxProfile,
                0,
                Absolute,
                &[(0, 16.0), (200, 10.0)],
                None,
            ),
            None,
            LIMITS,
            t0(),
        )
        .unwrap();
        s.set(
            1,
            1,
            profile(2, TxDefaultProfile, 0, Absolute, &[(0, 14.0)], None),
            None,
            LIMITS,
            t0(),
        )
        .unwrap();
        s.set(
            1,
            1,
            profile(3, TxProfile, 0, Relative, &[(0, 12.0), (100, 20.0)], None),
            Some(tx),
            LIMITS,
            t0(),
        )
        .unwrap();
        let c = s.composite(1, t0(), 400, ChargingRateUnitType::A, Some(tx), EL, 32.0);
        assert_eq!(limits_of(&c), vec![(0, 12.0), (100, 16.0), (200, 10.0)]);
        assert!(s.clear_tx_profiles(1));
        let c = s.composite(1, t0(), 400, ChargingRateUnitType::A, None, EL, 32.0);
        assert_eq!(limits_of(&c), vec![(0, 14.0), (200, 10.0)]);
    }

    #[test]
    fn power_limits_convert_to_current() {
        let mut s = ProfileStore::default();
        let mut p = profile(1, TxDefaultProfile, 0, Absolute, &[(0, 11040.0)], None);
        p.charging_schedule.charging_rate_unit = ChargingRateUnitType::W;
        s.set(0, 1, p, None, LIMITS, t0()).unwrap();
        let l = s.limit_at(1, t0(), None, t0(), EL).unwrap();
        assert!((l.amps - 16.0).abs() < 1e-9);
        let c = s.composite(1, t0(), 60, ChargingRateUnitType::W, None, EL, 32.0);
        assert_eq!(limits_of(&c), vec![(0, 11040.0)]);
    }

    #[test]
    fn daily_recurring_profile_repeats() {
        let mut s = ProfileStore::default();
        let mut p = profile(
            1,
            TxDefaultProfile,
            0,
            Recurring,
            &[(0, 6.0), (3600, 16.0)],
            Some(7200),
        );
        p.recurrency_kind = Some(RecurrencyKindType::Daily);
        s.set(0, 1, p, None, LIMITS, t0()).unwrap();
        let next_day = t0() + Duration::days(1) + Duration::minutes(30);
        assert_eq!(
            s.limit_at(1, next_day, None, next_day, EL).unwrap().amps,
            6.0
        );
        let later = t0() + Duration::days(2) + Duration::minutes(90);
        assert_eq!(s.limit_at(1, later, None, later, EL).unwrap().amps, 16.0);
        let outside = t0() + Duration::days(2) + Duration::hours(3);
        assert!(s.limit_at(1, outside, None, outside, EL).is_none());
    }

    #[test]
    fn validation_rules() {
        let mut s = ProfileStore::default();
        assert!(s
            .set(
                1,
                1,
                profile(1, ChargePointMaxProfile, 0, Absolute, &[(0, 6.0)], None),
                None,
                LIMITS,
                t0()
            )
            .is_err());
        assert!(s
            .set(
                1,
                1,
                profile(1, TxProfile, 0, Relative, &[(0, 6.0)], None),
                None,
                LIMITS,
                t0()
            )
            .is_err());
        let mut wrong = profile(1, TxProfile, 0, Relative, &[(0, 6.0)], None);
        wrong.transaction_id = Some(9);
        let tx = TxContext {
            started: t0(),
            transaction_id: Some(5),
        };
        assert!(s.set(1, 1, wrong, Some(tx), LIMITS, t0()).is_err());
        assert!(s
            .set(
                1,
                1,
                profile(1, TxDefaultProfile, 9, Absolute, &[(0, 6.0)], None),
                None,
                LIMITS,
                t0()
            )
            .is_err());
        assert!(s
            .set(
                1,
                1,
                profile(1, TxDefaultProfile, 0, Absolute, &[(10, 6.0)], None),
                None,
                LIMITS,
                t0()
            )
            .is_err());
        assert!(s.is_empty());
    }

    #[test]
    fn clear_by_id_and_by_criteria() {
        let mut s = ProfileStore::default();
        s.set(
            0,
            1,
            profile(1, TxDefaultProfile, 0, Absolute, &[(0, 6.0)], None),
            None,
            LIMITS,
            t0(),
        )
        .unwrap();
        s.set(
            0,
            1,
            profile(2, TxDefaultProfile, 1, Absolute, &[(0, 8.0)], None),
            None,
            LIMITS,
            t0(),
        )
        .unwrap();
        s.set(
            0,
            1,
            profile(3, ChargePointMaxProfile, 0, Absolute, &[(0, 8.0)], None),
            None,
            LIMITS,
            t0(),
        )
        .unwrap();
        assert!(s.clear(Some(1), None, None, None));
        assert!(!s.clear(Some(1), None, None, None));
        assert!(s.clear(None, None, Some(TxDefaultProfile), Some(1)));
        assert_eq!(s.len(), 1);
        assert!(s.clear(None, None, None, None));
        assert!(s.is_empty());
    }
    fn install(s: &mut ProfileStore, connector: u32, p: ChargingProfile, tx: Option<TxContext>) {
        s.set(connector, 1, p, tx, LIMITS, t0()).unwrap();
    }

    #[test]
    fn composite_ends_where_the_last_profile_ends() {
        // TC_056: a 300 s profile asked for 300 s, six seconds after it started.
        let mut s = ProfileStore::default();
        let p = profile(1, TxDefaultProfile, 0, Absolute, &[(0, 10.0)], Some(300));
        install(&mut s, 1, p, None);
        let asked = t0() + Duration::seconds(6);
        let c = s.composite(1, asked, 300, ChargingRateUnitType::A, None, EL, 16.0);
        assert_eq!(limits_of(&c), vec![(0, 10.0)]);
        assert_eq!(c.duration, Some(294));
        assert_eq!(c.start_schedule, Some(asked));
    }

    #[test]
    fn composite_of_the_three_purposes_follows_octt_066() {
        let mut s = ProfileStore::default();
        let tx = TxContext {
            started: t0() - Duration::seconds(30),
            transaction_id: Some(7),
        };
        let max = profile(
            10,
            ChargePointMaxProfile,
            0,
            Absolute,
            &[(0, 16.0), (350, 6.0)],
            Some(400),
        );
        let default = profile(
            11,
            TxDefaultProfile,
            0,
            Absolute,
            &[(0, 10.0), (100, 14.0)],
            Some(400),
        );
        let own = profile(
            12,
            TxProfile,
            0,
            Absolute,
            &[(0, 12.0), (200, 8.0)],
            Some(300),
        );
        install(&mut s, 0, max, None);
        install(&mut s, 1, default, None);
        install(&mut s, 1, own, Some(tx));
        let asked = t0() + Duration::seconds(3);
        let c = s.composite(1, asked, 400, ChargingRateUnitType::A, Some(tx), EL, 16.0);
        assert_eq!(
            limits_of(&c),
            vec![(0, 12.0), (197, 8.0), (297, 14.0), (347, 6.0)]
        );
        assert_eq!(c.duration, Some(397));
    }

    #[test]
    fn stacked_defaults_follow_octt_072() {
        let mut s = ProfileStore::default();
        let low = profile(30, TxDefaultProfile, 0, Absolute, &[(0, 10.0)], Some(400));
        let high = profile(
            31,
            TxDefaultProfile,
            1,
            Absolute,
            &[(0, 7.0), (100, 9.0), (200, 8.0)],
            Some(300),
        );
        install(&mut s, 1, low, None);
        install(&mut s, 1, high, None);
        let asked = t0() + Duration::seconds(2);
        let c = s.composite(1, asked, 400, ChargingRateUnitType::A, None, EL, 16.0);
        assert_eq!(
            limits_of(&c),
            vec![(0, 7.0), (98, 9.0), (198, 8.0), (298, 10.0)]
        );
        assert_eq!(c.duration, Some(398));
    }

    #[test]
    fn periods_merge_where_the_limit_does_not_change() {
        let mut s = ProfileStore::default();
        let low = profile(1, TxDefaultProfile, 0, Absolute, &[(0, 10.0)], None);
        let high = profile(
            2,
            TxDefaultProfile,
            1,
            Absolute,
            &[(0, 10.0), (50, 10.0), (100, 6.0)],
            Some(150),
        );
        install(&mut s, 0, low, None);
        install(&mut s, 0, high, None);
        let c = s.composite(1, t0(), 300, ChargingRateUnitType::A, None, EL, 16.0);
        assert_eq!(limits_of(&c), vec![(0, 10.0), (100, 6.0), (150, 10.0)]);
        assert_eq!(c.duration, Some(300));
    }

    #[test]
    fn a_gap_between_profiles_reports_the_charger_maximum() {
        let mut s = ProfileStore::default();
        let first = profile(1, TxDefaultProfile, 0, Absolute, &[(0, 8.0)], Some(100));
        let mut later = profile(2, TxDefaultProfile, 1, Absolute, &[(0, 6.0)], Some(100));
        later.charging_schedule.start_schedule = Some(t0() + Duration::seconds(200));
        install(&mut s, 1, first, None);
        install(&mut s, 1, later, None);
        let c = s.composite(1, t0(), 600, ChargingRateUnitType::A, None, EL, 16.0);
        assert_eq!(limits_of(&c), vec![(0, 8.0), (100, 16.0), (200, 6.0)]);
        assert_eq!(c.duration, Some(300));
        // Nothing installed: the charger's own maximum for the whole interval.
        let empty = ProfileStore::default();
        let c = empty.composite(1, t0(), 600, ChargingRateUnitType::A, None, EL, 16.0);
        assert_eq!(limits_of(&c), vec![(0, 16.0)]);
        assert_eq!(c.duration, Some(600));
    }

    #[test]
    fn the_charge_point_maximum_caps_the_default() {
        let mut s = ProfileStore::default();
        let max = profile(1, ChargePointMaxProfile, 0, Absolute, &[(0, 9.0)], None);
        let default = profile(
            2,
            TxDefaultProfile,
            0,
            Absolute,
            &[(0, 12.0), (60, 6.0)],
            None,
        );
        install(&mut s, 0, max, None);
        install(&mut s, 0, default, None);
        let c = s.composite(1, t0(), 120, ChargingRateUnitType::A, None, EL, 16.0);
        assert_eq!(limits_of(&c), vec![(0, 9.0), (60, 6.0)]);
        // Connector 0 reports the charge point maximum alone.
        let c = s.composite(0, t0(), 120, ChargingRateUnitType::A, None, EL, 16.0);
        assert_eq!(limits_of(&c), vec![(0, 9.0)]);
    }

    #[test]
    fn a_connector_default_overrides_connector_zero_only_while_active() {
        let mut s = ProfileStore::default();
        let all = profile(1, TxDefaultProfile, 0, Absolute, &[(0, 12.0)], None);
        let own = profile(2, TxDefaultProfile, 0, Absolute, &[(0, 7.0)], Some(100));
        install(&mut s, 0, all, None);
        install(&mut s, 1, own, None);
        let c = s.composite(1, t0(), 200, ChargingRateUnitType::A, None, EL, 16.0);
        assert_eq!(limits_of(&c), vec![(0, 7.0), (100, 12.0)]);
    }

    #[test]
    fn relative_default_counts_from_the_transaction_start() {
        let mut s = ProfileStore::default();
        let p = profile(
            1,
            TxDefaultProfile,
            0,
            Relative,
            &[(0, 6.0), (600, 16.0)],
            None,
        );
        install(&mut s, 1, p, None);
        let tx = TxContext {
            started: t0() - Duration::seconds(500),
            transaction_id: Some(1),
        };
        let c = s.composite(1, t0(), 300, ChargingRateUnitType::A, Some(tx), EL, 32.0);
        assert_eq!(limits_of(&c), vec![(0, 6.0), (100, 16.0)]);
        // Without a transaction the schedule would start now.
        let c = s.composite(1, t0(), 300, ChargingRateUnitType::A, None, EL, 32.0);
        assert_eq!(limits_of(&c), vec![(0, 6.0)]);
    }

    #[test]
    fn composite_converts_current_to_power_per_phase_count() {
        let mut s = ProfileStore::default();
        let mut p = profile(1, TxDefaultProfile, 0, Absolute, &[(0, 10.0)], None);
        p.charging_schedule.charging_schedule_period[0].number_phases = Some(1);
        install(&mut s, 1, p, None);
        let c = s.composite(1, t0(), 60, ChargingRateUnitType::W, None, EL, 16.0);
        assert_eq!(limits_of(&c), vec![(0, 2300.0)]);
        assert_eq!(c.charging_schedule_period[0].number_phases, Some(1));
    }

    #[test]
    fn weekly_recurring_profile_composite_crosses_the_week_boundary() {
        let mut s = ProfileStore::default();
        let mut p = profile(
            1,
            TxDefaultProfile,
            0,
            Recurring,
            &[(0, 6.0), (3600, 10.0)],
            None,
        );
        p.recurrency_kind = Some(RecurrencyKindType::Weekly);
        install(&mut s, 1, p, None);
        let asked = t0() + Duration::days(7) - Duration::seconds(60);
        let c = s.composite(1, asked, 120, ChargingRateUnitType::A, None, EL, 16.0);
        assert_eq!(limits_of(&c), vec![(0, 10.0), (60, 6.0)]);
    }
}
