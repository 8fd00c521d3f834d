//! Values of page variables: the subset of Julia values that real Franklin sites use.

use std::fmt::Write as _;

/// A page-variable value, as Julia would hold it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Julia's `nothing`.
    Nothing,
    /// `true` / `false`.
    Bool(bool),
    /// An integer literal.
    Int(i64),
    /// A floating-point literal.
    Float(f64),
    /// A string (all Julia string literal forms end up here).
    Str(String),
    /// `Date(y, m, d)`.
    Date { year: i32, month: u32, day: u32 },
    /// `[a, b, ...]`.
    Vector(Vec<Value>),
    /// `(a, b, ...)`.
    Tuple(Vec<Value>),
    /// `a => b`.
    Pair(Box<Value>, Box<Value>),
    /// `Dict(k => v, ...)`, in written order.
    Dict(Vec<(Value, Value)>),
    /// `r"..."`: a regex literal, kept as its source.
    Regex(String),
}

impl Value {
    /// What Julia's `string(value)` prints: used by `{{fill}}`.
    pub fn to_julia_string(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            other => {
                let mut out = String::new();
                other.write_repr(&mut out, true);
                out
            }
        }
    }

    /// Writes the `repr`-like form Julia uses inside collections (strings quoted).
    fn write_repr(&self, out: &mut String, top: bool) {
        match self {
            Value::Nothing => out.push_str("nothing"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => out.push_str(&julia_float(*f)),
            Value::Str(s) => {
                if top {
                    out.push_str(s)
                } else {
                    let _ = write!(out, "{s:?}");
                }
            }
            Value::Date { year, month, day } => {
                if top {
                    let _ = write!(out, "{year:04}-{month:02}-{day:02}");
                } else {
                    let _ = write!(out, "Date(\"{year:04}-{month:02}-{day:02}\")");
                }
            }
            Value::Vector(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write_repr(out, false);
                }
                out.push(']');
            }
            Value::Tuple(items) => {
                out.push('(');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write_repr(out, false);
                }
                if items.len() == 1 {
                    out.push(',');
                }
                out.push(')');
            }
            Value::Pair(a, b) => {
                a.write_repr(out, false);
                out.push_str(" => ");
                b.write_repr(out, false);
            }
            Value::Dict(entries) => {
                out.push_str("Dict(");
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    k.write_repr(out, false);
                    out.push_str(" => ");
                    v.write_repr(out, false);
                }
                out.push(')');
            }
            Value::Regex(r) => {
                let _ = write!(out, "r\"{r}\"");
            }
        }
    }

    /// Franklin's emptiness: `nothing`, empty string or collection, or `Date(1,1,1)`.
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Nothing => true,
            Value::Str(s) => s.is_empty(),
            Value::Vector(v) | Value::Tuple(v) => v.is_empty(),
            Value::Dict(d) => d.is_empty(),
            Value::Date { year, month, day } => (*year, *month, *day) == (1, 1, 1),
            _ => false,
        }
    }

    /// The string inside, for string values.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean inside, for booleans.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Elements of a vector or tuple (a string vector for `tags`, say).
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::Vector(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// The Julia type name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nothing => "Nothing",
            Value::Bool(_) => "Bool",
            Value::Int(_) => "Int64",
            Value::Float(_) => "Float64",
            Value::Str(_) => "String",
            Value::Date { .. } => "Date",
            Value::Vector(_) => "Vector",
            Value::Tuple(_) => "Tuple",
            Value::Pair(..) => "Pair",
            Value::Dict(_) => "Dict",
            Value::Regex(_) => "Regex",
        }
    }
}

/// Julia prints floats with the shortest round-trip form and always a `.0` for integers.
fn julia_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_strings_match_julia() {
        assert_eq!(Value::Float(3.0).to_julia_string(), "3.0");
        assert_eq!(
            Value::Date {
                year: 2013,
                month: 9,
                day: 4
            }
            .to_julia_string(),
            "2013-09-04"
        );
        let v = Value::Vector(vec![Value::Str("a".into()), Value::Str("b".into())]);
        assert_eq!(v.to_julia_string(), "[\"a\", \"b\"]");
        assert_eq!(Value::Nothing.to_julia_string(), "nothing");
    }
}
