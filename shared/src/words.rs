//! Closed sets of words (roles, auth sources, container states, provider types): enums that are
//! written as one lowercase word in JSON, in the database and on the command line.
//!
//! [`words!`] defines such an enum once: its serde names, `as_str`, `parse`, `Display`, `FromStr`
//! and `TryFrom<String>` (what the store uses to decode a column, so an unknown word in the database
//! is an error at the boundary instead of a string compared later).

use std::fmt;

/// A word that is not one of the enum's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownWord {
    /// The enum's name in words, e.g. `role`.
    pub what: &'static str,
    pub word: String,
}

impl fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} {:?}", self.what, self.word)
    }
}

impl std::error::Error for UnknownWord {}

/// `words! { /// docs  #[derive(...)] pub enum Role("role") { /// docs  Admin = "admin", ... } }`
///
/// The enum derives `Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize` and, with the
/// `openapi` feature, implements `utoipa::ToSchema` (a string enum of its words); further
/// attributes given before `pub enum` are kept. The feature is the calling crate's: the macro is
/// meant for this crate's own types.
#[macro_export]
macro_rules! words {
    ($(#[$meta:meta])* pub enum $name:ident($what:literal) {
        $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            pub fn parse(word: &str) -> Option<$name> {
                match word {
                    $($word => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        // A string enum of the words. (utoipa's derive does not see the serde renames through the
        // macro's literals, so the schema is built here.)
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::openapi::words(&[$($word),+])
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::words::UnknownWord;

            fn from_str(word: &str) -> Result<$name, Self::Err> {
                $name::parse(word).ok_or_else(|| $crate::words::UnknownWord { what: $what, word: word.to_string() })
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::words::UnknownWord;

            fn try_from(word: String) -> Result<$name, $crate::words::UnknownWord> {
                word.parse()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::words! {
        /// A test set.
        pub enum Colour("colour") {
            Red = "red",
            /// Two words in one.
            DarkBlue = "darkblue",
        }
    }

    #[test]
    fn words_round_trip_everywhere() {
        for c in Colour::ALL {
            assert_eq!(Colour::parse(c.as_str()), Some(*c));
            assert_eq!(c.to_string(), c.as_str());
            assert_eq!(serde_json::to_string(c).unwrap(), format!("\"{}\"", c.as_str()));
            assert_eq!(serde_json::from_str::<Colour>(&format!("\"{c}\"")).unwrap(), *c);
            assert_eq!(Colour::try_from(c.as_str().to_string()).unwrap(), *c);
        }
        let err = "green".parse::<Colour>().unwrap_err();
        assert_eq!(err.to_string(), "unknown colour \"green\"");
        assert!(serde_json::from_str::<Colour>("\"Red\"").is_err());
    }

    /// With the `openapi` feature the schema is a string enum of the wire words, not the variants.
    #[cfg(feature = "openapi")]
    #[test]
    fn schema_lists_the_words() {
        use utoipa::{PartialSchema, ToSchema};
        assert_eq!(Colour::name(), "Colour");
        assert_eq!(
            serde_json::to_value(Colour::schema()).unwrap(),
            serde_json::json!({ "type": "string", "enum": ["red", "darkblue"] })
        );
    }
}
