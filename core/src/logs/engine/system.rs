//! Rows of the system-log formats: each line goes through its format's parser (in
//! `format::{syslog, errorlog, template}`), then its parts are stored in the schema's columns
//! (listed in `format::system`, whose order the column numbers below follow).

use super::{Engine, Failure, Sink, fail};
use crate::logs::fields;
use crate::logs::format::{Program, errorlog, syslog};
use crate::logs::table::RowError;
use crate::pool::StringPool;

type Pools<'a, 'p> = &'a mut [Option<&'p mut StringPool>];

impl Engine {
    /// With `strict_utf8`, a line that is not UTF-8 fails as a whole (`limit` is where the
    /// invalid bytes start; the line's length otherwise).
    pub(super) fn check_utf8(line: &[u8], limit: usize) -> Result<(), Failure> {
        if limit < line.len() { Err(fail(RowError::InvalidUtf8, limit)) } else { Ok(()) }
    }

    fn put_u16(&mut self, column: usize, value: Option<u16>) {
        if let Sink::UInt16(v) = &mut self.sinks[column] {
            v.push(value.unwrap_or(0));
            self.validity[column].push(value.is_some());
        }
    }

    fn put_u64(&mut self, column: usize, value: Option<u64>) {
        if let Sink::UInt64(v) = &mut self.sinks[column] {
            v.push(value.unwrap_or(0));
            self.validity[column].push(value.is_some());
        }
    }

    fn put_i16(&mut self, column: usize, value: Option<i16>) {
        if let Sink::Int16(v) = &mut self.sinks[column] {
            v.push(value.unwrap_or(0));
            self.validity[column].push(value.is_some());
        }
    }

    /// An `Int64` or `Timestamp` column.
    fn put_i64(&mut self, column: usize, value: Option<i64>) {
        if let Sink::Int64(v) | Sink::Timestamp(v) = &mut self.sinks[column] {
            v.push(value.unwrap_or(0));
            self.validity[column].push(value.is_some());
        }
    }

    fn put_f64(&mut self, column: usize, value: Option<f64>) {
        if let Sink::Float64(v) = &mut self.sinks[column] {
            v.push(value.unwrap_or(0.0));
            self.validity[column].push(value.is_some());
        }
    }

    /// A string value or null; the text is kept as it is (`-` included).
    fn put_text(&mut self, column: usize, value: Option<&[u8]>, pools: Pools<'_, '_>) {
        match value {
            Some(value) => self.string(column, value, pools),
            None => self.null(column),
        }
    }

    pub(super) fn syslog_rfc3164(
        &mut self,
        line: &[u8],
        limit: usize,
        pools: Pools<'_, '_>,
    ) -> Result<(), Failure> {
        Self::check_utf8(line, limit)?;
        let record = syslog::parse_rfc3164(line).map_err(|(error, at)| fail(error, at))?;
        let key = [
            u32::from(record.month),
            u32::from(record.day),
            u32::from(record.hour),
            u32::from(record.minute),
            u32::from(record.second),
            record.micros,
        ];
        let time = match self.clock_3164 {
            Some((cached, time)) if cached == key => time,
            _ => {
                let time = syslog::timestamp_3164(&self.year_rule, &record)
                    .ok_or(fail(RowError::BadTimestamp, 0))?;
                self.clock_3164 = Some((key, time));
                time
            }
        };
        self.put_i64(1, Some(time));
        self.put_u16(2, record.facility().map(u16::from));
        self.put_u16(3, record.severity().map(u16::from));
        self.put_text(4, Some(record.hostname), pools);
        self.put_text(5, record.app_name, pools);
        self.put_text(6, record.proc_id, pools);
        self.put_text(7, Some(record.message), pools);
        Ok(())
    }

