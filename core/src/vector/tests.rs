//! Every SIMD level this CPU has against the scalar reference and against an f64 reference: all
//! lengths 0..=130 plus larger ones, unaligned starts, NaN, infinities, zeros, denormals and large
//! magnitudes.

use super::*;

/// Deterministic values in [-1, 1), with a few of larger magnitude.
fn values(n: usize, seed: u64) -> Vec<f64> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let unit = (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
            if i % 17 == 3 { unit * 1e3 } else { unit }
        })
        .collect()
}

const SIZES: [usize; 6] = [255, 256, 257, 1000, 1536, 4099];

/// Every length 0..=130 plus larger ones; with `FERRULE_QUICK_TESTS` set (the valgrind run,
/// where everything is ~50x slower) 0..=40 and one larger length: still every tail of the
/// 8- and 16-lane kernels and the unrolled loops.
fn lengths() -> impl Iterator<Item = usize> {
    let quick = std::env::var_os("FERRULE_QUICK_TESTS").is_some();
    let (last, larger): (usize, &[usize]) = if quick { (40, &[257]) } else { (130, &SIZES) };
    (0..=last).chain(larger.iter().copied())
}

/// f64 references of the 1:1 kernels.
fn reference(a: &[f64], b: &[f64]) -> [f64; 6] {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let sq: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    let l1: f64 = a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum();
    let aa: f64 = a.iter().map(|x| x * x).sum();
    let bb: f64 = b.iter().map(|y| y * y).sum();
    [dot, sq, l1, aa, bb, a.iter().zip(b).map(|(x, y)| (x * y).abs()).sum()]
}

fn close(got: f64, want: f64, magnitude: f64, n: usize, epsilon: f64, what: &str) {
    let bound = 2.0 * (n.max(1) as f64) * epsilon * magnitude + f64::MIN_POSITIVE;
    assert!((got - want).abs() <= bound, "{what}: got {got}, want {want} (bound {bound})");
}

fn check_level<T: Element>(tables: &Tables, convert: fn(f64) -> T, epsilon: f64) {
    let table = T::table(tables);
    for n in lengths() {
        // Unaligned starts: slices 1..=3 elements into a buffer.
        for shift in 0..3 {
            let a64 = values(n + shift, n as u64 + 1);
            let b64 = values(n + shift, n as u64 + 1000);
            let a: Vec<T> = a64.iter().map(|&v| convert(v)).collect();
            let b: Vec<T> = b64.iter().map(|&v| convert(v)).collect();
            let (a, b) = (&a[shift..], &b[shift..]);
            // The reference sees exactly the rounded inputs.
            let a64: Vec<f64> = a.iter().map(|v| v.to_f64()).collect();
            let b64: Vec<f64> = b.iter().map(|v| v.to_f64()).collect();
            let [dot, sq, l1, aa, bb, dot_mag] = reference(&a64, &b64);
            let what = |op: &str| format!("{:?} {op} n={n} shift={shift}", tables.isa);
            close((table.dot)(a, b).to_f64(), dot, dot_mag, n, epsilon, &what("dot"));
            close((table.sqeuclidean)(a, b).to_f64(), sq, sq, n, epsilon, &what("sqeuclidean"));
            close((table.manhattan)(a, b).to_f64(), l1, l1, n, epsilon, &what("manhattan"));
            let (ab, a2, b2) = (table.dot_norms)(a, b);
            close(ab.to_f64(), dot, dot_mag, n, epsilon, &what("dot_norms.ab"));
            close(a2.to_f64(), aa, aa, n, epsilon, &what("dot_norms.aa"));
            close(b2.to_f64(), bb, bb, n, epsilon, &what("dot_norms.bb"));
        }
    }
}

