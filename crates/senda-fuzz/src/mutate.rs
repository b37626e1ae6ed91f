//! A small seeded mutator: byte and chunk edits, tokens that parsers of
//! text and CBOR care about, and splices from other seeds.

/// xorshift64*: fast, seedable, and good enough to pick mutations.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// 0..n (0 when n is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
    /// True about one time in `n`.
    pub fn chance(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
}

/// Fragments that matter to CSV, JSON, TOML, RFC 3339, hex and CBOR parsers.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b",",
    b"\n",
    b"\r\n",
    b"\0",
    b"=",
    b"[[",
    b"]]",
    b"{}",
    b"[]",
    b"null",
    b"-1",
    b"0",
    b"4294967296",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"1e999",
    b"NaN",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xc3\x28",
    b"T",
    b"Z",
    b"+99:99",
    b"9999-12-31T23:59:60Z",
    b"-262143-01-01T00:00:00Z",
    b"\\u0000",
    b"\\ud800",
    b"'''",
    b"\"\"\"",
    b"#",
    b"id",
    b"\t",
    // CBOR: huge lengths, indefinite items, break, tags, deep arrays.
    b"\x9b\xff\xff\xff\xff\xff\xff\xff\xff",
    b"\xbb\x00\x00\x00\x01\x00\x00\x00\x00",
    b"\x5a\xff\xff\xff\xff",
    b"\x7a\x7f\xff\xff\xff",
    b"\x9f",
    b"\xbf",
    b"\xff",
    b"\xc1",
    b"\xf9\x7c\x00",
    b"\x81\x81\x81\x81\x81\x81\x81\x81\x81\x81\x81\x81\x81\x81\x81\x81",
];

fn chunk(rng: &mut Rng, len: usize) -> (usize, usize) {
    let at = rng.below(len as u64 + 1) as usize;
    let n = (rng.below(32) as usize + 1).min(len - at);
    (at, n)
}

/// One to four edits of `input`, never longer than `max_len`.
pub fn mutate(rng: &mut Rng, input: &[u8], corpus: &[Vec<u8>], max_len: usize) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        let len = out.len();
        match rng.below(10) {
            0 if len > 0 => {
                let i = rng.below(len as u64) as usize;
                out[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len as u64) as usize;
                out[i] = rng.next_u64() as u8;
            }
            2 => {
                let token = TOKENS[rng.below(TOKENS.len() as u64) as usize];
                let at = rng.below(len as u64 + 1) as usize;
                out.splice(at..at, token.iter().copied());
            }
            3 if len > 0 => {
                let (at, n) = chunk(rng, len);
                out.drain(at..at + n);
            }
            4 if len > 0 => {
                // Repeat a chunk many times: long fields, deep or wide structures.
                let (at, n) = chunk(rng, len);
                let piece = out[at..at + n].to_vec();
                let most = if rng.chance(8) { 2000 } else { 8 };
                let times = 1 + rng.below(most) as usize;
                let insert: Vec<u8> = piece.iter().copied().cycle().take(n * times).collect();
                out.splice(at..at, insert);
            }
            5 if !corpus.is_empty() => {
                let other = &corpus[rng.below(corpus.len() as u64) as usize];
                if !other.is_empty() {
                    let (from, n) = chunk(rng, other.len());
                    let at = rng.below(len as u64 + 1) as usize;
                    out.splice(at..at, other[from..from + n].iter().copied());
                }
            }
            6 => out.truncate(rng.below(len as u64 + 1) as usize),
            7 if len > 1 => {
                let (a, b) = (
                    rng.below(len as u64) as usize,
                    rng.below(len as u64) as usize,
                );
                out.swap(a, b);
            }
            8 if len > 0 => {
                // An ASCII digit or letter somewhere: numbers and keys change.
                let i = rng.below(len as u64) as usize;
                out[i] = b"0123456789abcdefAZ-_. "[rng.below(22) as usize];
            }
            _ => {
                let at = rng.below(len as u64 + 1) as usize;
                let n = rng.below(16) as usize;
                let fresh: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
                out.splice(at..at, fresh);
            }
        }
    }
    out.truncate(max_len);
    out
}

/// Fresh input: random bytes, or a random run of tokens.
pub fn generate(rng: &mut Rng, max_len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let target = rng.below(max_len as u64 + 1) as usize;
    if rng.chance(2) {
        out.extend((0..target).map(|_| rng.next_u64() as u8));
    } else {
        while out.len() < target {
            out.extend_from_slice(TOKENS[rng.below(TOKENS.len() as u64) as usize]);
        }
    }
    out.truncate(max_len);
    out
}
