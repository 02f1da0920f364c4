//! Smart Charging messages and the current limit handed to the charging core.

use chrono::{DateTime, Utc};
use rust_ocpp::v1_6::messages::clear_charging_profile::{
    ClearChargingProfileRequest, ClearChargingProfileResponse,
};
use rust_ocpp::v1_6::messages::get_composite_schedule::{
    GetCompositeScheduleRequest, GetCompositeScheduleResponse,
};
use rust_ocpp::v1_6::messages::set_charging_profile::{
    SetChargingProfileRequest, SetChargingProfileResponse,
};
use rust_ocpp::v1_6::types::{
    ChargingProfileStatus, ChargingRateUnitType, ClearChargingProfileStatus,
    GetCompositeScheduleStatus,
};

use super::ChargePoint;
use crate::config::keys;
use crate::io::{store_keys, Output};
use crate::smart_charging::{Electrical, Limits, TxContext};

impl ChargePoint {
    fn electrical(&self) -> Electrical {
        Electrical {
            voltage_v: self.settings.nominal_voltage_v,
            phases: self.settings.phases,
        }
    }

    fn profile_limits(&self) -> Limits {
        Limits {
            max_stack_level: self.config.int(keys::CHARGE_PROFILE_MAX_STACK_LEVEL).max(0) as u32,
            max_periods: self.config.int(keys::CHARGING_SCHEDULE_MAX_PERIODS).max(1) as usize,
            max_installed: self
                .config
                .int(keys::MAX_CHARGING_PROFILES_INSTALLED)
                .max(1) as usize,
        }
    }

    fn tx_context(&self, c: u32) -> Option<TxContext> {
        let tx = self.connectors.get(c as usize)?.tx.as_ref()?;
        Some(TxContext {
            started: tx.started,
            transaction_id: self.queue.transaction_id(tx.local_id),
        })
    }

    pub(super) fn persist_profiles(&mut self) {
        let p = self.profiles.clone();
        self.store(store_keys::PROFILES, &p);
    }

    pub(super) fn set_charging_profile(
        &mut self,
        now: DateTime<Utc>,
        req: SetChargingProfileRequest,
    ) -> SetChargingProfileResponse {
        let status = match u32::try_from(req.connector_id) {
            Ok(c) => {
                let tx = self.tx_context(c);
                let limits = self.profile_limits();
                match self.profiles.set(
                    c,
                    self.settings.connectors.max(1),
                    req.cs_charging_profiles,
                    tx,
                    limits,
                    now,
                ) {
                    Ok(()) => {
                        self.persist_profiles();
                        self.update_limits(now);
                        ChargingProfileStatus::Accepted
                    }
                    Err(why) => {
                        self.warn(format!("SetChargingProfile rejected: {why}"));
                        ChargingProfileStatus::Rejected
                    }
                }
            }
            Err(_) => ChargingProfileStatus::Rejected,
        };
        SetChargingProfileResponse { status }
    }

    pub(super) fn clear_charging_profile(
        &mut self,
        now: DateTime<Utc>,
        req: ClearChargingProfileRequest,
    ) -> ClearChargingProfileResponse {
        let cleared = self.profiles.clear(
            req.id,
            req.connector_id,
            req.charging_profile_purpose,
            req.stack_level,
        );
        let status = if cleared {
            self.persist_profiles();
            self.update_limits(now);
            ClearChargingProfileStatus::Accepted
        } else {
            ClearChargingProfileStatus::Unknown
        };
        ClearChargingProfileResponse { status }
    }

    pub(super) fn composite_schedule(
        &self,
        now: DateTime<Utc>,
        req: GetCompositeScheduleRequest,
    ) -> GetCompositeScheduleResponse {
        let rejected = GetCompositeScheduleResponse {
            status: GetCompositeScheduleStatus::Rejected,
            connector_id: None,
            schedule_start: None,
            charging_schedule: None,
        };
        let Ok(c) = u32::try_from(req.connector_id) else {
            return rejected;
        };
        if c > self.settings.connectors.max(1) || req.duration <= 0 {
            return rejected;
        }
        // Without a requested unit, answer in the unit the profiles use.
        let unit = req
            .charging_rate_unit
            .or_else(|| self.profiles.common_unit(c))
            .unwrap_or(ChargingRateUnitType::A);
        let schedule = self.profiles.composite(
            c,
            now,
            req.duration,
            unit,
            self.tx_context(c),
            self.electrical(),
            self.settings.rated_current_a,
        );
        GetCompositeScheduleResponse {
            status: GetCompositeScheduleStatus::Accepted,
            connector_id: Some(req.connector_id),
            schedule_start: Some(now),
            charging_schedule: Some(schedule),
        }
    }

    /// Sends the core each connector's limit when it changed.
    pub(super) fn update_limits(&mut self, now: DateTime<Utc>) {
        let el = self.electrical();
        for c in self.connector_ids() {
            // Seeded defect: the pilot's limit is computed without the transaction, so a
            // TxProfile shows in GetCompositeSchedule but never reaches the pilot.
            let tx = if self.defect(crate::defects::OcppDefect::TxProfileIgnored) {
                None
            } else {
                self.tx_context(c)
            };
            let limit = self
                .profiles
                .limit_at(c, now, tx, now, el)
                .map(|l| (l.amps * 10.0).round() / 10.0);
            let con = &mut self.connectors[c as usize];
            if con.limit_sent != Some(limit) {
                con.limit_sent = Some(limit);
                self.out.push_back(Output::SetCurrentLimit {
                    connector: c,
                    amps: limit,
                });
            }
        }
    }

    pub(super) fn next_limit_change(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.profiles.is_empty() {
            return None;
        }
        // Relative schedules count from each transaction's start.
        let origins: Vec<DateTime<Utc>> = self
            .connector_ids()
            .filter_map(|c| self.tx_context(c).map(|t| t.started))
            .chain(std::iter::once(now))
            .collect();
        origins
            .into_iter()
            .filter_map(|o| self.profiles.next_change(now, o))
            .min()
    }
}
