//! PostGIS `geography(Point, 4326)` as a `geo::Point` for sqlx, in PostGIS's own binary
//! format (EWKB), so coordinates never pass through SQL text.

use geo_types::Point;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef, Postgres};
use sqlx::{Decode, Encode, Type};

const WGS84: u32 = 4326;
const EWKB_SRID_FLAG: u32 = 0x2000_0000;
const EWKB_Z_FLAG: u32 = 0x8000_0000;
const EWKB_M_FLAG: u32 = 0x4000_0000;

/// A WGS 84 point: x is longitude, y latitude, in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint(pub Point<f64>);

impl GeoPoint {
    pub fn new(latitude: f64, longitude: f64) -> GeoPoint {
        GeoPoint(Point::new(longitude, latitude))
    }

    pub fn latitude(&self) -> f64 {
        self.0.y()
    }

    pub fn longitude(&self) -> f64 {
        self.0.x()
    }
}

impl Type<Postgres> for GeoPoint {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_name("geography")
    }
}

impl Encode<'_, Postgres> for GeoPoint {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push(1); // little endian
        buf.extend_from_slice(&(1 | EWKB_SRID_FLAG).to_le_bytes());
        buf.extend_from_slice(&WGS84.to_le_bytes());
        buf.extend_from_slice(&self.0.x().to_le_bytes());
        buf.extend_from_slice(&self.0.y().to_le_bytes());
        Ok(IsNull::No)
    }
}

impl<'r> Decode<'r, Postgres> for GeoPoint {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        decode_ewkb_point(value.as_bytes()?).map(GeoPoint)
    }
}

/// Reads a point from (E)WKB as PostGIS sends it: either byte order, optional SRID, and Z/M
/// ordinates (ignored).
pub fn decode_ewkb_point(b: &[u8]) -> Result<Point<f64>, BoxDynError> {
    let little = match b.first() {
        Some(1) => true,
        Some(0) => false,
        _ => return Err("not WKB".into()),
    };
    let u32_at = |i: usize| -> Result<u32, BoxDynError> {
        let s: [u8; 4] = b.get(i..i + 4).ok_or("WKB too short")?.try_into()?;
        Ok(if little {
            u32::from_le_bytes(s)
        } else {
            u32::from_be_bytes(s)
        })
    };
    let f64_at = |i: usize| -> Result<f64, BoxDynError> {
        let s: [u8; 8] = b.get(i..i + 8).ok_or("WKB too short")?.try_into()?;
        Ok(if little {
            f64::from_le_bytes(s)
        } else {
            f64::from_be_bytes(s)
        })
    };
    let kind = u32_at(1)?;
    if (kind & !(EWKB_SRID_FLAG | EWKB_Z_FLAG | EWKB_M_FLAG)) % 1000 != 1 {
        return Err(format!("WKB geometry type {kind:#x} is not a point").into());
    }
    let mut at = 5;
    if kind & EWKB_SRID_FLAG != 0 {
        let srid = u32_at(at)?;
        if srid != WGS84 {
            return Err(format!("SRID {srid} is not WGS 84").into());
        }
        at += 4;
    }
    Ok(Point::new(f64_at(at)?, f64_at(at + 8)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_big_and_little_endian_with_and_without_srid() {
        // POINT(-111.6585 40.2338) as PostGIS writes it, and as ISO WKB big-endian.
        let mut ewkb = vec![1u8];
        ewkb.extend((1 | EWKB_SRID_FLAG).to_le_bytes());
        ewkb.extend(4326u32.to_le_bytes());
        ewkb.extend((-111.6585f64).to_le_bytes());
        ewkb.extend(40.2338f64.to_le_bytes());
        assert_eq!(
            decode_ewkb_point(&ewkb).unwrap(),
            Point::new(-111.6585, 40.2338)
        );
        let mut wkb = vec![0u8];
        wkb.extend(1u32.to_be_bytes());
        wkb.extend(2.5f64.to_be_bytes());
        wkb.extend((-3.0f64).to_be_bytes());
        assert_eq!(decode_ewkb_point(&wkb).unwrap(), Point::new(2.5, -3.0));
        assert!(decode_ewkb_point(&[1, 2, 0, 0, 0]).is_err());
        assert!(decode_ewkb_point(&[]).is_err());
    }
}