#[test]
fn every_level_matches_the_reference_at_every_length() {
    let levels = every_supported_level();
    assert!(levels.iter().any(|t| t.isa == Isa::Scalar));
    #[cfg(target_arch = "aarch64")]
    assert!(levels.iter().any(|t| t.isa == Isa::Neon), "NEON kernels are tested wherever aarch64 runs");
    for tables in &levels {
        check_level::<f32>(tables, |v| v as f32, f64::from(f32::EPSILON));
        check_level::<f64>(tables, |v| v, f64::EPSILON);
    }
}

#[test]
fn special_values_propagate_the_same_way_on_every_level() {
    for tables in every_supported_level() {
        let t = &tables.f32;
        for n in [1usize, 7, 8, 9, 15, 16, 17, 33, 100] {
            for at in [0, n / 2, n - 1] {
                let mut a = vec![1.0f32; n];
                let b = vec![2.0f32; n];
                a[at] = f32::NAN;
                assert!((t.dot)(&a, &b).is_nan(), "{:?} n={n} at={at}", tables.isa);
                assert!((t.sqeuclidean)(&a, &b).is_nan());
                assert!((t.manhattan)(&a, &b).is_nan());
                a[at] = f32::INFINITY;
                assert_eq!((t.dot)(&a, &b), f32::INFINITY, "{:?} n={n} at={at}", tables.isa);
                assert_eq!((t.sqeuclidean)(&a, &b), f32::INFINITY);
                assert_eq!((t.manhattan)(&a, &b), f32::INFINITY);
            }
            let zeros = vec![0.0f32; n];
            assert_eq!((t.dot)(&zeros, &zeros), 0.0);
            let tiny = vec![f32::from_bits(1); n];
            assert_eq!((t.manhattan)(&tiny, &zeros), f32::from_bits(1) * n as f32, "denormals are kept");
            let big = vec![1e30f32; n];
            assert_eq!((t.dot)(&big, &big), f32::INFINITY, "overflow is infinity, not garbage");
        }
    }
}

#[test]
fn public_functions_check_lengths_and_handle_zero_vectors() {
    let a = [1.0f32, 2.0, 3.0];
    let b = [4.0f32, 5.0, 6.0];
    assert_eq!(dot(&a, &b).unwrap(), 32.0);
    assert_eq!(sqeuclidean(&a, &b).unwrap(), 27.0);
    assert_eq!(euclidean(&[0.0f64, 0.0], &[3.0, 4.0]).unwrap(), 5.0);
    assert_eq!(manhattan(&a, &b).unwrap(), 9.0);
    assert_eq!(norm(&[3.0f64, 4.0]).unwrap(), 5.0);
    let err = dot(&a, &b[..2]).unwrap_err();
    assert_eq!(err.code(), "FERRULE_LENGTH_MISMATCH");
    assert_eq!(dot::<f32>(&[], &[]).unwrap(), 0.0);
    let zero = [0.0f32; 3];
    assert_eq!(cosine_similarity(&a, &zero).unwrap(), 0.0);
    assert_eq!(cosine_distance(&zero, &zero).unwrap(), 1.0);
    assert!((cosine_similarity(&a, &a).unwrap() - 1.0).abs() < 1e-6);
    assert_eq!(cosine_distance(&a, &a.map(|x| x * 2.0)).unwrap().max(0.0), cosine_distance(&a, &a).unwrap());
    let opposite = a.map(|x| -x);
    assert!((cosine_distance(&a, &opposite).unwrap() - 2.0).abs() < 1e-6);
    assert!(cosine_distance(&a, &opposite).unwrap() <= 2.0, "clamped");
    assert!(cosine_similarity(&[f32::NAN, 1.0], &[1.0, 1.0]).unwrap().is_nan());
    assert_eq!(active_isa(), crate::capabilities().isa);
}

