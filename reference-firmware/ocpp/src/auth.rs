//! Local authorization data: the Local Authorization List (managed by the CSMS
//! with SendLocalList) and the Authorization Cache (learnt from CSMS answers).
//! IdTags compare case-insensitively (IdToken is a CiString20).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_ocpp::v1_6::types::{
    AuthorizationData, AuthorizationStatus, IdTagInfo, UpdateStatus, UpdateType,
};
use serde::{Deserialize, Serialize};

fn norm(id_tag: &str) -> String {
    id_tag.to_ascii_uppercase()
}

/// `info` as it applies at `now`: an Accepted entry past its expiry date is Expired.
fn effective(info: &IdTagInfo, now: DateTime<Utc>) -> IdTagInfo {
    let mut info = info.clone();
    if info.status == AuthorizationStatus::Accepted && info.expiry_date.is_some_and(|e| e <= now) {
        info.status = AuthorizationStatus::Expired;
    }
    info
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LocalList {
    pub(crate) version: i32,
    entries: BTreeMap<String, IdTagInfo>,
}

impl LocalList {
    /// GetLocalListVersion: 0 when no (or an empty) list is installed.
    pub fn reported_version(&self) -> i32 {
        if self.entries.is_empty() {
            0
        } else {
            self.version
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn lookup(&self, id_tag: &str, now: DateTime<Utc>) -> Option<IdTagInfo> {
        self.entries.get(&norm(id_tag)).map(|i| effective(i, now))
    }

    pub fn contains(&self, id_tag: &str) -> bool {
        self.entries.contains_key(&norm(id_tag))
    }

    /// Applies a SendLocalList. `max_len` bounds the list after the update.
    pub fn update(
        &mut self,
        version: i32,
        update: UpdateType,
        data: &[AuthorizationData],
        max_len: usize,
    ) -> UpdateStatus {
        if version <= 0 {
            return UpdateStatus::Failed;
        }
        let mut next = match update {
            UpdateType::Full => BTreeMap::new(),
            UpdateType::Differential => {
                if version <= self.version {
                    return UpdateStatus::VersionMismatch;
                }
                self.entries.clone()
            }
        };
        for entry in data {
            if entry.id_tag.is_empty() || entry.id_tag.chars().count() > 20 {
                return UpdateStatus::Failed;
            }
            match &entry.id_tag_info {
                Some(info) => {
                    next.insert(norm(&entry.id_tag), info.clone());
                }
                None => {
                    next.remove(&norm(&entry.id_tag));
                }
            }
        }
        if next.len() > max_len {
            return UpdateStatus::Failed;
        }
        self.entries = next;
        self.version = version;
        UpdateStatus::Accepted
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CacheEntry {
    info: IdTagInfo,
    /// Insertion order, to evict the oldest entry when full.
    seq: u64,
}

/// The Authorization Cache; it survives reboots (the owner persists it).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AuthCache {
    entries: BTreeMap<String, CacheEntry>,
    next_seq: u64,
}

/// Entries kept before the oldest one is evicted.
pub const CACHE_CAPACITY: usize = 500;

impl AuthCache {
    pub fn lookup(&self, id_tag: &str, now: DateTime<Utc>) -> Option<IdTagInfo> {
        self.entries
            .get(&norm(id_tag))
            .map(|e| effective(&e.info, now))
    }

    pub fn store(&mut self, id_tag: &str, info: &IdTagInfo) {
        self.next_seq += 1;
        self.entries.insert(
            norm(id_tag),
            CacheEntry {
                info: info.clone(),
                seq: self.next_seq,
            },
        );
        while self.entries.len() > CACHE_CAPACITY {
            let oldest = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.seq)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => self.entries.remove(&k),
                None => break,
            };
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap()
    }

    fn entry(tag: &str, status: Option<AuthorizationStatus>) -> AuthorizationData {
        AuthorizationData {
            id_tag: tag.into(),
            id_tag_info: status.map(|status| IdTagInfo {
                status,
                ..Default::default()
            }),
        }
    }

    #[test]
    fn full_then_differential_with_versions() {
        let mut l = LocalList::default();
        assert_eq!(l.reported_version(), 0);
        let a = Some(AuthorizationStatus::Accepted);
        assert_eq!(
            l.update(2, UpdateType::Full, &[entry("aa", a.clone())], 10),
            UpdateStatus::Accepted
        );
        assert_eq!(l.reported_version(), 2);
        assert_eq!(
            l.update(5, UpdateType::Differential, &[entry("BB", a.clone())], 10),
            UpdateStatus::Accepted
        );
        assert_eq!(
            l.update(4, UpdateType::Differential, &[entry("CC", a)], 10),
            UpdateStatus::VersionMismatch
        );
        assert_eq!(l.reported_version(), 5);
        assert!(l.contains("AA") && l.contains("bb") && !l.contains("cc"));
        assert_eq!(
            l.update(6, UpdateType::Differential, &[entry("aa", None)], 10),
            UpdateStatus::Accepted
        );
        assert!(!l.contains("aa"));
    }

    #[test]
    fn empty_full_list_reports_zero_and_overflow_fails() {
        let mut l = LocalList::default();
        assert_eq!(
            l.update(1, UpdateType::Full, &[], 10),
            UpdateStatus::Accepted
        );
        assert_eq!(l.reported_version(), 0);
        let many: Vec<_> = (0..3)
            .map(|i| entry(&format!("T{i}"), Some(AuthorizationStatus::Accepted)))
            .collect();
        assert_eq!(
            l.update(2, UpdateType::Full, &many, 2),
            UpdateStatus::Failed
        );
        assert_eq!(l.update(0, UpdateType::Full, &[], 2), UpdateStatus::Failed);
    }

    #[test]
    fn expired_entries_are_reported_expired() {
        let mut c = AuthCache::default();
        c.store(
            "tag",
            &IdTagInfo {
                status: AuthorizationStatus::Accepted,
                expiry_date: Some(t(10)),
                parent_id_tag: None,
            },
        );
        assert_eq!(
            c.lookup("TAG", t(5)).unwrap().status,
            AuthorizationStatus::Accepted
        );
        assert_eq!(
            c.lookup("TAG", t(10)).unwrap().status,
            AuthorizationStatus::Expired
        );
    }

    #[test]
    fn cache_evicts_oldest() {
        let mut c = AuthCache::default();
        let info = IdTagInfo::default();
        for i in 0..=CACHE_CAPACITY {
            c.store(&format!("T{i}"), &info);
        }
        assert_eq!(c.len(), CACHE_CAPACITY);
        assert!(c.lookup("T0", t(0)).is_none());
        assert!(c.lookup("T1", t(0)).is_some());
    }
}
