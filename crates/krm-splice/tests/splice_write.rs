//! `Splice::write_all`, the one place splices are applied: the input's bytes between the
//! splices, and an error (never a panic, never a partial write) for splices out of order or
//! out of bounds.

use krm_splice::Splice;

fn splice(start: usize, end: usize, text: &str) -> Splice {
    Splice {
        start,
        end,
        text: text.into(),
    }
}

#[test]
fn writes_the_input_between_the_splices() {
    let mut out = Vec::new();
    let s = [splice(0, 0, ">"), splice(2, 3, "X"), splice(5, 5, "<")];
    Splice::write_all(b"abcde", &s, &mut out).expect("write");
    assert_eq!(out, b">abXde<");
}

#[test]
fn bad_splices_are_an_error_and_write_nothing() {
    for bad in [
        vec![splice(2, 1, "")],
        vec![splice(0, 9, "")],
        vec![splice(3, 4, ""), splice(1, 2, "")],
        vec![splice(1, 3, ""), splice(2, 4, "")],
    ] {
        let mut out = Vec::new();
        let e = Splice::write_all(b"abcde", &bad, &mut out).expect_err("refused");
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
        assert!(out.is_empty(), "{bad:?}");
    }
}
