//! Which columns moved. The columns kept on both sides are read in old
//! order and their new positions taken; the longest increasing run of
//! those positions stayed put relative to each other, everything else
//! moved. Reporting the complement of that run names the fewest columns
//! that explain the new order.

use crate::schema::model::Column;

/// `matched[i]` is the new position of old column `i`. Returns the names of
/// the moved columns, in new order.
pub(super) fn moved_columns(matched: &[Option<usize>], new: &[Column]) -> Vec<String> {
    let positions: Vec<usize> = matched.iter().flatten().copied().collect();
    let keep = longest_increasing(&positions);
    let mut moved: Vec<usize> = positions
        .iter()
        .enumerate()
        .filter(|(k, _)| !keep[*k])
        .map(|(_, &p)| p)
        .collect();
    moved.sort_unstable();
    moved.into_iter().map(|p| new[p].name.clone()).collect()
}

/// Marks one longest strictly increasing subsequence of `xs`
/// (patience sorting, O(n log n)).
fn longest_increasing(xs: &[usize]) -> Vec<bool> {
    // tails[k] = index in xs of the smallest tail of a run of length k + 1.
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; xs.len()];
    for (i, &x) in xs.iter().enumerate() {
        let k = tails.partition_point(|&t| xs[t] < x);
        prev[i] = k.checked_sub(1).map(|k| tails[k]);
        if k == tails.len() {
            tails.push(i);
        } else {
            tails[k] = i;
        }
    }
    let mut keep = vec![false; xs.len()];
    let mut at = tails.last().copied();
    while let Some(i) = at {
        keep[i] = true;
        at = prev[i];
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_run_is_kept() {
        assert_eq!(longest_increasing(&[0, 1, 2]), vec![true, true, true]);
        assert_eq!(longest_increasing(&[2, 0, 1]), vec![false, true, true]);
        assert_eq!(longest_increasing(&[]), Vec::<bool>::new());
    }

    #[test]
    fn moved_column_is_named() {
        let cols: Vec<Column> = ["B", "A", "C"]
            .iter()
            .map(|n| Column {
                name: n.to_string(),
                ..Column::default()
            })
            .collect();
        // old order A, B, C; new order B, A, C.
        let moved = moved_columns(&[Some(1), Some(0), Some(2)], &cols);
        assert_eq!(moved.len(), 1);
    }
}
