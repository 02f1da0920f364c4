use serde::{de::DeserializeOwned, Serialize};

use crate::PluginError;

/// One method of an instrument kind: the argument struct names the method and its reply.
///
/// The host serializes the struct as the call's arguments and parses the result as `Reply`;
/// the plugin side gets the same struct through its kind trait.
pub trait Method: Serialize + DeserializeOwned {
    /// The method name on the wire (snake_case).
    const NAME: &'static str;
    /// What a successful call returns.
    type Reply: Serialize + DeserializeOwned;
}

/// Parses a call's JSON arguments; an empty string or `null` counts as `{}` so that methods
/// without arguments can be called from C with no payload.
pub fn decode_args<T: DeserializeOwned>(method: &str, args_json: &str) -> Result<T, PluginError> {
    let trimmed = args_json.trim();
    let text = if trimmed.is_empty() || trimmed == "null" {
        "{}"
    } else {
        trimmed
    };
    serde_json::from_str(text)
        .map_err(|e| PluginError::new(format!("bad arguments for method `{method}`: {e}")))
}

/// Serializes a reply for the wire.
pub fn encode_reply<T: Serialize>(reply: &T) -> Result<String, PluginError> {
    serde_json::to_string(reply).map_err(|e| PluginError::new(format!("cannot encode reply: {e}")))
}

/// Parses a reply on the host side, naming the method when it does not fit.
pub fn decode_reply<M: Method>(result_json: &str) -> Result<M::Reply, PluginError> {
    serde_json::from_str(result_json).map_err(|e| {
        PluginError::new(format!(
            "reply to `{}` does not match its declared type: {e}",
            M::NAME
        ))
    })
}
