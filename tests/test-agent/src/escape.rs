//! The inverse of substitution for text that must reach OpenClaw literally:
//! a reference for mosaicd's own escaping (it must write, say, a provider
//! base URL containing `${X}` so that the gateway reads `${X}` back).
//!
//! The rule: one extra `$` before every placeholder the substitution scanner
//! recognises, substitutions and escapes alike, taken in the scanner's own
//! order (it resumes after each token's `}`). `${VAR}` becomes `$${VAR}`,
//! which substitutes back to `${VAR}`; `$${VAR}` becomes `$$${VAR}`, which
//! substitutes back to `$${VAR}`. Text the scanner does not recognise is
//! already literal and is left alone.
//!
//! Taking tokens in scanner order matters only for `${pass:…}` bodies with an
//! invalid path: they may contain another `${…}` (`${pass:${A}}`), and
//! escaping the inner one too would change the outer body (see the tests).

use crate::substitution;

/// `s` written so that OpenClaw's substitution gives back exactly `s`.
#[cfg_attr(
    not(test),
    expect(dead_code, reason = "a reference for mosaicd, exercised by the tests")
)]
pub fn escape_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut copied = 0;
    for token in substitution::tokens(s) {
        out.push_str(&s[copied..token.start]);
        out.push('$');
        copied = token.start;
    }
    out.push_str(&s[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::substitution::substitute_string;

    fn unescape(s: &str) -> Result<String, String> {
        substitute_string(s, "x", &|_| None).map_err(|e| e.message())
    }

    #[test]
    fn examples() {
        let cases = [
            ("plain", "plain"),
            ("${A}", "$${A}"),
            ("$${A}", "$$${A}"),
            ("${A:-d}", "$${A:-d}"),
            ("${pass:a/b}", "$${pass:a/b}"),
            ("${pass:..}", "$${pass:..}"),
            ("${a} $A ${ A} ${A", "${a} $A ${ A} ${A"),
            ("${A${B}", "${A$${B}"),
            ("${pass:${A}}", "$${pass:${A}}"),
        ];
        for (input, escaped) in cases {
            assert_eq!(escape_literal(input), escaped, "{input}");
            assert_eq!(unescape(escaped).as_deref(), Ok(input), "{input}");
        }
    }

    /// The rule stated as "a `$` before every `${…}` the grammar recognises",
    /// overlapping occurrences included.
    fn escape_every_occurrence(s: &str) -> String {
        let mut out = String::new();
        for (i, c) in s.char_indices() {
            if s[i..].starts_with("${") && substitution::tokens(&s[i..]).first().is_some_and(|t| t.start == 0) {
                out.push('$');
            }
            out.push(c);
        }
        out
    }

    #[test]
    fn every_occurrence_is_wrong_for_nested_invalid_secrets() {
        // `${pass:${A}` is one (invalid secret) token whose body holds `${A}`: escaping the
        // inner `${A}` as well changes the outer body, which substitution then keeps.
        let input = "${pass:${A}}";
        let naive = escape_every_occurrence(input);
        assert_eq!(naive, "$${pass:$${A}}");
        assert_eq!(unescape(&naive).as_deref(), Ok("${pass:$${A}}"));
        assert_ne!(unescape(&naive).as_deref(), Ok(input));
        // Without the pass/gopass grammar no body can hold `$`, and both rules agree.
        assert_eq!(
            escape_every_occurrence("a${A}b$${B:-c}"),
            escape_literal("a${A}b$${B:-c}")
        );
    }

    /// SplitMix64: deterministic and dependency free.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Fragments that build every shape the grammar cares about: loose
    /// characters, and whole placeholders so that tokens are common.
    const FRAGMENTS: &[&str] = &[
        "$",
        "$",
        "$$",
        "{",
        "}",
        "}",
        "${",
        "$${",
        "A",
        "B_2",
        "_",
        "lower",
        "9",
        ":",
        ":-",
        "-",
        "pass:",
        "gopass:",
        "a/b",
        "..",
        "/",
        ".",
        " ",
        "x",
        "é",
        "🦀",
        "vault:",
        "${A}",
        "${B_2}",
        "$${A}",
        "${A:-d}",
        "${A:-}",
        "${pass:a/b}",
        "${gopass:k}",
        "${pass:..}",
        "${pass:",
    ];

    fn random_string(rng: &mut Rng) -> String {
        let len = rng.below(14);
        (0..len).map(|_| FRAGMENTS[rng.below(FRAGMENTS.len())]).collect()
    }

    #[test]
    fn escaped_text_substitutes_back_to_itself() {
        let mut rng = Rng(0x6d6f_7361_6963);
        let mut with_tokens = 0;
        for _ in 0..200_000 {
            let input = random_string(&mut rng);
            let escaped = escape_literal(&input);
            assert_eq!(unescape(&escaped).as_deref(), Ok(input.as_str()), "escaped {escaped:?}");
            if !substitution::tokens(&input).is_empty() {
                with_tokens += 1;
            }
        }
        // The generator must actually produce placeholders, not just noise.
        assert!(with_tokens > 20_000, "{with_tokens}");
    }
}
