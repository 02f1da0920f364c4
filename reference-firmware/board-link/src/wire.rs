//! Little-endian field readers and writers used by the message bodies.

use crate::FrameError;

/// Appends little-endian fields to a body.
pub(crate) struct Writer<'a>(pub(crate) &'a mut Vec<u8>);

impl Writer<'_> {
    pub(crate) fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    pub(crate) fn bool(&mut self, v: bool) {
        self.0.push(u8::from(v));
    }
    pub(crate) fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn i16(&mut self, v: i16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn i32(&mut self, v: i32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// A short text: one length byte, then at most 32 bytes of UTF-8 (longer text is cut at a
    /// character boundary).
    pub(crate) fn text(&mut self, s: &str) {
        let mut end = s.len().min(crate::MAX_TEXT_LEN);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        self.0.push(end as u8);
        self.0.extend_from_slice(&s.as_bytes()[..end]);
    }
}

/// Reads little-endian fields from a body; running out of bytes is a [`FrameError::BadLength`].
pub(crate) struct Reader<'a> {
    body: &'a [u8],
    pos: usize,
    type_id: u8,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(type_id: u8, body: &'a [u8]) -> Self {
        Reader {
            body,
            pos: 0,
            type_id,
        }
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], FrameError> {
        let end = self.pos + N;
        if end > self.body.len() {
            return Err(FrameError::BadLength {
                type_id: self.type_id,
                len: self.body.len(),
            });
        }
        let mut buf = [0u8; N];
        buf.copy_from_slice(&self.body[self.pos..end]);
        self.pos = end;
        Ok(buf)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, FrameError> {
        Ok(self.take::<1>()?[0])
    }
    pub(crate) fn bool(&mut self, field: &'static str) -> Result<bool, FrameError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(self.bad_value(field, v.into())),
        }
    }
    pub(crate) fn u16(&mut self) -> Result<u16, FrameError> {
        Ok(u16::from_le_bytes(self.take()?))
    }
    pub(crate) fn i16(&mut self) -> Result<i16, FrameError> {
        Ok(i16::from_le_bytes(self.take()?))
    }
    pub(crate) fn u32(&mut self) -> Result<u32, FrameError> {
        Ok(u32::from_le_bytes(self.take()?))
    }
    pub(crate) fn i32(&mut self) -> Result<i32, FrameError> {
        Ok(i32::from_le_bytes(self.take()?))
    }
    pub(crate) fn u64(&mut self) -> Result<u64, FrameError> {
        Ok(u64::from_le_bytes(self.take()?))
    }
    pub(crate) fn text(&mut self, field: &'static str) -> Result<String, FrameError> {
        let len = self.u8()? as usize;
        if len > crate::MAX_TEXT_LEN {
            return Err(self.bad_value(field, len as i64));
        }
        if self.pos + len > self.body.len() {
            return Err(FrameError::BadLength {
                type_id: self.type_id,
                len: self.body.len(),
            });
        }
        let bytes = &self.body[self.pos..self.pos + len];
        self.pos += len;
        String::from_utf8(bytes.to_vec()).map_err(|_| self.bad_value(field, len as i64))
    }

    pub(crate) fn bad_value(&self, field: &'static str, value: i64) -> FrameError {
        FrameError::BadValue {
            type_id: self.type_id,
            field,
            value,
        }
    }
}