#[test]
fn near_duplicates_keep_their_small_distance() {
    // The expanded |a|^2 + |b|^2 - 2ab form loses everything here; the difference form does not.
    let a: Vec<f32> = values(128, 5).iter().map(|&v| 100.0 + v as f32).collect();
    let b: Vec<f32> = a.iter().enumerate().map(|(i, &x)| if i == 7 { x + 0.001 } else { x }).collect();
    let want = f64::from(a[7] - b[7]).powi(2);
    for tables in every_supported_level() {
        let got = f64::from((tables.f32.sqeuclidean)(&a, &b));
        assert!((got - want).abs() <= want * 1e-6, "{:?}: {got} vs {want}", tables.isa);
    }
}

/// Every level's cdist tile against an f64 reference: every row count up to the tile's height,
/// dimensions 0..=130 and larger, partial panels, special values.
#[test]
fn every_tile_matches_the_reference() {
    fn check<T: Element>(tables: &Tables, convert: fn(f64) -> T, epsilon: f64) {
        let Some(tile) = &T::table(tables).tile else { return };
        for dim in lengths() {
            let b_rows = tile.width - 1 + dim % 2; // a partial panel (zero padding) or a full one
            let a64 = values(tile.height * dim + 1, dim as u64 + 7);
            let b64 = values(b_rows * dim + 1, dim as u64 + 77);
            let a: Vec<T> = a64.iter().map(|&v| convert(v)).collect();
            let b: Vec<T> = b64.iter().map(|&v| convert(v)).collect();
            // Unaligned: both start one element in.
            let am = Matrix::new(&a[1..], tile.height, dim, dim).unwrap();
            let bm = Matrix::new(&b[1..], b_rows, dim, dim).unwrap();
            let mut panel = vec![T::ZERO; tile.width * dim];
            tile::pack(&bm, 0, tile.width, &mut panel);
            for m in 1..=tile.height {
                let rows: Vec<&[T]> = (0..m).map(|r| am.row(r)).collect();
                for raw in [tile::Raw::Dot, tile::Raw::SqEuclidean, tile::Raw::Manhattan] {
                    let mut out = vec![T::ZERO; m * tile.width];
                    assert!((tile.run)(raw, &rows, &panel, &mut out));
                    for r in 0..m {
                        for j in 0..b_rows {
                            let x: Vec<f64> = am.row(r).iter().map(|v| v.to_f64()).collect();
                            let y: Vec<f64> = bm.row(j).iter().map(|v| v.to_f64()).collect();
                            let [dot, sq, l1, _, _, dot_mag] = reference(&x, &y);
                            let (want, magnitude) = match raw {
                                tile::Raw::Dot => (dot, dot_mag),
                                tile::Raw::SqEuclidean => (sq, sq),
                                tile::Raw::Manhattan => (l1, l1),
                            };
                            let what = format!("{:?} tile {raw:?} dim={dim} m={m} r={r} j={j}", tables.isa);
                            close(out[r * tile.width + j].to_f64(), want, magnitude, dim, epsilon, &what);
                        }
                    }
                }
                // Shapes the kernel does not take are refused, not read.
                let mut short = vec![T::ZERO; m * tile.width - 1];
                assert!(!(tile.run)(tile::Raw::Dot, &rows, &panel, &mut short));
            }
            if dim > 0 {
                let short_row = &am.row(0)[..dim - 1];
                let mut out = vec![T::ZERO; tile.width];
                assert!(!(tile.run)(tile::Raw::Dot, &[short_row], &panel, &mut out));
            }
            assert!(!(tile.run)(tile::Raw::Dot, &[], &panel, &mut []));
        }
        // NaN and infinity reach exactly the cells they touch.
        let dim = 5;
        let mut a = vec![T::ONE; tile.height * dim];
        a[2] = convert(f64::NAN);
        a[dim + 1] = convert(f64::INFINITY);
        let b = vec![T::ONE; tile.width * dim];
        let bm = Matrix::dense(&b, dim).unwrap();
        let mut panel = vec![T::ZERO; tile.width * dim];
        tile::pack(&bm, 0, tile.width, &mut panel);
        let rows: Vec<&[T]> = a.chunks(dim).collect();
        let mut out = vec![T::ZERO; tile.height * tile.width];
        assert!((tile.run)(tile::Raw::Dot, &rows, &panel, &mut out));
        assert!(out[..tile.width].iter().all(|v| v.to_f64().is_nan()));
        assert!(out[tile.width..2 * tile.width].iter().all(|v| v.to_f64() == f64::INFINITY));
        assert!(out[2 * tile.width..].iter().all(|v| v.to_f64() == dim as f64));
    }
    for tables in every_supported_level() {
        check::<f32>(&tables, |v| v as f32, f64::from(f32::EPSILON));
        check::<f64>(&tables, |v| v, f64::EPSILON);
    }
}