    pub(super) fn syslog_rfc5424(
        &mut self,
        line: &[u8],
        limit: usize,
        pools: Pools<'_, '_>,
    ) -> Result<(), Failure> {
        Self::check_utf8(line, limit)?;
        let record = syslog::parse_rfc5424(line).map_err(|(error, at)| fail(error, at))?;
        self.put_i64(1, record.timestamp.map(|(micros, _)| micros));
        self.put_i16(2, record.timestamp.map(|(_, offset)| offset));
        self.put_u16(3, Some(u16::from(record.pri / 8)));
        self.put_u16(4, Some(u16::from(record.pri % 8)));
        self.put_u16(5, Some(record.version));
        self.put_text(6, record.hostname, pools);
        self.put_text(7, record.app_name, pools);
        self.put_text(8, record.proc_id, pools);
        self.put_text(9, record.msg_id, pools);
        self.put_text(10, record.structured_data, pools);
        self.put_text(11, record.message, pools);
        Ok(())
    }

    pub(super) fn apache_error(
        &mut self,
        line: &[u8],
        limit: usize,
        pools: Pools<'_, '_>,
    ) -> Result<(), Failure> {
        Self::check_utf8(line, limit)?;
        let record = errorlog::parse_apache_error(line).map_err(|(error, at)| fail(error, at))?;
        self.put_i64(1, Some(record.timestamp));
        self.put_text(2, record.module, pools);
        self.put_text(3, Some(record.level), pools);
        self.put_i64(4, record.pid);
        self.put_i64(5, record.tid);
        self.put_text(6, record.client, pools);
        self.put_u16(7, record.client_port);
        self.put_text(8, record.error_code, pools);
        self.put_text(9, Some(record.message), pools);
        Ok(())
    }

    pub(super) fn nginx_error(
        &mut self,
        line: &[u8],
        limit: usize,
        pools: Pools<'_, '_>,
    ) -> Result<(), Failure> {
        Self::check_utf8(line, limit)?;
        let record = errorlog::parse_nginx_error(line).map_err(|(error, at)| fail(error, at))?;
        self.put_i64(1, Some(record.timestamp));
        self.put_text(2, Some(record.level), pools);
        self.put_i64(3, Some(record.pid));
        self.put_i64(4, Some(record.tid));
        self.put_u64(5, record.connection);
        self.put_text(6, Some(record.message), pools);
        self.put_text(7, record.client, pools);
        self.put_text(8, record.server, pools);
        self.put_text(9, record.request, pools);
        self.put_text(10, record.upstream, pools);
        self.put_text(11, record.host, pools);
        self.put_text(12, record.referrer, pools);
        Ok(())
    }

    pub(super) fn template(
        &mut self,
        line: &[u8],
        limit: usize,
        pools: Pools<'_, '_>,
    ) -> Result<(), Failure> {
        Self::check_utf8(line, limit)?;
        let Program::Template(template) = &self.program else {
            return Err(fail(RowError::UnexpectedText, 0));
        };
        let mut ranges = std::mem::take(&mut self.template_ranges);
        let matched = template.match_line(line, &mut ranges, &mut self.template_scratch);
        let result = match matched {
            Ok(()) => self.store_fields(line, &ranges, pools),
            // The whole line is checked before any field is stored: a line that does not match
            // has every field null.
            Err(at) => Err(fail(RowError::UnexpectedText, at.min(line.len()))),
        };
        self.template_ranges = ranges;
        result
    }

    fn store_fields(
        &mut self,
        line: &[u8],
        ranges: &[Option<(usize, usize)>],
        pools: Pools<'_, '_>,
    ) -> Result<(), Failure> {
        for (i, range) in ranges.iter().enumerate() {
            let column = i + 1;
            let Some((start, end)) = *range else {
                self.null(column);
                continue;
            };
            let text = line.get(start..end).unwrap_or_default();
            match self.sinks[column] {
                Sink::Int64(_) => {
                    let value = fields::parse_i64(text).ok_or(fail(RowError::BadNumber, start))?;
                    self.put_i64(column, Some(value));
                }
                Sink::Float64(_) => {
                    let value = fields::parse_f64(text).ok_or(fail(RowError::BadNumber, start))?;
                    self.put_f64(column, Some(value));
                }
                _ => self.string(column, text, pools),
            }
        }
        Ok(())
    }
}
