//! Serializing with every floating-point number made finite.
//!
//! JSON has no NaN or infinity, and serde_json writes them as `null` where scripts
//! reading `summary.json` expect a number (the latency of a function that served
//! nothing is NaN). Rather than copying each result with its float fields listed by
//! hand, which a new field silently escapes, [`Finite`] wraps the serializer itself:
//! every `f32`/`f64` anywhere in the value, however deeply nested or flattened, passes
//! through [`finite`] on its way out.

use serde::ser::{
    Serialize, SerializeMap, SerializeSeq, SerializeStruct, SerializeStructVariant, SerializeTuple,
    SerializeTupleStruct, SerializeTupleVariant, Serializer,
};

/// `value`, serialized with every NaN or infinite number written as zero.
pub(crate) struct Finite<'a, T: ?Sized>(pub(crate) &'a T);

impl<T: Serialize + ?Sized> Serialize for Finite<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(FiniteSerializer(serializer))
    }
}

/// `x`, or 0 if it is NaN or infinite.
pub(crate) fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

/// A serializer that hands everything to the one it wraps, floats made finite and
/// nested values wrapped again.
struct FiniteSerializer<S>(S);

/// A compound (struct, sequence, map) being serialized, whose elements are wrapped.
struct Compound<C>(C);

/// Forwards scalar methods unchanged: only floats need care.
macro_rules! forward_scalars {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method(self, v: $ty) -> Result<S::Ok, S::Error> {
            self.0.$method(v)
        }
    )*};
}

impl<S: Serializer> Serializer for FiniteSerializer<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Compound<S::SerializeSeq>;
    type SerializeTuple = Compound<S::SerializeTuple>;
    type SerializeTupleStruct = Compound<S::SerializeTupleStruct>;
    type SerializeTupleVariant = Compound<S::SerializeTupleVariant>;
    type SerializeMap = Compound<S::SerializeMap>;
    type SerializeStruct = Compound<S::SerializeStruct>;
    type SerializeStructVariant = Compound<S::SerializeStructVariant>;

    forward_scalars!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    );

    fn serialize_f32(self, v: f32) -> Result<S::Ok, S::Error> {
        self.0.serialize_f32(if v.is_finite() { v } else { 0.0 })
    }

    fn serialize_f64(self, v: f64) -> Result<S::Ok, S::Error> {
        self.0.serialize_f64(finite(v))
    }

    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_none()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(&Finite(v))
    }

    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit_variant(name, index, variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        v: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_struct(name, &Finite(v))
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0
            .serialize_newtype_variant(name, index, variant, &Finite(v))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.0.serialize_seq(len).map(Compound)
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.0.serialize_tuple(len).map(Compound)
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.0.serialize_tuple_struct(name, len).map(Compound)
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.0
            .serialize_tuple_variant(name, index, variant, len)
            .map(Compound)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.0.serialize_map(len).map(Compound)
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.0.serialize_struct(name, len).map(Compound)
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        self.0
            .serialize_struct_variant(name, index, variant, len)
            .map(Compound)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// Implements a compound trait whose element method takes only the value.
macro_rules! compound_of_values {
    ($($trait:ident :: $method:ident),* $(,)?) => {$(
        impl<C: $trait> $trait for Compound<C> {
            type Ok = C::Ok;
            type Error = C::Error;

            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), C::Error> {
                self.0.$method(&Finite(v))
            }

            fn end(self) -> Result<C::Ok, C::Error> {
                self.0.end()
            }
        }
    )*};
}

compound_of_values!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

/// Implements a compound trait whose fields are named.
macro_rules! compound_of_fields {
    ($($trait:ident),* $(,)?) => {$(
        impl<C: $trait> $trait for Compound<C> {
            type Ok = C::Ok;
            type Error = C::Error;

            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                v: &T,
            ) -> Result<(), C::Error> {
                self.0.serialize_field(key, &Finite(v))
            }

            fn skip_field(&mut self, key: &'static str) -> Result<(), C::Error> {
                self.0.skip_field(key)
            }

            fn end(self) -> Result<C::Ok, C::Error> {
                self.0.end()
            }
        }
    )*};
}

compound_of_fields!(SerializeStruct, SerializeStructVariant);

impl<C: SerializeMap> SerializeMap for Compound<C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), C::Error> {
        self.0.serialize_key(&Finite(key))
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), C::Error> {
        self.0.serialize_value(&Finite(v))
    }

    fn serialize_entry<K, V>(&mut self, key: &K, v: &V) -> Result<(), C::Error>
    where
        K: Serialize + ?Sized,
        V: Serialize + ?Sized,
    {
        self.0.serialize_entry(&Finite(key), &Finite(v))
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use std::collections::BTreeMap;

    #[derive(Serialize)]
    struct Inner {
        x: f64,
        y: f32,
    }

    #[derive(Serialize)]
    enum Shape {
        Newtype(f64),
        Tuple(f64, f32),
        Struct { z: f64 },
    }

    #[derive(Serialize)]
    struct Outer {
        a: f64,
        inner: Inner,
        #[serde(flatten)]
        flat: Inner,
        list: Vec<f64>,
        tuple: (f64, u8),
        map: BTreeMap<String, f64>,
        some: Option<f64>,
        none: Option<f64>,
        shapes: Vec<Shape>,
        kept: f64,
    }

    #[test]
    fn every_nested_float_is_made_finite() {
        let nan = f64::NAN;
        let value = Outer {
            a: nan,
            inner: Inner {
                x: f64::INFINITY,
                y: f32::NAN,
            },
            flat: Inner {
                x: f64::NEG_INFINITY,
                y: f32::INFINITY,
            },
            list: vec![nan, 1.5],
            tuple: (nan, 3),
            map: BTreeMap::from([("k".to_string(), nan)]),
            some: Some(nan),
            none: None,
            shapes: vec![
                Shape::Newtype(nan),
                Shape::Tuple(nan, f32::NAN),
                Shape::Struct { z: nan },
            ],
            kept: -2.25,
        };
        let text = serde_json::to_string(&Finite(&value)).unwrap();
        assert_eq!(
            text,
            r#"{"a":0.0,"inner":{"x":0.0,"y":0.0},"x":0.0,"y":0.0,"list":[0.0,1.5],"tuple":[0.0,3],"map":{"k":0.0},"some":0.0,"none":null,"shapes":[{"Newtype":0.0},{"Tuple":[0.0,0.0]},{"Struct":{"z":0.0}}],"kept":-2.25}"#
        );
    }

    #[test]
    fn finite_values_are_unchanged() {
        let value = vec![0.1, -0.0, 1e300, f64::MIN_POSITIVE];
        assert_eq!(
            serde_json::to_string(&Finite(&value)).unwrap(),
            serde_json::to_string(&value).unwrap()
        );
    }
}