#[test]
fn cdist_near_duplicates_are_exact_for_sqeuclidean() {
    // Rows 100 apart from the origin differing by 1e-3 in one coordinate: the expanded form
    // |a|^2 + |b|^2 - 2ab loses every digit; the difference form keeps them.
    let dim = 128;
    let base: Vec<f32> = values(dim, 9).iter().map(|&v| 100.0 + v as f32).collect();
    let rows = 50;
    let mut a = Vec::new();
    let mut b = Vec::new();
    for r in 0..rows {
        let mut x = base.clone();
        x[r % dim] += 1e-3 * (r + 1) as f32;
        a.extend_from_slice(&x);
        b.extend_from_slice(&base);
    }
    let (am, bm) = (Matrix::dense(&a, dim).unwrap(), Matrix::dense(&b, dim).unwrap());
    let mut out = vec![0.0f32; rows * rows];
    cdist(&am, &bm, Metric::SqEuclidean, Precision::Fast, &mut out).unwrap();
    for i in 0..rows {
        let want: f64 =
            am.row(i).iter().zip(bm.row(0)).map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2)).sum();
        for j in 0..rows {
            let got = f64::from(out[i * rows + j]);
            assert!((got - want).abs() <= 1e-6 * want, "row {i}: {got} vs {want}");
        }
    }
}

/// The four-row kernels of every level give exactly the 1:1 kernels' results, at every length
/// (including rows longer than the query, which they must not read past the query's length).
#[test]
fn four_row_kernels_equal_the_one_to_one_kernels() {
    fn check<T: Element + PartialEq>(tables: &Tables, convert: fn(f64) -> T) {
        let table = T::table(tables);
        for n in lengths() {
            let q: Vec<T> = values(n + 1, n as u64 + 3).iter().map(|&v| convert(v)).collect();
            let q = &q[1..];
            let data: Vec<T> = values(4 * n + 4, n as u64 + 30).iter().map(|&v| convert(v)).collect();
            let rows: [&[T]; 4] = std::array::from_fn(|r| &data[1 + r * n..1 + (r + 1) * n]);
            let what = format!("{:?} n={n}", tables.isa);
            let same = |x: T, y: T| x == y || (x.to_f64().is_nan() && y.to_f64().is_nan());
            let dots = (table.dot4)(q, rows);
            let squares = (table.sqeuclidean4)(q, rows);
            let (ab, bb) = (table.dot_norms4)(q, rows);
            for r in 0..4 {
                assert!(same(dots[r], (table.dot)(q, rows[r])), "{what} dot4");
                assert!(same(squares[r], (table.sqeuclidean)(q, rows[r])), "{what} sqeuclidean4");
                let (x, _, z) = (table.dot_norms)(q, rows[r]);
                assert!(same(ab[r], x) && same(bb[r], z), "{what} dot_norms4");
            }
        }
        // A NaN in one row stays in that row.
        let q = vec![T::ONE; 40];
        let mut data = [T::ONE; 160];
        data[45] = convert(f64::NAN);
        let rows: [&[T]; 4] = std::array::from_fn(|r| &data[r * 40..(r + 1) * 40]);
        let dots = (table.dot4)(&q, rows);
        assert!(dots[1].to_f64().is_nan() && dots[0].to_f64() == 40.0 && dots[3].to_f64() == 40.0);
    }
    for tables in every_supported_level() {
        check::<f32>(&tables, |v| v as f32);
        check::<f64>(&tables, |v| v);
    }
}

