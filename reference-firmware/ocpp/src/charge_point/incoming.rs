//! CALLs from the CSMS: decoding, dispatch to the handlers, and the handlers
//! for configuration, authorization data and data transfer.

use chrono::{DateTime, Utc};
use rust_ocpp::v1_6::messages::change_configuration::{
    ChangeConfigurationRequest, ChangeConfigurationResponse,
};
use rust_ocpp::v1_6::messages::clear_cache::ClearCacheResponse;
use rust_ocpp::v1_6::messages::data_transfer::{DataTransferRequest, DataTransferResponse};
use rust_ocpp::v1_6::messages::get_configuration::{
    GetConfigurationRequest, GetConfigurationResponse,
};
use rust_ocpp::v1_6::messages::get_diagnostics::{GetDiagnosticsRequest, GetDiagnosticsResponse};
use rust_ocpp::v1_6::messages::get_local_list_version::GetLocalListVersionResponse;
use rust_ocpp::v1_6::messages::send_local_list::{SendLocalListRequest, SendLocalListResponse};
use rust_ocpp::v1_6::messages::unlock_connector::UnlockConnectorRequest;
use rust_ocpp::v1_6::messages::update_firmware::UpdateFirmwareRequest;
use rust_ocpp::v1_6::types::{
    ClearCacheStatus, ConfigurationStatus, DataTransferStatus, UpdateStatus,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use super::{ChargePoint, Registration};
use crate::config::{keys, Change};
use crate::frame::{CallFailure, ErrorCode, Frame};
use crate::io::{store_keys, Output};

/// After a SecurityProfile upgrade: how long a BootNotification waits for the
/// reconnection with the new profile before it goes out on the old connection.
const SECURITY_REBOOT_GUARD_S: i64 = 30;

/// Actions of the 1.6 security whitepaper this charge point does not implement.
const SECURITY_ACTIONS: &[&str] = &[
    "CertificateSigned",
    "DeleteCertificate",
    "ExtendedTriggerMessage",
    "GetInstalledCertificateIds",
    "InstallCertificate",
    "SignedUpdateFirmware",
];

/// Actions only a charge point sends: a CSMS sending them is a protocol error.
const CHARGE_POINT_ACTIONS: &[&str] = &[
    "Authorize",
    "BootNotification",
    "DiagnosticsStatusNotification",
    "FirmwareStatusNotification",
    "Heartbeat",
    "MeterValues",
    "StartTransaction",
    "StatusNotification",
    "StopTransaction",
    "SecurityEventNotification",
    "LogStatusNotification",
];

fn decode<T: DeserializeOwned>(action: &str, payload: Value) -> Result<T, CallFailure> {
    serde_json::from_value(payload)
        .map_err(|e| CallFailure::new(ErrorCode::for_decode_error(&e), format!("{action}: {e}")))
}

fn encode<T: Serialize>(value: T) -> Result<Option<Value>, CallFailure> {
    serde_json::to_value(value)
        .map(Some)
        .map_err(|e| CallFailure::new(ErrorCode::InternalError, e.to_string()))
}

impl ChargePoint {
    pub(super) fn on_call(&mut self, now: DateTime<Utc>, id: String, action: &str, payload: Value) {
        // Rejected: the charge point does not answer the CSMS at all.
        if self.registration == Registration::Rejected {
            self.warn(format!("{action} from CSMS ignored while Rejected"));
            return;
        }
        match self.dispatch(now, &id, action, payload) {
            Ok(Some(payload)) => self.send_frame(Frame::CallResult { id, payload }),
            // The answer comes later (UnlockConnector waits for the lock).
            Ok(None) => {}
            Err(f) => self.send_frame(Frame::error(id, f.code, f.description)),
        }
    }

    fn dispatch(
        &mut self,
        now: DateTime<Utc>,
        id: &str,
        action: &str,
        payload: Value,
    ) -> Result<Option<Value>, CallFailure> {
        macro_rules! req {
            () => {
                decode(action, payload)?
            };
        }
        match action {
            "CancelReservation" => encode(self.cancel_reservation(req!())),
            "ChangeAvailability" => encode(self.change_availability(req!())),
            "ChangeConfiguration" => encode(self.change_configuration(now, req!())?),
            "ClearCache" => encode(self.clear_cache()),
            "ClearChargingProfile" => encode(self.clear_charging_profile(now, req!())),
            "DataTransfer" => encode(self.data_transfer(req!())),
            "GetCompositeSchedule" => encode(self.composite_schedule(now, req!())),
            "GetConfiguration" => encode(self.get_configuration(req!())),
            "GetDiagnostics" => encode(self.get_diagnostics(now, req!())),
            "GetLog" => encode(self.get_log(now, req!())),
            "GetLocalListVersion" => {
                // -1 tells the CSMS the list is not in use (disabled).
                let list_version = if self.config.bool(keys::LOCAL_AUTH_LIST_ENABLED) {
                    self.local_list.reported_version()
                } else {
                    -1
                };
                encode(GetLocalListVersionResponse { list_version })
            }
            "RemoteStartTransaction" => encode(self.remote_start(now, req!())),
            "RemoteStopTransaction" => encode(self.remote_stop(now, req!())),
            "ReserveNow" => encode(self.reserve_now(req!(), now)),
            "Reset" => encode(self.reset(now, req!())),
            "SendLocalList" => encode(self.send_local_list(req!())),
            "SetChargingProfile" => encode(self.set_charging_profile(now, req!())),
            "TriggerMessage" => encode(self.trigger_message(now, req!())),
            "UnlockConnector" => {
                let req: UnlockConnectorRequest = req!();
                match self.unlock_connector(now, id, req.connector_id) {
                    Some(resp) => encode(resp),
                    None => Ok(None),
                }
            }
            "UpdateFirmware" => {
                let req: UpdateFirmwareRequest = req!();
                self.transfers.update_firmware(
                    req.location,
                    req.retrieve_date,
                    req.retries,
                    req.retry_interval,
                );
                self.persist_transfers();
                Ok(Some(json!({})))
            }
            a if SECURITY_ACTIONS.contains(&a) => Err(CallFailure::new(
                ErrorCode::NotSupported,
                format!("{a} is not supported by this charge point"),
            )),
            a if CHARGE_POINT_ACTIONS.contains(&a) => Err(CallFailure::new(
                ErrorCode::NotImplemented,
                format!("{a} is sent by a charge point, not to it"),
            )),
            a => Err(CallFailure::new(
                ErrorCode::NotImplemented,
                format!("unknown action {a:?}"),
            )),
        }
    }

    fn get_configuration(&self, req: GetConfigurationRequest) -> GetConfigurationResponse {
        let (known, unknown) = self.config.report(&req.key.unwrap_or_default());
        GetConfigurationResponse {
            configuration_key: Some(known),
            unknown_key: (!unknown.is_empty()).then_some(unknown),
        }
    }

    fn change_configuration(
        &mut self,
        now: DateTime<Utc>,
        req: ChangeConfigurationRequest,
    ) -> Result<ChangeConfigurationResponse, CallFailure> {
        if req.key.chars().count() > 50 || req.value.chars().count() > 500 {
            return Err(CallFailure::new(
                ErrorCode::PropertyConstraintViolation,
                "key longer than 50 or value longer than 500 characters",
            ));
        }
        let previous_profile = self.config.int(keys::SECURITY_PROFILE);
        let change = self.config.change(&req.key, &req.value);
        if let Change::Rejected(why) = &change {
            self.warn(format!("ChangeConfiguration rejected: {why}"));
        }
        if let Change::Accepted { key, value } = &change {
            self.persist_config();
            self.after_config_change(now, key, value, previous_profile);
        }
        let status = match change {
            // Seeded defect: an unknown key is acknowledged as if it had been stored.
            Change::NotSupported
                if self.defect(crate::defects::OcppDefect::UnknownConfigKeyAccepted) =>
            {
                ConfigurationStatus::Accepted
            }
            _ => change.status(),
        };
        Ok(ChangeConfigurationResponse { status })
    }

    /// Side effects of an accepted configuration change.
    fn after_config_change(
        &mut self,
        now: DateTime<Utc>,
        key: &str,
        value: &str,
        previous_profile: i64,
    ) {
        match key {
            keys::WEB_SOCKET_PING_INTERVAL => self.out.push_back(Output::SetPingInterval {
                seconds: value.parse().unwrap_or(0),
            }),
            keys::CLOCK_ALIGNED_DATA_INTERVAL => self.reschedule_aligned(now),
            keys::METER_VALUE_SAMPLE_INTERVAL => {
                let interval = self.config.int(keys::METER_VALUE_SAMPLE_INTERVAL);
                for c in self.connectors.iter_mut() {
                    if let Some(tx) = c.tx.as_mut() {
                        tx.next_sample_at =
                            (interval > 0).then(|| now + chrono::Duration::seconds(interval));
                    }
                }
            }
            keys::SECURITY_PROFILE => {
                self.queue_security_event(now, "ReconfigurationOfSecurityParameters");
                self.warn(format!(
                    "security profile raised from {previous_profile} to {value}"
                ));
                self.out.push_back(Output::SecuritySettings {
                    profile: value.parse().unwrap_or(0),
                    authorization_key: None,
                });
                // The connection with the new profile is a new registration: it starts
                // with a BootNotification (OCTT TC_083). Should the shell keep the old
                // connection (a failed upgrade), the boot goes out there after a while.
                self.registration = Registration::Unknown;
                self.boot_due = now + chrono::Duration::seconds(SECURITY_REBOOT_GUARD_S);
            }
            keys::AUTHORIZATION_KEY => {
                self.queue_security_event(now, "ReconfigurationOfSecurityParameters");
                self.out.push_back(Output::SecuritySettings {
                    profile: self.config.int(keys::SECURITY_PROFILE) as u8,
                    authorization_key: Some(value.to_string()),
                });
            }
            keys::AUTHORIZATION_CACHE_ENABLED if value == "false" => {
                self.cache.clear();
                let cache = self.cache.clone();
                self.store(store_keys::AUTH_CACHE, &cache);
            }
            _ => {}
        }
    }

    fn clear_cache(&mut self) -> ClearCacheResponse {
        self.cache.clear();
        let cache = self.cache.clone();
        self.store(store_keys::AUTH_CACHE, &cache);
        ClearCacheResponse {
            status: ClearCacheStatus::Accepted,
        }
    }

    fn send_local_list(&mut self, req: SendLocalListRequest) -> SendLocalListResponse {
        let data = req.local_authorization_list.unwrap_or_default();
        let status = if !self.config.bool(keys::LOCAL_AUTH_LIST_ENABLED) {
            UpdateStatus::NotSupported
        } else if data.len() as i64 > self.config.int(keys::SEND_LOCAL_LIST_MAX_LENGTH) {
            UpdateStatus::Failed
        } else if self.storage_faults.contains(store_keys::LOCAL_LIST) {
            // A list that a restart would lose is refused, the old one stays (TC_043_3).
            UpdateStatus::Failed
        } else {
            let max = self.config.int(keys::LOCAL_AUTH_LIST_MAX_LENGTH).max(0) as usize;
            let previous_version = self.local_list.version;
            let status = self
                .local_list
                .update(req.list_version, req.update_type, &data, max);
            if status == UpdateStatus::Accepted {
                // Seeded defect: the entries are taken over, the list's version is not.
                if self.defect(crate::defects::OcppDefect::LocalListVersionNotUpdated) {
                    self.local_list.version = previous_version;
                }
                let list = self.local_list.clone();
                self.store(store_keys::LOCAL_LIST, &list);
            }
            status
        };
        SendLocalListResponse { status }
    }

    fn data_transfer(&mut self, req: DataTransferRequest) -> DataTransferResponse {
        self.warn(format!(
            "DataTransfer from unknown vendor {:?}",
            req.vendor_string
        ));
        DataTransferResponse {
            status: DataTransferStatus::UnknownVendorId,
            data: None,
        }
    }

    fn get_diagnostics(
        &mut self,
        now: DateTime<Utc>,
        req: GetDiagnosticsRequest,
    ) -> GetDiagnosticsResponse {
        let serial = self.settings.serial_number.clone();
        let file_name = self.transfers.get_diagnostics(
            req.location,
            req.retries,
            req.retry_interval,
            now,
            &serial,
        );
        self.persist_transfers();
        GetDiagnosticsResponse {
            file_name: Some(file_name),
        }
    }
}
