//! What Redis does differently for commands run by its own script client (`CLIENT_SCRIPT`),
//! which a command run through `RedisModule_Call` does not get by itself:
//! * `SORT` of a set without sorting (`BY` a pattern with no `*`) is sorted lexicographically
//!   anyway, so a script sees the same order on every replica;
//! * `XREAD`/`XREADGROUP` with `BLOCK` is refused (rather than answered as if the block had
//!   timed out at once).

/// Whether `sort`/`sort_ro` with these arguments asks for no sorting: a `BY` option whose
/// pattern has no `*` (the last `BY` decides, as in Redis). `None` when the options do not
/// parse the way Redis's SORT would accept them (Redis then reports the error itself).
pub fn sort_without_sorting(argv: &[&[u8]]) -> Option<bool> {
    let mut j = 2;
    let mut dontsort = false;
    while j < argv.len() {
        let opt = argv[j];
        let more = argv.len() - j - 1;
        if opt.eq_ignore_ascii_case(b"asc") || opt.eq_ignore_ascii_case(b"desc") || opt.eq_ignore_ascii_case(b"alpha") {
            j += 1;
        } else if opt.eq_ignore_ascii_case(b"limit") && more >= 2 {
            j += 3;
        } else if (opt.eq_ignore_ascii_case(b"store") || opt.eq_ignore_ascii_case(b"get")) && more >= 1 {
            j += 2;
        } else if opt.eq_ignore_ascii_case(b"by") && more >= 1 {
            dontsort = !argv[j + 1].contains(&b'*');
            j += 2;
        } else {
            return None;
        }
    }
    Some(dontsort)
}

/// The SORT arguments Redis effectively uses for a set when no sorting was asked for from a
/// script: every `BY` option dropped, `ALPHA` added.
pub fn sort_alpha(argv: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = argv[..2.min(argv.len())].iter().map(|a| a.to_vec()).collect();
    let mut j = 2;
    while j < argv.len() {
        let opt = argv[j];
        let take = if opt.eq_ignore_ascii_case(b"limit") {
            3
        } else if opt.eq_ignore_ascii_case(b"store")
            || opt.eq_ignore_ascii_case(b"get")
            || opt.eq_ignore_ascii_case(b"by")
        {
            2
        } else {
            1
        };
        let end = (j + take).min(argv.len());
        if !opt.eq_ignore_ascii_case(b"by") {
            out.extend(argv[j..end].iter().map(|a| a.to_vec()));
        }
        j = end;
    }
    out.push(b"ALPHA".to_vec());
    out
}

/// For `xread`/`xreadgroup`: the error Redis gives a script that asks to block, worded with
/// the command name as the script wrote it; `None` if the options do not reach a `BLOCK`.
pub fn xread_block_error(argv: &[&[u8]], group_command: bool) -> Option<Vec<u8>> {
    let mut j = 1;
    while j < argv.len() {
        let opt = argv[j];
        let more = argv.len() - j - 1;
        if opt.eq_ignore_ascii_case(b"block") && more >= 1 {
            let mut msg = argv[0].to_vec();
            msg.extend_from_slice(crate::error::BLOCK_FROM_SCRIPT.as_bytes());
            return Some(msg);
        } else if opt.eq_ignore_ascii_case(b"count") && more >= 1 {
            // An invalid count stops Redis before any BLOCK after it.
            crate::util::integer::parse_strict_i64(argv[j + 1]).filter(|n| *n >= 0)?;
            j += 2;
        } else if group_command && opt.eq_ignore_ascii_case(b"group") && more >= 2 {
            j += 3;
        } else if group_command && opt.eq_ignore_ascii_case(b"noack") {
            j += 1;
        } else {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<&[u8]> {
        s.split(' ').map(str::as_bytes).collect()
    }

    #[test]
    fn sort_options() {
        assert_eq!(sort_without_sorting(&v("sort s by nosort")), Some(true));
        assert_eq!(sort_without_sorting(&v("sort s by w_*")), Some(false));
        assert_eq!(sort_without_sorting(&v("sort s by nosort by w_*")), Some(false));
        assert_eq!(sort_without_sorting(&v("sort s limit 0 2 by x get # desc")), Some(true));
        assert_eq!(sort_without_sorting(&v("sort s")), Some(false));
        assert_eq!(sort_without_sorting(&v("sort s bogus")), None);
        let rewritten = sort_alpha(&v("SORT s BY nosort LIMIT 0 2 GET # DESC"));
        let rewritten: Vec<&[u8]> = rewritten.iter().map(Vec::as_slice).collect();
        assert_eq!(rewritten, v("SORT s LIMIT 0 2 GET # DESC ALPHA"));
    }

    #[test]
    fn xread_block() {
        assert_eq!(
            xread_block_error(&v("XREAD COUNT 1 BLOCK 0 STREAMS s $"), false),
            Some(b"XREAD command is not allowed with BLOCK option from scripts".to_vec())
        );
        assert_eq!(xread_block_error(&v("xread count x block 0 streams s $"), false), None);
        assert_eq!(xread_block_error(&v("xread streams s $"), false), None);
        assert!(xread_block_error(&v("xreadgroup group g c noack block 10 streams s >"), true).is_some());
        assert_eq!(xread_block_error(&v("xread block"), false), None);
    }
}