#[test]
fn one_to_many_equals_the_one_to_one_functions() {
    for dim in [0usize, 1, 3, 16, 17, 40, 128] {
        for rows in 0..=9 {
            let stride = dim + 2;
            let data: Vec<f32> = values(rows * stride + 1, dim as u64).iter().map(|&v| v as f32).collect();
            let m = Matrix::new(&data[1..], rows, dim, stride).unwrap();
            let mut q: Vec<f32> = values(dim, 99).iter().map(|&v| v as f32).collect();
            if dim == 3 {
                q.fill(0.0); // the zero query: cosine 1 everywhere
            }
            for metric in Metric::ALL {
                let mut out = vec![0.0f32; rows];
                one_to_many(&q, &m, metric, Precision::Fast, &mut out).unwrap();
                for (r, &got) in out.iter().enumerate() {
                    let want = Precision::Fast.distance(metric, &q, m.row(r)).unwrap();
                    assert!(got == want || (got.is_nan() && want.is_nan()), "{metric:?} dim={dim} row {r}");
                }
            }
            for precision in Precision::ALL {
                let mut out = vec![0.0f32; rows];
                cosine_similarity_many(&q, &m, precision, &mut out).unwrap();
                for (r, &got) in out.iter().enumerate() {
                    let want = precision.cosine_similarity(&q, m.row(r)).unwrap();
                    assert_eq!(got.to_bits(), want.to_bits(), "{precision:?} similarity dim={dim} row {r}");
                }
            }
        }
    }
}

/// Every level's reductions and element-wise loops against the portable ones (bit for bit: the
/// same generic code) and against plain references, at every length, unaligned, with NaN at
/// every position class, infinities, signed zeros.
#[test]
fn every_level_of_the_loops_matches_the_portable_loops() {
    use super::loops::{Loops, Map};
    fn check<T: Element + PartialEq>(isa: Isa, convert: fn(f64) -> T) {
        let (level, portable) = (Loops::of(isa), Loops::of(Isa::Scalar));
        let same = |x: T, y: T| x == y || (x.to_f64().is_nan() && y.to_f64().is_nan());
        for n in lengths() {
            let base: Vec<T> = values(n + 1, n as u64 + 11).iter().map(|&v| convert(v)).collect();
            let mut cases: Vec<Vec<T>> = vec![base[1..].to_vec()];
            if n > 0 {
                for at in [0, n / 2, n - 1] {
                    let mut with_nan = base[1..].to_vec();
                    with_nan[at] = convert(f64::NAN);
                    cases.push(with_nan);
                }
                let mut extremes = base[1..].to_vec();
                extremes[n / 3] = convert(f64::INFINITY);
                extremes[n - 1] = convert(f64::NEG_INFINITY);
                cases.push(extremes);
                cases.push(vec![convert(-0.0); n]);
                cases.push(vec![convert(f64::NAN); n]);
            }
            for x in &cases {
                let what = format!("{isa:?} n={n}");
                assert!(same(level.sum(x), portable.sum(x)), "{what} sum");
                assert_eq!(level.sum_f64(x).to_bits(), portable.sum_f64(x).to_bits(), "{what} sum_f64");
                // The references: NumPy's NaN rule and first-of-equals.
                let first_nan = x.iter().position(|v| v.to_f64().is_nan());
                let numbers: Vec<(usize, f64)> =
                    x.iter().map(|v| v.to_f64()).enumerate().filter(|(_, v)| !v.is_nan()).collect();
                let arg_min = numbers.iter().fold(None::<(usize, f64)>, |m, &(i, v)| match m {
                    Some((_, best)) if v >= best => m,
                    _ => Some((i, v)),
                });
                let arg_max = numbers.iter().fold(None::<(usize, f64)>, |m, &(i, v)| match m {
                    Some((_, best)) if v <= best => m,
                    _ => Some((i, v)),
                });
                assert_eq!(level.first_nan(x), first_nan, "{what} first_nan");
                let (min, nan) = level.min(x);
                assert_eq!(nan, first_nan.is_some(), "{what} min nan");
                assert_eq!(min.map(|m| m.to_f64()), arg_min.map(|m| m.1), "{what} min");
                let (max, nan) = level.max(x);
                assert_eq!(nan, first_nan.is_some(), "{what} max nan");
                assert_eq!(max.map(|m| m.to_f64()), arg_max.map(|m| m.1), "{what} max");
                if let (Some(m), None) = (min, first_nan) {
                    assert_eq!(level.find(x, m), arg_min.map(|m| m.0), "{what} find min");
                }
                let y: Vec<T> = x.iter().rev().copied().collect();
                for op in [
                    Map::Scale(convert(1.5)),
                    Map::Divide(convert(3.0)),
                    Map::Add,
                    Map::Subtract,
                    Map::Multiply,
                    Map::Axpy(convert(-2.0)),
                    Map::Fma,
                ] {
                    let mut got = vec![T::ZERO; n];
                    let mut want = vec![T::ZERO; n];
                    level.map(op, x, &y, x, &mut got);
                    portable.map(op, x, &y, x, &mut want);
                    assert!(got.iter().zip(&want).all(|(&g, &w)| same(g, w)), "{what} {op:?}");
                }
            }
        }
    }
    let best = crate::capabilities::best_isa(&crate::capabilities::detected_features());
    for isa in Isa::ALL.into_iter().filter(|isa| isa.belongs_to_this_arch() && *isa <= best) {
        check::<f32>(isa, |v| v as f32);
        check::<f64>(isa, |v| v);
    }
}

