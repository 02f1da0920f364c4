//! Reservations made with ReserveNow (connector 0 = any connector).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reservation {
    pub id: i32,
    /// 0 = the charge point as a whole.
    pub connector: u32,
    pub id_tag: String,
    pub parent_id_tag: Option<String>,
    pub expiry: DateTime<Utc>,
}

impl Reservation {
    /// Whether a user with `id_tag` (and the parent the CSMS reported for it)
    /// may use this reservation.
    pub fn admits(&self, id_tag: &str, parent_id_tag: Option<&str>) -> bool {
        if self.id_tag.eq_ignore_ascii_case(id_tag) {
            return true;
        }
        match (&self.parent_id_tag, parent_id_tag) {
            (Some(ours), Some(theirs)) => ours.eq_ignore_ascii_case(theirs),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Reservations {
    list: Vec<Reservation>,
}

impl Reservations {
    /// Adds or replaces (same id) a reservation.
    pub fn put(&mut self, r: Reservation) {
        self.list.retain(|x| x.id != r.id);
        self.list.push(r);
    }

    pub fn cancel(&mut self, id: i32) -> bool {
        let before = self.list.len();
        self.list.retain(|x| x.id != id);
        self.list.len() != before
    }

    pub fn get(&self, id: i32) -> Option<&Reservation> {
        self.list.iter().find(|r| r.id == id)
    }

    /// Reservation bound to this connector (not connector 0).
    pub fn for_connector(&self, connector: u32) -> Option<&Reservation> {
        self.list.iter().find(|r| r.connector == connector)
    }

    /// Reservations on connector 0.
    pub fn whole_charge_point(&self) -> impl Iterator<Item = &Reservation> {
        self.list.iter().filter(|r| r.connector == 0)
    }

    /// Removes expired reservations and returns them.
    pub fn expire(&mut self, now: DateTime<Utc>) -> Vec<Reservation> {
        let (gone, kept): (Vec<_>, Vec<_>) = self.list.drain(..).partition(|r| r.expiry <= now);
        self.list = kept;
        gone
    }

    pub fn next_expiry(&self) -> Option<DateTime<Utc>> {
        self.list.iter().map(|r| r.expiry).min()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn r(id: i32, connector: u32, expiry: i64) -> Reservation {
        Reservation {
            id,
            connector,
            id_tag: "TAG".into(),
            parent_id_tag: Some("PARENT".into()),
            expiry: Utc.timestamp_opt(expiry, 0).unwrap(),
        }
    }

    #[test]
    fn admits_owner_and_same_parent_only() {
        let x = r(1, 1, 100);
        assert!(x.admits("tag", None));
        assert!(x.admits("other", Some("parent")));
        assert!(!x.admits("other", None));
        assert!(!x.admits("other", Some("p2")));
    }

    #[test]
    fn replaces_same_id_and_expires() {
        let mut rs = Reservations::default();
        rs.put(r(1, 1, 100));
        rs.put(r(1, 1, 200));
        rs.put(r(2, 0, 150));
        assert_eq!(rs.next_expiry(), Some(Utc.timestamp_opt(150, 0).unwrap()));
        let gone = rs.expire(Utc.timestamp_opt(150, 0).unwrap());
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].id, 2);
        assert!(rs.for_connector(1).is_some());
        assert!(rs.cancel(1));
        assert!(!rs.cancel(1));
        assert!(rs.is_empty());
    }
}
