//! What a person types to pick from a numbered list: `1, 2`, `1-3`, `2 4 5`, `all`, or exact names.

/// Why a selection was refused, worded for the person who typed it.
pub type Refusal = String;

/// Whether a name typed by a person is `name`: compared as the server compares names (NFC, runs of
/// spaces as one, full Unicode case folding), so `übersee` picks `Übersee`.
pub fn same_name(name: &str, typed: &str) -> bool {
    names::fold(&names::normalize(name)) == names::fold(&names::normalize(typed))
}

/// Parses a selection against a list of `names` numbered from 1; returns 0-based indices in the
/// order typed, each once.
pub fn parse(input: &str, names: &[String]) -> Result<Vec<usize>, Refusal> {
    let count = names.len();
    let input = input.trim();
    if input.is_empty() {
        return Err(expected(count));
    }
    let mut picked: Vec<usize> = Vec::new();
    let push = |i: usize, picked: &mut Vec<usize>| {
        if !picked.contains(&i) {
            picked.push(i);
        }
    };
    for part in input.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if let Some(i) = names.iter().position(|n| same_name(n, part)) {
            push(i, &mut picked);
            continue;
        }
        for word in part.split_whitespace() {
            if word.eq_ignore_ascii_case("all") || word == "*" {
                for i in 0..count {
                    push(i, &mut picked);
                }
            } else if let Some((from, to)) = word.split_once('-') {
                let from = number(from, count)?;
                let to = number(to, count)?;
                if from > to {
                    return Err(format!(
                        "{word:?} is not a range: write the smaller number first."
                    ));
                }
                for i in from..=to {
                    push(i - 1, &mut picked);
                }
            } else {
                let n = number(word, count)?;
                push(n - 1, &mut picked);
            }
        }
    }
    if picked.is_empty() {
        return Err(expected(count));
    }
    Ok(picked)
}

/// A 1-based number within the list.
pub fn number(word: &str, count: usize) -> Result<usize, Refusal> {
    if word.trim().is_empty() {
        return Err(expected(count));
    }
    match word.trim().parse::<usize>() {
        Ok(n) if (1..=count).contains(&n) => Ok(n),
        Ok(_) => Err(format!(
            "{} is out of range: {}",
            word.trim(),
            expected(count)
        )),
        Err(_) => Err(format!(
            "{:?} is not a number: {}",
            word.trim(),
            expected(count)
        )),
    }
}

fn expected(count: usize) -> String {
    match count {
        0 => "there is nothing to choose from.".to_owned(),
        1 => "enter 1.".to_owned(),
        n => format!("enter a number from 1 to {n}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        ["NYC", "LA", "Main Office", "Branch Office"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn the_seed_selection_picks_the_first_two() {
        assert_eq!(parse("1, 2", &names()), Ok(vec![0, 1]));
        assert_eq!(parse("1,2", &names()), Ok(vec![0, 1]));
        assert_eq!(parse("1 2", &names()), Ok(vec![0, 1]));
    }

    #[test]
    fn ranges_all_and_names_work_and_repeat_once() {
        assert_eq!(parse("1-3", &names()), Ok(vec![0, 1, 2]));
        assert_eq!(parse("all", &names()), Ok(vec![0, 1, 2, 3]));
        assert_eq!(parse("4, 1-2, 2", &names()), Ok(vec![3, 0, 1]));
        assert_eq!(parse("la, main office", &names()), Ok(vec![1, 2]));
    }

    #[test]
    fn names_are_picked_in_any_letter_case_of_any_script() {
        let names = ["Übersee", "İSTANBUL", "Main Office"].map(String::from);
        assert_eq!(
            parse("übersee, istanbul, MAIN\u{00A0}\u{00A0}OFFICE", &names),
            Ok(vec![0, 1, 2])
        );
    }

    #[test]
    fn bad_input_is_refused_with_a_reason() {
        for bad in ["", "  ", "x", "0", "5", "3-1", "1-9", "1, x", ","] {
            let refusal = parse(bad, &names());
            assert!(refusal.is_err(), "{bad:?} was accepted");
        }
        assert_eq!(
            parse("9", &names()),
            Err("9 is out of range: enter a number from 1 to 4.".into())
        );
    }
}