/// The four-row kernels' fallback for rows shorter than the query (`dot4` & co. then run the 1:1
/// kernels, which stop at the shorter length): each short row is its own allocation of exactly
/// its length, so a read past its last element leaves it (valgrind and ASan report it).
#[test]
fn four_row_kernels_stop_at_short_rows() {
    fn check<T: Element + PartialEq>(tables: &Tables, convert: fn(f64) -> T) {
        let table = T::table(tables);
        for n in lengths().filter(|&n| n > 0) {
            let q: Vec<T> = values(n, n as u64 + 5).iter().map(|&v| convert(v)).collect();
            // Rows of n - 1, n - 2, n - 3 and n - 4 elements (at least 0).
            let row = |r: usize| -> Vec<T> {
                let len = (n - 1).saturating_sub(r);
                values(len, (n + r) as u64 + 50).iter().map(|&v| convert(v)).collect()
            };
            let owned: Vec<Vec<T>> = (0..4).map(row).collect();
            let rows: [&[T]; 4] = std::array::from_fn(|r| owned[r].as_slice());
            let same = |x: T, y: T| x == y || (x.to_f64().is_nan() && y.to_f64().is_nan());
            let dots = (table.dot4)(&q, rows);
            let squares = (table.sqeuclidean4)(&q, rows);
            let (ab, bb) = (table.dot_norms4)(&q, rows);
            for r in 0..4 {
                let what = format!("{:?} n={n} row {r} of {}", tables.isa, rows[r].len());
                assert!(same(dots[r], (table.dot)(&q, rows[r])), "{what} dot4");
                assert!(same(squares[r], (table.sqeuclidean)(&q, rows[r])), "{what} sqeuclidean4");
                let (x, _, z) = (table.dot_norms)(&q, rows[r]);
                assert!(same(ab[r], x) && same(bb[r], z), "{what} dot_norms4");
            }
        }
    }
    for tables in every_supported_level() {
        check::<f32>(&tables, |v| v as f32);
        check::<f64>(&tables, |v| v);
    }
}
