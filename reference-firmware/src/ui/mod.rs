//! The local management interface of the unit: the installer's web pages and the same
//! operations as a JSON API, over a small HTTP/1.1 server written on tokio.
//!
//! - [`session`]: sans-IO PIN login, lock-out, sessions and anti-forgery tokens (time is input);
//! - [`access_point`]: sans-IO model of the commissioning Wi-Fi access point;
//! - [`backend`]: the [`Backend`] trait the firmware implements, and the data it exchanges;
//! - [`client`]: a JSON API client for tools, harness steps and tests;
//! - [`serve`]: the server (`http` parses, `app` authorizes and routes, `api` and `pages`
//!   answer, `ops` holds the operations both share, `validate` the syntax checks).
//!
//! Wiring, for the firmware shell:
//! ```text
//! let ap = ui::AccessPointHandle::power_on(ui::Clock::system(), &serial, pin.as_deref(), window);
//! let backend: Arc<dyn ui::Backend> = Arc::new(MyBackend { ap: ap.clone(), .. });
//! let listener = tokio::net::TcpListener::bind(ui_listen).await?;
//! let task = ui::serve(listener, backend, ui::UiOptions::default());
//! // on Ethernet link changes from the board: ap.set_ethernet_link(up);
//! ```
//! The endpoints are documented in `reference-firmware/UI.md`.

pub mod access_point;
mod api;
mod app;
pub mod backend;
pub mod client;
mod clock;
mod html;
pub mod http;
mod ops;
mod pages;
pub mod session;
mod url;
pub mod validate;

#[cfg(test)]
mod tests;

pub use access_point::{
    ssid_for_serial, AccessPoint, AccessPointHandle, ApOffReason, ApStatus, ACCESS_POINT_ADDRESS,
    DEFAULT_WINDOW,
};
pub use app::{serve, BackendTimeout, UiOptions, CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE};
pub use backend::{
    Backend, Earthing, EthernetStatus, Installation, KeyChange, NetworkStatus, OcppConnection,
    OcppSettings, OcppSettingsUpdate, OcppStatus, RfidCards, Status, WifiJoin, WifiSecurity,
    WifiStatus,
};
pub use client::{Client, ClientReply};
pub use clock::Clock;
pub use http::HttpLimits;
pub use session::SecurityConfig;
